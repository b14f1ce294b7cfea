"""/admin, the organizer menu, and /audit, the owners' audit log."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.markdown import html_decoration as hd

from bot.filters import IsOwner, organizer_only
from bot.i18n import _, fmt_datetime
from bot.keyboards.admin import AdminCb, AuditCb, admin_menu, audit_keyboard
from bot.keyboards.common import MenuCb
from bot.services.program import ProgramService
from bot.services.program_ops import audit_details
from bot.services.program_view import audit_text
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
        program_details = (
            audit_details(entry.details) if entry.action.startswith("program.") else None
        )
        if program_details is not None:
            details = audit_text(entry.action, program_details, locale)
        else:
            details = hd.quote(entry.details)
        edit = edit_of(entry)
        mark = f" #{edit}" if edit is not None else ""
        lines.append(f"• {when} — {actor}: <code>{hd.quote(entry.action)}</code>{mark} {details}")
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
