"""The workbook's layout, shared by its writer and its reader: sheets, columns, list cells.

One sheet per part of the program, one row per item, one column per field of the program file
and, for texts, per language (`title_ru`, `title_be`, `title_en`). Halls and the options of
registration questions have their own sheets, with a column naming their venue or question.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n_markers import N_
from bot.program.model import LANGUAGES, Format, QuestionKind, SessionKind

MAX_ROWS = 5000  # per sheet: far above a real forum, far below what would exhaust memory
MAX_COLUMNS = 60
YES, NO = "yes", "no"
YES_WORDS = frozenset({"yes", "y", "true", "1", "да", "так", "+", "x", "✓"})
NO_WORDS = frozenset({"no", "n", "false", "0", "нет", "не"})


class Kind(StrEnum):
    """What a column holds, and so how its cells are written and read."""

    TEXT = "text"  # one column per language
    TEXTS = "texts"  # a list of texts: one column per language, items in the same order
    STR = "str"
    STRS = "strs"  # a list in one cell
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the field of the program file
    kind: Kind = Kind.STR
    required: bool = False  # the column must be there (the loader checks the cells)
    choices: tuple[str, ...] = ()  # a fixed set of values: a drop-down list
    ref: str = ""  # the sheet whose ids the cells name: a drop-down of that sheet's ids
    width: int = 0

    @property
    def localized(self) -> bool:
        return self.kind in (Kind.TEXT, Kind.TEXTS)

    def headers(self) -> tuple[str, ...]:
        if self.localized:
            return tuple(f"{self.key}_{lang}" for lang in LANGUAGES)
        return (self.key,)

    def header_for(self, lang: str) -> str:
        """The column that errors about this field point at: the default language's one."""
        return f"{self.key}_{lang}" if self.localized else self.key

    @property
    def shown_width(self) -> int:
        if self.width:
            return self.width
        return {
            Kind.TEXT: 32,
            Kind.TEXTS: 28,
            Kind.STRS: 24,
            Kind.DATE: 12,
            Kind.TIME: 8,
            Kind.DATETIME: 17,
            Kind.BOOL: 9,
            Kind.INT: 9,
            Kind.FLOAT: 11,
        }.get(self.kind, 14)


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    part: str  # the program file's key: forum, venues, ...; halls and options are nested
    columns: tuple[Column, ...]
    single: bool = False  # one row only: forum, registration
    parent: str = ""  # halls: "venue", options: "question" (the column naming the parent)
    optional: bool = False  # workbooks made before the sheet existed may lack it

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def headers(self) -> tuple[str, ...]:
        return tuple(h for c in self.columns for h in c.headers())


def _id() -> Column:
    return Column("id", required=True, width=16)


def _choice(key: str, values: type[StrEnum] | tuple[str, ...], required: bool = False) -> Column:
    options = tuple(str(v) for v in values)
    return Column(key, Kind.STR, required, choices=options, width=max(12, len(max(options)) + 2))


BOOL_CHOICES = (YES, NO)


def _yes_no(key: str) -> Column:
    return Column(key, Kind.BOOL, choices=BOOL_CHOICES)


