"""The participant's screens as a phone shows them, through the real application and the fake
Bot API: days in date order, today's page at "now", now and next with the building, titles
that repeat told apart, city answers that lead somewhere new, whole section titles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.keyboards.cities import CityRegionCb
from bot.keyboards.labels import LABEL_LIMIT, width
from bot.keyboards.links import CityCb
from tests.fakeapi import FakeTelegram
from tests.fakeapi.models import FakeMessage
from tests.harness import running_app
from tests.schedule_helpers import long_titles_text, write


@pytest.fixture
async def day2(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    """The sample forum's second day, during the plenary."""
    async with running_app(fake, tmp_path, clock_start="2027-06-25T10:30") as app:
        yield app


def datas(message: FakeMessage) -> list[str]:
    return [b.get("callback_data", "") for row in message.buttons() for b in row]


async def test_days_in_date_order_and_today_opens_at_now(day2: App, fake: FakeTelegram) -> None:
    ann = fake.add_user(7401, "Ann", language_code="en")
    await ann.send("/schedule")
    days = await ann.wait_text("Choose a day")
    assert "Times are local: Minsk, UTC+3." in days.text  # not "Europe/Minsk"
    assert days.button_texts()[:3] == ["Thu 24 June", "Today, Fri 25 June", "Sat 26 June"]
    await ann.press("Today, Fri 25 June")
    today = await ann.wait_text("Today, Fri 25 June")
    # The morning, where the plenary is on: ended, on now, and the legend.
    assert "🌅 Morning · 08:00–12:30" in today.text
    assert "✓ 1. 08:00–10:00 Registration" in today.text
    assert "🔴 3. 10:00–12:30 Plenary session" in today.text
    assert today.text.endswith("✓ ended · 🔴 on now")
    assert today.button_texts()[:3] == ["1", "2", "3"]
    assert "☀️ Afternoon ▶" in today.button_texts() and "🌙 Evening ▶" in today.button_texts()
    # The afternoon: what is next is marked; the seven sections under one time, by number.
    await ann.press("☀️ Afternoon ▶")
    afternoon = await ann.wait_text("☀️ Afternoon")
    assert "⏭ 4. 12:30–13:00 Press approach" in afternoon.text
    block = afternoon.text[afternoon.text.index("14:30–17:30") :]
    assert block.index("Section 1.") < block.index("Section 2.") < block.index("Section 7.")
    assert [len(row) for row in afternoon.buttons()][:2] == [5, 5]  # ten numbers, two rows
    assert "◀ 🌅 Morning" in afternoon.button_texts()
    # Another day opens at its start, without marks.
    await ann.press("🗓 Days")
    await ann.wait_text("Choose a day")
    await ann.press("Sat 26 June")
    saturday = await ann.wait_text("Sat 26 June")
    assert "✓" not in saturday.text and "🔴" not in saturday.text and "Today" not in saturday.text
    fake.assert_no_rejections()


async def test_now_and_next_names_the_building(day2: App, fake: FakeTelegram) -> None:
    vera = fake.add_user(7402, "Вера", language_code="ru")
    await vera.send("/now")
    now = await vera.wait_text("Сейчас идёт")
    # The sample uses several buildings: the hall alone would not say where to go.
    assert "Большой зал, Дворец культуры области" in now.text
    assert "Пресс-центр, Дворец культуры области" in now.text
    labels = now.button_texts()
    assert all(width(t) <= LABEL_LIMIT for t in labels)
    assert labels[0].startswith("Пленарное заседание")
    fake.assert_no_rejections()


async def test_repeated_titles_get_their_day_and_time(fake: FakeTelegram, tmp_path: Path) -> None:
    path = write(tmp_path, "long.yaml", long_titles_text())
    async with running_app(fake, tmp_path, program_file=path, clock_start="2027-06-24T14:50"):
        olga = fake.add_user(7403, "Olga", language_code="en")
        await olga.send("/now")
        now = await olga.wait_text("Next, at 15:00")
        labels = now.button_texts()
        assert len(labels) == len(set(labels))
        assert all(width(t) <= LABEL_LIMIT for t in labels)
        # Two round tables with the same long title at the same time: told apart.
        rounds = [t for t in labels if t.startswith("Round table")]
        assert len(rounds) == 2 and rounds[0].endswith("(1)") and rounds[1].endswith("(2)")

        # The three coffee breaks: a question about them lists each with its day.
        await olga.send("Coffee break")
        answer = await olga.wait_message()
        coffee = [t for t in answer.button_texts() if "Coffee" in t]
        assert len(coffee) >= 2 and len(set(coffee)) == len(coffee)
        assert all(t.split()[1] in ("Thu", "Fri", "Sat") for t in coffee), coffee
        fake.assert_no_rejections()


async def test_a_city_answer_leads_on_instead_of_repeating_itself(
    day2: App, fake: FakeTelegram
) -> None:
    vera = fake.add_user(7404, "Вера", language_code="ru")
    await vera.send("Брест")
    card = await vera.wait_text("Рязань")
    assert CityCb(id="brest-ryazan").pack() not in datas(card)
    region = CityRegionCb(side="by", pair="brest-ryazan").pack()
    assert region in datas(card)
    await vera.press("🇧🇾 Брестская область")
    cities = await vera.wait_text("Брестская область")
    assert "Брест — Рязань" in cities.button_texts() and len(cities.button_texts()) > 2

    # Minsk has several partners: the card offers the other twinnings, each a new card.
    await vera.send("/start c-minsk-moscow")
    minsk = await vera.wait_text("Москва")
    other = next(t for t in minsk.button_texts() if "Санкт-Петербург" in t)
    await vera.press(other, message=minsk)
    spb = await vera.wait_text("Санкт-Петербург")
    assert "Москва" not in spb.text
    fake.assert_no_rejections()


async def test_sections_list_shows_whole_titles_and_short_buttons(
    day2: App, fake: FakeTelegram
) -> None:
    boris = fake.add_user(7405, "Boris", language_code="be")
    await boris.send("/sections")
    listing = await boris.wait_text("Тэматычныя секцыі")
    assert "7. Муніцыпальнае кіраванне і пабрацімскія сувязі" in listing.text
    labels = [t for t in listing.button_texts() if t[0].isdigit()]
    assert len(labels) == 7 and all(width(t) <= LABEL_LIMIT for t in labels)
    await boris.send("/settings")
    settings = await boris.wait_text("Налады")
    assert "✅ 15 хв" in settings.button_texts()
    assert not any("′" in t for t in settings.button_texts())
    fake.assert_no_rejections()
