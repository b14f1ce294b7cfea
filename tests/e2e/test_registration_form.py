"""The registration form, walked by simulated people against the real bot process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.e2e.registration_helpers import OPEN_CLOCK, PACE, fill_adult_form, rows
from tests.fakeapi import FakeTelegram
from tests.harness import BotProcess, bot_env

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def reg_bot(
    shared_fake: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("reg")
    env = bot_env(shared_fake, tmp, clock_start=OPEN_CLOCK)
    process = BotProcess(shared_fake, env, tmp / "bot.log")
    await process.start()
    try:
        yield process
    finally:
        if process.proc and process.proc.poll() is None:
            await process.stop()
        process.assert_clean_log()


async def pace() -> None:
    await asyncio.sleep(PACE)


def db_path(bot: BotProcess) -> Path:
    return Path(bot.env["DATABASE_PATH"])


async def test_a_minor_walks_the_whole_form_with_mistakes_a_restart_and_an_edit(
    shared_fake: FakeTelegram, reg_bot: BotProcess
) -> None:
    fake = shared_fake
    anna = fake.add_user(731000101, "Anna", language_code="en")

    await pace()
    await anna.send("/start reg")
    await anna.wait_text("Your full name")
    await pace()
    await anna.send("x")
    await anna.wait_text("with letters")
    await pace()
    await anna.send("A" * 101)
    assert "at most 100 characters" in (await anna.wait_text("too long")).text
    await anna.send_photo(b"\x89PNG fake")
    again = await anna.wait_text("answer with a text message")
    assert "Your full name" in again.text
    # Markup is stored as typed; zero-width and control characters are dropped.
    await pace()
    await anna.send("<b>Anna</b>\u200b Smith\x07 🎉")

    await anna.wait_text("date of birth")
    await pace()
    await anna.send("31.02.2009")
    await anna.wait_text("could not read this date")
    await pace()
    await anna.send("05.03.2020")
    too_young = await anna.wait_text("at least 14 years old")
    assert "you will be 7" in too_young.text
    await pace()
    await anna.send("05.03.1980")
    await anna.wait_text("up to 35 years old")
    await pace()
    await anna.send("5 March 2010")

    await anna.wait_text("Your country")
    await pace()
    await anna.press("Belarus")
    region = await anna.wait_text("Your region")
    assert "Mogilev Region" in region.button_texts()
    await pace()
    await anna.press("Mogilev Region")
    await anna.wait_text("Your city")
    await pace()
    await anna.press("Mogilev")
    await anna.wait_text("organization")
    # Back from three steps deep: organization -> city -> region -> country.
    for expected in ("Your city", "Your region", "Your country"):
        await pace()
        await anna.press("Back")
        shown = await anna.wait_text(expected)
    assert "Keep: Belarus" in " ".join(shown.button_texts())
    await pace()
    await anna.press("Keep: Belarus")
    await anna.wait_text("Your region")
    await pace()
    await anna.press("Keep: Mogilev Region")
    await anna.wait_text("Your city")
    await pace()
    await anna.press("Keep: Mogilev")
    await anna.wait_text("organization")
    await pace()
    await anna.send("Gymnasium No. 1")

    # The bot restarts in the middle of the form: the next answer continues it.
    assert await reg_bot.stop() == 0
    await reg_bot.start()
    await anna.wait_text("position")  # the question was sent before the stop
    await pace()
    await anna.send("pupil, 11th form")

    phone_question = await anna.wait_text("phone number")
    assert phone_question.reply_markup and phone_question.reply_markup.get("keyboard")
    await pace()
    await anna.send("12345")
    await anna.wait_text("not look like a valid phone number")
    await pace()
    await anna.share_contact()
    await anna.wait_text("e-mail")
    await pace()
    await anna.send("anna@@example")
    await anna.wait_text("not look like an e-mail")
    await pace()
    await anna.send("anna@example.com")

    await anna.wait_text("Which section")
    await pace()
    await anna.press("Smart city")
    await anna.wait_text("accommodation")
    await pace()
    await anna.press("Yes")
    await anna.wait_text("optional")
    await pace()
    await anna.press("Skip")
    consent = await anna.wait_text("Consent to the processing")
    assert "152-FZ" in consent.text
    await pace()
    await anna.press("I agree")

    guardian = await anna.wait_text("under 18")
    assert "parent or legal guardian" in guardian.text
    await pace()
    await anna.send("Maria Smith")
    await anna.wait_text("phone number of your parent")
    await pace()
    await anna.send("+7 912 345-67-89")

    summary = await anna.wait_text("check your answers")
    assert "<b>Anna</b> Smith 🎉" in summary.text  # shown escaped, not as bold
    assert "5 March 2010" in summary.text and "+7 912 345-67-89" in summary.text
    await pace()
    await anna.press("✏️ E-mail")
    await anna.wait_text("e-mail")
    await pace()
    await anna.send("anna.smith@example.com")
    summary = await anna.wait_text("check your answers")
    assert "anna.smith@example.com" in summary.text

    # Nothing is stored before Confirm.
    assert rows(db_path(reg_bot), "SELECT * FROM registrations WHERE user_id = ?", (anna.id,)) == []
    await pace()
    await anna.press("Confirm")
    done = await anna.wait_text("Almost done")
    number = done.text.split("registration ")[1].split(" ")[0]
    assert number.startswith("YM-")
    await anna.wait_text("start=g-")

    [row] = rows(db_path(reg_bot), "SELECT * FROM registrations WHERE user_id = ?", (anna.id,))
    assert row["status"] == "guardian" and row["guardian_token"]
    assert row["full_name"] == "<b>Anna</b> Smith 🎉"
    assert row["birth_date"] == "2010-03-05"
    # Picked from buttons shown in English, stored as codes.
    assert (row["country"], row["region"], row["city"]) == ("BY", "BY-MA", "BY-MA.mogilev")
    assert (row["organization"], row["position"]) == ("Gymnasium No. 1", "pupil, 11th form")
    assert row["phone"] == anna.phone and row["email"] == "anna.smith@example.com"
    assert json.loads(row["answers"]) == {
        "section": "digital",
        "accommodation": "yes",
        "experience": None,
    }
    assert (row["guardian_name"], row["guardian_phone"]) == ("Maria Smith", "+79123456789")
    assert row["consent_at"] and row["guardian_consent_at"] is None

    # Seeing it again shows the registration, escaped, with its buttons and the link again.
    await pace()
    await anna.send("/register")
    card = await anna.wait_text("Your registration")
    assert number in card.text and "<b>Anna</b> Smith" in card.text
    assert "waiting for the parent's or guardian's consent" in card.text
    buttons = " ".join(card.button_texts())
    assert "Send to my parent or guardian" in buttons and "Cancel my registration" in buttons
    fake.assert_no_rejections()


async def test_refusing_consent_stores_nothing(
    shared_fake: FakeTelegram, reg_bot: BotProcess
) -> None:
    fake = shared_fake
    boris = fake.add_user(731000102, "Boris", language_code="en")
    await fill_adult_form(boris, "Boris Petrov", "boris@example.com", consent=False)
    refused = await boris.wait_text("Without the consent")
    assert "Nothing has been stored" in refused.text
    path = db_path(reg_bot)
    assert rows(path, "SELECT * FROM registrations WHERE user_id = ?", (boris.id,)) == []
    assert rows(path, "SELECT * FROM fsm WHERE key LIKE ?", (f"%:{boris.id}:%",)) == []
    fake.assert_no_rejections()


async def test_russian_speaker_gets_the_form_in_russian_and_can_cancel_it(
    shared_fake: FakeTelegram, reg_bot: BotProcess
) -> None:
    fake = shared_fake
    olga = fake.add_user(731000103, "Ольга", language_code="ru")
    await olga.send("/register")
    intro = await olga.wait_message()
    assert "В анкете 13 вопросов" in intro.text
    question = await olga.wait_message()
    assert "ФИО" in question.text or "фамилия" in question.text.lower()
    await olga.press("Отмена")
    await olga.wait_text("ничего не сохранено")
    assert rows(db_path(reg_bot), "SELECT * FROM fsm WHERE key LIKE ?", (f"%:{olga.id}:%",)) == []
    fake.assert_no_rejections()
