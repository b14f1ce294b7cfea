"""Organizers: registration counts, CSV and Excel exports, check-in by QR link or number."""

from __future__ import annotations

import html
import logging
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.filters import organizer_only
from bot.i18n import _, fmt_date, fmt_datetime, ngettext
from bot.keyboards.common import MenuCb
from bot.keyboards.registration import OrgRegCb, organizer_keyboard
from bot.program.model import Program
from bot.services.program import ProgramService
from bot.services.registration import (
    RegistrationService,
    age_at,
    age_day,
    country_label,
    export_columns,
    export_rows,
    parse_number,
    status_label,
    to_csv,
    to_xlsx,
)
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)
organizer_only(router)


async def stats_text(registrations: RegistrationService, program: Program, locale: str) -> str:
    stats = await registrations.stats(program)
    reg = program.registration
    lines = [_("<b>Youth meeting registrations</b>")]
    if reg is not None:
        lines.append(_("Capacity: {capacity}").format(capacity=reg.capacity))
    lines.append("")
    for status, count in stats.by_status.items():
        lines.append(f"{html.escape(status_label(status))}: <b>{count}</b>")
    if stats.by_country:
        lines += ["", _("<b>By country</b> (without cancelled)")]
        for code, count in sorted(stats.by_country.items(), key=lambda kv: -kv[1]):
            lines.append(f"{html.escape(country_label(code))}: {count}")
    if stats.by_region:
        lines += ["", _("<b>By region</b> (top 10)")]
        lines += [f"{html.escape(region)}: {count}" for region, count in stats.by_region]
    if stats.by_day:
        lines += ["", _("<b>Sign-ups by day</b>")]
        for day, count in stats.by_day[-14:]:
            when = fmt_date(datetime.fromisoformat(day).date(), locale)
            lines.append(f"{when}: {count} " + "▇" * min(count, 30))
    if not stats.total:
        lines += ["", _("Nobody has registered yet.")]
    return "\n".join(lines)


async def send_export(
    message: Message, kind: str, db: Database, program: Program, locale: str
) -> None:
    rows = await db.registrations.all()
    header = export_columns(program, locale)
    table = export_rows(program, rows, locale)
    # The bot's clock in forum time: the demo's and the organizer's "now", not the server's.
    stamp = db.connection.now().astimezone(program.forum.tz).strftime("%Y%m%d-%H%M")
    caption = ngettext("{count} registration", "{count} registrations", len(rows)).format(
        count=len(rows)
    )
    if kind == "csv":
        data, name = to_csv(header, table), f"registrations-{stamp}.csv"
    else:
        data, name = to_xlsx(header, table, _("Registrations")), f"registrations-{stamp}.xlsx"
    await message.answer_document(BufferedInputFile(data, filename=name), caption=caption)


async def check_in(
    message: Message, text: str, db: Database, program: Program, user: User, locale: str
) -> None:
    reg_id = parse_number(text)
    row = await db.registrations.get(reg_id) if reg_id is not None else None
    shown = html.escape(text.strip()[:30])
    if row is None:
        await message.answer(_("❌ No registration with the number {number}.").format(number=shown))
        return
    name = html.escape(row.full_name)
    if row.status == "cancelled":
        answer = _("❌ {number} ({name}) was cancelled: not admitted.")
    elif row.status == "waiting":
        answer = _("⏳ {number} ({name}) is on the waiting list, not admitted yet.")
    elif row.status == "checked_in":
        when = datetime.fromisoformat(row.checked_in_at or "").astimezone(program.forum.tz)
        await message.answer(
            _("⚠️ {number} ({name}) has already checked in, at {when}.").format(
                number=row.number, name=name, when=fmt_datetime(when, locale)
            )
        )
        return
    else:
        async with db.transaction():
            await db.registrations.check_in(row.id, user.id)
        logger.info("Registration %s checked in by %s", row.number, user.id)
        age = age_at(datetime.fromisoformat(row.birth_date).date(), age_day(program))
        answer = _("✅ {number} checked in: {name}, age {age}.")
        extra = ""
        if row.guardian_name:
            extra = "\n" + _("Minor; parent or guardian: {guardian}, {phone}").format(
                guardian=html.escape(row.guardian_name), phone=html.escape(row.guardian_phone or "")
            )
        await message.answer(answer.format(number=row.number, name=name, age=age) + extra)
        return
    await message.answer(answer.format(number=row.number, name=name))


@router.message(Command("stats", "registrations"))
async def stats_command(
    message: Message, registrations: RegistrationService, programs: ProgramService, locale: str
) -> None:
    text = await stats_text(registrations, programs.program, locale)
    await message.answer(text, reply_markup=organizer_keyboard())


@router.callback_query(MenuCb.filter(F.action == "adm_reg"))
async def admin_menu_entry(
    callback: CallbackQuery,
    registrations: RegistrationService,
    programs: ProgramService,
    locale: str,
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        text = await stats_text(registrations, programs.program, locale)
        await callback.message.answer(text, reply_markup=organizer_keyboard())


@router.callback_query(OrgRegCb.filter())
async def organizer_button(
    callback: CallbackQuery,
    callback_data: OrgRegCb,
    registrations: RegistrationService,
    programs: ProgramService,
    db: Database,
    locale: str,
) -> None:
    message = callback.message
    if callback_data.action not in ("stats", "csv", "xlsx") or not isinstance(message, Message):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "stats":
        text = await stats_text(registrations, programs.program, locale)
        await message.answer(text, reply_markup=organizer_keyboard())
    else:
        await send_export(message, callback_data.action, db, programs.program, locale)


@router.message(Command("export"))
async def export_command(
    message: Message,
    command: CommandObject,
    db: Database,
    programs: ProgramService,
    locale: str,
) -> None:
    wanted = (command.args or "").strip().lower()
    if wanted not in ("", "csv", "xlsx", "excel"):
        await message.answer(_("Usage: /export, /export csv or /export xlsx"))
        return
    kinds = ["csv", "xlsx"] if not wanted else ["csv" if wanted == "csv" else "xlsx"]
    for kind in kinds:
        await send_export(message, kind, db, programs.program, locale)


@router.message(Command("checkin"))
async def checkin_command(
    message: Message,
    command: CommandObject,
    db: Database,
    programs: ProgramService,
    user: User,
    locale: str,
) -> None:
    if not command.args:
        await message.answer(
            _(
                "Type the registration number after the command, e.g. /checkin YM-0042, or scan "
                "the participant's QR code."
            )
        )
        return
    await check_in(message, command.args, db, programs.program, user, locale)


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("ci-")))
async def checkin_link(
    message: Message,
    command: CommandObject,
    db: Database,
    programs: ProgramService,
    user: User,
    locale: str,
) -> None:
    await check_in(message, (command.args or "")[3:], db, programs.program, user, locale)
