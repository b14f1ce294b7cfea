"""Live edits planned on the sample programme: each kind, its checks, and undo."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.program.edits import (
    Edit,
    EditKind,
    EditRefused,
    Refusal,
    apply_patch,
    plan_edit,
    undo_plan,
)
from bot.program.loader import parse_program
from bot.program.model import Program
from bot.program.writer import program_yaml
from tests.schedule_helpers import sample


def applied(program: Program, edit: Edit) -> Program:
    """The edit applied, written and read back as the bot stores it."""
    plan = plan_edit(program, edit)
    return parse_program(program_yaml(apply_patch(program, plan.after)), "edited.yaml")


def refused(program: Program, edit: Edit) -> Refusal:
    with pytest.raises(EditRefused) as info:
        plan_edit(program, edit)
    return info.value.reason


def test_delay_one_session_or_the_later_ones_in_its_hall_too() -> None:
    program = sample()
    # The main hall on 25 June: plenary 10:00, section 7 at 14:30, gala 19:00.
    delayed = applied(program, Edit(EditKind.DELAY, "plenary", minutes=20))
    plenary = delayed.session("plenary")
    assert plenary is not None and (plenary.start, plenary.end) == (time(10, 20), time(12, 50))
    assert delayed.session("d2-s7") == program.session("d2-s7")

    # An hour's delay of section 7 alone would run into the gala in the same hall.
    reason = refused(program, Edit(EditKind.DELAY, "d2-s7", minutes=120))
    assert reason is Refusal.CLASH
    chain = applied(program, Edit(EditKind.DELAY, "d2-s7", minutes=120, following=True))
    s7, gala = chain.session("d2-s7"), chain.session("d2-gala")
    assert s7 is not None and s7.start == time(16, 30)
    assert gala is not None and (gala.start, gala.end) == (time(21, 0), time(23, 0))
    assert chain.session("plenary") == program.session("plenary")  # earlier ones stay

    assert refused(program, Edit(EditKind.DELAY, "d2-gala", minutes=200)) is Refusal.MIDNIGHT
    assert refused(program, Edit(EditKind.DELAY, "d2-gala", minutes=0)) is Refusal.DELAY_RANGE
    assert refused(program, Edit(EditKind.DELAY, "d2-bike", minutes=5)) is Refusal.CANCELLED
    assert refused(program, Edit(EditKind.DELAY, "no-such", minutes=5)) is Refusal.GONE


def test_move_to_another_day_and_time_keeps_the_length() -> None:
    program = sample()
    moved = applied(program, Edit(EditKind.MOVE, "d1-press", day=date(2027, 6, 26), start=time(9)))
    press = moved.session("d1-press")
    assert press is not None and press.day == date(2027, 6, 26)
    assert (press.start, press.end) == (time(9, 0), time(9, 30))
    outside = Edit(EditKind.MOVE, "d1-press", day=date(2027, 6, 27), start=time(9))
    assert refused(program, outside) is Refusal.OUTSIDE
    late = Edit(EditKind.MOVE, "d1-press", day=date(2027, 6, 26), start=time(23, 45))
    assert refused(program, late) is Refusal.MIDNIGHT
    same = Edit(EditKind.MOVE, "d1-press", day=date(2027, 6, 24), start=time(12))
    assert refused(program, same) is Refusal.SAME


def test_hall_cancel_restore_and_notice() -> None:
    program = sample()
    small = applied(program, Edit(EditKind.HALL, "d1-press", venue="palace", hall="small"))
    assert small.session("d1-press").hall == "small"  # type: ignore[union-attr]
    taken = Edit(EditKind.HALL, "d2-s4", venue="palace", hall="main")  # section 7 is there
    assert refused(program, taken) is Refusal.CLASH
    nowhere = Edit(EditKind.HALL, "d1-press", venue="palace", hall="attic")
    assert refused(program, nowhere) is Refusal.UNKNOWN_HALL

    cancelled = applied(program, Edit(EditKind.CANCEL, "plenary"))
    assert cancelled.session("plenary").cancelled  # type: ignore[union-attr]
    assert refused(cancelled, Edit(EditKind.CANCEL, "plenary")) is Refusal.ALREADY_CANCELLED
    restored = applied(cancelled, Edit(EditKind.RESTORE, "plenary"))
    assert restored == program

    noticed = applied(program, Edit(EditKind.NOTICE, "plenary", notice="  Starts   10:15 "))
    assert noticed.session("plenary").notice.get("en") == "Starts 10:15"  # type: ignore[union-attr]
    cleared = applied(noticed, Edit(EditKind.NOTICE, "plenary", notice=""))
    assert cleared == program
    assert refused(program, Edit(EditKind.NOTICE, "plenary", notice="x" * 301)) is Refusal.TOO_LONG


def test_a_section_moves_with_all_its_sessions() -> None:
    program = sample()
    edit = Edit(EditKind.SECTION_HALL, "s2-agro", venue="expo", hall="meeting")
    moved = applied(program, edit)
    section = moved.section("s2-agro")
    assert section is not None and (section.venue, section.hall) == ("expo", "meeting")
    places = {s.id: (s.venue, s.hall) for s in moved.sessions_of_section("s2-agro")}
    assert places == {"d2-s2": ("expo", "meeting"), "d3-s2-visit": (None, None)}
    # Section 1 already meets in the conference hall at the same time as section 2.
    clash = Edit(EditKind.SECTION_HALL, "s2-agro", venue="expo", hall="conf")
    assert refused(program, clash) is Refusal.CLASH


def test_undo_restores_unless_changed_again() -> None:
    program = sample()
    plan = plan_edit(program, Edit(EditKind.DELAY, "plenary", minutes=15))
    delayed = apply_patch(program, plan.after)
    back = undo_plan(delayed, plan.before, plan.after)
    assert apply_patch(delayed, back.after) == program
    again = apply_patch(
        delayed, plan_edit(delayed, Edit(EditKind.DELAY, "plenary", minutes=5)).after
    )
    with pytest.raises(EditRefused) as info:
        undo_plan(again, plan.before, plan.after)
    assert info.value.reason is Refusal.CHANGED


INHERITING = """\
forum: {title: F, city: C, start_date: 2027-06-24, end_date: 2027-06-25, timezone: Europe/Minsk}
venues:
  - id: palace
    name: P
    address: A
    latitude: 53.9
    longitude: 30.3
    halls: [{id: main, name: Main}, {id: small, name: Small}, {id: side, name: Side}]
