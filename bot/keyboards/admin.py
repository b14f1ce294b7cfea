"""The organizer tools: admin menu, announcement composer, scheduled list, team, audit log.

Every prefix starts with "o", so handlers/access.py refuses a forged one from a participant.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _, language_name
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import LANGUAGE_NAMES, menu_button
from bot.keyboards.labels import pack
from bot.keyboards.program import UndoCb

# Audience parameter choices shown at once; callback data carry the index, not the value.
MAX_CHOICES = 60
# A label longer than this gets a row of its own; longer than CHOICE_LABEL it is shortened.
PAIR_LABEL = 15
CHOICE_LABEL = 30


class AdminCb(CallbackData, prefix="oa"):
    """The admin menu: ann (compose), sched (scheduled list), prog (the programme: upload,
    rollback), team, audit, wb (the program as a workbook), tpl (the blank workbook)."""

    action: str


class ComposeCb(CallbackData, prefix="oc"):
    """The composer: aud, par, urg, ver, test, send (asks), go (sends), draft (back to the
    draft), sched, when, edit, cancel, back (to the audiences)."""

    action: str
    value: str = ""


class AnnCb(CallbackData, prefix="on"):
    """An announcement in the database: send (asks), go (sends), resched, text (new text),
    cancel, pause, resume, stop, rest (asks to send the rest of a stopped one)."""

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
    buttons = [
        InlineKeyboardButton(
            text=_("📣 New announcement"), callback_data=AdminCb(action="ann").pack()
        ),
        InlineKeyboardButton(text=_("⏰ Scheduled"), callback_data=AdminCb(action="sched").pack()),
        menu_button(_("📨 Questions inbox"), "adm_inbox"),
        menu_button(_("📝 Registrations"), "adm_reg"),
        InlineKeyboardButton(
            text=_("📊 Programme (Excel)"), callback_data=AdminCb(action="wb").pack()
        ),
        InlineKeyboardButton(
            text=_("📄 Blank programme"), callback_data=AdminCb(action="tpl").pack()
        ),
        InlineKeyboardButton(text=_("🗂 Programme"), callback_data=AdminCb(action="prog").pack()),
        # Ratings, comments and the survey (handlers/session_admin.py).
        InlineKeyboardButton(text=_("⭐ Feedback"), callback_data=AdminCb(action="fb").pack()),
    ]
    if is_owner:
        buttons += [
            InlineKeyboardButton(
                text=_("👥 Organizers"), callback_data=AdminCb(action="team").pack()
            ),
            InlineKeyboardButton(
                text=_("📜 Audit log"), callback_data=AdminCb(action="audit").pack()
            ),
        ]
    b = InlineKeyboardBuilder()
    for row in pack(buttons):
        b.row(*row)
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


def shorten(label: str, limit: int = CHOICE_LABEL) -> str:
    """A label cut at a word boundary to fit a phone's button, with an ellipsis."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    # Cut at the last space unless the cut already ends a word.
    if label[limit - 1] != " " and " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:—-") + "…"


