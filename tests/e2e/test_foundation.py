"""The real process: language, greeting, commands, clean stop, and start-up failures."""

from __future__ import annotations

import pytest

from tests.fakeapi import FakeTelegram
from tests.harness import BotProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_belarusian_user_is_greeted_in_belarusian_and_can_switch_to_english(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake = shared_fake
    alesia = fake.add_user(5001, "Алеся", language_code="be")

    await alesia.send("/start")
    greeting = await alesia.wait_message()
    assert "Прывітанне, Алеся!" in greeting.text
    assert "Форум гарадоў-пабрацімаў Беларусі і Расіі" in greeting.text
    assert "Праграма" in " ".join(greeting.button_texts())

    await alesia.send("/language")
    choice = await alesia.wait_message()
    assert "English" in choice.button_texts()[-1]
    await alesia.press("English")
    done = await alesia.wait_text("Done")
    assert "Schedule" in " ".join(done.button_texts())

    await alesia.send("/help")
    help_message = await alesia.wait_message()
    assert "What I can do" in help_message.text

    # Commands were registered for every language the bot speaks.
    assert fake.commands(language_code="be") and fake.commands(language_code="en")
    fake.assert_no_rejections()


async def test_language_choice_survives_a_restart(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake, bot_process = shared_fake, shared_bot
    ivan = fake.add_user(5002, "Ivan", language_code="ru")
    await ivan.send("/language")
    await ivan.wait_message()
    await ivan.press("English")
    await ivan.wait_text("Done")
    assert await bot_process.stop() == 0  # SIGTERM: a clean stop
    assert "Stopped cleanly" in bot_process.log()

    await bot_process.start()
    await ivan.send("/start")
    assert "Hello, Ivan!" in (await ivan.wait_message()).text
    fake.assert_no_rejections()


async def test_unknown_text_and_stale_buttons_are_answered(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake = shared_fake
    user = fake.add_user(5003, "Ann", language_code="en")
    await user.send_photo(b"\x89PNG fake", caption=None)
    reply = await user.wait_message()
    assert "only read text" in reply.text
    await user.send("/start")
    menu = await user.wait_message()
    await user.press_data("zz:forged", menu.message_id)
    answer = await user.wait_callback_answer()
    assert "out of date" in answer["text"]
    fake.assert_no_rejections()
