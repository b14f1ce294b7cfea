"""The offline demo tells the truth: its clock, not the machine's, in every time it shows or
stores; links with their address; the log in a file, not inside the chat."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path

from tests.e2e.test_cli import run_cli

# During registration (open 1 May – 20 June 2027 in the sample), far from the real date.
CLOCK = "2027-06-10 12:00"
CHAT = """\
xyzzy plugh frobozz
1
/start s-plenary
1
/as organizer
/inbox
/quit
"""


def test_demo_times_links_and_log(tmp_path: Path) -> None:
    script = tmp_path / "chat.txt"
    script.write_text(CHAT, encoding="utf-8")
    database = tmp_path / "demo.sqlite3"
    result = run_cli(
        "demo",
        "--script",
        str(script),
        "--database",
        str(database),
        CLOCK_START=CLOCK,
        LOG_LEVEL="INFO",
        CWD=str(tmp_path),
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert f"The bot's clock: {CLOCK} Europe/Minsk (CLOCK_START)." in out

    # The question went to the organizers; the inbox says when, by the demo's clock.
    inbox = out[out.index("/inbox") :]
    assert re.search(r"10 июня 2027, 12:0\d", inbox), inbox
    with sqlite3.connect(database) as conn:
        asked = conn.execute("SELECT asked_at FROM questions").fetchall()
        seen = conn.execute("SELECT first_seen, last_seen FROM users").fetchall()
        saved = conn.execute("SELECT added_at FROM agenda").fetchall()
    stamps = [value for row in asked + seen + saved for value in row]
    assert len(stamps) == 6, stamps
    assert all(value.startswith("2027-06-10T") for value in stamps), stamps
    today = datetime.now().strftime("%Y-%m-%d")
    assert today not in out

    # The plenary's card: its stream link shows the address, not only the word.
    assert "(https://example.org/stream/plenary)" in out
    # "Add to my agenda" changes the card's buttons: shown as such, not an empty message.
    assert "(buttons changed)" in out
    assert "🤖 (edited) \n" not in out

    # The log (every handled update is logged at INFO) is in its file, not in the chat.
    log_path = Path(re.search(r"its log is (\S+)\.\n", out).group(1))  # type: ignore[union-attr]
    log = log_path.read_text(encoding="utf-8")
    assert "INFO aiogram.event: Update id=" in log
    assert "aiogram.event" not in out + result.stderr
    assert not re.search(r"\b(INFO|WARNING|ERROR)\b", out + result.stderr)
