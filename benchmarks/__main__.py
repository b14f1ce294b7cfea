"""Run the benchmarks and print one table with the date, the machine and the command.

python -m benchmarks                   all at full size (about 30 minutes on a busy machine)
python -m benchmarks --quick           smaller sizes, for a quick look (about 5 minutes)
python -m benchmarks --only load,routers
./dev bench [the same options]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

ALL = ("updates", "load", "routers", "answers", "broadcast", "process", "webhook", "notices")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def machine() -> str:
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {ram_gib():.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def table(rows: list[tuple[str, str, str, str]]) -> str:
    """A Markdown table, so that the README can carry it as printed."""
    head = ("measure", "the bot", "baseline", "result vs goal")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated of {ALL}")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    parser.add_argument("--updates", type=int, help="mixed updates per round (3000)")
    parser.add_argument("--rounds", type=int, help="alternate bot/baseline rounds (3)")
    parser.add_argument("--recipients", type=int, help="broadcast recipients (3000)")
    parser.add_argument("--users", type=int, help="users in the process database (20000)")
    parser.add_argument("--registrations", type=int, help="registrations there (5000)")
    parser.add_argument("--active", type=int, help="of them, people who write (all)")
    parser.add_argument("--load-users", type=int, help="users of the load benchmark (200)")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(chosen) - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    quick = args.quick
    rounds = args.rounds or (1 if quick else 3)
    command = " ".join(["python -m benchmarks", *map(shlex.quote, sys.argv[1:])])
    started = datetime.now(UTC)
    rows: list[tuple[str, str, str, str]] = []
    if "updates" in chosen:
        from benchmarks import updates

        count = args.updates or (1000 if quick else 3000)
        print(f"updates: {count} mixed updates, {rounds} round(s)…", file=sys.stderr)
        rows += updates.report(asyncio.run(updates.run(count, rounds)))
    if "load" in chosen:
        from benchmarks import load

        users = args.load_users or 200
        pairs = max(rounds, 3) if not quick else 1
        print(f"load: {users} users, {pairs} alternating pair(s) of processes…", file=sys.stderr)
        rows += load.report(load.run(users, pairs))
    if "routers" in chosen:
        from benchmarks import routers

        print("routers: the bot and ten more feature routers…", file=sys.stderr)
        rows += routers.report(asyncio.run(routers.run(500 if quick else 1500, rounds)))
    if "answers" in chosen:
        from benchmarks import answers

        print("answers…", file=sys.stderr)
        rows += answers.report(answers.run(1 if quick else 3))
    if "broadcast" in chosen:
        from benchmarks import broadcast

        n = args.recipients or (300 if quick else 3000)
        rows += broadcast.report(broadcast.run(n, chatters=20 if quick else 100))
    if "process" in chosen:
        from benchmarks import process

        users = args.users or (2000 if quick else 20_000)
        regs = args.registrations or (500 if quick else 5_000)
        print(f"process: {users} users, {regs} registrations…", file=sys.stderr)
        active = args.active or users
        rows += process.report(process.run(users, regs, max(rounds, 3), active))
    if "webhook" in chosen:
        from benchmarks import webhook

        count = args.updates or (500 if quick else 2000)
        print(
            f"webhook: {count} messages, polling then webhook, {rounds} round(s)…", file=sys.stderr
        )
        rows += webhook.report(asyncio.run(webhook.run(count, rounds)))
    if "notices" in chosen:
        from benchmarks import notices

        imports = 4 if quick else 10
        print(f"notices: {imports} imports with the nudge, then with the poll…", file=sys.stderr)
        rows += notices.report(notices.run(imports))
    print()
    print(f"Date: {started:%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {machine()}")
    print(f"Load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    print(f"Command: `{command}`")
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
