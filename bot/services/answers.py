"""Reading what a person typed into the registration form: names, dates, phones, e-mails.

Pure functions, no Telegram and no translations: a refused answer raises `Refusal` with an
English msgid (marked with `N_`) and its parameters; the handler shows it in the reader's
language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import cache

from bot.i18n_markers import N_
from bot.program.model import Registration

NAME_LIMIT = 100
PLACE_LIMIT = 100
ORG_LIMIT = 200
EMAIL_LIMIT = 254
MIN_BIRTH_YEAR = 1900
MAX_MARKS = 3  # combining marks on one letter; more is decoration ("Z̵̡̢a̶l̷g̸o")

# Zero-width and direction-changing characters that make a text look unlike what is stored.
_INVISIBLE = {0x200B, 0x200C, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F)}
# Characters that are letters or symbols to Unicode but show as nothing: Hangul fillers, the
# braille blank, the combining grapheme joiner, Khmer's inherent vowels, Mongolian separator.
_BLANK = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x034F, 0x17B4, 0x17B5, 0x180E}
_ZWJ = "\u200d"
_NUMERIC_DATES = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y")
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b")
_YEAR_WORDS = {"г", "года", "год", "гады", "year"}
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]+$")


class Refusal(ValueError):  # noqa: N818 - a refusal is an answer, not a failure
    """An answer the form refuses: a msgid with {named} placeholders and their values."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def clean_text(value: str, multiline: bool = False) -> str:
    """Strip control, zero-width and blank characters and extra spaces; keep any script and
    emoji (a zero-width joiner between emoji stays: 👩‍💻)."""
    out: list[str] = []
    for i, ch in enumerate(value):
        if ch == "\n" and multiline:
            out.append(ch)
            continue
        if ch == _ZWJ:
            prev = value[i - 1] if i else ""
            if prev and unicodedata.category(prev) in ("So", "Sk", "Mn"):
                out.append(ch)
            continue
        category = unicodedata.category(ch)
        if ord(ch) in _BLANK:
            out.append(" ")
            continue
        if ord(ch) in _INVISIBLE or category in ("Cc", "Cf", "Co", "Cs"):
            out.append(" " if category == "Cc" else "")
            continue
        out.append(ch)
    text = unicodedata.normalize("NFC", "".join(out))
    if multiline:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(text.split())


def visible_letters(value: str) -> int:
    """How many letters a person would see (after `clean_text`)."""
    return sum(1 for ch in value if unicodedata.category(ch).startswith("L"))


def _decorated(value: str) -> bool:
    marks = 0
    for ch in value:
        marks = marks + 1 if unicodedata.combining(ch) else 0
        if marks > MAX_MARKS:
            return True
    return False


def check_length(value: str, limit: int) -> str:
    if len(value) > limit:
        raise Refusal(
            N_("This is too long: at most {limit} characters, yours has {count}."),
            limit=limit,
            count=len(value),
        )
    return value


def parse_name(text: str, limit: int = NAME_LIMIT) -> str:
    name = check_length(clean_text(text), limit)
    if visible_letters(name) < 2 or _decorated(name):
        raise Refusal(N_("Please write the full name with letters, e.g. Anna Ivanova."))
    return name


def parse_place(text: str, limit: int = PLACE_LIMIT) -> str:
    value = check_length(clean_text(text), limit)
    if not (visible_letters(value) or any(ch.isdigit() for ch in value)) or _decorated(value):
        raise Refusal(N_("Please write it with letters or digits."))
    return value


def parse_free_text(text: str, limit: int) -> str:
    value = check_length(clean_text(text, multiline=True), limit)
    if not value:
        raise Refusal(N_("The answer is empty. Please write a few words."))
    return value


# ---------------------------------------------------------------------------------- dates


def _month_key(word: str) -> str:
    return word.casefold().replace("ё", "е").rstrip(".")


@cache
def _months() -> tuple[dict[str, int], dict[str, int]]:
    """Month names of the bot's languages from babel: exact forms, and full names for
    prefixes ("сент", "Sept")."""
    from babel.dates import get_month_names  # lazy: only a typed birth date needs the tables

    exact: dict[str, int] = {}
    full: dict[str, int] = {}
    for locale in ("ru", "be", "en"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, locale).items():
                    exact[_month_key(name)] = month
                    if width == "wide":
                        full[_month_key(name)] = month
    return exact, full