sections:
  - {id: s, number: 1, title: S, venue: palace, hall: main}
sessions:
  - {id: own, day: 2027-06-24, start: "10:00", end: "11:00", title: Own, section: s}
  - {id: set, day: 2027-06-24, start: "12:00", end: "13:00", title: Set, section: s,
     venue: palace, hall: side}
"""


def test_sessions_that_take_their_hall_from_the_section_follow_it() -> None:
    program = parse_program(INHERITING, "p.yaml")
    own = program.session("own")
    assert own is not None and own.hall == "main" and "hall" in own.inherited
    moved = applied(program, Edit(EditKind.SECTION_HALL, "s", venue="palace", hall="small"))
    after = {s.id: (s.hall, "hall" in s.inherited) for s in moved.sessions}
    assert after == {"own": ("small", True), "set": ("small", False)}
    # A hall given to the inheriting session itself is its own from then on, and stays.
    alone = applied(program, Edit(EditKind.HALL, "own", venue="palace", hall="side"))
    assert [(s.hall, "hall" in s.inherited) for s in alone.sessions if s.id == "own"] == [
        ("side", False)
    ]
    # Undo puts the section back, and the inheriting session with it.
    plan = plan_edit(program, Edit(EditKind.SECTION_HALL, "s", venue="palace", hall="small"))
    back = undo_plan(apply_patch(program, plan.after), plan.before, plan.after)
    restored = parse_program(program_yaml(apply_patch(moved, back.after)), "back.yaml")
    assert restored == program
