"""The bot's Bot API session against the fake server: JSON bodies reach Telegram as the form
did, files still go as uploads, errors are still aiogram's, answers parse without keyboards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import create_bot
from bot.session import BotSession, json_payload
from bot.settings import Settings
from tests.fakeapi import FakeTelegram
from tests.harness import TOKEN


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(global_rate=None)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    settings = Settings(_env_file=None, bot_token=TOKEN, bot_api_url=fake.base_url)  # type: ignore[call-arg]
    made = create_bot(settings)
    assert isinstance(made.session, BotSession)
    try:
        yield made
    finally:
        await made.session.close()


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Программа", callback_data="m:schedule")],
            [InlineKeyboardButton(text="Карта", url="https://example.org/map?a=1&b=2")],
        ]
    )


async def test_a_message_with_markup_and_buttons_arrives_as_sent(
    fake: FakeTelegram, bot: Bot
) -> None:
    anna = fake.add_user(101, "Anna")
    sent = await bot.send_message(anna.id, "<b>Пленарное</b> & «зал» 100%", reply_markup=keyboard())
    shown = fake.messages(anna.id)[-1]
    assert shown.text == "Пленарное & «зал» 100%"
    assert shown.buttons() == keyboard().model_dump(exclude_none=True)["inline_keyboard"]
    # The bot's defaults (HTML, no link previews) went with it.
    params = fake.requests("sendMessage")[-1].params
    assert params["parse_mode"] == "HTML"
    assert params["link_preview_options"] == {"is_disabled": True}
    assert sent.message_id == shown.message_id and sent.text == shown.text
    # Not parsed back: the bot never reads what it has just sent.
    assert sent.reply_markup is None and sent.entities is None


async def test_edits_callbacks_and_removed_keyboards(fake: FakeTelegram, bot: Bot) -> None:
    anna = fake.add_user(102, "Anna")
    sent = await bot.send_message(anna.id, "one", reply_markup=keyboard())
    await bot.edit_message_text("two", chat_id=anna.id, message_id=sent.message_id)
    shown = fake.messages(anna.id)[-1]
    assert shown.text == "two" and not shown.buttons()
    await anna.press_data("m:schedule", sent.message_id)
    query = fake.callbacks[max(fake.callbacks)]
    assert await bot.answer_callback_query(query.id, "Готово", show_alert=True)
    assert query.answer == {"text": "Готово", "show_alert": True, "url": None, "cache_time": 0}


async def test_files_still_go_as_uploads(fake: FakeTelegram, bot: Bot) -> None:
    anna = fake.add_user(103, "Anna")
    content = "id;name\n1;Анна\n".encode()
    await bot.send_document(
        anna.id, BufferedInputFile(content, "export.csv"), caption="<i>export</i>"
    )
    shown = fake.messages(anna.id)[-1]
    assert shown.caption == "export"
    assert shown.document_bytes == content


async def test_errors_are_aiograms(fake: FakeTelegram, bot: Bot) -> None:
    anna = fake.add_user(104, "Anna")
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(anna.id, "<b>unclosed")
    anna.block()
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(anna.id, "hello")


def test_the_payload_leaves_out_empty_fields_and_resolves_defaults() -> None:
    bot = Bot(TOKEN)
    from aiogram.methods import BanChatMember, SendMessage

    payload = json_payload(bot, SendMessage(chat_id=5, text="hi", disable_notification=False))
    assert payload == {"chat_id": 5, "text": "hi", "disable_notification": False}
    ban = json_payload(bot, BanChatMember(chat_id=5, user_id=6, until_date=timedelta(0)))
    assert ban is not None and isinstance(ban["until_date"], int)
    assert json_payload(bot, SendMessage(chat_id=5, text="")) == {"chat_id": 5}
