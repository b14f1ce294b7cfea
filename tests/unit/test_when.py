"""Typed announcement times: the forms organizers type, in the forum's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.when import parse_when

MINSK = ZoneInfo("Europe/Minsk")
# Wednesday 23 June 2027, 14:05 in Minsk.
NOW = datetime(2027, 6, 23, 14, 5, tzinfo=MINSK)


def at(day: int, hour: int, minute: int = 0, month: int = 6, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MINSK)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # A time alone is today.
        ("18:30", at(23, 18, 30)),
        ("18.30", at(23, 18, 30)),
        ("  18:30 ", at(23, 18, 30)),
        ("9:05", at(23, 9, 5)),
        ("в 18:30", at(23, 18, 30)),
        ("В 18.30", at(23, 18, 30)),
        ("у 18:30", at(23, 18, 30)),
        ("at 18:30", at(23, 18, 30)),
        ("at 6pm", at(23, 18)),
        ("6:45 pm", at(23, 18, 45)),
        ("6.45p.m.", at(23, 18, 45)),
        ("12am", at(23, 0)),
        ("12pm", at(23, 12)),
        ("в 7 вечера", at(23, 19)),
        ("у 7 вечара", at(23, 19)),
        ("в 2 дня", at(23, 14)),
        ("11 ночи", at(23, 23)),
        ("сегодня в 20:00", at(23, 20)),
        ("сёння 20:00", at(23, 20)),
        ("today 8pm", at(23, 20)),
        # Tomorrow and the day after.
        ("завтра 9:00", at(24, 9)),
        ("Завтра в 9", at(24, 9)),
        ("завтра в 9 утра", at(24, 9)),
        ("заўтра 9:00", at(24, 9)),
        ("заўтра у 9 раніцы", at(24, 9)),
        ("tomorrow 9am", at(24, 9)),
        ("Tomorrow at 9 AM", at(24, 9)),
        ("tomorrow, 9:30", at(24, 9, 30)),
        ("9:00 завтра", at(24, 9)),
        ("послезавтра 10:00", at(25, 10)),
        ("паслязаўтра 10:00", at(25, 10)),
        ("the day after tomorrow at 10am", at(25, 10)),
        # Weekdays: the next one, today included.
        ("в пятницу в 10:00", at(25, 10)),
        ("у пятніцу 10:00", at(25, 10)),
        ("on Friday 10am", at(25, 10)),
        ("в среду 18:00", at(23, 18)),
        ("mon 9:00", at(28, 9)),
        # Dates.
        ("25.06 18:00", at(25, 18)),
        ("25.06 18.00", at(25, 18)),
        ("25/06 18:00", at(25, 18)),
        ("25.06.2027 18:00", at(25, 18)),
        ("25.06.27 18:00", at(25, 18)),
        ("2027-06-25 18:00", at(25, 18)),
        ("2027-06-25T18:00", at(25, 18)),
        ("25 июня 18:00", at(25, 18)),
        ("25 июня 2027 в 18:00", at(25, 18)),
        ("25 чэрвеня у 18:00", at(25, 18)),
        ("25 June 6pm", at(25, 18)),
        ("June 25, 6:30 pm", at(25, 18, 30)),
        ("1 июля 9:00", at(1, 9, month=7)),
        ("3 January 2028 9:00", at(3, 9, month=1, year=2028)),
    ],
)
def test_typed_forms(typed: str, expected: datetime) -> None:
    assert parse_when(typed, NOW) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "завтра",  # no time
        "25.06",  # a date without a time
        "25:00",
        "18:60",
        "13pm",
        "0am",
        "31.02 10:00",  # no such day
        "2027-13-01 10:00",
        "завтра 25.06 10:00",  # two days named
        "18:00 19:00",  # two times
        "в 18:30 пожалуйста",  # a word not understood
        "soon",
        "18:30:00x",
    ],
)
def test_anything_unclear_is_refused(typed: str) -> None:
    assert parse_when(typed, NOW) is None


def test_the_result_is_in_the_forums_time_zone() -> None:
    moment = parse_when("завтра 9:00", NOW)
    assert moment is not None
    assert moment.tzinfo == MINSK
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 3 * 3600
