"""Thematic sections: the list, a card for each, subscriptions, and their deep links."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot import deeplinks
from bot.i18n import _
from bot.keyboards.common import MenuCb, main_menu
from bot.keyboards.links import SectionCb
from bot.keyboards.schedule import section_card_keyboard, sections_keyboard
from bot.program.model import Program, Section
from bot.services.program import ProgramService
from bot.services.schedule_view import section_card, section_label, sections_text
from bot.services.session_questions import live_section_rows
from db import Database
from db.users import User

router = Router(name=__name__)


async def send_sections(message: Message, program: Program, locale: str) -> None:
    labels = [(s.id, section_label(s, locale)) for s in program.sections]
    await message.answer(sections_text(program, locale), reply_markup=sections_keyboard(labels))


@router.message(Command("sections"))
async def sections_command(message: Message, programs: ProgramService, locale: str) -> None:
    await send_sections(message, programs.program, locale)


@router.callback_query(MenuCb.filter(F.action == "sections"))
async def sections_button(callback: CallbackQuery, programs: ProgramService, locale: str) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await send_sections(callback.message, programs.program, locale)


async def send_section(
    message: Message, program: Program, section: Section, db: Database, user: User, locale: str
) -> None:
    text, sessions = section_card(program, section, locale)
    subscribed = section.id in await db.agenda.sections_of(user.id)
    numbered = [(n, s.id) for n, s in enumerate(sessions, 1)]
    live = await live_section_rows(db, program, section, user)
    markup = section_card_keyboard(section.id, subscribed, numbered, user.is_organizer, live)
    await message.answer(text, reply_markup=markup)


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("x-")))
async def section_link_opened(
    message: Message,
    command: CommandObject,
    programs: ProgramService,
    db: Database,
    user: User,
    locale: str,
) -> None:
    link = deeplinks.parse(command.args)
    program = programs.program
    section = program.section(link.value) if link and link.kind == "section" else None
    if section is None:
        await message.answer(
            _("This section was not found in the programme; here is the main menu."),
            reply_markup=main_menu(user.is_organizer),
        )
        return
    await send_section(message, program, section, db, user, locale)


@router.callback_query(SectionCb.filter())
async def section_button(
    callback: CallbackQuery,
    callback_data: SectionCb,
    programs: ProgramService,
    db: Database,
    user: User,
    locale: str,
) -> None:
    program = programs.program
    section = program.section(callback_data.id)
    message = callback.message if isinstance(callback.message, Message) else None
    if section is None or message is None:
        await callback.answer(
            _("This section is no longer in the programme. Open the list again."),
            show_alert=True,
        )
        return
    action = callback_data.action
    if action == "open":
        await callback.answer()
        await send_section(message, program, section, db, user, locale)
        return
    if action not in ("sub", "unsub"):
        await callback.answer(
            _("This button is out of date. Open the menu again."), show_alert=True
        )
        return
    sessions = [s.id for s in program.sessions_of_section(section.id) if not s.cancelled]
    async with db.transaction():
        was = section.id in await db.agenda.sections_of(user.id)
        if action == "sub":
            await db.agenda.subscribe(user.id, section.id, sessions)
        else:
            await db.agenda.unsubscribe(user.id, section.id)
    subscribed = action == "sub"
    if subscribed:
        note = _("Subscribed: the section's sessions are in your agenda.")
    else:
        note = _("Unsubscribed: the section's sessions left your agenda.")
    await callback.answer(note)
    if was != subscribed:
        _text, shown = section_card(program, section, locale)
        numbered = [(n, s.id) for n, s in enumerate(shown, 1)]
        live = await live_section_rows(db, program, section, user)
        await message.edit_reply_markup(
            reply_markup=section_card_keyboard(
                section.id, subscribed, numbered, user.is_organizer, live
            )
        )
