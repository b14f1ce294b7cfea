"""The delivery engine: faults, 429 bursts, blocked users, the rate limit, and a SIGKILL."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from pathlib import Path

from db import Database
from tests.e2e.announce_helpers import compose, confirm_send, until
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, BotProcess, bot_env, running_app


async def seed_people(db_path: Path, fake: FakeTelegram, ids: range) -> None:
    """People the bot knows (as if they had pressed Start) and the fake server knows too."""
    db = await Database.open(db_path)
    async with db.transaction():
        for user_id in ids:
            fake.add_user(user_id, f"P{user_id}", language_code="en")
            await db.users.upsert_seen(user_id, f"P{user_id}", None, None, "en")
    await db.close()


DRAFT = {
    "default": "en",
    "versions": {"en": {"kind": "text", "text": "Buses leave at <b>18:00</b>"}},
    "audience": "all",
}


async def test_502s_429_bursts_and_blocked_users_lose_nothing(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    people = range(10_000, 10_200)
    await seed_people(tmp_path / "bot.sqlite3", fake, people)
    blocked = [fake.users[i] for i in (10_005, 10_050, 10_150)]
    fake.global_rate = 200
    fake.add_user(OWNER_ID, "Olga", language_code="en")
    async with running_app(fake, tmp_path, send_rate=150) as app:
        for user in blocked:
            user.blocked = True  # Telegram answers 403; the bot has not heard of it yet
        fake.fail_rate = 0.05
        fake.burst_429(4, retry_after=1)
        await app.dp["broadcaster"].create(OWNER_ID, DRAFT, None)
        reached = [i for i in people if i not in {u.id for u in blocked}]

        await until(fake, lambda: all(fake.sent_count(i) >= 1 for i in reached), timeout=30)
        # A 502 or a 429 is answered before anything is sent: nobody gets it twice.
        assert all(fake.sent_count(i) == 1 for i in reached)
        assert [r for r in fake.errors() if r.status == 502]
        assert [r for r in fake.errors() if r.status == 429]
        # The last answers may still be on their way into the database: wait for the marks.
        for _ in range(200):
            counts = await app.db.deliveries.counts("announcement", "1")
            if counts == {"sent": 197, "blocked": 3}:
                break
            await asyncio.sleep(0.05)
        assert counts == {"sent": 197, "blocked": 3}
        for user in blocked:
            row = await app.db.users.get(user.id)
            assert row is not None and row.blocked_at is not None
        # Blocked people are left out of the next audience.
        ids = await app.db.announcements.active_user_ids()
        assert not {u.id for u in blocked} & set(ids)
        # Blocking is also noticed from Telegram's my_chat_member update.
        fake.users[10_199].block()
        for _ in range(100):
            row = await app.db.users.get(10_199)
            if row is not None and row.blocked_at is not None:
                break
            await asyncio.sleep(0.05)
        assert row is not None and row.blocked_at is not None
    fake.assert_no_rejections()


async def test_engine_keeps_under_the_rate_limit_and_one_message_per_chat_second(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    people = range(11_000, 11_040)
    await seed_people(tmp_path / "bot.sqlite3", fake, people)
    fake.global_rate = 20
    async with running_app(fake, tmp_path, send_rate=19, per_chat_interval=1.0) as app:
        from db.deliveries import NewDelivery

        started = time.monotonic()
        async with app.db.transaction():
            await app.db.deliveries.enqueue(
                NewDelivery(i, "notice", {"kind": "text", "text": f"hi {i}"}) for i in people
            )
        app.engine.wake()
        await until(fake, lambda: all(fake.sent_count(i) == 1 for i in people), timeout=15)
        took = time.monotonic() - started
        # Three more to one person: Telegram wants about a second between them.
        async with app.db.transaction():
            await app.db.deliveries.enqueue(
                NewDelivery(11_000, "notice", {"kind": "text", "text": f"again {n}"})
                for n in range(3)
            )
        app.engine.wake()
        await until(fake, lambda: fake.sent_count(11_000) == 4, timeout=10)
    assert not [r for r in fake.errors() if r.status == 429]
    assert took >= 39 / 19 * 0.9  # paced, not a burst
    assert 40 / took >= 19 * 0.75  # and close to the limit
    times = [
        r.timestamp
        for r in fake.requests("sendMessage")
        if str(r.params.get("chat_id")) == "11000" and r.status == 200
    ]
    assert len(times) == 4
    assert all(b - a >= 0.9 for a, b in itertools.pairwise(times))
    fake.assert_no_rejections()


async def test_sigkill_mid_broadcast_resumes_without_losses(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    people = range(20_000, 20_500)
    await seed_people(tmp_path / "bot.sqlite3", fake, people)
    fake.global_rate = 100
    owner = fake.add_user(OWNER_ID, "Olga", language_code="en")
    bot = BotProcess(fake, bot_env(fake, tmp_path, send_rate=60), tmp_path / "bot.log")
    await bot.start()
    await compose(owner, "Buses leave at 18:00")
    await owner.wait_text("501 people")
    await confirm_send(owner, "Send it to 501 people?")

    def total() -> int:
        return sum(fake.sent_count(i) for i in people)

    await until(fake, lambda: total() >= 150, timeout=20)
    await bot.kill()
    at_kill = total()
    assert at_kill < 500
    # What was claimed but not yet marked sent at the kill: the only sends that may repeat.
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        in_flight = {
            row[0]
            for row in conn.execute("SELECT user_id FROM deliveries WHERE status = 'sending'")
        }

    await bot.start()
    await until(fake, lambda: all(fake.sent_count(i) >= 1 for i in people), timeout=30)
    # The report comes once every row is settled: nothing more of it can be sent after.
    await owner.wait_text("delivered", timeout=15)
    twice = [i for i in people if fake.sent_count(i) > 1]
    assert all(fake.sent_count(i) <= 2 for i in people)
    # Only the sends in flight at the kill can repeat (the engine claims ~half a second).
    assert set(twice) <= in_flight, (twice, in_flight)
    assert len(in_flight) <= 30
    await bot.stop()
    bot.assert_clean_log()
    fake.assert_no_rejections()


async def test_sigkill_during_a_pause_comes_back_paused(fake: FakeTelegram, tmp_path: Path) -> None:
    from db.deliveries import NewDelivery

    people = range(21_000, 21_300)
    db_path = tmp_path / "bot.sqlite3"
    await seed_people(db_path, fake, people)
    fake.global_rate = 40
    owner = fake.add_user(OWNER_ID, "Olga", language_code="en")
    bot = BotProcess(fake, bot_env(fake, tmp_path, send_rate=30), tmp_path / "bot.log")
    await bot.start()
    await compose(owner, "Gates close at 21:00")
    await owner.wait_text("301 people")
    await confirm_send(owner, "Send it to 301 people?")
    progress = await owner.wait_text("Sending announcement #1")

    def total() -> int:
        return sum(fake.sent_count(i) for i in people)

    await until(fake, lambda: total() >= 40, timeout=20)
    await owner.press("⏸ Pause", message=progress)
    assert (await owner.wait_callback_answer())["text"].startswith("Paused")
    at_pause = total()
    await bot.kill()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT status FROM announcements WHERE id = 1").fetchone() == (
            "paused",
        )
        # The pause put aside what was claimed: nothing of it was on its way at the kill.
        left = dict(
            conn.execute(
                "SELECT status, count(*) FROM deliveries WHERE ref = '1' GROUP BY status"
            ).fetchall()
        )
    assert "sending" not in left and left["pending"] == 301 - left["sent"]
    assert left["sent"] == at_pause

    # A notice queued meanwhile: the engine claims older rows first, so any row of the
    # paused announcement that could go would go before it.
    db = await Database.open(db_path)
    async with db.transaction():
        await db.deliveries.enqueue(
            [NewDelivery(OWNER_ID, "notice", {"kind": "text", "text": "Sentinel notice"})]
        )
    await db.close()
    await bot.start()
    await owner.wait_text("Sentinel notice", timeout=20)
    assert total() == at_pause
    await owner.send("/announcements")
    listing = await owner.wait_text("Announcements")
    assert "paused" in listing.text

    await owner.press("▶️ Resume", message=progress)
    await owner.wait_text("Announcement #1 delivered", timeout=30)
    assert all(fake.sent_count(i) == 1 for i in people)
    await bot.stop()
    bot.assert_clean_log()
    fake.assert_no_rejections()
