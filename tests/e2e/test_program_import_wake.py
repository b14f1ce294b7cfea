"""`forum-bot import` while the real bot runs: the bot is nudged, loads the new programme and
sends the change notice within 2 s, long before its programme poll would have noticed."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from benchmarks.notices import import_and_time
from tests.e2e.test_schedule_e2e import changed_program
from tests.fakeapi import FakeTelegram
from tests.harness import BotProcess, bot_env


async def test_a_cli_import_is_told_within_two_seconds(fake: FakeTelegram, tmp_path: Path) -> None:
    # A poll once a minute: only the nudge can explain a prompt notice and a fresh card.
    env = bot_env(fake, tmp_path, program_poll_seconds=60)
    bot = BotProcess(fake, env, tmp_path / "bot.log")
    await bot.start()
    try:
        ann = fake.add_user(7501, "Ann", language_code="en")
        await ann.send("/start s-d2-s1")
        card = await ann.wait_text("Section 1")
        await ann.press("Add to my agenda", message=card)
        await ann.wait_message(lambda m: "Remove from my agenda" in " ".join(m.button_texts()))

        # The command goes on for seconds after its commit: the commit is the reference.
        path = changed_program(tmp_path, "v2.yaml")
        stored_at = await asyncio.to_thread(import_and_time, env, path)
        notice = await ann.wait_text("Programme changes", timeout=10)
        assert 0 < notice.received_at - stored_at <= 2.0
        assert "15:00–18:00" in notice.text

        await ann.send("/start s-d2-s1")
        fresh = await ann.wait_text("Section 1", timeout=2)
        assert "15:00–18:00" in fresh.text  # the bot already reads the imported programme

        with sqlite3.connect(env["DATABASE_PATH"]) as conn:
            rows = conn.execute(
                "SELECT actor_id, details FROM audit_log WHERE action = 'program.import'"
            ).fetchall()
        ((actor, details),) = rows
        assert actor is None
        summary = json.loads(details)
        assert summary["origin"] == "cli" and summary["file"] == "v2.yaml"
        assert summary["counts"] == {"moved": 1, "cancelled": 1} and summary["notified"] == 1
        fake.assert_no_rejections()
    finally:
        await bot.stop()
    bot.assert_clean_log()
