"""Update handling: a realistic mix through the real Dispatcher and database, against a bare
aiogram echo bot fed the same number of updates in the same run.

Both use the same offline Bot API session (bot/offline.py), so the figures compare the bot's
own work per update: middlewares, routing, the database, formatting. Prints updates per second
for both and the ratio (goal: the bot handles at least 60% of bare aiogram's rate).

    python -m benchmarks.updates [--updates 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.types import CallbackQuery, Message, Update

from bot.offline import OfflineSession

USERS = 300
Maker = Callable[[int], dict[str, Any]]


class UpdateFactory:
    """Builds Bot API update payloads from a pool of users."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.message_ids = itertools.count(1)

    def user(self, uid: int) -> dict[str, Any]:
        lang = ("ru", "be", "en")[uid % 3]
        return {"id": uid, "is_bot": False, "first_name": f"User{uid}", "language_code": lang}

    def message(self, uid: int, text: str) -> dict[str, Any]:
        entities = []
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {
            "update_id": next(self.ids),
            "message": {
                "message_id": next(self.message_ids),
                "date": int(time.time()),
                "chat": {"id": uid, "type": "private"},
                "from": self.user(uid),
                "text": text,
                "entities": entities,
            },
        }

    def callback(self, uid: int, data: str) -> dict[str, Any]:
        return {
            "update_id": next(self.ids),
            "callback_query": {
                "id": str(next(self.ids)),
                "from": self.user(uid),
                "chat_instance": "bench",
                "data": data,
                "message": {
                    "message_id": next(self.message_ids),
                    "date": int(time.time()),
                    "chat": {"id": uid, "type": "private"},
                    "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
                    "text": "menu",
                },
            },
        }


def realistic_mix(factory: UpdateFactory, count: int, seed: int = 7) -> list[Update]:
    """Start, schedule, session card, agenda, free text, registration, buttons — as people do."""
    from benchmarks.mix import MIX, Mix

    mix = Mix.load(seed)
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    updates = []
    for _ in range(count):
        maker = rng.choices(kinds, weights)[0]
        uid = 10_000 + rng.randrange(USERS)
        updates.append(Update.model_validate(maker(factory, mix, uid)))
    return updates


async def feed_all(dp: Dispatcher, bot: Bot, updates: list[Update]) -> float:
    start = time.perf_counter()
    for update in updates:
        await dp.feed_update(bot, update)
    return time.perf_counter() - start


def bare_dispatcher() -> Dispatcher:
    """The baseline: aiogram's echo bot."""
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    @router.callback_query()
    async def pressed(callback: CallbackQuery) -> None:
        await callback.answer()

    dp = Dispatcher()
    dp.include_router(router)
    return dp


# Registration is open from 2027-05-01 to 2027-06-20 18:00: its last day, days before the forum,
# when people both fill in the form and study the programme.
CLOCK = "2027-06-20T12:00:00"


async def measure_bot(warm: list[Update], updates: list[Update], folder: Path) -> float:
    from bot.app import create_app
    from bot.settings import Settings
    from tests.harness import detach_routers

    detach_routers()  # the feature routers are module-level: free them for this round's app

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="1:bench",
        database_path=folder / "bench.sqlite3",
        clock_start=CLOCK,
    )
    app = await create_app(settings, session=OfflineSession())
    try:
        await feed_all(app.dp, app.bot, warm)  # creates the users, fills the caches
        took = await feed_all(app.dp, app.bot, updates)
        registered = await app.db.registrations.all()
    finally:
        await app.shutdown()
    if not registered:
        raise SystemExit("no registration was completed: the mix does not reach the form's end")
    return took


async def measure_bare(warm: list[Update], updates: list[Update]) -> float:
    bot = Bot("1:bench", session=OfflineSession(), default=DefaultBotProperties(parse_mode="HTML"))
    dp = bare_dispatcher()
    await feed_all(dp, bot, warm)
    return await feed_all(dp, bot, updates)


class ErrorCounter(logging.Handler):
    """A benchmark of updates that failed would measure the error path: count and refuse."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = self.format(record)


async def run(count: int, rounds: int = 3) -> dict[str, float]:
    """Bot and bare alternately, `rounds` times each, so that machine noise hits both alike."""
    factory = UpdateFactory()
    everything = realistic_mix(factory, count + count // 10)
    warm, updates = everything[: count // 10], everything[count // 10 :]
    errors = ErrorCounter()
    root = logging.getLogger()
    level = root.level
    root.addHandler(errors)
    root.setLevel(logging.ERROR)  # only this handler: counted, not printed
    bot_times, bare_times = [], []
    try:
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as tmp:
                bot_times.append(await measure_bot(warm, updates, Path(tmp)))
            if errors.count:
                raise SystemExit(f"{errors.count} updates failed; the first:\n{errors.first}")
            bare_times.append(await measure_bare(warm, updates))
    finally:
        root.removeHandler(errors)
        root.setLevel(level)
    bot_rate = count / statistics.median(bot_times)
    bare_rate = count / statistics.median(bare_times)
    return {
        "updates": count,
        "rounds": rounds,
        "bot": bot_rate,
        "bare": bare_rate,
        "ratio": bot_rate / bare_rate,
    }


def report(result: dict[str, float]) -> list[tuple[str, str, str, str]]:
    """Rows: (measure, the bot, baseline, goal)."""
    return [
        (
            f"update handling, {int(result['updates'])} mixed updates, updates/s "
            f"(median of {int(result['rounds'])})",
            f"{result['bot']:.0f}",
            f"{result['bare']:.0f} (bare aiogram echo)",
            f"ratio {result['ratio']:.0%} (goal ≥ 60%): "
            + ("met" if result["ratio"] >= 0.6 else "MISSED"),
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for row in report(asyncio.run(run(args.updates, args.rounds))):
        print(" | ".join(row))


if __name__ == "__main__":
    main()
