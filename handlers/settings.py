"""/language and /settings: language, reminders, morning digest, muting announcements."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n

from bot.i18n import _
from bot.keyboards.common import (
    REMINDER_CHOICES,
    LangCb,
    MenuCb,
    SettingsCb,
    language_keyboard,
    main_menu,
    settings_keyboard,
)
from bot.program.model import LANGUAGES
from db import Database
from db.users import User

router = Router(name=__name__)


def settings_text(user: User) -> str:
    if user.reminder_minutes:
        reminder = _("Reminders: {minutes} min before a saved session.").format(
            minutes=user.reminder_minutes
        )
    else:
        reminder = _("Reminders: off.")
    return "\n".join([_("<b>Settings</b>"), "", reminder])


def same_markup(a: InlineKeyboardMarkup | None, b: InlineKeyboardMarkup | None) -> bool:
    """Equal as Telegram sees them (pydantic's == tells a parsed copy from a built one)."""
    dump = [m.model_dump(exclude_none=True) if m else None for m in (a, b)]
    return dump[0] == dump[1]


@router.message(Command("language"))
async def language_command(message: Message, user: User, locale: str) -> None:
    await message.answer(
        _("Choose the language:"), reply_markup=language_keyboard(user.language or locale)
    )


@router.callback_query(MenuCb.filter(F.action == "language"))
async def language_button(callback: CallbackQuery, user: User, locale: str) -> None:
    await callback.answer()
    if callback.message:
        await callback.message.answer(
            _("Choose the language:"), reply_markup=language_keyboard(user.language or locale)
        )


@router.callback_query(LangCb.filter())
async def language_chosen(
    callback: CallbackQuery, callback_data: LangCb, db: Database, user: User, i18n: I18n
) -> None:
    code = callback_data.code
    if code not in LANGUAGES:
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    async with db.transaction():
        await db.users.set_language(user.id, code)
    # The rest of this update, and every later one, speaks the chosen language.
    i18n.current_locale = code
    await callback.answer(_("Language: English") if code == "en" else _("Language saved."))
    if callback.message:
        await callback.message.answer(
            _("Done. I will speak to you in this language."),
            reply_markup=main_menu(user.is_organizer),
        )


async def user_settings_keyboard(db: Database, user: User) -> InlineKeyboardMarkup:
    feedback = not await db.feedback.is_off(user.id)
    return settings_keyboard(user.reminder_minutes, user.digest, user.muted, feedback)


@router.message(Command("settings"))
async def settings_command(message: Message, user: User, db: Database) -> None:
    await message.answer(settings_text(user), reply_markup=await user_settings_keyboard(db, user))


@router.callback_query(MenuCb.filter(F.action == "settings"))
async def settings_button(callback: CallbackQuery, user: User, db: Database) -> None:
    await callback.answer()
    if callback.message:
        await callback.message.answer(
            settings_text(user), reply_markup=await user_settings_keyboard(db, user)
        )


@router.callback_query(SettingsCb.filter())
async def settings_changed(
    callback: CallbackQuery, callback_data: SettingsCb, db: Database, user: User
) -> None:
    action, value = callback_data.action, callback_data.value
    if action == "reminder" and (value == 0 or value in REMINDER_CHOICES):
        async with db.transaction():
            await db.users.set_reminder_minutes(user.id, value or None)
        note = (
            _("Reminders off.")
            if value == 0
            else _("Reminders {minutes} min before.").format(minutes=value)
        )
    elif action in ("digest", "mute") and value in (0, 1):
        async with db.transaction():
            await db.users.set_flag(
                user.id, "digest" if action == "digest" else "muted", bool(value)
            )
        note = _("Saved.")
    elif action == "feedback" and value in (0, 1):
        async with db.transaction():
            await db.feedback.set_off(user.id, not value)
        note = _("Saved.")
    else:
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    fresh = await db.users.get(user.id)
    assert fresh is not None
    await callback.answer(note)
    if callback.message:
        # Editing in place keeps the chat short; an unchanged keyboard is not re-sent.
        markup = await user_settings_keyboard(db, fresh)
        if not same_markup(markup, callback.message.reply_markup):  # type: ignore[union-attr]
            try:
                await callback.message.edit_text(settings_text(fresh), reply_markup=markup)  # type: ignore[union-attr]
            except TelegramBadRequest as exc:
                # Two quick taps: the first one's edit already shows this.
                if "not modified" not in exc.message:
                    raise
