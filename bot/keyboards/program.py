"""Buttons of the organizers' programme tools: upload preview, rollback, live edits, undo.

Prefixes start with "o", so handlers/access.py refuses a forged one from a participant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import menu_button
from bot.keyboards.labels import fit, pack, unique
from bot.keyboards.links import session_link
from bot.services.live_edit import DELAY_CHOICES, HALLS_PAGE, SECTION, SESSION, day_key


class ProgramCb(CallbackData, prefix="op"):
    """ok / no: import or drop the upload draft `id`; rb: show the rollback preview;
    rbok: roll back to version `id`, previewed against version `base`; rbno: keep it."""

    action: str
    id: int = 0
    base: int = 0


class EditCb(CallbackData, prefix="oe"):
    """One step of a live edit: k "s" (session) or "x" (section), the id, a action, v value."""

    k: str
    id: str
    a: str
    v: str = ""


class UndoCb(CallbackData, prefix="ou"):
    """Undo the live edit `id`."""

    id: int


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def edit_button(
    kind: str, target: str, action: str, text: str, value: str = ""
) -> InlineKeyboardButton:
    return button(text, EditCb(k=kind, id=target, a=action, v=value))


def preview_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("✅ Import"), ProgramCb(action="ok", id=draft_id)),
                button(_("✖️ Cancel"), ProgramCb(action="no", id=draft_id)),
            ]
        ]
    )


def rollback_keyboard(target: int, base: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("⏪ Roll back"), ProgramCb(action="rbok", id=target, base=base)),
                button(_("✖️ Cancel"), ProgramCb(action="rbno")),
            ]
        ]
    )


def program_menu_keyboard(is_owner: bool) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    if is_owner:
        b.row(button(_("⏪ Roll back the last import"), ProgramCb(action="rb")))
    b.row(menu_button(_("🛠 Organizer tools"), "admin"), menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def edit_done_keyboard(edit_id: int | None, session_id: str | None) -> InlineKeyboardMarkup:
    row = []
    if edit_id is not None:
        row.append(button(_("↩️ Undo"), UndoCb(id=edit_id)))
    if session_id is not None:
        row.append(
            InlineKeyboardButton(text=_("Open the card"), callback_data=session_link(session_id))
        )
    return InlineKeyboardMarkup(inline_keyboard=[row] if row else [])


# The value of the "◀ Back" buttons: the screen they open replaces the dialogue's message,
# while the card's own Edit button (no value) opens a new one.
BACK = "b"


def back_button(session_id: str) -> InlineKeyboardButton:
    return edit_button(SESSION, session_id, "menu", _("◀ Back"), BACK)


def close_row(kind: str, target: str) -> list[InlineKeyboardButton]:
    return [edit_button(kind, target, "close", _("✖️ Close"))]


def edit_menu_keyboard(session_id: str, cancelled: bool, has_notice: bool) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    s = SESSION
    if not cancelled:
        b.row(
            edit_button(s, session_id, "dl", _("⏱ Delay")),
            edit_button(s, session_id, "mv", _("🕒 Another time")),
        )
        b.row(edit_button(s, session_id, "hall", _("🏛 Another hall")))
        b.row(edit_button(s, session_id, "cx", _("❌ Cancel the session")))
    else:
        b.row(edit_button(s, session_id, "rs", _("✅ Restore the session")))
    notice = [edit_button(s, session_id, "nt", _("📢 Notice on the card"))]
    if has_notice:
        notice.append(edit_button(s, session_id, "ntc", _("🗑 Remove the notice")))
    b.row(*notice)
    b.row(*close_row(s, session_id))
    return b.as_markup()


def edit_days_keyboard(session_id: str, days: Sequence[tuple[date, str]]) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    buttons = [
        button(fit(label), EditCb(k=SESSION, id=session_id, a="day", v=day_key(day)))
        for day, label in days
    ]
    for row in pack(buttons):
        b.row(*row)
    b.row(back_button(session_id), *close_row(SESSION, session_id))
    return b.as_markup()


def halls_keyboard(
    kind: str, target: str, variants: Sequence[Sequence[str]], page: int, tag: str
) -> InlineKeyboardMarkup:
    """One page of the programme's halls (each with its labels from short to telling); buttons
    carry the hall's number and the list's tag."""
    b = InlineKeyboardBuilder()
    labels = unique(variants)
    first = page * HALLS_PAGE
    buttons = [
        InlineKeyboardButton(
            text=label, callback_data=EditCb(k=kind, id=target, a="h", v=f"{index}.{tag}").pack()
        )
        for index, label in enumerate(labels[first : first + HALLS_PAGE], first)
    ]
    for row in pack(buttons):
        b.row(*row)
    nav = []
    if page > 0:
        nav.append(edit_button(kind, target, "hp", _("◀ Earlier"), str(page - 1)))
    if first + HALLS_PAGE < len(labels):
        nav.append(edit_button(kind, target, "hp", _("Later ▶"), str(page + 1)))
    if nav:
        b.row(*nav)
    back = [back_button(target)] if kind == SESSION else []
    b.row(*back, *close_row(kind, target))
    return b.as_markup()


def delay_keyboard(session_id: str) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for minutes in DELAY_CHOICES:
        b.button(
            text=_("+{n} min").format(n=minutes),
            callback_data=EditCb(k=SESSION, id=session_id, a="d", v=str(minutes)),
        )
    b.adjust(4)
    b.row(edit_button(SESSION, session_id, "dm", _("✍️ Other")))
    b.row(back_button(session_id), *close_row(SESSION, session_id))
    return b.as_markup()


def scope_keyboard(session_id: str, minutes: int, later: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(edit_button(SESSION, session_id, "ds", _("Only this session"), f"{minutes}.0"))
    b.row(
        edit_button(
            SESSION,
            session_id,
            "ds",
            _("This one and the {n} later in the hall").format(n=later),
            f"{minutes}.1",
        )
    )
    b.row(
        edit_button(SESSION, session_id, "dl", _("◀ Back"), BACK), *close_row(SESSION, session_id)
    )
    return b.as_markup()


def cancel_confirm_keyboard(session_id: str) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(edit_button(SESSION, session_id, "cxy", _("❌ Yes, cancel it")))
    b.row(back_button(session_id))
    return b.as_markup()


def notice_prompt_keyboard(session_id: str, has_notice: bool) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    if has_notice:
        b.row(edit_button(SESSION, session_id, "ntc", _("🗑 Remove the notice")))
    b.row(back_button(session_id), *close_row(SESSION, session_id))
    return b.as_markup()


def prompt_keyboard(session_id: str, back: str) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        edit_button(SESSION, session_id, back, _("◀ Back"), BACK), *close_row(SESSION, session_id)
    )
    return b.as_markup()


def section_edit_button(section_id: str) -> InlineKeyboardButton:
    return edit_button(SECTION, section_id, "menu", _("✏️ Move the section to another hall"))


def session_edit_button(session_id: str) -> InlineKeyboardButton:
    return edit_button(SESSION, session_id, "menu", _("✏️ Edit"))
