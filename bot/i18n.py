"""Translations: compiled babel catalogs, the reader's locale, babel date and time formatting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.dates import format_date, format_datetime, format_interval, format_time

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
    "in_locale",
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


def fmt_date(value: date, locale: str, format: str = "d MMMM") -> str:
    return format_date(value, format=format, locale=locale)


def fmt_day(value: date, locale: str) -> str:
    """A forum day as on a button: weekday and date."""
    return format_date(value, format="EEE, d MMMM", locale=locale)


def fmt_time(value: time | datetime, locale: str) -> str:
    return format_time(value, format="HH:mm", locale=locale)


def fmt_datetime(value: datetime, locale: str) -> str:
    """A moment in its own time zone, e.g. for a scheduled announcement."""
    return format_datetime(value, format="d MMMM y, HH:mm", tzinfo=value.tzinfo, locale=locale)


def fmt_date_range(start: date, end: date, locale: str) -> str:
    return format_interval(start, end, skeleton="yMMMMd", locale=locale)
