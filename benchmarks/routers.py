"""The cost of an update as features are added: the bot as it is, and with ten more feature
routers (each with three commands, two buttons of its own CallbackData and a dialogue step,
as a real feature has) put before the menu's router, where a new feature goes.

Each is measured through the dispatch table and through aiogram's own routing (the same
dispatcher with the table off; its filters awaited in the loop too, so that the two differ by
the routing only), in the same run, alternately; the times are medians of the rounds, the
growth is the median of the rounds' own ratios. With the table, a command or a button costs
the same with ten more routers; through aiogram's routing every router in front adds its
checks.

    python -m benchmarks.routers [--updates 1500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import TelegramObject, Update

import handlers
from benchmarks.updates import CLOCK, USERS, UpdateFactory
from bot.keyboards.common import MenuCb

EXTRA = 10
# Updates that an extra feature took: a benchmark of them would measure the wrong thing.
strays: list[TelegramObject] = []
KINDS: dict[str, Callable[[UpdateFactory, int], dict[str, Any]]] = {
    "/help": lambda f, uid: f.message(uid, "/help"),
    "/now": lambda f, uid: f.message(uid, "/now"),
    "☰ Menu button": lambda f, uid: f.callback(uid, MenuCb(action="menu").pack()),
}


def feature_router(n: int) -> Router:
    """A feature as the bot's are made: commands, its own buttons, a dialogue step."""
    router = Router(name=f"extra{n}")
    data = type(
        f"Extra{n}Cb", (CallbackData,), {"__annotations__": {"action": str}}, prefix=f"x{n}"
    )
    form = type(f"Extra{n}Form", (StatesGroup,), {"step": State()})

    async def handler(event: TelegramObject) -> None:
        strays.append(event)

    for name in ("a", "b", "c"):
        router.message.register(handler, Command(f"x{n}{name}"))
    router.callback_query.register(handler, data.filter(F.action == "go"))
    router.callback_query.register(handler, data.filter())
    router.message.register(handler, form.step, F.text, ~F.text.startswith("/"))
    return router


def with_extra(extra: list[Router]) -> Callable[[], list[Router]]:
    """handlers.routers with `extra` before the start router."""
    original = handlers.routers

    def routers() -> list[Router]:
        found = original()
        at = found.index(handlers.start.router)
        return found[:at] + extra + found[at:]

    return routers


async def measure(kind: str, extra: int, table: bool, updates: list[Update], folder: Path) -> float:
    """Seconds per update."""
    from bot.app import create_app
    from bot.offline import OfflineSession
    from bot.settings import Settings
    from tests.harness import detach_routers

    original = handlers.routers
    extra_routers = [feature_router(n) for n in range(extra)]
    handlers.routers = with_extra(extra_routers)  # type: ignore[assignment]
    try:
        detach_routers()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token="1:bench",
            database_path=folder / f"routers-{kind[1:4]}-{extra}-{table}.sqlite3",
            clock_start=CLOCK,
        )
        app = await create_app(settings, session=OfflineSession())
    finally:
        handlers.routers = original  # type: ignore[assignment]
    try:
        # Building the table makes every synchronous filter awaitable (the bot's module-level
        # handlers stay so for the rest of the process): build it in both configurations, so
        # that aiogram's routing differs from the table by the routing only, not by threads.
        for update_type in ("message", "callback_query"):
            app.dp.build_route(update_type)  # type: ignore[attr-defined]
        app.dp.table = table  # type: ignore[attr-defined]
        warm = updates[: len(updates) // 5]
        for update in warm:  # the users' rows, the caches
            await app.dp.feed_update(app.bot, update)
        start = time.perf_counter()
        for update in updates:
            await app.dp.feed_update(app.bot, update)
        took = time.perf_counter() - start
    finally:
        await app.shutdown()
        for router in extra_routers:
            router._parent_router = None
        detach_routers()
    return took / len(updates)


async def run(count: int = 1500, rounds: int = 3) -> dict[str, dict[tuple[int, bool], float]]:
    factory = UpdateFactory()
    rng = random.Random(3)
    result: dict[str, dict[tuple[int, bool], float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, make in KINDS.items():
            updates = [
                Update.model_validate(make(factory, 10_000 + rng.randrange(USERS)))
                for _ in range(count)
            ]
            times: dict[tuple[int, bool], list[float]] = {}
            configs = [(extra, table) for extra in (0, EXTRA) for table in (True, False)]
            for n in range(rounds):  # alternate, so that machine noise hits all alike
                for extra, table in configs[n % 4 :] + configs[: n % 4]:
                    took = await measure(kind, extra, table, updates, Path(tmp))
                    times.setdefault((extra, table), []).append(took)
            if strays:
                raise SystemExit(f"an extra feature router took {strays[0]!r}")
            result[kind] = {key: statistics.median(values) for key, values in times.items()}
            # The growth per round (both measured within a minute of each other), median.
            for table in (True, False):
                growth = [
                    more / base
                    for more, base in zip(times[(EXTRA, table)], times[(0, table)], strict=True)
                ]
                result[kind][(-1, table)] = statistics.median(growth)
    return result


def report(result: dict[str, dict[tuple[int, bool], float]]) -> list[tuple[str, str, str, str]]:
    rows = []
    for kind, t in result.items():
        table, plain = t[(-1, True)], t[(-1, False)]
        rows.append(
            (
                f"{kind}, ms per update: the bot / with {EXTRA} more feature routers "
                "(growth: median of the rounds' ratios)",
                f"{t[(0, True)] * 1000:.2f} / {t[(EXTRA, True)] * 1000:.2f} = {table:.2f}×",
                f"{t[(0, False)] * 1000:.2f} / {t[(EXTRA, False)] * 1000:.2f} = {plain:.2f}× "
                "(aiogram's routing)",
                "the same cost (≤ 1.05×): " + ("met" if table <= 1.05 else "MISSED"),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for row in report(asyncio.run(run(args.updates, args.rounds))):
        print(" | ".join(row))


if __name__ == "__main__":
    main()
