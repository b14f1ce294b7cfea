"""The real process: partner cities by totals, region and deep link; the "Ask" button."""

from __future__ import annotations

import pytest

from tests.fakeapi import FakeTelegram
from tests.harness import BotProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_cities_totals_regions_and_card(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake = shared_fake
    vera = fake.add_user(7201, "Вера", language_code="ru")
    await vera.send("/start")
    await vera.wait_message()
    await vera.press("Города-партнёры")
    home = await vera.wait_text("Города-побратимы")
    assert "30 белорусских городов и 32 российских города, 32 соглашения" in home.text
    await vera.press("Регионы Беларуси")
    regions = await vera.wait_text("Регионы Беларуси:")
    assert "Гомельская область" in regions.button_texts()
    await vera.press("Гомельская область")
    region = await vera.wait_text("Гомельская область")
    assert "Мозырь — Кстово" in region.button_texts()
    await vera.press("Мозырь — Кстово")
    card = await vera.wait_text("Кстово")
    assert "Нижегородская область" in card.text and "2007" in card.text

    await vera.press("Города-партнёры", message=card)
    await vera.wait_text("Города-побратимы")
    await vera.press("Регионы России")
    await vera.wait_text("Регионы России:")
    await vera.press("Тульская область")
    tula = await vera.wait_text("Тульская область")
    assert "Тула — Могилёв" in tula.button_texts()
    fake.assert_no_rejections()


async def test_deep_link_opens_a_city_card_and_a_stale_one_is_refused(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake = shared_fake
    tom = fake.add_user(7202, "Tom", language_code="en")
    await tom.send("/start c-minsk-moscow")
    card = await tom.wait_message()
    assert "Minsk" in card.text and "Moscow" in card.text and "1997" in card.text
    # Minsk has another twin: its card is one button away.
    assert any("Saint Petersburg" in t for t in card.button_texts())
    await tom.send("/start c-atlantis")
    assert "out of date" in (await tom.wait_message()).text
    await tom.press_data("ct:atlantis", card.message_id)
    assert "out of date" in (await tom.wait_callback_answer())["text"]
    fake.assert_no_rejections()


async def test_ask_button_then_a_question_offers_the_organizers_too(
    shared_fake: FakeTelegram, shared_bot: BotProcess
) -> None:
    fake = shared_fake
    ales = fake.add_user(7203, "Алесь", language_code="be")
    await ales.send("/start")
    await ales.wait_message()
    await ales.press("Задаць пытанне")
    await ales.wait_text("напішыце пытанне")
    await ales.send("дзе секцыя па адукацыі")
    answer = await ales.wait_message()
    assert "Адукацыя і моладзевая палітыка" in answer.text
    datas = [b.get("callback_data") for row in answer.buttons() for b in row]
    assert "sc:s3-youth:open" in datas
    assert any("арганізатарам" in t for t in answer.button_texts())
    fake.assert_no_rejections()
