"""Sections, deep links and stale buttons through the in-process app and the fake server."""

from __future__ import annotations

from bot.app import App
from tests.fakeapi import FakeTelegram


async def test_section_card_subscribe_deep_links_and_stale_buttons(
    fake: FakeTelegram, app: App
) -> None:
    user = fake.add_user(7201, "Alesia", language_code="be")
    await user.send("/sections")
    listing = await user.wait_text("Тэматычныя секцыі")
    await user.press("2. Аграпрамысловае")
    card = await user.wait_text("Секцыя 2: Аграпрамысловае супрацоўніцтва")
    assert "Актавая" not in card.text and "Аўдыторыя 101" in card.text
    await user.press("Падпісацца")
    edited = await user.wait_message()
    assert "Адпісацца" in " ".join(edited.button_texts())
    assert await app.db.agenda.session_ids(7201) == {"d2-s2", "d3-s2-visit"}

    await user.send("/start x-s2-agro")
    await user.wait_text("Секцыя 2")
    await user.send("/start s-nope")
    await user.wait_text("не знойдзена")
    await user.press_data("ss:nope:open:", listing.message_id)
    assert "больш няма" in (await user.wait_callback_answer())["text"]
    await user.press_data("dy:20270101:0", listing.message_id)
    assert (await user.wait_callback_answer())["show_alert"]

    await user.send("/agenda")
    agenda = await user.wait_text("Мой расклад")
    assert "Секцыя 2" in agenda.text
    await user.press("Усё ў каляндар")
    document = await user.wait_message(lambda m: m.document is not None)
    assert document.document_bytes and document.document_bytes.count(b"BEGIN:VEVENT") == 2

    await user.send("/start s-plenary")
    await user.wait_text("Пленарнае пасяджэнне")
    await user.press("На мапе")
    venue = await user.wait_message(lambda m: m.venue is not None)
    assert venue.venue and "Палац культуры вобласці" in venue.venue["title"]
    fake.assert_no_rejections()
