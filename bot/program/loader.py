"""Read the forum program from YAML, check it thoroughly and build the `Program`.

The file is written by hand by organizers, so every problem is collected (not just the first)
and reported with the file, the 1-based line and the path of the field, e.g.
`program.yaml:120: sessions[12].end: end 10:00 is not after start 11:00`.
Messages are English msgids marked with `N_`; the caller translates them when showing them.

The same checks read a workbook (bot/program/workbook.py): its reader builds the node tree that
YAML would give, with marks that name cells, so errors read `Sessions!D5: end: ...`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
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
    EMPTY_TEXT,
    LANGUAGES,
    Agreement,
    City,
    CityPair,
    Delegation,
    ExtraQuestion,
    FaqEntry,
    Format,
    Forum,
    Hall,
    Member,
    Option,
    Program,
    ProgramMaterial,
    QuestionKind,
    Registration,
    Section,
    Session,
    SessionKind,
    Speaker,
    Text,
    Venue,
    find_city,
    find_halls,
    forum_cities,
)
from bot.program.places import BUILTIN, normalize

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATETIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")

_NULL_TAG = "tag:yaml.org,2002:null"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"

# Other spellings of fixed values; spaces and hyphens count as underscores ("round table").
CHOICE_ALIASES = {"signing_ceremony": "signing", "roundtable": "round_table"}

# Hall ids made from Russian and Belarusian names (letters not listed are dropped or decomposed).
_TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэіў", "abvgdeziyklmnoprstufyeiu", strict=True)),
        "ё": "e",
        "ж": "zh",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ю": "yu",
        "я": "ya",
        "ъ": "",
        "ь": "",
    }
)

# Written in a session's venue, hall, stream_link or moderators: none, and not the section's.
NONE_MARKS = frozenset({"-", "–", "—"})
NONE_MARK = "-"
_NO: frozenset[str] = frozenset()

MIN_YEAR, MAX_YEAR = 1950, 2100
MAX_FORUM_DAYS = 31
MAX_ANSWER_LENGTH = 4000
MAX_SURVEY_OPTIONS = 10

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
    cell: str = ""  # in a workbook: `Sessions!D5`, shown instead of the file and line

    def render(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        text = gettext(self.message).format(**self.params)
        if self.cell:
            where = self.cell
        else:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {text}" if self.field else f"{where}: {text}"


class ProgramInvalid(Exception):  # noqa: N818 - the name the rest of the bot already uses
    def __init__(self, errors: list[ProgramError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))


def compose(text: str) -> Node | None:
    """The YAML node tree, by libyaml where PyYAML has it (a program parses 10-15 times
    faster, which the bot's start and every live edit wait for); a file libyaml refuses is read
    again by the pure-Python loader, whose messages say where and what, as they always have."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)  # type: ignore[no-any-return]
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)  # type: ignore[no-any-return]


def parse_program(text: str, filename: str) -> Program:
    try:
        root = compose(text)
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
    return program_from_node(root, filename)


def program_from_node(
    root: Node | None,
    filename: str,
    order: Callable[[ProgramError], object] = lambda e: e.line or 0,
) -> Program:
    """Check a node tree (from YAML, or built by the workbook reader) and build the Program.

    Nodes whose `start_mark` has `cell` and `locate(path) -> (cell, field)` (see workbook.py)
    have their errors reported by cell; `order` sorts the errors for reading.
    """
    parser = _Parser(filename)
    program = parser.program(root)
    if parser.errors or program is None:
        errors = sorted(parser.errors, key=order)
        raise ProgramInvalid(errors or [ProgramError(filename, None, "", N_("the file is empty"))])
    return program


