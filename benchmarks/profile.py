"""Where one update's time goes: cProfile of many updates of one kind through the real app.

The updates go through the real Dispatcher, middlewares, database and handlers with the
offline Bot API session (bot/offline.py), after a warm-up, and the top functions are printed
by own time and by cumulative time.

    python -m benchmarks.profile --kind start --count 1000 --top 20
    python -m benchmarks.profile --kind mix            # the update mix of benchmarks/updates.py
    python -m benchmarks.profile --kind question --no-table   # aiogram's routing, as before
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiogram.types import Update

from benchmarks import mix
from benchmarks.updates import CLOCK, USERS, UpdateFactory, feed_all, realistic_mix

Kind = Callable[[UpdateFactory, mix.Mix, int], dict[str, Any]]


def question_kind(f: UpdateFactory, m: mix.Mix, uid: int) -> dict[str, Any]:
    return mix.question(f, m, uid)


KINDS: dict[str, Kind] = {
    "start": mix.start,
    "help": mix.help_,
    "now": lambda f, m, uid: f.message(uid, "/now"),
    "menu": mix.menu,
    "day": mix.day_page,
    "card": mix.session_card,
    "question": question_kind,
    "settings": mix.settings,
}


def make_updates(kind: str, count: int, seed: int = 7) -> list[Update]:
    factory = UpdateFactory()
    if kind == "mix":
        return realistic_mix(factory, count, seed)
    made = KINDS[kind]
    the_mix = mix.Mix.load(seed)
    rng = random.Random(seed)
    return [
        Update.model_validate(made(factory, the_mix, 10_000 + rng.randrange(USERS)))
        for _ in range(count)
    ]


async def profile(kind: str, count: int, table: bool = True) -> pstats.Stats:
    """`table=False`: aiogram's own routing, its synchronous filters in worker threads."""
    from bot.app import create_app
    from bot.offline import OfflineSession
    from bot.settings import Settings
    from tests.harness import detach_routers

    updates = make_updates(kind, count + count // 5)
    warm, measured = updates[: count // 5], updates[count // 5 :]
    with tempfile.TemporaryDirectory() as tmp:
        detach_routers()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token="1:bench",
            database_path=Path(tmp) / "profile.sqlite3",
            clock_start=CLOCK,
        )
        app = await create_app(settings, session=OfflineSession())
        app.dp.table = table  # type: ignore[attr-defined]
        try:
            await feed_all(app.dp, app.bot, warm)
            profiler = cProfile.Profile()
            profiler.enable()
            await feed_all(app.dp, app.bot, measured)
            profiler.disable()
        finally:
            await app.shutdown()
            detach_routers()
    return pstats.Stats(profiler)


def top(stats: pstats.Stats, key: str, n: int, count: int) -> str:
    """The top-n lines by `key`, with the per-update milliseconds in front."""
    stream = io.StringIO()
    stats.stream = stream  # type: ignore[attr-defined]
    stats.sort_stats(key).print_stats(n)
    return stream.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="start", choices=[*KINDS, "mix"])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument(
        "--no-table", action="store_true", help="aiogram's routing (filters in threads)"
    )
    args = parser.parse_args()
    stats = asyncio.run(profile(args.kind, args.count, table=not args.no_table))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"{args.count} {args.kind} updates: {total:.2f} s profiled, "
        f"{total / args.count * 1000:.2f} ms per update (with the profiler's overhead)"
    )
    print(top(stats, "tottime", args.top, args.count))
    print(top(stats, "cumulative", args.top, args.count))


if __name__ == "__main__":
    main()
