"""/admin, the organizer menu (with the program as a workbook), and /audit, the audit log."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.markdown import html_decoration as hd

from bot.clock import Clock
from bot.filters import IsOwner, organizer_only
from bot.i18n import _, fmt_datetime, ngettext, translator
from bot.keyboards.admin import AdminCb, AuditCb, admin_menu, audit_keyboard
from bot.keyboards.common import MenuCb
from bot.services.program import ProgramService
from bot.services.program_ops import audit_details
from bot.services.program_view import program_audit_text
from bot.services.session_audit import describe_session_action
from db import Database
from db.audit import AuditEntry
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)
organizer_only(router)

AUDIT_PAGE = 10


def menu_text() -> str:
    return _("🛠 <b>Organizer tools</b>\n\nWhat would you like to do?")


@router.message(Command("admin"))
async def admin_command(message: Message, user: User) -> None:
    await message.answer(menu_text(), reply_markup=admin_menu(user.is_owner))


@router.callback_query(MenuCb.filter(F.action == "admin"))
async def admin_button(callback: CallbackQuery, user: User) -> None:
    await callback.answer()
    if callback.message:
        await callback.message.answer(menu_text(), reply_markup=admin_menu(user.is_owner))


EXPORT_FORMATS = {"csv": "CSV (;)", "csvc": "CSV (,)", "xlsx": "Excel"}


def _moment(iso: str, tz: ZoneInfo, locale: str) -> str:
    try:
        return fmt_datetime(datetime.fromisoformat(iso).astimezone(tz), locale)
    except ValueError:
        return hd.quote(iso)


def describe(entry: AuditEntry, tz: ZoneInfo, locale: str) -> str:
    """What an organizer did, in words (HTML): the details hold only codes and numbers."""
    details = entry.details
    changed = audit_details(details) if entry.action.startswith("program.") else None
    if changed is not None:
        return program_audit_text(entry.action, changed, edit_of(entry))
    if entry.subject_id is None:
        subject = _("a person who has since been deleted")
    else:
        subject = hd.quote(entry.subject_name or f"#{entry.subject_id}")
    action = entry.action
    if action.startswith("session."):
        session_text = describe_session_action(action, details, subject)
        if session_text is not None:
            return session_text
    if action == "role.add":
        text = _("made {person} an organizer").format(person=subject)
        return text + (" " + _("(by an invite link)") if details == "invite" else "")
    if action == "role.remove":
        return _("removed {person} from the organizers").format(person=subject)
    if action == "invite.created":
        until = details.removeprefix("valid until ")
        return _("created an invite link, valid until {when}").format(
            when=_moment(until, tz, locale)
        )
    if action == "registration.export":
        kind, _sep, count = details.partition(" ")
        return ngettext(
            "exported the registrations: {format}, {count} row",
            "exported the registrations: {format}, {count} rows",
            int(count) if count.isdigit() else 0,
        ).format(format=EXPORT_FORMATS.get(kind, hd.quote(kind)), count=hd.quote(count))
    if action == "delegation.link":
        return _("created a one-time link for the delegation entry {member}").format(
            member=hd.quote(details)
        )
    if action == "registration.checkin":
        return _("checked in {number}").format(number=hd.quote(details))
    if action == "registration.paper_consent":
        return _("recorded a parent's paper consent for {number}").format(number=hd.quote(details))
    announcement = re.match(r"#(\d+)(?: (?:at|to) (\S+))?(?:, (\d+) not sent)?$", details)
    if action.startswith("announcement.") and announcement:
        number, moment, left = announcement.groups()
        when = _moment(moment, tz, locale) if moment else ""
        texts = {
            "announcement.sent": _("sent announcement #{id}"),
            "announcement.scheduled": _("scheduled announcement #{id} for {when}"),
            "announcement.rescheduled": _("moved announcement #{id} to {when}"),
            "announcement.cancelled": _("cancelled announcement #{id}"),
            "announcement.stopped": _("stopped announcement #{id}; {left} not sent"),
            "announcement.missed": _("announcement #{id} was missed while the bot was down"),
        }
        if action in texts:
            return texts[action].format(id=number, when=when, left=left or 0)
    return f"<code>{hd.quote(action)}</code> {hd.quote(details)}"


@router.callback_query(AdminCb.filter(F.action.in_({"wb", "tpl"})))
async def program_workbook(
    callback: CallbackQuery,
    callback_data: AdminCb,
    programs: ProgramService,
    i18n: I18n,
    clock: Clock,
) -> None:
    """The current program as an .xlsx document, or the blank one to fill in."""
    from bot.program.workbook import template_bytes, workbook_bytes

    message = callback.message
    if not isinstance(message, Message):
        await callback.answer()
        return
    await callback.answer(_("Preparing the workbook…"))
    translate = translator(i18n)
    if callback_data.action == "tpl":
        data = await asyncio.to_thread(template_bytes, translate)
        name, caption = (
            "program-template.xlsx",
            _("📄 A blank programme workbook. The Instructions sheet explains the columns."),
        )
    else:
        program = programs.program
        data = await asyncio.to_thread(workbook_bytes, program, translate)
        count = len(program.sessions)
        stamp = clock.now().astimezone(program.forum.tz).strftime("%Y%m%d-%H%M")
        name = f"program-{stamp}.xlsx"
        caption = ngettext(
            "📊 The current programme, {count} session. The Instructions sheet explains "
            "the columns.",
            "📊 The current programme, {count} sessions. The Instructions sheet explains "
            "the columns.",
            count,
        ).format(count=count)
    await message.answer_document(BufferedInputFile(data, filename=name), caption=caption)


async def audit_page(
    db: Database, programs: ProgramService, page: int, locale: str
) -> tuple[str, int, list[int]]:
    """The page's text, the number of pages, and the live edits on it that can be undone."""
    total = await db.audit.count()
    pages = max(1, -(-total // AUDIT_PAGE))
    page = max(0, min(page, pages - 1))
    entries = await db.audit.page(page * AUDIT_PAGE, AUDIT_PAGE)
    tz = programs.program.forum.tz
    lines = [_("📜 <b>Audit log</b> (page {page} of {pages})").format(page=page + 1, pages=pages)]
    if not entries:
        lines.append(_("Nothing recorded yet."))
    for entry in entries:
        when = fmt_datetime(datetime.fromisoformat(entry.at).astimezone(tz), locale)
        if entry.actor_id is None:
            actor = _("the bot")
        else:
            actor = hd.quote(entry.actor_name or str(entry.actor_id))
        lines.append(f"• {when} — {actor}: {describe(entry, tz, locale)}")
    edits = [e for e in map(edit_of, entries) if e is not None]
    return "\n".join(lines), pages, sorted(await db.edits.undoable(edits), reverse=True)


def edit_of(entry: AuditEntry) -> int | None:
    """The live edit an audit entry records, if it records one."""
    ref = entry.ref or ""
    return int(ref[5:]) if ref.startswith("edit:") and ref[5:].isdigit() else None


@router.message(Command("audit"), IsOwner())
async def audit_command(
    message: Message, user: User, db: Database, programs: ProgramService, locale: str
) -> None:
    text, pages, undoable = await audit_page(db, programs, 0, locale)
    await message.answer(text, reply_markup=audit_keyboard(0, pages, undoable))


@router.callback_query(AdminCb.filter(F.action == "audit"), IsOwner())
async def audit_button(
    callback: CallbackQuery, user: User, db: Database, programs: ProgramService, locale: str
) -> None:
    await callback.answer()
    text, pages, undoable = await audit_page(db, programs, 0, locale)
    if callback.message:
        await callback.message.answer(text, reply_markup=audit_keyboard(0, pages, undoable))


@router.callback_query(AuditCb.filter(), IsOwner())
async def audit_paged(
    callback: CallbackQuery,
    callback_data: AuditCb,
    user: User,
    db: Database,
    programs: ProgramService,
    locale: str,
) -> None:
    text, pages, undoable = await audit_page(db, programs, callback_data.page, locale)
    await callback.answer()
    message = callback.message
    if isinstance(message, Message) and message.html_text != text:
        markup = audit_keyboard(callback_data.page, pages, undoable)
        await message.edit_text(text, reply_markup=markup)
