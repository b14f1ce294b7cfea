"""Pure formatting: paging a crowded day, now and next, overlaps, cards, calendar files."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.i18n import create_i18n, in_locale
from bot.program.loader import parse_program
from bot.services.calendar import calendar_bytes
from bot.services.schedule_view import (
    DAY_PAGE,
    Mark,
    agenda_pages,
    chunks,
    current_page,
    day_marks,
    day_pages,
    forum_days,
    now_and_next,
    overlapping,
    session_card,
)
from tests.schedule_helpers import crowded_day_text, sample

MINSK = ZoneInfo("Europe/Minsk")
DAY2 = date(2027, 6, 25)
I18N = create_i18n("ru")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MINSK)


@pytest.fixture
def en():  # type: ignore[no-untyped-def]
    with in_locale(I18N, "en"):
        yield "en"


def test_a_day_of_72_sessions_pages_within_telegram_limits(en: str) -> None:
    program = parse_program(crowded_day_text(60), "crowded.yaml")
    day = date(2027, 6, 24)
    pages = day_pages(program, day, en)
    assert len(pages) >= 7
    numbers = [n for page in pages for n, _sid in page.numbered]
    assert numbers == list(range(1, len(program.sessions_on(day)) + 1))
    ids = [sid for page in pages for _n, sid in page.numbered]
    assert ids == [s.id for s in program.sessions_on(day)]
    for page in pages:
        assert len(page.text) <= 4096
        assert 1 <= len(page.numbered) <= DAY_PAGE
        assert page.label and page.label in page.text
    # A part of the day cut into several pages names each page by its first start.
    assert pages[0].label == "🌅 Morning 08:00" and pages[1].label == "🌅 Morning 09:45"


def test_a_long_day_is_split_by_time_of_day(en: str) -> None:
    pages = day_pages(sample(), DAY2, en)
    assert [p.label for p in pages] == ["🌅 Morning", "☀️ Afternoon", "🌙 Evening"]
    afternoon = pages[1]
    # The seven parallel sections stay on one page, under one time heading, by number.
    assert afternoon.text.count("14:30–17:30") == 1
    sections = re.findall(r"Section (\d)\.", afternoon.text)
    assert sections == ["1", "2", "3", "4", "5", "6", "7"]
    assert len(afternoon.numbered) == 10
    # A short day stays on one page.
    program = sample()
    short = dataclasses.replace(program, sessions=program.sessions_on(DAY2)[:DAY_PAGE])
    (single,) = day_pages(short, DAY2, en)
    assert single.label == "" and "Morning" not in single.text


def test_parallel_sessions_are_never_split_across_pages() -> None:
    program = sample()
    sessions = [s for s in program.sessions_on(DAY2) if s.start_at.hour >= 12]
    pages = chunks(sessions, 5)
    for page in pages:
        starts = {s.start for s in page}
        for start in starts:
            together = [s for s in sessions if s.start == start]
            assert len(together) > 5 or all(s in page for s in together)


def test_today_marks_what_ended_is_on_and_comes_next(en: str) -> None:
    program = sample()
    marks = day_marks(program, DAY2, at("2027-06-25T10:30"))
    assert marks["d2-reg"] is Mark.ENDED
    assert marks["plenary"] is Mark.LIVE
    assert marks["d2-press"] is Mark.NEXT
    assert "d2-lunch" not in marks
    assert day_marks(program, DAY2, at("2027-06-24T10:30")) == {}  # not today
    pages = day_pages(program, DAY2, en, marks, today=True)
    morning = pages[0].text
    assert "🗓 <b>Today, Fri 25 June</b>" in morning
    assert "🔴 <b>3.</b> 10:00–12:30 Plenary" in morning
    assert "✓ <b>1.</b> 08:00–10:00" in morning
    # Each page explains the marks it shows, and only those.
    assert "✓ ended · 🔴 on now" in morning and "next" not in morning.split("\n")[-1]
    assert "⏭ <b>4.</b> 12:30–13:00" in pages[1].text
    assert pages[1].text.endswith("⏭ next")
    assert current_page(pages, marks) == 0
    # Between the plenary and the press approach nothing is on: open where "next" is.
    later = day_marks(program, DAY2, at("2027-06-25T14:45"))
    assert current_page(day_pages(program, DAY2, en, later), later) == 1
    evening = day_marks(program, DAY2, at("2027-06-25T23:00"))
    assert set(evening.values()) == {Mark.ENDED}
    assert current_page(day_pages(program, DAY2, en, evening), evening) == 2


def test_cancelled_session_is_struck_through(en: str) -> None:
    evening = day_pages(sample(), DAY2, en)[-1]
    line = next(x for x in evening.text.split("\n") if "Bike" in x or "bike" in x)
    assert "<s>" in line and "(cancelled)" in line


def test_days_are_in_date_order() -> None:
    program = sample()
    assert forum_days(program) == sorted(program.forum.days)


def test_before_the_forum_counts_the_days_in_russian() -> None:
    with in_locale(I18N, "ru"):
        text, sessions = now_and_next(sample(), at("2027-06-21T12:00"), "ru")
    assert "через 3 дня" in text
    assert sessions[0].id == "d1-reg"


def test_before_the_forum_in_english(en: str) -> None:
    text, _sessions = now_and_next(sample(), at("2027-06-23T12:00"), en)
    assert "The forum starts on 24 June, in 1 day." in text


def test_during_a_session_shows_now_and_next(en: str) -> None:
    text, sessions = now_and_next(sample(), at("2027-06-25T10:30"), en)
    assert "On now:" in text and "Plenary" in text
    assert "Next, at 12:30:" in text
    assert [s.id for s in sessions] == ["plenary", "d2-press"]


def test_between_days_tomorrow_starts(en: str) -> None:
    text, sessions = now_and_next(sample(), at("2027-06-24T23:00"), en)
    assert "Nothing is on right now." in text
    assert "Tomorrow starts at 08:00:" in text
    assert sessions[0].id == "d2-reg"


def test_after_the_forum_it_is_over(en: str) -> None:
    text, sessions = now_and_next(sample(), at("2027-06-27T09:00"), en)
    assert "The forum is over" in text
    assert sessions == []


def test_overlaps_are_flagged_and_cancelled_ones_ignored(en: str) -> None:
    program = sample()
    chosen = ["d1-business", "d1-exhibition", "d1-concert", "d2-bike", "d2-boat"]
    found = overlapping([program.session(s) for s in chosen])  # type: ignore[misc]
    assert found == {"d1-business", "d1-exhibition"}
    (page,) = agenda_pages(program, chosen, en)
    assert page.text.count("overlaps") == 2
    assert "Some saved sessions overlap" in page.text
    assert page.text.index("24 June") < page.text.index("25 June")


def test_card_escapes_and_shows_people(en: str) -> None:
    card = session_card(sample(), sample().session("d1-business"), en)  # type: ignore[arg-type]
    assert "Dmitry Zhuravlev" in card and "Moderators:" in card
    assert "Mogilev-Expo Exhibition Centre" in card


def test_a_session_card_shows_its_sections_moderators(en: str) -> None:
    program = sample()
    # Section 2's meeting names no moderators of its own: the section's lead it. They also
    # speak there, and a person is listed once.
    card = session_card(program, program.session("d2-s2"), en)  # type: ignore[arg-type]
    assert card.count("Sergei Yakubovich") == 1 and card.count("Viktor Lebedev") == 1
    # Section 1's meeting: the section's moderator who does not speak there is listed apart.
    card = session_card(program, program.session("d2-s1"), en)  # type: ignore[arg-type]
    assert card.count("Pavel Grinevich") == 1
    assert (
        "Section moderators:" in card and "Marina Sokolova" in card.split("Section moderators")[-1]
    )
    # A session outside any section has none.
    plenary = session_card(program, program.session("plenary"), en)  # type: ignore[arg-type]
    assert "Section moderators:" not in plenary


def test_calendar_of_the_agenda_round_trips() -> None:
    program = sample()
    sessions = [program.session("plenary"), program.session("d3-results")]
    data = calendar_bytes(program, sessions, "ru")  # type: ignore[arg-type]
    events = Calendar.from_ical(data).walk("VEVENT")
    assert [e["UID"] for e in events] == [
        "plenary-2027-06-24@forum-bot",
        "d3-results-2027-06-24@forum-bot",
    ]
    assert events[1].decoded("DTSTART") == at("2027-06-26T12:30")
    assert "Большой зал" in str(events[0]["LOCATION"])


def test_now_and_next_names_the_building_only_when_there_are_several(en: str) -> None:
    program = sample()
    text, _sessions = now_and_next(program, at("2027-06-25T10:30"), en)
    assert "Main Hall, Regional Palace of Culture" in text
    one_venue = dataclasses.replace(
        program, sessions=tuple(s for s in program.sessions if s.venue == "palace")
    )
    text, _sessions = now_and_next(one_venue, at("2027-06-25T10:30"), en)
    assert "Main Hall" in text and "Regional Palace of Culture" not in text


def test_a_long_agenda_pages_by_ten(en: str) -> None:
    program = sample()
    pages = agenda_pages(program, [s.id for s in program.sessions], en)
    assert len(pages) == -(-len(program.sessions) // DAY_PAGE)
    assert all(len(p.numbered) <= DAY_PAGE for p in pages)
    assert [n for p in pages for n, _sid in p.numbered] == list(range(1, len(program.sessions) + 1))
