"""Polls, ratings and materials in-process: a poll reaches the savers and the section's
followers (not others, not blocked people) and is counted from poll answers; a rating is
asked once after the session ends, never with feedback off, and counted once; materials
attached by a linked speaker are downloadable and announced once after the session ended;
/mydata shows and /forget deletes it all."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.keyboards.session_live import PollCb, RateCb
from bot.services.session_questions import QuestionService
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import OWNER_ID, running_app
from tests.integration.test_program_upload import join, save, subscribe
from tests.session_helpers import DURING_PLENARY, ask, open_card


@pytest.fixture
async def live_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = None
    async with running_app(fake, tmp_path, send_rate=1000, clock_start=DURING_PLENARY) as app:
        yield app


def rows(app: App, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(app.settings.database_path) as conn:
        return conn.execute(sql).fetchall()


def polls_of(user: FakeUser) -> list[object]:
    return [m for m in user.messages if m.from_bot and "poll" in m.extra]


async def test_poll_reaches_the_right_people_and_counts_answers(
    fake: FakeTelegram, live_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    ann = await join(fake, 7601, "Ann")
    bob = await join(fake, 7602, "Bob", "ru")
    carl = await join(fake, 7603, "Carl")  # saved nothing: no poll
    dina = await join(fake, 7604, "Dina")  # follows section 1, not the plenary's
    await save(ann, "plenary")
    async with live_app.db.transaction():  # Bob reads Russian: saved without the English button
        await live_app.db.agenda.add(bob.id, "plenary")
    await subscribe(dina, "s1-industry")
    eve = await join(fake, 7605, "Eve")
    await save(eve, "plenary")
    eve.block()

    card = await open_card(owner)
    await owner.press("🛡", message=card)
    mod = await owner.wait_message(lambda m: "Moderation" in m.text)
    await owner.press("New poll", message=mod)
    await owner.wait_text("2 to 10")
    await owner.send("Only a question")
    assert "at least 2" in (await owner.wait_message()).text
    await owner.send("Which <topic> next?\nTransport\nTransport")
    assert "same" in (await owner.wait_message()).text
    await owner.send("Which <topic> next?\nTransport\nEnergy\n" + "x" * 101)
    assert "100" in (await owner.wait_message()).text
    await owner.send("Which <topic> next?\nTransport & logistics\nEnergy")
    confirm = await owner.wait_message(lambda m: bool(m.buttons()))
    assert "Send to 2 people" in confirm.button_texts()  # Ann and Bob; Eve blocked the bot
    await owner.press("Send to 2 people", message=confirm)
    results = await owner.wait_text("Poll results")
    assert "0 of" in results.text

    for user in (ann, bob):
        await user.wait_message(lambda m: "poll" in m.extra)
    poll = polls_of(ann)[0]
    assert poll.extra["poll"]["question"] == "Which <topic> next?"
    assert poll.extra["poll"]["is_anonymous"] is False
    assert polls_of(carl) == [] and polls_of(dina) == []

    await ann.answer_poll(poll, [1])
    await bob.answer_poll(polls_of(bob)[0], [1])
    await bob.answer_poll(polls_of(bob)[0], [0])  # Bob changes his mind
    live = await owner.wait_message(
        lambda m: m.message_id == results.message_id and "2 of 2" in m.text, timeout=15
    )
    assert "Transport &amp; logistics — 1 (50%)" not in live.text
    assert "Transport & logistics — 1 (50%)" in live.text and "Energy — 1 (50%)" in live.text

    await owner.press("Export CSV", message=live)
    export = await owner.wait_message(lambda m: m.document is not None)
    text = export.document_bytes.decode("utf-8-sig")
    assert "Transport & logistics;1" in text and "Energy;1" in text

    # A poll in several languages: each person gets theirs.
    await owner.press("New poll", message=mod)
    await owner.wait_text("2 to 10")
    await owner.send("[en] Lunch now?\nYes\nLater\n[ru] Обед сейчас?\nДа\nПозже\nНет")
    assert "same options" in (await owner.wait_message()).text
    await owner.send("[en] Lunch now?\nYes\nLater\n[ru] Обед сейчас?\nДа\nПозже")
    confirm = await owner.wait_message(lambda m: bool(m.buttons()))
    assert "[ru] Обед сейчас?" in confirm.text
    await owner.press("Send to 2 people", message=confirm)
    await owner.wait_text("Poll results")
    second = await ann.wait_message(lambda m: "poll" in m.extra and "Lunch" in str(m.extra))
    assert [o["text"] for o in second.extra["poll"]["options"]] == ["Yes", "Later"]
    ru = await bob.wait_message(lambda m: "poll" in m.extra and "Обед" in str(m.extra))
    assert ru.extra["poll"]["question"] == "Обед сейчас?"

    # A participant cannot see or export the results, nor start a poll.
    poll_id = rows(live_app, "SELECT id FROM session_polls")[0][0]
    await ann.press_data(PollCb(action="csv", id=poll_id).pack(), poll.message_id)
    assert "moderators" in (await ann.wait_callback_answer())["text"]
    fake.assert_no_rejections()


async def test_rating_once_after_the_end_never_with_feedback_off(
    fake: FakeTelegram, live_app: App
) -> None:
    ann = await join(fake, 7611, "Ann")
    bob = await join(fake, 7612, "Bob")
    await save(ann, "plenary")
    await save(bob, "plenary")
    await bob.send("/settings")
    settings = await bob.wait_message()
    await bob.press("Feedback requests: on", message=settings)
    await bob.wait_message(lambda m: "Feedback requests: off" in " ".join(m.button_texts()))

    feedback = live_app.dp["session_feedback"]
    assert await feedback.queue_ratings() == 0  # not ended yet
    forged = RateCb(id="plenary", value=5).pack()
    await ann.press_data(forged, ann.last_message.message_id)
    assert "once it has ended" in (await ann.wait_callback_answer())["text"]
    live_app.clock.advance(timedelta(hours=2, minutes=1))  # 12:31, the plenary ended at 12:30
    request = await ann.wait_text("How was", timeout=15)
    assert await feedback.queue_ratings() == 0  # once
    await ann.press("4", message=request)
    thanks = await ann.wait_message(lambda m: m.message_id == request.message_id)
    assert "⭐⭐⭐⭐" in thanks.text
    await ann.press_data(request.buttons()[0][4]["callback_data"], request.message_id)
    assert "already rated" in (await ann.wait_callback_answer())["text"]
    await ann.press("Add a comment", message=thanks)
    await ann.wait_text("comment")
    await ann.send("=cmd() great <b>talks</b>")
    await ann.wait_text("Thank you for the comment")
    assert rows(live_app, "SELECT user_id, rating, comment FROM session_ratings") == [
        (7611, 4, "=cmd() great <b>talks</b>")
    ]
    assert not [m for m in bob.messages if m.from_bot and "How was" in (m.text or "")]

    owner = await join(fake, OWNER_ID, "Olga")
    await owner.send("/feedback")
    summary = await owner.wait_text("Feedback")
    assert "4.0 (1 rating)" in summary.text
    await owner.press("Export comments", message=summary)
    export = await owner.wait_message(lambda m: m.document is not None)
    assert "'=cmd() great <b>talks</b>" in export.document_bytes.decode("utf-8-sig")
    await owner.send("/admin")
    await owner.press("⭐ Feedback", message=await owner.wait_message())
    assert "4.0 (1 rating)" in (await owner.wait_text("Feedback")).text
    await ann.send("/feedback")
    assert "organizers only" in (await ann.wait_message()).text
    fake.assert_no_rejections()


async def test_speaker_link_materials_and_privacy(fake: FakeTelegram, live_app: App) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    speaker = await join(fake, 7621, "Irina", "ru")
    ann = await join(fake, 7622, "Ann")
    await save(ann, "plenary")

    card = await open_card(owner)
    await owner.press("🛡", message=card)
    mod = await owner.wait_message(lambda m: "Moderation" in m.text)
    await owner.press("Invite link", message=mod)
    invite = await owner.wait_text("One-time link")
    token = invite.text.split("start=")[1].split()[0]
    await speaker.send(f"/start {token}")
    await speaker.wait_text("модерируете")
    await speaker.wait_message(lambda m: "Модерация" in m.text)
    mallory = await join(fake, 7623, "Mallory")
    await mallory.send(f"/start {token}")
    assert "used" in (await mallory.wait_message()).text  # one time only

    speaker_card = await open_card(speaker)
    assert any("🛡" in t for t in speaker_card.button_texts())
    assert not any("🔗" in t for t in speaker_card.button_texts())
    await speaker.press("🛡", message=speaker_card)
    speaker_mod = await speaker.wait_message(lambda m: bool(m.buttons()))
    assert not any("🔗" in t for t in speaker_mod.button_texts())  # speakers invite nobody
    await speaker.press("📎", message=speaker_mod)
    await speaker.wait_message()
    await speaker.send_document("slides.pdf", b"%PDF-1.4 slides" * 100)
    await speaker.wait_message(lambda m: "slides.pdf" in m.text)
    await speaker.send("not a link")
    await speaker.wait_message(lambda m: "https://" in m.text)
    await speaker.send("Video — https://example.org/v?a=1&b=2")
    await speaker.wait_message(lambda m: "Video" in m.text)

    ann_card = await open_card(ann)
    assert "📎 Materials (2)" in ann_card.button_texts()
    await ann.press("📎 Materials (2)", message=ann_card)
    listing = await ann.wait_message(lambda m: "Materials" in m.text)
    assert "slides.pdf" in listing.text and "Video" in listing.text
    await ann.press("slides.pdf", message=listing)
    got = await ann.wait_message(lambda m: m.document is not None)
    assert got.document_bytes == b"%PDF-1.4 slides" * 100
    assert not [m for m in ann.messages if m.from_bot and "New materials" in (m.text or "")]

    # After the end: one notice to the people who saved it, however many are added.
    live_app.clock.advance(timedelta(hours=2, minutes=1))
    await speaker.send("https://example.org/photos")
    await speaker.wait_message(lambda m: "photos" in m.text)
    await speaker.send("https://example.org/more")
    await speaker.wait_message(lambda m: "more" in m.text)
    await ann.wait_text("New materials")
    await ann.expect_silence(1.0)
    assert len([m for m in ann.messages if m.from_bot and "New materials" in (m.text or "")]) == 1

    # /mydata shows the questions and ratings; /forget deletes them.
    live_app.clock.advance(timedelta(hours=-2, minutes=-1))
    await ask(ann, "What about buses?")
    await ann.send("/mydata")
    data = await ann.wait_text("buses")
    assert "Questions to the speakers" in data.text
    await ann.send("/forget")
    await ann.press("Yes", message=await ann.wait_message())
    await ann.wait_text("deleted")
    assert rows(live_app, "SELECT count(*) FROM session_questions WHERE user_id = 7622") == [(0,)]
    fake.assert_no_rejections()


def _questions(app: App) -> QuestionService:
    return app.dp["session_questions"]
