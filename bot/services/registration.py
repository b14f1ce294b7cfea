"""Youth meeting registration: validation of the form's answers, the waiting list, QR codes,
counts and exports. No Telegram handlers here."""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from bot.i18n import _, fmt_date
from bot.program.model import Program, Registration
from bot.services.notify import Notifier, Priority, text_payload
from db import Database
from db.registrations import STATUSES, RegistrationData, RegistrationRow

logger = logging.getLogger(__name__)

NAME_LIMIT = 100
PLACE_LIMIT = 100
ORG_LIMIT = 200
EMAIL_LIMIT = 254
COUNTRIES = ("BY", "RU", "other")
# Zero-width and direction-changing characters that make a name look unlike what is stored.
_INVISIBLE = {0x200B, 0x200C, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F)}
_ZWJ = "\u200d"
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
_FORMULA_START = re.compile(r"^(=|@|[+-](?!\d))")


class InvalidAnswerError(ValueError):
    """An answer the form refuses; the message is already in the reader's language."""


def clean_text(value: str, multiline: bool = False) -> str:
    """Strip control and zero-width characters and extra spaces; keep any script and emoji."""
    out: list[str] = []
    for i, ch in enumerate(value):
        if ch == "\n" and multiline:
            out.append(ch)
            continue
        if ch == _ZWJ:
            # Joins emoji into one (👩‍💻); anywhere else it only hides characters.
            prev = value[i - 1] if i else ""
            if prev and unicodedata.category(prev) in ("So", "Sk", "Mn"):
                out.append(ch)
            continue
        category = unicodedata.category(ch)
        if ord(ch) in _INVISIBLE or category in ("Cc", "Cf", "Co", "Cs"):
            out.append(" " if category == "Cc" else "")
            continue
        out.append(ch)
    text = "".join(out)
    if multiline:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(text.split())


def check_length(value: str, limit: int) -> str:
    if len(value) > limit:
        raise InvalidAnswerError(
            _("This is too long: at most {limit} characters, yours has {count}.").format(
                limit=limit, count=len(value)
            )
        )
    return value


def parse_name(text: str, limit: int = NAME_LIMIT) -> str:
    name = check_length(clean_text(text), limit)
    if sum(ch.isalpha() for ch in name) < 2:
        raise InvalidAnswerError(_("Please write the full name with letters, e.g. Anna Ivanova."))
    return name


def parse_place(text: str, limit: int = PLACE_LIMIT) -> str:
    value = check_length(clean_text(text), limit)
    if not any(ch.isalnum() for ch in value):
        raise InvalidAnswerError(_("Please write it with letters or digits."))
    return value


def parse_free_text(text: str, limit: int) -> str:
    value = check_length(clean_text(text, multiline=True), limit)
    if not value:
        raise InvalidAnswerError(_("The answer is empty. Please write a few words."))
    return value


def parse_birth_date(text: str, today: date) -> date:
    value = clean_text(text)
    for fmt in _DATE_FORMATS:
        try:
            born = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if born > today:
            raise InvalidAnswerError(_("This date is in the future. Please check the year."))
        if born.year < 1900:
            raise InvalidAnswerError(_("Please check the year of birth."))
        return born
    raise InvalidAnswerError(
        _("I could not read this date. Please write it as day.month.year, e.g. 05.03.2008.")
    )


def age_at(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_day(program: Program) -> date:
    reg = program.registration
    return (reg.age_on if reg and reg.age_on else None) or program.forum.start_date


def check_age(born: date, reg: Registration, on: date, locale: str) -> int:
    age = age_at(born, on)
    day = fmt_date(on, locale, "d MMMM y")
    if age < reg.min_age:
        raise InvalidAnswerError(
            _(
                "Sorry, participants must be at least {min_age} years old on {day}; "
                "you will be {age}."
            ).format(min_age=reg.min_age, day=day, age=age)
        )
    if age > reg.max_age:
        raise InvalidAnswerError(
            _(
                "Sorry, the youth meeting is for people up to {max_age} years old on {day}; "
                "you will be {age}."
            ).format(max_age=reg.max_age, day=day, age=age)
        )
    return age


def parse_phone(text: str, country: str | None) -> str:
    """A valid phone number in E.164; without +, read as a number of the chosen country."""
    import phonenumbers  # lazy: only the form's phone step needs it, not the bot's start

    raw = clean_text(text)
    region = country if country in ("BY", "RU") else None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidAnswerError(
            _(
                "This does not look like a valid phone number. Please write it with the "
                "country code, e.g. +375 29 123-45-67 or +7 912 345-67-89."
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_email(text: str) -> str:
    from email_validator import EmailNotValidError, validate_email  # lazy, as phonenumbers

    value = check_length(clean_text(text), EMAIL_LIMIT)
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidAnswerError(
            _("This does not look like an e-mail address. Please check it, e.g. name@example.com.")
        ) from None


def qr_png(content: str) -> bytes:
    import qrcode  # lazy: with PIL, megabytes that only a confirmed registration needs

    image = qrcode.make(content, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def country_label(code: str) -> str:
    if code == "BY":
        return _("Belarus")
    if code == "RU":
        return _("Russia")
    return _("Other country")


def status_label(status: str) -> str:
    labels = {
        "registered": _("registered"),
        "waiting": _("waiting list"),
        "cancelled": _("cancelled"),
        "checked_in": _("checked in"),
    }
    return labels.get(status, status)


def parse_number(text: str) -> int | None:
    """The id in a registration number: "YM-0042", "ym 42" or "42"."""
    match = re.fullmatch(r"\s*(?:YM[\s-]?)?0*(\d{1,9})\s*", text, re.IGNORECASE)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class Stats:
    by_status: dict[str, int]
    by_country: dict[str, int]
    by_region: list[tuple[str, int]]
    by_day: list[tuple[str, int]]  # ISO day, registrations made that day
    total: int


# ---------------------------------------------------------------------------------- exports


def export_columns(program: Program, locale: str) -> list[str]:
    reg = program.registration
    extra = [q.text.get(locale) for q in reg.extra_questions] if reg else []
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
        _("Registered at (UTC)"),
        _("Checked in at (UTC)"),
    ]


def answer_text(program: Program, question_id: str, value: object, locale: str) -> str:
    reg = program.registration
    question = next((q for q in reg.extra_questions if q.id == question_id), None) if reg else None
    if value is None:
        return ""
    if question is not None and question.kind == "yes_no":
        return _("yes") if value == "yes" else _("no")
    if question is not None and question.kind == "choice":
        option = next((o for o in question.options if o.id == value), None)
        return option.label.get(locale) if option else str(value)
    return str(value)


def export_rows(program: Program, rows: list[RegistrationRow], locale: str) -> list[list[str]]:
    reg = program.registration
    questions = reg.extra_questions if reg else ()
    table = []
    for r in rows:
        table.append(
            [
                r.number,
                status_label(r.status),
                r.full_name,
                r.birth_date,
                country_label(r.country),
                r.region,
                r.city,
                r.organization,
                r.position,
                r.phone,
                r.email,
                *(answer_text(program, q.id, r.answers.get(q.id), locale) for q in questions),
                r.guardian_name or "",
                r.guardian_phone or "",
                r.created_at,
                r.checked_in_at or "",
            ]
        )
    return table


def _safe_cell(value: str) -> str:
    """Spreadsheets run a cell starting with = as a formula; a typed one stays text."""
    return "'" + value if _FORMULA_START.match(value) else value


def to_csv(header: list[str], table: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_safe_cell(v) for v in row] for row in table])
    # The BOM makes Excel read the file as UTF-8 (Cyrillic names).
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], table: list[list[str]], title: str) -> bytes:
    from openpyxl import Workbook  # lazy: only organizers' exports need it

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in table:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.data_type = "s"  # typed text, never a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------- service