FORUM = Sheet(
    "Forum",
    "forum",
    (
        Column("title", Kind.TEXT, True),
        Column("short_title", Kind.TEXT),
        Column("city", Kind.TEXT, True),
        Column("start_date", Kind.DATE, True),
        Column("end_date", Kind.DATE, True),
        Column("timezone", required=True, width=16),
        _choice("default_language", LANGUAGES),
        Column("description", Kind.TEXT),
        Column("website", width=24),
        Column("contacts", Kind.TEXT),
    ),
    single=True,
)
VENUES = Sheet(
    "Venues",
    "venues",
    (
        _id(),
        Column("name", Kind.TEXT, True),
        Column("address", Kind.TEXT, True),
        Column("latitude", Kind.FLOAT, True),
        Column("longitude", Kind.FLOAT, True),
        Column("city", Kind.TEXT),
    ),
)
HALLS = Sheet(
    "Halls",
    "halls",
    (
        Column("venue", required=True, ref="Venues", width=16),
        Column("id", width=16),
        Column("name", Kind.TEXT, True),
    ),
    parent="venue",
)
SPEAKERS = Sheet(
    "Speakers",
    "speakers",
    (
        _id(),
        Column("name", Kind.TEXT, True),
        Column("position", Kind.TEXT),
        Column("organization", Kind.TEXT),
        Column("city", Kind.TEXT),
    ),
)
SECTIONS = Sheet(
    "Sections",
    "sections",
    (
        _id(),
        Column("number", Kind.INT),
        Column("title", Kind.TEXT, True),
        Column("description", Kind.TEXT),
        Column("moderators", Kind.STRS),
        Column("venue", ref="Venues", width=16),
        Column("hall", ref="Halls", width=16),
        _choice("format", Format),
        Column("link", width=24),
        Column("keywords", Kind.STRS),
    ),
)
SESSIONS = Sheet(
    "Sessions",
    "sessions",
    (
        _id(),
        Column("day", Kind.DATE, True),
        Column("start", Kind.TIME, True),
        Column("end", Kind.TIME, True),
        Column("title", Kind.TEXT, True),
        _choice("kind", SessionKind),
        Column("section", ref="Sections", width=16),
        Column("venue", ref="Venues", width=16),
        Column("hall", ref="Halls", width=16),
        Column("speakers", Kind.STRS),
        Column("moderators", Kind.STRS),
        _choice("format", Format),
        Column("stream_link", width=24),
        Column("description", Kind.TEXT),
        Column("notice", Kind.TEXT),
        _yes_no("main"),
        _yes_no("cancelled"),
        Column("keywords", Kind.STRS),
    ),
)
CITIES = Sheet(
    "Cities",
    "city_pairs",
    (
        _id(),
        Column("by_city", Kind.TEXT, True),
        Column("by_region", Kind.TEXT, True),
        Column("ru_city", Kind.TEXT, True),
        Column("ru_subject", Kind.TEXT, True),
        Column("year", Kind.INT),
        Column("areas", Kind.TEXTS),
        Column("aliases", Kind.STRS),
    ),
)
FAQ = Sheet(
    "FAQ",
    "faq",
    (
        _id(),
        Column("question", Kind.TEXT, True),
        Column("answer", Kind.TEXT, True, width=48),
        Column("keywords", Kind.STRS),
        Column("sessions", Kind.STRS),
        Column("sections", Kind.STRS),
        Column("cities", Kind.STRS),
    ),
)
REGISTRATION = Sheet(
    "Registration",
    "registration",
    (
        Column("title", Kind.TEXT, True),
        Column("opens", Kind.DATETIME, True),
        Column("closes", Kind.DATETIME, True),
        Column("capacity", Kind.INT, True),
        Column("min_age", Kind.INT, True),
        Column("max_age", Kind.INT, True),
        Column("adult_age", Kind.INT),
        Column("consent_text", Kind.TEXT, True),
        Column("guardian_consent_text", Kind.TEXT),
        Column("age_on", Kind.DATE),
        Column("known_cities", Kind.TEXTS),
    ),
    single=True,
)
QUESTIONS = Sheet(
    "Questions",
    "extra_questions",
    (
        _id(),
        Column("text", Kind.TEXT, True),
        _choice("kind", QuestionKind, required=True),
        _yes_no("required"),
        Column("max_length", Kind.INT),
    ),
)
OPTIONS = Sheet(
    "Options",
    "options",
    (
        Column("question", required=True, ref="Questions", width=16),
        _id(),
        Column("label", Kind.TEXT, True),
    ),
    parent="question",
)
DELEGATIONS = Sheet(
    "Delegations",
    "delegations",
    (_id(), Column("city", required=True, width=18)),
    optional=True,
)
MEMBERS = Sheet(
    "Members",
    "members",
    (
        Column("delegation", required=True, ref="Delegations", width=16),
        Column("id", width=16),
        Column("name", Kind.TEXT, True),
        Column("position", Kind.TEXT),
        _yes_no("head"),
    ),
    parent="delegation",
    optional=True,
)
AGREEMENTS = Sheet(
    "Agreements",
    "agreements",
    (
        _id(),
        Column("parties", Kind.TEXTS, True),
        Column("title", Kind.TEXT, True),
        Column("area", Kind.TEXT),
        Column("date", Kind.DATE),
        _yes_no("at_forum"),
    ),
    optional=True,
)
MATERIALS = Sheet(
    "Materials",
    "materials",
    (
        Column("session", ref="Sessions", width=16),
        Column("section", ref="Sections", width=16),
        Column("title", Kind.TEXT, True),
        Column("url", required=True, width=32),
    ),
    optional=True,
)
SURVEY = Sheet(
    "Survey",
    "survey",
    (
        _id(),
        Column("text", Kind.TEXT, True),
        _choice("kind", QuestionKind, required=True),
        _yes_no("required"),
        Column("options", Kind.TEXTS),
        Column("max_length", Kind.INT),
    ),
    optional=True,
)

