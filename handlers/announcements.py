"""/announce (the composer), /announcements (the list), and Pause / Resume / Stop."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.markdown import html_decoration as hd
from babel.numbers import format_decimal

from bot.filters import organizer_only
from bot.i18n import _, fmt_datetime, language_name, ngettext
from bot.keyboards.admin import (
    MAX_CHOICES,
    AdminCb,
    AnnCb,
    ComposeCb,
    audiences_keyboard,
    cancel_keyboard,
    choices_keyboard,
    confirm_keyboard,
    draft_keyboard,
    scheduled_keyboard,
    shorten,
    versions_keyboard,
    when_keyboard,
)
from bot.keyboards.common import LANGUAGE_NAMES
from bot.services.broadcast import (
    Broadcaster,
    check_when,
    pick_version,
    preview_line,
    quick_when,
    too_long,
)
from bot.services.delivery import send_payload
from bot.services.when import parse_when
from db.announcements import Announcement
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)
organizer_only(router)

LIST_LIMIT = 20
LISTED_LABEL = 55


class AnnounceForm(StatesGroup):
    content = State()
    when = State()


def out_of_date() -> str:
    return _("This button is out of date.")


def ask_content() -> str:
    return _(
        "📣 Send me the announcement as a normal message: text with formatting, or a photo or "
        "a document with a caption. It will be sent exactly as you write it."
    )


def ask_when(broadcaster: Broadcaster, locale: str) -> str:
    now = fmt_datetime(broadcaster.now_local(), locale)
    return _(
        "⏰ When should it go out? Forum time, now {now}.\n"
        "Type e.g. <code>18:30</code> (today), <code>tomorrow 9:00</code>, "
        "<code>Friday 10:00</code>, <code>25.06 18:00</code> or <code>25 June 18:00</code>, "
        "or use a button."
    ).format(now=now)


async def start_composer(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(AnnounceForm.content)
    await message.answer(ask_content(), reply_markup=cancel_keyboard())


@router.message(Command("announce"))
async def announce_command(message: Message, state: FSMContext) -> None:
    await start_composer(message, state)


@router.callback_query(AdminCb.filter(F.action == "ann"))
async def announce_button(callback: CallbackQuery, state: FSMContext) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await start_composer(callback.message, state)


def body_of(message: Message) -> tuple[dict[str, Any] | None, int]:
    """The announcement body of an organizer's message and its visible length."""
    if message.text:
        return {"kind": "text", "text": message.html_text}, len(message.text)
    caption = message.html_text if message.caption else ""
    length = len(message.caption or "")
    if message.photo:
        return {"kind": "photo", "file_id": message.photo[-1].file_id, "caption": caption}, length
    if message.document:
        return {"kind": "document", "file_id": message.document.file_id, "caption": caption}, length
    return None, 0


@router.message(AnnounceForm.content, ~F.text.startswith("/"))
async def content_received(
    message: Message, state: FSMContext, broadcaster: Broadcaster, bot: Bot, locale: str
) -> None:
    body, length = body_of(message)
    if body is None:
        await message.answer(_("Please send text, a photo or a document with a caption."))
        return
    if too_long(body, length):
        await message.answer(
            _("This is too long for one Telegram message; please shorten it and send it again.")
        )
        return
    data = await state.get_data()
    if data.get("retext"):
        await retext_received(message, state, broadcaster, bot, data, body)
        return
    versions: dict[str, Any] = data.get("versions", {})
    default = data.get("default") or locale
    lang = data.get("adding") or default
    versions[lang] = body
    await state.update_data(versions=versions, default=default, adding=None)
    await state.set_state(None)
    if not data.get("audience"):
        await message.answer(
            _("👥 Who should receive it?"),
            reply_markup=audiences_keyboard(broadcaster.audience_list()),
        )
        return
    await show_draft(message.chat.id, bot, broadcaster, await state.get_data(), locale)


