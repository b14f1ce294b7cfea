"""/mydata shows what the bot stores about the person, readably; /forget deletes it."""

from __future__ import annotations

import html
import json
import logging
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from bot.i18n import _, fmt_datetime, fmt_time, language_name, ngettext
from bot.keyboards.registration import PrivacyCb, forget_keyboard, mydata_keyboard
from bot.program.model import Program
from bot.services.delegates import delegate_blocks
from bot.services.program import ProgramService
from bot.services.registration import RegistrationService, answers_of, consent_label
from bot.services.registration_view import answers_html, items_of, status_label
from bot.services.session_privacy import session_data_blocks
from db import Database
from db.users import User
from handlers.registration import form_of

logger = logging.getLogger(__name__)
router = Router(name=__name__)

MESSAGE_LIMIT = 3800  # below 4096, leaving room for the markup of the titles


def when(iso: str | None, program: Program, locale: str) -> str:
    if not iso:
        return "—"
    return fmt_datetime(datetime.fromisoformat(iso).astimezone(program.forum.tz), locale)


def profile_lines(user: User, program: Program, locale: str) -> list[str]:
    language = (
        language_name(user.language, title=True)
        if user.language
        else _("as in Telegram ({code})").format(code=html.escape(user.telegram_language or "—"))
    )
    if user.reminder_minutes:
        reminders = _("{minutes} min before a saved session").format(minutes=user.reminder_minutes)
    else:
        reminders = _("off")
    lines = [
        _("<b>Your profile</b>"),
        _("Name in Telegram: {name}").format(name=html.escape(user.full_name or "—")),
    ]
    if user.username:
        lines.append(_("Username: @{username}").format(username=html.escape(user.username)))
    lines += [
        _("Language: {language}").format(language=language),
        _("Reminders: {value}").format(value=reminders),
        _("Morning digest: {value}").format(value=_("on") if user.digest else _("off")),
        _("Ordinary announcements: {value}").format(
            value=_("muted") if user.muted else _("received")
        ),
        _("First message to the bot: {when}").format(when=when(user.first_seen, program, locale)),
    ]
    return lines


async def registration_lines(
    db: Database, programs: ProgramService, user: User, locale: str
) -> list[str]:
    row = await db.registrations.by_user(user.id)
    form = form_of(programs)
    if row is None or form is None:
        return []
    program = programs.program
    lines = [
        _("<b>Youth meeting registration {number}</b>").format(number=row.number),
        _("Registration status: {status}").format(status=status_label(row.status)),
        *answers_html(form, items_of(form, answers_of(row)), locale),
        _("Registered: {when}").format(when=when(row.created_at, program, locale)),
        _("Consent to the processing of personal data: {when}").format(
            when=when(row.consent_at, program, locale)
        ),
    ]
    if row.guardian_consent_at:
        lines.append(
            _("Consent of the parent or guardian: {when}, {how}").format(
                when=when(row.guardian_consent_at, program, locale), how=consent_label(row)
            )
        )
    if row.checked_in_at:
        lines.append(_("Checked in: {when}").format(when=when(row.checked_in_at, program, locale)))
    return lines


async def activity_lines(
    db: Database, program: Program, user: User, locale: str
) -> list[list[str]]:
    blocks = []
    saved = await db.agenda.rows(user.id)
    if saved:
        lines = [
            ngettext(
                "<b>Your agenda</b>: {count} session",
                "<b>Your agenda</b>: {count} sessions",
                len(saved),
            ).format(count=len(saved))
        ]
        for item in saved:
            session = program.session(item.session_id)
            if session is None:
                lines.append("• " + html.escape(item.session_id))
                continue
            lines.append(
                "• {day}, {time} — {title}".format(
                    day=session.day.strftime("%d.%m"),
                    time=fmt_time(session.start_at, locale),
                    title=html.escape(session.title.get(locale)),
                )
            )
        blocks.append(lines)
    sections = await db.agenda.subscription_rows(user.id)
    if sections:
        lines = [_("<b>Followed sections</b>")]
        for row in sections:
            section = program.section(str(row.get("section_id")))
            title = section.title.get(locale) if section else str(row.get("section_id"))
            lines.append("• " + html.escape(title))
        blocks.append(lines)
    questions = await db.questions.of_user(user.id)
    if questions:
        lines = [_("<b>Your questions</b>")]
        states = {
            "draft": _("not sent"),
            "open": _("waiting for an answer"),
            "answered": _("answered"),
        }
        for q in questions:
            lines.append(f"• «{html.escape(q.text[:200])}» — {states.get(q.status, q.status)}")
        blocks.append(lines)
    return blocks


def pages(blocks: list[str]) -> list[str]:
    """Messages of at most MESSAGE_LIMIT characters; a block never split in the middle
    unless it is longer than a message on its own."""
    result: list[str] = []
    current = ""
    for block in blocks:
        while len(block) > MESSAGE_LIMIT:
            cut = block.rfind("\n", 0, MESSAGE_LIMIT)
            cut = cut if cut > 0 else MESSAGE_LIMIT
            if current:
                result.append(current)
                current = ""
            result.append(block[:cut])
            block = block[cut:].lstrip("\n")
        if current and len(current) + len(block) + 2 > MESSAGE_LIMIT:
            result.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        result.append(current)
    return result


@router.message(Command("mydata"))
async def mydata(
    message: Message, db: Database, user: User, programs: ProgramService, locale: str
) -> None:
    program = programs.program
    blocks = [
        "\n".join(
            [
                _("This is everything the bot stores about you. Delete it with /forget."),
                "",
                *profile_lines(user, program, locale),
            ]
        )
    ]
    registration = await registration_lines(db, programs, user, locale)
    if registration:
        blocks.append("\n".join(registration))
    blocks += ["\n".join(b) for b in await activity_lines(db, program, user, locale)]
    blocks += await delegate_blocks(db, program, user.id, locale)
    blocks += ["\n".join(b) for b in await session_data_blocks(db, program, user.id, locale)]
    split = pages(blocks)
    for i, page in enumerate(split):
        markup: InlineKeyboardMarkup | None = mydata_keyboard() if i == len(split) - 1 else None
        await message.answer(page, reply_markup=markup)


@router.message(Command("forget"))
async def forget(message: Message) -> None:
    await message.answer(
        _(
            "Delete everything the bot stores about you: your settings, your saved sessions, "
            "your questions, your delegate profile and meetings, and your youth meeting "
            "registration (it will be cancelled and its "
            "place given to the next person)? Only anonymous counts are kept. This cannot be "
            "undone."
        ),
        reply_markup=forget_keyboard(),
    )


@router.callback_query(PrivacyCb.filter())
async def privacy_button(
    callback: CallbackQuery,
    callback_data: PrivacyCb,
    db: Database,
    user: User,
    state: FSMContext,
    registrations: RegistrationService,
    programs: ProgramService,
) -> None:
    message = callback.message
    if callback_data.action not in ("yes", "no", "file") or not isinstance(message, Message):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "file":
        found = await db.personal_data(user.id)
        data = json.dumps(found, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        await message.answer_document(
            BufferedInputFile(data, filename="my-data.json"),
            caption=_("All your data as the bot stores it (JSON)."),
        )
        return
    if callback_data.action == "no":
        await message.edit_text(_("Nothing was deleted."))
        return
    await state.clear()
    reg = programs.program.registration
    await registrations.forget(user.id, reg.capacity if reg else None)
    logger.info("User %s had their personal data deleted", user.id)
    await message.edit_text(
        _("Done: everything the bot stored about you is deleted. Goodbye, or /start again.")
    )
