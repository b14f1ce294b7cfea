"""The programme by day, "now and next", session cards and their deep links."""

from __future__ import annotations

import logging
from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot import deeplinks
from bot.clock import Clock
from bot.i18n import _
from bot.keyboards.common import MenuCb, main_menu
from bot.keyboards.links import SessionCb
from bot.keyboards.schedule import (
    DayCb,
    day_page_keyboard,
    days_keyboard,
    session_card_keyboard,
    titled_sessions_keyboard,
)
from bot.program.model import Program, Session
from bot.services.agenda import AgendaService
from bot.services.calendar import calendar_bytes, calendar_filename
from bot.services.program import ProgramService
from bot.services.schedule_view import (
    Page,
    ScheduleView,
    day_title,
    forum_days,
    schedule_intro,
    session_card,
    session_labels,
)
from bot.services.session_questions import live_card_rows
from bot.settings import Settings
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)


def forum_today(program: Program, clock: Clock) -> date:
    return clock.now().astimezone(program.forum.tz).date()


def out_of_date() -> str:
    return _("This button is out of date. Open the menu again.")


async def send_days(
    message: Message, program: Program, clock: Clock, locale: str, web_app_url: str
) -> None:
    today = forum_today(program, clock)
    days = [(d, day_title(d, today, locale)) for d in forum_days(program)]
    markup = days_keyboard(days, web_app_url)
    await message.answer(schedule_intro(program, locale), reply_markup=markup)


@router.message(Command("schedule"))
async def schedule_command(
    message: Message, programs: ProgramService, clock: Clock, settings: Settings, locale: str
) -> None:
    await send_days(message, programs.program, clock, locale, settings.mini_app_url)