def audience_label(broadcaster: Broadcaster, data: dict[str, Any]) -> str:
    audience = broadcaster.audience(data.get("audience", ""))
    if audience is None:
        return "?"
    label = audience.label()
    if data.get("param_label"):
        label = f"{label}: {data['param_label']}"
    return label


async def draft_summary(broadcaster: Broadcaster, data: dict[str, Any]) -> str:
    people = await broadcaster.recipients(
        data["audience"], data.get("param", ""), bool(data.get("urgent"))
    )
    count = len(people)
    versions = [
        language_name(code, title=True) + (_(" (default)") if code == data["default"] else "")
        for code in data["versions"]
    ]
    lines = [
        _("<b>Draft announcement</b> (the preview above is what people will see)"),
        _("Audience: {audience} — {people}").format(
            audience=hd.quote(audience_label(broadcaster, data)),
            people=ngettext("{n} person", "{n} people", count).format(n=count),
        ),
        _("Versions: {versions}").format(versions=", ".join(versions)),
        _("Urgent: yes, it reaches people who muted announcements")
        if data.get("urgent")
        else _("Urgent: no, people who muted announcements do not get it"),
    ]
    return "\n".join(lines)


async def show_draft(
    chat_id: int, bot: Bot, broadcaster: Broadcaster, data: dict[str, Any], locale: str
) -> None:
    """The preview of every version, as its readers will see it, then the summary."""
    urgent = bool(data.get("urgent"))
    for code in data["versions"]:
        payload = broadcaster.preview(data["versions"][code], urgent, code)
        await send_payload(bot, chat_id, payload)
    await bot.send_message(
        chat_id,
        await draft_summary(broadcaster, data),
        reply_markup=draft_keyboard(list(data["versions"]), urgent),
    )


async def draft_or_stale(callback: CallbackQuery, state: FSMContext) -> dict[str, Any] | None:
    data = await state.get_data()
    if not data.get("versions"):
        await callback.answer(out_of_date(), show_alert=True)
        return None
    return data


async def draft_with_audience(callback: CallbackQuery, state: FSMContext) -> dict[str, Any] | None:
    """The draft, once its audience is chosen and its message is there; else out of date."""
    data = await draft_or_stale(callback, state)
    if data is None:
        return None
    if not data.get("audience") or not isinstance(callback.message, Message):
        await callback.answer(out_of_date(), show_alert=True)
        return None
    return data


