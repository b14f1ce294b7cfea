"""Delegates and meetings: city lists, the profile form, slot choices and request answers.

Buttons carry a profile's own number or a meeting's number, never a Telegram id: a contact is
not to be read out of a button.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import menu_button
from bot.keyboards.labels import fit, row_limit


class DelegCb(CallbackData, prefix="dg"):
    """city: the delegates of a city (key); prof: a profile (id); me: my profile; edit: change
    it; meetings: my meetings."""

    action: str
    key: str = ""
    id: int = 0


class DelegFormCb(CallbackData, prefix="df"):
    """The profile form: pick (n), done, skip, keep, cancel, confirm, edit (step)."""

    action: str
    n: int = 0
    step: str = ""


class OrgDelegCb(CallbackData, prefix="od"):
    """Organizers (the prefix starts with the organizers' letter): deleg (a delegation's
    members), claim (a one-time link for member number n)."""

    action: str
    key: str = ""
    n: int = 0


class MeetCb(CallbackData, prefix="mt"):
    """ask/nonote/slot/send/abort (id: a profile), acc (id: a meeting, n: a slot), other/oslot/
    osend, dec, wd (withdraw), block, cancel, ics, open."""

    action: str
    id: int
    n: int = 0


def label(text: str, in_row: int = 1) -> str:
    """A label that fits a phone (see bot.keyboards.labels), alone or sharing a row."""
    return fit(text, row_limit(in_row))


def city_delegates_buttons(cities: Sequence[tuple[str, str]]) -> list[InlineKeyboardButton]:
    """Below a city card: one button per city of the pair, (city name, city key)."""
    return [
        InlineKeyboardButton(
            text=label(_("👥 Delegates: {city}").format(city=name)),
            callback_data=DelegCb(action="city", key=key).pack(),
        )
        for name, key in cities
    ]


def listing_keyboard(
    profiles: Sequence[tuple[str, int]], has_profile: bool
) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for text, profile_id in profiles:
        b.row(
            InlineKeyboardButton(
                text=label(text), callback_data=DelegCb(action="prof", id=profile_id).pack()
            )
        )
    if not has_profile:
        b.row(
            InlineKeyboardButton(
                text=_("✍️ Fill my delegate profile"), callback_data=DelegCb(action="edit").pack()
            )
        )
    b.row(menu_button(_("🤝 Partner cities"), "cities"), menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def profile_keyboard(profile_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("🤝 Ask to meet"), callback_data=MeetCb(action="ask", id=profile_id).pack()
        )
    )
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def own_profile_keyboard(has_profile: bool) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    text = _("✏️ Change my profile") if has_profile else _("✍️ Fill my delegate profile")
    b.row(InlineKeyboardButton(text=text, callback_data=DelegCb(action="edit").pack()))
    if has_profile:
        b.row(
            InlineKeyboardButton(
                text=_("🤝 My meetings"), callback_data=DelegCb(action="meetings").pack()
            )
        )
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def form_keyboard(
    options: Sequence[tuple[str, bool]],
    multiple: bool,
    can_skip: bool,
    can_keep: bool,
) -> InlineKeyboardMarkup:
    """options: (label, selected)."""
    b = InlineKeyboardBuilder()
    for n, (text, selected) in enumerate(options):
        mark = ("✅ " if selected else "▫️ ") if multiple else ""
        b.row(
            InlineKeyboardButton(
                text=label(mark + text), callback_data=DelegFormCb(action="pick", n=n).pack()
            )
        )
    row = []
    if multiple:
        row.append(
            InlineKeyboardButton(text=_("Done ▶"), callback_data=DelegFormCb(action="done").pack())
        )
    if can_keep:
        row.append(
            InlineKeyboardButton(
                text=_("Keep as is"), callback_data=DelegFormCb(action="keep").pack()
            )
        )
    if can_skip:
        row.append(
            InlineKeyboardButton(text=_("Skip"), callback_data=DelegFormCb(action="skip").pack())
        )
    if row:
        b.row(*row)
    b.row(
        InlineKeyboardButton(text=_("✖ Cancel"), callback_data=DelegFormCb(action="cancel").pack())
    )
    return b.as_markup()


def summary_keyboard(steps: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """steps: (step code, its label) that can be changed."""
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("✅ Save the profile"), callback_data=DelegFormCb(action="confirm").pack()
        )
    )
    for step, text in steps:
        b.button(
            text=label(_("✏️ {field}").format(field=text), 2),
            callback_data=DelegFormCb(action="edit", step=step).pack(),
        )
    b.adjust(1, 2)
    b.row(
        InlineKeyboardButton(text=_("✖ Cancel"), callback_data=DelegFormCb(action="cancel").pack())
    )
    return b.as_markup()


def slots_keyboard(
    prefix: str, target: int, slots: Sequence[str], chosen: Sequence[int]
) -> InlineKeyboardMarkup:
    """Free times to tick (prefix: slot for a request, oslot for other times), then send."""
    b = InlineKeyboardBuilder()
    for n, text in enumerate(slots):
        mark = "✅ " if n in chosen else "▫️ "
        b.row(
            InlineKeyboardButton(
                text=label(mark + text), callback_data=MeetCb(action=prefix, id=target, n=n).pack()
            )
        )
    send = "send" if prefix == "slot" else "osend"
    b.row(
        InlineKeyboardButton(
            text=_("📨 Send"), callback_data=MeetCb(action=send, id=target).pack()
        ),
        InlineKeyboardButton(
            text=_("✖ Cancel"), callback_data=MeetCb(action="abort", id=target).pack()
        ),
    )
    return b.as_markup()


def note_keyboard(profile_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("Without a note"), callback_data=MeetCb(action="nonote", id=profile_id).pack()
        ),
        InlineKeyboardButton(
            text=_("✖ Cancel"), callback_data=MeetCb(action="abort", id=profile_id).pack()
        ),
    )
    return b.as_markup()


def answer_keyboard(meeting_id: int, slots: Sequence[str]) -> InlineKeyboardMarkup:
    """For the side to answer: accept one of the times, other times, decline, block."""
    b = InlineKeyboardBuilder()
    for n, text in enumerate(slots):
        b.row(
            InlineKeyboardButton(
                text=label("✅ " + text),
                callback_data=MeetCb(action="acc", id=meeting_id, n=n).pack(),
            )
        )
    b.row(
        InlineKeyboardButton(
            text=_("🕒 Other times"), callback_data=MeetCb(action="other", id=meeting_id).pack()
        ),
        InlineKeyboardButton(
            text=_("✖ Decline"), callback_data=MeetCb(action="dec", id=meeting_id).pack()
        ),
    )
    b.row(
        InlineKeyboardButton(
            text=_("🚫 Block this person"),
            callback_data=MeetCb(action="block", id=meeting_id).pack(),
        )
    )
    return b.as_markup()


def accepted_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("📅 Add to calendar"), callback_data=MeetCb(action="ics", id=meeting_id).pack()
        )
    )
    b.row(menu_button(_("⭐ My agenda"), "agenda"), menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def meetings_keyboard(items: Sequence[tuple[str, int]]) -> InlineKeyboardMarkup:
    """items: (button text, meeting id): each opens the meeting."""
    b = InlineKeyboardBuilder()
    for text, meeting_id in items:
        b.row(
            InlineKeyboardButton(
                text=label(text), callback_data=MeetCb(action="open", id=meeting_id).pack()
            )
        )
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def waiting_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("↩️ Withdraw the request"),
            callback_data=MeetCb(action="wd", id=meeting_id).pack(),
        )
    )
    return b.as_markup()


def agreed_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    """An accepted meeting opened from /meetings."""
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("📅 Add to calendar"), callback_data=MeetCb(action="ics", id=meeting_id).pack()
        ),
        InlineKeyboardButton(
            text=_("❌ Cancel the meeting"),
            callback_data=MeetCb(action="cancel", id=meeting_id).pack(),
        ),
    )
    return b.as_markup()


def delegations_keyboard(delegations: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Organizers: (label, delegation id), each listing its members with claim links."""
    b = InlineKeyboardBuilder()
    for text, delegation_id in delegations[:40]:
        b.row(
            InlineKeyboardButton(
                text=label(text), callback_data=OrgDelegCb(action="deleg", key=delegation_id).pack()
            )
        )
    return b.as_markup()


def members_keyboard(
    delegation_id: str, members: Sequence[tuple[str, int]]
) -> InlineKeyboardMarkup:
    """Organizers: a one-time link per unclaimed member (n: the member's place in the list)."""
    b = InlineKeyboardBuilder()
    for text, n in members:
        b.row(
            InlineKeyboardButton(
                text=label(_("🔗 Link for {name}").format(name=text)),
                callback_data=OrgDelegCb(action="claim", key=delegation_id, n=n).pack(),
            )
        )
    return b.as_markup()
