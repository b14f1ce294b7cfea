"""The organizer tools: admin menu, announcement composer, scheduled list, team, audit log.

Every prefix starts with "o", so handlers/access.py refuses a forged one from a participant.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import LANGUAGE_NAMES, menu_button
from bot.keyboards.program import UndoCb

# Audience parameter choices shown at once; callback data carry the index, not the value.
MAX_CHOICES = 60


class AdminCb(CallbackData, prefix="oa"):
    """The admin menu: ann (compose), sched (scheduled list), prog (programme), team, audit."""

    action: str


class ComposeCb(CallbackData, prefix="oc"):
    """The composer: aud, par, urg, ver, test, send, sched, when, edit, cancel, back."""

    action: str
    value: str = ""


class AnnCb(CallbackData, prefix="on"):
    """An announcement in the database: send, resched, cancel, stop."""

    id: int
    action: str


class TeamCb(CallbackData, prefix="ot"):
    """Organizers: rm (remove id), inv (new invite link), list."""

    action: str
    id: int = 0


class AuditCb(CallbackData, prefix="ol"):
    page: int


ORGANIZER_FACTORIES: tuple[type[CallbackData], ...] = (AdminCb, ComposeCb, AnnCb, TeamCb, AuditCb)


def admin_menu(is_owner: bool) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("📣 New announcement"), callback_data=AdminCb(action="ann").pack()
        ),
        InlineKeyboardButton(text=_("⏰ Scheduled"), callback_data=AdminCb(action="sched").pack()),
    )
    b.row(
        menu_button(_("📨 Questions inbox"), "adm_inbox"),
        menu_button(_("📝 Registrations"), "adm_reg"),
    )
    b.row(InlineKeyboardButton(text=_("🗂 Programme"), callback_data=AdminCb(action="prog").pack()))
    if is_owner:
        b.row(
            InlineKeyboardButton(
                text=_("👥 Organizers"), callback_data=AdminCb(action="team").pack()
            ),
            InlineKeyboardButton(
                text=_("📜 Audit log"), callback_data=AdminCb(action="audit").pack()
            ),
        )
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def cancel_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✖️ Cancel"), callback_data=ComposeCb(action="cancel").pack()
                )
            ]
        ]
    )


def audiences_keyboard(audiences: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """(key, label) of every registered audience."""
    b = InlineKeyboardBuilder()
    for key, label in audiences:
        b.button(text=label, callback_data=ComposeCb(action="aud", value=key))
    b.button(text=_("✖️ Cancel"), callback_data=ComposeCb(action="cancel"))
    b.adjust(2)
    return b.as_markup()


def choices_keyboard(choices: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for index, (_value, label) in enumerate(choices[:MAX_CHOICES]):
        b.button(text=label[:60], callback_data=ComposeCb(action="par", value=str(index)))
    b.adjust(2)
    b.row(
        InlineKeyboardButton(text=_("⬅️ Back"), callback_data=ComposeCb(action="back").pack()),
        InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=ComposeCb(action="cancel").pack()),
    )
    return b.as_markup()


def draft_keyboard(versions: list[str], urgent: bool) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    extra = [
        InlineKeyboardButton(
            text=_("➕ {language}").format(language=name),
            callback_data=ComposeCb(action="ver", value=code).pack(),
        )
        for code, name in LANGUAGE_NAMES.items()
        if code not in versions
    ]
    if extra:
        b.row(*extra)
    b.row(
        InlineKeyboardButton(
            text=_("🚨 Urgent: yes") if urgent else _("🔔 Urgent: no"),
            callback_data=ComposeCb(action="urg").pack(),
        ),
        InlineKeyboardButton(text=_("👥 Audience"), callback_data=ComposeCb(action="back").pack()),
    )
    b.row(
        InlineKeyboardButton(
            text=_("🧪 Send a test to me"), callback_data=ComposeCb(action="test").pack()
        )
    )
    b.row(
        InlineKeyboardButton(text=_("🚀 Send now"), callback_data=ComposeCb(action="send").pack()),
        InlineKeyboardButton(text=_("⏰ Schedule"), callback_data=ComposeCb(action="sched").pack()),
    )
    b.row(
        InlineKeyboardButton(text=_("✏️ Edit"), callback_data=ComposeCb(action="edit").pack()),
        InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=ComposeCb(action="cancel").pack()),
    )
    return b.as_markup()


def when_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("In 1 hour"), callback_data=ComposeCb(action="when", value="1h").pack()
                ),
                InlineKeyboardButton(
                    text=_("Tomorrow 9:00"),
                    callback_data=ComposeCb(action="when", value="tm9").pack(),
                ),
            ],
            [
                InlineKeyboardButton(
                    text=_("✖️ Cancel"), callback_data=ComposeCb(action="cancel").pack()
                )
            ],
        ]
    )


def scheduled_keyboard(items: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """(id, status) of the listed announcements."""
    b = InlineKeyboardBuilder()
    for ann_id, status in items:
        row = [
            InlineKeyboardButton(
                text=_("🕑 #{id} change time").format(id=ann_id),
                callback_data=AnnCb(id=ann_id, action="resched").pack(),
            ),
            InlineKeyboardButton(
                text=_("✖️ #{id} cancel").format(id=ann_id),
                callback_data=AnnCb(id=ann_id, action="cancel").pack(),
            ),
        ]
        if status == "missed":
            row.insert(
                0,
                InlineKeyboardButton(
                    text=_("🚀 #{id} send now").format(id=ann_id),
                    callback_data=AnnCb(id=ann_id, action="send").pack(),
                ),
            )
        b.row(*row)
    return b.as_markup()


def progress_keyboard(announcement_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("⏹ Stop"), callback_data=AnnCb(id=announcement_id, action="stop").pack()
                )
            ]
        ]
    )


def missed_keyboard(announcement_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("🚀 Send now"),
                    callback_data=AnnCb(id=announcement_id, action="send").pack(),
                ),
                InlineKeyboardButton(
                    text=_("✖️ Cancel it"),
                    callback_data=AnnCb(id=announcement_id, action="cancel").pack(),
                ),
            ]
        ]
    )


def team_keyboard(organizers: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """(id, name) of the organizers an owner may remove."""
    b = InlineKeyboardBuilder()
    for user_id, name in organizers[:90]:
        b.row(
            InlineKeyboardButton(
                text=_("➖ {name}").format(name=name[:40]),
                callback_data=TeamCb(action="rm", id=user_id).pack(),
            )
        )
    b.row(
        InlineKeyboardButton(
            text=_("🔗 One-time invite link"), callback_data=TeamCb(action="inv").pack()
        )
    )
    return b.as_markup()


def audit_keyboard(
    page: int, pages: int, undoable: Sequence[int] = ()
) -> InlineKeyboardMarkup | None:
    """Page arrows, and an Undo button per live edit on the page that can still be undone."""
    rows = [
        [
            InlineKeyboardButton(
                text=_("↩️ Undo edit #{id}").format(id=edit_id),
                callback_data=UndoCb(id=edit_id).pack(),
            )
        ]
        for edit_id in undoable
    ]
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(text="⬅️", callback_data=AuditCb(page=page - 1).pack()))
    if page + 1 < pages:
        row.append(InlineKeyboardButton(text="➡️", callback_data=AuditCb(page=page + 1).pack()))
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