@router.callback_query(ComposeCb.filter(F.action == "cancel"))
async def compose_cancel(callback: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    await state.clear()
    await callback.answer()
    if not callback.message:
        return
    if data.get("retext") or data.get("resched"):
        # Only the change is dropped: the scheduled announcement stays as it was.
        text = _("Nothing is changed: announcement #{id} stays as it was.").format(
            id=data.get("retext") or data.get("resched")
        )
    else:
        text = _("The announcement is cancelled; nothing was sent.")
    await callback.message.answer(text)


@router.callback_query(ComposeCb.filter(F.action.in_({"aud", "back"})))
async def compose_audience(
    callback: CallbackQuery,
    callback_data: ComposeCb,
    state: FSMContext,
    broadcaster: Broadcaster,
    bot: Bot,
    locale: str,
) -> None:
    data = await draft_or_stale(callback, state)
    if data is None or not isinstance(callback.message, Message):
        return
    if callback_data.action == "back":
        await callback.answer()
        await callback.message.answer(
            _("👥 Who should receive it?"),
            reply_markup=audiences_keyboard(broadcaster.audience_list()),
        )
        return
    audience = broadcaster.audience(callback_data.value)
    if audience is None:
        await callback.answer(out_of_date(), show_alert=True)
        return
    await callback.answer()
    if audience.choices is not None:
        choices = audience.choices()
        if not choices:
            await callback.message.answer(_("There is nothing to choose from in this audience."))
            return
        await state.update_data(choosing=audience.key)
        # Buttons are short on a phone: the names are listed above them, numbered (cut so
        # that sixty of them fit in one message).
        listing = "\n".join(
            f"{n}. {hd.quote(shorten(label, LISTED_LABEL))}"
            for n, (_v, label) in enumerate(choices[:MAX_CHOICES], 1)
        )
        await callback.message.answer(
            _("{audience}: choose one").format(audience=hd.quote(audience.label()))
            + "\n\n"
            + listing,
            reply_markup=choices_keyboard(choices),
        )
        return
    await state.update_data(audience=audience.key, param="", param_label="")
    await show_draft(callback.message.chat.id, bot, broadcaster, await state.get_data(), locale)


@router.callback_query(ComposeCb.filter(F.action == "par"))
async def compose_param(
    callback: CallbackQuery,
    callback_data: ComposeCb,
    state: FSMContext,
    broadcaster: Broadcaster,
    bot: Bot,
    locale: str,
) -> None:
    data = await draft_or_stale(callback, state)
    if data is None or not isinstance(callback.message, Message):
        return
    audience = broadcaster.audience(data.get("choosing", ""))
    choices = audience.choices() if audience and audience.choices else []
    index = int(callback_data.value) if callback_data.value.isdigit() else -1
    if audience is None or not 0 <= index < min(len(choices), MAX_CHOICES):
        await callback.answer(out_of_date(), show_alert=True)
        return
    value, label = choices[index]
    await callback.answer()
    await state.update_data(audience=audience.key, param=value, param_label=label, choosing=None)
    await show_draft(callback.message.chat.id, bot, broadcaster, await state.get_data(), locale)


@router.callback_query(ComposeCb.filter(F.action == "urg"))
async def compose_urgent(
    callback: CallbackQuery, state: FSMContext, broadcaster: Broadcaster
) -> None:
    data = await draft_with_audience(callback, state)
    if data is None or not isinstance(callback.message, Message):
        return
    urgent = not data.get("urgent")
    await state.update_data(urgent=urgent)
    data["urgent"] = urgent
    await callback.answer(_("Urgent") if urgent else _("Not urgent"))
    # The summary text changes with the flag, so the edit is never identical.
    await callback.message.edit_text(
        await draft_summary(broadcaster, data),
        reply_markup=draft_keyboard(list(data["versions"]), urgent),
    )


@router.callback_query(ComposeCb.filter(F.action.in_({"ver", "edit"})))
async def compose_version(
    callback: CallbackQuery, callback_data: ComposeCb, state: FSMContext
) -> None:
    data = await draft_or_stale(callback, state)
    if data is None or not callback.message:
        return
    if callback_data.action == "ver":
        if callback_data.value not in LANGUAGE_NAMES:
            await callback.answer(out_of_date(), show_alert=True)
            return
        await state.update_data(adding=callback_data.value)
        text = _("Send me the version in {language}.").format(
            language=language_name(callback_data.value)
        )
    else:
        await state.update_data(adding=None)
        text = _("Send me the new text of the announcement.")
    await state.set_state(AnnounceForm.content)
    await callback.answer()
    await callback.message.answer(text, reply_markup=cancel_keyboard())


@router.callback_query(ComposeCb.filter(F.action == "test"))
async def compose_test(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    user: User,
    locale: str,
    broadcaster: Broadcaster,
) -> None:
    data = await draft_or_stale(callback, state)
    if data is None:
        return
    code = pick_version(data, locale)
    payload = broadcaster.preview(data["versions"][code], bool(data.get("urgent")), locale)
    await callback.answer(_("A test is on its way to you."))
    await send_payload(bot, user.id, payload)


def confirm_text(broadcaster: Broadcaster, count: int, audience: str, locale: str) -> str:
    """ "Send to N people?", with the Stars it costs; or why nobody would get it."""
    if count == 0:
        return _(
            "Nobody would receive it: no one in “{audience}” can get announcements now. "
            "Nothing is sent; go back to choose another audience."
        ).format(audience=hd.quote(audience))
    lines = [
        ngettext("📣 Send it to {n} person?", "📣 Send it to {n} people?", count).format(n=count)
    ]
    stars = broadcaster.stars(count)
    if stars is not None:
        lines.append(
            _(
                "💫 Paid broadcast: it costs about {stars} Telegram Stars (0.1 ⭐ for each "
                "message above Telegram’s free 30 a second)."
            ).format(stars=format_decimal(stars, locale=locale))
        )
    return "\n".join(lines)


async def count_recipients(broadcaster: Broadcaster, data: dict[str, Any]) -> int:
    people = await broadcaster.recipients(
        data["audience"], data.get("param", ""), bool(data.get("urgent"))
    )
    return len(people)


@router.callback_query(ComposeCb.filter(F.action == "send"))
async def compose_send(
    callback: CallbackQuery, state: FSMContext, broadcaster: Broadcaster, locale: str
) -> None:
    """Send now asks first: "Send to N people?" with Send / Back; nobody: says so."""
    data = await draft_or_stale(callback, state)
    if data is None or not isinstance(callback.message, Message):
        return
    if not data.get("audience") or broadcaster.audience(data["audience"]) is None:
        await callback.answer(out_of_date(), show_alert=True)
        return
    count = await count_recipients(broadcaster, data)
    await callback.answer()
    go = ComposeCb(action="go").pack() if count else None
    await callback.message.edit_text(
        confirm_text(broadcaster, count, audience_label(broadcaster, data), locale),
        reply_markup=confirm_keyboard(go, ComposeCb(action="draft").pack()),
    )


@router.callback_query(ComposeCb.filter(F.action == "draft"))
async def compose_back_to_draft(
    callback: CallbackQuery, state: FSMContext, broadcaster: Broadcaster
) -> None:
    data = await draft_with_audience(callback, state)
    if data is None or not isinstance(callback.message, Message):
        return
    await callback.answer()
    await callback.message.edit_text(
        await draft_summary(broadcaster, data),
        reply_markup=draft_keyboard(list(data["versions"]), bool(data.get("urgent"))),
    )


@router.callback_query(ComposeCb.filter(F.action == "go"))
async def compose_go(
    callback: CallbackQuery, state: FSMContext, user: User, broadcaster: Broadcaster
) -> None:
    """The organizer confirmed: the announcement goes out."""
    data = await draft_or_stale(callback, state)
    if data is None:
        return
    if not data.get("audience") or broadcaster.audience(data["audience"]) is None:
        await callback.answer(out_of_date(), show_alert=True)
        return
    count = await count_recipients(broadcaster, data)
    if count == 0:
        await callback.answer(_("Nobody would receive it; nothing was sent."), show_alert=True)
        return
    await state.clear()
    announcement = await broadcaster.create(user.id, data, None)
    await callback.answer(_("Sending…"))
    if isinstance(callback.message, Message):
        await callback.message.edit_text(
            _("🚀 Announcement #{id} is on its way.").format(id=announcement.id),
            reply_markup=None,
        )
    logger.info("Announcement %s sent by %s", announcement.id, user.id)


@router.callback_query(ComposeCb.filter(F.action == "sched"))
async def compose_schedule(
    callback: CallbackQuery, state: FSMContext, broadcaster: Broadcaster, locale: str
) -> None:
    data = await draft_or_stale(callback, state)
    if data is None or not callback.message:
        return
    if not data.get("audience"):
        await callback.answer(out_of_date(), show_alert=True)
        return
    await state.update_data(resched=None)
    await state.set_state(AnnounceForm.when)
    await callback.answer()
    await callback.message.answer(ask_when(broadcaster, locale), reply_markup=when_keyboard())


async def schedule_at(
    message: Message,
    state: FSMContext,
    broadcaster: Broadcaster,
    user: User,
    locale: str,
    moment: Any,
) -> None:
    problem = check_when(moment, broadcaster.now_local())
    if problem:
        await message.answer(problem, reply_markup=when_keyboard())
        return
    data = await state.get_data()
    when = fmt_datetime(moment, locale)
    if data.get("resched"):
        done = await broadcaster.reschedule(int(data["resched"]), moment, user.id)
        await state.clear()
        if not done:
            await message.answer(_("This announcement can no longer be rescheduled."))
            return
        await message.answer(
            _("🕑 Announcement #{id} now goes out on {when} (forum time).").format(
                id=data["resched"], when=when
            )
        )
        return
    if not data.get("versions") or not data.get("audience"):
        await state.clear()
        await message.answer(out_of_date())
        return
    await state.clear()
    announcement = await broadcaster.create(user.id, data, moment)
    await message.answer(
        _("⏰ Announcement #{id} is scheduled for {when} (forum time). See /announcements.").format(
            id=announcement.id, when=when
        )
    )


@router.message(AnnounceForm.when, F.text, ~F.text.startswith("/"))
async def when_typed(
    message: Message, state: FSMContext, broadcaster: Broadcaster, user: User, locale: str
) -> None:
    assert message.text is not None
    moment = parse_when(message.text, broadcaster.now_local())
    if moment is None:
        await message.answer(
            _("I could not read that date. Try e.g. 25.06 18:00 or 18:00."),
            reply_markup=when_keyboard(),
        )
        return
    await schedule_at(message, state, broadcaster, user, locale, moment)


@router.callback_query(ComposeCb.filter(F.action == "when"))
async def when_quick(
    callback: CallbackQuery,
    callback_data: ComposeCb,
    state: FSMContext,
    broadcaster: Broadcaster,
    user: User,
    locale: str,
) -> None:
    moment = quick_when(callback_data.value, broadcaster.now_local())
    if moment is None or await state.get_state() != AnnounceForm.when.state:
        await callback.answer(out_of_date(), show_alert=True)
        return
    await callback.answer()
    if isinstance(callback.message, Message):
        await schedule_at(callback.message, state, broadcaster, user, locale, moment)


# ---------------------------------------------------------------------- the list

LISTED = ("scheduled", "missed", "queuing", "sending", "paused", "stopped")


def status_label(status: str) -> str:
    return {
        "scheduled": _("scheduled"),
        "missed": _("missed"),
        "queuing": _("sending"),
        "sending": _("sending"),
        "paused": _("paused"),
        "stopped": _("stopped, not all sent"),
    }.get(status, status)


def list_line(broadcaster: Broadcaster, announcement: Announcement, locale: str) -> str:
    audience = broadcaster.audience(announcement.audience)
    label = audience.label() if audience else announcement.audience
    if announcement.audience_param:
        label = f"{label}: {announcement.audience_param}"
    when = (
        fmt_datetime(announcement.send_at.astimezone(broadcaster.tz), locale)
        if announcement.send_at
        else "—"
    )
    urgent = " 🚨" if announcement.urgent else ""
    return (
        f"<b>#{announcement.id}</b>{urgent} · {when} · {status_label(announcement.status)} · "
        f"{hd.quote(label)}\n   «{hd.quote(preview_line(announcement.content))}»"
    )


async def listed(broadcaster: Broadcaster) -> list[Announcement]:
    """What an organizer can still act on; a stopped one only while some of it is unsent."""
    items = await broadcaster.db.announcements.with_status(*LISTED)
    kept = []
    for item in items:
        if item.status == "stopped":
            counts = await broadcaster.db.deliveries.counts("announcement", item.ref)
            if not counts.get("cancelled"):
                continue
        kept.append(item)
    return kept


async def show_list(message: Message, broadcaster: Broadcaster, locale: str) -> None:
    items = await listed(broadcaster)
    if not items:
        await message.answer(_("No announcements are scheduled. Create one: /announce"))
        return
    shown = items[:LIST_LIMIT]
    lines = [_("📋 <b>Announcements: scheduled, under way, paused</b>")]
    lines += [list_line(broadcaster, a, locale) for a in shown]
    if len(items) > len(shown):
        lines.append(_("…and {n} more.").format(n=len(items) - len(shown)))
    await message.answer(
        "\n".join(lines), reply_markup=scheduled_keyboard([(a.id, a.status) for a in shown])
    )


@router.message(Command("announcements"))
async def list_command(message: Message, broadcaster: Broadcaster, locale: str) -> None:
    await show_list(message, broadcaster, locale)


@router.callback_query(AdminCb.filter(F.action == "sched"))
async def list_button(callback: CallbackQuery, broadcaster: Broadcaster, locale: str) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await show_list(callback.message, broadcaster, locale)


@router.callback_query(AnnCb.filter())
async def announcement_action(
    callback: CallbackQuery,
    callback_data: AnnCb,
    state: FSMContext,
    broadcaster: Broadcaster,
    user: User,
    locale: str,
) -> None:
    ann_id, action = callback_data.id, callback_data.action
    announcement = await broadcaster.db.announcements.get(ann_id)
    if announcement is None:
        await callback.answer(out_of_date(), show_alert=True)
        return
    message = callback.message if isinstance(callback.message, Message) else None
    if action in ("stop", "pause", "resume"):
        await control(callback, broadcaster, ann_id, action, user)
    elif action == "cancel":
        if await broadcaster.cancel(ann_id, user.id):
            await callback.answer()
            if message:
                await message.answer(_("Announcement #{id} is cancelled.").format(id=ann_id))
        else:
            await callback.answer(_("It can no longer be cancelled."), show_alert=True)
    elif action == "send" and announcement.status in ("scheduled", "missed"):
        await ask_send_now(callback, broadcaster, announcement, locale)
    elif action == "rest" and announcement.status == "stopped":
        await ask_send_rest(callback, broadcaster, announcement, locale)
    elif action == "go":
        if await broadcaster.send_now(ann_id, user.id):
            await callback.answer(_("Sending…"))
            if message:
                await message.edit_text(
                    _("🚀 Announcement #{id} is on its way.").format(id=ann_id), reply_markup=None
                )
        else:
            await callback.answer(_("It is no longer waiting to be sent."), show_alert=True)
    elif action == "keep":
        await callback.answer()
        if message:
            await message.edit_text(
                _("Announcement #{id} was not sent; it is still in /announcements.").format(
                    id=ann_id
                ),
                reply_markup=None,
            )
    elif action == "resched" and announcement.status in ("scheduled", "missed"):
        await state.clear()
        await state.set_state(AnnounceForm.when)
        await state.update_data(resched=ann_id)
        await callback.answer()
        if message:
            await message.answer(ask_when(broadcaster, locale), reply_markup=when_keyboard())
    elif action == "text" and announcement.status in ("scheduled", "missed"):
        await ask_new_text(callback, state, announcement)
    else:
        await callback.answer(out_of_date(), show_alert=True)


async def control(
    callback: CallbackQuery, broadcaster: Broadcaster, ann_id: int, action: str, user: User
) -> None:
    """Pause, Resume or Stop; the answer comes once it holds (nothing more is sent)."""
    if action == "stop":
        done = await broadcaster.stop(ann_id, user.id)
        text = _("Stopped. Messages not yet sent are cancelled.")
    elif action == "pause":
        done = await broadcaster.pause(ann_id, user.id)
        text = _("Paused. Nothing more is sent until you resume it.")
    else:
        done = await broadcaster.resume_sending(ann_id, user.id)
        text = _("Sending again.")
    if done:
        await callback.answer(text)
    else:
        await callback.answer(_("This announcement is not in a state for that."), show_alert=True)


async def ask_send_now(
    callback: CallbackQuery, broadcaster: Broadcaster, announcement: Announcement, locale: str
) -> None:
    """A scheduled or missed announcement sent at once: "Send to N people?" first."""
    people = await broadcaster.recipients(
        announcement.audience, announcement.audience_param, announcement.urgent
    )
    await ask_to_send(callback, broadcaster, announcement, len(people), "go", locale)


async def ask_send_rest(
    callback: CallbackQuery, broadcaster: Broadcaster, announcement: Announcement, locale: str
) -> None:
    """The rest of a stopped announcement is a new sending: "Send to N people?" first."""
    counts = await broadcaster.db.deliveries.counts("announcement", announcement.ref)
    rest = counts.get("cancelled", 0)
    await ask_to_send(callback, broadcaster, announcement, rest, "resume", locale)


async def ask_to_send(
    callback: CallbackQuery,
    broadcaster: Broadcaster,
    announcement: Announcement,
    count: int,
    action: str,
    locale: str,
) -> None:
    """The announcement's start, then "Send to N people?" with Send (`action`) and Back."""
    audience = broadcaster.audience(announcement.audience)
    label = audience.label() if audience else announcement.audience
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    go = AnnCb(id=announcement.id, action=action).pack() if count else None
    text = _("Announcement #{id}: “{preview}”").format(
        id=announcement.id, preview=hd.quote(preview_line(announcement.content))
    )
    await callback.message.answer(
        text + "\n\n" + confirm_text(broadcaster, count, label, locale),
        reply_markup=confirm_keyboard(go, AnnCb(id=announcement.id, action="keep").pack()),
    )


# ---------------------------------------------------------------------- new text


async def ask_new_text(
    callback: CallbackQuery, state: FSMContext, announcement: Announcement
) -> None:
    """A new text for a scheduled announcement: which version, then the text itself."""
    versions = list(announcement.content["versions"])
    await state.clear()
    await state.update_data(retext=announcement.id, retext_lang=versions[0])
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    if len(versions) > 1:
        await callback.message.answer(
            _(
                "Announcement #{id} has versions in several languages. Which one do you replace?"
            ).format(id=announcement.id),
            reply_markup=versions_keyboard(versions),
        )
        return
    await state.set_state(AnnounceForm.content)
    await callback.message.answer(
        _(
            "Send me the new text of announcement #{id}. It replaces the old one; the time stays."
        ).format(id=announcement.id),
        reply_markup=cancel_keyboard(),
    )


@router.callback_query(ComposeCb.filter(F.action == "rtx"))
async def retext_version(
    callback: CallbackQuery, callback_data: ComposeCb, state: FSMContext
) -> None:
    data = await state.get_data()
    if not data.get("retext") or callback_data.value not in LANGUAGE_NAMES:
        await callback.answer(out_of_date(), show_alert=True)
        return
    await state.update_data(retext_lang=callback_data.value)
    await state.set_state(AnnounceForm.content)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("Send me the new text in {language}.").format(
                language=language_name(callback_data.value)
            ),
            reply_markup=cancel_keyboard(),
        )


async def retext_received(
    message: Message,
    state: FSMContext,
    broadcaster: Broadcaster,
    bot: Bot,
    data: dict[str, Any],
    body: dict[str, Any],
) -> None:
    ann_id = int(data["retext"])
    lang = data.get("retext_lang") or ""
    await state.clear()
    actor = message.from_user.id if message.from_user else None
    if not await broadcaster.set_text(ann_id, lang, body, actor):
        await message.answer(_("This announcement has already gone out; its text stays."))
        return
    announcement = await broadcaster.db.announcements.get(ann_id)
    assert announcement is not None
    await message.answer(
        _("✏️ The text of announcement #{id} is replaced. This is how it will look:").format(
            id=ann_id
        )
    )
    await send_payload(bot, message.chat.id, broadcaster.preview(body, announcement.urgent, lang))


@router.callback_query(ComposeCb.filter())
async def compose_stale(callback: CallbackQuery) -> None:
    await callback.answer(out_of_date(), show_alert=True)
