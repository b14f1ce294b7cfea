"""The process: time from start to the first answered update, and peak memory once 20,000
people have written, for the bot with a populated database (20,000 users, 5,000
registrations), beside a bare aiogram echo bot started the same way against the same fake Bot
API server. Goal: at most 1.2 times bare.

Start: a /start waits on the server before the process is spawned; the time is from the spawn
to its answer. Memory: then every user of the database sends /start (in batches, each answered
before the next), so that all of them are active, and the process's VmHWM is read.

    python -m benchmarks.process [--users 20000] [--registrations 5000] [--active 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.population import FIRST_USER as POPULATION_FIRST
from tests.fakeapi import FakeTelegram, run_in_thread
from tests.harness import ROOT, TOKEN

FIRST_USER = 777


UNLIMITED_RATE = 1_000_000


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def populate(path: Path, users: int, registrations: int) -> None:
    """A database as it is after registration has been open for weeks."""
    from benchmarks.population import populate_database

    await populate_database(path, users, registrations)


async def activate(server: FakeTelegram, first: int, count: int, batch: int = 400) -> None:
    """`count` users from `first` on each send /start and get an answer."""
    for start in range(first, first + count, batch):
        waiting = set()
        for uid in range(start, min(start + batch, first + count)):
            user = server.users.get(uid) or server.add_user(
                uid, f"P{uid}", language_code=("ru", "be", "en")[uid % 3]
            )
            await user.send("/start")
            waiting.add((uid, len(server.chats[uid].events)))
        deadline = time.monotonic() + 120
        while waiting:
            waiting = {(uid, n) for uid, n in waiting if len(server.chats[uid].events) <= n}
            if time.monotonic() > deadline:
                raise SystemExit(f"{len(waiting)} users got no answer in 120 s")
            await server.wait_changed(1.0)


def measure(command: list[str], env: dict[str, str], fake, active: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds from spawn to the first answer, and peak RSS in MiB once `active` users of the
    database have written."""
    user = fake.call_soon(lambda: fake.server.users.get(FIRST_USER)) or fake.call_soon(
        lambda: fake.server.add_user(FIRST_USER, "Bench", language_code="ru")
    )
    answered_before = len(fake.call_soon(lambda: fake.server.messages(FIRST_USER)))
    fake.call(user.send("/start"))  # waiting in getUpdates before the bot even starts
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while len(fake.call_soon(lambda: fake.server.messages(FIRST_USER))) <= answered_before:
            if proc.poll() is not None:
                raise SystemExit(f"{command} exited with {proc.returncode}")
            time.sleep(0.005)
        first_answer = time.perf_counter() - start
        fake.call(activate(fake.server, POPULATION_FIRST, active), timeout=None)
        peak = peak_rss_mib(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    return first_answer, peak


def run(
    users: int, registrations: int, rounds: int = 3, active: int | None = None
) -> dict[str, float]:
    active = users if active is None else min(active, users)
    fake = run_in_thread(global_rate=None)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "big.sqlite3"
        asyncio.run(populate(db_path, users, registrations))
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": fake.base_url,
            "DATABASE_PATH": str(db_path),
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            # Out of reach: the send budget (30 messages a second in all, Telegram's limit)
            # would make 20,000 first answers take 11 minutes, measuring the limit.
            "SEND_RATE": str(UNLIMITED_RATE),
        }
        bot_runs, bare_runs = [], []
        for _ in range(rounds):  # alternate, so that machine noise hits both alike
            bot_runs.append(measure([sys.executable, "-m", "bot", "run"], env, fake, active))
            bare_runs.append(
                measure([sys.executable, "-m", "benchmarks.bare_bot"], env, fake, active)
            )
    fake.stop()
    bot_start = sorted(r[0] for r in bot_runs)[rounds // 2]
    bare_start = sorted(r[0] for r in bare_runs)[rounds // 2]
    bot_mem = max(r[1] for r in bot_runs)
    bare_mem = max(r[1] for r in bare_runs)
    return {
        "users": users,
        "registrations": registrations,
        "active": active,
        "rounds": rounds,
        "bot_start": bot_start,
        "bare_start": bare_start,
        "bot_mem": bot_mem,
        "bare_mem": bare_mem,
    }


def verdict(ratio: float) -> str:
    return f"{ratio:.2f}× (goal ≤ 1.2×): " + ("met" if ratio <= 1.2 else "MISSED")


def report(r: dict[str, float]) -> list[tuple[str, str, str, str]]:
    size = f"{int(r['users']):,} users, {int(r['registrations']):,} registrations"
    return [
        (
            f"start to first answer ({size}), s, median of {int(r['rounds'])}",
            f"{r['bot_start']:.2f}",
            f"{r['bare_start']:.2f} (bare aiogram)",
            verdict(r["bot_start"] / r["bare_start"]),
        ),
        (
            f"peak memory (VmHWM, highest of the rounds) with {int(r['active']):,} people "
            "active, MiB",
            f"{r['bot_mem']:.0f}",
            f"{r['bare_mem']:.0f} (bare aiogram)",
            verdict(r["bot_mem"] / r["bare_mem"]),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--registrations", type=int, default=5_000)
    parser.add_argument("--active", type=int, help="users who write (all by default)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for row in report(run(args.users, args.registrations, args.rounds, args.active)):
        print(" | ".join(row))


if __name__ == "__main__":
    main()
