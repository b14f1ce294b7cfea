"""The main menu, language choice and settings."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _
from bot.keyboards import per_locale
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.labels import pack

LANGUAGE_NAMES = {"ru": "Русский", "be": "Беларуская", "en": "English"}
REMINDER_CHOICES = (5, 10, 15, 30, 60)


class MenuCb(CallbackData, prefix="m"):
    """A main-menu entry: schedule, now, sections, cities, ask, register, agenda, settings..."""

    action: str


class LangCb(CallbackData, prefix="lang"):
    code: str


class SettingsCb(CallbackData, prefix="set"):
    """action: open, reminder (value = minutes, 0 = off), digest, mute, feedback (value = 0/1)."""

    action: str
    value: int = 0


def menu_button(text: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=MenuCb(action=action).pack())


@per_locale
def main_menu(is_organizer: bool = False) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(menu_button(_("🗓 Schedule"), "schedule"), menu_button(_("⏱ Now and next"), "now"))
    b.row(menu_button(_("🧩 Sections"), "sections"), menu_button(_("🤝 Partner cities"), "cities"))
    b.row(menu_button(_("⭐ My agenda"), "agenda"), menu_button(_("❓ Ask a question"), "ask"))
    b.row(menu_button(_("📝 Youth meeting"), "register"))
    b.row(menu_button(_("⚙️ Settings"), "settings"), menu_button(_("ℹ️ Help"), "help"))
    if is_organizer:
        b.row(menu_button(_("🛠 Organizer tools"), "admin"))
    return b.as_markup()


@per_locale
def back_to_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[menu_button(_("☰ Menu"), "menu")]])


@per_locale
def language_keyboard(current: str | None) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        mark = "✅ " if code == current else ""
        b.button(text=f"{mark}{name}", callback_data=LangCb(code=code))
    b.adjust(3)
    return b.as_markup()


@per_locale
def settings_keyboard(
    reminder_minutes: int | None, digest: bool, muted: bool, feedback: bool = True
) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(text=_("🌐 Language"), callback_data=MenuCb(action="language").pack())
    )
    choices = []
    for minutes in REMINDER_CHOICES:
        mark = "✅ " if minutes == reminder_minutes else ""
        choices.append(
            InlineKeyboardButton(
                text=mark + _("{minutes} min").format(minutes=minutes),
                callback_data=SettingsCb(action="reminder", value=minutes).pack(),
            )
        )
    for row in pack(choices, per_row=3):
        b.row(*row)
    b.row(
        InlineKeyboardButton(
            text=("✅ " if reminder_minutes is None else "") + _("🔕 No reminders"),
            callback_data=SettingsCb(action="reminder", value=0).pack(),
        )
    )
    b.row(
        InlineKeyboardButton(
            text=(_("☀️ Morning digest: on") if digest else _("☀️ Morning digest: off")),
            callback_data=SettingsCb(action="digest", value=int(not digest)).pack(),
        )
    )
    b.row(
        InlineKeyboardButton(
            text=(_("📣 Announcements: muted") if muted else _("📣 Announcements: on")),
            callback_data=SettingsCb(action="mute", value=int(not muted)).pack(),
        )
    )
    b.row(
        InlineKeyboardButton(
            text=(_("⭐ Feedback requests: on") if feedback else _("⭐ Feedback requests: off")),
            callback_data=SettingsCb(action="feedback", value=int(not feedback)).pack(),
        )
    )
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()
