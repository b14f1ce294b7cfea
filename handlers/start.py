"""/start, /help and /menu: the greeting and the main menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.markdown import html_decoration as hd

from bot.i18n import _, fmt_date_range
from bot.keyboards.common import MenuCb, main_menu
from bot.program.model import Forum
from bot.services.program import ProgramService
from db.users import User

router = Router(name=__name__)


def greeting(programs: ProgramService, user: User | None, locale: str) -> str:
    name = hd.quote(user.first_name) if user and user.first_name else ""
    hello = _("Hello, {name}!").format(name=name) if name else _("Hello!")
    forum = programs.program.forum
    intro = programs.derived(("intro", locale), lambda: introduction(forum, locale))
    return f"👋 {hello}\n{intro}"


def introduction(forum: Forum, locale: str) -> str:
    """The part of the greeting that is the same for everyone (babel formatting is slow)."""
    dates = fmt_date_range(forum.start_date, forum.end_date, locale)
    return "\n".join(
        [
            _("I am the assistant of the <b>{forum}</b> ({city}, {dates}).").format(
                forum=hd.quote(forum.title.get(locale)),
                city=hd.quote(forum.city.get(locale)),
                dates=dates,
            ),
            "",
            _(
                "Ask me about the schedule, the sections and the partner cities — with the "
                "buttons or in your own words. Save sessions to your agenda and I will remind "
                "you before they start."
            ),
        ]
    )


def help_text() -> str:
    return "\n".join(
        [
            _("<b>What I can do</b>"),
            "",
            _("/schedule — the programme by day"),
            _("/now — what is on now and next"),
            _("/sections — thematic sections"),
            _("/cities — partner (twin) cities; or just type a city"),
            _("/agenda — my saved sessions, reminders and calendar export"),
            _(
                "/delegate — my delegate profile: find the delegates of your partner city on "
                "its card and ask them to meet; /meetings — my meetings"
            ),
            _("/register — registration for the youth meeting"),
            _("/mydata — what the bot stores about you; /forget — delete it"),
            _("/settings — language, reminders, digest, announcements"),
            _("/language — choose the language"),
            "",
            _(
                "In a session (from 30 minutes before it): on its card, “Ask a question” to the "
                "speakers, with your name or anonymously, and vote for others' questions; "
                "polls come to you if you saved the session; afterwards rate it (1–5) and "
                "find its presentations under “Materials”."
            ),
            "",
            _("Or simply write a question, e.g. “where is the youth section?”"),
        ]
    )


@router.message(CommandStart(deep_link=True))
async def start_unknown_link(
    message: Message, command: CommandObject, programs: ProgramService, user: User, locale: str
) -> None:
    """Deep links that no feature recognised (features register theirs before this router)."""
    await message.answer(_("This link is out of date or not valid; here is the main menu."))
    await send_menu(message, programs, user, locale)


async def send_menu(message: Message, programs: ProgramService, user: User, locale: str) -> None:
    await message.answer(
        greeting(programs, user, locale), reply_markup=main_menu(user.is_organizer)
    )


@router.message(CommandStart())
@router.message(Command("menu"))
async def start(message: Message, programs: ProgramService, user: User, locale: str) -> None:
    await send_menu(message, programs, user, locale)


@router.message(Command("help"))
async def help_command(message: Message, user: User) -> None:
    await message.answer(help_text(), reply_markup=main_menu(user.is_organizer))


@router.callback_query(MenuCb.filter(F.action == "menu"))
async def menu_button(
    callback: CallbackQuery, programs: ProgramService, user: User, locale: str
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await send_menu(callback.message, programs, user, locale)


@router.callback_query(MenuCb.filter(F.action == "help"))
async def help_button(callback: CallbackQuery, user: User) -> None:
    await callback.answer()
    if callback.message:
        await callback.message.answer(help_text(), reply_markup=main_menu(user.is_organizer))
