"""Change notices after `forum-bot import`: seconds from the import's commit to the
notice reaching the person who saved the changed session, for the real bot process as it is
(the import nudges it) beside the same bot with the nudge off and a 2 s programme poll (how
imports were noticed before). Goal: at most 2 s.

    python -m benchmarks.notices [--imports 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fakeapi import run_in_thread
from tests.harness import ROOT, TOKEN
from tests.schedule_helpers import changed_sample, sample_text

USER = 778
NOTICE = "Изменения программы"
GOAL = 2.0


def wait_for(fake, predicate, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    """Poll `predicate(server)` in the fake server's thread until it returns something."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fake.call_soon(lambda: predicate(fake.server))
        if found:
            return found
        time.sleep(0.005)
    raise SystemExit("the bot did not answer in time")


def bot_messages(server) -> list:  # type: ignore[no-untyped-def]
    """The bot's messages to the user as they are now (edits applied)."""
    return [m for m in server.messages(USER) if m.from_bot]


def notices_after(seen: int):  # type: ignore[no-untyped-def]
    return lambda server: [m for m in bot_messages(server)[seen:] if NOTICE in (m.text or "")]


def current_version(database: str) -> int | None:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT max(id) FROM programs").fetchone()[0]


def import_and_time(env: dict[str, str], path: Path) -> float:
    """Run `forum-bot import`; the moment (time.monotonic) its new version was committed.

    The command goes on for seconds after the commit (closing the database, the offline bot),
    so its exit is no reference; the database is watched every few milliseconds instead."""
    database = env["DATABASE_PATH"]
    before = current_version(database)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "import", str(path)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stored = None
    while proc.poll() is None or stored is None:
        if stored is None and current_version(database) != before:
            stored = time.monotonic()
        elif proc.poll() is not None and stored is None:
            raise SystemExit(f"forum-bot import {path} stored nothing (exit {proc.returncode})")
        time.sleep(0.002)
    if proc.returncode:
        raise SystemExit(f"forum-bot import {path} failed with {proc.returncode}")
    return stored


def latencies(fake, env: dict[str, str], folder: Path, imports: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Start the bot, save a session, then import changed and original programmes in turn."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    found: list[float] = []
    try:
        user = fake.call_soon(lambda: fake.server.users.get(USER)) or fake.call_soon(
            lambda: fake.server.add_user(USER, "Bench", language_code="ru")
        )
        seen = fake.call_soon(lambda: len(bot_messages(fake.server)))
        fake.call(user.send("/start s-d2-s1"))
        card = wait_for(fake, lambda server: bot_messages(server)[seen:])[-1]
        fake.call(user.press("⭐", message=card))
        wait_for(fake, lambda server: "✖" in " ".join(bot_messages(server)[-1].button_texts()))
        for i in range(imports):
            path = folder / f"v{i}.yaml"
            path.write_text(changed_sample() if i % 2 == 0 else sample_text(), encoding="utf-8")
            seen = fake.call_soon(lambda: len(bot_messages(fake.server)))
            stored = import_and_time(env, path)
            notice = wait_for(fake, notices_after(seen))[0]
            found.append(notice.received_at - stored)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    return found


def run(imports: int = 5) -> dict[str, list[float]]:
    fake = run_in_thread(global_rate=None)
    results: dict[str, list[float]] = {}
    try:
        for mode, nudge in (("nudge", "true"), ("poll", "false")):
            with tempfile.TemporaryDirectory() as tmp:
                env = {
                    **os.environ,
                    "BOT_TOKEN": TOKEN,
                    "BOT_API_URL": fake.base_url,
                    "DATABASE_PATH": str(Path(tmp) / "forum.sqlite3"),
                    "PYTHONPATH": str(ROOT),
                    "LOG_LEVEL": "WARNING",
                    "PER_CHAT_INTERVAL": "0",
                    "PROGRAM_POLL_SECONDS": "2",
                    "IMPORT_NUDGE": nudge,
                }
                results[mode] = latencies(fake, env, Path(tmp), imports)
    finally:
        fake.stop()
    return results


def summary(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.2f}, max {max(values):.2f}"


def report(r: dict[str, list[float]]) -> list[tuple[str, str, str, str]]:
    worst = max(r["nudge"])
    return [
        (
            f"change notice after `forum-bot import`, s ({len(r['nudge'])} imports)",
            summary(r["nudge"]),
            summary(r["poll"]) + " (no nudge, 2 s poll)",
            f"max {worst:.2f} s (goal ≤ {GOAL:.0f} s): " + ("met" if worst <= GOAL else "MISSED"),
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--imports", type=int, default=5)
    args = parser.parse_args()
    for row in report(run(args.imports)):
        print(" | ".join(row))


if __name__ == "__main__":
    main()
