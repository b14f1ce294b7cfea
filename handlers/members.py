"""What participants do that concerns the organizer tools: invite links, blocking the bot."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import KICKED, ChatMemberUpdatedFilter, CommandObject, CommandStart
from aiogram.types import ChatMemberUpdated, Message

from bot.clock import Clock
from bot.deeplinks import parse
from bot.i18n import _
from bot.keyboards.common import main_menu
from bot.services.audit import audit
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("inv-")))
async def start_invite(
    message: Message, command: CommandObject, db: Database, clock: Clock, user: User
) -> None:
    link = parse(command.args)
    if link is None or link.kind != "invite" or not link.value:
        await message.answer(_("This link is out of date or not valid; here is the main menu."))
        return
    if user.is_organizer:
        await message.answer(_("You are already an organizer."), reply_markup=main_menu(True))
        return
    async with db.transaction():
        inviter = await db.invites.use(link.value, user.id, clock.now())
        if inviter is not None:
            await db.users.set_role(user.id, "organizer")
            await audit(db, inviter, "role.add", "invite", subject=user.id)
    if inviter is None:
        await message.answer(
            _("This invite link has expired or was already used. Ask the owner for a new one.")
        )
        return
    await message.answer(
        _("Welcome to the team! You are now an organizer: open /admin."),
        reply_markup=main_menu(True),
    )


@router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=KICKED))
async def bot_blocked(event: ChatMemberUpdated, db: Database) -> None:
    """Someone blocked the bot: leave them out of announcements until they come back."""
    async with db.transaction():
        await db.users.mark_blocked(event.from_user.id)
    logger.info("User %s blocked the bot", event.from_user.id)