SHEETS: tuple[Sheet, ...] = (
    FORUM,
    VENUES,
    HALLS,
    SPEAKERS,
    SECTIONS,
    SESSIONS,
    CITIES,
    FAQ,
    REGISTRATION,
    QUESTIONS,
    OPTIONS,
    DELEGATIONS,
    MEMBERS,
    AGREEMENTS,
    MATERIALS,
    SURVEY,
)
INSTRUCTIONS_SHEET = "Instructions"

# The instructions sheet: one paragraph per row, in each language side by side.
INSTRUCTIONS: tuple[str, ...] = (
    N_("How to fill in this workbook"),
    N_(
        "Each sheet is one part of the forum programme: Forum (one row), Venues, Halls, "
        "Speakers, Sections, Sessions, Cities (partner-city pairs), FAQ, Registration (one row: "
        "the youth meeting's form; leave it empty if there is none), Questions and Options (the "
        "form's extra questions and their answers). One row is one item. Keep the sheets and "
        "the first row with the column names as they are; columns you do not need may be "
        "left empty."
    ),
    N_(
        "Delegations and Members: the cities' delegations (city: a city of the Cities sheet), "
        "one row per member, head: yes for the head of the delegation. Agreements: parties are "
        "the cities or regions, one per line; at_forum: yes if signed at this forum."
    ),
    N_(
        "Texts have one column per language: title_ru, title_be, title_en. The default "
        "language (Russian unless the Forum sheet says otherwise) must be filled in; a missing "
        "translation shows the default language."
    ),
    N_(
        "An id is a short name of lowercase Latin letters, digits, - and _ (plenary, s1-industry). "
        "Other sheets refer to items by their ids; the venue, hall and section columns offer a "
        "list. A hall may be left without an id: then sessions name it by its name."
    ),
    N_(
        "Dates and times are ordinary cells in the forum's local time: 2027-06-24, 10:00, "
        "2027-05-01 09:00. Lists (speakers, keywords, related sessions...) are separated by ; "
        "or written one per line. Yes/no columns take yes or no."
    ),
    N_(
        "A session of a section takes the section's venue, hall, format, stream link and "
        "moderators when its own cells are empty; write - in a cell to say “none” instead."
    ),
    N_(
        "Speakers and moderators: the id of a person on the Speakers sheet, or simply the "
        "person's name (with a capital letter), for people who need no entry of their own."
    ),
    N_(
        "Formulas are not calculated by the bot: it reads the value that Excel or LibreOffice "
        "saved with the file. Check the file with “forum-bot check FILE.xlsx” or send it to the "
        "bot: every error names its cell, for example Sessions!D5."
    ),
    N_(
        "Materials: links (presentations, recordings, documents) for a session or a section: "
        "fill in the session or the section column, not both. Survey: the short survey "
        "people are asked at the end of the forum; a choice question lists its options in one "
        "cell per language, separated by ;."
    ),
    N_("Session kinds (the kind column):"),
)


def join_list(items: list[str]) -> str:
    """A list in one cell: `a; b`, or one item per line when an item holds a `;`."""
    return ("\n" if any(";" in item for item in items) else "; ").join(items)


def split_list(text: str) -> list[str]:
    """The items of a list cell, positions kept (empty items included): see join_list."""
    parts = text.split("\n") if "\n" in text else text.split(";")
    return [part.strip() for part in parts]
