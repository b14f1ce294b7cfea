"""/mydata shows what is stored; /forget leaves nothing personal in any table."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.registration_helpers import OPEN_CLOCK, PACE, fill_adult_form, program_with_capacity
from tests.fakeapi import FakeTelegram
from tests.harness import running_app


async def test_mydata_then_forget_leaves_no_personal_data(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    program = program_with_capacity(tmp_path, 1)
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK, program_file=program) as app:
        zoe = fake.add_user(734000001, "Zoe", language_code="en")
        await fill_adult_form(zoe, "Zoe Quartermaine", "zoe.q@example.org")
        await zoe.wait_text("check your answers")
        await asyncio.sleep(PACE)
        await zoe.press("Confirm")
        await zoe.wait_text("You are registered")
        # Someone waits behind Zoe, and takes her place once she is forgotten.
        max_ = fake.add_user(734000002, "Max", language_code="en")
        await fill_adult_form(max_, "Max Waiting", "max@example.org")
        await max_.wait_text("check your answers")
        await asyncio.sleep(PACE)
        await max_.press("Confirm")
        await max_.wait_text("waiting list")

        await zoe.send("/mydata")
        await zoe.wait_text("everything the bot stores")
        shown = await zoe.wait_text("Youth meeting registration")
        assert "Zoe Quartermaine" in shown.text and "zoe.q@example.org" in shown.text
        await asyncio.sleep(PACE)
        await zoe.send("/forget")
        await zoe.wait_text("cannot be undone")
        await zoe.press("Yes, delete my data")
        await zoe.wait_text("is deleted")
        await max_.wait_text("a place has become free")

        needles = [str(zoe.id), "Zoe", "Quartermaine", zoe.phone, zoe.phone.lstrip("+"), "zoe.q@"]
        conn = app.db.connection.conn
        async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
            tables = [r[0] for r in await cur.fetchall()]
        assert "registrations" in tables and "registration_anon" in tables
        for table in tables:
            if table in ("programs", "sqlite_sequence"):
                continue  # the program file and row counters hold no person
            async with conn.execute(f"SELECT * FROM {table}") as cur:
                for row in await cur.fetchall():
                    text = " ".join(str(v) for v in tuple(row))
                    for needle in needles:
                        assert needle not in text, (table, needle, text)
        # Only an anonymous count is left of her registration.
        stats = await app.dp["registrations"].stats(app.programs.program)
        assert stats.total == 2
    fake.assert_no_rejections()
