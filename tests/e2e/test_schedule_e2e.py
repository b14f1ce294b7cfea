"""The real process during the forum: today's schedule, a card, the agenda, the .ics file, a
reminder on time, and one change notice per person per programme import."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.fakeapi import FakeTelegram
from tests.fakeapi.models import FakeMessage
from tests.harness import ROOT, BotProcess, bot_env
from tests.schedule_helpers import changed_sample

MINSK = ZoneInfo("Europe/Minsk")


def button_for(message: FakeMessage, needle: str) -> str:
    """The text of the button whose callback data contains `needle`."""
    for row in message.buttons():
        for button in row:
            if needle in (button.get("callback_data") or ""):
                return button["text"]
    raise AssertionError(f"no button for {needle!r}: {message.describe()}")


def changed_program(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(changed_sample(), encoding="utf-8")
    return path


async def import_file(env: dict[str, str], path: Path) -> str:
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "import", str(path)],
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
            cwd=path.parent,
        )

    result = await asyncio.to_thread(run)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def change_rows(env: dict[str, str], user_id: int) -> int:
    """Change notices queued for a person (the importing process writes them at once)."""
    with sqlite3.connect(env["DATABASE_PATH"]) as conn:
        sql = "SELECT count(*) FROM deliveries WHERE kind = 'change' AND user_id = ?"
        return int(conn.execute(sql, (user_id,)).fetchone()[0])


async def test_day_card_agenda_calendar_reminder_and_change_notice(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # Seconds before the plenary's default 15-minute reminder falls due.
    env = bot_env(fake, tmp_path, clock_start="2027-06-25T09:44:52")
    bot = BotProcess(fake, env, tmp_path / "bot.log")
    await bot.start()
    try:
        ann = fake.add_user(7101, "Ann", language_code="en")
        await ann.send("/schedule")
        days = await ann.wait_message()
        assert days.button_texts()[:3] == ["Thu 24 June", "Today, Fri 25 June", "Sat 26 June"]
        await ann.press("Today")
        # Today's page opens at the morning: the plenary is next, marked so.
        day = await ann.wait_text("25 June")
        assert "🌅 Morning · 08:00–12:30" in day.text
        assert "⏭ 3. 10:00–12:30 Plenary session" in day.text
        assert "Main Hall" in day.text
        await ann.press("Evening")
        evening = await ann.wait_text("Evening")
        assert "❌" in evening.text  # the cancelled bike ride is marked
        await ann.press(button_for(day, ":plenary:"), message=day)
        card = await ann.wait_text("Plenary session")
        assert "Fri 25 June, 10:00–12:30" in card.text
        assert "Regional Palace of Culture" in card.text
        assert "hybrid" in card.text
        await ann.press("Add to my agenda")
        edited = await ann.wait_message()
        assert "Remove from my agenda" in " ".join(edited.button_texts())
        assert (await ann.wait_callback_answer())["text"].startswith("Added to your agenda")

        await ann.press("Add to calendar")
        document = await ann.wait_message(lambda m: m.document is not None)
        assert document.file_name == "plenary.ics"
        calendar = Calendar.from_ical(document.document_bytes)
        (event,) = calendar.walk("VEVENT")
        assert event["SUMMARY"].startswith("Plenary session")
        start = event.decoded("DTSTART")
        assert start == datetime(2027, 6, 25, 10, 0, tzinfo=MINSK)
        assert str(start.tzinfo) == "Europe/Minsk"
        assert event.decoded("DTEND") == datetime(2027, 6, 25, 12, 30, tzinfo=MINSK)
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Minsk"
        assert event["UID"] == "plenary-2027-06-24@forum-bot"

        # A second session, opened through a deep link as from a printed QR code.
        await ann.send("/start s-d2-s1")
        await ann.wait_text("Section 1. Company cooperation")
        await ann.press("Add to my agenda")
        await ann.wait_message()

        reminder = await ann.wait_text("In 15 minutes", timeout=25)
        assert "Plenary session" in reminder.text
        assert "10:00–12:30" in reminder.text

        await ann.send("/agenda")
        agenda = await ann.wait_text("My agenda")
        assert agenda.text.index("Plenary") < agenda.text.index("Section 1")

        # A new programme: the plenary is cancelled and section 1 moved; Ann hears once.
        out = await import_file(env, changed_program(tmp_path, "v2.yaml"))
        assert "imported" in out
        notice = await ann.wait_text("Programme changes", timeout=15)
        assert "Plenary session" in notice.text and "cancelled" in notice.text
        assert "14:30–17:30" in notice.text and "15:00–18:00" in notice.text
        assert change_rows(env, ann.id) == 1  # unrelated and repeated imports: integration
        await ann.send("/agenda")
        agenda = await ann.wait_text("My agenda")
        assert "15:00–18:00" in agenda.text and "cancelled" in agenda.text
        fake.assert_no_rejections()
    finally:
        await bot.stop()
    bot.assert_clean_log()
