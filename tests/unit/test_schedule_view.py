"""Pure formatting: paging a crowded day, now and next, overlaps, cards, calendar files."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.i18n import create_i18n, in_locale
from bot.program.loader import parse_program
from bot.services.calendar import calendar_bytes
from bot.services.schedule_view import (
    PAGE_SESSIONS,
    agenda_pages,
    day_pages,
    forum_days,
    now_and_next,
    overlapping,
    session_card,
)
from tests.schedule_helpers import crowded_day_text, sample

MINSK = ZoneInfo("Europe/Minsk")
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
    assert len(pages) >= 3
    numbers = [n for page in pages for n, _sid in page.numbered]
    assert numbers == list(range(1, len(program.sessions_on(day)) + 1))
    ids = [sid for page in pages for _n, sid in page.numbered]
    assert ids == [s.id for s in program.sessions_on(day)]
    for page in pages:
        assert len(page.text) <= 4096
        assert len(page.numbered) <= PAGE_SESSIONS
        assert f"Page {page.page + 1} of {len(pages)}" in page.text


def test_cancelled_session_is_struck_through(en: str) -> None:
    (page,) = day_pages(sample(), date(2027, 6, 25), en)
    line = next(x for x in page.text.split("\n") if "Bike" in x or "bike" in x)
    assert "<s>" in line and "(cancelled)" in line


def test_today_comes_first_during_the_forum() -> None:
    program = sample()
    assert forum_days(program, date(2027, 6, 25))[0] == date(2027, 6, 25)
    assert forum_days(program, date(2027, 6, 1))[0] == date(2027, 6, 24)


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
