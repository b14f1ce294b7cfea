"""The real process under load: `python -m bot run` against a bare aiogram echo-bot process,
both long polling the fake Bot API server (tests/fakeapi) of this process.

Each round starts one process with a fresh database, warms it up, then
- throughput: 200 users, all at once, each sending /start, pressing a day button on the
  answer, asking a question in their own words and sending /now, each step after the
  previous one was answered; replies per second and the process's CPU time per update;
- latency: the same steps at a steady 50 updates per second (open loop), from the moment the
  update is queued on the server to the moment its answer arrived; p50 and p95.

An update is answered when its chat got a message or an edit and, for a button, the button was
answered too. The echo bot echoes a message, and answers a button and echoes its data, so both
make one request per message and two per button. Bot and echo bot run alternately and the
ratio is taken per pair, so that the load of a shared machine hits both alike; the median pair
is reported. The bot's send budget (30 messages a second in all, Telegram's limit) is set out of
reach, so that the handling is measured, not the limit.

    python -m benchmarks.load [--users 200] [--rounds 3] [--rate 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.fakeapi import FakeTelegram, ThreadedFakeTelegram
from tests.fakeapi.models import FakeMessage
from tests.fakeapi.server import ChatState
from tests.harness import ROOT, TOKEN

QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
# During the sample forum, so that /now and the day pages have sessions to show.
CLOCK_START = "2027-06-25 10:30"
FORUM_DAYS = ("20270624", "20270625", "20270626")
WARM_USERS = 10
ANSWER_TIMEOUT = 60.0
TICKS = os.sysconf("SC_CLK_TCK")
UNLIMITED_RATE = 1_000_000  # messages per second: the send budget never makes the bot wait

BOT = [sys.executable, "-m", "bot", "run"]
BARE = [sys.executable, "-m", "benchmarks.bare_bot"]


@dataclass
class Pending:
    """An update waiting for its answer."""

    sent: float
    button: bool
    done: asyncio.Future[float]
    replied: bool = False
    answered: bool = False


class WatchedTelegram(FakeTelegram):
    """The fake server, telling the benchmark when an update's chat got its answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pending: dict[int, Pending] = {}

    def expect(self, chat_id: int, button: bool) -> Pending:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        pending = Pending(time.perf_counter(), button, future)
        self.pending[chat_id] = pending
        return pending

    def _check(self, chat_id: int, *, replied: bool = False, answered: bool = False) -> None:
        pending = self.pending.get(chat_id)
        if pending is None:
            return
        pending.replied |= replied
        pending.answered |= answered
        if pending.replied and (pending.answered or not pending.button):
            del self.pending[chat_id]
            if not pending.done.done():
                pending.done.set_result(time.perf_counter())

    def new_message(self, chat: ChatState, *, from_bot: bool, **fields: Any) -> FakeMessage:
        message = super().new_message(chat, from_bot=from_bot, **fields)
        if from_bot:
            self._check(chat.id, replied=True)
        return message

    def _apply_edit(self, chat: ChatState, message: FakeMessage, **changes: Any) -> Any:
        result = super()._apply_edit(chat, message, **changes)
        self._check(chat.id, replied=True)
        return result

    async def _m_answerCallbackQuery(self, params: Any) -> Any:  # noqa: N802 - the API name
        query = self.callbacks.get(params.get_str("callback_query_id") or "")
        result = await super()._m_answerCallbackQuery(params)
        if query is not None:
            self._check(query.chat_id, answered=True)
        return result


def questions() -> list[str]:
    """Every question of the sample's set, both parts, the must-not-answer ones included."""
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [item["q"] for part in ("tuning", "held_out") for item in data[part]]


@dataclass
class Person:
    """A simulated user and the four steps they take, in order."""

    uid: int
    question: str
    day: str
    step: int = 0
    latencies: list[float] = field(default_factory=list)


