"""The forum program as plain, immutable data: what the YAML program file describes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.i18n_markers import N_

LANGUAGES: tuple[str, ...] = ("ru", "be", "en")


@dataclass(frozen=True, slots=True)
class Text:
    """A human text in several languages; missing languages fall back to the default one."""

    values: Mapping[str, str]
    default: str = "ru"

    def get(self, locale: str | None = None) -> str:
        if locale and self.values.get(locale):
            return self.values[locale]
        if self.values.get(self.default):
            return self.values[self.default]
        return next((v for v in self.values.values() if v), "")

    def all(self) -> tuple[str, ...]:
        """Every language's version, for search."""
        return tuple(v for v in self.values.values() if v)

    def __bool__(self) -> bool:
        return any(self.values.values())


EMPTY_TEXT = Text({})


class Format(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class SessionKind(StrEnum):
    PLENARY = "plenary"
    SECTION = "section"
    YOUTH = "youth"
    BUSINESS = "business"
    SIGNING = "signing"
    EXCURSION = "excursion"
    CULTURE = "culture"
    REGISTRATION = "registration"
    BREAK = "break"
    PRESS = "press"
    OTHER = "other"
    ROUND_TABLE = "round_table"
    OPENING = "opening"
    CLOSING = "closing"
    BUSINESS_COUNCIL = "business_council"
    CONCERT = "concert"


# How each kind is called where it is shown (msgids, translated by the reader's locale).
KIND_LABELS: dict[SessionKind, str] = {
    SessionKind.PLENARY: N_("Plenary session"),
    SessionKind.SECTION: N_("Section meeting"),
    SessionKind.YOUTH: N_("Youth event"),
    SessionKind.BUSINESS: N_("Business meeting"),
    SessionKind.SIGNING: N_("Signing ceremony"),
    SessionKind.EXCURSION: N_("Excursion"),
    SessionKind.CULTURE: N_("Cultural programme"),
    SessionKind.REGISTRATION: N_("Registration"),
    SessionKind.BREAK: N_("Break"),
    SessionKind.PRESS: N_("Press event"),
    SessionKind.OTHER: N_("Event"),
    SessionKind.ROUND_TABLE: N_("Round table"),
    SessionKind.OPENING: N_("Opening ceremony"),
    SessionKind.CLOSING: N_("Closing ceremony"),
    SessionKind.BUSINESS_COUNCIL: N_("Business council"),
    SessionKind.CONCERT: N_("Concert"),
}


class QuestionKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    YES_NO = "yes_no"


@dataclass(frozen=True, slots=True)
class Forum:
    title: Text
    short_title: Text
    city: Text
    start_date: date
    end_date: date
    timezone: str
    description: Text = EMPTY_TEXT
    website: str = ""
    contacts: Text = EMPTY_TEXT
    default_language: str = "ru"  # the language of plain-string texts and the fallback

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> tuple[date, ...]:
        n = (self.end_date - self.start_date).days + 1
        return tuple(date.fromordinal(self.start_date.toordinal() + i) for i in range(n))


@dataclass(frozen=True, slots=True)
class Hall:
    id: str
    name: Text
    auto_id: bool = False  # named without an id in the file: `id` was made from the name


@dataclass(frozen=True, slots=True)
class Venue:
    id: str
    name: Text
    address: Text
    latitude: float
    longitude: float
    city: Text = EMPTY_TEXT
    halls: tuple[Hall, ...] = ()

    def hall(self, hall_id: str | None) -> Hall | None:
        return next((h for h in self.halls if h.id == hall_id), None)


def _plain(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_halls(halls: Iterable[Hall], value: str) -> tuple[Hall, ...]:
    """The halls `value` means: the one with this id, else those with this name in any language."""
    halls = tuple(halls)
    by_id = tuple(h for h in halls if h.id == value)
    if by_id:
        return by_id
    wanted = _plain(value)
    return tuple(h for h in halls if any(_plain(n) == wanted for n in h.name.all()))


@dataclass(frozen=True, slots=True)
class Speaker:
    id: str
    name: Text
    position: Text = EMPTY_TEXT
    organization: Text = EMPTY_TEXT
    city: Text = EMPTY_TEXT


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    number: int | None  # None: a section without a number ("Section N." is not shown)
    title: Text
    description: Text = EMPTY_TEXT
    moderators: tuple[str, ...] = ()  # speaker ids or plain names, see Program.person
    venue: str | None = None  # venue id
    hall: str | None = None  # hall id within the venue
    format: Format = Format.IN_PERSON
    link: str = ""
    keywords: tuple[str, ...] = ()  # extra words for free-text search


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    day: date
    start: time
    end: time
    title: Text
    kind: SessionKind
    start_at: datetime  # aware, forum time zone
    end_at: datetime  # aware, forum time zone
    section: str | None = None  # section id
    venue: str | None = None  # venue id
    hall: str | None = None  # hall id within the venue
    speakers: tuple[str, ...] = ()  # speaker ids or plain names, see Program.person
    moderators: tuple[str, ...] = ()  # speaker ids or plain names
    format: Format = Format.IN_PERSON
    stream_link: str = ""
    description: Text = EMPTY_TEXT
    main: bool = False  # shown in the digest of people who saved nothing
    cancelled: bool = False
    keywords: tuple[str, ...] = ()
    notice: Text = EMPTY_TEXT  # a short organizer notice on the card: "starts 15 minutes late"
    # Fields taken from the section because the session did not set them (INHERITABLE names):
    # writers leave them out, so that a change of the section reaches these sessions again.
    inherited: frozenset[str] = frozenset()


# What a session takes from its section unless it sets its own.
INHERITABLE: tuple[str, ...] = ("venue", "hall", "format", "stream_link", "moderators")


@dataclass(frozen=True, slots=True)
class CityPair:
    id: str
    by_city: Text  # the Belarusian city, names in ru/be/en
    by_region: Text  # its oblast (or Minsk city)
    ru_city: Text  # the Russian city
    ru_subject: Text  # its federal subject
    year: int | None = None  # year of the twinning agreement
    areas: tuple[Text, ...] = ()  # areas of cooperation
    aliases: tuple[str, ...] = ()  # extra spellings of either city (transliterations...)


def fold_name(name: str) -> str:
    """A city or region name compared loosely: case, ё/е, spaces and dashes do not count."""
    text = name.casefold().replace("ё", "е").replace("ў", "у").replace("і", "и")
    return " ".join(text.replace("-", " ").split())


@dataclass(frozen=True, slots=True)
class ForumCity:
    """A city of the city pairs, by a stable key (see city_key); pairs: the ids of its pairs."""

    key: str
    side: str  # by or ru
    name: Text
    pairs: tuple[str, ...]


def city_key(side: str, pair: CityPair) -> str:
    """A stable code for one side's city: its side and the id of its first pair, e.g.
    `by-mogilev-tula` (a city twinned twice keeps the key of its first pair)."""
    return f"{side}-{pair.id}"


def forum_cities(pairs: Iterable[CityPair]) -> dict[str, ForumCity]:
    """Every city of these pairs once, by key."""
    found: dict[str, ForumCity] = {}
    by_name: dict[tuple[str, str], str] = {}
    for pair in pairs:
        for side, name in (("by", pair.by_city), ("ru", pair.ru_city)):
            seen = by_name.get((side, fold_name(name.get("ru"))))
            if seen is None:
                key = city_key(side, pair)
                by_name[(side, fold_name(name.get("ru")))] = key
                found[key] = ForumCity(key, side, name, (pair.id,))
            else:
                city = found[seen]
                found[seen] = ForumCity(seen, side, city.name, (*city.pairs, pair.id))
    return found


def find_city(
    cities: Mapping[str, ForumCity], name: str, side: str | None = None
) -> ForumCity | None:
    wanted = fold_name(name)
    for city in cities.values():
        if side in (None, city.side) and any(fold_name(n) == wanted for n in city.name.all()):
            return city
    return None


@dataclass(frozen=True, slots=True)
class Member:
    """A delegation member pre-loaded by the organizers."""

    id: str
    name: Text
    position: Text = EMPTY_TEXT
    head: bool = False


@dataclass(frozen=True, slots=True)
class Delegation:
    id: str
    city: str  # a ForumCity key
    members: tuple[Member, ...] = ()

    @property
    def head(self) -> Member | None:
        return next((m for m in self.members if m.head), None)

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)


@dataclass(frozen=True, slots=True)
class Agreement:
    """An agreement between cities or regions, signed at this forum or earlier."""

    id: str
    parties: tuple[Text, ...]  # city or region names
    title: Text
    area: Text = EMPTY_TEXT
    signed_on: date | None = None
    at_forum: bool = False


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    question: Text
    answer: Text
    keywords: tuple[str, ...] = ()
    sessions: tuple[str, ...] = ()  # related session ids
    sections: tuple[str, ...] = ()  # related section ids
    cities: tuple[str, ...] = ()  # related city pair ids


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: Text


@dataclass(frozen=True, slots=True)
class ExtraQuestion:
    id: str
    text: Text
    kind: QuestionKind
    required: bool = True
    options: tuple[Option, ...] = ()  # for kind == choice
    max_length: int = 500


@dataclass(frozen=True, slots=True)
class ProgramMaterial:
    """A link (presentation, recording, document) attached to a session or a section in the
    program file; files sent to the bot are kept in the database instead."""

    title: Text
    url: str
    session: str | None = None  # session id
    section: str | None = None  # section id (exactly one of the two)


@dataclass(frozen=True, slots=True)
class Region:
    """A region (oblast, republic, city of federal or republican status); see places.py."""

    code: str  # ISO 3166-2, e.g. BY-MA
    name: Text
    aliases: tuple[str, ...] = ()

    @property
    def country(self) -> str:
        return self.code[:2]


@dataclass(frozen=True, slots=True)
class City:
    """A city offered as a button in its region; see places.py."""

    code: str  # "<region code>.<id>", or only "<id>" for a city the bot cannot place
    name: Text
    region: str | None  # the region's code
    aliases: tuple[str, ...] = ()

    @property
    def country(self) -> str | None:
        return self.region[:2] if self.region else None


@dataclass(frozen=True, slots=True)
class Registration:
    """Settings of the youth meeting's registration form."""

    title: Text
    opens_at: datetime  # aware
    closes_at: datetime  # aware
    capacity: int
    min_age: int
    max_age: int
    adult_age: int = 18  # below it, the guardian's name, phone and consent are asked
    consent_text: Text = EMPTY_TEXT
    guardian_consent_text: Text = EMPTY_TEXT
    age_on: date | None = None  # the day the age is counted at; default: first forum day
    extra_questions: tuple[ExtraQuestion, ...] = ()
    known_cities: tuple[City, ...] = ()  # offered as buttons in their region; others accepted


@dataclass(frozen=True, slots=True)
class Program:
    forum: Forum
    venues: tuple[Venue, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    sections: tuple[Section, ...] = ()
    sessions: tuple[Session, ...] = ()  # sorted on creation: see _order
    city_pairs: tuple[CityPair, ...] = ()
    faq: tuple[FaqEntry, ...] = ()
    registration: Registration | None = None
    delegations: tuple[Delegation, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    materials: tuple[ProgramMaterial, ...] = ()
    # The short survey people are asked at the end of the forum; options are labels only.
    survey: tuple[ExtraQuestion, ...] = ()
    # Not an init field: dataclasses.replace() would otherwise hand the new program the old
    # one's index, and filling it would change what the old program finds.
    _index: dict[str, dict[str, object]] = field(
        default_factory=dict, compare=False, repr=False, init=False
    )

    def __post_init__(self) -> None:
        # Every list (day pages, now and next, the agenda, digests) reads sessions in this order.
        object.__setattr__(self, "sessions", tuple(sorted(self.sessions, key=self._order())))
        # A fresh index even when dataclasses.replace handed over the original's.
        object.__setattr__(self, "_index", {})
        for name in (
            "venues",
            "speakers",
            "sections",
            "sessions",
            "city_pairs",
            "faq",
            "delegations",
            "agreements",
        ):
            self._index[name] = {item.id: item for item in getattr(self, name)}

    def _order(self) -> Callable[[Session], tuple[object, ...]]:
        """Sessions by start; at the same time by section number (sessions outside a numbered
        section after them), then by hall in the order the program lists venues and halls."""
        numbers = {s.id: s.number for s in self.sections if s.number is not None}
        halls: dict[tuple[str | None, str | None], int] = {}
        for venue in self.venues:
            halls[(venue.id, None)] = len(halls)
            for hall in venue.halls:
                halls[(venue.id, hall.id)] = len(halls)
        last = len(halls)

        def key(session: Session) -> tuple[object, ...]:
            number = numbers.get(session.section or "")
            return (
                session.start_at,
                number is None,
                number or 0,
                halls.get((session.venue, session.hall), last),
                session.end_at,
                session.id,
            )

        return key

    def venue(self, venue_id: str | None) -> Venue | None:
        return self._index["venues"].get(venue_id or "")  # type: ignore[return-value]

    def speaker(self, speaker_id: str) -> Speaker | None:
        return self._index["speakers"].get(speaker_id)  # type: ignore[return-value]

    def person(self, ref: str) -> Speaker:
        """A speaker or moderator reference: a speaker entry's id, else a plain name."""
        found = self.speaker(ref)
        if found is not None:
            return found
        return Speaker(ref, Text({self.forum.default_language: ref}, self.forum.default_language))

    def section(self, section_id: str | None) -> Section | None:
        return self._index["sections"].get(section_id or "")  # type: ignore[return-value]

    def session(self, session_id: str) -> Session | None:
        return self._index["sessions"].get(session_id)  # type: ignore[return-value]

    def city_pair(self, pair_id: str) -> CityPair | None:
        return self._index["city_pairs"].get(pair_id)  # type: ignore[return-value]

    def delegation(self, delegation_id: str) -> Delegation | None:
        return self._index["delegations"].get(delegation_id)  # type: ignore[return-value]

    def cities(self) -> dict[str, ForumCity]:
        """Every city of the city pairs once (Minsk, twinned twice, is one city), by key."""
        cached = self._index.get("_cities")
        if cached is None:
            cached = self._index["_cities"] = forum_cities(self.city_pairs)  # type: ignore[assignment]
        return cached  # type: ignore[return-value]

    def city(self, key: str) -> ForumCity | None:
        """The city of a key; a key made from another of its pairs (the file's pairs were
        reordered since it was stored) still finds it."""
        found = self.cities().get(key)
        if found is not None:
            return found
        side, _sep, pair_id = key.partition("-")
        pair = self.city_pair(pair_id)
        if pair is None or side not in ("by", "ru"):
            return None
        return self.city_named((pair.by_city if side == "by" else pair.ru_city).get("ru"), side)

    def city_keys(self, key: str) -> tuple[str, ...]:
        """Every key that names the same city as `key` (one per pair of the city)."""
        city = self.city(key)
        if city is None:
            return (key,)
        return tuple(dict.fromkeys([city.key, *(f"{city.side}-{p}" for p in city.pairs)]))

    def city_named(self, name: str, side: str | None = None) -> ForumCity | None:
        """The city with this name in any language (folded), else None."""
        return find_city(self.cities(), name, side)

    def partner_cities(self, key: str) -> list[ForumCity]:
        """The cities twinned with this one."""
        city = self.city(key)
        if city is None:
            return []
        other = "ru" if city.side == "by" else "by"
        found: dict[str, ForumCity] = {}
        for pair_id in city.pairs:
            pair = self.city_pair(pair_id)
            if pair is None:
                continue
            name = (pair.ru_city if other == "ru" else pair.by_city).get("ru")
            partner = self.city_named(name, other)
            if partner is not None:
                found[partner.key] = partner
        return list(found.values())

    def faq_entry(self, faq_id: str) -> FaqEntry | None:
        return self._index["faq"].get(faq_id)  # type: ignore[return-value]

    def sessions_on(self, day: date) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if s.day == day)

    def sessions_of_section(self, section_id: str) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if s.section == section_id)
