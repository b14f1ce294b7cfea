"""Programs for the schedule and agenda tests: the sample, changed, or with a crowded day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml

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


# Appended to every name a button may show, in each language, to make it long.
LONG = {
    "ru": " — расширенное заседание с участием представителей всех регионов",
    "be": " — пашыранае пасяджэнне з удзелам прадстаўнікоў усіх рэгіёнаў",
    "en": " — an extended meeting with representatives of every region",
}
# Keys whose texts end up on buttons: titles, names, questions, cities, regions, options.
LONG_KEYS = frozenset(
    {"title", "name", "question", "label", "by_city", "ru_city", "by_region", "ru_subject"}
)


def _lengthen(value: object) -> object:
    if isinstance(value, str):
        return value + LONG["ru"]
    if isinstance(value, dict) and set(value) <= set(LONG):
        return {lang: text + LONG[lang] for lang, text in value.items()}
    return value


def _walk(node: object) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in LONG_KEYS and not (key == "title" and "opens" in node):
                node[key] = _lengthen(value)
            else:
                _walk(value)
    elif isinstance(node, list):
        for item in node:
            _walk(item)


def long_titles_text() -> str:
    """The sample with every title, name, question, city and region made long (far over what
    a button shows), and titles that repeat: a coffee break at 11:00 every day, and three
    "Round table" sessions at 15:00 whose long titles differ only at the end."""
    data = yaml.safe_load(sample_text())
    _walk(data)
    days = [data["forum"]["start_date"] + timedelta(days=i) for i in range(3)]
    coffee = {"ru": "Кофе-брейк", "be": "Кава-брэйк", "en": "Coffee break"}
    topics = (("образование", "адукацыя", "education"), ("спорт", "спорт", "sport"))
    for i, day in enumerate(days):
        data["sessions"].append(
            {
                "id": f"coffee-{i}",
                "day": day,
                "start": "11:00",
                "end": "11:15",
                "kind": "break",
                "title": coffee,
            }
        )
    for i, (ru, be, en) in enumerate((*topics, topics[0])):
        title = {
            "ru": f"Круглый стол городов-побратимов о сотрудничестве: {ru}",
            "be": f"Круглы стол гарадоў-пабрацімаў аб супрацоўніцтве: {be}",
            "en": f"Round table of the twin cities on cooperation: {en}",
        }
        data["sessions"].append(
            {
                "id": f"round-{i}",
                "day": days[i % 2],
                "start": "15:00",
                "end": "16:00",
                "kind": "other",
                "title": title,
            }
        )
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
