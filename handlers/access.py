"""Refuses organizer and owner commands and buttons to everyone else: the role-guarded routers
let them fall through to here."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.filters import ORGANIZER_PREFIX, guarded_commands
from bot.i18n import _
from bot.keyboards.common import MenuCb
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)


def refusal(user: User | None) -> str:
    """An organizer reached an owner's tool; anyone else an organizer's."""
    if user is not None and user.is_organizer:
        return _("Only the owners of the bot can do this.")
    return _("This is for the forum organizers only.")


class GuardedCommand(BaseFilter):
    """A command that a role-guarded router handles (that router refused this person)."""

    async def __call__(self, message: Message) -> bool:
        text = message.text or ""
        if not text.startswith("/"):
            return False
        name = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
        return name in guarded_commands()


@router.message(GuardedCommand())
async def guarded_command(message: Message, user: User | None = None) -> None:
    logger.warning("User %s tried %r", message.from_user and message.from_user.id, message.text)
    await message.answer(refusal(user))


@router.callback_query(F.data.startswith(ORGANIZER_PREFIX))
@router.callback_query(MenuCb.filter(F.action.startswith("adm")))
async def guarded_button(callback: CallbackQuery, user: User | None = None) -> None:
    logger.warning("User %s pressed %r", callback.from_user.id, callback.data)
    await callback.answer(refusal(user), show_alert=True)
