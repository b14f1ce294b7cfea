"""Shared steps of the announcement tests: an organizer composes and confirms a sending."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.fakeapi import FakeTelegram, FakeUser
from tests.fakeapi.models import FakeMessage


async def until(fake: FakeTelegram, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait on the fake server's changes (messages, answers) until the predicate holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("condition not reached in time")
        await fake.wait_changed(remaining)


async def compose(owner: FakeUser, text: str, audience: str = "Everyone") -> None:
    """/announce, the text, the audience (in any of the bot's languages); the draft follows."""
    await owner.send("/announce")
    await owner.wait_text("📣")
    await owner.send(text)
    await owner.wait_text("👥")
    await owner.press(audience)


async def confirm_send(owner: FakeUser, people: str, now: str = "Send now") -> FakeMessage:
    """Send now, then "Send it to N people?" (`people`: e.g. "3 people") and its ✅ button."""
    await owner.press(now)
    question = await owner.wait_text(people)
    await owner.press("✅", message=question)
    return question
