"""500 people registering and browsing at once: each registration stored once, all answered."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.keyboards.registration import RegCb
from handlers.registration import RegForm
from tests.e2e.registration_helpers import OPEN_CLOCK
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import running_app
from tests.robustness.inputs import SEED
from tests.robustness.support import Probe, captured_logs, walk_registration

PEOPLE = 500
CONFIRM = RegCb(action="confirm", step="summary").pack()


@pytest.fixture
async def fast_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = None
    async with running_app(fake, tmp_path, send_rate=5000, clock_start=OPEN_CLOCK) as app:
        yield app


def summary_for(template: dict[str, Any], i: int) -> dict[str, Any]:
    """The walked form's answers, made this person's own."""
    # Adults: a minor's registration would wait for the guardian and take no place.
    answers = dict(template["a"], name=f"Участник Номер {i}", email=f"u{i}@example.org")
    answers.update(birth="2000-01-15")
    answers.pop("gname", None)
    answers.pop("gphone", None)
    return {**template, "a": answers}


async def test_500_people_register_and_browse_at_once(fake: FakeTelegram, fast_app: App) -> None:
    with captured_logs() as logs:
        probe = Probe(fake, fast_app)
        walker = fake.add_user(890_000, "Anna", language_code="en", phone="+375291234567")
        template = (await walk_registration(probe, walker))["summary"]
        await walker.press("Confirm")
        await walker.wait_text("Almost done")  # a minor: the guardian is asked first
        people = [
            fake.add_user(900_100 + i, f"P{i}", language_code=("ru", "be", "en")[i % 3])
            for i in range(PEOPLE)
        ]

        async def person(i: int, user: FakeUser) -> None:
            rng = random.Random(f"{SEED}-{i}")
            await asyncio.sleep(rng.random() * 2)
            await probe.text(user, "crowd", "/start")
            await probe.text(user, "crowd", rng.choice(["/schedule", "/sections", "/now"]))
            await probe.set_state(user, RegForm.fill.state, summary_for(template, i))
            screen = user.last_message
            assert screen is not None
            # Some press Confirm twice in a row, as impatient people do.
            presses = [probe.callback(user, "crowd", CONFIRM, screen.message_id)]
            if i % 10 == 0:
                presses.append(probe.callback(user, "crowd", CONFIRM, screen.message_id))
            await asyncio.gather(*presses)
            await probe.text(user, "crowd", rng.choice(["Где обед?", "/agenda", "/cities"]))

        await asyncio.gather(*(person(i, u) for i, u in enumerate(people)))
        probe.assert_clean(logs)

    conn = sqlite3.connect(fast_app.settings.database_path)
    try:
        rows = conn.execute(
            "SELECT user_id, count(*) FROM registrations WHERE user_id >= 900100 GROUP BY user_id"
        ).fetchall()
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM registrations WHERE user_id >= 900100 GROUP BY status"
            ).fetchall()
        )
    finally:
        conn.close()
    assert len(rows) == PEOPLE and all(n == 1 for _, n in rows)
    # 120 places in the sample program (the walker, a minor, holds none yet).
    assert statuses == {"registered": 120, "waiting": PEOPLE - 120}, statuses