def slug(name: str) -> str:
    """An id made from a name: `Малый зал` -> `malyy-zal`."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_TRANSLIT)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")
    return text[:32].rstrip("-") or "hall"


def free_id(wanted: str, taken: Iterable[str]) -> str:
    """`wanted`, or `wanted-2`, `-3`... if it is taken."""
    used = set(taken)
    found, n = wanted, 1
    while found in used:
        n += 1
        suffix = f"-{n}"
        found = wanted[: 32 - len(suffix)].rstrip("-") + suffix
    return found


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _where(node: Node) -> str:
    """Where an item is, for "already used on line N" (YAML) or "in Sessions!A5" (workbook)."""
    return getattr(node.start_mark, "cell", None) or str(_line(node))


def _in_cells(node: Node) -> bool:
    return hasattr(node.start_mark, "cell")


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

    def none(self, key: str) -> bool:
        """The value is "-": explicitly none (a session then takes nothing from its section)."""
        node = self.get(key)
        return isinstance(node, ScalarNode) and node.value.strip() in NONE_MARKS

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

    def refs(self, key: str, known: dict[str, str], message: str) -> tuple[str, ...]:
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
        self.ids: dict[str, dict[str, str]] = {
            k: {}
            for k in (
                "venues",
                "speakers",
                "sections",
                "sessions",
                "city_pairs",
                "faq",
                "delegations",
                "agreements",
            )
        }
        self.halls: dict[str, tuple[Hall, ...]] = {}  # by venue id
        self.pairs: tuple[CityPair, ...] = ()
        self.sections: dict[str, Section] = {}
        self.section_numbers: dict[int, str] = {}

    # -- reporting ---------------------------------------------------------------------------

    def error(self, node: Node | None, path: str, message: str, **params: object) -> None:
        str_params = {k: str(v) for k, v in params.items()}
        locate = getattr(node.start_mark, "locate", None) if node is not None else None
        if locate is not None:  # a workbook cell: `Sessions!D5` and its column
            cell, column = locate(path)
            self.errors.append(ProgramError(self.file, None, column, message, str_params, cell))
            return
        line = _line(node) if node is not None else None
        self.errors.append(ProgramError(self.file, line, path, message, str_params))

    def again(
        self, node: Node, path: str, messages: tuple[str, str], first: str, **params: object
    ) -> None:
        """An error that names where the same value was first given: a line, or a cell."""
        if _in_cells(node):
            self.error(node, path, messages[1], cell=first, **params)
        else:
            self.error(node, path, messages[0], line=first, **params)

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

    def ref(self, node: Node, path: str, known: dict[str, str], message: str) -> str | None:
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
        code = re.sub(r"[\s-]+", "_", value.lower())
        try:
            return enum(CHOICE_ALIASES.get(code, code))  # type: ignore[call-arg]
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

    def new_id(self, fields: _Fields, kind: str, known: dict[str, str] | None = None) -> str | None:
        """The item's own id; checked for uniqueness among `kind` (or the `known` dict)."""
        item_id = fields.ident("id")
        if item_id is None:
            return None
        registry = self.ids[kind] if known is None else known
        node = fields.get("id")
        assert node is not None  # ident() returned a value
        if item_id in registry:
            messages = (
                N_("duplicate id {id}, already used on line {line}"),
                N_("duplicate id {id}, already used in {cell}"),
            )
            self.again(node, _key(fields.path, "id"), messages, registry[item_id], id=item_id)
            return None
        registry[item_id] = _where(node)
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
                "delegations",
                "agreements",
                "materials",
                "survey",
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
        pairs = tuple(c for c, _, _ in city_pairs)
        registration = self.registration(reg_node, pairs) if reg_node is not None else None
        self.pairs = pairs
        delegations = self.list_(top, "delegations", self.delegation)
        agreements = self.list_(top, "agreements", self.agreement)
        materials = self.list_(top, "materials", self.material)
        survey_ids: dict[str, str] = {}
        survey = self.list_(
            top, "survey", lambda node, path: self.survey_question(node, path, survey_ids)
        )
        if self.errors or forum is None:
            return None
        return Program(
            forum=forum,
            venues=tuple(v for v, _, _ in venues),
            speakers=tuple(s for s, _, _ in speakers),
            sections=tuple(s for s, _, _ in sections),
            sessions=tuple(s for s, _, _ in sessions),
            city_pairs=tuple(c for c, _, _ in city_pairs),
            faq=tuple(f for f, _, _ in faq),
            registration=registration,
            delegations=tuple(d for d, _, _ in delegations),
            agreements=tuple(a for a, _, _ in agreements),
            materials=tuple(m for m, _, _ in materials),
            survey=tuple(q for q, _, _ in survey),
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
        halls = self.halls_of(f)
        if venue_id:
            self.halls[venue_id] = halls
        if venue_id is None or name is None or address is None or lat is None or lon is None:
            return None
        return Venue(venue_id, name, address, lat, lon, city or _empty(self.lang), halls)

    def halls_of(self, f: _Fields) -> tuple[Hall, ...]:
        """A venue's halls: `{id, name}`, or a name alone (then the id is made from it)."""
        given: list[tuple[str | None, Text]] = []
        ids: dict[str, str] = {}
        for _, node, path in f.items("halls"):
            if not isinstance(node, MappingNode):
                name = self.text(node, path)
                if name is not None:
                    given.append((None, name))
                continue
            hf = self.mapping(node, path, ("id", "name"), ("name",))
            if hf is None:
                continue
            hall_id = self.new_id(hf, "halls", ids) if hf.get("id") is not None else None
            name = hf.text("name")
            if name is not None and (hall_id is not None or hf.get("id") is None):
                given.append((hall_id, name))
        # Ids made from names come after the given ones, so that they never take a given id.
        halls = []
        for hall_id, name in given:
            if hall_id is None:
                made = free_id(slug(name.get()), ids)
                ids[made] = ""
                halls.append(Hall(made, name, auto_id=True))
            else:
                halls.append(Hall(hall_id, name))
        return tuple(halls)

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

    def people(self, f: _Fields, key: str) -> tuple[str, ...]:
        """Speaker ids, or plain names of people without a speaker entry.

        A value that looks like an id (lowercase Latin, digits, - and _) but names no speaker
        is a typo, not a name: real names have a capital letter or a space.
        """
        found: list[str] = []
        if f.none(key):
            return ()
        for _, node, path in f.items(key):
            value = self.scalar(node, path)
            if not value:
                continue
            if value not in self.ids["speakers"] and ID_RE.match(value):
                self.error(
                    node,
                    path,
                    N_(
                        "unknown speaker {id}; a name given instead of a speaker id must have "
                        "a capital letter or a space"
                    ),
                    id=value,
                )
                continue
            found.append(value)
        return tuple(found)

    def place(
        self, f: _Fields, section: Section | None = None
    ) -> tuple[str | None, str | None, frozenset[str]]:
        """The venue and hall of a section or session, both checked, and what was inherited.

        A hall is given by id or by name. Without a venue it is looked for in the section's
        venue, then in all venues; a session that gives neither takes its section's place.
        """
        venue_node, hall_node = f.get("venue"), f.get("hall")
        hall_path = _key(f.path, "hall")
        if f.none("venue"):  # away from the venues: no hall either
            if hall_node is not None and not f.none("hall"):
                self.error(
                    hall_node,
                    hall_path,
                    N_("hall {hall} is given without a venue"),
                    hall=self.scalar(hall_node, hall_path),
                )
            return None, None, _NO
        if f.none("hall"):  # the venue (given or the section's), no hall in it
            if venue_node is not None:
                venue_path = _key(f.path, "venue")
                known = self.ids["venues"]
                return self.ref(venue_node, venue_path, known, N_("unknown venue {id}")), None, _NO
            if section is None or section.venue is None:
                return None, None, _NO
            return section.venue, None, frozenset({"venue"})
        if venue_node is None and hall_node is None:
            if section is None:
                return None, None, _NO
            taken = frozenset(k for k in ("venue", "hall") if getattr(section, k))
            return section.venue, section.hall, taken
        venue = None
        if venue_node is not None:
            venue_path = _key(f.path, "venue")
            venue = self.ref(venue_node, venue_path, self.ids["venues"], N_("unknown venue {id}"))
        hall = self.scalar(hall_node, hall_path) if hall_node is not None else None
        if hall_node is None or hall is None:
            return venue, None, _NO
        if venue_node is not None:
            return venue, self.hall_in(venue, hall, hall_node, hall_path), _NO
        return self.hall_anywhere(hall, hall_node, hall_path, section)

    def hall_in(self, venue: str | None, hall: str, node: Node, path: str) -> str | None:
        """The id of the hall `hall` (an id or a name) of a known venue."""
        if venue is None or venue not in self.halls:
            return None
        found = find_halls(self.halls[venue], hall)
        if len(found) == 1:
            return found[0].id
        if found:
            self.error(node, path, N_("several halls are named {hall}"), hall=hall)
        else:
            self.error(
                node, path, N_("unknown hall {hall} in venue {venue}"), hall=hall, venue=venue
            )
        return None

    def hall_anywhere(
        self, hall: str, hall_node: Node, hall_path: str, section: Section | None
    ) -> tuple[str | None, str | None, frozenset[str]]:
        """A hall given without a venue: in the section's venue, else in the only venue with it."""
        if section is not None and section.venue in self.halls:
            found = find_halls(self.halls[section.venue], hall)
            if len(found) == 1:
                return section.venue, found[0].id, frozenset({"venue"})
        matches = [(v, h) for v, halls in self.halls.items() for h in find_halls(halls, hall)]
        if len(matches) == 1:
            return matches[0][0], matches[0][1].id, _NO
        if matches:
            message = N_("there are halls named {hall} in several venues; give the venue too")
        else:
            message = N_("hall {hall} is given without a venue, and no venue has such a hall")
        self.error(hall_node, hall_path, message, hall=hall)
        return None, None, _NO

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
        f = self.mapping(node, path, allowed, ("id", "title"))
        if f is None:
            return None
        section_id = self.new_id(f, "sections")
        number, title = f.integer("number", 1, 999), f.text("title")
        if number is not None:
            self.unique_number(f, number)
        description = f.text("description")
        moderators = self.people(f, "moderators")
        venue, hall, _ = self.place(f)
        fmt = f.choice("format", Format)
        link = f.url("link")
        keywords = f.strings("keywords")
        if section_id is None or title is None or (number is None and f.get("number")):
            return None
        section = Section(
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
        self.sections[section_id] = section
        return section

    def unique_number(self, f: _Fields, number: int) -> None:
        node, path = f.where("number")
        if number in self.section_numbers:
            messages = (
                N_("section number {value} is already used on line {line}"),
                N_("section number {value} is already used in {cell}"),
            )
            self.again(node, path, messages, self.section_numbers[number], value=number)
        else:
            self.section_numbers[number] = _where(node)

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
            "notice",
            "main",
            "cancelled",
            "keywords",
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
        parent = self.sections.get(section or "")
        venue, hall, inherited = self.place(f, parent)
        speakers, moderators = self.people(f, "speakers"), self.people(f, "moderators")
        fmt = f.choice("format", Format)
        link = None if f.none("stream_link") else f.url("stream_link")
        description, keywords = f.text("description"), f.strings("keywords")
        notice = f.text("notice")
        main, cancelled = f.boolean("main"), f.boolean("cancelled")
        if parent is not None:
            fmt, link, moderators, inherited = self.inherit(
                f, parent, (fmt, link, moderators), inherited
            )
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
            inherited=inherited,
        )

    def inherit(
        self,
        f: _Fields,
        parent: Section,
        own: tuple[Format | None, str | None, tuple[str, ...]],
        inherited: frozenset[str],
    ) -> tuple[Format | None, str | None, tuple[str, ...], frozenset[str]]:
        """A session's format, stream link and moderators: its own, else its section's.

        What came from the section is named in `Session.inherited` (writers leave it out).
        """
        fmt, link, moderators = own
        taken = set(inherited)
        if f.get("format") is None:
            fmt = parent.format
            taken.add("format")
        if f.get("stream_link") is None and parent.link:
            link = parent.link
            taken.add("stream_link")
        if not moderators and not f.none("moderators") and parent.moderators:
            moderators = parent.moderators
            taken.add("moderators")
        return fmt, link, moderators, frozenset(taken)

    def check_overlaps(self, sessions: list[tuple[Session, Node, str]]) -> None:
        """Two sessions cannot share a hall at the same time (cancelled ones free it)."""
        by_hall: dict[tuple[str, str], list[tuple[Session, Node, str]]] = {}
        for session, node, path in sessions:
            if session.venue and session.hall and not session.cancelled:
                by_hall.setdefault((session.venue, session.hall), []).append((session, node, path))
        for group in by_hall.values():
            group.sort(key=lambda item: (item[0].start_at, item[1].start_mark.line))
            for i, (later, later_node, later_path) in enumerate(group):
                for earlier, earlier_node, _ in group[:i]:
                    if earlier.end_at > later.start_at:
                        self.overlap(later_node, later_path, earlier, earlier_node)
                        break

    def overlap(self, node: Node, path: str, earlier: Session, earlier_node: Node) -> None:
        start = _Fields.child(node, "start") or node
        # YAML names the other session's line, a workbook the other session's start cell.
        other = earlier_node
        if _in_cells(start):
            other = _Fields.child(earlier_node, "start") or earlier_node
        messages = (
            N_("overlaps session {other} (line {line}) in the same hall"),
            N_("overlaps session {other} ({cell}) in the same hall"),
        )
        self.again(start, f"{path}.start", messages, _where(other), other=earlier.id)

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

    def delegation(self, node: Node, path: str) -> Delegation | None:
        """A city's delegation: its head and members (names and positions)."""
        f = self.mapping(node, path, ("id", "city", "head", "members"), ("city",))
        if f is None:
            return None
        city_name = f.string("city")
        city = None
        if city_name:
            found = find_city(forum_cities(self.pairs), city_name)
            if found is None:
                where, key_path = f.where("city")
                message = N_("unknown city {city}: not a city of city_pairs")
                self.error(where, key_path, message, city=city_name)
            else:
                city = found.key
        wanted = f.get("id")
        delegation_id = self.new_id(f, "delegations") if wanted is not None else None
        if wanted is None and city is not None:
            delegation_id = free_id(slug(city_name or "") or "delegation", self.ids["delegations"])
            self.ids["delegations"][delegation_id] = _where(node)
        members: list[Member] = []
        ids: dict[str, str] = {}
        head = f.get("head")
        if head is not None:
            member = self.member(head, _key(path, "head"), ids, True)
            if member is not None:
                members.append(member)
        for _, item, item_path in f.items("members"):
            member = self.member(item, item_path, ids, False)
            if member is not None:
                members.append(member)
        if delegation_id is None or city is None:
            return None
        return Delegation(delegation_id, city, tuple(members))

    def member(self, node: Node, path: str, ids: dict[str, str], head: bool) -> Member | None:
        f = self.mapping(node, path, ("id", "name", "position"), ("name",))
        if f is None:
            return None
        name, position = f.text("name"), f.text("position")
        if f.get("id") is not None:
            member_id = self.new_id(f, "members", ids)
        elif name is not None:
            member_id = free_id(slug(name.get(self.lang)) or "member", ids)
            ids[member_id] = _where(node)
        else:
            member_id = None
        if member_id is None or name is None:
            return None
        return Member(member_id, name, position or EMPTY_TEXT, head)

    def agreement(self, node: Node, path: str) -> Agreement | None:
        """An agreement: its parties (cities or regions), title, area, date, and whether it
        was signed at this forum."""
        allowed = ("id", "parties", "title", "area", "date", "at_forum")
        f = self.mapping(node, path, allowed, ("id", "parties", "title"))
        if f is None:
            return None
        agreement_id = self.new_id(f, "agreements")
        parties = tuple(t for _, n, p in f.items("parties") if (t := self.text(n, p)) is not None)
        if f.get("parties") is not None and len(parties) < 2:
            where, key_path = f.where("parties")
            self.error(where, key_path, N_("an agreement needs at least two parties"))
        title, area = f.text("title"), f.text("area")
        signed_on = f.day("date")
        at_forum = f.boolean("at_forum")
        if agreement_id is None or title is None or len(parties) < 2:
            return None
        return Agreement(
            agreement_id, parties, title, area or EMPTY_TEXT, signed_on, bool(at_forum)
        )

    def material(self, node: Node, path: str) -> ProgramMaterial | None:
        """A link for a session or a section: exactly one of the two."""
        f = self.mapping(node, path, ("session", "section", "title", "url"), ("title", "url"))
        if f is None:
            return None
        title, url = f.text("title"), f.url("url")
        session = section = None
        if f.get("session") is not None:
            session_node, session_path = f.where("session")
            message = N_("unknown session {id}")
            session = self.ref(session_node, session_path, self.ids["sessions"], message)
        if f.get("section") is not None:
            section_node, section_path = f.where("section")
            message = N_("unknown section {id}")
            section = self.ref(section_node, section_path, self.ids["sections"], message)
        if (f.get("session") is None) == (f.get("section") is None):
            self.error(node, path, N_("a material belongs to a session or to a section: give one"))
            return None
        if title is None or url is None or not (session or section):
            return None
        return ProgramMaterial(title, url, session, section)

    def survey_question(self, node: Node, path: str, ids: dict[str, str]) -> ExtraQuestion | None:
        """A question of the end-of-forum survey; a choice question's options are labels."""
        allowed = ("id", "text", "kind", "required", "options", "max_length")
        f = self.mapping(node, path, allowed, ("id", "text", "kind"))
        if f is None:
            return None
        question_id = self.new_id(f, "questions", ids)
        text, kind = f.text("text"), f.choice("kind", QuestionKind)
        required = f.boolean("required")
        max_length = f.integer("max_length", 1, MAX_ANSWER_LENGTH)
        labels = [self.text(n, p) for _, n, p in f.items("options")]
        options_node, options_path = f.where("options")
        if kind is QuestionKind.CHOICE and not 2 <= len(labels) <= MAX_SURVEY_OPTIONS:
            self.error(options_node, options_path, N_("a survey choice needs 2 to 10 options"))
            return None
        if kind is not None and kind is not QuestionKind.CHOICE and labels:
            self.error(
                options_node, options_path, N_("options are only allowed for choice questions")
            )
            return None
        if question_id is None or text is None or kind is None or None in labels:
            return None
        options = tuple(Option(str(n), label) for n, label in enumerate(labels, 1) if label)
        return ExtraQuestion(
            question_id,
            text,
            kind,
            False if required is None else required,
            options,
            max_length or 500,
        )

    def registration(self, node: Node, pairs: tuple[CityPair, ...]) -> Registration | None:
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
        cities = self.known_cities(f, pairs)
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

    def known_cities(self, f: _Fields, pairs: tuple[CityPair, ...]) -> tuple[City, ...]:
        """Cities offered as buttons once a person has chosen their region.

        An item is a text (the bot finds the region among its own places and the city pairs)
        or `{name, region, id}` with the region's ISO 3166-2 code."""
        cities: list[City] = []
        codes: dict[str, int] = {}
        for _, node, path in f.items("known_cities"):
            if isinstance(node, MappingNode) and any(
                isinstance(k, ScalarNode) and k.value == "name" for k, _v in node.value
            ):
                city = self.known_city(node, path)
            else:
                text = self.text(node, path)
                city = place_city(text, pairs) if text else None
            if city is None:
                continue
            if city.code in codes:
                self.error(
                    node,
                    path,
                    N_("the city {code} is already listed as item {index}"),
                    code=city.code,
                    index=codes[city.code],
                )
                continue
            codes[city.code] = len(cities)
            cities.append(city)
        return tuple(cities)

    def known_city(self, node: Node, path: str) -> City | None:
        f = self.mapping(node, path, ("name", "region", "id"), ("name",))
        if f is None:
            return None
        name = f.text("name")
        region = f.string("region")
        city_id = f.ident("id")
        if region is not None and BUILTIN.region(region) is None:
            region_node, region_path = f.where("region")
            self.error(
                region_node,
                region_path,
                N_("unknown region {region}; write its ISO 3166-2 code, e.g. BY-MA or RU-SMO"),
                region=region,
            )
            return None
        if name is None:
            return None
        return make_city(name, region, city_id)

    def questions(self, f: _Fields) -> tuple[ExtraQuestion, ...] | None:
        result: list[ExtraQuestion] = []
        ids: dict[str, str] = {}
        broken = False
        for _, node, path in f.items("extra_questions"):
            question = self.question(node, path, ids)
            broken |= question is None
            if question is not None:
                result.append(question)
        return None if broken else tuple(result)

    def question(self, node: Node, path: str, ids: dict[str, str]) -> ExtraQuestion | None:
        allowed = ("id", "text", "kind", "required", "options", "max_length")
        f = self.mapping(node, path, allowed, ("id", "text", "kind"))
        if f is None:
            return None
        question_id = self.new_id(f, "questions", ids)
        text, kind = f.text("text"), f.choice("kind", QuestionKind)
        required = f.boolean("required")
        max_length = f.integer("max_length", 1, MAX_ANSWER_LENGTH)
        options: list[Option] = []
        option_ids: dict[str, str] = {}
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


def make_city(name: Text, region: str | None, city_id: str | None = None) -> City:
    """A program's city: the bot's own code when the name is one of its cities there."""
    for spelling in name.all():
        known = BUILTIN.find_city(spelling, region, anywhere=region is None)
        if known is not None and (region is None or known.region == region):
            return City(known.code, name, known.region, known.aliases)
    ident = city_id or slug(name.get("en"))
    return City(f"{region}.{ident}" if region else ident, name, region)


def place_city(name: Text, pairs: tuple[CityPair, ...]) -> City:
    """The region of a city given only by its name: the bot's places, then the city pairs."""
    spellings = {normalize(s) for s in name.all()}
    for pair in pairs:
        for city, region, country in (
            (pair.by_city, pair.by_region, "BY"),
            (pair.ru_city, pair.ru_subject, "RU"),
        ):
            if spellings & {normalize(s) for s in city.all()}:
                found = next(
                    (r for s in region.all() if (r := BUILTIN.find_region(s, country))), None
                )
                if found is not None:
                    return make_city(name, found.code)
    return make_city(name, None)


def _empty(lang: str) -> Text:
    return Text({}, lang)


def _show(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return node.value
    return "a list" if isinstance(node, SequenceNode) else "a mapping"
