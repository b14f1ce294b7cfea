"""Youth meeting registration: placing people (or on the waiting list), a guardian's consent,
QR codes, counts and exports. No Telegram handlers here."""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from aiogram import Bot

from bot import deeplinks
from bot.clock import Clock
from bot.i18n import _
from bot.program.model import QuestionKind
from bot.scheduler import Scheduler
from bot.services.answers import age_at, phone_display
from bot.services.notify import Notifier, Priority, text_payload
from bot.services.registration_form import (
    BIRTH,
    CITY,
    CONSENT,
    COUNTRY,
    EMAIL,
    GNAME,
    GPHONE,
    NAME,
    ORG,
    PHONE,
    POS,
    REGION,
    RegistrationForm,
)
from bot.services.registration_view import (
    answer_text,
    country_label,
    place_label,
    status_label,
)
from db import Database
from db.registrations import ACTIVE, STATUSES, RegistrationData, RegistrationRow

logger = logging.getLogger(__name__)

# OWASP "CSV injection": a cell starting with one of these is a formula to a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GUARDIAN_REMINDER_EVERY = timedelta(days=1)
GUARDIAN_REMINDERS = 3


def parse_number(text: str) -> int | None:
    """The id in a registration number: "YM-0042", "ym 42" or "42"."""
    match = re.fullmatch(r"\s*(?:YM[\s-]?)?0*(\d{1,9})\s*", text, re.IGNORECASE)
    return int(match.group(1)) if match else None


