"""Questions to the speakers in-process: asking (limits, links held, one a minute, muted),
votes once per question with lists edited only when they change, the moderator's actions
(audited; the author told), and participants refused moderation, forged buttons included."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.keyboards.session_live import LiveCb, QuestionCb
from bot.services.session_questions import QuestionService
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, running_app
from tests.integration.test_program_upload import join
from tests.session_helpers import DURING_PLENARY, ask, open_card, vote_data


@pytest.fixture
async def live_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = None
    async with running_app(fake, tmp_path, send_rate=1000, clock_start=DURING_PLENARY) as app:
        yield app


def rows(app: App, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(app.settings.database_path) as conn:
        return conn.execute(sql).fetchall()


def service(app: App) -> QuestionService:
    return app.dp["session_questions"]


async def test_ask_vote_moderate(fake: FakeTelegram, live_app: App) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    ann = await join(fake, 7501, "Ann")
    bob = await join(fake, 7502, "Bob", "ru")
    carl = await join(fake, 7503, "Carl")

    card = await open_card(ann)
    assert "❓ Ask a question" in card.button_texts()
    assert not any("Moderate" in t for t in card.button_texts())

    # Pressing Ask then typing a command leaves the wait: the next text is not a question.
    await ann.press("❓ Ask a question", message=card)
    await ann.wait_text("Write your question")
    await ann.send("/now")
    await ann.wait_message()
    await ann.send("wifi password?")
    assert "Forum2027" in (await ann.wait_message()).text

    done = await ask(ann, "How will <twin> cities share buses?")
    assert "is sent" in done.text
    done = await ask(bob, "Когда следующий форум?", anonymous=True)
    assert "отправлен" in done.text
    held = await ask(carl, "See www.example.org for my idea")
    assert "link" in held.text
    # One a minute: Carl's next question waits.
    again = await ask(carl, "And another one?")
    assert "One question a minute" in again.text
    live_app.clock.advance(timedelta(seconds=61))
    again = await ask(carl, "And another one?")
    assert "is sent" in again.text

    # Bob opens the list: held questions are not shown; he votes once for Ann's.
    card = await open_card(bob)
    await bob.press("💬", message=card)
    listing = await bob.wait_message(lambda m: "👍" in m.text)
    assert "&lt;twin&gt;" not in listing.text and "<twin>" in listing.text
    assert "example.org" not in listing.text
    assert "анонимно" in listing.text  # Bob's own question, anonymous
    votes = vote_data(listing)
    assert len(votes) == 3
    ann_vote = votes["👍 1"]
    await bob.press("👍 1", message=listing)
    assert "учтён" in (await bob.wait_callback_answer())["text"]
    await bob.press_data(ann_vote, listing.message_id)
    assert "уже" in (await bob.wait_callback_answer())["text"]
    assert rows(live_app, "SELECT count(*) FROM session_question_votes") == [(1,)]

    # Carl and Ann vote for Carl's second question: it goes first after two votes.
    card = await open_card(carl)
    await carl.press("💬", message=card)
    carl_list = await carl.wait_message(lambda m: "👍" in m.text)
    await service(live_app).flush()
    carl_q = next(d for t, d in vote_data(carl_list).items() if t.endswith("3"))
    await carl.press_data(carl_q, carl_list.message_id)
    await carl.wait_callback_answer()
    await ann.press_data(carl_q, (await open_card(ann)).message_id)
    await ann.wait_callback_answer()
    carl.skip_pending()
    bob.skip_pending()
    assert await service(live_app).flush() == 2  # both open lists, once each
    edited = await carl.wait_message(lambda m: m.message_id == carl_list.message_id)
    assert edited.text.index("another one") < edited.text.index("twin")
    assert "✔" in " ".join(edited.button_texts())
    await bob.wait_message(lambda m: m.message_id == listing.message_id)
    assert await service(live_app).flush() == 0  # nothing changed: no edit

    # A participant cannot moderate, forged buttons included.
    hide = QuestionCb(action="h", id=1).pack()
    await carl.press_data(hide, carl_list.message_id)
    assert "moderators" in (await carl.wait_callback_answer())["text"]
    await carl.press_data(LiveCb(action="mod", id="plenary").pack(), carl_list.message_id)
    assert "moderators" in (await carl.wait_callback_answer())["text"]
    assert rows(live_app, "SELECT status FROM session_questions WHERE id = 1") == [("open",)]

    # The organizer moderates: held first; show it, hide one, answer Ann's, mute Carl.
    card = await open_card(owner)
    await owner.press("🛡", message=card)
    mod = await owner.wait_message(lambda m: "Moderation" in m.text)
    first_line = mod.text.split("\n")[3]
    assert "example.org" in first_line and "held" in first_line
    ids = {r[1]: r[0] for r in rows(live_app, "SELECT id, text FROM session_questions")}
    ann_id = ids["How will <twin> cities share buses?"]
    bob_id = ids["Когда следующий форум?"]
    await owner.press_data(QuestionCb(action="h", id=bob_id).pack(), mod.message_id)
    assert "Hidden" in (await owner.wait_callback_answer())["text"]
    await owner.press_data(QuestionCb(action="a", id=ann_id).pack(), mod.message_id)
    await owner.wait_callback_answer()
    told = await ann.wait_text("was answered")
    assert "&lt;" not in told.text and "<twin>" in told.text
    carl_first = ids["See www.example.org for my idea"]
    await owner.press_data(QuestionCb(action="m", id=carl_first).pack(), mod.message_id)
    await owner.wait_callback_answer()
    card = await open_card(carl)
    await carl.press("❓", message=card)
    assert "closed questions from you" in (await carl.wait_callback_answer())["text"]

    await service(live_app).flush()
    hidden_for_all = await bob.wait_message(lambda m: m.message_id == listing.message_id)
    assert "следующий форум" not in hidden_for_all.text
    assert "✅" in hidden_for_all.text
    actions = [r[0] for r in rows(live_app, "SELECT action FROM audit_log ORDER BY id")]
    assert actions == [
        "session.question.hidden",
        "session.question.answered",
        "session.question.muted",
    ]
    fake.assert_no_rejections()


async def test_votes_never_queue_a_backlog_of_edits(fake: FakeTelegram, live_app: App) -> None:
    """With the queue held, many votes leave one waiting edit per open list, holding the
    newest content; once the queue moves, that one edit is sent."""
    ann = await join(fake, 7511, "Ann")
    bob = await join(fake, 7512, "Bob")
    await ask(ann, "First question?")
    listing_card = await open_card(bob)
    await bob.press("💬", message=listing_card)
    listing = await bob.wait_message(lambda m: "👍" in m.text)
    engine, db = live_app.engine, live_app.db
    group = ("list-edit", "list:plenary")
    engine.hold(*group, "pause")
    async with db.transaction():
        await db.deliveries.hold(*group, "pause")
    voters = [await join(fake, 7520 + i, f"Voter{i}") for i in range(4)]
    qid = rows(live_app, "SELECT id FROM session_questions")[0][0]
    for voter in voters:
        card = await open_card(voter)
        await voter.press_data(QuestionCb(action="v", id=int(qid)).pack(), card.message_id)
        await voter.wait_callback_answer()
        await service(live_app).flush()
    waiting = rows(
        live_app,
        "SELECT payload FROM deliveries WHERE kind = 'list-edit' AND user_id = 7512",
    )
    assert len(waiting) == 1 and "👍 4" in str(waiting[0][0])
    bob.skip_pending()
    async with db.transaction():
        await db.deliveries.unhold(*group)
    engine.unhold(*group)
    edited = await bob.wait_message(lambda m: m.message_id == listing.message_id)
    assert "👍 4" in edited.text
    await bob.expect_silence(0.5)
    fake.assert_no_rejections()


async def test_forget_leaves_no_question_in_others_lists(fake: FakeTelegram, live_app: App) -> None:
    """After /forget, the person's question and name are gone from the database file, the
    open lists of others included (their queued or sent edits), and those lists are drawn
    again without it."""
    ann = await join(fake, 7531, "Zenobia")
    bob = await join(fake, 7532, "Bob")
    marker = "Qwertyuiop marker question?"
    await ask(ann, marker)
    card = await open_card(bob)
    await bob.press("💬", message=card)
    listing = await bob.wait_message(lambda m: "👍" in m.text)
    carl = await join(fake, 7533, "Carl")
    await ask(carl, "Another one?")
    await service(live_app).flush()
    await bob.wait_message(lambda m: m.message_id == listing.message_id and "Another" in m.text)
    await ann.send("/forget")
    await ann.press("Yes", message=await ann.wait_message())
    await ann.wait_text("deleted")
    bob.skip_pending()
    await service(live_app).flush()
    redrawn = await bob.wait_message(lambda m: m.message_id == listing.message_id)
    assert marker not in redrawn.text and "Zenobia" not in redrawn.text
    await service(live_app).flush()  # the redraw, sent, is not kept either
    async with live_app.db.transaction():
        await live_app.db.session_questions.purge_finished_edits()
    await live_app.db.scrub()
    path = Path(live_app.settings.database_path)
    for name in (path, path.with_name(path.name + "-wal")):
        if name.exists():
            data = name.read_bytes()
            assert marker.encode() not in data and b"Zenobia" not in data, name


async def test_a_list_whose_message_is_gone_is_no_longer_edited(
    fake: FakeTelegram, live_app: App
) -> None:
    ann = await join(fake, 7541, "Ann")
    bob = await join(fake, 7542, "Bob")
    card = await open_card(bob)
    await bob.press("💬", message=card)
    await bob.wait_message(lambda m: "💬" in m.text)
    fake.add_user(bob.id, "Bob", language_code="en")  # his chat is emptied: the list is gone
    await ask(ann, "First?")
    assert await service(live_app).flush() == 1
    for _ in range(100):  # the edit fails: the message is not there
        if rows(live_app, "SELECT count(*) FROM deliveries WHERE status = 'failed'") == [(1,)]:
            break
        await asyncio.sleep(0.05)
    live_app.clock.advance(timedelta(seconds=61))
    await ask(ann, "Second?")
    assert await service(live_app).flush() == 0  # the lost list is dropped, not edited again
    assert rows(live_app, "SELECT count(*) FROM session_views WHERE user_id = 7542") == [(0,)]
    assert [r.description for r in fake.rejected] == ["Bad Request: message to edit not found"]
