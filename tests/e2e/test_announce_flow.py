"""Organizers compose, preview, send and schedule announcements (in-process app, fake server)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from db import Database
from tests.e2e.announce_helpers import compose, confirm_send, until
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import OWNER_ID, running_app

FAST = {"send_rate": 200}


@pytest.fixture
async def fast_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = 200
    async with running_app(fake, tmp_path, **FAST) as app:
        yield app


async def join(fake: FakeTelegram, user_id: int, name: str, lang: str) -> FakeUser:
    user = fake.add_user(user_id, name, language_code=lang)
    await user.send("/start")
    await user.wait_message()
    return user


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def test_announcement_reaches_each_in_their_language_and_skips_the_muted(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga", "en")
    ivan = await join(fake, 7001, "Ivan", "ru")
    kate = await join(fake, 7002, "Kate", "en")
    mute = await join(fake, 7003, "Mute", "ru")
    await mute.send("/settings")
    await mute.wait_message()
    await mute.press("📣")
    await mute.wait_callback_answer()

    await compose(owner, "Buses leave at 18:00 <from gate B> & no later")
    preview = await owner.wait_text("Announcement from the organizers")
    assert "&lt;from gate B&gt; &amp;" not in preview.text  # shown as typed, not double-escaped
    assert "Buses leave at 18:00 <from gate B> & no later" in preview.text
    summary = await owner.wait_text("Draft announcement")
    assert "Everyone — 3 people" in summary.text  # owner, Ivan, Kate; the muted one is not

    await owner.press("Send a test to me")
    test = await owner.wait_text("Buses leave")
    assert "Announcement from the organizers" in test.text

    await confirm_send(owner, "3 people")
    ru = await ivan.wait_text("Buses leave at 18:00")
    assert "Объявление организаторов" in ru.text
    en = await kate.wait_text("Buses leave at 18:00")
    assert "Announcement from the organizers" in en.text
    report = await owner.wait_text("Announcement #1 delivered", timeout=15)
    assert "Delivered to 3 people." in report.text
    assert not [m for m in mute.messages if "Buses" in m.text]
    progress = [m for m in owner.messages if "Announcement #1 delivered" in m.text]
    assert progress, owner.transcript()

    rows = await fast_app.db.audit.page(0, 10)
    assert any(r.action == "announcement.sent" and r.actor_id == OWNER_ID for r in rows)
    fake.assert_no_rejections()


async def test_urgent_reaches_the_muted_and_versions_go_by_language(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga", "ru")
    mute = await join(fake, 7011, "Mute", "en")
    async with fast_app.db.transaction():
        await fast_app.db.users.set_flag(mute.id, "muted", True)

    await compose(owner, "Пленарное заседание переносится в зал B", audience="Все")
    await owner.wait_text("Черновик")
    await owner.press("➕ Английский")
    await owner.wait_text("на языке: английский")
    await owner.send("The plenary moves to hall B")
    summary = await owner.wait_text("Черновик")
    assert "1 человек" in summary.text  # only the owner: the muted one is left out
    await owner.press("Срочное: нет")
    urgent = await owner.wait_text("Срочное: да")
    assert "2 человека" in urgent.text
    await confirm_send(owner, "2 получателям", now="Отправить сейчас")
    got = await mute.wait_text("hall B")
    assert "Urgent announcement" in got.text
    assert "Пленарное" not in got.text
    fake.assert_no_rejections()


async def test_scheduled_announcement_goes_out_at_its_time_and_can_be_listed(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.global_rate = 200
    # Forum time 09:59:55: "10:00" is five seconds ahead.
    async with running_app(fake, tmp_path, clock_start="2027-06-25T09:59:55", **FAST) as app:
        owner = await join(fake, OWNER_ID, "Olga", "en")
        ivan = await join(fake, 7021, "Ivan", "en")
        await compose(owner, "Registration closes tonight")
        await owner.wait_text("Draft announcement")
        await owner.press("Schedule")
        await owner.wait_text("When should it go out?")
        await owner.send("31.02 10:00")
        await owner.wait_text("could not read")
        await owner.send("24.06.2027 10:00")
        await owner.wait_text("already passed")
        await owner.send("10:00")
        done = await owner.wait_text("is scheduled for")
        assert "25 June 2027, 10:00" in done.text
        await owner.send("/announcements")
        listing = await owner.wait_text("📋 Announcements")
        assert "Registration closes tonight" in listing.text
        assert not [m for m in ivan.messages if "Registration closes" in m.text]
        got = await ivan.wait_text("Registration closes tonight", timeout=12)
        assert got.text
        sent_at = datetime.now(UTC) + app.clock.offset
        assert sent_at >= datetime(2027, 6, 25, 7, 0, tzinfo=UTC)  # 10:00 in Minsk
        fake.assert_no_rejections()


async def test_missed_announcement_asks_the_author(fake: FakeTelegram, tmp_path: Path) -> None:
    fake.global_rate = 200
    owner = fake.add_user(OWNER_ID, "Olga", language_code="en")
    ivan = fake.add_user(7031, "Ivan", language_code="en")
    db = await Database.open(tmp_path / "bot.sqlite3")
    async with db.transaction():
        for user in (owner, ivan):
            await db.users.upsert_seen(user.id, user.first_name, None, None, "en")
        content = {"default": "en", "versions": {"en": {"kind": "text", "text": "Old news"}}}
        late = datetime.now(UTC) - timedelta(hours=2)
        soon = datetime.now(UTC) - timedelta(minutes=1)  # within the grace period
        await db.announcements.create(OWNER_ID, content, "all", "", False, "scheduled", late)
        fresh = {"default": "en", "versions": {"en": {"kind": "text", "text": "Fresh news"}}}
        await db.announcements.create(OWNER_ID, fresh, "all", "", False, "scheduled", soon)
    await db.close()

    async with running_app(fake, tmp_path, **FAST) as app:
        await ivan.wait_text("Fresh news")
        question = await owner.wait_text("was not running then")
        assert "Old news" in question.text
        assert not [m for m in ivan.messages if "Old news" in m.text]
        await owner.press("Send now", message=question)
        confirm = await owner.wait_text("Send it to 2 people?")
        await owner.press("✅ Send", message=confirm)
        await ivan.wait_text("Old news")
        # The delivery engine may send before the queuing step records "sending": the report
        # to the author is what says it is over.
        await owner.wait_text("Announcement #1 delivered", timeout=15)
        assert (await app.db.announcements.get(1)).status == "done"  # type: ignore[union-attr]
    fake.assert_no_rejections()


async def test_stop_cancels_what_is_not_sent(fake: FakeTelegram, tmp_path: Path) -> None:
    fake.global_rate = 20
    async with running_app(fake, tmp_path, send_rate=10) as app:
        owner = await join(fake, OWNER_ID, "Olga", "en")
        async with app.db.transaction():
            for i in range(60):
                fake.add_user(8000 + i, f"P{i}", language_code="en")
                await app.db.users.upsert_seen(8000 + i, f"P{i}", None, None, "en")
        await compose(owner, "Long broadcast")
        await owner.wait_text("61 people")
        await confirm_send(owner, "61 people")
        await owner.wait_text("Sending announcement #1")
        await until(fake, lambda: sum(fake.sent_count(8000 + i) for i in range(60)) >= 3)
        await owner.press("Stop")
        answer = await owner.wait_callback_answer()
        assert "Stopped" in answer["text"]
        stopped = await owner.wait_text("stopped")
        assert "cancelled and not sent" in stopped.text
        counts = await app.db.deliveries.counts("announcement", "1")
        assert counts.get("cancelled", 0) > 30
        # Once the Stop is answered, what reached people is final and is what was counted.
        total = sum(fake.sent_count(8000 + i) for i in range(60))
        assert total < 30
        to_owner = sum(1 for m in owner.messages if "Long broadcast" in m.content) - 1  # preview
        assert total + to_owner == counts.get("sent", 0)
    fake.assert_no_rejections()
