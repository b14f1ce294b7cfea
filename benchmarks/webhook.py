"""Receiving updates: webhook mode against long polling, the same bot in the same run.

The fake Telegram server, in a process of its own with rate limits off, holds N messages from
300 people — commands and the free-text questions of tests/data/questions.yaml — and either
hands them out by getUpdates (polling, 100 per call) or POSTs them to the bot's webhook (up to
40 at once, Telegram's default max_connections). The clock runs from the start of polling or
setWebhook until the bot has handled the last one (its answers sent to the fake server), so
both figures include the whole path: HTTP in, the real dispatcher and database, HTTP out.
Rounds alternate between the modes.

    python -m benchmarks.webhook [--updates 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from tests.harness import ROOT, free_port
from tests.robustness.support import HandledTracker

Messages = list[tuple[int, str]]

PEOPLE = 300
COMMANDS = ("/start", "/schedule", "/now", "/help", "/agenda", "/sections", "/cities")


def texts(count: int, seed: int = 11) -> list[tuple[int, str]]:
    from benchmarks.mix import Mix

    questions = Mix.load(seed).questions
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        uid = 20_000 + rng.randrange(PEOPLE)
        text = rng.choice(COMMANDS) if rng.random() < 0.6 else rng.choice(questions)
        found.append((uid, text))
    return found


@contextlib.asynccontextmanager
async def fake_process() -> AsyncIterator[str]:
    """The fake Telegram in a process of its own (rate limits off), as Telegram is elsewhere:
    its work of queueing and posting is not counted against either mode."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakeapi",
        "--rate",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 120)).decode()
        yield line.rsplit(" ", 1)[-1].strip()
    finally:
        proc.terminate()
        await proc.wait()


async def queue_messages(http: aiohttp.ClientSession, base: str, messages: Messages) -> None:
    for uid in sorted({uid for uid, _ in messages}):
        user = {"id": uid, "first_name": f"U{uid}", "language_code": "ru"}
        async with http.post(f"{base}/_fake/users", json=user) as response:
            response.raise_for_status()
    for uid, text in messages:
        async with http.post(f"{base}/_fake/users/{uid}/send", json={"text": text}) as response:
            response.raise_for_status()


async def measure(mode: str, messages: Messages, folder: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) from the start until the last update."""
    from bot.app import create_app
    from bot.settings import Settings
    from bot.web.server import WebServer, web_application
    from bot.web.webhook import WebhookHandler
    from tests.harness import TOKEN, detach_routers

    async with fake_process() as base, aiohttp.ClientSession() as http:
        await queue_messages(http, base, messages)
        port = free_port()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=TOKEN,
            bot_api_url=base,
            database_path=folder / f"{mode}.sqlite3",
            per_chat_interval=0,
            webhook_url=f"http://127.0.0.1:{port}/webhook" if mode == "webhook" else "",
        )
        detach_routers()
        app = await create_app(settings)
        # The fresh fake numbers the updates 1..N; the clock stops when the last is handled.
        handled = HandledTracker()
        app.dp.update.outer_middleware(handled)
        everything = [handled.event(n).wait() for n in range(1, len(messages) + 1)]
        server: WebServer | None = None
        polling: asyncio.Task[None] | None = None
        try:
            if mode == "webhook":
                await app.startup()  # polling emits the dispatcher's startup itself
                handler = WebhookHandler(app.dp, app.bot, "bench-secret")
                server = WebServer(web_application(app, handler), "127.0.0.1", port)
                await server.start()
            started, cpu = time.perf_counter(), time.process_time()
            if mode == "webhook":
                await app.bot.set_webhook(
                    settings.webhook_url,
                    secret_token="bench-secret",
                    allowed_updates=app.dp.resolve_used_update_types(),
                )
            else:
                polling = asyncio.create_task(
                    app.dp.start_polling(
                        app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1
                    )
                )
            await asyncio.wait_for(asyncio.gather(*everything), 600)
            took = time.perf_counter() - started, time.process_time() - cpu
        finally:
            if polling is not None:
                await app.dp.stop_polling()
                with contextlib.suppress(asyncio.CancelledError):
                    await polling
            if server is not None:
                await server.stop()
                await app.shutdown()
            await app.bot.session.close()
            detach_routers()
        async with http.get(f"{base}/_fake/stats") as response:
            errors = (await response.json())["errors"]
        if errors.get("rejected"):
            raise SystemExit(f"{mode}: the fake Telegram rejected requests: {errors}")
    return took


async def run(count: int, rounds: int = 3) -> dict[str, float]:
    messages = texts(count)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    wall: dict[str, list[float]] = {"polling": [], "webhook": []}
    cpu: dict[str, list[float]] = {"polling": [], "webhook": []}
    try:
        for _ in range(rounds):
            for mode in ("polling", "webhook"):
                with tempfile.TemporaryDirectory() as tmp:
                    took, used = await measure(mode, messages, Path(tmp))
                wall[mode].append(took)
                cpu[mode].append(used)
    finally:
        root.setLevel(level)
    result: dict[str, float] = {"updates": count, "rounds": rounds}
    for mode in ("polling", "webhook"):
        result[mode] = count / statistics.median(wall[mode])
        # Updates per second of the process's own CPU time: what one core can carry, apart
        # from whatever else the machine runs (the fake server, other work).
        result[f"{mode}_cpu"] = count / statistics.median(cpu[mode])
    result["ratio"] = result["webhook_cpu"] / result["polling_cpu"]
    return result


GOAL = 0.9  # webhook mode carries at least 90% of what polling does on one core


def report(result: dict[str, float]) -> list[tuple[str, str, str, str]]:
    met = "met" if result["ratio"] >= GOAL else "**missed**"
    return [
        (
            f"receiving updates end to end, {int(result['updates'])} messages over HTTP from the "
            f"fake Telegram (its own process), updates per CPU-second of the bot, "
            f"median of {int(result['rounds'])} (wall-clock updates/s)",
            f"{result['webhook_cpu']:.0f} ({result['webhook']:.0f}) webhook",
            f"{result['polling_cpu']:.0f} ({result['polling']:.0f}) long polling",
            f"ratio {result['ratio']:.0%} (goal ≥ {GOAL:.0%}): {met}",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(run(args.updates, args.rounds))
    for row in report(result):
        print(" | ".join(row))


if __name__ == "__main__":
    main()