def qr_png(content: str) -> bytes:
    import qrcode  # lazy: with PIL, megabytes that only a confirmed registration needs

    image = qrcode.make(content, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------------------------- answers


def answers_of(row: RegistrationRow) -> dict[str, Any]:
    """A stored registration as the form's answers (to show it, or to change it)."""
    answers: dict[str, Any] = {
        NAME: row.full_name,
        BIRTH: row.birth_date,
        COUNTRY: row.country,
        REGION: row.region,
        CITY: row.city,
        ORG: row.organization,
        POS: row.position,
        PHONE: row.phone,
        EMAIL: row.email,
        CONSENT: "yes",
    }
    for key, value in row.answers.items():
        answers[f"x.{key}"] = value
    if row.guardian_name:
        answers[GNAME] = row.guardian_name
        answers[GPHONE] = row.guardian_phone
    return answers


def registration_data(form: RegistrationForm, answers: Mapping[str, Any]) -> RegistrationData:
    minor = form.is_minor(answers)
    return RegistrationData(
        full_name=answers[NAME],
        birth_date=answers[BIRTH],
        country=answers[COUNTRY],
        region=answers[REGION],
        city=answers[CITY],
        organization=answers[ORG],
        position=answers[POS],
        phone=answers[PHONE],
        email=answers[EMAIL],
        answers={q.id: answers.get(f"x.{q.id}") for q in form.reg.extra_questions},
        guardian_name=answers.get(GNAME) if minor else None,
        guardian_phone=answers.get(GPHONE) if minor else None,
    )


# ---------------------------------------------------------------------------------- counts


@dataclass(frozen=True, slots=True)
class Stats:
    by_status: dict[str, int]  # the registrations in the export, by status
    forgotten: int  # deleted at the person's request: counted here, not in the export
    by_country: list[tuple[str, int]]  # labels, without cancelled
    by_region: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    by_question: list[tuple[str, list[tuple[str, int]]]]  # choice and yes/no questions
    by_day: list[tuple[str, int]]  # ISO day, registrations made that day
    total: int  # in the export


def age_groups(form: RegistrationForm) -> list[tuple[int, int]]:
    """Age brackets for the counts: minors apart, then the usual youth-policy steps."""
    reg = form.reg
    cuts = sorted({reg.min_age, reg.adult_age, 25, 31, reg.max_age + 1})
    cuts = [c for c in cuts if reg.min_age <= c <= reg.max_age + 1]
    return [(low, high - 1) for low, high in itertools.pairwise(cuts)]


def age_group_label(low: int, high: int) -> str:
    return f"{low}–{high}" if low != high else str(low)


def count_stats(
    form: RegistrationForm,
    rows: list[RegistrationRow],
    anonymous: list[tuple[str, str, str, str]],
    tz: Any,
    locale: str,
) -> Stats:
    live = [r for r in rows if r.status != "cancelled"]
    by_status = Counter(r.status for r in rows)
    countries = Counter(country_label(r.country) for r in live)
    regions = Counter(place_label(form, REGION, r.region, locale) for r in live)
    groups = age_groups(form)
    ages: Counter[str] = Counter()
    for r in live:
        age = age_at(date.fromisoformat(r.birth_date), form.age_day)
        for low, high in groups:
            if low <= age <= high:
                ages[age_group_label(low, high)] += 1
    questions = []
    for q in form.reg.extra_questions:
        if q.kind == QuestionKind.TEXT:
            continue
        step = f"x.{q.id}"
        counted = Counter(answer_text(form, step, r.answers.get(q.id), locale) for r in live)
        order = [answer_text(form, step, o.code, locale) for o in form.options(step, {})]
        order += [k for k in counted if k not in order]
        questions.append((q.text.get(locale), [(k, counted[k]) for k in order if counted[k]]))
    days = Counter(
        datetime.fromisoformat(r.created_at).astimezone(tz).date().isoformat() for r in rows
    )
    days.update(d for _s, _c, _r, d in anonymous)
    return Stats(
        by_status={s: by_status.get(s, 0) for s in STATUSES},
        forgotten=len(anonymous),
        by_country=countries.most_common(),
        by_region=regions.most_common(10),
        by_age=[(age_group_label(lo, hi), ages[age_group_label(lo, hi)]) for lo, hi in groups],
        by_question=questions,
        by_day=sorted(days.items()),
        total=len(rows),
    )


# ---------------------------------------------------------------------------------- exports


def export_columns(form: RegistrationForm, locale: str, tz_name: str) -> list[str]:
    extra = [q.text.get(locale) for q in form.reg.extra_questions]
    return [
        _("Number"),
        _("Status"),
        _("Full name"),
        _("Date of birth"),
        _("Country"),
        _("Region"),
        _("City"),
        _("Organization or place of study"),
        _("Position or course"),
        _("Phone"),
        _("E-mail"),
        *extra,
        _("Parent or guardian"),
        _("Guardian's phone"),
        _("Guardian's consent"),
        _("Registered at ({tz})").format(tz=tz_name),
        _("Checked in at ({tz})").format(tz=tz_name),
    ]


def consent_label(row: RegistrationRow) -> str:
    kinds = {
        "telegram": _("in Telegram"),
        "paper": _("on paper"),
        "form": _("in the form"),
    }
    return kinds.get(row.guardian_consent_kind or "", "") if row.guardian_consent_at else ""


def local_time(iso: str | None, tz: Any) -> str:
    """A stored UTC moment as the forum's local time, e.g. 2027-06-01 13:00."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def export_rows(
    form: RegistrationForm, rows: list[RegistrationRow], locale: str, tz: Any
) -> list[list[str]]:
    table = []
    for r in rows:
        table.append(
            [
                r.number,
                status_label(r.status),
                r.full_name,
                r.birth_date,
                country_label(r.country),
                place_label(form, REGION, r.region, locale),
                place_label(form, CITY, r.city, locale),
                r.organization,
                r.position,
                phone_display(r.phone),
                r.email,
                *(
                    answer_text(form, f"x.{q.id}", r.answers.get(q.id), locale)
                    if r.answers.get(q.id) is not None
                    else ""
                    for q in form.reg.extra_questions
                ),
                r.guardian_name or "",
                phone_display(r.guardian_phone) if r.guardian_phone else "",
                consent_label(r),
                local_time(r.created_at, tz),
                local_time(r.checked_in_at, tz),
            ]
        )
    return table


def formula_safe(value: str) -> str:
    """OWASP: a cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(header: list[str], table: list[list[str]], delimiter: str = ";") -> bytes:
    """UTF-8 with a BOM (Excel reads Cyrillic right), `;` for Excel set to Russian or
    Belarusian (`,` for the English one); every cell safe from formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([formula_safe(v) for v in header])
    writer.writerows([[formula_safe(v) for v in row] for row in table])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], table: list[list[str]], title: str) -> bytes:
    """Every cell typed text, shown as is, that Excel keeps as text even when edited (the
    quote prefix), so neither a formula nor a phone number turned into a number."""
    from openpyxl import Workbook  # lazy: only organizers' exports need it
    from openpyxl.cell.cell import TYPE_STRING

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row_index, values in enumerate([header, *table], start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_index, column=column)
            cell.value = value
            cell.data_type = TYPE_STRING
            cell.quotePrefix = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------- service


@dataclass(frozen=True, slots=True)
class Submitted:
    row: RegistrationRow
    result: str  # created, updated, or exists (already registered: a second Confirm)


class RegistrationService:
    """Places people in the meeting or on its waiting list, asks a minor's guardian, and
    promotes from the waiting list."""

    def __init__(
        self, db: Database, notifier: Notifier, clock: Clock, scheduler: Scheduler, bot: Bot
    ) -> None:
        self.db = db
        self.notifier = notifier
        self.clock = clock
        self.scheduler = scheduler
        self.bot = bot

    def _now(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

    async def guardian_link(self, row: RegistrationRow) -> str:
        """The one-time link a minor forwards to their parent or guardian."""
        me = await self.bot.me()
        return deeplinks.url(me.username or "", "guardian", row.guardian_token or "")

    async def submit(
        self, user_id: int, data: RegistrationData, capacity: int, mode: str, minor: bool
    ) -> Submitted:
        """Save a confirmed form. A minor's new registration waits for the guardian's
        consent and holds no place until then."""
        freed = False
        async with self.db.transaction():
            existing = await self.db.registrations.by_user(user_id)
            if existing is not None and existing.status != "cancelled":
                if mode != "edit":
                    return Submitted(existing, "exists")
                await self.db.registrations.update_answers(user_id, data)
                if minor and existing.guardian_consent_at is None and existing.status != "guardian":
                    # A changed date of birth makes them a minor: the guardian must agree.
                    freed = existing.status in ACTIVE
                    await self.db.registrations.ask_guardian(existing.id, new_token(), self._now())
                elif not minor and existing.status == "guardian":
                    # An adult after all: no guardian to wait for.
                    await self.db.registrations.set_status(existing.id, await self._place(capacity))
                    self.scheduler.cancel(f"guardian-remind:{existing.id}")
                row = await self.db.registrations.by_user(user_id)
                assert row is not None
                result = "updated"
            else:
                if minor and not data.guardian_consent:
                    status, token = "guardian", new_token()
                else:
                    status, token = await self._place(capacity), None
                row = await self.db.registrations.create(user_id, data, status, self._now(), token)
                result = "created"
        logger.info("Registration %s by %s: %s (%s)", row.number, user_id, row.status, result)
        if row.status == "guardian":
            self.schedule_reminder(row)
        if freed:
            await self.promote(capacity)
        return Submitted(row, result)

    async def _place(self, capacity: int) -> str:
        """registered while there is room and nobody waits before; else the waiting list."""
        full = await self.db.registrations.count_active() >= capacity
        waiting_first = await self.db.registrations.first_waiting()
        return "waiting" if full or waiting_first is not None else "registered"

    async def cancel(self, user_id: int, capacity: int) -> RegistrationRow | None:
        async with self.db.transaction():
            row = await self.db.registrations.by_user(user_id)
            if row is None or row.status in ("cancelled", "checked_in"):
                return None
            await self.db.registrations.set_status(row.id, "cancelled")
        self.scheduler.cancel(f"guardian-remind:{row.id}")
        logger.info("Registration %s cancelled by its owner", row.number)
        await self.promote(capacity)
        return row

    async def forget(self, user_id: int, capacity: int | None) -> None:
        """/forget: the registration is cancelled first (its place goes to the waiting list),
        then everything about the person is deleted and the database file scrubbed."""
        async with self.db.transaction():
            row = await self.db.registrations.by_user(user_id)
            if row is not None and row.status != "cancelled":
                await self.db.registrations.set_status(row.id, "cancelled")
            await self.db.forget_user(user_id)
        if row is not None:
            self.scheduler.cancel(f"guardian-remind:{row.id}")
        await self.db.scrub()
        if capacity is not None:
            await self.promote(capacity)

    async def promote(self, capacity: int) -> int:
        """Move people from the waiting list while there are free places; tell each of them."""
        promoted = 0
        async with self.db.transaction():
            while await self.db.registrations.count_active() < capacity:
                row = await self.db.registrations.first_waiting()
                if row is None:
                    break
                await self.db.registrations.set_status(row.id, "registered")
                await self._tell(
                    row.user_id,
                    f"reg-promoted:{row.id}:{row.updated_at}",
                    row.number,
                    lambda row=row: _(
                        "🎉 Good news: a place has become free, and your registration for the "
                        "youth meeting is confirmed! Your number is <b>{number}</b>. Open "
                        "/register to see your QR code for check-in."
                    ).format(number=row.number),
                )
                promoted += 1
        if promoted:
            logger.info("%d people promoted from the waiting list", promoted)
        return promoted

    async def _tell(self, user_id: int, key: str, ref: str, text: Callable[[], str]) -> None:
        """Queue a message to a person, written in their language (joins the caller's
        transaction, or opens its own)."""
        user = await self.db.users.get(user_id)
        message = self.notifier.message(
            user_id,
            user,
            "registration",
            lambda _locale: text_payload(text()),
            ref=ref,
            key=key,
            priority=Priority.URGENT,
        )
        async with self.db.transaction():
            await self.notifier.queue([message])

    # -- the guardian's consent ----------------------------------------------------------

    async def guardian_consents(
        self, row: RegistrationRow, by: int, kind: str, capacity: int
    ) -> RegistrationRow | None:
        """The guardian agreed (in Telegram, or an organizer recorded a paper): the
        registration is complete and gets a place or joins the waiting list."""
        async with self.db.transaction():
            current = await self.db.registrations.get(row.id)
            if current is None or current.status != "guardian":
                return None
            await self.db.registrations.record_guardian_consent(row.id, by, kind, self._now())
            await self.db.registrations.set_status(row.id, await self._place(capacity))
            done = await self.db.registrations.get(row.id)
            assert done is not None
        self.scheduler.cancel(f"guardian-remind:{row.id}")
        logger.info("Guardian consent for %s (%s): %s", done.number, kind, done.status)
        await self._tell(
            done.user_id,
            f"reg-guardian-yes:{done.id}:{done.guardian_consent_at}",
            done.number,
            lambda: guardian_agreed_text(done),
        )
        return done

    async def guardian_refuses(self, row: RegistrationRow) -> RegistrationRow | None:
        async with self.db.transaction():
            current = await self.db.registrations.get(row.id)
            if current is None or current.status != "guardian":
                return None
            await self.db.registrations.set_status(row.id, "cancelled")
        self.scheduler.cancel(f"guardian-remind:{row.id}")
        logger.info("Guardian refused consent for %s", row.number)
        await self._tell(
            row.user_id,
            f"reg-guardian-no:{row.id}",
            row.number,
            lambda: _(
                "Your parent or guardian did not give their consent, so your registration "
                "{number} is cancelled. If this is a mistake, register again with /register."
            ).format(number=row.number),
        )
        return row

    def schedule_reminder(self, row: RegistrationRow) -> None:
        """The next reminder to forward the link, a day after the last one, on the bot's clock."""
        if row.guardian_asked_at is None or row.guardian_reminders >= GUARDIAN_REMINDERS:
            return
        asked = datetime.fromisoformat(row.guardian_asked_at)
        due = asked + GUARDIAN_REMINDER_EVERY * (row.guardian_reminders + 1)
        self.scheduler.at(f"guardian-remind:{row.id}", due, self.remind_guardian, row.id)

    async def remind_guardian(self, reg_id: int) -> None:
        async with self.db.transaction():
            row = await self.db.registrations.get(reg_id)
            if row is None or row.status != "guardian" or not row.guardian_token:
                return
            await self.db.registrations.guardian_reminded(reg_id)
        link = await self.guardian_link(row)
        await self._tell(
            row.user_id,
            f"reg-guardian-remind:{row.id}:{row.guardian_reminders + 1}",
            row.number,
            lambda: _(
                "⏳ Your parent or guardian has not confirmed yet, so your registration "
                "{number} is not complete. Please forward them this link again; they open it "
                "in their own Telegram and confirm:\n{link}"
            ).format(number=row.number, link=link),
        )
        updated = await self.db.registrations.get(reg_id)
        if updated is not None:
            self.schedule_reminder(updated)

    async def schedule_all_reminders(self) -> None:
        """At start: the reminders of everyone still waiting for a guardian."""
        for row in await self.db.registrations.waiting_for_guardian():
            self.schedule_reminder(row)

    # -- counts ----------------------------------------------------------------------------

    async def stats(self, form: RegistrationForm, tz: Any, locale: str) -> Stats:
        rows = await self.db.registrations.all()
        anonymous = await self.db.registrations.anonymous()
        return count_stats(form, rows, anonymous, tz, locale)

    async def audience(self, statuses: tuple[str, ...], country: str | None = None) -> list[int]:
        return await self.db.registrations.user_ids(statuses, country)


def new_token() -> str:
    return secrets.token_urlsafe(16)


def guardian_agreed_text(row: RegistrationRow) -> str:
    if row.status == "waiting":
        return _(
            "✅ Your parent or guardian has given their consent. All places are taken, so you "
            "are on the <b>waiting list</b>; your number is <b>{number}</b>. If a place becomes "
            "free, I will let you know."
        ).format(number=row.number)
    return _(
        "✅ Your parent or guardian has given their consent: your registration {number} is "
        "confirmed! Open /register to see your QR code for check-in."
    ).format(number=row.number)
