"""Typed moments in an organizer's own words, in the forum's time zone: a pure parser.

Accepted, in Russian, Belarusian and English, in any order and case:
- a time: "18:30", "18.30", "9", "9am", "9:30 pm", "9 утра", "7 вечера", "9 раніцы";
- words around it: "в 18:30", "у 18:30", "at 6pm", "в пятницу в 10:00";
- a day: "сегодня", "завтра", "послезавтра", "сёння", "заўтра", "паслязаўтра", "today",
  "tomorrow", "the day after tomorrow", a weekday ("в пятницу", "у пятніцу", "on Friday": the
  next such day, today included);
- a date: "25.06", "25.06.2027", "25.06.27", "2027-06-25", "25 июня", "25 чэрвеня", "25 June",
  "June 25".
A time is required; without a day it means today. Anything not understood gives None, never a
guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Words that only connect: "в 18:30", "at 9am", "on Friday", "у пятніцу", "на завтра".
FILLERS = frozenset({"в", "во", "на", "к", "ко", "около", "у", "ў", "at", "on", "the", "by"})
DAY_WORDS = {
    "сегодня": 0,
    "сёння": 0,
    "today": 0,
    "завтра": 1,
    "заўтра": 1,
    "tomorrow": 1,
    "послезавтра": 2,
    "паслязаўтра": 2,
    "overmorrow": 2,
}
WEEKDAYS = {
    0: ("понедельник", "панядзелак", "monday", "mon"),
    1: ("вторник", "аўторак", "tuesday", "tue", "tues"),
    2: ("среда", "среду", "серада", "сераду", "wednesday", "wed"),
    3: ("четверг", "чацвер", "thursday", "thu", "thurs"),
    4: ("пятница", "пятницу", "пятніца", "пятніцу", "friday", "fri"),
    5: ("суббота", "субботу", "субота", "суботу", "saturday", "sat"),
    6: ("воскресенье", "нядзеля", "нядзелю", "sunday", "sun"),
}
WEEKDAY_OF = {word: day for day, words in WEEKDAYS.items() for word in words}
MONTHS = {
    1: ("января", "январь", "студзеня", "студзень", "january", "jan"),
    2: ("февраля", "февраль", "лютага", "люты", "february", "feb"),
    3: ("марта", "март", "сакавіка", "сакавік", "march", "mar"),
    4: ("апреля", "апрель", "красавіка", "красавік", "april", "apr"),
    5: ("мая", "май", "траўня", "травень", "may"),
    6: ("июня", "июнь", "чэрвеня", "чэрвень", "june", "jun"),
    7: ("июля", "июль", "ліпеня", "ліпень", "july", "jul"),
    8: ("августа", "август", "жніўня", "жнівень", "august", "aug"),
    9: ("сентября", "сентябрь", "верасня", "верасень", "september", "sep", "sept"),
    10: ("октября", "октябрь", "кастрычніка", "кастрычнік", "october", "oct"),
    11: ("ноября", "ноябрь", "лістапада", "лістапад", "november", "nov"),
    12: ("декабря", "декабрь", "снежня", "снежань", "december", "dec"),
}
MONTH_OF = {word: month for month, words in MONTHS.items() for word in words}
# Parts of the day after an hour: how they turn a 12-hour clock into a 24-hour one.
MORNING = frozenset({"am", "утра", "раніцы"})
AFTERNOON = frozenset({"pm", "дня", "вечера", "вечара"})
NIGHT = frozenset({"ночи", "ночы"})

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DOTTED_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})$")
DAY_MONTH = re.compile(r"^(\d{1,2})[./](\d{1,2})$")
TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$")
NUMBER = re.compile(r"^\d{1,2}$")
YEAR = re.compile(r"^\d{4}$")


@dataclass
class _Found:
    day: date | None = None
    offset: int | None = None
    weekday: int | None = None
    hour: int | None = None
    minute: int = 0


def _tokens(text: str) -> list[str]:
    value = text.lower().replace("a.m.", "am").replace("p.m.", "pm")
    value = re.sub(r"\b(?:the )?day after tomorrow\b", "overmorrow", value)
    value = re.sub(r"(\d)t(\d)", r"\1 \2", value)  # 2027-06-25T18:00
    value = re.sub(r"(\d)(am|pm)\b", r"\1 \2", value)
    value = re.sub(r"[,;]", " ", value)
    return value.split()


def _time_token(token: str) -> tuple[int, int] | None:
    match = TIME.match(token)
    if match is None:
        return None
    return int(match[1]), int(match[2] or 0)


def _meridiem(hour: int, word: str) -> int | None:
    """The 24-hour hour for "9 pm", "7 вечера", "12 ночи"; None if they contradict."""
    if not 1 <= hour <= 12:
        return None
    if word in MORNING:
        return 0 if hour == 12 else hour
    if word in AFTERNOON:
        return 12 if hour == 12 else hour + 12
    if word in NIGHT:  # "12 ночи" is midnight, "2 ночи" 02:00, "11 ночи" 23:00
        return 0 if hour == 12 else hour if hour < 6 else hour + 12
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_when(text: str, now_local: datetime) -> datetime | None:
    """The forum-local moment an organizer typed, or None if it cannot be read for sure."""
    tokens = _tokens(text)
    # "25.06 18.00": with another time-like token, a lone "a.b" is the date; alone, the time.
    clock_like = [t for t in tokens if TIME.match(t) or DAY_MONTH.match(t)]
    dotted_is_date = len(clock_like) >= 2
    found = _Found()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in FILLERS:
            i += 1
            continue
        if token in DAY_WORDS and found.offset is None:
            found.offset = DAY_WORDS[token]
        elif token in WEEKDAY_OF and found.weekday is None:
            found.weekday = WEEKDAY_OF[token]
        elif (m := ISO_DATE.match(token)) and found.day is None:
            found.day = _date(int(m[1]), int(m[2]), int(m[3]))
            if found.day is None:
                return None
        elif (m := DOTTED_DATE.match(token)) and found.day is None:
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            found.day = _date(year, int(m[2]), int(m[1]))
            if found.day is None:
                return None
        elif (NUMBER.match(token) and following in MONTH_OF) or (
            token in MONTH_OF and NUMBER.match(following)
        ):
            if found.day is not None:
                return None
            day, month = (token, following) if NUMBER.match(token) else (following, token)
            i += 1
            year = now_local.year
            if i + 1 < len(tokens) and YEAR.match(tokens[i + 1]):
                year = int(tokens[i + 1])
                i += 1
            found.day = _date(year, MONTH_OF[month], int(day))
            if found.day is None:
                return None
        elif (m := DAY_MONTH.match(token)) and dotted_is_date and found.day is None:
            # "25.06 18:00": with a time elsewhere, a lone "a.b" is the date.
            found.day = _date(now_local.year, int(m[2]), int(m[1]))
            if found.day is None:
                return None
        elif (clock := _time_token(token)) is not None and found.hour is None:
            hour, minute = clock
            suffix = token[-2:] if token.endswith(("am", "pm")) else ""
            if following in MORNING | AFTERNOON | NIGHT and not suffix:
                suffix = following
                i += 1
            if suffix:
                converted = _meridiem(hour, suffix)
                if converted is None:
                    return None
                hour = converted
            if not (0 <= hour <= 23 and 0 <= minute <= 59):
                return None
            found.hour, found.minute = hour, minute
        else:
            return None
        i += 1
    return _moment(found, now_local)


def _moment(found: _Found, now_local: datetime) -> datetime | None:
    if found.hour is None:
        return None
    today = now_local.date()
    named = [x is not None for x in (found.day, found.offset, found.weekday)]
    if sum(named) > 1:
        return None  # "завтра 25.06": two days named, which one is meant is a guess
    if found.day is not None:
        day = found.day
    elif found.offset is not None:
        day = today + timedelta(days=found.offset)
    elif found.weekday is not None:
        day = today + timedelta(days=(found.weekday - today.weekday()) % 7)
    else:
        day = today
    return datetime(day.year, day.month, day.day, found.hour, found.minute, tzinfo=now_local.tzinfo)
