"""The live-edit dialogue as a pure object: (programme, button or typed answer) → what to show
next, or the edit to make. No aiogram, no I/O; the handler renders and applies.

Buttons carry the whole step (target, action, value), so a dialogue survives a restart and two
open dialogues do not disturb each other; only a question waiting for a typed answer (a time,
minutes, a notice) is kept as state between two updates.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from bot.program.edits import MAX_DELAY_MINUTES, Edit, EditKind, later_in_hall
from bot.program.model import Program

SESSION = "s"
SECTION = "x"
HALLS_PAGE = 12
DELAY_CHOICES = (5, 10, 15, 20, 30, 45, 60)


class Step(StrEnum):
    MENU = "menu"  # what to change
    DAYS = "days"  # move: which day
    TIME = "time"  # move: type the new start time (awaits text)
    HALLS = "halls"  # which hall
    DELAY = "delay"  # by how many minutes
    MINUTES = "minutes"  # type the minutes (awaits text)
    SCOPE = "scope"  # this session only, or the later ones in the hall too
    CANCEL = "cancel"  # confirm the cancellation
    NOTICE = "notice"  # type the notice (awaits text)
    CLOSED = "closed"


WAITING = frozenset({Step.TIME, Step.MINUTES, Step.NOTICE})


class Problem(StrEnum):
    STALE = "stale"  # a button of an older programme or a forged one
    BAD_TIME = "bad_time"
    BAD_MINUTES = "bad_minutes"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Screen:
    step: Step
    kind: str  # SESSION or SECTION
    target: str
    day: str = ""  # yyyymmdd, for TIME
    minutes: int = 0  # for SCOPE
    page: int = 0  # for HALLS

    @property
    def waits_for_text(self) -> bool:
        return self.step in WAITING

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, data: object) -> Screen | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{**data, "step": Step(data.get("step"))})
        except (TypeError, ValueError):
            return None


Reply = Screen | Edit | Problem


def day_key(day: date) -> str:
    return day.strftime("%Y%m%d")


def parse_day(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


TIME_RE = re.compile(r"^\s*(\d{1,2})\s*[:.\-h ]?\s*(\d{2})\s*$")


def parse_time(text: str) -> time | None:
    """`14:30`, `14.30`, `1430`, `9:05`."""
    match = TIME_RE.match(text)
    if not match:
        return None
    try:
        return time(int(match[1]), int(match[2]))
    except ValueError:
        return None


MINUTES_RE = re.compile(r"^\s*([+-]?\s*\d{1,4})\s*\D{0,12}$")


def parse_minutes(text: str) -> int | None:
    """`15`, `+15`, `-10`, `15 min`; not zero, within the allowed range."""
    match = MINUTES_RE.match(text)
    if not match:
        return None
    value = int(match[1].replace(" ", ""))
    return value if value and abs(value) <= MAX_DELAY_MINUTES else None


def hall_choices(program: Program) -> list[tuple[str, str]]:
    """Every (venue id, hall id) of the programme, in the file's order."""
    return [(v.id, h.id) for v in program.venues for h in v.halls]


def halls_tag(program: Program) -> str:
    """Short fingerprint of the hall list: a hall button of another list is refused, not
    mistaken for whichever hall now has its number."""
    joined = "|".join(f"{v}/{h}" for v, h in hall_choices(program))
    return hashlib.sha256(joined.encode()).hexdigest()[:4]


class EditDialogue:
    def __init__(self, program: Program) -> None:
        self.program = program

    def press(self, kind: str, target: str, action: str, value: str) -> Reply:
        if kind == SECTION:
            return self._section(target, action, value)
        if kind != SESSION:
            return Problem.STALE
        session = self.program.session(target)
        if session is None:
            return Problem.STALE
        screen = Screen(Step.MENU, SESSION, target)
        if action == "menu":
            return screen
        if action == "close":
            return Screen(Step.CLOSED, SESSION, target)
        if action == "mv":
            return Screen(Step.DAYS, SESSION, target)
        if action == "day":
            day = parse_day(value)
            if day is None or day not in self.program.forum.days:
                return Problem.STALE
            return Screen(Step.TIME, SESSION, target, day=value)
        if action in ("hall", "hp"):
            return self._halls_page(SESSION, target, value)
        if action == "h":
            return self._hall_edit(EditKind.HALL, target, value)
        if action == "dl":
            return Screen(Step.DELAY, SESSION, target)
        if action == "dm":
            return Screen(Step.MINUTES, SESSION, target)
        if action == "d":
            minutes = parse_minutes(value)
            return Problem.STALE if minutes is None else self._delay(target, minutes)
        if action == "ds":
            minutes_text, _dot, following = value.partition(".")
            minutes = parse_minutes(minutes_text)
            if minutes is None or following not in ("0", "1"):
                return Problem.STALE
            return Edit(EditKind.DELAY, target, minutes=minutes, following=following == "1")
        if action == "cx":
            return Screen(Step.CANCEL, SESSION, target)
        if action == "cxy":
            return Edit(EditKind.CANCEL, target)
        if action == "rs":
            return Edit(EditKind.RESTORE, target)
        if action == "nt":
            return Screen(Step.NOTICE, SESSION, target)
        if action == "ntc":
            return Edit(EditKind.NOTICE, target, notice="")
        return Problem.STALE

    def answer(self, waiting: Screen, text: str) -> Reply:
        """A typed answer to the question `waiting` asked."""
        if waiting.kind != SESSION or self.program.session(waiting.target) is None:
            return Problem.STALE
        if waiting.step is Step.TIME:
            day, start = parse_day(waiting.day), parse_time(text)
            if day is None:
                return Problem.STALE
            if start is None:
                return Problem.BAD_TIME
            return Edit(EditKind.MOVE, waiting.target, day=day, start=start)
        if waiting.step is Step.MINUTES:
            minutes = parse_minutes(text)
            return Problem.BAD_MINUTES if minutes is None else self._delay(waiting.target, minutes)
        if waiting.step is Step.NOTICE:
            notice = " ".join(text.split())
            return Edit(EditKind.NOTICE, waiting.target, notice=notice) if notice else Problem.EMPTY
        return Problem.STALE

    def later_count(self, target: str) -> int:
        session = self.program.session(target)
        return len(later_in_hall(self.program, session)) if session else 0

    def _delay(self, target: str, minutes: int) -> Reply:
        if self.later_count(target):
            return Screen(Step.SCOPE, SESSION, target, minutes=minutes)
        return Edit(EditKind.DELAY, target, minutes=minutes)

    def _section(self, target: str, action: str, value: str) -> Reply:
        if self.program.section(target) is None:
            return Problem.STALE
        if action in ("menu", "hall", "hp"):
            return self._halls_page(SECTION, target, value)
        if action == "h":
            return self._hall_edit(EditKind.SECTION_HALL, target, value)
        if action == "close":
            return Screen(Step.CLOSED, SECTION, target)
        return Problem.STALE

    def _halls_page(self, kind: str, target: str, value: str) -> Reply:
        page = int(value) if value.isdigit() else 0
        if page * HALLS_PAGE >= max(1, len(hall_choices(self.program))):
            return Problem.STALE
        return Screen(Step.HALLS, kind, target, page=page)

    def _hall_edit(self, kind: EditKind, target: str, value: str) -> Reply:
        index, _dot, tag = value.partition(".")
        halls = hall_choices(self.program)
        if not index.isdigit() or int(index) >= len(halls) or tag != halls_tag(self.program):
            return Problem.STALE
        venue, hall = halls[int(index)]
        return Edit(kind, target, venue=venue, hall=hall)
