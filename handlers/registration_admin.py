"""Organizers: registration counts, CSV and Excel exports, check-in by QR link or number."""

from __future__ import annotations

import html
import logging
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.filters import organizer_only
from bot.i18n import _, fmt_date, fmt_datetime, ngettext
from bot.keyboards.common import MenuCb
from bot.keyboards.registration import OrgRegCb, organizer_keyboard
from bot.services.answers import age_at, phone_display
from bot.services.audit import audit
from bot.services.program import ProgramService
from bot.services.registration import (
    RegistrationService,
    consent_label,
    export_columns,
    export_rows,
    parse_number,
    to_csv,
    to_xlsx,
)
from bot.services.registration_view import status_heading, status_label
from db import Database
from db.users import User
from handlers.registration import form_of

logger = logging.getLogger(__name__)
router = Router(name=__name__)
organizer_only(router)

EXPORTS = ("csv", "csvc", "xlsx")


async def stats_text(
    registrations: RegistrationService, programs: ProgramService, locale: str
) -> str:
    program = programs.program
    form = form_of(programs)
    lines = [_("<b>Youth meeting registrations</b>")]
    if form is None:
        return "\n".join([*lines, _("There is no youth meeting registration at this forum.")])
    stats = await registrations.stats(form, program.forum.tz, locale)
    lines.append(_("Capacity: {capacity}").format(capacity=form.reg.capacity))
    lines.append("")
    for status, count in stats.by_status.items():
        lines.append(f"{html.escape(status_heading(status))}: <b>{count}</b>")
    lines.append(
        ngettext(
            "{count} registration in all, as in the export.",
            "{count} registrations in all, as in the export.",
            stats.total,
        ).format(count=stats.total)
    )
    if stats.forgotten:
        lines.append(
            _("Deleted at the person's request (not in the export): {count}").format(
                count=stats.forgotten
            )
        )
    blocks = [
        (_("<b>By country</b> (without cancelled)"), stats.by_country),
        (_("<b>By region</b> (top 10)"), stats.by_region),
        (
            _("<b>By age</b> on {day}").format(day=fmt_date(form.age_day, locale, "d MMMM y")),
            stats.by_age,
        ),
    ]
    blocks += [(f"<b>{html.escape(title)}</b>", counts) for title, counts in stats.by_question]
    for title, counts in blocks:
        if counts and any(n for _label, n in counts):
            lines += ["", title]
            lines += [f"{html.escape(label)}: {count}" for label, count in counts]
    if stats.by_day:
        lines += ["", _("<b>Sign-ups by day</b>")]
        for day, count in stats.by_day[-14:]:
            when = fmt_date(datetime.fromisoformat(day).date(), locale, "d MMM")
            lines.append(f"{when}: {count} " + "▇" * min(count, 30))
    if not stats.total and not stats.forgotten:
        lines += ["", _("Nobody has registered yet.")]
    return "\n".join(lines)


async def send_export(
    message: Message,
    kind: str,
    db: Database,
    programs: ProgramService,
    clock: Clock,
    user: User,
    locale: str,
) -> None:
    """The registrations as a file; CSV with `;` (Excel in Russian), `,` (csvc) or Excel."""
    program = programs.program
    form = form_of(programs)
    if form is None:
        await message.answer(_("There is no youth meeting registration at this forum."))
        return
    tz = program.forum.tz
    rows = await db.registrations.all()
    header = export_columns(form, locale, program.forum.timezone)
    table = export_rows(form, rows, locale, tz)
    stamp = clock.now().astimezone(tz).strftime("%Y%m%d-%H%M")
    caption = ngettext("{count} registration", "{count} registrations", len(rows)).format(
        count=len(rows)
    )
    if kind == "xlsx":
        data, name = to_xlsx(header, table, _("Registrations")), f"registrations-{stamp}.xlsx"
    else:
        data = to_csv(header, table, delimiter="," if kind == "csvc" else ";")
        name = f"registrations-{stamp}.csv"
    await message.answer_document(BufferedInputFile(data, filename=name), caption=caption)
    await audit(db, user.id, "registration.export", f"{kind} {len(rows)}")


