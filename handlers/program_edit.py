"""Live edits from a phone: the ✏️ Edit button of a session or section card, the dialogue that
follows, and Undo. The dialogue's logic is bot/services/live_edit.py; this module renders."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import Clock
from bot.filters import organizer_only
from bot.keyboards.program import (
    EditCb,
    UndoCb,
    cancel_confirm_keyboard,
    delay_keyboard,
    edit_days_keyboard,
    edit_done_keyboard,
    edit_menu_keyboard,
    halls_keyboard,
    notice_prompt_keyboard,
    prompt_keyboard,
    scope_keyboard,
)
from bot.program.edits import Edit, EditKind
from bot.program.model import Program
from bot.services.live_edit import (
    EditDialogue,
    Problem,
    Reply,
    Screen,
    Step,
    hall_choices,
    halls_tag,
)
from bot.services.program import ProgramService
from bot.services.program_ops import EditOutcome, ProgramOps
from bot.services.program_view import (
    edit_conflict_text,
    edit_done_text,
    errors_text,
    hall_button_labels,
    problem_text,
    refusal_text,
    screen_text,
)
from bot.services.schedule_view import day_title, forum_days
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)
organizer_only(router)


class EditForm(StatesGroup):
    answer = State()  # a time, minutes or a notice is awaited; data["edit"]: the Screen


def screen_markup(
    program: Program, screen: Screen, locale: str, today: date
) -> InlineKeyboardMarkup | None:
    target = screen.target
    session = program.session(target)
    step = screen.step
    if step is Step.HALLS:
        labels = [hall_button_labels(program, v, h, locale) for v, h in hall_choices(program)]
        return halls_keyboard(screen.kind, target, labels, screen.page, halls_tag(program))
    if session is None or step is Step.CLOSED:
        return None
    if step is Step.MENU:
        return edit_menu_keyboard(target, session.cancelled, bool(session.notice))
    if step is Step.DAYS:
        days = [(d, day_title(d, today, locale)) for d in forum_days(program)]
        return edit_days_keyboard(target, days)
    if step is Step.DELAY:
        return delay_keyboard(target)
    if step is Step.SCOPE:
        later = EditDialogue(program).later_count(target)
        return scope_keyboard(target, screen.minutes, later)
    if step is Step.CANCEL:
        return cancel_confirm_keyboard(target)
    if step is Step.NOTICE:
        return notice_prompt_keyboard(target, bool(session.notice))
    if step is Step.TIME:
        return prompt_keyboard(target, "mv")
    if step is Step.MINUTES:
        return prompt_keyboard(target, "dl")
    return None


def opens_dialogue(data: EditCb) -> bool:
    """The Edit button of a card opens a new dialogue message; the rest edit it in place."""
    return data.a == "menu" and data.v == ""


async def show_screen(
    screen: Screen,
    program: Program,
    locale: str,
    clock: Clock,
    state: FSMContext,
    reply_to: Message,
    in_place: bool,
) -> None:
    if screen.waits_for_text:
        await state.set_state(EditForm.answer)
        await state.update_data(edit=screen.to_state())
    elif await state.get_state() == EditForm.answer.state:
        await state.clear()
    today = clock.now().astimezone(program.forum.tz).date()
    text = screen_text(program, screen, locale)
    markup = screen_markup(program, screen, locale, today)
    if in_place:
        try:
            await reply_to.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:  # too old to edit, or the same screen again
            logger.info("Edit screen sent anew: %s", exc)
    await reply_to.answer(text, reply_markup=markup)


async def apply(
    edit: Edit,
    outcome: EditOutcome,
    program: Program,
    locale: str,
    reply_to: Message,
    in_place: bool,
    callback: CallbackQuery | None,
) -> None:
    """Tell the organizer how the edit went: done (with Undo), refused, or overtaken."""
    if outcome.refused is not None:
        text = refusal_text(outcome.refused, program, locale)
        if callback is not None:
            await callback.answer(text[:200], show_alert=True)
        else:
            await reply_to.answer(text)
        return
    if callback is not None:
        await callback.answer()
    if outcome.errors:
        for part in errors_text("edit", outcome.errors):
            await reply_to.answer(part)
        return
    if outcome.conflict or outcome.result is None:
        await reply_to.answer(edit_conflict_text())
        return
    edited = outcome.result.program
    session_id = edit.target if edited and edited.session(edit.target) else None
    text = edit_done_text(edit.kind, outcome.result, edit.target, locale)
    markup = edit_done_keyboard(outcome.edit_id, session_id)
    if in_place:
        try:
            await reply_to.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:
            logger.info("Edit result sent anew: %s", exc)
    await reply_to.answer(text, reply_markup=markup)


@dataclass(frozen=True, slots=True)
class Turn:
    """What one update of the dialogue works with."""

    program: Program
    user: User
    locale: str
    clock: Clock
    state: FSMContext
    ops: ProgramOps


async def respond(
    reply: Reply,
    turn: Turn,
    reply_to: Message,
    in_place: bool,
    callback: CallbackQuery | None = None,
) -> None:
    if isinstance(reply, Problem):
        if callback is not None:
            await callback.answer(problem_text(reply), show_alert=True)
        else:
            await reply_to.answer(problem_text(reply))
        return
    if isinstance(reply, Screen):
        if callback is not None:
            await callback.answer()
        await show_screen(
            reply, turn.program, turn.locale, turn.clock, turn.state, reply_to, in_place
        )
        return
    if await turn.state.get_state() == EditForm.answer.state:
        await turn.state.clear()
    outcome = await turn.ops.edit(turn.user.id, reply)
    await apply(reply, outcome, turn.program, turn.locale, reply_to, in_place, callback)


@router.callback_query(EditCb.filter())
async def edit_step(
    callback: CallbackQuery,
    callback_data: EditCb,
    programs: ProgramService,
    program_ops: ProgramOps,
    user: User,
    locale: str,
    clock: Clock,
    state: FSMContext,
) -> None:
    message = callback.message if isinstance(callback.message, Message) else None
    if message is None:
        await callback.answer(problem_text(Problem.STALE), show_alert=True)
        return
    turn = Turn(programs.program, user, locale, clock, state, program_ops)
    data = callback_data
    reply = EditDialogue(turn.program).press(data.k, data.id, data.a, data.v)
    await respond(reply, turn, message, not opens_dialogue(data), callback)


@router.message(EditForm.answer, F.text)
async def typed_answer(
    message: Message,
    programs: ProgramService,
    program_ops: ProgramOps,
    user: User,
    locale: str,
    clock: Clock,
    state: FSMContext,
) -> None:
    assert message.text is not None
    if message.text.startswith("/"):
        # A command leaves the dialogue and does what it always does.
        await state.clear()
        raise SkipHandler
    waiting = Screen.from_state((await state.get_data()).get("edit"))
    if waiting is None:
        await state.clear()
        await message.answer(problem_text(Problem.STALE))
        return
    turn = Turn(programs.program, user, locale, clock, state, program_ops)
    reply = EditDialogue(turn.program).answer(waiting, message.text)
    await respond(reply, turn, message, in_place=False)


@router.message(EditForm.answer)
async def not_text(message: Message, state: FSMContext) -> None:
    waiting = Screen.from_state((await state.get_data()).get("edit"))
    problem = {Step.TIME: Problem.BAD_TIME, Step.MINUTES: Problem.BAD_MINUTES}.get(
        waiting.step if waiting else Step.CLOSED, Problem.EMPTY
    )
    await message.answer(problem_text(problem))


@router.callback_query(UndoCb.filter())
async def undo(
    callback: CallbackQuery,
    callback_data: UndoCb,
    programs: ProgramService,
    program_ops: ProgramOps,
    user: User,
    locale: str,
) -> None:
    message = callback.message if isinstance(callback.message, Message) else None
    if message is None:
        await callback.answer(problem_text(Problem.STALE), show_alert=True)
        return
    program = programs.program
    outcome = await program_ops.undo(user.id, callback_data.id)
    undo_edit = Edit(EditKind.UNDO, outcome.target)
    await apply(undo_edit, outcome, program, locale, message, False, callback)
