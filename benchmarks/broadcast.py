"""Broadcast benchmark: the real bot process, at its shipped defaults, against the fake Bot API
enforcing Telegram's 30 messages a second with 429 answers.

    python -m benchmarks.broadcast [--recipients 3000] [--chatters 100] [--limit 30]
                                   [--send-rate R]   (explore: override SEND_RATE)

Two runs, each with a fresh database and fake server:
- alone: an organizer sends an announcement to everyone (through /announce and its Send
  confirmation, as a person does); measured from the confirming tap to the last recipient's
  message: the rate against the limit, the share of calls answered 429, lost and duplicated
  messages;
- with chat: the same while 100 people chat with the bot (each sends a command or a question,
  waits for the answer, reads for 5-15 s, and goes on): reply time from the person's message to
  the bot's answer (p50, p95, max), unanswered messages, and all messages (replies and
  broadcast) against the limit.
The baseline is the limit itself: the most any bot can send.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from db import Database
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import ROOT, TOKEN

OWNER = 900_001
FIRST_ID = 1_000_000
MARK = "Bench broadcast"
# What people type while the broadcast runs: commands and questions in their own words.
CHAT = (
    "/help",
    "/now",
    "/sections",
    "/schedule",
    "/agenda",
    "Когда обед?",
    "где проходит пленарное заседание",
    "Wi-Fi password?",
)
READ_SECONDS = (5.0, 15.0)
REPLY_TIMEOUT = 10.0


@dataclass
class Result:
    name: str
    limit: int
    recipients: int
    chatters: int
    took: float = 0.0
    broadcast: int = 0  # broadcast messages accepted
    replies: int = 0  # answers the chatters got
    all_sent: int = 0  # every message accepted in the window
    calls: int = 0  # every sending call in the window, accepted or not
    too_many: int = 0  # calls answered 429
    lost: int = 0
    dup: int = 0
    unanswered: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.broadcast / self.took if self.took else 0.0

    @property
    def share(self) -> float:
        return self.rate / self.limit

    @property
    def total_share(self) -> float:
        return self.all_sent / self.took / self.limit if self.took else 0.0

    @property
    def share_429(self) -> float:
        return self.too_many / self.calls if self.calls else 0.0

    def p(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def seed(path: Path, fake: FakeTelegram, n: int) -> list[int]:
    """`n` people the bot knows (the owner among them), in three languages."""
    ids = [OWNER] + [FIRST_ID + i for i in range(n - 1)]
    languages = ("ru", "ru", "be", "en")
    db = await Database.open(path)
    async with db.transaction():
        for index, user_id in enumerate(ids):
            lang = "en" if user_id == OWNER else languages[index % len(languages)]
            fake.add_user(user_id, f"P{index}", language_code=lang)
            await db.users.upsert_seen(user_id, f"P{index}", None, None, lang)
    await db.close()
    return ids


async def start_bot(fake: FakeTelegram, db_path: Path, send_rate: float | None):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        "ADMIN_IDS": str(OWNER),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("SEND_RATE", "PAID_BROADCAST", "PER_CHAT_INTERVAL", "CLOCK_START"):
        env.pop(name, None)  # the shipped defaults
    if send_rate is not None:
        env["SEND_RATE"] = str(send_rate)
    polls = fake.polls_started
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=db_path.parent,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=(db_path.parent / "bot.log").open("wb"),
    )
    deadline = time.monotonic() + 60
    while fake.polls_started <= polls:
        if proc.returncode is not None or time.monotonic() > deadline:
            log = (db_path.parent / "bot.log").read_text(errors="replace")
            raise SystemExit(f"the bot did not start:\n{log}")
        await asyncio.sleep(0.05)
    return proc


async def chatter(user: FakeUser, rng: random.Random, until: asyncio.Event, result: Result) -> None:
    """A person chatting: writes, waits for the answer, reads, writes again."""
    await asyncio.sleep(rng.uniform(0, READ_SECONDS[1]))
    while not until.is_set():
        user.skip_pending()
        started = time.monotonic()
        await user.send(rng.choice(CHAT))
        try:
            await user.wait_message(lambda m: MARK not in m.content, REPLY_TIMEOUT)
        except AssertionError:
            result.unanswered += 1
        else:
            result.latencies.append(time.monotonic() - started)
            result.replies += 1
        with_pause = rng.uniform(*READ_SECONDS)
        try:
            await asyncio.wait_for(until.wait(), with_pause)
        except TimeoutError:
            pass


async def one_run(
    name: str, recipients: int, chatters: int, limit: int, send_rate: float | None
) -> Result:
    result = Result(name, limit, recipients, chatters)
    fake = FakeTelegram(global_rate=limit)
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        ids = await seed(db_path, fake, recipients)
        proc = await start_bot(fake, db_path, send_rate)
        try:
            await broadcast_with_chat(fake, ids, chatters, result)
        finally:
            proc.terminate()
            await proc.wait()
            await fake.stop()
    return result


async def broadcast_with_chat(
    fake: FakeTelegram, ids: list[int], chatters: int, result: Result
) -> None:
    owner = fake.users[OWNER]
    await owner.send("/announce")
    await owner.wait_text("📣", timeout=30)
    await owner.send(f"{MARK}: buses leave at 18:00 from gate B")
    await owner.wait_text("👥")
    await owner.press("Everyone")
    await owner.wait_text("Draft")
    await owner.press("Send now")
    await owner.wait_text(f"Send it to {len(ids)} people?")
    recipients = set(ids)
    people = [fake.users[i] for i in ids[1 : chatters + 1]]
    done = asyncio.Event()
    rng = random.Random(7)

    def got_it(user_id: int) -> int:
        # The owner's preview of the draft came before the Send: count what came after.
        return sum(1 for m in fake.messages(user_id) if MARK in m.content) - before[user_id]

    before = {i: 0 for i in recipients}
    before[OWNER] = sum(1 for m in fake.messages(OWNER) if MARK in m.content)
    log_start = len(fake.log)
    started = time.time()
    await owner.press("✅")
    tasks = [asyncio.create_task(chatter(p, rng, done, result)) for p in people]

    # Cheap checks only: the fake server shares this event loop, and its timing is the measure.
    waiting = {i: fake.chats[i].sent_count for i in recipients}
    deadline = time.monotonic() + len(ids) / result.limit * 3 + 60
    while waiting and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        changed = [i for i, n in waiting.items() if fake.chats[i].sent_count != n]
        for i in changed:  # a chatter's reply is not the broadcast
            if got_it(i):
                del waiting[i]
            else:
                waiting[i] = fake.chats[i].sent_count
    done.set()
    await asyncio.gather(*tasks)
    records = fake.log[log_start:]
    sends = [r for r in records if r.method.lower() in SEND_METHODS]
    marked = [r for r in sends if r.status == 200 and MARK in str(r.params.get("text", ""))]
    last = max((r.timestamp for r in marked), default=started)
    result.took = last - started
    in_window = [r for r in sends if r.timestamp <= last]
    result.calls = len(in_window)
    result.too_many = sum(1 for r in in_window if r.status == 429)
    result.all_sent = sum(1 for r in in_window if r.status == 200)
    counts = [got_it(i) for i in recipients]
    result.broadcast = sum(counts)
    result.lost = sum(1 for c in counts if c == 0)
    result.dup = sum(c - 1 for c in counts if c > 1)


SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "copymessage"})


def describe(r: Result) -> str:
    line = (
        f"{r.name:<10} {r.recipients} recipients in {r.took:6.1f} s: broadcast "
        f"{r.rate:5.2f} msg/s = {r.share:6.1%} of the {r.limit}/s limit; all messages "
        f"{r.all_sent / r.took if r.took else 0:5.2f}/s = {r.total_share:6.1%}; "
        f"429: {r.too_many} of {r.calls} calls = {r.share_429:.2%}; "
        f"lost {r.lost}, duplicated {r.dup}"
    )
    if r.latencies or r.unanswered:
        line += (
            f"; replies {r.replies}, unanswered {r.unanswered}, reply time p50 "
            f"{r.p(0.5):.2f} s, p95 {r.p(0.95):.2f} s, max {max(r.latencies, default=0):.2f} s"
        )
    return line


def run(
    recipients: int = 3000, chatters: int = 100, limit: int = 30, send_rate: float | None = None
) -> dict[str, Result]:
    results = {}
    for name, people in (("alone", 0), ("with chat", chatters)):
        print(f"broadcast {name}: {recipients} recipients, {people} chatting…", file=sys.stderr)
        results[name] = asyncio.run(one_run(name, recipients, people, limit, send_rate))
        print(describe(results[name]), file=sys.stderr)
    return results


def report(results: dict[str, Result]) -> list[tuple[str, str, str, str]]:
    alone, chat = results["alone"], results["with chat"]
    met_alone = alone.share >= 0.97 and alone.share_429 <= 0.01 and not alone.lost + alone.dup
    met_chat = chat.p(0.95) < 1.0 and chat.total_share >= 0.95 and not chat.lost + chat.unanswered
    baseline = f"{alone.limit}/s (the fake Bot API's limit)"
    return [
        (
            f"broadcast alone, {alone.recipients:,} recipients, msg/s from Send to the last one",
            f"{alone.rate:.2f} = {alone.share:.1%}; 429s {alone.too_many} of {alone.calls} "
            f"calls ({alone.share_429:.2%}); lost {alone.lost}, dup {alone.dup}",
            baseline,
            f"≥ 97%, ≤ 1% 429s, none lost or duplicated: {'met' if met_alone else 'MISSED'}",
        ),
        (
            f"broadcast with {chat.chatters} people chatting: replies and broadcast, msg/s; "
            "reply time",
            f"{chat.all_sent / chat.took:.2f} = {chat.total_share:.1%} (broadcast "
            f"{chat.rate:.2f}); replies p50 {chat.p(0.5):.2f} s, p95 {chat.p(0.95):.2f} s, "
            f"max {max(chat.latencies, default=0):.2f} s; unanswered {chat.unanswered}, "
            f"lost {chat.lost}, dup {chat.dup}, 429s {chat.too_many}",
            baseline,
            f"≥ 95%, p95 < 1 s, none lost: {'met' if met_chat else 'MISSED'}",
        ),
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipients", type=int, default=3000)
    p.add_argument("--chatters", type=int, default=100)
    p.add_argument("--limit", type=int, default=30, help="the fake server's messages per second")
    p.add_argument("--send-rate", type=float, help="override SEND_RATE (default: shipped)")
    p.add_argument("--only", choices=("alone", "chat"), help="one of the two runs")
    args = p.parse_args()
    if args.only:
        people = 0 if args.only == "alone" else args.chatters
        name = "alone" if args.only == "alone" else "with chat"
        result = asyncio.run(one_run(name, args.recipients, people, args.limit, args.send_rate))
        print(describe(result))
        return
    results = run(args.recipients, args.chatters, args.limit, args.send_rate)
    for result in results.values():
        print(describe(result))


if __name__ == "__main__":
    main()