async def check_in(
    message: Message, text: str, db: Database, programs: ProgramService, user: User, locale: str
) -> None:
    program = programs.program
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
    elif row.status == "guardian":
        answer = _(
            "⏳ {number} ({name}) waits for the consent of a parent or guardian: not admitted "
            "yet. A paper consent can be recorded with /consent {number}."
        )
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
            await audit(db, user.id, "registration.checkin", row.number)
        logger.info("Registration %s checked in by %s", row.number, user.id)
        form = form_of(programs)
        on = form.age_day if form else program.forum.start_date
        age = age_at(datetime.fromisoformat(row.birth_date).date(), on)
        answer = _("✅ {number} checked in: {name}, age {age}.")
        extra = ""
        if row.guardian_name:
            extra = "\n" + _("Minor; parent or guardian: {guardian}, {phone}").format(
                guardian=html.escape(row.guardian_name),
                phone=html.escape(phone_display(row.guardian_phone or "")),
            )
        await message.answer(answer.format(number=row.number, name=name, age=age) + extra)
        return
    await message.answer(answer.format(number=row.number, name=name))


@router.message(Command("stats", "registrations"))
async def stats_command(
    message: Message, registrations: RegistrationService, programs: ProgramService, locale: str
) -> None:
    text = await stats_text(registrations, programs, locale)
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
        text = await stats_text(registrations, programs, locale)
        await callback.message.answer(text, reply_markup=organizer_keyboard())


@router.callback_query(OrgRegCb.filter())
async def organizer_button(
    callback: CallbackQuery,
    callback_data: OrgRegCb,
    registrations: RegistrationService,
    programs: ProgramService,
    db: Database,
    clock: Clock,
    user: User,
    locale: str,
) -> None:
    message = callback.message
    if callback_data.action not in ("stats", *EXPORTS) or not isinstance(message, Message):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "stats":
        text = await stats_text(registrations, programs, locale)
        await message.answer(text, reply_markup=organizer_keyboard())
    else:
        await send_export(message, callback_data.action, db, programs, clock, user, locale)


@router.message(Command("export"))
async def export_command(
    message: Message,
    command: CommandObject,
    db: Database,
    programs: ProgramService,
    clock: Clock,
    user: User,
    locale: str,
) -> None:
    wanted = (command.args or "").strip().lower()
    kinds = {"": ["xlsx", "csv"], "csv": ["csv"], "xlsx": ["xlsx"], "excel": ["xlsx"]}
    kinds["csv,"] = kinds["csvc"] = ["csvc"]
    if wanted not in kinds:
        await message.answer(_("Usage: /export, /export xlsx, /export csv or /export csvc"))
        return
    for kind in kinds[wanted]:
        await send_export(message, kind, db, programs, clock, user, locale)


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
    await check_in(message, command.args, db, programs, user, locale)


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("ci-")))
async def checkin_link(
    message: Message,
    command: CommandObject,
    db: Database,
    programs: ProgramService,
    user: User,
    locale: str,
) -> None:
    await check_in(message, (command.args or "")[3:], db, programs, user, locale)


@router.message(Command("consent"))
async def paper_consent(
    message: Message,
    command: CommandObject,
    db: Database,
    programs: ProgramService,
    registrations: RegistrationService,
    user: User,
) -> None:
    """A parent's or guardian's consent given on paper, recorded by its registration number."""
    reg = programs.program.registration
    reg_id = parse_number(command.args or "")
    row = await db.registrations.get(reg_id) if reg_id is not None else None
    if reg is None or row is None:
        await message.answer(
            _(
                "Type the number of a registration that waits for a guardian's consent, e.g. "
                "/consent YM-0042."
            )
        )
        return
    name = html.escape(row.full_name)
    if row.status != "guardian":
        if row.guardian_consent_at:
            text = _("{number} ({name}) already has the guardian's consent ({how}).")
        else:
            text = _("{number} ({name}) does not wait for a guardian's consent.")
        how = consent_label(row)
        await message.answer(text.format(number=row.number, name=name, how=how))
        return
    done = await registrations.guardian_consents(row, user.id, "paper", reg.capacity)
    if done is None:
        await message.answer(_("This registration has just changed; please try again."))
        return
    await audit(db, user.id, "registration.paper_consent", row.number)
    await message.answer(
        _("✅ Paper consent recorded for {number} ({name}). Registration status: {status}.").format(
            number=done.number, name=name, status=status_label(done.status)
        )
    )
