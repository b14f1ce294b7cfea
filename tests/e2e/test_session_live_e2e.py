"""In the session, against the real bot process and the fake Bot API (issue 15): three people
ask and vote, the moderator sees the order, hides one and answers one (its author is told);
a poll reaches the people who saved the session and is counted from poll answers; materials
are attached and downloaded; a participant cannot moderate, forged buttons included; and a
rating request arrives once when a saved session ends (the bot's clock set just before)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.keyboards.session_live import LiveCb, PollCb, QuestionCb
from tests.fakeapi import FakeTelegram, FakeUser
from tests.fakeapi.models import FakeMessage
from tests.harness import OWNER_ID, BotProcess, bot_env
from tests.session_helpers import DURING_PLENARY, ask, open_card

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Open lists are edited by a flush every 3 s: a generous deadline on a loaded machine.
EDIT_WAIT = 20


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live_bot(
    shared_fake: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("live")
    process = BotProcess(
        shared_fake, bot_env(shared_fake, tmp, clock_start=DURING_PLENARY), tmp / "bot.log"
    )
    await process.start()
    try:
        yield process
    finally:
        if process.proc and process.proc.poll() is None:
            await process.stop()
        process.assert_clean_log()


def rows(bot: BotProcess, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(Path(bot.env["DATABASE_PATH"])) as conn:
        return conn.execute(sql).fetchall()


async def join(fake: FakeTelegram, user_id: int, name: str, language: str = "ru") -> FakeUser:
    """A person who started the bot; the same one again in a later test of the module (adding
    them anew would empty their chat, and the bot's late edits there would find nothing)."""
    known = fake.users.get(user_id)
    if known is not None:
        known.skip_pending()
        return known
    user = fake.add_user(user_id, name, language_code=language)
    await user.send("/start")
    await user.wait_message()
    return user


async def save(user: FakeUser, session_id: str = "plenary") -> None:
    card = await open_card(user, session_id)
    await user.press("⭐", message=card)
    await user.wait_message(lambda m: "✖" in " ".join(m.button_texts()))


async def open_list(user: FakeUser) -> FakeMessage:
    card = await open_card(user)
    await user.press("💬", message=card)
    return await user.wait_message(lambda m: "👍" in m.text or "👍" in " ".join(m.button_texts()))


async def test_three_ask_and_vote_the_moderator_hides_and_answers(
    shared_fake: FakeTelegram, live_bot: BotProcess
) -> None:
    fake = shared_fake
    owner = await join(fake, OWNER_ID, "Olga", "en")
    ann = await join(fake, 8101, "Анна")
    bob = await join(fake, 8102, "Bob", "en")
    carl = await join(fake, 8103, "Алесь", "be")

    assert "адпраўлена" in (await ask(carl, "Калі будзе наступны форум?")).text
    assert "отправлен" in (await ask(ann, "Как будут <b>связаны</b> города?")).text
    assert "is sent" in (await ask(bob, "Will the slides be shared?", anonymous=True)).text

    # Each votes once for someone else's question; Ann's gets two votes, Carl's one.
    ids = {r[1]: r[0] for r in rows(live_bot, "SELECT id, text FROM session_questions")}
    ann_q = ids["Как будут <b>связаны</b> города?"]
    bob_q = ids["Will the slides be shared?"]
    carl_q = ids["Калі будзе наступны форум?"]
    ann_list = await open_list(ann)
    await ann.press_data(QuestionCb(action="v", id=carl_q).pack(), ann_list.message_id)
    assert "учтён" in (await ann.wait_callback_answer())["text"]
    bob_list = await open_list(bob)
    assert "<b>связаны</b>" in bob_list.text  # shown as typed, not as markup
    await bob.press_data(QuestionCb(action="v", id=ann_q).pack(), bob_list.message_id)
    await bob.wait_callback_answer()
    await bob.press_data(QuestionCb(action="v", id=ann_q).pack(), bob_list.message_id)
    assert "already" in (await bob.wait_callback_answer())["text"]  # once per question
    carl_list = await open_list(carl)
    await carl.press_data(QuestionCb(action="v", id=ann_q).pack(), carl_list.message_id)
    await carl.wait_callback_answer()

    # The lists are edited in place: Ann's question first with two votes.
    edited = await bob.wait_message(
        lambda m: m.message_id == bob_list.message_id and "👍 2" in m.text, timeout=EDIT_WAIT
    )
    lines = [line for line in edited.text.split("\n") if "👍" in line and "." in line]
    assert "связаны" in lines[0] and "форум" in lines[1] and "slides" in lines[2]

    # A participant cannot moderate: the card has no moderator button, forged ones fail.
    card = await open_card(carl)
    assert not any("🛡" in t for t in card.button_texts())
    for data in (
        QuestionCb(action="h", id=ann_q).pack(),
        QuestionCb(action="a", id=ann_q).pack(),
        QuestionCb(action="m", id=bob_q).pack(),
        LiveCb(action="mod", id="plenary").pack(),
        LiveCb(action="poll", id="plenary").pack(),
        LiveCb(action="inv", id="plenary").pack(),
    ):
        await carl.press_data(data, card.message_id)
        answer = await carl.wait_callback_answer()
        assert answer["show_alert"] and "мадэратары" in answer["text"], data
    assert rows(live_bot, "SELECT DISTINCT status FROM session_questions") == [("open",)]
    assert rows(live_bot, "SELECT count(*) FROM session_mutes") == [(0,)]

    # The moderator sees the order, hides Bob's and marks Ann's answered.
    card = await open_card(owner)
    await owner.press("🛡 Moderate", message=card)
    mod = await owner.wait_message(lambda m: "Moderation" in m.text)
    order = [line for line in mod.text.split("\n") if "👍" in line]
    assert "связаны" in order[0] and "👍 2" in order[0]
    assert "форум" in order[1] and "slides" in order[2] and "anonymous" in order[2]
    await owner.press_data(QuestionCb(action="h", id=bob_q).pack(), mod.message_id)
    assert "Hidden" in (await owner.wait_callback_answer())["text"]
    await owner.press("1 ✅", message=mod)
    assert "author is told" in (await owner.wait_callback_answer())["text"]
    told = await ann.wait_text("ответили")
    assert "<b>связаны</b>" in told.text

    # Hidden for everyone: Bob's own list loses his question.
    gone = await bob.wait_message(
        lambda m: m.message_id == bob_list.message_id and "slides" not in m.text,
        timeout=EDIT_WAIT,
    )
    assert "✅" in gone.text
    actions = rows(live_bot, "SELECT action, subject_id FROM audit_log ORDER BY id")
    assert actions == [("session.question.hidden", 8102), ("session.question.answered", 8101)]
    fake.assert_no_rejections()


async def test_a_poll_reaches_the_savers_and_is_counted_from_answers(
    shared_fake: FakeTelegram, live_bot: BotProcess
) -> None:
    fake = shared_fake
    owner = await join(fake, OWNER_ID, "Olga", "en")
    dana = await join(fake, 8111, "Дана")
    egor = await join(fake, 8112, "Егор")
    fedor = await join(fake, 8113, "Фёдор")  # saved another session: no poll
    await save(dana)
    await save(egor)
    await save(fedor, "d2-press")

    card = await open_card(owner)
    await owner.press("🛡 Moderate", message=card)
    mod = await owner.wait_message(lambda m: "Moderation" in m.text)
    await owner.press("📊 New poll", message=mod)
    await owner.wait_text("2 to 10")
    await owner.send("Какая тема следующей секции?\nТранспорт\nЭнергетика\nТуризм")
    confirm = await owner.wait_message(lambda m: bool(m.buttons()))
    sends = [t for t in confirm.button_texts() if t.startswith("Send to")]
    await owner.press(sends[0], message=confirm)
    results = await owner.wait_text("Poll results")

    polls = {}
    for user in (dana, egor):
        polls[user.id] = await user.wait_message(lambda m: "poll" in m.extra)
        assert polls[user.id].extra["poll"]["is_anonymous"] is False
    assert not [m for m in fedor.messages if "poll" in m.extra]
    await dana.answer_poll(polls[dana.id], [1])
    await egor.answer_poll(polls[egor.id], [1])
    live = await owner.wait_message(
        lambda m: m.message_id == results.message_id and "Энергетика — 2 (100%)" in m.text,
        timeout=EDIT_WAIT,
    )
    assert "Транспорт — 0 (0%)" in live.text
    await egor.answer_poll(polls[egor.id], [2])  # changes his answer
    await owner.wait_message(
        lambda m: m.message_id == results.message_id and "Туризм — 1 (50%)" in m.text,
        timeout=EDIT_WAIT,
    )
    # A participant cannot read or export the results, forged buttons included.
    poll_id = rows(live_bot, "SELECT id FROM session_polls")[0][0]
    for action in ("csv", "res"):
        await dana.press_data(PollCb(action=action, id=poll_id).pack(), polls[dana.id].message_id)
        assert "модераторы" in (await dana.wait_callback_answer())["text"]
    requests = [r for r in fake.requests("sendPoll") if r.status == 200]
    assert sorted(int(r.params["chat_id"]) for r in requests) == [dana.id, egor.id]
    fake.assert_no_rejections()


async def test_materials_are_attached_and_downloaded(
    shared_fake: FakeTelegram, live_bot: BotProcess
) -> None:
    fake = shared_fake
    owner = await join(fake, OWNER_ID, "Olga", "en")
    gleb = await join(fake, 8121, "Глеб")
    card = await open_card(owner)
    await owner.press("🛡 Moderate", message=card)
    mod = await owner.wait_message(lambda m: "Moderation" in m.text)
    await owner.press("📎 Add material", message=mod)
    await owner.wait_text("Send the files")
    slides = b"%PDF-1.7\n" + bytes(range(256)) * 40
    await owner.send_document("plenary-slides.pdf", slides)
    await owner.wait_text("plenary-slides.pdf")
    await owner.send("Stream recording — https://example.org/rec?a=1&b=2")
    await owner.wait_text("Stream recording")
    await owner.send("https://example.org/photos")
    await owner.wait_text("example.org/photos")
    await owner.press("Done", message=owner.last_message)

    card = await open_card(gleb)
    assert "📎 Материалы (3)" in card.button_texts()
    await gleb.press("📎 Материалы (3)", message=card)
    listing = await gleb.wait_text("Материалы")
    assert "Stream recording" in listing.text
    await gleb.press("plenary-slides.pdf", message=listing)
    got = await gleb.wait_message(lambda m: m.document is not None)
    assert got.document_bytes == slides and got.file_name == "plenary-slides.pdf"
    fake.assert_no_rejections()


async def test_a_rating_arrives_once_when_the_saved_session_ends(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # A server of its own: the module's bot keeps polling the shared one.
    fake = FakeTelegram()
    await fake.start()
    tmp = tmp_path_factory.mktemp("rating")
    # The plenary ends at 12:30: the bot's clock starts 40 s before.
    env = bot_env(fake, tmp, clock_start="2027-06-25T12:29:20")
    process = BotProcess(fake, env, tmp / "bot.log")
    try:
        await process.start()
        hanna = await join(fake, 8131, "Ганна", "be")
        ivan = await join(fake, 8132, "Иван")
        await save(hanna)
        await save(ivan)
        await ivan.send("/settings")
        settings = await ivan.wait_message()
        await ivan.press("⭐", message=settings)
        await ivan.wait_message(lambda m: "выкл" in " ".join(m.button_texts()))

        request = await hanna.wait_text("Як вам", timeout=90)
        await hanna.press("5", message=request)
        thanks = await hanna.wait_message(lambda m: m.message_id == request.message_id)
        assert "⭐⭐⭐⭐⭐" in thanks.text
        await hanna.press_data(request.buttons()[0][1]["callback_data"], request.message_id)
        assert "ўжо ацанілі" in (await hanna.wait_callback_answer())["text"]
        await hanna.expect_silence(25)  # a tick later: no second request
        asked = [m for kind, m in hanna.chat.events if kind == "new" and "Як вам" in m.content]
        assert len(asked) == 1
        assert not [m for kind, m in ivan.chat.events if "Как вам" in m.content]
        assert rows(process, "SELECT user_id, rating FROM session_ratings") == [(8131, 5)]
        fake.assert_no_rejections()
    finally:
        if process.proc and process.proc.poll() is None:
            await process.stop()
        await fake.stop()
        process.assert_clean_log()