def pair_short_ones(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Rows for a picker: two short labels may share a row, a long one has a row of its own."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        last = rows[-1] if rows else None
        short = len(button.text) <= PAIR_LABEL
        if last is not None and len(last) == 1 and short and len(last[0].text) <= PAIR_LABEL:
            last.append(button)
        else:
            rows.append([button])
    return rows


def audiences_keyboard(audiences: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """(key, label) of every registered audience."""
    buttons = [
        InlineKeyboardButton(
            text=shorten(label), callback_data=ComposeCb(action="aud", value=key).pack()
        )
        for key, label in audiences
    ]
    rows = pair_short_ones(buttons)
    rows.append(
        [InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=ComposeCb(action="cancel").pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def choices_keyboard(choices: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Numbered as in the list above the buttons, so that shortened labels stay apart."""
    b = InlineKeyboardBuilder()
    buttons = [
        InlineKeyboardButton(
            text=shorten(f"{index + 1}. {label}"),
            callback_data=ComposeCb(action="par", value=str(index)).pack(),
        )
        for index, (_value, label) in enumerate(choices[:MAX_CHOICES])
    ]
    for row in pair_short_ones(buttons):
        b.row(*row)
    b.row(
        InlineKeyboardButton(text=_("⬅️ Back"), callback_data=ComposeCb(action="back").pack()),
        InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=ComposeCb(action="cancel").pack()),
    )
    return b.as_markup()


def draft_keyboard(versions: list[str], urgent: bool) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    extra = [
        InlineKeyboardButton(
            text=_("➕ {language}").format(language=language_name(code, title=True)),
            callback_data=ComposeCb(action="ver", value=code).pack(),
        )
        for code in LANGUAGE_NAMES
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


def confirm_keyboard(send: str | None, back: str) -> InlineKeyboardMarkup:
    """Send / Back under "Send to N people?"; without `send` (nobody to send to) only Back.

    `send` and `back` are packed callback data.
    """
    row = [InlineKeyboardButton(text=_("⬅️ Back"), callback_data=back)]
    if send is not None:
        row.insert(0, InlineKeyboardButton(text=_("✅ Send"), callback_data=send))
    return InlineKeyboardMarkup(inline_keyboard=[row])


def versions_keyboard(versions: list[str]) -> InlineKeyboardMarkup:
    """The language versions of an announcement, to pick the one to replace."""
    rows = [
        [
            InlineKeyboardButton(
                text=language_name(code, title=True),
                callback_data=ComposeCb(action="rtx", value=code).pack(),
            )
        ]
        for code in versions
    ]
    rows.append(
        [InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=ComposeCb(action="cancel").pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


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


def list_actions(status: str) -> list[tuple[str, str]]:
    """(label with {id}, action) of what can be done with an announcement in this status."""
    if status in ("scheduled", "missed"):
        actions = [
            (_("🕑 #{id} time"), "resched"),
            (_("✏️ #{id} text"), "text"),
            (_("✖️ #{id} cancel"), "cancel"),
        ]
        return [(_("🚀 #{id} send"), "send"), *actions] if status == "missed" else actions
    if status in ("queuing", "sending"):
        return [(_("⏸ #{id} pause"), "pause"), (_("⏹ #{id} stop"), "stop")]
    if status == "paused":
        return [(_("▶️ #{id} resume"), "resume"), (_("⏹ #{id} stop"), "stop")]
    if status == "stopped":
        return [(_("▶️ #{id} send the rest"), "rest")]
    return []


def scheduled_keyboard(items: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """(id, status) of the listed announcements: a row of what can be done with each."""
    b = InlineKeyboardBuilder()
    for ann_id, status in items:
        row = [
            InlineKeyboardButton(
                text=text.format(id=ann_id), callback_data=AnnCb(id=ann_id, action=action).pack()
            )
            for text, action in list_actions(status)
        ]
        # Four buttons are too narrow on a phone: the first gets a row of its own.
        if len(row) > 3:
            b.row(row.pop(0))
        if row:
            b.row(*row)
    return b.as_markup()


def progress_keyboard(
    announcement_id: int, status: str, has_rest: bool = False
) -> InlineKeyboardMarkup | None:
    """Under the progress message: Pause or Resume, and Stop; after a Stop, Send the rest."""

    def button(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text, callback_data=AnnCb(id=announcement_id, action=action).pack()
        )

    if status in ("queuing", "sending"):
        row = [button(_("⏸ Pause"), "pause"), button(_("⏹ Stop"), "stop")]
    elif status == "paused":
        row = [button(_("▶️ Resume"), "resume"), button(_("⏹ Stop"), "stop")]
    elif status == "stopped" and has_rest:
        row = [button(_("▶️ Send the rest"), "rest")]
    else:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[row])


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
