"""Refuses organizer commands and buttons to everyone else (they fall through to here)."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.filters import ORGANIZER_COMMANDS, ORGANIZER_PREFIX
from bot.i18n import _
from bot.keyboards.common import MenuCb

logger = logging.getLogger(__name__)
router = Router(name=__name__)


def refusal() -> str:
    return _("This is for the forum organizers only.")


@router.message(Command(*ORGANIZER_COMMANDS))
async def organizer_command(message: Message) -> None:
    logger.warning("User %s tried %r", message.from_user and message.from_user.id, message.text)
    await message.answer(refusal())


@router.callback_query(F.data.startswith(ORGANIZER_PREFIX))
@router.callback_query(MenuCb.filter(F.action.startswith("adm")))
async def organizer_button(callback: CallbackQuery) -> None:
    logger.warning("User %s pressed %r", callback.from_user.id, callback.data)
    await callback.answer(refusal(), show_alert=True)
