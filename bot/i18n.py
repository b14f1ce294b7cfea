"""Translations: compiled babel catalogs, the reader's locale, babel date and time formatting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_timezone_location

from bot.catalogs import DOMAIN, catalog_dir
from bot.i18n_markers import N_
from bot.program.model import LANGUAGES

# People whose Telegram speaks one of these most likely read Russian better than English.
READS_RUSSIAN = frozenset({"uk", "kk", "ky", "uz", "tg", "hy", "az", "tk", "ab", "os", "tt"})

__all__ = [
    "N_",
    "_",
    "__",
    "create_i18n",
    "fmt_date",
    "fmt_date_range",
    "fmt_datetime",
    "fmt_day",
    "fmt_time",
    "fmt_zone",
    "in_locale",
    "language_name",
    "locale_for",
    "ngettext",
    "translator",
]


def create_i18n(default_locale: str) -> I18n:
    return I18n(path=catalog_dir(), default_locale=default_locale, domain=DOMAIN)


@contextmanager
def in_locale(i18n: I18n, locale: str) -> Iterator[None]:
    """Translate for someone other than the sender of the current update (notices, reminders)."""
    with i18n.context(), i18n.use_locale(locale):
        yield


def translator(i18n: I18n) -> Callable[[str, str], str]:
    """`translate(msgid, language)`, for files written in several languages at once."""

    def translate(message: str, locale: str) -> str:
        return i18n.gettext(message, locale=locale)

    return translate


def language_name(code: str, title: bool = False) -> str:
    """A language's name in the reader's language, from babel's CLDR data: "белорусский" to a
    Russian reader, "Belarusian" to an English one (a sentence reads wrong with an autonym in
    it). `title`: capitalized, for a button."""
    try:
        name = Locale.parse(get_i18n().current_locale).languages.get(code) or code
    except (LookupError, ValueError):
        name = code  # no i18n context (a script) or an unknown locale: the code says enough
    return name[:1].upper() + name[1:] if title else name


def locale_for(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """The chosen language, else Telegram's, mapped onto the languages the bot speaks."""
    if chosen in LANGUAGES:
        return chosen
    code = (telegram_code or "").split("-")[0].lower()
    if code in LANGUAGES:
        return code
    if code in READS_RUSSIAN:
        return "ru"
    return "en" if code else default


def babel_locale(locale: str) -> str:
    """The babel locale for dates: English ones are British ("Fri 25 June", "24–26 June 2027")."""
    return "en_GB" if locale == "en" else locale


def fmt_date(value: date, locale: str, format: str = "d MMMM") -> str:
    return format_date(value, format=format, locale=babel_locale(locale))


def fmt_day(value: date, locale: str) -> str:
    """A forum day as on a button: weekday and date ("пт, 25 июня", "Fri 25 June")."""
    pattern = "EEE d MMMM" if locale == "en" else "EEE, d MMMM"
    return format_date(value, format=pattern, locale=babel_locale(locale))


def fmt_time(value: time | datetime, locale: str) -> str:
    return format_time(value, format="HH:mm", locale=babel_locale(locale))


def fmt_datetime(value: datetime, locale: str) -> str:
    """A moment in its own time zone, e.g. for a scheduled announcement."""
    return format_datetime(
        value, format="d MMMM y, HH:mm", tzinfo=value.tzinfo, locale=babel_locale(locale)
    )


def fmt_date_range(start: date, end: date, locale: str) -> str:
    """Dates with full month names: "24–26 июня 2027 г.", "30 June – 2 July 2027"."""
    babel = babel_locale(locale)
    last = format_date(end, format="long", locale=babel)
    if start == end:
        return last
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{last}"
    first = format_date(start, format="d MMMM" if start.year == end.year else "long", locale=babel)
    return f"{first} – {last}"


def fmt_zone(zone: str, locale: str, moment: datetime) -> str:
    """A time zone as people say it: its main city and offset ("Минск, UTC+3"), from the
    CLDR data babel carries, for any zone id."""
    tz = ZoneInfo(zone)
    city = get_timezone_location(tz, locale=babel_locale(locale), return_city=True)
    offset = moment.astimezone(tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"
    return f"{city}, {utc}"
