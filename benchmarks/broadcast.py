"""Broadcast benchmark: 3,000 recipients through the fake Bot API server at 30 messages/s.

    python benchmarks/broadcast.py [--recipients 3000] [--limit 30] [--rate 29.4]

Runs the delivery engine (claims, marks each row in SQLite) and, as a baseline, a naive
aiogram loop that sleeps 1/rate between sends, each against a fresh fake server that answers
429 above `--limit` per rolling second. Prints the achieved rate as a share of the limit, the
429 answers, and lost or duplicated messages.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter

from bot.app import create_bot
from bot.clock import Clock
from bot.services.delivery import DeliveryEngine
from bot.settings import Settings
from db import Database
from db.deliveries import NewDelivery
from tests.fakeapi import run_in_thread
from tests.harness import TOKEN

FIRST_ID = 1_000_000


def tally(name: str, n: int, took: float, limit: float, fake) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """What the fake server received: the rate, 429 answers, lost and duplicated messages."""
    counts = fake.call_soon(lambda: [fake.server.sent_count(FIRST_ID + i) for i in range(n)])
    too_many = fake.call_soon(lambda: len([r for r in fake.server.errors() if r.status == 429]))
    lost = sum(1 for c in counts if c == 0)
    dup = sum(c - 1 for c in counts if c > 1)
    rate = sum(counts) / took
    print(
        f"{name:<10} {n} recipients in {took:6.1f} s: {rate:5.2f} msg/s = "
        f"{rate / limit:6.1%} of the {limit:g}/s limit; 429 answers: {too_many}; "
        f"lost: {lost}; duplicated: {dup}",
        flush=True,
    )
    return {
        "n": n,
        "took": took,
        "rate": rate,
        "share": rate / limit,
        "429": too_many,
        "lost": lost,
        "dup": dup,
        "limit": limit,
    }


def start_fake(n: int, limit: int):  # type: ignore[no-untyped-def]
    fake = run_in_thread(global_rate=limit)
    for i in range(n):
        fake.call_soon(lambda i=i: fake.server.add_user(FIRST_ID + i, f"P{i}"))
    return fake


async def engine_run(n: int, limit: int, rate: float) -> dict[str, float]:
    fake = start_fake(n, limit)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, bot_token=TOKEN, bot_api_url=fake.base_url)  # type: ignore[call-arg]
        bot = create_bot(settings)
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        async with db.transaction():
            for i in range(n):
                await db.users.upsert_seen(FIRST_ID + i, f"P{i}", None, None, "ru")
            await db.deliveries.enqueue(
                NewDelivery(FIRST_ID + i, "announcement", {"kind": "text", "text": f"#{i}"})
                for i in range(n)
            )
        engine = DeliveryEngine(bot, db, Clock(), rate, per_chat_interval=1.0)
        started = time.monotonic()
        await engine.start()
        while True:
            async with db.connection.conn.execute(
                "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
            ) as cur:
                left = (await cur.fetchone())[0]
            if left == 0:
                break
            await asyncio.sleep(0.2)
        took = time.monotonic() - started
        await engine.stop()
        await db.close()
        await bot.session.close()
    result = tally("engine", n, took, limit, fake)
    fake.stop()
    return result


async def naive_run(n: int, limit: int, rate: float) -> dict[str, float]:
    """What many bots do: a loop with a sleep, retrying after a 429."""
    fake = start_fake(n, limit)
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    settings = Settings(_env_file=None, bot_token=TOKEN, bot_api_url=fake.base_url)  # type: ignore[call-arg]
    bot = create_bot(settings, session)
    started = time.monotonic()
    for i in range(n):
        while True:
            try:
                await bot.send_message(FIRST_ID + i, f"#{i}")
                break
            except TelegramRetryAfter as exc:
                await asyncio.sleep(exc.retry_after)
        await asyncio.sleep(1 / rate)
    took = time.monotonic() - started
    await bot.session.close()
    result = tally("baseline", n, took, limit, fake)
    fake.stop()
    return result


def run(recipients: int, limit: int = 30, rate: float = 29.4) -> dict[str, dict[str, float]]:
    return {
        "engine": asyncio.run(engine_run(recipients, limit, rate)),
        "naive": asyncio.run(naive_run(recipients, limit, rate)),
    }


def report(r: dict[str, dict[str, float]]) -> list[tuple[str, str, str, str]]:
    e, b = r["engine"], r["naive"]
    met = e["share"] >= 0.95 and e["lost"] == 0 and e["dup"] == 0
    return [
        (
            f"broadcast, {int(e['n']):,} recipients at a {e['limit']:g}/s limit, msg/s",
            f"{e['rate']:.2f} = {e['share']:.1%}; lost {int(e['lost'])}, "
            f"dup {int(e['dup'])}, 429s {int(e['429'])}",
            f"{b['rate']:.2f} = {b['share']:.1%}; lost {int(b['lost'])}, dup {int(b['dup'])}"
            f" (naive loop)",
            f"≥ 95%, none lost or duplicated: {'met' if met else 'MISSED'}",
        )
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipients", type=int, default=3000)
    p.add_argument("--limit", type=int, default=30, help="the fake server's messages per second")
    p.add_argument("--rate", type=float, default=29.4, help="SEND_RATE of the engine")
    p.add_argument("--no-baseline", action="store_true")
    args = p.parse_args()
    asyncio.run(engine_run(args.recipients, args.limit, args.rate))
    if not args.no_baseline:
        asyncio.run(naive_run(args.recipients, args.limit, args.rate))


if __name__ == "__main__":
    main()
