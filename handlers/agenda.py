"""My agenda: saved sessions by day with overlaps flagged, and its calendar export."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.i18n import _
from bot.keyboards.common import MenuCb
from bot.keyboards.schedule import AgendaCb, agenda_keyboard
from bot.program.model import Program
from bot.services import meetings
from bot.services.calendar import calendar_bytes, calendar_filename
from bot.services.program import ProgramService
from bot.services.schedule_view import agenda_pages
from db import Database
from db.users import User

router = Router(name=__name__)


async def send_agenda(
    message: Message, program: Program, db: Database, user: User, locale: str, page: int = 0
) -> bool:
    """Send one page of the agenda; False if that page does not exist (a stale button)."""
    pages = agenda_pages(program, await db.agenda.session_ids(user.id), locale)
    if not 0 <= page < len(pages):
        return False
    shown = pages[page]
    text = shown.text
    if page == 0:
        met = meetings.agenda_block(
            program, await meetings.agenda_meetings(db, program, user.id), locale
        )
        text = f"{text}\n\n{met}" if met else text
    await message.answer(
        text, reply_markup=agenda_keyboard(shown.numbered, shown.page, shown.pages)
    )
    return True


@router.message(Command("agenda"))
async def agenda_command(
    message: Message, programs: ProgramService, db: Database, user: User, locale: str
) -> None:
    await send_agenda(message, programs.program, db, user, locale)


@router.callback_query(MenuCb.filter(F.action == "agenda"))
async def agenda_button(
    callback: CallbackQuery, programs: ProgramService, db: Database, user: User, locale: str
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await send_agenda(callback.message, programs.program, db, user, locale)


@router.callback_query(AgendaCb.filter())
async def agenda_action(
    callback: CallbackQuery,
    callback_data: AgendaCb,
    programs: ProgramService,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
) -> None:
    message = callback.message if isinstance(callback.message, Message) else None
    program = programs.program
    stale = _("This button is out of date. Open the menu again.")
    if message is None:
        await callback.answer(stale, show_alert=True)
        return
    if callback_data.action == "page":
        pages = agenda_pages(program, await db.agenda.session_ids(user.id), locale)
        if not 0 <= callback_data.page < len(pages):
            await callback.answer(stale, show_alert=True)
            return
        await callback.answer()
        await send_agenda(message, program, db, user, locale, callback_data.page)
    elif callback_data.action == "ics":
        ids = await db.agenda.session_ids(user.id)
        sessions = [s for s in program.sessions if s.id in ids]
        met = await meetings.agenda_meetings(db, program, user.id)
        if not sessions and not met:
            await callback.answer(_("Your agenda is empty."), show_alert=True)
            return
        await callback.answer()
        now = clock.now()
        extra = [meetings.meeting_event(program, m, name, locale, now) for m, name in met]
        await message.answer_document(
            BufferedInputFile(
                calendar_bytes(program, sessions, locale, now, extra), calendar_filename()
            ),
            caption=_("Your agenda as a calendar file: open it to add every session."),
        )
    else:
        await callback.answer(stale, show_alert=True)
