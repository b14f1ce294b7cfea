"""Programs for the schedule and agenda tests: the sample, changed, or with a crowded day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot.program.loader import parse_program
from bot.program.model import Program
from bot.settings import SAMPLE_PROGRAM

PLENARY_BLOCK = '  - id: plenary\n    day: 2027-06-25\n    start: "10:00"\n    end: "12:30"\n'
S1_BLOCK = '  - id: d2-s1\n    day: 2027-06-25\n    start: "14:30"\n    end: "17:30"\n'


def sample_text() -> str:
    return SAMPLE_PROGRAM.read_text(encoding="utf-8")


def sample() -> Program:
    return parse_program(sample_text(), str(SAMPLE_PROGRAM))


def program_of(path: Path) -> Program:
    """A program file (YAML or .xlsx) that must be valid."""
    from bot.services.program import check_file

    result = check_file(path)
    assert result.program is not None, [e.render() for e in result.errors]
    return result.program


def changed_sample(*, unrelated: bool = False) -> str:
    """The sample with the plenary cancelled and section 1's session moved by half an hour;
    `unrelated`: only the lunch's English title changes instead."""
    text = sample_text()
    assert PLENARY_BLOCK in text and S1_BLOCK in text
    if unrelated:
        return text.replace('en: "Lunch"', 'en: "Lunch break"')
    text = text.replace(PLENARY_BLOCK, PLENARY_BLOCK + "    cancelled: true\n")
    return text.replace(S1_BLOCK, S1_BLOCK.replace("14:30", "15:00").replace("17:30", "18:00"))


def crowded_day_text(count: int = 60, day: date = date(2027, 6, 24)) -> str:
    """The sample plus `count` short sessions on one day, each in its own hall."""
    halls = "\n".join(f'      - id: h{i}\n        name: "Hall {i}"' for i in range(count))
    venue = (
        '  - id: crowd\n    name: "Crowd Centre"\n    address: "1 Long St"\n'
        "    latitude: 53.9\n    longitude: 30.3\n    halls:\n" + halls + "\n"
    )
    sessions = []
    for i in range(count):
        start = datetime.combine(day, time(9, 0)) + timedelta(minutes=5 * i)
        end = start + timedelta(minutes=50)
        title = f"Workshop {i:02d} " + "on a long subject " * 4
        sessions.append(
            f'  - id: w{i:02d}\n    day: {day.isoformat()}\n    start: "{start:%H:%M}"\n'
            f'    end: "{end:%H:%M}"\n    kind: other\n    title: "{title.strip()}"\n'
            f"    venue: crowd\n    hall: h{i}\n"
        )
    text = sample_text()
    text = text.replace("\nvenues:\n", "\nvenues:\n" + venue, 1)
    return text.replace("\nsessions:\n", "\nsessions:\n" + "".join(sessions), 1)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