def month_number(word: str) -> int | None:
    """1-12 for a month's name in Russian, Belarusian or English, in any case or form."""
    key = _month_key(word)
    exact, full = _months()
    if key in exact:
        return exact[key]
    if len(key) >= 3:
        found = {month for name, month in full.items() if name.startswith(key)}
        if len(found) == 1:
            return found.pop()
    return None


def _worded_date(value: str) -> date | None:
    """ "14 марта 2010", "14 сакавіка 2010 г.", "March 14, 2010", "14th of March 2010"."""
    text = _ORDINAL.sub("", value.casefold())
    words = [w for w in re.split(r"[\s,]+", text.replace(" of ", " ")) if w]
    words = [w for w in words if w.rstrip(".") not in _YEAR_WORDS]
    if len(words) != 3:
        return None
    if words[0].isdigit():
        day, month, year = words[0], month_number(words[1]), words[2]
    elif words[1].isdigit():
        day, month, year = words[1], month_number(words[0]), words[2]
    else:
        return None
    if month is None or not (day.isdigit() and year.isdigit() and len(year) == 4):
        return None
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


def parse_birth_date(text: str, today: date) -> date:
    value = clean_text(text)
    born: date | None = None
    for fmt in _NUMERIC_DATES:
        try:
            born = datetime.strptime(value, fmt).date()
            break
        except ValueError:
            continue
    if born is None:
        born = _worded_date(value)
    if born is None:
        raise Refusal(
            N_(
                "I could not read this date. Please write it as day.month.year, e.g. "
                "05.03.2008, or in words, e.g. 5 March 2008."
            )
        )
    if born > today:
        raise Refusal(N_("This date is in the future. Please check the year."))
    if born.year < MIN_BIRTH_YEAR:
        raise Refusal(N_("Please check the year of birth."))
    return born


def age_at(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_age(born: date, reg: Registration, on: date) -> int:
    age = age_at(born, on)
    if age < reg.min_age:
        raise Refusal(
            N_(
                "Sorry, participants must be at least {min_age} years old on {day}; "
                "you will be {age}."
            ),
            min_age=reg.min_age,
            day=on,
            age=age,
        )
    if age > reg.max_age:
        raise Refusal(
            N_(
                "Sorry, the youth meeting is for people up to {max_age} years old on {day}; "
                "you will be {age}."
            ),
            max_age=reg.max_age,
            day=on,
            age=age,
        )
    return age


# ---------------------------------------------------------------------------------- phones


def parse_phone(text: str, country: str | None) -> str:
    """A valid phone number in E.164; without +, read as a number of the chosen country.

    Letters are refused: phone libraries turn them into keypad digits, a number the person
    does not have."""
    import phonenumbers  # lazy: only the form's phone step needs it, not the bot's start

    raw = clean_text(text)
    if any(ch.isalpha() for ch in raw):
        raise Refusal(
            N_(
                "A phone number has no letters. Please write it with digits and the country "
                "code, e.g. +375 29 123-45-67."
            )
        )
    if not _PHONE_CHARS.match(raw):
        raise _invalid_phone()
    region = country if country in ("BY", "RU") else None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise _invalid_phone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_phone(number: str) -> str:
    """A number from a shared Telegram contact: always international, even without "+"."""
    digits = clean_text(number).replace(" ", "")
    if digits and not digits.startswith("+"):
        digits = "+" + digits
    return parse_phone(digits, None)


def _invalid_phone() -> Refusal:
    return Refusal(
        N_(
            "This does not look like a valid phone number. Please write it with the "
            "country code, e.g. +375 29 123-45-67 or +7 912 345-67-89."
        )
    )


def phone_display(e164: str) -> str:
    """+375291234567 as +375 29 123-45-67: readable, and never a number to a spreadsheet."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_email(text: str) -> str:
    from email_validator import EmailNotValidError, validate_email  # lazy, as phonenumbers

    value = check_length(clean_text(text), EMAIL_LIMIT)
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise Refusal(
            N_("This does not look like an e-mail address. Please check it, e.g. name@example.com.")
        ) from None
