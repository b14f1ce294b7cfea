"""The probe of the robustness suite: sends inputs to a running app and checks each answer.

An outer middleware (added by the test, not by the bot) marks every update as handled, so a
probe knows exactly when the bot is done with its input and can check that the person got
something back: a message or an edit for a message, an answer for a callback query.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import TelegramObject, Update

from bot.app import App
from tests.fakeapi import FakeTelegram, FakeUser

HANDLED_TIMEOUT = 20.0


class HandledTracker(BaseMiddleware):
    """Outermost update middleware: an event per update id, set when handling ends."""

    def __init__(self) -> None:
        self.done: dict[int, asyncio.Event] = {}

    def event(self, update_id: int) -> asyncio.Event:
        return self.done.setdefault(update_id, asyncio.Event())

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            if isinstance(event, Update):
                self.event(event.update_id).set()


class LogCapture(logging.Handler):
    """Keeps ERROR records and anything mentioning a locked database."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or "locked" in record.getMessage():
            self.records.append(record)

    def problems(self) -> list[str]:
        out = []
        for record in self.records:
            line = f"{record.levelname} {record.name}: {record.getMessage()}"
            if record.exc_info and record.exc_info[1] is not None:
                line += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
            out.append(line)
        return out


@contextmanager
def captured_logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(min(old_level, logging.INFO) or logging.INFO)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)


@dataclass
class Probe:
    """Sends inputs to the app as simulated users; collects every unanswered or failed one."""

    fake: FakeTelegram
    app: App
    tracker: HandledTracker = field(default_factory=HandledTracker)
    failures: list[str] = field(default_factory=list)
    sent: int = 0

    def __post_init__(self) -> None:
        # Outside aiogram's ErrorsMiddleware (the first outer one), so that the error handler's
        # apology counts as the answer; aiogram registers middlewares only at the end.
        self.app.dp.update.outer_middleware._middlewares.insert(0, self.tracker)

    def key(self, user: FakeUser) -> StorageKey:
        return StorageKey(bot_id=self.app.bot.id, chat_id=user.id, user_id=user.id)

    async def set_state(self, user: FakeUser, state: str | None, data: dict[str, Any]) -> None:
        storage = self.app.dp.storage
        await storage.set_state(self.key(user), state)
        await storage.set_data(self.key(user), data)

    async def handled(self, update: dict[str, Any]) -> None:
        await asyncio.wait_for(self.tracker.event(update["update_id"]).wait(), HANDLED_TIMEOUT)

    async def message(
        self, user: FakeUser, label: str, send: Callable[[FakeUser], Awaitable[dict[str, Any]]]
    ) -> None:
        """Send one message and check that the bot answered it with a message or an edit."""
        before = len(user.chat.events)
        update = await send(user)
        self.sent += 1
        try:
            await self.handled(update)
        except TimeoutError:
            self.failures.append(f"{label}: not handled in {HANDLED_TIMEOUT}s")
            return
        fresh = [kind for kind, _ in user.chat.events[before:] if kind != "delete"]
        if not fresh:
            self.failures.append(f"{label}: no answer")

    async def text(self, user: FakeUser, label: str, text: str) -> None:
        await self.message(user, f"{label} text {text[:40]!r}", lambda u: u.send(text))

    async def callback(self, user: FakeUser, label: str, data: str, message_id: int) -> None:
        """Press a (forged) button on `message_id`; the query must be answered exactly once."""
        update = await user.press_data(data, message_id)
        query = user._last_callback
        assert query is not None
        self.sent += 1
        try:
            await self.handled(update)
        except TimeoutError:
            self.failures.append(f"{label} callback {data!r}: not handled")
            return
        if query.answer is None:
            self.failures.append(f"{label} callback {data!r}: not answered")

    def assert_clean(self, logs: LogCapture) -> None:
        problems = self.failures + logs.problems()
        self.fake.assert_no_rejections()
        unanswered = [q.data for q in self.fake.unanswered_callbacks()]
        assert not unanswered, f"callback queries never answered: {unanswered}"
        assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])


async def walk_registration(probe: Probe, user: FakeUser) -> dict[str, dict[str, Any]]:
    """Walk the real form as a minor (so the guardian steps come too); the data of each step."""
    snapshots: dict[str, dict[str, Any]] = {}
    storage = probe.app.dp.storage

    async def at(expect: str) -> None:
        await user.wait_text(expect)
        data = await storage.get_data(probe.key(user))
        snapshots[data["step"]] = data

    answers: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("full name", lambda: user.send("Anna Petrova")),
        ("date of birth", lambda: user.send("2011-01-15")),
        ("Your country", lambda: user.press("Russia")),
        ("Your region", lambda: user.press("Smolensk Oblast")),
        ("Your city", lambda: user.send("Smolensk")),
        ("organization", lambda: user.send("School 1")),
        ("position", lambda: user.send("pupil")),
        ("phone number", lambda: user.share_contact()),
        ("e-mail", lambda: user.send("anna@example.org")),
        ("section", lambda: user.press("Industry")),
        ("accommodation", lambda: user.press("No")),
        ("experience", lambda: user.press("Skip")),
        ("Consent to the processing", lambda: user.press("I agree")),
        ("full name of your parent", lambda: user.send("Maria Petrova")),
        ("phone number of your parent", lambda: user.send("+79101234567")),
        ("check your answers", lambda: asyncio.sleep(0)),
    ]
    await user.send("/register")
    for expect, answer in answers:
        await at(expect)
        await answer()
    return snapshots
