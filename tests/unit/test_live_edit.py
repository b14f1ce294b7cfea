"""The live-edit dialogue without Telegram: buttons and typed answers to screens or edits."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.program.edits import Edit, EditKind
from bot.services.live_edit import (
    SECTION,
    SESSION,
    EditDialogue,
    Problem,
    Screen,
    Step,
    hall_choices,
    halls_tag,
    parse_minutes,
    parse_time,
)
from tests.schedule_helpers import sample


@pytest.fixture
def dialogue() -> EditDialogue:
    return EditDialogue(sample())


def test_typed_times_and_minutes() -> None:
    assert parse_time("14:30") == time(14, 30)
    assert parse_time(" 9.05 ") == time(9, 5)
    assert parse_time("1430") == time(14, 30)
    assert parse_time("24:00") is None and parse_time("noon") is None
    assert parse_minutes("15") == 15 and parse_minutes("+20 min") == 20
    assert parse_minutes("-10") == -10
    assert parse_minutes("0") is None and parse_minutes("721") is None
    assert parse_minutes("fifteen") is None


def test_delay_asks_about_the_later_sessions_only_when_there_are_some(
    dialogue: EditDialogue,
) -> None:
    assert dialogue.press(SESSION, "plenary", "menu", "") == Screen(Step.MENU, SESSION, "plenary")
    assert dialogue.press(SESSION, "plenary", "dl", "") == Screen(Step.DELAY, SESSION, "plenary")
    scope = dialogue.press(SESSION, "plenary", "d", "15")
    assert scope == Screen(Step.SCOPE, SESSION, "plenary", minutes=15)
    assert dialogue.later_count("plenary") == 2
    chained = dialogue.press(SESSION, "plenary", "ds", "15.1")
    assert chained == Edit(EditKind.DELAY, "plenary", minutes=15, following=True)
    # The gala is the last session of the main hall that day: no question.
    assert dialogue.press(SESSION, "d2-gala", "d", "10") == Edit(
        EditKind.DELAY, "d2-gala", minutes=10
    )
    waiting = dialogue.press(SESSION, "d2-gala", "dm", "")
    assert isinstance(waiting, Screen) and waiting.waits_for_text
    assert dialogue.answer(waiting, "25 min") == Edit(EditKind.DELAY, "d2-gala", minutes=25)
    assert dialogue.answer(waiting, "soon") is Problem.BAD_MINUTES


def test_move_day_then_time(dialogue: EditDialogue) -> None:
    days = dialogue.press(SESSION, "d1-press", "mv", "")
    assert days == Screen(Step.DAYS, SESSION, "d1-press")
    waiting = dialogue.press(SESSION, "d1-press", "day", "20270626")
    assert waiting == Screen(Step.TIME, SESSION, "d1-press", day="20270626")
    # The question survives between two updates as plain data.
    restored = Screen.from_state(waiting.to_state())  # type: ignore[union-attr]
    assert restored == waiting
    assert dialogue.answer(restored, "9:00") == Edit(  # type: ignore[arg-type]
        EditKind.MOVE, "d1-press", day=date(2027, 6, 26), start=time(9, 0)
    )
    assert dialogue.answer(restored, "morning") is Problem.BAD_TIME  # type: ignore[arg-type]
    assert dialogue.press(SESSION, "d1-press", "day", "20270627") is Problem.STALE
    assert Screen.from_state({"step": "nonsense"}) is None


def test_halls_carry_the_list_tag(dialogue: EditDialogue) -> None:
    program = sample()
    halls = hall_choices(program)
    index = halls.index(("palace", "small"))
    tag = halls_tag(program)
    assert dialogue.press(SESSION, "d1-press", "h", f"{index}.{tag}") == Edit(
        EditKind.HALL, "d1-press", venue="palace", hall="small"
    )
    assert dialogue.press(SESSION, "d1-press", "h", f"{index}.beef") is Problem.STALE
    assert dialogue.press(SESSION, "d1-press", "h", f"{len(halls)}.{tag}") is Problem.STALE
    assert len(halls) == 12  # one page of halls
    assert dialogue.press(SESSION, "d1-press", "hp", "0") == Screen(Step.HALLS, SESSION, "d1-press")
    assert dialogue.press(SESSION, "d1-press", "hp", "1") is Problem.STALE
    section = dialogue.press(SECTION, "s2-agro", "h", f"{index}.{tag}")
    assert section == Edit(EditKind.SECTION_HALL, "s2-agro", venue="palace", hall="small")


def test_cancel_restore_notice_and_stale_buttons(dialogue: EditDialogue) -> None:
    assert dialogue.press(SESSION, "plenary", "cx", "") == Screen(Step.CANCEL, SESSION, "plenary")
    assert dialogue.press(SESSION, "plenary", "cxy", "") == Edit(EditKind.CANCEL, "plenary")
    assert dialogue.press(SESSION, "d2-bike", "rs", "") == Edit(EditKind.RESTORE, "d2-bike")
    notice = dialogue.press(SESSION, "plenary", "nt", "")
    assert isinstance(notice, Screen) and notice.waits_for_text
    assert dialogue.answer(notice, "  Starts\n10:15 ") == Edit(
        EditKind.NOTICE, "plenary", notice="Starts 10:15"
    )
    assert dialogue.answer(notice, "   ") is Problem.EMPTY
    assert dialogue.press(SESSION, "plenary", "ntc", "") == Edit(EditKind.NOTICE, "plenary")
    for kind, target, action in (
        (SESSION, "no-such", "menu"),
        (SESSION, "plenary", "zz"),
        ("q", "plenary", "menu"),
        (SECTION, "no-such", "hall"),
        (SECTION, "s2-agro", "cxy"),
    ):
        assert dialogue.press(kind, target, action, "") is Problem.STALE