async def act(server: WatchedTelegram, person: Person) -> float:
    """Take the person's next step and wait for its answer; returns the latency in seconds."""
    user = server.users.get(person.uid) or server.add_user(
        person.uid, f"User{person.uid}", language_code=("ru", "be", "en")[person.uid % 3]
    )
    step = person.step % 4
    person.step += 1
    pending = server.expect(person.uid, button=step == 1)
    if step == 0:
        await user.send("/start")
    elif step == 1:
        from bot.keyboards.schedule import DayCb

        await user.press_data(DayCb(day=person.day).pack())
    elif step == 2:
        await user.send(person.question)
    else:
        await user.send("/now")
    pending.sent = time.perf_counter()
    try:
        done = await asyncio.wait_for(pending.done, ANSWER_TIMEOUT)
    except TimeoutError:
        raise SystemExit(
            f"step {step} of {person.uid} not answered in {ANSWER_TIMEOUT} s:\n{user.transcript()}"
        ) from None
    return done - pending.sent


def people(first: int, count: int, texts: list[str]) -> list[Person]:
    return [
        Person(first + i, texts[i % len(texts)], FORUM_DAYS[i % len(FORUM_DAYS)])
        for i in range(count)
    ]


async def walk(server: WatchedTelegram, person: Person, steps: int) -> None:
    for _ in range(steps):
        person.latencies.append(await act(server, person))


async def throughput(server: WatchedTelegram, crowd: list[Person]) -> float:
    """Everyone's four steps at once; seconds until the last answer."""
    start = time.perf_counter()
    await asyncio.gather(*(walk(server, p, 4) for p in crowd))
    return time.perf_counter() - start


