"""/team: the owners add organizers (forwarded message, @username, invite link) and remove them."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.markdown import html_decoration as hd

from bot import deeplinks
from bot.clock import Clock
from bot.filters import owner_only
from bot.i18n import _, fmt_datetime
from bot.keyboards.admin import AdminCb, TeamCb, team_keyboard
from bot.services.audit import audit
from bot.services.program import ProgramService
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)
owner_only(router)

INVITE_VALID = timedelta(hours=24)


class TeamForm(StatesGroup):
    add = State()


async def team_text(db: Database) -> tuple[str, list[tuple[int, str]]]:
    people = await db.users.with_role("organizer", "owner")
    lines = [_("👥 <b>Organizers</b>")]
    removable = []
    for person in people:
        name = hd.quote(person.full_name or str(person.id))
        handle = f" @{hd.quote(person.username)}" if person.username else ""
        mark = _(" (owner)") if person.is_owner else ""
        lines.append(f"• {name}{handle}{mark}")
        if not person.is_owner:
            removable.append((person.id, person.full_name or str(person.id)))
    lines += [
        "",
        _(
            "To add an organizer, forward me any message from them, or send their @username "
            "(they must have written to the bot before), or give them a one-time invite link."
        ),
    ]
    return "\n".join(lines), removable


async def show_team(message: Message, db: Database, state: FSMContext) -> None:
    text, removable = await team_text(db)
    await state.set_state(TeamForm.add)
    await message.answer(text, reply_markup=team_keyboard(removable))


@router.message(Command("team"))
async def team_command(message: Message, user: User, db: Database, state: FSMContext) -> None:
    await show_team(message, db, state)


@router.callback_query(AdminCb.filter(F.action == "team"))
async def team_button(callback: CallbackQuery, user: User, db: Database, state: FSMContext) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await show_team(callback.message, db, state)


async def make_organizer(message: Message, db: Database, owner: User, target: User) -> None:
    name = hd.quote(target.full_name or str(target.id))
    if target.is_organizer:
        await message.answer(_("{name} is already an organizer.").format(name=name))
        return
    async with db.transaction():
        await db.users.set_role(target.id, "organizer")
        await audit(db, owner.id, "role.add", subject=target.id)
    await message.answer(_("✅ {name} is now an organizer.").format(name=name))


@router.message(TeamForm.add, F.forward_origin)
async def add_by_forward(message: Message, user: User, db: Database) -> None:
    origin = message.forward_origin
    sender = getattr(origin, "sender_user", None)
    if sender is None or sender.is_bot:
        await message.answer(
            _(
                "I cannot see who wrote this message: their privacy settings hide it. "
                "Send their @username or give them an invite link instead."
            )
        )
        return
    target = await db.users.get(sender.id)
    if target is None:
        await message.answer(
            _("This person has not written to the bot yet. Ask them to open it and press Start.")
        )
        return
    await make_organizer(message, db, user, target)


@router.message(TeamForm.add, F.text.regexp(r"^@[A-Za-z0-9_]{3,32}$"))
async def add_by_username(message: Message, user: User, db: Database) -> None:
    assert message.text is not None
    target = await db.users.by_username(message.text)
    if target is None:
        await message.answer(
            _("I do not know {username}: they must write to the bot first.").format(
                username=hd.quote(message.text)
            )
        )
        return
    await make_organizer(message, db, user, target)


@router.callback_query(TeamCb.filter(F.action == "rm"))
async def remove_organizer(
    callback: CallbackQuery, callback_data: TeamCb, user: User, db: Database
) -> None:
    target = await db.users.get(callback_data.id)
    if target is None or target.role != "organizer":
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    async with db.transaction():
        await db.users.set_role(target.id, "participant")
        await audit(db, user.id, "role.remove", subject=target.id)
    await callback.answer()
    if callback.message:
        await callback.message.answer(
            _("{name} is no longer an organizer.").format(
                name=hd.quote(target.full_name or str(target.id))
            )
        )


@router.callback_query(TeamCb.filter(F.action == "inv"))
async def invite_link(
    callback: CallbackQuery,
    user: User,
    db: Database,
    bot: Bot,
    clock: Clock,
    programs: ProgramService,
    locale: str,
) -> None:
    token = secrets.token_urlsafe(12)
    expires = clock.now() + INVITE_VALID
    async with db.transaction():
        await db.invites.create(token, user.id, expires)
        await audit(db, user.id, "invite.created", f"valid until {expires.isoformat()}")
    me = await bot.me()
    link = deeplinks.url(me.username or "", "invite", token)
    until = fmt_datetime(expires.astimezone(programs.program.forum.tz), locale)
    await callback.answer()
    if callback.message:
        await callback.message.answer(
            _(
                "🔗 One-time invite link, valid until {until}. Whoever opens it first becomes "
                "an organizer:\n{link}"
            ).format(until=until, link=hd.quote(link))
        )


@router.callback_query(TeamCb.filter())
async def team_stale(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is out of date."), show_alert=True)
