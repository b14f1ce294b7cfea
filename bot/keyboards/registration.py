"""Keyboards of the youth meeting registration, /mydata and /forget, and the organizers' panel."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.i18n import _
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import menu_button
from bot.keyboards.labels import LABEL_LIMIT, fit, pack


class RegCb(CallbackData, prefix="rg"):
    """A button of the form. `step` is the question it belongs to, so a stale one is refused.

    action: pick (value = option index), keep, skip, back, cancel, edit (value = the answer to
    change), confirm.
    """

    action: str
    step: str = ""
    value: str = ""


class RegViewCb(CallbackData, prefix="rv"):
    """The participant's own registration: edit, qr, cancel, cancel_yes, cancel_no."""

    action: str


class GuardianCb(CallbackData, prefix="gd"):
    """A parent's or guardian's answer: yes or no, for the registration of the link's token."""

    action: str
    token: str


class PrivacyCb(CallbackData, prefix="pv"):
    """/forget: yes or no; /mydata: file (everything as JSON)."""

    action: str


class OrgRegCb(CallbackData, prefix="oreg"):
    """Organizers: stats, csv (`;`, for Excel in Russian or Belarusian), csvc (`,`), xlsx."""

    action: str


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    return fit(text, limit)


def _nav_row(step: str, back: bool) -> list[InlineKeyboardButton]:
    row = []
    if back:
        row.append(
            InlineKeyboardButton(
                text=_("⬅️ Back"), callback_data=RegCb(action="back", step=step).pack()
            )
        )
    row.append(
        InlineKeyboardButton(
            text=_("✖️ Cancel"), callback_data=RegCb(action="cancel", step=step).pack()
        )
    )
    return row


def step_keyboard(
    step: str,
    options: list[str],
    keep: str | None = None,
    skip: bool = False,
    back: bool = True,
    per_row: int = 2,
) -> InlineKeyboardMarkup:
    """Options (pressed as their index), "Keep: …", "Skip", then Back and Cancel."""
    b = InlineKeyboardBuilder()
    buttons = [
        InlineKeyboardButton(
            text=short(label), callback_data=RegCb(action="pick", step=step, value=str(i)).pack()
        )
        for i, label in enumerate(options)
    ]
    for row in pack(buttons, per_row):
        b.row(*row)
    if keep is not None:
        b.row(
            InlineKeyboardButton(
                text=short(_("✔️ Keep: {value}").format(value=keep)),
                callback_data=RegCb(action="keep", step=step).pack(),
            )
        )
    if skip:
        b.row(
            InlineKeyboardButton(
                text=_("⏭ Skip"), callback_data=RegCb(action="skip", step=step).pack()
            )
        )
    b.row(*_nav_row(step, back))
    return b.as_markup()


def keep_label(value: str) -> str:
    return short(_("✔️ Keep: {value}").format(value=value))


def back_text() -> str:
    return _("⬅️ Back")


def cancel_text() -> str:
    return _("✖️ Cancel")


def phone_keyboard(keep: str | None) -> ReplyKeyboardMarkup:
    """The phone step: Telegram shares the person's own number with one press."""
    rows = [[KeyboardButton(text=_("📱 Share my contact"), request_contact=True)]]
    if keep is not None:
        rows.append([KeyboardButton(text=keep_label(keep))])
    rows.append([KeyboardButton(text=back_text()), KeyboardButton(text=cancel_text())])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=False)


def summary_keyboard(items: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """(label, step) of each answer that can be changed, then Confirm and Cancel."""
    b = InlineKeyboardBuilder()
    buttons = [
        InlineKeyboardButton(
            text=short("✏️ " + label),
            callback_data=RegCb(action="edit", step="summary", value=step).pack(),
        )
        for label, step in items
    ]
    for row in pack(buttons):
        b.row(*row)
    b.row(
        InlineKeyboardButton(
            text=_("✅ Confirm"), callback_data=RegCb(action="confirm", step="summary").pack()
        )
    )
    b.row(
        InlineKeyboardButton(
            text=_("✖️ Cancel"), callback_data=RegCb(action="cancel", step="summary").pack()
        )
    )
    return b.as_markup()


def share_button(link: str, text: str) -> InlineKeyboardButton:
    """Opens Telegram's "send to…" dialog with the guardian's link, ready to forward."""
    query = urlencode({"url": link, "text": text}, quote_via=quote)
    return InlineKeyboardButton(
        text=_("📤 Send to my parent or guardian"), url=f"https://t.me/share/url?{query}"
    )


def registration_keyboard(
    status: str, can_edit: bool, share: InlineKeyboardButton | None = None
) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    if share is not None and status == "guardian":
        b.row(share)
    if status == "registered":
        b.row(
            InlineKeyboardButton(
                text=_("🔳 QR code for check-in"), callback_data=RegViewCb(action="qr").pack()
            )
        )
    if can_edit and status in ("registered", "waiting", "guardian"):
        b.row(
            InlineKeyboardButton(
                text=_("✏️ Change my answers"), callback_data=RegViewCb(action="edit").pack()
            )
        )
    if status in ("registered", "waiting", "guardian"):
        b.row(
            InlineKeyboardButton(
                text=_("🗑 Cancel my registration"),
                callback_data=RegViewCb(action="cancel").pack(),
            )
        )
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def menu_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[menu_button(_("☰ Menu"), "menu")]])


def guardian_keyboard(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✅ I agree"), callback_data=GuardianCb(action="yes", token=token).pack()
                )
            ],
            [
                InlineKeyboardButton(
                    text=_("❌ I do not agree"),
                    callback_data=GuardianCb(action="no", token=token).pack(),
                )
            ],
        ]
    )


def cancel_confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Yes, cancel it"), callback_data=RegViewCb(action="cancel_yes").pack()
                ),
                InlineKeyboardButton(
                    text=_("No, keep it"), callback_data=RegViewCb(action="cancel_no").pack()
                ),
            ]
        ]
    )


def mydata_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("⬇️ My data as a file (JSON)"),
                    callback_data=PrivacyCb(action="file").pack(),
                )
            ],
            [menu_button(_("☰ Menu"), "menu")],
        ]
    )


def forget_keyboard() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=_("Yes, delete my data"), callback_data=PrivacyCb(action="yes").pack()
        ),
        InlineKeyboardButton(text=_("No, keep it"), callback_data=PrivacyCb(action="no").pack()),
    ]
    return InlineKeyboardMarkup(inline_keyboard=pack(buttons))


def organizer_keyboard() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(InlineKeyboardButton(text=_("📊 Counts"), callback_data=OrgRegCb(action="stats").pack()))
    b.row(
        InlineKeyboardButton(text=_("⬇️ Excel"), callback_data=OrgRegCb(action="xlsx").pack()),
        InlineKeyboardButton(
            text=_("⬇️ CSV for Excel (;)"), callback_data=OrgRegCb(action="csv").pack()
        ),
    )
    b.row(
        InlineKeyboardButton(
            text=_("⬇️ CSV with commas (,)"), callback_data=OrgRegCb(action="csvc").pack()
        )
    )
    return b.as_markup()
