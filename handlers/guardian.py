"""A parent's or guardian's consent for a minor's registration, given in their own Telegram
account through the one-time link the minor forwarded."""

from __future__ import annotations

import html
import logging

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.i18n import _
from bot.keyboards.registration import GuardianCb, guardian_keyboard, menu_keyboard
from bot.services.program import ProgramService
from bot.services.registration import RegistrationService
from bot.services.registration_view import guardian_consent_html, link_gone_text
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("g-")))
async def guardian_link(
    message: Message,
    command: CommandObject,
    db: Database,
    programs: ProgramService,
    user: User,
    locale: str,
) -> None:
    token = (command.args or "")[2:]
    row = await db.registrations.by_guardian_token(token) if token else None
    if row is None or row.status != "guardian" or programs.program.registration is None:
        await message.answer(link_gone_text(), reply_markup=menu_keyboard())
        return
    if row.user_id == user.id:
        await message.answer(
            _(
                "This link is for your parent or guardian: forward it to them, and they open "
                "it in their own Telegram."
            )
        )
        return
    await message.answer(
        guardian_consent_html(row, programs.program, locale),
        reply_markup=guardian_keyboard(token),
    )


@router.callback_query(GuardianCb.filter())
async def guardian_answer(
    callback: CallbackQuery,
    callback_data: GuardianCb,
    db: Database,
    programs: ProgramService,
    user: User,
    registrations: RegistrationService,
) -> None:
    message = callback.message
    row = await db.registrations.by_guardian_token(callback_data.token)
    reg = programs.program.registration
    if (
        row is None
        or reg is None
        or row.user_id == user.id
        or callback_data.action not in ("yes", "no")
        or not isinstance(message, Message)
    ):
        await callback.answer(link_gone_text(), show_alert=True)
        return
    if callback_data.action == "yes":
        done = await registrations.guardian_consents(row, user.id, "telegram", reg.capacity)
        text = _(
            "✅ Thank you! Your consent is recorded, and the registration {number} of {name} is "
            "complete."
        )
    else:
        done = await registrations.guardian_refuses(row)
        text = _(
            "Your answer is recorded: without your consent the registration {number} of {name} "
            "is cancelled."
        )
    if done is None:
        await callback.answer(link_gone_text(), show_alert=True)
        return
    await callback.answer()
    await message.edit_text(
        text.format(number=row.number, name=html.escape(row.full_name)),
        reply_markup=menu_keyboard(),
    )
