"""Hostile input sent to every state of every dialogue: nothing crashes, everything is answered.

One app runs per test; each dialogue state gets a few users who split the inputs between them.
Before every input the user is put back into the state (through the FSM storage, from data
recorded while walking the real flow), because many inputs legitimately move the dialogue on.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.services.live_edit import SESSION, Screen, Step
from handlers.announcements import AnnounceForm
from handlers.inbox import InboxStates
from handlers.program_edit import EditForm
from handlers.questions import AskStates
from handlers.registration import RegForm
from handlers.team import TeamForm
from tests.e2e.registration_helpers import OPEN_CLOCK
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import OWNER_ID, running_app
from tests.robustness.inputs import (
    FILES,
    SEED,
    all_forged_callbacks,
    hostile_commands,
    hostile_texts,
)
from tests.robustness.support import Probe, captured_logs, walk_registration

WORKERS_PER_STATE = 3
LANGUAGES = ("ru", "be", "en", None, "ar")


@pytest.fixture
async def fast_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = None
    async with running_app(fake, tmp_path, send_rate=1000, clock_start=OPEN_CLOCK) as app:
        yield app


@dataclass
class Scenario:
    """A dialogue state: how to open its screen once, and the FSM state and data to restore."""

    name: str
    state: str | None = None
    data: dict[str, Any] | None = None
    opener: str = "/start"
    organizer: bool = False


Inputs = list[tuple[str, Any]]


def message_inputs(full: bool = True) -> Inputs:
    """All hostile messages; or, for the many steps of one dialogue, a smaller sample."""
    texts = hostile_texts() if full else hostile_texts(mixed=2, controls=4)
    commands = hostile_commands() if full else hostile_commands()[::4]
    items: Inputs = [("text", t) for t in texts]
    items += [("text", c) for c in commands]
    items += [("file", f) for f in FILES]
    return items


def sample(items: list[str], n: int, salt: str) -> list[str]:
    return random.Random(f"{SEED}-{salt}").sample(items, min(n, len(items)))


async def run_scenario(
    probe: Probe, scenario: Scenario, users: list[FakeUser], inputs: Inputs, callbacks: list[str]
) -> None:
    async def worker(user: FakeUser, mine: Inputs, presses: list[str]) -> None:
        rng = random.Random(f"{SEED}-{user.id}")
        await user.send(scenario.opener)
        await user.wait_message()
        screen = user.last_message
        assert screen is not None
        label = f"[{scenario.name} {user.id}]"
        for kind, value in mine:
            await probe.set_state(user, scenario.state, dict(scenario.data or {}))
            if kind == "text":
                await probe.text(user, label, value)
            else:
                await probe.message(user, f"{label} {value.name}", value.send)
        for data in presses:
            await probe.set_state(user, scenario.state, dict(scenario.data or {}))
            target = rng.choice([screen.message_id, (user.last_message or screen).message_id])
            await probe.callback(user, label, data, target)

    await asyncio.gather(
        *(
            worker(user, inputs[i :: len(users)], callbacks[i :: len(users)])
            for i, user in enumerate(users)
        )
    )


async def make_users(
    fake: FakeTelegram, app: App, base: int, count: int, organizer: bool
) -> list[FakeUser]:
    users = []
    for i in range(count):
        lang = LANGUAGES[(base + i) % len(LANGUAGES)]
        users.append(fake.add_user(base + i, f"<b>U{i}</b> ‮", language_code=lang))
    if organizer:
        for user in users:
            await user.send("/start")
            await user.wait_message()
        async with app.db.transaction():
            for user in users:
                await app.db.users.set_role(user.id, "organizer")
    return users


async def test_participant_states_survive_hostile_input(fake: FakeTelegram, fast_app: App) -> None:
    with captured_logs() as logs:
        probe = Probe(fake, fast_app)
        walker = fake.add_user(810_000, "Anna", language_code="en", phone="+375291234567")
        steps = await walk_registration(probe, walker)
        assert {"name", "phone", "consent", "gname", "gphone", "summary"} <= set(steps)
        # The walker, a minor, confirms: the guardian's link is opened by hostile people too.
        await walker.press("Confirm")
        await walker.wait_text("Almost done")
        row = await fast_app.db.registrations.by_user(walker.id)
        assert row is not None and row.guardian_token
        screens = [
            Scenario("guardian-link", opener=f"/start g-{row.guardian_token}"),
            Scenario("idle"),
            Scenario("schedule", opener="/schedule"),
            Scenario("agenda", opener="/agenda"),
            Scenario("cities", opener="/cities"),
            Scenario("ask", AskStates.question.state, {}),
        ]
        form = [Scenario(f"reg-{s}", RegForm.fill.state, d) for s, d in steps.items()]
        callbacks = all_forged_callbacks()
        form_callbacks = [c for c in callbacks if c.startswith("rg:")]
        base = 820_000
        jobs = []
        for scenario in screens + form:
            users = await make_users(fake, fast_app, base, WORKERS_PER_STATE, False)
            base += 100
            # Every input reaches the screens; the form's many steps share a smaller sample.
            if scenario.name == "idle":
                inputs, presses = message_inputs(), callbacks
            elif scenario in screens:
                inputs, presses = message_inputs(), sample(callbacks, 50, scenario.name)
            else:
                presses = form_callbacks + sample(callbacks, 8, scenario.name)
                inputs = message_inputs(full=False)
            jobs.append(run_scenario(probe, scenario, users, inputs, presses))
        await asyncio.gather(*jobs)
        assert probe.sent >= 200 * len(screens) + 70 * len(form)
        probe.assert_clean(logs)


async def test_organizer_states_survive_hostile_input(fake: FakeTelegram, fast_app: App) -> None:
    with captured_logs() as logs:
        probe = Probe(fake, fast_app)
        asker = fake.add_user(830_000, "Asker", language_code="ru")
        await asker.send("/start")
        await asker.wait_message()
        async with fast_app.db.transaction():
            question_id = await fast_app.db.questions.add_draft(asker.id, "<b>Где обед?</b>")
            await fast_app.db.questions.submit(question_id, asker.id)
        draft = {
            "versions": {"ru": {"kind": "text", "text": "<b>Привет</b>"}},
            "default": "ru",
            "audience": "all",
        }
        minutes = {"edit": Screen(Step.MINUTES, SESSION, "plenary").to_state()}
        scenarios = [
            Scenario("inbox-open", InboxStates.answering.state, {"question_id": question_id}),
            Scenario("inbox-gone", InboxStates.answering.state, {"question_id": 999_999}),
            Scenario("compose", AnnounceForm.content.state, {}),
            Scenario("compose-when", AnnounceForm.when.state, draft),
            Scenario("compose-draft", None, draft, opener="/announce"),
            Scenario("team", TeamForm.add.state, {}, opener="/team"),
            Scenario("edit-minutes", EditForm.answer.state, minutes, opener="/start s-plenary"),
            Scenario("admin-menu", opener="/admin"),
        ]
        # Sending the draft for real would broadcast to every test user: that is not hostile.
        callbacks = [c for c in all_forged_callbacks() if not c.startswith("oc:send")]
        base = 840_000
        jobs = []
        for scenario in scenarios:
            if scenario.name == "team":
                users = [fake.users.get(OWNER_ID) or fake.add_user(OWNER_ID, "Owner")]
            else:
                users = await make_users(fake, fast_app, base, 2, True)
            base += 100
            presses = sample(callbacks, 40, scenario.name)
            jobs.append(run_scenario(probe, scenario, users, message_inputs(False), presses))
        await asyncio.gather(*jobs)
        assert probe.sent >= 80 * len(scenarios)
        probe.assert_clean(logs)


async def test_the_probe_notices_silence_and_errors(fake: FakeTelegram, fast_app: App) -> None:
    """The checks above can fail: a swallowed message and a crashing handler are both caught."""
    from aiogram import F
    from aiogram.types import Message

    async def silent(message: Message) -> None:
        return None

    async def crash(message: Message) -> None:
        raise RuntimeError("boom")

    fast_app.dp.message.register(silent, F.text == "__silent__")
    fast_app.dp.message.register(crash, F.text == "__crash__")
    with captured_logs() as logs:
        probe = Probe(fake, fast_app)
        user = fake.add_user(850_000, "Self", language_code="en")
        await probe.text(user, "self", "__silent__")
        await probe.text(user, "self", "__crash__")
        await probe.text(user, "self", "hello")
    assert len(probe.failures) == 1 and "__silent__" in probe.failures[0]
    assert any("boom" in p for p in logs.problems())
    with pytest.raises(AssertionError):
        probe.assert_clean(logs)
