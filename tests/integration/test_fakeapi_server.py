"""The fake Bot API server driven by a real aiogram Bot, as the forum bot will drive it."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator

import aiohttp
import aiohttp.web
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputPollOption,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from tests.fakeapi import FakeTelegram, FakeUser, run_in_thread

TOKEN = "7000001:AAHfakeTOKENfakeTOKENfakeTOKEN_abc-12"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x08"
    b"\x08\x02\x00\x00\x00\x00\x00\x00\x00"
)


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


def make_bot(base_url: str, token: str = TOKEN) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode="HTML"))


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    client = make_bot(server.base_url)
    yield client
    await client.session.close()


@pytest.fixture
def alice(server: FakeTelegram) -> FakeUser:
    return server.add_user(id=1001, first_name="Алеся", language_code="be")


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def test_get_me_uses_token_id_and_configured_username(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (7000001, "forum_test_bot", True)


async def test_bad_token_is_unauthorized(server: FakeTelegram) -> None:
    client = make_bot(server.base_url, token="1:short")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await client.get_me()
    finally:
        await client.session.close()


async def test_unknown_method_is_404(server: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.base_url}/bot{TOKEN}/sendTelepathy") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        # JSON bodies and query strings are accepted as well as forms.
        url = f"{server.base_url}/bot{TOKEN}/getUpdates?timeout=0"
        async with http.post(url, json={"limit": 5}) as response:
            assert await response.json() == {"ok": True, "result": []}


async def test_html_message_is_stored_with_utf16_entities(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    sent = await bot.send_message(
        alice.id, "😀 <b>Форум</b> регионов", reply_markup=keyboard(("Программа", "prog"))
    )
    assert sent.text == "😀 Форум регионов"
    assert sent.entities and sent.entities[0].offset == 3 and sent.entities[0].length == 5
    assert sent.from_user and sent.from_user.username == "forum_test_bot"
    (stored,) = server.messages(alice.id)
    assert stored.message_id == sent.message_id
    assert stored.button_texts() == ["Программа"]
    second = await bot.send_message(alice.id, "next")
    assert second.message_id == sent.message_id + 1
    server.assert_no_rejections()


async def test_invalid_html_is_rejected_with_telegram_wording(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(alice.id, "Дата <br> время")
    assert caught.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 9'
    )
    with pytest.raises(TelegramBadRequest, match="Can't find end tag corresponding"):
        await bot.send_message(alice.id, "<b>unclosed")
    with pytest.raises(TelegramBadRequest, match="unsupported parse_mode"):
        await bot.send_message(alice.id, "*x*", parse_mode="Markdown")
    assert len(server.rejected) == 3
    with pytest.raises(AssertionError, match="3 request\\(s\\) rejected"):
        server.assert_no_rejections()


async def test_length_is_counted_after_parsing(bot: Bot, alice: FakeUser) -> None:
    exactly = "<b>" + "я" * 4096 + "</b>"
    assert (await bot.send_message(alice.id, exactly)).text == "я" * 4096
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(alice.id, "😀" * 2049)  # 4098 UTF-16 units
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(alice.id, "<b></b> ")
    document = BufferedInputFile(b"data", filename="a.txt")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message caption is too long"):
        await bot.send_document(alice.id, document, caption="x" * 1025)


async def test_reply_markup_is_validated(bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alice.id, "x", reply_markup=keyboard(("B", "ж" * 33)))
    bad_url = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="site", url="forum.by")]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_URL_INVALID"):
        await bot.send_message(alice.id, "x", reply_markup=bad_url)
    reply = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Телефон", request_contact=True)]], resize_keyboard=True
    )
    await bot.send_message(alice.id, "Поделитесь номером", reply_markup=reply)
    await alice.press("Телефон")
    assert alice.chat.messages[alice.chat.next_message_id - 1].contact is not None


async def test_edits_follow_telegram_rules(server: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    markup = keyboard(("A", "a"))
    sent = await bot.send_message(alice.id, "<i>same</i>", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new"):
        await bot.edit_message_text(
            "<i>same</i>", chat_id=alice.id, message_id=sent.message_id, reply_markup=markup
        )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=alice.id, message_id=sent.message_id, reply_markup=markup
        )
    # Leaving reply_markup out of editMessageText removes the keyboard, as in Telegram.
    edited = await bot.edit_message_text(
        "<i>same</i>", chat_id=alice.id, message_id=sent.message_id
    )
    assert edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
    doc = await bot.send_document(alice.id, BufferedInputFile(b"1", "a.txt"), caption="c")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=doc.message_id)
    await bot.edit_message_caption(chat_id=alice.id, message_id=doc.message_id, caption="new")
    assert await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)
    (_, stored_doc) = server.messages(alice.id)
    assert stored_doc.caption == "new" and stored_doc.edited
    assert server.messages(alice.id)[0].deleted


async def test_blocked_unknown_and_unstarted_chats(server: FakeTelegram, bot: Bot) -> None:
    bob = server.add_user(id=2002, first_name="Боб")
    carol = server.add_user(id=3003, first_name="Carol", started=False)
    bob.block()
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(bob.id, "hi")
    for chat_id in (999999, carol.id):
        with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
            await bot.send_message(chat_id, "hi")
    await carol.send("/start")
    await bot.send_message(carol.id, "welcome")
    assert [r.kind for r in server.errors()] == ["forbidden", "rejected", "rejected"]


async def test_global_rate_limit_answers_429_with_retry_after(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    results = await asyncio.gather(
        *(bot.send_message(alice.id, f"n{i}") for i in range(40)), return_exceptions=True
    )
    limited = [r for r in results if isinstance(r, TelegramRetryAfter)]
    assert limited and all(r.retry_after >= 1 for r in limited)
    # Exactly 30 on any sane machine; a very slow one lets the rolling window move on.
    assert server.sent_count(alice.id) == 40 - len(limited) >= 30
    assert len(server.errors("rate_limited")) == len(limited)
    server.assert_no_rejections()
    # Paid broadcasts have their own, higher limit.
    await bot.send_message(alice.id, "paid", allow_paid_broadcast=True)


async def test_per_chat_rate_limit() -> None:
    async with FakeTelegram(chat_rate=1.0, chat_burst=2) as fake:
        user = fake.add_user(id=5, first_name="U")
        client = make_bot(fake.base_url)
        try:
            await client.send_message(user.id, "1")
            await client.send_message(user.id, "2")
            with pytest.raises(TelegramRetryAfter) as caught:
                await client.send_message(user.id, "3")
            assert caught.value.retry_after == 1
        finally:
            await client.session.close()


async def test_get_updates_long_polls_and_confirms_with_offset(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await alice.send("/start forum2025")
    updates = await poll
    assert time.monotonic() - started < 2
    (update,) = updates
    assert update.message and update.message.text == "/start forum2025"
    assert update.message.entities and update.message.entities[0].type == "bot_command"
    assert update.message.from_user and update.message.from_user.language_code == "be"
    assert await bot.get_updates(timeout=0) == updates  # not confirmed yet
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []


async def test_callback_queries_are_answered_once(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    await bot.send_message(alice.id, "Меню", reply_markup=keyboard(("Программа", "prog")))
    await alice.press("Программа")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query and query.data == "prog" and query.message
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query.id, text="x" * 201)
    await bot.answer_callback_query(query.id, text="Готово")
    assert (await alice.wait_callback_answer(timeout=1))["text"] == "Готово"
    with pytest.raises(TelegramBadRequest, match="query is too old and response timeout"):
        await bot.answer_callback_query(query.id)
    await alice.press_data("forged:1")
    (_, forged) = await bot.get_updates(timeout=0)
    assert forged.callback_query and forged.callback_query.data == "forged:1"


async def test_documents_round_trip(server: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    payload = "Имя;Город\nАлеся;Гродно\n".encode()
    sent = await bot.send_document(
        alice.id, BufferedInputFile(payload, filename="участники.csv"), caption="<b>Список</b>"
    )
    assert sent.document and sent.document.file_name == "участники.csv"
    stored = server.messages(alice.id)[-1]
    assert stored.document_bytes == payload and stored.caption == "Список"
    # A cached file_id can be sent again without uploading.
    again = await bot.send_document(alice.id, sent.document.file_id)
    assert again.document and again.document.file_id == sent.document.file_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(alice.id, "nonexistent-file-id")
    photo = await bot.send_photo(alice.id, BufferedInputFile(PNG, "qr.png"), caption="QR")
    assert photo.photo and (photo.photo[-1].width, photo.photo[-1].height) == (16, 8)
    assert server.messages(alice.id)[-1].photo_bytes == PNG
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(alice.id, BufferedInputFile(b"not an image", "x.png"))


async def test_user_document_can_be_downloaded(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    await alice.send_document("passport.pdf", b"%PDF-1.4 fake", caption="скан")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message and update.message.document
    file = await bot.get_file(update.message.document.file_id)
    assert file.file_size == 13 and file.file_path
    buffer = io.BytesIO()
    await bot.download_file(file.file_path, buffer)
    assert buffer.getvalue() == b"%PDF-1.4 fake"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_other_send_methods(server: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    location = await bot.send_location(alice.id, 53.9, 27.56)
    assert location.location and location.location.latitude == 53.9
    venue = await bot.send_venue(alice.id, 53.9, 27.56, "Минск-Арена", "пр. Победителей, 111")
    assert venue.venue and venue.venue.title == "Минск-Арена"
    assert await bot.send_chat_action(alice.id, "typing")
    assert server.chat_actions(alice.id) == ["typing"]
    server.add_group(-100500, "Анонсы", type="channel", username="forum_news")
    await alice.send("вопрос")
    user_message_id = alice.chat.next_message_id - 1
    forwarded = await bot.forward_message(-100500, alice.id, user_message_id)
    assert forwarded.forward_origin and forwarded.forward_origin.type == "user"
    copied = await bot.copy_message("@forum_news", alice.id, user_message_id)
    assert server.messages(-100500)[-1].message_id == copied.message_id
    assert server.messages(-100500)[-1].text == "вопрос"
    chat = await bot.get_chat(alice.id)
    assert chat.first_name == "Алеся" and chat.type == "private"
    server.assert_no_rejections()


async def test_commands_are_stored_per_scope_and_language(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    commands = [BotCommand(command="start", description="Пачаць")]
    assert await bot.set_my_commands(commands, language_code="be")
    assert await bot.set_my_commands(
        [BotCommand(command="admin", description="Admin")],
        scope=BotCommandScopeChat(chat_id=alice.id),
    )
    assert [c.command for c in await bot.get_my_commands(language_code="be")] == ["start"]
    assert await bot.get_my_commands() == []
    assert server.commands({"type": "chat", "chat_id": alice.id})[0]["command"] == "admin"
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([BotCommand(command="start", description="x" * 257)])


async def test_fault_injection(server: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    server.burst_429(2, retry_after=3)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(alice.id, "x")
        assert caught.value.retry_after == 3
    server.fail_rate = 1.0
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(alice.id, "x")
    server.fail_rate, server.drop_rate = 0.0, 1.0
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(alice.id, "x")
    server.drop_rate = 0.0
    await server.down()
    with pytest.raises(TelegramNetworkError):
        await bot.get_me()
    await server.up()
    await bot.send_message(alice.id, "back")
    assert server.sent_count(alice.id) == 1
    assert {r.kind for r in server.errors()} == {"rate_limited", "fault"}
    server.assert_no_rejections()


async def test_drop_after_processing_delivers_but_loses_the_answer(alice: FakeUser) -> None:
    async with FakeTelegram(drop_rate=1.0, drop_after_processing=True) as fake:
        user = fake.add_user(id=7, first_name="U")
        client = make_bot(fake.base_url)
        try:
            with pytest.raises(TelegramNetworkError):
                await client.send_message(user.id, "maybe")
        finally:
            await client.session.close()
        assert fake.sent_count(user.id) == 1


async def test_conversation_helpers(server: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    async def fake_handler() -> None:
        (update,) = await bot.get_updates(timeout=5)
        assert update.message
        menu = keyboard(("Программа", "prog"), ("Города-побратимы", "twins"))
        await bot.send_message(update.message.chat.id, "Форум регионов", reply_markup=menu)

    task = asyncio.create_task(fake_handler())
    await alice.send("/start")
    message = await alice.wait_message(timeout=5)
    await task
    assert "Форум" in message.text
    await alice.press("Города")
    (_, pressed) = await bot.get_updates(timeout=0)
    assert pressed.callback_query and pressed.callback_query.data == "twins"
    await bot.edit_message_text(
        "Гродно — Смоленск", chat_id=alice.id, message_id=message.message_id
    )
    edited = await alice.wait_text("Смоленск", timeout=1)
    assert edited.edited and edited.message_id == message.message_id
    assert alice.last_message and alice.last_message.text == "Гродно — Смоленск"
    with pytest.raises(AssertionError, match="no new bot message") as caught:
        await alice.wait_message(timeout=0.2)
    assert "Гродно — Смоленск" in str(caught.value)  # the transcript is in the failure
    with pytest.raises(AssertionError, match="no button"):
        await alice.press("Нет такой")


async def test_runs_in_a_thread_for_benchmarks() -> None:
    threaded = run_in_thread(global_rate=None)
    try:
        user = threaded.call_soon(lambda: threaded.server.add_user(id=9, first_name="T"))
        client = make_bot(threaded.base_url)
        try:
            for i in range(50):
                await client.send_message(user.id, f"msg {i}")
        finally:
            await client.session.close()
        assert threaded.call_soon(lambda: threaded.server.sent_count(9)) == 50
    finally:
        threaded.stop()


async def test_aiogram_dispatcher_polls_the_fake(server: FakeTelegram, bot: Bot) -> None:
    from aiogram import Dispatcher, F
    from aiogram.filters import CommandStart
    from aiogram.types import CallbackQuery, Message

    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        menu = keyboard(("Программа", "prog"))
        await message.answer(f"<b>Форум</b>, {message.from_user.first_name}!", reply_markup=menu)

    @dispatcher.callback_query(F.data == "prog")
    async def program(query: CallbackQuery) -> None:
        await query.message.edit_text("10:00 — открытие")
        await query.answer()

    alice = server.add_user(id=42, first_name="Алеся")
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=1, handle_signals=False, close_bot_session=False
        )
    )
    try:
        await alice.send("/start")
        greeting = await alice.wait_text("Форум", timeout=5)
        assert greeting.text == "Форум, Алеся!"
        await alice.press("Программа")
        assert (await alice.wait_message(timeout=5)).text == "10:00 — открытие"
        assert await alice.wait_callback_answer(timeout=5) is not None
    finally:
        await dispatcher.stop_polling()
        await polling
    assert server.errors() == []


async def test_user_updates_parse_as_aiogram_types(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    bob = server.add_user(id=2002, first_name="Боб", username="bob")
    await alice.share_contact("+375291234567")
    await alice.send_location(53.68, 23.83)
    await alice.send_photo(PNG, caption="фото")
    await alice.forward_from(bob, "Приглашаю на форум")
    alice.block()
    alice.unblock()
    await bot.send_message(alice.id, "Выберите", reply_markup=keyboard(("A", "a"), ("B", "b")))
    await alice.press((1, 0))
    updates = await bot.get_updates(timeout=0)
    contact, location, photo, forwarded, blocked, unblocked, pressed = updates
    assert contact.message and contact.message.contact
    assert contact.message.contact.user_id == alice.id
    assert location.message and location.message.location
    assert photo.message and photo.message.photo and photo.message.caption == "фото"
    file = await bot.get_file(photo.message.photo[-1].file_id)
    assert file.file_path and (await bot.download_file(file.file_path)).read() == PNG
    origin = forwarded.message and forwarded.message.forward_origin
    assert origin and origin.type == "user" and origin.sender_user.username == "bob"
    assert blocked.my_chat_member and blocked.my_chat_member.new_chat_member.status == "kicked"
    assert unblocked.my_chat_member
    assert pressed.callback_query and pressed.callback_query.data == "b"
    assert server.unanswered_callbacks()[0].data == "b"


async def test_menu_button_is_stored(bot: Bot, alice: FakeUser) -> None:
    from aiogram.types import MenuButtonCommands, MenuButtonWebApp, WebAppInfo

    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert (await bot.get_chat_menu_button(alice.id)).type == "commands"
    insecure = MenuButtonWebApp(text="App", web_app=WebAppInfo(url="http://forum.by"))
    with pytest.raises(TelegramBadRequest, match="BUTTON_URL_INVALID"):
        await bot.set_chat_menu_button(chat_id=alice.id, menu_button=insecure)


async def test_webhook_delivery_with_secret_retry_and_polling_conflict(
    server: FakeTelegram, bot: Bot
) -> None:
    """The fake posts updates to a webhook as Telegram does: the secret in a header, again
    after an error answer, gone from the queue after a 2xx; getUpdates is refused meanwhile."""
    received: list[tuple[int, str | None]] = []

    async def hook(request: aiohttp.web.Request) -> aiohttp.web.Response:
        update = await request.json()
        received.append(
            (update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        first_of_one = [u for u, _ in received].count(1) == 1 and update["update_id"] == 1
        return aiohttp.web.json_response({}, status=500 if first_of_one else 200)

    app = aiohttp.web.Application()
    app.router.add_post("/hook", hook)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
            await bot.set_webhook("http://example.org/hook")
        user = server.add_user(77, "Hook")
        await bot.set_webhook(
            f"http://127.0.0.1:{port}/hook", secret_token="s3cret", allowed_updates=["message"]
        )
        await user.send("/start")
        await user.send("second")
        deadline = time.monotonic() + 10
        while len(received) < 3 and time.monotonic() < deadline:
            await server.wait_changed(0.2)
        # Updates go out concurrently (max_connections), so only the multiset is fixed.
        assert sorted(received) == [(1, "s3cret"), (1, "s3cret"), (2, "s3cret")]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert "500" in (info.last_error_message or "")
        with pytest.raises(TelegramConflictError):
            await bot.get_updates(timeout=0)
        await bot.delete_webhook()
        await user.send("third")
        assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["third"]
    finally:
        await runner.cleanup()


def options(*texts: str) -> list[InputPollOption]:
    return [InputPollOption(text=t, text_parse_mode=None) for t in texts]


async def test_polls_are_checked_answered_and_stopped_as_in_telegram(
    server: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    """sendPoll: question 1-300 and 2-10 options of 1-100 characters after parsing, no two
    the same; a poll_answer update only for a poll that is not anonymous; stopPoll once."""
    bad = [
        ("", options("a", "b"), "poll question must be non-empty"),
        ("Q" * 301, options("a", "b"), "question length"),
        ("Q?", options("a"), "at least 2 option"),
        ("Q?", options(*[str(i) for i in range(11)]), "more than 10 options"),
        ("Q?", options("a", "b" * 101), "options length"),
        ("Q?", options("a", "a"), "POLL_OPTION_DUPLICATE"),
        ("<b>Q?", options("a", "b"), "can't parse entities"),
    ]
    for question, choices, error in bad:
        with pytest.raises(TelegramBadRequest, match=error):
            await bot.send_poll(alice.id, question, choices, is_anonymous=False)
    # 300 characters after the tags are parsed away is fine.
    long = await bot.send_poll(alice.id, "<b>" + "Q" * 300 + "</b>", options("a", "b"))
    assert long.poll and len(long.poll.question) == 300 and long.poll.is_anonymous

    anonymous = server.messages(alice.id)[-1]
    assert await alice.answer_poll(anonymous, [0]) == {}  # no update for an anonymous poll
    sent = await bot.send_poll(
        alice.id, "Which?", options("One", "Two"), question_parse_mode=None, is_anonymous=False
    )
    assert sent.poll and not sent.poll.is_anonymous
    message = server.messages(alice.id)[-1]
    await alice.answer_poll(message, [1])
    await alice.answer_poll(message, [])  # taken back
    updates = await bot.get_updates(timeout=0)
    first, second = (u.poll_answer for u in updates)
    assert first and first.poll_id == sent.poll.id and first.option_ids == [1]
    assert first.user and first.user.id == alice.id
    assert second and second.option_ids == []
    with pytest.raises(TelegramBadRequest, match="there is no text"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=sent.message_id)
    stopped = await bot.stop_poll(alice.id, sent.message_id)
    assert stopped.is_closed
    with pytest.raises(TelegramBadRequest, match="already been closed"):
        await bot.stop_poll(alice.id, sent.message_id)
    with pytest.raises(AssertionError, match="closed"):
        await alice.answer_poll(message, [0])
    alice.block()
    with pytest.raises(TelegramForbiddenError):
        await bot.send_poll(alice.id, "Q?", options("a", "b"))
