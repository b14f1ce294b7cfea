"""Sessions at the same time are always listed in one order: section number, then hall."""

from __future__ import annotations

import dataclasses
from datetime import date

from tests.schedule_helpers import sample

DAY2 = date(2027, 6, 25)


def test_parallel_sections_are_listed_by_number() -> None:
    program = sample()
    parallel = [s for s in program.sessions_on(DAY2) if s.start.hour == 14 and s.section]
    numbers = [program.section(s.section).number for s in parallel]  # type: ignore[union-attr]
    assert len(numbers) == 7
    assert numbers == sorted(numbers)


def test_order_does_not_depend_on_the_order_of_the_file() -> None:
    program = sample()
    shuffled = dataclasses.replace(program, sessions=tuple(reversed(program.sessions)))
    assert [s.id for s in shuffled.sessions] == [s.id for s in program.sessions]
    # The copy has its own index: looking a session up still works on both.
    assert shuffled.session("plenary") == program.session("plenary")


def test_sessions_outside_sections_follow_the_halls_as_listed() -> None:
    program = sample()
    palace = program.venue("palace")
    assert palace is not None and len(palace.halls) >= 2
    first, second = palace.halls[0], palace.halls[1]
    plenary = program.session("plenary")
    assert plenary is not None
    # Two sessions without a section at the same time, given in the "wrong" order.
    a = dataclasses.replace(plenary, id="zz-first-hall", section=None, hall=first.id)
    b = dataclasses.replace(plenary, id="aa-second-hall", section=None, hall=second.id)
    crowded = dataclasses.replace(program, sessions=(b, *program.sessions, a))
    at_ten = [s.id for s in crowded.sessions if s.start_at == plenary.start_at]
    assert at_ten.index("zz-first-hall") < at_ten.index("aa-second-hall")
    # A session in a numbered section comes before them.
    sectioned = dataclasses.replace(plenary, id="mm-section", section="s7-municipal", hall=None)
    crowded = dataclasses.replace(crowded, sessions=(*crowded.sessions, sectioned))
    at_ten = [s.id for s in crowded.sessions if s.start_at == plenary.start_at]
    assert at_ten[0] == "mm-section"