def promoted_text(number: str) -> str:
    """The news for someone let in from the waiting list, in the current locale."""
    return _(
        "🎉 Good news: a place has become free, and you are now registered for the "
        "youth meeting! Your number is <b>{number}</b>. Open /register to see your "
        "QR code for check-in."
    ).format(number=number)


class RegistrationService:
    """Places people in the meeting or on its waiting list, and promotes from the list."""

    def __init__(self, db: Database, notifier: Notifier) -> None:
        self.db = db
        self.notifier = notifier

    async def submit(
        self, user_id: int, data: RegistrationData, capacity: int
    ) -> tuple[RegistrationRow, bool]:
        """Save the form; returns the row and whether it was new (else edited)."""
        async with self.db.transaction():
            existing = await self.db.registrations.by_user(user_id)
            if existing is not None and existing.status != "cancelled":
                await self.db.registrations.update_answers(user_id, data)
                row = await self.db.registrations.by_user(user_id)
                assert row is not None
                return row, False
            full = await self.db.registrations.count_active() >= capacity
            waiting_first = await self.db.registrations.first_waiting()
            status = "waiting" if full or waiting_first is not None else "registered"
            row = await self.db.registrations.create(user_id, data, status)
        logger.info("Registration %s by %s: %s", row.number, user_id, status)
        return row, True

    async def cancel(self, user_id: int, capacity: int) -> RegistrationRow | None:
        async with self.db.transaction():
            row = await self.db.registrations.by_user(user_id)
            if row is None or row.status in ("cancelled", "checked_in"):
                return None
            await self.db.registrations.set_status(row.id, "cancelled")
        logger.info("Registration %s cancelled by its owner", row.number)
        await self.promote(capacity)
        return row

    async def promote(self, capacity: int) -> int:
        """Move people from the waiting list while there are free places; tell each of them."""
        promoted = 0
        async with self.db.transaction():
            while await self.db.registrations.count_active() < capacity:
                row = await self.db.registrations.first_waiting()
                if row is None:
                    break
                await self.db.registrations.set_status(row.id, "registered")
                await self.notifier.queue(
                    [
                        self.notifier.message(
                            row.user_id,
                            await self.db.users.get(row.user_id),
                            "registration",
                            lambda _locale, number=row.number: text_payload(promoted_text(number)),
                            ref=row.number,
                            key=f"reg-promoted:{row.id}:{row.updated_at}",
                            priority=Priority.URGENT,
                        )
                    ]
                )
                promoted += 1
        if promoted:
            logger.info("%d people promoted from the waiting list", promoted)
        return promoted

    async def stats(self, program: Program) -> Stats:
        rows = await self.db.registrations.all()
        anon = await self.db.registrations.anonymous()
        tz = program.forum.tz
        items = [
            (
                r.status,
                r.country,
                r.region,
                datetime.fromisoformat(r.created_at).astimezone(tz).date().isoformat(),
            )
            for r in rows
        ]
        items.extend(anon)
        by_status = Counter(s for s, _c, _r, _d in items)
        by_country = Counter(c for s, c, _r, _d in items if s != "cancelled")
        by_region = Counter(r for s, _c, r, _d in items if s != "cancelled")
        by_day = Counter(d for _s, _c, _r, d in items)
        return Stats(
            by_status={s: by_status.get(s, 0) for s in STATUSES},
            by_country=dict(by_country),
            by_region=by_region.most_common(10),
            by_day=sorted(by_day.items()),
            total=len(items),
        )

    async def audience(self, statuses: tuple[str, ...], country: str | None = None) -> list[int]:
        return await self.db.registrations.user_ids(statuses, country)