@router.callback_query(MenuCb.filter(F.action == "schedule"))
async def schedule_button(
    callback: CallbackQuery,
    programs: ProgramService,
    clock: Clock,
    settings: Settings,
    locale: str,
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await send_days(callback.message, programs.program, clock, locale, settings.mini_app_url)


def parse_day(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


@router.callback_query(DayCb.filter())
async def day_chosen(
    callback: CallbackQuery,
    callback_data: DayCb,
    programs: ProgramService,
    schedule_view: ScheduleView,
    clock: Clock,
    locale: str,
) -> None:
    program = programs.program
    day = parse_day(callback_data.day)
    if day is None or day not in program.forum.days:
        await callback.answer(out_of_date(), show_alert=True)
        return
    pages, current = schedule_view.day_pages(program, day, locale, clock.now())
    index = current if callback_data.page == -1 else callback_data.page
    if not 0 <= index < len(pages):
        await callback.answer(out_of_date(), show_alert=True)
        return
    await callback.answer()
    if isinstance(callback.message, Message):
        await send_day_page(callback.message, day, pages, index)


async def send_day_page(message: Message, day: date, pages: tuple[Page, ...], index: int) -> None:
    """One page of a day's list with its numbered buttons and the buttons to the day's other
    parts (also answers "programme for Friday")."""
    await message.answer(pages[index].text, reply_markup=day_page_keyboard(day, pages, index))


async def send_now(
    message: Message, program: Program, view: ScheduleView, clock: Clock, locale: str
) -> None:
    text, sessions = view.now_and_next(program, clock.now(), locale)
    labels = tuple((s.id, session_labels(s, locale)) for s in sessions)
    await message.answer(text, reply_markup=titled_sessions_keyboard(labels, "n"))


@router.message(Command("now"))
async def now_command(
    message: Message,
    programs: ProgramService,
    schedule_view: ScheduleView,
    clock: Clock,
    locale: str,
) -> None:
    await send_now(message, programs.program, schedule_view, clock, locale)


@router.callback_query(MenuCb.filter(F.action == "now"))
async def now_button(
    callback: CallbackQuery,
    programs: ProgramService,
    schedule_view: ScheduleView,
    clock: Clock,
    locale: str,
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await send_now(callback.message, programs.program, schedule_view, clock, locale)


# ---------------------------------------------------------------- session cards


async def send_card(
    message: Message,
    program: Program,
    session: Session,
    db: Database,
    user: User,
    locale: str,
    back: str,
    clock: Clock,
) -> None:
    saved = await db.agenda.has(user.id, session.id)
    live = await live_card_rows(db, program, clock.now(), session, user)
    await message.answer(
        session_card(program, session, locale),
        reply_markup=card_keyboard(program, session, saved, back, user.is_organizer, live),
    )


def card_keyboard(
    program: Program,
    session: Session,
    saved: bool,
    back: str,
    editable: bool,
    live: list[list[InlineKeyboardButton]] | None = None,
) -> InlineKeyboardMarkup:
    """`live`: rows of the session's live features (questions, materials, moderation)."""
    has_map = program.venue(session.venue) is not None
    return session_card_keyboard(
        session.id,
        saved,
        back,
        has_map,
        session.section,
        cancelled=session.cancelled,
        editable=editable,
        live=live or [],
    )


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("s-")))
async def session_link_opened(
    message: Message,
    command: CommandObject,
    programs: ProgramService,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
) -> None:
    link = deeplinks.parse(command.args)
    program = programs.program
    session = program.session(link.value) if link and link.kind == "session" else None
    if session is None:
        await message.answer(
            _("This session was not found in the programme; here is the main menu."),
            reply_markup=main_menu(user.is_organizer),
        )
        return
    await send_card(message, program, session, db, user, locale, "", clock)


@router.callback_query(SessionCb.filter())
async def session_button(
    callback: CallbackQuery,
    callback_data: SessionCb,
    programs: ProgramService,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
    agenda_service: AgendaService,
) -> None:
    program = programs.program
    session = program.session(callback_data.id)
    message = callback.message if isinstance(callback.message, Message) else None
    if session is None or message is None:
        await callback.answer(
            _("This session is no longer in the programme. Open the schedule again."),
            show_alert=True,
        )
        return
    action, back = callback_data.action, callback_data.back
    if action == "open":
        await callback.answer()
        await send_card(message, program, session, db, user, locale, back, clock)
    elif action in ("add", "del"):
        await toggle_agenda(
            callback, message, program, session, db, user, back, action == "add", clock
        )
        if action == "add":
            # A session saved shortly before it starts gets its reminder now, not a tick later.
            await agenda_service.queue_reminders()
    elif action == "ics":
        await callback.answer()
        data = calendar_bytes(program, [session], locale, clock.now())
        await message.answer_document(
            BufferedInputFile(data, calendar_filename(session)),
            caption=_("Open the file to add the session to your calendar."),
        )
    elif action == "map":
        await send_map(callback, message, program, session, locale)
    else:
        await callback.answer(out_of_date(), show_alert=True)


async def toggle_agenda(
    callback: CallbackQuery,
    message: Message,
    program: Program,
    session: Session,
    db: Database,
    user: User,
    back: str,
    add: bool,
    clock: Clock,
) -> None:
    if add and session.cancelled:
        await callback.answer(_("This session is cancelled."), show_alert=True)
        return
    async with db.transaction():
        was = await db.agenda.has(user.id, session.id)
        if add:
            await db.agenda.add(user.id, session.id)
        else:
            await db.agenda.remove(user.id, session.id)
    await callback.answer(
        _("Added to your agenda. I will remind you before it starts.")
        if add
        else _("Removed from your agenda.")
    )
    if was != add:  # the keyboard changes only if the state did
        live = await live_card_rows(db, program, clock.now(), session, user)
        await message.edit_reply_markup(
            reply_markup=card_keyboard(program, session, add, back, user.is_organizer, live)
        )


async def send_map(
    callback: CallbackQuery, message: Message, program: Program, session: Session, locale: str
) -> None:
    venue = program.venue(session.venue)
    if venue is None:
        await callback.answer(_("No venue is given for this session."), show_alert=True)
        return
    await callback.answer()
    hall = venue.hall(session.hall)
    title = venue.name.get(locale)
    if hall:
        title = f"{title} — {hall.name.get(locale)}"
    await message.answer_venue(
        latitude=venue.latitude,
        longitude=venue.longitude,
        title=title[:100],
        address=(venue.address.get(locale) or venue.name.get(locale))[:100],
    )
