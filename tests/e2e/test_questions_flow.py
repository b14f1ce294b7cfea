"""The real process: cities by any spelling, free-text answers, the organizers' inbox."""

from __future__ import annotations

import pytest

from bot.keyboards.cities import CityRegionCb
from bot.keyboards.links import CityCb
from bot.keyboards.questions import InboxCb
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, BotProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_city_is_found_by_five_spellings(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake = shared_fake
    olga = fake.add_user(7101, "Ольга", language_code="ru")
    answers = []
    for spelling in ("Могилёв", "могилев", "Mahilyow", "в Могилёве", "Магілёў"):
        await olga.send(spelling)
        answers.append(await olga.wait_message())
    for answer in answers:
        assert "Могилёв" in answer.text and "Тула" in answer.text, answer.text
        assert "Тульская область" in answer.text and "2004" in answer.text
        assert "промышленность" in answer.text
        datas = [b.get("callback_data") for row in answer.buttons() for b in row]
        # The card is on screen: its buttons lead on (the regions' partner cities), not back.
        assert CityCb(id="mogilev-tula").pack() not in datas
        assert CityRegionCb(side="by", pair="mogilev-tula").pack() in datas
        assert CityRegionCb(side="ru", pair="mogilev-tula").pack() in datas
    assert len({a.text for a in answers}) == 1  # the same partners each time

    await olga.send("/cities Гродна")
    card = await olga.wait_message()
    assert "Калининград" in card.text
    fake.assert_no_rejections()


async def test_free_text_is_answered_from_the_faq(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake = shared_fake
    anna = fake.add_user(7102, "Anna", language_code="en")
    await anna.send("wifi password?")
    answer = await anna.wait_message()
    assert "Forum2027" in answer.text
    await anna.send("when is the plenary session")
    plenary = await anna.wait_message()
    assert "Plenary session" in plenary.text and "Main Hall" in plenary.text
    datas = [b.get("callback_data") for row in plenary.buttons() for b in row]
    assert "ss:plenary:open:" in datas
    fake.assert_no_rejections()


async def test_unanswered_question_reaches_the_organizer_and_the_answer_comes_back(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake = shared_fake
    owner = fake.add_user(OWNER_ID, "Owner", language_code="ru")
    await owner.send("/start")  # the owner's row exists once they talked to the bot
    await owner.wait_message()
    pavel = fake.add_user(7103, "Павел", language_code="ru")
    mallory = fake.add_user(7104, "Mallory", language_code="en")

    await pavel.send("можно ли прийти с собакой")
    offer = await pavel.wait_text("не нашёл")
    await pavel.press("Отправить организаторам")
    await pavel.wait_text("отправлен организаторам")

    notice = await owner.wait_text("собакой")
    assert "Павел" in notice.text
    answer_data = notice.buttons()[0][0]["callback_data"]
    question_id = InboxCb.unpack(answer_data).id

    # A participant who forges the organizer's button is refused and changes nothing.
    await mallory.send("/start")
    menu = await mallory.wait_message()
    await mallory.press_data(answer_data, menu.message_id)
    refusal = await mallory.wait_callback_answer()
    assert "organizers only" in refusal["text"]
    await mallory.send("/inbox")
    assert "organizers only" in (await mallory.wait_message()).text

    await owner.send("/inbox")
    inbox = await owner.wait_text(f"№{question_id}")
    assert "собакой" in inbox.text
    await owner.press(f"№{question_id}", message=inbox)
    await owner.wait_text("Напишите ответ")
    await owner.send("Да, с собакой на поводке можно <везде>.")
    # The asker's name stays in the nominative: "Получатель: Павел", not "к Павел".
    sent = await owner.wait_text("Получатель:")
    assert f"Ответ на вопрос №{question_id} отправлен" in sent.text and "Павел" in sent.text

    reply = await pavel.wait_text("Ответ организаторов")
    assert "собакой" in reply.text and "<везде>" in reply.text

    # A second press on Answer: already answered.
    await owner.press("Ответить", message=notice)
    second = await owner.wait_callback_answer()
    assert "уже ответил" in second["text"]
    # Pressing "send" again on the old offer is out of date.
    await pavel.press_data(offer.buttons()[0][0]["callback_data"], offer.message_id)
    assert "устарела" in (await pavel.wait_callback_answer())["text"]
    fake.assert_no_rejections()
