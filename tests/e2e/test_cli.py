"""The command line: one clear line and exit code 2 for each start-up problem; the demo."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from bot.settings import SAMPLE_PROGRAM
from tests.harness import TOKEN, run_cli


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("run", DATABASE_PATH=str(tmp_path / "db.sqlite3"), CWD=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "forum-bot: BOT_TOKEN is not set; get one from @BotFather, or try `forum-bot demo`"
    )


def test_malformed_token(tmp_path: Path) -> None:
    result = run_cli("run", BOT_TOKEN="not a token", DATABASE_PATH=str(tmp_path / "d.sqlite3"))
    assert result.returncode == 2
    assert "BOT_TOKEN is malformed" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_api(tmp_path: Path) -> None:
    result = run_cli(
        "run",
        BOT_TOKEN=TOKEN,
        BOT_API_URL="http://127.0.0.1:9",  # nothing listens on the discard port
        DATABASE_PATH=str(tmp_path / "d.sqlite3"),
    )
    assert result.returncode == 2
    assert "cannot reach the Bot API at http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr
    # The start-up check fails at the first refusal, without the replies' retry backoff.
    assert "again in" not in result.stderr


def test_unwritable_database_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("run", BOT_TOKEN=TOKEN, DATABASE_PATH=str(blocker / "db.sqlite3"))
    assert result.returncode == 2
    assert "cannot open the database at" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_answers_start_with_the_sample_forum(tmp_path: Path) -> None:
    script = tmp_path / "chat.txt"
    script.write_text("/help\n/quit\n", encoding="utf-8")
    result = run_cli("demo", "--script", str(script), CWD=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Форум городов-побратимов Беларуси и России" in result.stdout
    assert "[1]" in result.stdout  # the menu's buttons, numbered
    assert "Traceback" not in result.stdout + result.stderr


def broken_sample(tmp_path: Path) -> Path:
    """The sample with three different mistakes: a bad time zone, an end before its start,
    and a venue that does not exist."""
    text = SAMPLE_PROGRAM.read_text(encoding="utf-8")
    text = text.replace("timezone: Europe/Minsk", "timezone: Europe/Mogilev", 1)
    plenary = text.index("  - id: plenary")
    text = text[:plenary] + text[plenary:].replace('end: "12:30"', 'end: "09:30"', 1)
    text = text.replace("    venue: palace", "    venue: no-such-venue", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_program_with_three_errors_is_refused_and_the_loaded_one_stays(tmp_path: Path) -> None:
    db = str(tmp_path / "forum.sqlite3")
    first = run_cli("import", str(SAMPLE_PROGRAM), DATABASE_PATH=db, DEFAULT_LOCALE="en")
    assert first.returncode == 0, first.stderr
    assert "imported: 41 sessions" in first.stdout

    broken = broken_sample(tmp_path)
    for command in ("check", "import"):
        result = run_cli(command, str(broken), DATABASE_PATH=db, DEFAULT_LOCALE="en")
        assert result.returncode == 2
        errors = [line for line in result.stderr.splitlines() if line.startswith(str(broken))]
        assert len(errors) == 3, result.stderr
        fields = {line.split(": ")[1] for line in errors}
        assert "forum.timezone" in fields
        assert any(f.startswith("sessions[") and f.endswith("].end") for f in fields)
        assert any(f.endswith("].venue") for f in fields)
        assert all(re.match(rf"{re.escape(str(broken))}:\d+: ", line) for line in errors)
        assert "Traceback" not in result.stderr

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT filename FROM programs").fetchall()
    assert rows == [("sample_forum.yaml",)]  # the good program is still the loaded one


def test_check_reports_errors_in_the_organizers_language(tmp_path: Path) -> None:
    result = run_cli("check", str(broken_sample(tmp_path)), DEFAULT_LOCALE="ru")
    assert result.returncode == 2
    assert "неизвестный часовой пояс" in result.stderr.lower()
