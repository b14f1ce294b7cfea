"""Read the forum program from YAML, check it thoroughly and build the `Program`.

The file is written by hand by organizers, so every problem is collected (not just the first)
and reported with the file, the 1-based line and the path of the field, e.g.
`program.yaml:120: sessions[12].end: end 10:00 is not after start 11:00`.
Messages are English msgids marked with `N_`; the caller translates them when showing them.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.i18n_markers import N_
from bot.program.model import (
    LANGUAGES,
    CityPair,
    ExtraQuestion,
    FaqEntry,
    Format,
    Forum,
    Hall,
    Option,
    Program,
    QuestionKind,
    Registration,
    Section,
    Session,
    SessionKind,
    Speaker,
    Text,
    Venue,
)

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATETIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")

_NULL_TAG = "tag:yaml.org,2002:null"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"

MIN_YEAR, MAX_YEAR = 1950, 2100
MAX_FORUM_DAYS = 31
MAX_ANSWER_LENGTH = 4000
# A session's notice is shown on its card: a line, not an article.
MAX_NOTICE_LENGTH = 300

# libyaml's parser when PyYAML has it: the same nodes and line marks, about ten times faster
# (an edit from the bot parses the whole programme again).
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Only used to turn already-resolved int/float/bool scalars into values, YAML-1.1 style.
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ProgramError:
    file: str
    line: int | None
    field: str
    message: str  # an English msgid with {named} placeholders
    params: dict[str, str] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        text = gettext(self.message).format(**self.params)
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {text}" if self.field else f"{where}: {text}"


class ProgramInvalid(Exception):  # noqa: N818 - the name the rest of the bot already uses
    def __init__(self, errors: list[ProgramError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))


def program_checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_program(text: str, filename: str) -> Program:
    try:
        root = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        line = mark.line + 1 if mark else None
        err = ProgramError(
            filename, line, "", N_("YAML syntax error: {problem}"), {"problem": problem}
        )
        raise ProgramInvalid([err]) from exc
    except yaml.YAMLError as exc:  # e.g. a byte the reader cannot accept
        err = ProgramError(
            filename, None, "", N_("YAML syntax error: {problem}"), {"problem": str(exc)}
        )
        raise ProgramInvalid([err]) from exc
    parser = _Parser(filename)
    program = parser.program(root)
    if parser.errors or program is None:
        errors = sorted(parser.errors, key=lambda e: e.line or 0)
        raise ProgramInvalid(errors or [ProgramError(filename, None, "", N_("the file is empty"))])
    return program


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG)


class _Fields:
    """The checked keys of one YAML mapping, with typed getters that report bad values."""

    def __init__(self, parser: _Parser, node: MappingNode, path: str, values: dict[str, Node]):
        self.p = parser
        self.node = node
        self.path = path
        self.values = values

    @staticmethod
    def child(node: Node, key: str) -> Node | None:
        """The value of `key` in an already checked mapping node."""
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == key:
                    return value_node
        return None

    def get(self, key: str) -> Node | None:
        node = self.values.get(key)
        return None if _is_null(node) else node

    def where(self, key: str) -> tuple[Node, str]:
        return self.get(key) or self.node, _key(self.path, key)

    def text(self, key: str) -> Text | None:
        node = self.get(key)
        return None if node is None else self.p.text(node, _key(self.path, key))

    def string(self, key: str) -> str | None:
        node = self.get(key)
        return None if node is None else self.p.scalar(node, _key(self.path, key))

    def ident(self, key: str) -> str | None:
        node = self.get(key)
        return None if node is None else self.p.ident(node, _key(self.path, key))

    def url(self, key: str) -> str | None:
        node = self.get(key)
        return None if node is None else self.p.url(node, _key(self.path, key))

    def integer(self, key: str, low: int | None = None, high: int | None = None) -> int | None:
        node = self.get(key)
        return None if node is None else self.p.integer(node, _key(self.path, key), low, high)

    def number(self, key: str, low: float, high: float) -> float | None:
        node = self.get(key)
        return None if node is None else self.p.number(node, _key(self.path, key), low, high)

    def boolean(self, key: str) -> bool | None:
        node = self.get(key)
        return None if node is None else self.p.boolean(node, _key(self.path, key))

    def day(self, key: str) -> date | None:
        node = self.get(key)
        return None if node is None else self.p.day(node, _key(self.path, key))

    def clock(self, key: str) -> time | None:
        node = self.get(key)
        return None if node is None else self.p.clock(node, _key(self.path, key))

    def moment(self, key: str) -> datetime | None:
        node = self.get(key)
        return None if node is None else self.p.moment(node, _key(self.path, key))

    def choice(self, key: str, enum: type[T]) -> T | None:
        node = self.get(key)
        return None if node is None else self.p.choice(node, _key(self.path, key), enum)

    def items(self, key: str) -> Iterator[tuple[int, Node, str]]:
        node = self.get(key)
        return iter(()) if node is None else self.p.items(node, _key(self.path, key))

    def strings(self, key: str) -> tuple[str, ...]:
        found = (self.p.scalar(n, path) for _, n, path in self.items(key))
        return tuple(s for s in found if s)

    def refs(self, key: str, known: dict[str, int], message: str) -> tuple[str, ...]:
        """Ids pointing at other program items; unknown ones are reported."""
        result: list[str] = []
        for _, node, path in self.items(key):
            ref = self.p.ref(node, path, known, message)
            if ref is not None:
                result.append(ref)
        return tuple(result)


class _Parser:
    def __init__(self, filename: str) -> None:
        self.file = filename
        self.errors: list[ProgramError] = []
        self.lang = "ru"
        self.tz: ZoneInfo | None = None
        self.forum: Forum | None = None
        # id -> line of its definition, filled even for items that have other errors so that
        # one broken item does not cause a cascade of "unknown id" errors elsewhere
        self.ids: dict[str, dict[str, int]] = {
            k: {} for k in ("venues", "speakers", "sections", "sessions", "city_pairs", "faq")
        }
        self.halls: dict[str, set[str]] = {}
        self.section_numbers: dict[int, int] = {}

    # -- reporting ---------------------------------------------------------------------------

    def error(self, node: Node | None, path: str, message: str, **params: object) -> None:
        line = _line(node) if node is not None else None
        str_params = {k: str(v) for k, v in params.items()}
        self.errors.append(ProgramError(self.file, line, path, message, str_params))

    # -- structure ---------------------------------------------------------------------------

    def mapping(
        self,
        node: Node,
        path: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
        unknown: str | None = None,
    ) -> _Fields | None:
        """Check a mapping's keys; `unknown` replaces the "unknown field" message."""
        if not isinstance(node, MappingNode):
            self.error(node, path, N_("expected a mapping of fields (key: value)"))
            return None
        allowed = tuple(allowed)
        values: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, path, N_("a field name must be plain text"))
                continue
            key = key_node.value
            if key in values:
                self.error(
                    key_node,
                    _key(path, key),
                    N_("duplicate key {key}, first given on line {line}"),
                    key=key,
                    line=key_lines[key],
                )
                continue
            if key not in allowed:
                if unknown is not None:
                    self.error(
                        key_node, _key(path, key), unknown, key=key, allowed=", ".join(allowed)
                    )
                else:
                    self.unknown_key(key_node, path, key, allowed)
                continue
            values[key] = value_node
            key_lines[key] = _line(key_node)
        for key in required:
            if _is_null(values.get(key)):
                where = values.get(key) or node
                self.error(where, _key(path, key), N_("required field {key} is missing"), key=key)
        return _Fields(self, node, path, values)

    def unknown_key(self, node: Node, path: str, key: str, allowed: tuple[str, ...]) -> None:
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            self.error(
                node,
                _key(path, key),
                N_("unknown field {key}; did you mean {suggestion}?"),
                key=key,
                suggestion=close[0],
            )
        else:
            self.error(
                node,
                _key(path, key),
                N_("unknown field {key}; allowed fields: {allowed}"),
                key=key,
                allowed=", ".join(allowed),
            )

    def items(self, node: Node, path: str) -> Iterator[tuple[int, Node, str]]:
        if not isinstance(node, SequenceNode):
            self.error(node, path, N_("expected a list"))
            return
        for i, item in enumerate(node.value):
            yield i, item, f"{path}[{i}]"

    # -- scalars -----------------------------------------------------------------------------

    def scalar(self, node: Node, path: str) -> str | None:
        # The raw text is used on purpose: `title: 2027` or `start: 10:00` (a YAML 1.1
        # sexagesimal number!) are meant as the text the organizer typed.
        if not isinstance(node, ScalarNode):
            self.error(node, path, N_("expected a single value, not a list or mapping"))
            return None
        return node.value.strip()

    def text(self, node: Node, path: str) -> Text | None:
        if isinstance(node, MappingNode):
            unknown = N_("unknown language {key}; allowed: {allowed}")
            fields = self.mapping(node, path, LANGUAGES, unknown=unknown)
            if fields is None:
                return None
            values: dict[str, str] = {}
            for lang in LANGUAGES:
                value = fields.string(lang)
                if value:
                    values[lang] = value
            if not values:
                self.error(node, path, N_("the text is empty"))
                return None
            if self.lang not in values:
                self.error(
                    node,
                    path,
                    N_("the text has no version in the default language {lang}"),
                    lang=self.lang,
                )
            return Text(values, self.lang)
        value = self.scalar(node, path)
        if value is None:
            return None
        if not value:
            self.error(node, path, N_("the text is empty"))
            return None
        return Text({self.lang: value}, self.lang)

    def ident(self, node: Node, path: str) -> str | None:
        value = self.scalar(node, path)
        if value is None:
            return None
        if not ID_RE.match(value):
            self.error(
                node,
                path,
                N_(
                    "invalid id {value}: use 1-32 lowercase Latin letters, digits, - and _, "
                    "starting with a letter or digit"
                ),
                value=value,
            )
            return None
        return value

    def ref(self, node: Node, path: str, known: dict[str, int], message: str) -> str | None:
        value = self.scalar(node, path)
        if value is None:
            return None
        if value not in known:
            self.error(node, path, message, id=value)
            return None
        return value

    def url(self, node: Node, path: str) -> str | None:
        value = self.scalar(node, path)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
            self.error(
                node, path, N_("expected an http:// or https:// link, got {value}"), value=value
            )
            return None
        return value

    def integer(self, node: Node, path: str, low: int | None, high: int | None) -> int | None:
        if not isinstance(node, ScalarNode) or node.tag != _INT_TAG:
            self.error(node, path, N_("expected a whole number, got {value}"), value=_show(node))
            return None
        value: int = _CONSTRUCTOR.construct_yaml_int(node)
        if (low is not None and value < low) or (high is not None and value > high):
            self.range_error(node, path, value, low, high)
            return None
        return value

    def number(self, node: Node, path: str, low: float, high: float) -> float | None:
        if not isinstance(node, ScalarNode) or node.tag not in (_INT_TAG, _FLOAT_TAG):
            self.error(node, path, N_("expected a number, got {value}"), value=_show(node))
            return None
        value = float(_CONSTRUCTOR.construct_yaml_float(node))
        if not low <= value <= high:
            self.range_error(node, path, value, low, high)
            return None
        return value

    def range_error(
        self, node: Node, path: str, value: object, low: object | None, high: object | None
    ) -> None:
        if high is None:
            self.error(node, path, N_("must be at least {min}, got {value}"), min=low, value=value)
        elif low is None:
            self.error(node, path, N_("must be at most {max}, got {value}"), max=high, value=value)
        else:
            self.error(
                node,
                path,
                N_("must be between {min} and {max}, got {value}"),
                min=low,
                max=high,
                value=value,
            )

    def boolean(self, node: Node, path: str) -> bool | None:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:
            self.error(node, path, N_("expected true or false, got {value}"), value=_show(node))
            return None
        return bool(_CONSTRUCTOR.construct_yaml_bool(node))

    def day(self, node: Node, path: str) -> date | None:
        value = self.scalar(node, path)
        if value is None:
            return None
        try:
            if not _DATE_RE.match(value):
                raise ValueError(value)
            result = date.fromisoformat(value)
        except ValueError:
            self.error(node, path, N_("expected a date like 2027-06-24, got {value}"), value=value)
            return None
        if not MIN_YEAR <= result.year <= MAX_YEAR:
            self.range_error(node, path, result.year, MIN_YEAR, MAX_YEAR)
            return None
        return result

    def clock(self, node: Node, path: str) -> time | None:
        value = self.scalar(node, path)
        if value is None:
            return None
        match = _TIME_RE.match(value)
        try:
            if not match:
                raise ValueError(value)
            return time(int(match[1]), int(match[2]))
        except ValueError:
            self.error(node, path, N_("expected a time like 09:30, got {value}"), value=value)
            return None

    def moment(self, node: Node, path: str) -> datetime | None:
        """A local forum date and time, made aware with the forum's time zone."""
        value = self.scalar(node, path)
        if value is None:
            return None
        match = _DATETIME_RE.match(value)
        try:
            if not match:
                raise ValueError(value)
            day = date.fromisoformat(match[1])
            moment = time(int(match[2]), int(match[3]), int(match[4] or 0))
        except ValueError:
            self.error(
                node,
                path,
                N_("expected a date and time like 2027-05-01 09:00, got {value}"),
                value=value,
            )
            return None
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            self.range_error(node, path, day.year, MIN_YEAR, MAX_YEAR)
            return None
        return datetime.combine(day, moment, tzinfo=self.tz or ZoneInfo("UTC"))

    def choice(self, node: Node, path: str, enum: type[T]) -> T | None:
        value = self.scalar(node, path)
        if value is None:
            return None
        try:
            return enum(value)  # type: ignore[call-arg]
        except ValueError:
            allowed = ", ".join(str(m) for m in enum)  # type: ignore[attr-defined]
            self.error(
                node,
                path,
                N_("unknown value {value}; allowed: {allowed}"),
                value=value,
                allowed=allowed,
            )
            return None

    def new_id(self, fields: _Fields, kind: str, known: dict[str, int] | None = None) -> str | None:
        """The item's own id; checked for uniqueness among `kind` (or the `known` dict)."""
        item_id = fields.ident("id")
        if item_id is None:
            return None
        registry = self.ids[kind] if known is None else known
        node = fields.get("id")
        assert node is not None  # ident() returned a value
        if item_id in registry:
            self.error(
                node,
                _key(fields.path, "id"),
                N_("duplicate id {id}, already used on line {line}"),
                id=item_id,
                line=registry[item_id],
            )
            return None
        registry[item_id] = _line(node)
        return item_id

    # -- the program -------------------------------------------------------------------------

    def program(self, root: Node | None) -> Program | None:
        if root is None or _is_null(root):
            self.error(None, "", N_("the file is empty"))
            return None
        top = self.mapping(
            root,
            "",
            (
                "forum",
                "venues",
                "speakers",
                "sections",
                "sessions",
                "city_pairs",
                "faq",
                "registration",
            ),
            ("forum",),
        )
        if top is None:
            return None
        forum_node = top.get("forum")
        # Parsed in dependency order (not file order), so references can be checked at once.
        forum = self.forum_(forum_node) if forum_node is not None else None
        venues = self.list_(top, "venues", self.venue)
        speakers = self.list_(top, "speakers", self.speaker)
        sections = self.list_(top, "sections", self.section)
        sessions = self.list_(top, "sessions", self.session)
        self.check_overlaps(sessions)
        city_pairs = self.list_(top, "city_pairs", self.city_pair)
        faq = self.list_(top, "faq", self.faq_entry)
        reg_node = top.get("registration")
        registration = self.registration(reg_node) if reg_node is not None else None
        if self.errors or forum is None:
            return None
        ordered = sorted(
            (s for s, _, _ in sessions),
            key=lambda s: (s.start_at, s.venue or "", s.hall or "", s.id),
        )
        return Program(
            forum=forum,
            venues=tuple(v for v, _, _ in venues),
            speakers=tuple(s for s, _, _ in speakers),
            sections=tuple(s for s, _, _ in sections),
            sessions=tuple(ordered),
            city_pairs=tuple(c for c, _, _ in city_pairs),
            faq=tuple(f for f, _, _ in faq),
            registration=registration,
        )

    def list_(
        self, top: _Fields, key: str, parse: Callable[[Node, str], T | None]
    ) -> list[tuple[T, Node, str]]:
        """Each parsed item with its node and path, for checks that span several items."""
        result: list[tuple[T, Node, str]] = []
        for _, node, path in top.items(key):
            item = parse(node, path)
            if item is not None:
                result.append((item, node, path))
        return result

    def forum_(self, node: Node) -> Forum | None:
        allowed = (
            "title",
            "short_title",
            "city",
            "start_date",
            "end_date",
            "timezone",
            "description",
            "website",
            "contacts",
            "default_language",
        )
        f = self.mapping(
            node, "forum", allowed, ("title", "city", "start_date", "end_date", "timezone")
        )
        if f is None:
            return None
        # Read first: every text of the file depends on it.
        lang_node = f.get("default_language")
        if lang_node is not None:
            lang = self.scalar(lang_node, "forum.default_language")
            if lang in LANGUAGES:
                self.lang = lang
            elif lang is not None:
                self.error(
                    lang_node,
                    "forum.default_language",
                    N_("unknown value {value}; allowed: {allowed}"),
                    value=lang,
                    allowed=", ".join(LANGUAGES),
                )
        tz_name = f.string("timezone")
        if tz_name is not None:
            try:
                self.tz = ZoneInfo(tz_name)
            except (ZoneInfoNotFoundError, ValueError):
                tz_node, tz_path = f.where("timezone")
                self.error(tz_node, tz_path, N_("unknown time zone {value}"), value=tz_name)
        title, city = f.text("title"), f.text("city")
        short_title = f.text("short_title") or title
        start, end = f.day("start_date"), f.day("end_date")
        description, contacts = f.text("description"), f.text("contacts")
        website = f.url("website")
        if start is not None and end is not None:
            end_node, end_path = f.where("end_date")
            if end < start:
                self.error(
                    end_node,
                    end_path,
                    N_("end_date {end} is before start_date {start}"),
                    end=end,
                    start=start,
                )
            elif (end - start).days + 1 > MAX_FORUM_DAYS:
                self.error(
                    end_node,
                    end_path,
                    N_("the forum lasts {days} days; at most {max} are allowed"),
                    days=(end - start).days + 1,
                    max=MAX_FORUM_DAYS,
                )
        if None in (title, short_title, city, start, end, self.tz):
            return None
        assert title and short_title and city and start and end and tz_name
        self.forum = Forum(
            title=title,
            short_title=short_title,
            city=city,
            start_date=start,
            end_date=end,
            timezone=tz_name,
            description=description or _empty(self.lang),
            website=website or "",
            contacts=contacts or _empty(self.lang),
            default_language=self.lang,
        )
        return self.forum

    def venue(self, node: Node, path: str) -> Venue | None:
        allowed = ("id", "name", "address", "latitude", "longitude", "city", "halls")
        f = self.mapping(node, path, allowed, ("id", "name", "address", "latitude", "longitude"))
        if f is None:
            return None
        venue_id = self.new_id(f, "venues")
        name, address, city = f.text("name"), f.text("address"), f.text("city")
        lat, lon = f.number("latitude", -90, 90), f.number("longitude", -180, 180)
        halls: list[Hall] = []
        hall_ids: dict[str, int] = {}
        for _, hall_node, hall_path in f.items("halls"):
            hf = self.mapping(hall_node, hall_path, ("id", "name"), ("id", "name"))
            if hf is None:
                continue
            hall_id, hall_name = self.new_id(hf, "halls", hall_ids), hf.text("name")
            if hall_id and hall_name:
                halls.append(Hall(hall_id, hall_name))
        if venue_id:
            self.halls[venue_id] = set(hall_ids)
        if venue_id is None or name is None or address is None or lat is None or lon is None:
            return None
        return Venue(venue_id, name, address, lat, lon, city or _empty(self.lang), tuple(halls))

    def speaker(self, node: Node, path: str) -> Speaker | None:
        allowed = ("id", "name", "position", "organization", "city")
        f = self.mapping(node, path, allowed, ("id", "name"))
        if f is None:
            return None
        speaker_id, name = self.new_id(f, "speakers"), f.text("name")
        position, org, city = f.text("position"), f.text("organization"), f.text("city")
        if speaker_id is None or name is None:
            return None
        empty = _empty(self.lang)
        return Speaker(speaker_id, name, position or empty, org or empty, city or empty)

    def place(self, f: _Fields) -> tuple[str | None, str | None]:
        """The venue and hall of a section or session, both checked."""
        venue_node, hall_node = f.get("venue"), f.get("hall")
        venue = None
        if venue_node is not None:
            venue_path = _key(f.path, "venue")
            venue = self.ref(venue_node, venue_path, self.ids["venues"], N_("unknown venue {id}"))
        hall = self.scalar(hall_node, _key(f.path, "hall")) if hall_node is not None else None
        if hall_node is None or hall is None:
            return venue, None
        if venue_node is None:
            self.error(
                hall_node,
                _key(f.path, "hall"),
                N_("hall {hall} is given without a venue"),
                hall=hall,
            )
            return None, None
        if venue is not None and hall not in self.halls.get(venue, set()):
            self.error(
                hall_node,
                _key(f.path, "hall"),
                N_("unknown hall {hall} in venue {venue}"),
                hall=hall,
                venue=venue,
            )
            return venue, None
        return venue, hall

    def section(self, node: Node, path: str) -> Section | None:
        allowed = (
            "id",
            "number",
            "title",
            "description",
            "moderators",
            "venue",
            "hall",
            "format",
            "link",
            "keywords",
        )
        f = self.mapping(node, path, allowed, ("id", "number", "title"))
        if f is None:
            return None
        section_id = self.new_id(f, "sections")
        number, title = f.integer("number", 1, 999), f.text("title")
        if number is not None:
            self.unique_number(f, number)
        description = f.text("description")
        moderators = f.refs("moderators", self.ids["speakers"], N_("unknown speaker {id}"))
        venue, hall = self.place(f)
        fmt = f.choice("format", Format)
        link = f.url("link")
        keywords = f.strings("keywords")
        if section_id is None or number is None or title is None:
            return None
        return Section(
            section_id,
            number,
            title,
            description or _empty(self.lang),
            moderators,
            venue,
            hall,
            fmt or Format.IN_PERSON,
            link or "",
            keywords,
        )

    def unique_number(self, f: _Fields, number: int) -> None:
        node, path = f.where("number")
        if number in self.section_numbers:
            self.error(
                node,
                path,
                N_("section number {value} is already used on line {line}"),
                value=number,
                line=self.section_numbers[number],
            )
        else:
            self.section_numbers[number] = _line(node)

    def session(self, node: Node, path: str) -> Session | None:
        allowed = (
            "id",
            "day",
            "start",
            "end",
            "title",
            "kind",
            "section",
            "venue",
            "hall",
            "speakers",
            "moderators",
            "format",
            "stream_link",
            "description",
            "main",
            "cancelled",
            "keywords",
            "notice",
        )
        f = self.mapping(node, path, allowed, ("id", "day", "start", "end", "title"))
        if f is None:
            return None
        session_id = self.new_id(f, "sessions")
        day, start, end = f.day("day"), f.clock("start"), f.clock("end")
        title = f.text("title")
        section_node = f.get("section")
        section = (
            self.ref(
                section_node, f"{path}.section", self.ids["sections"], N_("unknown section {id}")
            )
            if section_node is not None
            else None
        )
        kind = f.choice("kind", SessionKind)
        venue, hall = self.place(f)
        speakers = f.refs("speakers", self.ids["speakers"], N_("unknown speaker {id}"))
        moderators = f.refs("moderators", self.ids["speakers"], N_("unknown speaker {id}"))
        fmt, link = f.choice("format", Format), f.url("stream_link")
        description, keywords = f.text("description"), f.strings("keywords")
        main, cancelled = f.boolean("main"), f.boolean("cancelled")
        notice = f.text("notice")
        if notice is not None and max(map(len, notice.all())) > MAX_NOTICE_LENGTH:
            notice_node, notice_path = f.where("notice")
            self.error(
                notice_node,
                notice_path,
                N_("the notice is longer than {max} characters"),
                max=MAX_NOTICE_LENGTH,
            )
            notice = None
        if start is not None and end is not None and end <= start:
            end_node, end_path = f.where("end")
            self.error(
                end_node,
                end_path,
                N_("end {end} is not after start {start}"),
                end=end.strftime("%H:%M"),
                start=start.strftime("%H:%M"),
            )
            end = None
        if day is not None and self.forum is not None:
            if not self.forum.start_date <= day <= self.forum.end_date:
                day_node, day_path = f.where("day")
                self.error(
                    day_node,
                    day_path,
                    N_("day {day} is outside the forum dates {start}..{end}"),
                    day=day,
                    start=self.forum.start_date,
                    end=self.forum.end_date,
                )
        if None in (session_id, day, start, end, title):
            return None
        assert session_id and day and start and end and title
        tz = self.tz or ZoneInfo("UTC")
        if kind is None:
            kind = SessionKind.SECTION if section else SessionKind.OTHER
        return Session(
            id=session_id,
            day=day,
            start=start,
            end=end,
            title=title,
            kind=kind,
            start_at=datetime.combine(day, start, tzinfo=tz),
            end_at=datetime.combine(day, end, tzinfo=tz),
            section=section,
            venue=venue,
            hall=hall,
            speakers=speakers,
            moderators=moderators,
            format=fmt or Format.IN_PERSON,
            stream_link=link or "",
            description=description or _empty(self.lang),
            main=bool(main),
            cancelled=bool(cancelled),
            keywords=keywords,
            notice=notice or _empty(self.lang),
        )

    def check_overlaps(self, sessions: list[tuple[Session, Node, str]]) -> None:
        """Two sessions cannot share a hall at the same time (cancelled ones free it)."""
        by_hall: dict[tuple[str, str], list[tuple[Session, Node, str]]] = {}
        for session, node, path in sessions:
            if session.venue and session.hall and not session.cancelled:
                by_hall.setdefault((session.venue, session.hall), []).append((session, node, path))
        for group in by_hall.values():
            group.sort(key=lambda item: (item[0].start_at, _line(item[1])))
            for i, (later, later_node, later_path) in enumerate(group):
                for earlier, earlier_node, _ in group[:i]:
                    if earlier.end_at > later.start_at:
                        start_node = _Fields.child(later_node, "start") or later_node
                        self.error(
                            start_node,
                            f"{later_path}.start",
                            N_("overlaps session {other} (line {line}) in the same hall"),
                            other=earlier.id,
                            line=_line(earlier_node),
                        )
                        break

    def city_pair(self, node: Node, path: str) -> CityPair | None:
        allowed = (
            "id",
            "by_city",
            "by_region",
            "ru_city",
            "ru_subject",
            "year",
            "areas",
            "aliases",
        )
        required = ("id", "by_city", "by_region", "ru_city", "ru_subject")
        f = self.mapping(node, path, allowed, required)
        if f is None:
            return None
        pair_id = self.new_id(f, "city_pairs")
        texts = [f.text(key) for key in required[1:]]
        year = f.integer("year", MIN_YEAR, MAX_YEAR)
        areas = tuple(t for _, n, p in f.items("areas") if (t := self.text(n, p)) is not None)
        aliases = f.strings("aliases")
        if pair_id is None or None in texts:
            return None
        by_city, by_region, ru_city, ru_subject = texts
        assert by_city and by_region and ru_city and ru_subject
        return CityPair(pair_id, by_city, by_region, ru_city, ru_subject, year, areas, aliases)

    def faq_entry(self, node: Node, path: str) -> FaqEntry | None:
        allowed = ("id", "question", "answer", "keywords", "sessions", "sections", "cities")
        f = self.mapping(node, path, allowed, ("id", "question", "answer"))
        if f is None:
            return None
        faq_id = self.new_id(f, "faq")
        question, answer = f.text("question"), f.text("answer")
        keywords = f.strings("keywords")
        sessions = f.refs("sessions", self.ids["sessions"], N_("unknown session {id}"))
        sections = f.refs("sections", self.ids["sections"], N_("unknown section {id}"))
        cities = f.refs("cities", self.ids["city_pairs"], N_("unknown city pair {id}"))
        if faq_id is None or question is None or answer is None:
            return None
        return FaqEntry(faq_id, question, answer, keywords, sessions, sections, cities)

    def registration(self, node: Node) -> Registration | None:
        path = "registration"
        allowed = (
            "title",
            "opens",
            "closes",
            "capacity",
            "min_age",
            "max_age",
            "adult_age",
            "consent_text",
            "guardian_consent_text",
            "age_on",
            "extra_questions",
            "known_cities",
        )
        required = ("title", "opens", "closes", "capacity", "min_age", "max_age", "consent_text")
        f = self.mapping(node, path, allowed, required)
        if f is None:
            return None
        title = f.text("title")
        opens, closes = f.moment("opens"), f.moment("closes")
        if opens is not None and closes is not None and opens >= closes:
            closes_node, closes_path = f.where("closes")
            self.error(
                closes_node,
                closes_path,
                N_("closes {closes} is not after opens {opens}"),
                closes=closes.strftime("%Y-%m-%d %H:%M"),
                opens=opens.strftime("%Y-%m-%d %H:%M"),
            )
            closes = None
        capacity = f.integer("capacity", 1, None)
        min_age, max_age = f.integer("min_age", 1, 120), f.integer("max_age", 1, 120)
        if min_age is not None and max_age is not None and min_age > max_age:
            max_node, max_path = f.where("max_age")
            self.error(
                max_node,
                max_path,
                N_("max_age {max} is less than min_age {min}"),
                max=max_age,
                min=min_age,
            )
            max_age = None
        adult_age = f.integer("adult_age", 1, 120)
        consent, guardian = f.text("consent_text"), f.text("guardian_consent_text")
        effective_adult = adult_age if adult_age is not None else 18
        if min_age is not None and min_age < effective_adult and guardian is None:
            self.error(
                node,
                f"{path}.guardian_consent_text",
                N_(
                    "guardian_consent_text is required when min_age {min} is below adult_age "
                    "{adult}"
                ),
                min=min_age,
                adult=effective_adult,
            )
        age_on = f.day("age_on")
        questions = self.questions(f)
        cities = tuple(t for _, n, p in f.items("known_cities") if (t := self.text(n, p)))
        values = (title, opens, closes, capacity, min_age, max_age, consent)
        if None in values or questions is None:
            return None
        assert title and opens and closes and capacity and min_age and max_age and consent
        return Registration(
            title=title,
            opens_at=opens,
            closes_at=closes,
            capacity=capacity,
            min_age=min_age,
            max_age=max_age,
            adult_age=effective_adult,
            consent_text=consent,
            guardian_consent_text=guardian or _empty(self.lang),
            age_on=age_on,
            extra_questions=questions,
            known_cities=cities,
        )

    def questions(self, f: _Fields) -> tuple[ExtraQuestion, ...] | None:
        result: list[ExtraQuestion] = []
        ids: dict[str, int] = {}
        broken = False
        for _, node, path in f.items("extra_questions"):
            question = self.question(node, path, ids)
            broken |= question is None
            if question is not None:
                result.append(question)
        return None if broken else tuple(result)

    def question(self, node: Node, path: str, ids: dict[str, int]) -> ExtraQuestion | None:
        allowed = ("id", "text", "kind", "required", "options", "max_length")
        f = self.mapping(node, path, allowed, ("id", "text", "kind"))
        if f is None:
            return None
        question_id = self.new_id(f, "questions", ids)
        text, kind = f.text("text"), f.choice("kind", QuestionKind)
        required = f.boolean("required")
        max_length = f.integer("max_length", 1, MAX_ANSWER_LENGTH)
        options: list[Option] = []
        option_ids: dict[str, int] = {}
        for _, option_node, option_path in f.items("options"):
            of = self.mapping(option_node, option_path, ("id", "label"), ("id", "label"))
            if of is None:
                continue
            option_id, label = self.new_id(of, "options", option_ids), of.text("label")
            if option_id and label:
                options.append(Option(option_id, label))
        options_node, options_path = f.where("options")
        given = options_node.value if isinstance(options_node, SequenceNode) else []
        if kind is QuestionKind.CHOICE and len(given) < 2:
            self.error(
                options_node, options_path, N_("a choice question needs at least two options")
            )
            return None
        if kind is not None and kind is not QuestionKind.CHOICE and f.get("options") is not None:
            self.error(
                options_node, options_path, N_("options are only allowed for choice questions")
            )
            return None
        if question_id is None or text is None or kind is None:
            return None
        return ExtraQuestion(
            question_id,
            text,
            kind,
            True if required is None else required,
            tuple(options),
            max_length or 500,
        )


def _empty(lang: str) -> Text:
    return Text({}, lang)


def _show(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return node.value
    return "a list" if isinstance(node, SequenceNode) else "a mapping"
