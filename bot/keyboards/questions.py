"""Answers to free-text questions, and the organizers' inbox (prefixes starting with "o")."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _, language_name
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import menu_button
from bot.keyboards.labels import distinct

# Open questions per page of the inbox.
INBOX_PAGE = 10


class AskCb(CallbackData, prefix="qs"):
    """Send the stored question `id` (the asker's own) to the organizers."""

    id: int


class AnswerCb(CallbackData, prefix="qa"):
    """Show another match of a question: kind faq, speaker or venue (cards of others use links)."""

    kind: str
    id: str


class FaqLangCb(CallbackData, prefix="of"):
    """Organizers: add the version in `lang` of the saved FAQ entry `id` (inbox-<n>)."""

    id: str
    lang: str


class InboxCb(CallbackData, prefix="oq"):
    """Organizers: action list (page), answer (question id), cancel, faq (save the answered
    question id as an FAQ entry)."""

    action: str
    id: int = 0
    page: int = 0


def results_keyboard(
    buttons: list[InlineKeyboardButton], offer_organizers: int | None = None
) -> InlineKeyboardMarkup:
    """The cards an answer links to, one per row; optionally 'send to organizers'."""
    b = InlineKeyboardBuilder()
    for button in distinct(buttons):
        b.row(button)
    if offer_organizers is not None:
        b.row(send_button(offer_organizers))
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def not_partner_keyboard(buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """The partner cities spelled like the one asked for, and the list of all of them."""
    b = InlineKeyboardBuilder()
    for button in buttons:
        b.row(button)
    b.row(menu_button(_("🤝 All partner cities"), "cities"), menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def faq_save_keyboard(question_id: int) -> InlineKeyboardMarkup:
    """Under an organizer's answer: keep it as an FAQ entry for the next people who ask."""
    b = InlineKeyboardBuilder()
    b.button(
        text=_("💾 Save as an FAQ answer"), callback_data=InboxCb(action="faq", id=question_id)
    )
    return b.as_markup()


def faq_languages_keyboard(entry_id: str, missing: list[str]) -> InlineKeyboardMarkup | None:
    """Buttons to add a saved FAQ entry's versions in the languages it lacks."""
    if not missing:
        return None
    b = InlineKeyboardBuilder()
    for lang in missing:
        b.button(
            text=_("➕ {language}").format(language=language_name(lang, title=True)),
            callback_data=FaqLangCb(id=entry_id, lang=lang),
        )
    b.adjust(3)
    return b.as_markup()


def send_button(question_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_("📨 Send to the organizers"), callback_data=AskCb(id=question_id).pack()
    )


def not_found_keyboard(question_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(send_button(question_id))
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def answer_button(question_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("✍️ Answer"), callback_data=InboxCb(action="answer", id=question_id))
    return b.as_markup()


def inbox_keyboard(question_ids: list[int], page: int, pages: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for question_id in question_ids:
        b.button(
            text=_("✍️ Answer #{id}").format(id=question_id),
            callback_data=InboxCb(action="answer", id=question_id),
        )
    b.adjust(2)
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(
                text="◀️", callback_data=InboxCb(action="list", page=page - 1).pack()
            )
        )
    if page + 1 < pages:
        row.append(
            InlineKeyboardButton(
                text="▶️", callback_data=InboxCb(action="list", page=page + 1).pack()
            )
        )
    if row:
        b.row(*row)
    return b.as_markup()


def cancel_answer_keyboard() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("✖️ Cancel"), callback_data=InboxCb(action="cancel"))
    return b.as_markup()
