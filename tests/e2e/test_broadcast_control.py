"""An organizer cannot send by mistake, and Stop, Pause and Resume do what they say.

The in-process app against the strict fake Bot API: every assertion is about what the fake
server received (messages, their order, the Stop's answer) or about the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from bot.app import App
from bot.keyboards.admin import ComposeCb
from bot.services.broadcast import paid_stars
from tests.e2e.announce_helpers import compose as compose_announcement
from tests.e2e.announce_helpers import confirm_send, until
from tests.fakeapi import FakeMessage, FakeTelegram, FakeUser
from tests.fakeapi.models import RequestRecord
from tests.harness import OWNER_ID, running_app

PEOPLE = range(30_000, 30_200)


async def seed(app: App, fake: FakeTelegram, ids: Iterable[int]) -> None:
    """People the bot knows (as if they had pressed Start); the fake server knows them too."""
    async with app.db.transaction():
        for user_id in ids:
            fake.add_user(user_id, f"P{user_id}", language_code="en")
            await app.db.users.upsert_seen(user_id, f"P{user_id}", None, None, "en")


async def owner_of(fake: FakeTelegram) -> FakeUser:
    owner = fake.add_user(OWNER_ID, "Olga", language_code="en")
    await owner.send("/start")
    await owner.wait_message()
    return owner


async def compose(owner: FakeUser, text: str, audience: str = "Everyone") -> FakeMessage:
    await compose_announcement(owner, text, audience)
    return await owner.wait_text("Draft announcement")


async def send_now(owner: FakeUser, people: str) -> None:
    """Send now, and confirm "Send it to N people?"."""
    await confirm_send(owner, f"Send it to {people}?")


async def under_way(
    app: App, fake: FakeTelegram, people: Iterable[int], text: str
) -> tuple[FakeUser, FakeMessage]:
    """The organizer sends `text` to everyone (the people and themself); its progress."""
    owner = await owner_of(fake)
    people = list(people)
    await seed(app, fake, people)
    await compose(owner, text)
    await send_now(owner, f"{len(people) + 1} people")
    return owner, await owner.wait_text("Sending announcement #1")


def sends_of(fake: FakeTelegram, text: str, since: int = 0) -> list[RequestRecord]:
    """Every sendMessage carrying `text` that reached the server (answered or not)."""
    return [
        r
        for r in fake.log[since:]
        if r.method.lower() == "sendmessage" and text in str(r.params.get("text", ""))
    ]


def accepted(fake: FakeTelegram, text: str) -> int:
    return sum(1 for r in sends_of(fake, text) if r.status == 200)


def percentages(owner: FakeUser, announcement_id: int) -> list[int]:
    """Every percentage the progress message of an announcement showed, in order."""
    found = []
    for kind, message in owner.chat.events:
        title = message.content.split("\n", 1)[0].lower()
        if kind == "delete" or f"announcement #{announcement_id} " not in title + " ":
            continue
        match = re.search(r"(\d+)%", message.content)
        if match:
            found.append(int(match[1]))
    return found


# ---------------------------------------------------------------------- confirmation


async def test_send_asks_first_and_back_changes_nothing(fake: FakeTelegram, tmp_path: Path) -> None:
    fake.global_rate = 200
    async with running_app(fake, tmp_path, send_rate=150) as app:
        owner = await owner_of(fake)
        await seed(app, fake, range(31_000, 31_004))
        draft = await compose(owner, "Lunch is moved to 13:30")
        assert "5 people" in draft.text

        await owner.press("Send now")
        question = await owner.wait_text("Send it to 5 people?")
        assert question.button_texts() == ["✅ Send", "⬅️ Back"]
        await owner.press("⬅️ Back", message=question)
        back = await owner.wait_text("Draft announcement")
        assert "🚀 Send now" in back.button_texts()
        assert accepted(fake, "Lunch is moved") == 1  # only the organizer's preview
        assert await app.db.announcements.with_status("queuing", "sending", "done") == []

        await owner.press("Send now")
        await owner.wait_text("Send it to 5 people?")
        await owner.press("✅ Send")
        await owner.wait_text("Announcement #1 delivered", timeout=20)
        for user_id in range(31_000, 31_004):
            assert fake.sent_count(user_id) == 1
        # The organizer's own preview, then the announcement.
        assert accepted(fake, "Lunch is moved") == 1 + 5
    fake.assert_no_rejections()


async def test_nobody_to_send_to_is_said_and_nothing_is_sent(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.global_rate = 200
    async with running_app(fake, tmp_path, send_rate=150) as app:
        owner = await owner_of(fake)
        await seed(app, fake, range(31_100, 31_103))
        await owner.send("/announce")
        await owner.wait_text("Send me the announcement")
        await owner.send("Room change for the industry section")
        await owner.wait_text("Who should receive it?")
        await owner.press("Subscribers of a section")
        picker = await owner.wait_text("choose one")
        # One long label per row, each short enough for a phone, numbered as listed above.
        rows = picker.reply_markup["inline_keyboard"]  # type: ignore[index]
        for row in rows[:-1]:
            assert len(row) == 1 or all(len(b["text"]) <= 15 for b in row), row
            assert all(len(b["text"]) <= 30 for b in row), row
        assert "1. " in picker.text
        await owner.press((0, 0), message=picker)
        draft = await owner.wait_text("Draft announcement")
        assert "0 people" in draft.text

        await owner.press("Send now")
        said = await owner.wait_text("Nobody would receive it")
        assert said.button_texts() == ["⬅️ Back"]
        # A forged "send" for the empty audience is refused too.
        await owner.press_data(ComposeCb(action="go").pack(), said.message_id)
        answer = await owner.wait_callback_answer()
        assert "Nobody would receive it" in answer["text"]
        assert await app.db.announcements.get(1) is None
        assert sends_of(fake, "Room change", since=0)[-1].params["chat_id"] == str(OWNER_ID)

        # A scheduled one whose audience is empty when its time comes: said, not sent.
        async with app.db.transaction():
            ann_id = await app.db.announcements.create(
                OWNER_ID,
                {"default": "en", "versions": {"en": {"kind": "text", "text": "Empty"}}},
                "sec",
                "s1-industry",
                False,
                "scheduled",
                app.clock.now(),
            )
        await app.dp["broadcaster"].fire(ann_id)
        notice = await owner.wait_text("was not sent: nobody")
        assert f"#{ann_id}" in notice.text
        assert (await app.db.announcements.get(ann_id)).status == "cancelled"  # type: ignore[union-attr]
        assert not sends_of(fake, "Empty")
    fake.assert_no_rejections()


# ---------------------------------------------------------------------- stop


async def test_after_stop_nothing_of_it_reaches_telegram_despite_502s_and_429s(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.global_rate = 60
    async with running_app(fake, tmp_path, send_rate=50) as app:
        owner, progress = await under_way(app, fake, PEOPLE, "First call: buses at 18:00")
        await until(fake, lambda: accepted(fake, "First call") >= 40)

        # Faults around the Stop: some sends under way meet 502s and 429s.
        fake.fail_rate = 0.3
        fake.burst_429(3, retry_after=1)
        await owner.press("⏹ Stop", message=progress)
        answer = await owner.wait_callback_answer()
        assert answer["text"].startswith("Stopped")
        confirmed = len(fake.log)
        fake.fail_rate = 0.0

        # Everything of #1 is settled: nothing is left to be sent or on its way.
        counts = await app.db.deliveries.counts("announcement", "1")
        assert "pending" not in counts and "sending" not in counts, counts
        assert counts["cancelled"] > 0
        # The final report counts exactly what Telegram accepted.
        report = await owner.wait_text("Announcement #1 stopped")
        delivered = accepted(fake, "First call") - 1  # less the organizer's preview
        assert f"Delivered to {delivered} people." in report.text
        assert f"{counts['cancelled']} messages were cancelled and not sent." in report.text
        assert counts.get("sent", 0) == delivered
        assert "It took" in report.text
        assert "▶️ Send the rest" in report.button_texts()

        # Another broadcast to everyone runs to its end, longer than any retry of #1 would
        # wait (1 s after a 429, 1-2 s after a 502): not one send of #1 came after the Stop.
        await compose(owner, "Second call: dinner at 20:00")
        await send_now(owner, "201 people")
        await until(fake, lambda: all(fake.sent_count(i) >= 1 for i in PEOPLE))
        await until(fake, lambda: accepted(fake, "Second call") >= 202)
        assert sends_of(fake, "First call", since=confirmed) == []
        assert all(
            sum(1 for m in fake.messages(i) if "Second call" in m.content) == 1 for i in PEOPLE
        )
        assert percentages(owner, 1) == sorted(percentages(owner, 1))
    fake.assert_no_rejections()


async def test_a_stopped_one_sends_the_rest_later_to_each_once(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.global_rate = 40
    people = range(32_000, 32_080)
    async with running_app(fake, tmp_path, send_rate=30) as app:
        owner, progress = await under_way(app, fake, people, "Excursion at noon")
        await until(fake, lambda: accepted(fake, "Excursion") >= 15)
        await owner.press("⏹ Stop", message=progress)
        await owner.wait_callback_answer()
        stopped = await owner.wait_text("Announcement #1 stopped")
        assert "cancelled and not sent" in stopped.text

        rest = await app.db.deliveries.counts("announcement", "1")
        await owner.press("▶️ Send the rest", message=stopped)
        question = await owner.wait_text(f"Send it to {rest['cancelled']} people?")
        assert "Excursion at noon" in question.text
        await owner.press("✅ Send", message=question)
        assert (await owner.wait_callback_answer())["text"] == "Sending again."
        done = await owner.wait_text("Announcement #1 delivered", timeout=20)
        assert "Delivered to 81 people." in done.text
        assert "Nothing was cancelled." in done.text
        for user_id in people:
            assert sum(1 for m in fake.messages(user_id) if "Excursion" in m.content) == 1
    fake.assert_no_rejections()


# ---------------------------------------------------------------------- pause


async def test_pause_holds_everything_of_it_and_resume_finishes_it(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.global_rate = 40
    people = range(33_000, 33_120)
    async with running_app(fake, tmp_path, send_rate=30) as app:
        owner, progress = await under_way(app, fake, people, "Wrong hall announced")
        assert progress.button_texts() == ["⏸ Pause", "⏹ Stop"]
        await until(fake, lambda: accepted(fake, "Wrong hall") >= 20)

        await owner.press("⏸ Pause", message=progress)
        answer = await owner.wait_callback_answer()
        assert answer["text"].startswith("Paused")
        at_pause = accepted(fake, "Wrong hall")
        paused_at = len(fake.log)
        paused = await owner.wait_text("is paused")
        assert paused.button_texts() == ["▶️ Resume", "⏹ Stop"]
        assert (await app.db.announcements.get(1)).status == "paused"  # type: ignore[union-attr]

        # The engine keeps working for others: a second announcement to everyone goes out
        # whole while the first stays where it was.
        await compose(owner, "Coffee is served")
        await send_now(owner, "121 people")
        await until(fake, lambda: accepted(fake, "Coffee is served") >= 122)
        assert sends_of(fake, "Wrong hall", since=paused_at) == []
        assert accepted(fake, "Wrong hall") == at_pause
        await owner.send("/announcements")
        listing = await owner.wait_text("Announcements")
        assert "#1" in listing.text and "paused" in listing.text
        assert "▶️ #1 resume" in listing.button_texts()

        await owner.press("▶️ Resume", message=paused)
        assert (await owner.wait_callback_answer())["text"] == "Sending again."
        done = await owner.wait_text("Announcement #1 delivered", timeout=20)
        assert "Delivered to 121 people." in done.text
        for user_id in people:
            assert sum(1 for m in fake.messages(user_id) if "Wrong hall" in m.content) == 1
        shown = percentages(owner, 1)
        assert len(shown) >= 3 and shown == sorted(shown), shown
    fake.assert_no_rejections()


# ---------------------------------------------------------------------- paid broadcasts


async def test_paid_broadcast_shows_its_price_and_goes_faster_than_free(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.global_rate = 30
    fake.paid_rate = 1000
    people = range(34_000, 34_300)
    async with running_app(
        fake, tmp_path, send_rate=30, paid_broadcast=True, paid_send_rate=300
    ) as app:
        owner = await owner_of(fake)
        await seed(app, fake, people)
        await compose(owner, "Paid: the gates close at 9")
        await owner.press("Send now")
        question = await owner.wait_text("Send it to 301 people?")
        expected = paid_stars(301, 300)
        assert expected == 27.1
        assert f"about {expected:g} Telegram Stars" in question.text
        await owner.press("✅ Send")
        await until(fake, lambda: all(fake.sent_count(i) >= 1 for i in people))
        sends = [r for r in sends_of(fake, "Paid: the gates") if r.status == 200]
        broadcast = [r for r in sends if r.params.get("chat_id") != str(OWNER_ID)]
        # Broadcast sends carry the flag; the organizer's screens (menu, preview, progress)
        # do not: only the organizer's own copy of the announcement does.
        assert all(r.params.get("allow_paid_broadcast") in ("true", True) for r in broadcast)
        await until(fake, lambda: accepted(fake, "Paid: the gates") >= 302)
        to_owner = [
            r for r in fake.requests("sendMessage") if r.params.get("chat_id") == str(OWNER_ID)
        ]
        flagged = [r for r in to_owner if r.params.get("allow_paid_broadcast")]
        assert len(flagged) == 1 and len(to_owner) > 3
        assert "Paid: the gates" in flagged[0].params["text"]
        took = broadcast[-1].timestamp - broadcast[0].timestamp
        assert len(broadcast) / max(took, 1e-3) > 60  # well above the free 30 a second
    fake.assert_no_rejections()


# ---------------------------------------------------------------------- scheduled ones


async def test_a_scheduled_one_gets_new_text_and_typed_times_are_understood(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.global_rate = 200
    async with running_app(fake, tmp_path, clock_start="2027-06-25T09:00:00", send_rate=150) as app:
        owner = await owner_of(fake)
        await seed(app, fake, [35_000])
        reader = fake.users[35_000]
        await compose(owner, "Old text: lunch at 13:00")
        await owner.press("Schedule")
        await owner.wait_text("When should it go out?")
        await owner.send("завтра в 9:00")  # any of the three languages, any organizer
        done = await owner.wait_text("is scheduled for")
        assert "26 June 2027, 09:00" in done.text

        await owner.send("/announcements")
        listing = await owner.wait_text("📋 Announcements")
        assert listing.button_texts() == ["🕑 #1 time", "✏️ #1 text", "✖️ #1 cancel"]
        await owner.press("✏️ #1 text", message=listing)
        await owner.wait_text("Send me the new text of announcement #1")
        await owner.send("New text: lunch at 13:30 <gate B>")
        await owner.wait_text("is replaced")
        preview = await owner.wait_text("New text")
        assert "Announcement from the organizers" in preview.text
        stored = await app.db.announcements.get(1)
        assert stored is not None and stored.status == "scheduled"
        # Stored as Telegram HTML: what was typed is shown literally.
        assert stored.content["versions"]["en"]["text"] == "New text: lunch at 13:30 &lt;gate B&gt;"

        await owner.send("/announcements")
        listing = await owner.wait_text("📋 Announcements")
        assert "New text" in listing.text and "Old text" not in listing.text
        await owner.press("🕑 #1 time", message=listing)
        await owner.wait_text("When should it go out?")
        await owner.send("в 18.30")
        moved = await owner.wait_text("now goes out on")
        assert "25 June 2027, 18:30" in moved.text

        # Its time comes (the scheduler calls this): the reader gets the new text only.
        await app.dp["broadcaster"].fire(1)
        got = await reader.wait_text("lunch at")
        assert "New text: lunch at 13:30 <gate B>" in got.text
        assert not [m for m in reader.messages if "Old text" in m.content]
    fake.assert_no_rejections()
