"""/feedback for the organizers: average ratings per session and section, comments as CSV."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.filters import organizer_only
from bot.i18n import _
from bot.keyboards.admin import AdminCb
from bot.keyboards.session_live import FeedbackAdminCb, feedback_admin_keyboard
from bot.services.audit import audit
from bot.services.feedback import averages, comments_csv, split_lines
from bot.services.program import ProgramService
from bot.services.survey import answers_csv, summary_lines
from db import Database
from db.users import User

router = Router(name=__name__)
organizer_only(router)


@router.message(Command("feedback"))
async def feedback_command(
    message: Message, programs: ProgramService, db: Database, locale: str
) -> None:
    await send_feedback(message, programs, db, locale)


@router.callback_query(AdminCb.filter(F.action == "fb"))
async def feedback_button(
    callback: CallbackQuery, programs: ProgramService, db: Database, locale: str
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await send_feedback(callback.message, programs, db, locale)


async def send_feedback(
    message: Message, programs: ProgramService, db: Database, locale: str
) -> None:
    ratings = await db.feedback.all()
    answers = await db.survey.all()
    lines = averages(programs.program, ratings, locale).split("\n")
    lines += summary_lines(programs.program, answers, locale)
    parts = split_lines(lines)
    for n, part in enumerate(parts, 1):
        last = n == len(parts)
        markup = feedback_admin_keyboard(any(r.comment for r in ratings), bool(answers))
        await message.answer(part, reply_markup=markup if last else None)


@router.callback_query(FeedbackAdminCb.filter(F.action == "survey"))
async def survey_export(
    callback: CallbackQuery,
    programs: ProgramService,
    db: Database,
    user: User,
    clock: Clock,
    locale: str,
) -> None:
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    answers = await db.survey.all()
    stamp = clock.now().astimezone(programs.program.forum.tz).strftime("%Y%m%d-%H%M")
    await callback.message.answer_document(
        BufferedInputFile(answers_csv(programs.program, answers, locale), f"survey-{stamp}.csv"),
        caption=_("📥 The survey's answers (CSV, without names)."),
    )
    await audit(db, user.id, "session.survey_export", str(len(answers)))


@router.callback_query(FeedbackAdminCb.filter(F.action == "csv"))
async def comments_export(
    callback: CallbackQuery,
    programs: ProgramService,
    db: Database,
    user: User,
    clock: Clock,
    locale: str,
) -> None:
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    ratings = await db.feedback.all()
    stamp = clock.now().astimezone(programs.program.forum.tz).strftime("%Y%m%d-%H%M")
    await callback.message.answer_document(
        BufferedInputFile(comments_csv(programs.program, ratings, locale), f"comments-{stamp}.csv"),
        caption=_("📥 Comments on the sessions (CSV, without names)."),
    )
    await audit(db, user.id, "session.feedback_export", str(sum(1 for r in ratings if r.comment)))