async def steady(
    server: WatchedTelegram, crowd: list[Person], rate: float, count: int
) -> list[float]:
    """`count` updates at `rate` per second, whoever's turn it is; their latencies."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for n in range(count):
        delay = start + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(act(server, crowd[n % len(crowd)])))
    return list(await asyncio.gather(*tasks))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class RoundResult:
    replies_per_s: float
    requests: float  # Bot API requests per update, getUpdates included
    cpu_ms: float
    # The fake server and the simulated users (this process): if they took a whole core, the
    # server and not the bot would be what limits the replies per second.
    server_cpu_ms: float
    p50_ms: float
    p95_ms: float


def one_round(
    fake: ThreadedFakeTelegram,
    command: list[str],
    env: dict[str, str],
    first_uid: int,
    users: int,
    rate: float,
    steady_count: int,
    log: Path,
) -> RoundResult:
    server = fake.server
    assert isinstance(server, WatchedTelegram)
    texts = questions()
    polls = fake.call_soon(lambda: server.polls_started)
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while fake.call_soon(lambda: server.polls_started) <= polls:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{command} did not start:\n{log.read_text()}")
            time.sleep(0.02)
        warm = people(first_uid, WARM_USERS, texts[::-1])
        fake.call(throughput(server, warm), timeout=None)
        crowd = people(first_uid + WARM_USERS, users, texts)
        requests_before = fake.call_soon(lambda: len(server.log))
        cpu_before = cpu_seconds(proc.pid)
        server_before = fake.call_soon(time.thread_time)
        took = fake.call(throughput(server, crowd), timeout=None)
        cpu = cpu_seconds(proc.pid) - cpu_before
        server_cpu = fake.call_soon(time.thread_time) - server_before
        requests = fake.call_soon(lambda: len(server.log)) - requests_before
        count = users * 4
        latencies = fake.call(steady(server, crowd, rate, steady_count), timeout=None)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    # An update that failed would measure the error path: refuse to report. (What the stop
    # logs is not about the updates.)
    text = log.read_text(encoding="utf-8", errors="replace").split("Received SIGTERM")[0]
    if "Traceback" in text or " ERROR " in text or "ERROR:" in text:
        raise SystemExit(f"{command} logged an error:\n{text[-3000:]}")
    rejected = fake.call_soon(lambda: server.rejected)
    if rejected:
        raise SystemExit(f"the fake server rejected requests: {rejected[:3]}")
    latencies.sort()
    return RoundResult(
        replies_per_s=count / took,
        requests=requests / count,
        cpu_ms=cpu / count * 1000,
        server_cpu_ms=server_cpu / count * 1000,
        p50_ms=statistics.median(latencies) * 1000,
        p95_ms=latencies[int(len(latencies) * 0.95)] * 1000,
    )


def run(
    users: int = 200,
    rounds: int = 3,
    rate: float = 50.0,
    seconds: float = 8.0,
    profile: Path | None = None,
) -> dict[str, Any]:
    """`profile`: run the bot under cProfile and write its statistics there (slower)."""
    bot = (
        BOT if profile is None else [sys.executable, "-m", "cProfile", "-o", str(profile), *BOT[1:]]
    )
    server = WatchedTelegram(global_rate=None)
    fake = ThreadedFakeTelegram(server).start()
    bot_runs: list[RoundResult] = []
    bare_runs: list[RoundResult] = []
    steady_count = int(rate * seconds)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            base_env = {
                **os.environ,
                "BOT_TOKEN": TOKEN,
                "BOT_API_URL": fake.base_url,
                "PYTHONPATH": str(ROOT),
                "LOG_LEVEL": "WARNING",
                "CLOCK_START": CLOCK_START,
                # The bot's send budget keeps it under Telegram's 30 messages a second in all
                # (bot/budget.py): at that rate the bot would wait for it, not work. The echo
                # bot has none; the fake server here has no limit either.
                "SEND_RATE": str(UNLIMITED_RATE),
            }
            for n in range(rounds):  # alternate, so that machine noise hits both alike
                env = {**base_env, "DATABASE_PATH": str(Path(tmp) / f"load{n}.sqlite3")}
                first = 1_000_000 + n * 20_000
                logs = Path(tmp) / f"bot{n}.log", Path(tmp) / f"bare{n}.log"
                bot_runs.append(
                    one_round(fake, bot, env, first, users, rate, steady_count, logs[0])
                )
                bare_runs.append(
                    one_round(
                        fake, BARE, base_env, first + 10_000, users, rate, steady_count, logs[1]
                    )
                )
                print(f"round {n + 1}: bot  {bot_runs[-1]}", file=sys.stderr)
                print(f"round {n + 1}: bare {bare_runs[-1]}", file=sys.stderr)
    finally:
        fake.stop()
    ratios = [b.replies_per_s / e.replies_per_s for b, e in zip(bot_runs, bare_runs, strict=True)]
    return {
        "users": users,
        "rounds": rounds,
        "rate": rate,
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "bot": statistics.median(r.replies_per_s for r in bot_runs),
        "bare": statistics.median(r.replies_per_s for r in bare_runs),
        "bot_cpu": statistics.median(r.cpu_ms for r in bot_runs),
        "bare_cpu": statistics.median(r.cpu_ms for r in bare_runs),
        "bot_p50": statistics.median(r.p50_ms for r in bot_runs),
        "bot_p95": statistics.median(r.p95_ms for r in bot_runs),
        "bare_p50": statistics.median(r.p50_ms for r in bare_runs),
        "bare_p95": statistics.median(r.p95_ms for r in bare_runs),
        "load": os.getloadavg()[0],
    }


def report(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    pairs = ", ".join(f"{x:.0%}" for x in r["ratios"])
    return [
        (
            f"process under load: {int(r['users'])} users × (/start, day button, question, "
            f"/now), replies/s (median of {int(r['rounds'])} alternating pairs)",
            f"{r['bot']:.0f}; CPU {r['bot_cpu']:.2f} ms/update",
            f"{r['bare']:.0f}; CPU {r['bare_cpu']:.2f} ms/update (bare aiogram echo process)",
            f"ratio {r['ratio']:.0%} (pairs {pairs}; goal ≥ 60%): "
            + ("met" if r["ratio"] >= 0.6 else "MISSED"),
        ),
        (
            f"reply latency at {r['rate']:.0f} updates/s, ms (median of the rounds)",
            f"p50 {r['bot_p50']:.1f}, p95 {r['bot_p95']:.1f}",
            f"p50 {r['bare_p50']:.1f}, p95 {r['bare_p95']:.1f} (bare aiogram echo process)",
            "p95 < 10 ms: " + ("met" if r["bot_p95"] < 10 else "MISSED"),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=50.0, help="updates/s of the latency run")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the latency run")
    parser.add_argument("--profile", type=Path, help="cProfile the bot into this file")
    args = parser.parse_args()
    result = run(args.users, args.rounds, args.rate, args.seconds, args.profile)
    print(f"load average at the end: {result['load']:.1f}")
    for row in report(result):
        print(" | ".join(row))


if __name__ == "__main__":
    main()
