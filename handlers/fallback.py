"""Last resort: buttons nobody handles and messages that are not text. Nothing goes unanswered."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.i18n import _
from bot.keyboards.common import main_menu
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)


@router.callback_query()
async def stale_button(callback: CallbackQuery) -> None:
    logger.info("Unhandled callback data %r from %s", callback.data, callback.from_user.id)
    await callback.answer(_("This button is out of date. Open the menu again."), show_alert=True)


@router.message(F.document)
async def a_document(message: Message) -> None:
    """Organizers' programme files are taken earlier (handlers/program_upload.py)."""
    await message.answer(
        _(
            "Thank you, but I do not take files. The programme is changed by the forum "
            "organizers; if you have a question, just write it to me."
        )
    )


@router.message()
async def anything_else(message: Message, user: User) -> None:
    if message.text:
        text = _("I did not understand that. Here is what I can do:")
    else:
        text = _("I can only read text messages here. Here is what I can do:")
    await message.answer(text, reply_markup=main_menu(user.is_organizer))
