"""Keyboards of the schedule, session and section cards and the personal agenda."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.i18n import _
from bot.keyboards import per_locale
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import menu_button
from bot.keyboards.labels import fit, pack, unique
from bot.keyboards.links import SectionCb, session_link
from bot.keyboards.program import section_edit_button, session_edit_button
from bot.services.schedule_view import Page

ROW = 8  # Telegram shows at most 8 buttons in a row
TABS = 4  # a day of at most this many pages gets a button for each


class DayCb(CallbackData, prefix="dy"):
    """One page of one forum day's list; day as yyyymmdd; page -1: the page with "now"."""

    day: str
    page: int = -1


class AgendaCb(CallbackData, prefix="ag"):
    """action: page (the agenda's page), ics (the whole agenda as a calendar file)."""

    action: str
    page: int = 0


def day_key(day: date) -> str:
    return day.strftime("%Y%m%d")


def day_back(day: date, page: int) -> str:
    """`back` of a card opened from a day list."""
    return f"d{day_key(day)}.{page}"


def days_keyboard(days: Sequence[tuple[date, str]], web_app_url: str = "") -> InlineKeyboardMarkup:
    """The forum days; with the Mini App's https address, a "Full schedule" button opening it."""
    b = InlineKeyboardBuilder()
    for day, label in days:
        b.row(InlineKeyboardButton(text=fit(label), callback_data=DayCb(day=day_key(day)).pack()))
    if web_app_url.startswith("https://"):
        b.row(InlineKeyboardButton(text=_("📱 Full schedule"), web_app=WebAppInfo(url=web_app_url)))
    b.row(menu_button(_("⏱ Now and next"), "now"), menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def numbered_buttons(
    b: InlineKeyboardBuilder, numbered: Sequence[tuple[int, str]], back: str
) -> None:
    """Buttons "1", "2"... opening the session cards, in even rows of up to 8."""
    buttons = [
        InlineKeyboardButton(text=str(n), callback_data=session_link(sid, "open", back))
        for n, sid in numbered
    ]
    rows = -(-len(buttons) // ROW)
    per_row = -(-len(buttons) // rows) if rows else ROW
    for start in range(0, len(buttons), per_row):
        b.row(*buttons[start : start + per_row])


@per_locale
def day_page_keyboard(day: date, pages: tuple[Page, ...], index: int) -> InlineKeyboardMarkup:
    """A day page's numbers, buttons to the parts of the day before and after it, days, menu."""
    page = pages[index]
    b = InlineKeyboardBuilder()
    numbered_buttons(b, page.numbered, day_back(day, index))
    # A few parts of the day are all one tap away; many pages go one step at a time.
    near = range(len(pages)) if len(pages) <= TABS else (index - 1, index + 1)
    nav = []
    for other in near:
        if other == index or not 0 <= other < len(pages):
            continue
        if other < index:
            text = "◀ " + (pages[other].label or _("Earlier"))
        else:
            text = (pages[other].label or _("Later")) + " ▶"
        nav.append(
            InlineKeyboardButton(
                text=fit(text), callback_data=DayCb(day=day_key(day), page=other).pack()
            )
        )
    for row in pack(nav):
        b.row(*row)
    b.row(menu_button(_("🗓 Days"), "schedule"), menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def session_list_keyboard(
    numbered: Sequence[tuple[int, str]], back: str, *extra: InlineKeyboardButton
) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    numbered_buttons(b, numbered, back)
    for button in extra:
        b.row(button)
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


@per_locale
def titled_sessions_keyboard(
    sessions: tuple[tuple[str, tuple[str, ...]], ...], back: str, limit: int = 20
) -> InlineKeyboardMarkup:
    """One button per (session id, labels from short to telling), for short lists such as
    "now and next"; a title shown twice gets its time (and day) so no two buttons look alike."""
    b = InlineKeyboardBuilder()
    shown = sessions[:limit]
    for (session_id, _variants), text in zip(shown, unique([v for _i, v in shown]), strict=True):
        b.row(InlineKeyboardButton(text=text, callback_data=session_link(session_id, "open", back)))
    b.row(menu_button(_("🗓 Schedule"), "schedule"), menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def session_card_keyboard(
    session_id: str,
    saved: bool,
    back: str,
    has_map: bool,
    section_id: str | None,
    cancelled: bool = False,
    editable: bool = False,
    live: Sequence[Sequence[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup:
    """`editable`: the reader is an organizer, who may change the session from here; `live`:
    rows of the session's live features (questions, materials, moderation)."""
    b = InlineKeyboardBuilder()
    if saved:
        b.row(
            InlineKeyboardButton(
                text=_("✖ Remove from my agenda"),
                callback_data=session_link(session_id, "del", back),
            )
        )
    elif not cancelled:
        b.row(
            InlineKeyboardButton(
                text=_("⭐ Add to my agenda"), callback_data=session_link(session_id, "add", back)
            )
        )
    row = []
    if not cancelled:
        row.append(
            InlineKeyboardButton(
                text=_("📅 Add to calendar"), callback_data=session_link(session_id, "ics", back)
            )
        )
    if has_map:
        row.append(
            InlineKeyboardButton(text=_("📍 Map"), callback_data=session_link(session_id, "map"))
        )
    if row:
        b.row(*row)
    for live_row in live:
        b.row(*live_row)
    nav = []
    if section_id:
        nav.append(
            InlineKeyboardButton(
                text=_("🧩 Section"), callback_data=SectionCb(id=section_id).pack()
            )
        )
    if back:
        nav.append(InlineKeyboardButton(text=_("◀ Back"), callback_data=back_data(back)))
    nav.append(menu_button(_("☰ Menu"), "menu"))
    b.row(*nav)
    if editable:
        b.row(session_edit_button(session_id))
    return b.as_markup()


def back_data(back: str) -> str:
    """The callback data that reopens the list a card was opened from."""
    if back.startswith("d") and "." in back:
        day, page = back[1:].split(".", 1)
        return DayCb(day=day, page=int(page) if page.isdigit() else 0).pack()
    if back.startswith("x") and len(back) > 1:
        return SectionCb(id=back[1:]).pack()
    if back.startswith("a"):
        page = back[1:]
        return AgendaCb(action="page", page=int(page) if page.isdigit() else 0).pack()
    if back == "n":
        return menu_data("now")
    return menu_data("schedule")


def menu_data(action: str) -> str:
    return menu_button("", action).callback_data or ""


def sections_keyboard(sections: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """(section id, label) per section, one per row."""
    b = InlineKeyboardBuilder()
    buttons = [
        InlineKeyboardButton(text=fit(label), callback_data=SectionCb(id=section_id).pack())
        for section_id, label in sections
    ]
    for row in pack(buttons):
        b.row(*row)
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def section_card_keyboard(
    section_id: str,
    subscribed: bool,
    numbered: Sequence[tuple[int, str]],
    editable: bool = False,
    live: Sequence[Sequence[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup:
    """`live`: rows of the section's materials (see bot/keyboards/session_live.py)."""
    b = InlineKeyboardBuilder()
    if subscribed:
        b.row(
            InlineKeyboardButton(
                text=_("✖ Unsubscribe"),
                callback_data=SectionCb(id=section_id, action="unsub").pack(),
            )
        )
    else:
        b.row(
            InlineKeyboardButton(
                text=_("🔔 Subscribe to the section"),
                callback_data=SectionCb(id=section_id, action="sub").pack(),
            )
        )
    numbered_buttons(b, numbered, f"x{section_id}")
    for live_row in live:
        b.row(*live_row)
    b.row(menu_button(_("🧩 Sections"), "sections"), menu_button(_("☰ Menu"), "menu"))
    if editable:
        b.row(section_edit_button(section_id))
    return b.as_markup()


def agenda_keyboard(
    numbered: Sequence[tuple[int, str]], page: int, pages: int
) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    numbered_buttons(b, numbered, f"a{page}")
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                text=_("◀ Earlier"), callback_data=AgendaCb(action="page", page=page - 1).pack()
            )
        )
    if page + 1 < pages:
        nav.append(
            InlineKeyboardButton(
                text=_("Later ▶"), callback_data=AgendaCb(action="page", page=page + 1).pack()
            )
        )
    if nav:
        b.row(*nav)
    if numbered:
        b.row(
            InlineKeyboardButton(
                text=_("📅 Export all to calendar"), callback_data=AgendaCb(action="ics").pack()
            )
        )
    b.row(menu_button(_("🗓 Schedule"), "schedule"), menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()
