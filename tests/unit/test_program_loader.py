from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.program.loader import (
    ProgramError,
    ProgramInvalid,
    parse_program,
)
from bot.program.model import LANGUAGES, Program, SessionKind, Text
from bot.program.writer import program_checksum
from bot.services.program import check_file
from bot.settings import SAMPLE_PROGRAM

# 22 lines; every snippet below starts on line 23.
BASE = """\
forum:
  title: Форум
  city: Могилёв
  start_date: 2027-06-24
  end_date: 2027-06-26
  timezone: Europe/Minsk
venues:
  - id: palace
    name: Дворец
    address: ул. Первомайская, 52
    latitude: 53.9
    longitude: 30.3
    halls:
      - id: main
        name: Большой зал
speakers:
  - id: ivanov
    name: Иван Иванов
sections:
  - id: s1
    number: 1
    title: Промышленность
"""

SESSION = """\
sessions:
  - id: a
    day: 2027-06-24
    start: "10:00"
    end: "12:00"
    title: A
"""  # lines 23-28


def errors_of(text: str, filename: str = "p.yaml") -> list[ProgramError]:
    with pytest.raises(ProgramInvalid) as info:
        parse_program(text, filename)
    return info.value.errors


def errors(extra: str, base: str = BASE) -> list[tuple[int | None, str, str]]:
    return [(e.line, e.field, e.message) for e in errors_of(base + textwrap.dedent(extra))]


def one_error(extra: str, base: str = BASE) -> tuple[int | None, str, str]:
    found = errors(extra, base)
    assert len(found) == 1, found
    return found[0]


def parse(extra: str = "", base: str = BASE) -> Program:
    return parse_program(base + textwrap.dedent(extra), "p.yaml")


# -- the sample -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Program:
    result = check_file(SAMPLE_PROGRAM)
    assert result.program is not None, result.errors
    return result.program


def _texts(program: Program) -> list[tuple[str, Text]]:
    """Every human text of the program, with a label for failure messages."""
    f = program.forum
    found = [(f"forum.{k}", getattr(f, k)) for k in ("title", "short_title", "city")]
    found += [("forum.description", f.description), ("forum.contacts", f.contacts)]
    for v in program.venues:
        found += [(v.id, v.name), (v.id, v.address), (v.id, v.city)]
        found += [(f"{v.id}.{h.id}", h.name) for h in v.halls]
    for sp in program.speakers:
        found += [(sp.id, t) for t in (sp.name, sp.position, sp.organization, sp.city)]
    for se in program.sections:
        found += [(se.id, se.title), (se.id, se.description)]
    for s in program.sessions:
        found += [(s.id, s.title)] + ([(s.id, s.description)] if s.description else [])
    for c in program.city_pairs:
        found += [(c.id, t) for t in (c.by_city, c.by_region, c.ru_city, c.ru_subject, *c.areas)]
    for q in program.faq:
        found += [(q.id, q.question), (q.id, q.answer)]
    reg = program.registration
    assert reg is not None
    found += [("registration", t) for t in (reg.title, reg.consent_text, reg.guardian_consent_text)]
    found += [("registration.city", c.name) for c in reg.known_cities]
    for eq in reg.extra_questions:
        found += [(eq.id, eq.text)] + [(f"{eq.id}.{o.id}", o.label) for o in eq.options]
    return found


def test_sample_loads_with_expected_size(sample: Program) -> None:
    assert 38 <= len(sample.sessions) <= 45
    assert len(sample.venues) == 3
    assert all(len(v.halls) >= 3 for v in sample.venues)
    assert len(sample.sections) >= 5
    assert len(sample.city_pairs) >= 30
    assert len(sample.faq) >= 15
    assert sample.forum.days == tuple(sorted(sample.forum.days))
    assert len(sample.forum.days) == 3
    assert "sample" in sample.forum.description.get("en").lower()


def test_sample_texts_have_all_languages(sample: Program) -> None:
    missing = [(label, t.values) for label, t in _texts(sample) if set(t.values) != set(LANGUAGES)]
    assert not missing


def test_sample_content(sample: Program) -> None:
    kinds = {s.kind for s in sample.sessions}
    assert {SessionKind.PLENARY, SessionKind.SECTION, SessionKind.YOUTH, SessionKind.SIGNING,
            SessionKind.BUSINESS, SessionKind.EXCURSION, SessionKind.CULTURE} <= kinds  # fmt: skip
    assert {s.day for s in sample.sessions} == set(sample.forum.days)
    regions = {c.by_region.get("ru") for c in sample.city_pairs}
    assert len(regions) == 7  # six oblasts and Minsk
    assert all(1 <= len(c.areas) <= 3 and c.aliases and c.year for c in sample.city_pairs)
    assert all(q.keywords for q in sample.faq)
    assert any(s.format == "hybrid" and s.link for s in sample.sections)
    reg = sample.registration
    assert reg is not None
    assert (reg.capacity, reg.min_age, reg.max_age, reg.adult_age) == (120, 14, 35, 18)
    assert reg.opens_at == datetime(2027, 5, 1, 9, 0, tzinfo=ZoneInfo("Europe/Minsk"))
    assert "152" in reg.consent_text.get("ru")
    assert [q.kind for q in reg.extra_questions] == ["choice", "yes_no", "text"]
    assert len(reg.known_cities) >= 10


def test_sample_sessions_sorted_and_aware(sample: Program) -> None:
    starts = [s.start_at for s in sample.sessions]
    assert starts == sorted(starts)  # the order at the same time: tests/unit/test_session_order
    plenary = sample.session("plenary")
    assert plenary is not None
    assert plenary.start_at == datetime(2027, 6, 25, 10, 0, tzinfo=ZoneInfo("Europe/Minsk"))
    assert plenary.start_at.utcoffset() is not None


# -- a valid small program --------------------------------------------------------------------


def test_minimal_program() -> None:
    program = parse(
        """\
        sessions:
          - id: b
            day: 2027-06-25
            start: 9:00
            end: 10:00
            title: B
            section: s1
            venue: palace
            hall: main
          - id: a
            day: 2027-06-24
            start: "18:00"
            end: "19:30"
            title: {ru: А, en: A}
            kind: culture
        """
    )
    assert [s.id for s in program.sessions] == ["a", "b"]
    a, b = program.sessions
    assert a.kind == SessionKind.CULTURE
    assert b.kind == SessionKind.SECTION  # the default for a session of a section
    assert b.start.hour == 9  # unquoted 9:00 is a time here, not a YAML 1.1 number
    assert b.end_at == datetime(2027, 6, 25, 10, 0, tzinfo=ZoneInfo("Europe/Minsk"))
    assert program.venue("palace").hall("main") is not None  # type: ignore[union-attr]
    assert program.registration is None


def test_text_fallback() -> None:
    program = parse(SESSION.replace("title: A", "title: {ru: Пленарное, en: Plenary}"))
    title = program.sessions[0].title
    assert title.get("en") == "Plenary"
    assert title.get("be") == "Пленарное"  # missing language falls back to the default one
    assert title.get(None) == "Пленарное"
    plain = program.forum.title
    assert dict(plain.values) == {"ru": "Форум"} and plain.default == "ru"
    assert plain.get("en") == "Форум"


def test_default_language() -> None:
    base = BASE.replace(
        "  timezone: Europe/Minsk\n", "  timezone: Europe/Minsk\n  default_language: be\n"
    )
    program = parse(base=base)
    assert program.forum.default_language == "be"
    assert dict(program.forum.title.values) == {"be": "Форум"}
    assert program.forum.title.get("ru") == "Форум"


def test_checksum_follows_the_content_not_the_text() -> None:
    program = parse(SESSION)
    same = parse("# a comment changes no content\n" + SESSION.replace('"10:00"', "'10:00'"))
    other = parse(SESSION.replace("title: A", "title: B"))
    assert program_checksum(same) == program_checksum(program)
    assert program_checksum(other) != program_checksum(program)
    assert len(program_checksum(program)) == 64


# -- one error per rule, with its line and field ----------------------------------------------


UNKNOWN_SPEAKER = (
    "unknown speaker {id}; a name given instead of a speaker id must have a capital letter or "
    "a space"
)
SESSION_CASES = [
    # (replace this, with that, expected line, field, msgid)
    ('end: "12:00"', 'end: "09:00"', 27, "sessions[0].end", "end {end} is not after start {start}"),
    ('end: "12:00"', 'end: "10:00"', 27, "sessions[0].end", "end {end} is not after start {start}"),
    ("day: 2027-06-24", "day: 2027-07-01", 25, "sessions[0].day",
     "day {day} is outside the forum dates {start}..{end}"),
    ("day: 2027-06-24", "day: 2027-02-30", 25, "sessions[0].day",
     "expected a date like 2027-06-24, got {value}"),
    ('start: "10:00"', 'start: "25:00"', 26, "sessions[0].start",
     "expected a time like 09:30, got {value}"),
    ("title: A", "title: A\n    section: s9", 29, "sessions[0].section", "unknown section {id}"),
    ("title: A", "title: A\n    venue: expo", 29, "sessions[0].venue", "unknown venue {id}"),
    ("title: A", "title: A\n    venue: palace\n    hall: small", 30, "sessions[0].hall",
     "unknown hall {hall} in venue {venue}"),
    ("title: A", "title: A\n    hall: small", 29, "sessions[0].hall",
     "hall {hall} is given without a venue, and no venue has such a hall"),
    ("title: A", "title: A\n    venue: '-'\n    hall: main", 30, "sessions[0].hall",
     "hall {hall} is given without a venue"),
    ("title: A", "title: A\n    speakers: [ivanov, petrov]", 29, "sessions[0].speakers[1]",
     UNKNOWN_SPEAKER),
    ("title: A", "title: A\n    moderators:\n      - ivanov\n      - petrov", 31,
     "sessions[0].moderators[1]", UNKNOWN_SPEAKER),
    ("title: A", "title: A\n    kind: lecture", 29, "sessions[0].kind",
     "unknown value {value}; allowed: {allowed}"),
    ("title: A", "title: A\n    format: offline", 29, "sessions[0].format",
     "unknown value {value}; allowed: {allowed}"),
    ("title: A", "title: A\n    stream_link: ftp://example.org/x", 29, "sessions[0].stream_link",
     "expected an http:// or https:// link, got {value}"),
    ("title: A", "title: A\n    stream_link: example.org", 29, "sessions[0].stream_link",
     "expected an http:// or https:// link, got {value}"),
    ("title: A", "title: A\n    main: maybe", 29, "sessions[0].main",
     "expected true or false, got {value}"),
    ("title: A", "title: A\n    speakers: ivanov", 29, "sessions[0].speakers", "expected a list"),
    ("title: A", "title: A\n    colour: red", 29, "sessions[0].colour",
     "unknown field {key}; allowed fields: {allowed}"),
    ("title: A", "title: A\n    title: B", 29, "sessions[0].title",
     "duplicate key {key}, first given on line {line}"),
    ("title: A", "title: {ru: А, de: A}", 28, "sessions[0].title.de",
     "unknown language {key}; allowed: {allowed}"),
    ("title: A", "title: {be: А}", 28, "sessions[0].title",
     "the text has no version in the default language {lang}"),
    ("title: A", 'title: ""', 28, "sessions[0].title", "the text is empty"),
    ("title: A", "title: [A]", 28, "sessions[0].title",
     "expected a single value, not a list or mapping"),
    ("id: a", "id: Plenary!", 24, "sessions[0].id",
     "invalid id {value}: use 1-32 lowercase Latin letters, digits, - and _, "
     "starting with a letter or digit"),
    ("id: a", "id: " + "a" * 33, 24, "sessions[0].id",
     "invalid id {value}: use 1-32 lowercase Latin letters, digits, - and _, "
     "starting with a letter or digit"),
    ("    title: A\n", "", 24, "sessions[0].title", "required field {key} is missing"),
    ("title: A", "title:", 28, "sessions[0].title", "required field {key} is missing"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "line", "field", "message"), SESSION_CASES)
def test_session_rules(old: str, new: str, line: int, field: str, message: str) -> None:
    assert old in SESSION
    assert one_error(SESSION.replace(old, new)) == (line, field, message)


BASE_CASES = [
    ("timezone: Europe/Minsk", "timezone: Europe/Mogilev", 6, "forum.timezone",
     "unknown time zone {value}"),
    ("end_date: 2027-06-26", "end_date: 2027-06-20", 5, "forum.end_date",
     "end_date {end} is before start_date {start}"),
    ("end_date: 2027-06-26", "end_date: 2027-12-26", 5, "forum.end_date",
     "the forum lasts {days} days; at most {max} are allowed"),
    ("start_date: 2027-06-24", "start_date: 1900-06-24", 4, "forum.start_date",
     "must be between {min} and {max}, got {value}"),
    ("latitude: 53.9", "latitude: 95", 11, "venues[0].latitude",
     "must be between {min} and {max}, got {value}"),
    ("longitude: 30.3", "longitude: -181.5", 12, "venues[0].longitude",
     "must be between {min} and {max}, got {value}"),
    ("longitude: 30.3", "longitude: east", 12, "venues[0].longitude",
     "expected a number, got {value}"),
    ("number: 1", "number: one", 21, "sections[0].number", "expected a whole number, got {value}"),
    ("number: 1", "number: 0", 21, "sections[0].number",
     "must be between {min} and {max}, got {value}"),
    # a missing field is reported on the first line of its mapping
    ("  city: Могилёв\n", "", 2, "forum.city", "required field {key} is missing"),
    ("    title: Промышленность", "    title: Промышленность\n    moderators: [petrov]", 23,
     "sections[0].moderators[0]", UNKNOWN_SPEAKER),
    ("    title: Промышленность", "    title: Промышленность\n    venue: expo", 23,
     "sections[0].venue", "unknown venue {id}"),
    ("    title: Промышленность", "    title: Промышленность\n    link: www.example.org", 23,
     "sections[0].link", "expected an http:// or https:// link, got {value}"),
    ("      - id: main\n", "      - id: main\n        nmae: x\n", 15, "venues[0].halls[0].nmae",
     "unknown field {key}; did you mean {suggestion}?"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "line", "field", "message"), BASE_CASES)
def test_base_rules(old: str, new: str, line: int, field: str, message: str) -> None:
    assert old in BASE
    assert one_error("", BASE.replace(old, new)) == (line, field, message)


def test_misspelt_field_is_unknown_and_the_real_one_missing() -> None:
    assert errors(SESSION.replace("title: A", "titel: A")) == [
        (24, "sessions[0].title", "required field {key} is missing"),
        (28, "sessions[0].titel", "unknown field {key}; did you mean {suggestion}?"),
    ]


def test_unknown_top_level_key() -> None:
    assert one_error("sesions: []\n") == (
        23, "sesions", "unknown field {key}; did you mean {suggestion}?"
    )  # fmt: skip


def test_duplicate_ids() -> None:
    text = SESSION + SESSION.replace("sessions:\n", "").replace('"10:00"', '"13:00"').replace(
        '"12:00"', '"14:00"'
    )
    assert one_error(text) == (
        29, "sessions[1].id", "duplicate id {id}, already used on line {line}"
    )  # fmt: skip


def test_same_id_in_different_kinds_is_fine() -> None:
    parse(SESSION.replace("id: a", "id: s1"))


def test_duplicate_section_number() -> None:
    extra = "  - id: s2\n    number: 1\n    title: АПК\n"
    assert one_error("", BASE + extra) == (
        24, "sections[1].number", "section number {value} is already used on line {line}"
    )  # fmt: skip


def _two_sessions(venue_b: str = "palace", hall_b: str = "main", cancelled: bool = False) -> str:
    return f"""\
    sessions:
      - id: a
        day: 2027-06-24
        start: "10:00"
        end: "12:00"
        title: A
        venue: palace
        hall: main
      - id: b
        day: 2027-06-24
        start: "11:30"
        end: "13:00"
        title: B
        venue: {venue_b}
        hall: {hall_b}
        cancelled: {str(cancelled).lower()}
    """


def test_overlapping_sessions_in_the_same_hall() -> None:
    assert one_error(_two_sessions()) == (
        33, "sessions[1].start", "overlaps session {other} (line {line}) in the same hall"
    )  # fmt: skip
    err = errors_of(BASE + textwrap.dedent(_two_sessions()))[0]
    assert err.params == {"other": "a", "line": "24"}


def test_cancelled_sessions_do_not_overlap() -> None:
    parse(_two_sessions(cancelled=True))


def test_back_to_back_sessions_do_not_overlap() -> None:
    parse(_two_sessions().replace('"11:30"', '"12:00"'))


CITY_PAIR = """\
city_pairs:
  - id: mogilev-tula
    by_city: {ru: Могилёв, be: Магілёў, en: Mogilev}
    by_region: Могилёвская область
    ru_city: Тула
    ru_subject: Тульская область
    year: 2004
    areas: [промышленность]
    aliases: [Mahilyow]
"""  # lines 23-31


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("year: 2004", "year: 1812", 29, "city_pairs[0].year",
         "must be between {min} and {max}, got {value}"),
        ("year: 2004", "year: '2004'", 29, "city_pairs[0].year",
         "expected a whole number, got {value}"),
        ("en: Mogilev}", "en: Mogilev, pl: Mohylew}", 25, "city_pairs[0].by_city.pl",
         "unknown language {key}; allowed: {allowed}"),
        ("    ru_city: Тула\n", "", 24, "city_pairs[0].ru_city", "required field {key} is missing"),
        ("areas: [промышленность]", "areas: [[a]]", 30, "city_pairs[0].areas[0]",
         "expected a single value, not a list or mapping"),
    ],
)  # fmt: skip
def test_city_pair_rules(old: str, new: str, line: int, field: str, message: str) -> None:
    assert one_error(CITY_PAIR.replace(old, new)) == (line, field, message)


def test_faq_references() -> None:
    extra = (
        SESSION
        + CITY_PAIR
        + textwrap.dedent(
            """\
        faq:
          - id: lunch
            question: Где обед?
            answer: В столовой.
            keywords: [обед]
            sessions: [a, b]
            sections: [s1, s2]
            cities: [mogilev-tula, minsk-moscow]
        """
        )
    )
    assert errors(extra) == [
        (43, "faq[0].sessions[1]", "unknown session {id}"),
        (44, "faq[0].sections[1]", "unknown section {id}"),
        (45, "faq[0].cities[1]", "unknown city pair {id}"),
    ]


REGISTRATION = """\
registration:
  title: Регистрация
  opens: 2027-05-01 09:00
  closes: 2027-06-20 18:00
  capacity: 120
  min_age: 14
  max_age: 35
  consent_text: Согласен на обработку персональных данных.
  guardian_consent_text: Согласие родителя.
  extra_questions:
    - id: section
      kind: choice
      text: Какая секция?
      options:
        - {id: industry, label: Промышленность}
        - {id: agro, label: АПК}
    - id: hotel
      kind: yes_no
      text: Нужно проживание?
"""  # lines 23-41


def test_registration_parses() -> None:
    reg = parse(REGISTRATION).registration
    assert reg is not None
    tz = ZoneInfo("Europe/Minsk")
    assert reg.opens_at == datetime(2027, 5, 1, 9, 0, tzinfo=tz)
    assert reg.closes_at == datetime(2027, 6, 20, 18, 0, tzinfo=tz)
    assert reg.adult_age == 18 and reg.age_on is None
    assert [o.id for o in reg.extra_questions[0].options] == ["industry", "agro"]
    assert reg.extra_questions[1].required is True


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("closes: 2027-06-20 18:00", "closes: 2027-05-01 09:00", 26, "registration.closes",
         "closes {closes} is not after opens {opens}"),
        ("opens: 2027-05-01 09:00", "opens: 2027-05-01", 25, "registration.opens",
         "expected a date and time like 2027-05-01 09:00, got {value}"),
        ("capacity: 120", "capacity: 0", 27, "registration.capacity",
         "must be at least {min}, got {value}"),
        ("min_age: 14", "min_age: 0", 28, "registration.min_age",
         "must be between {min} and {max}, got {value}"),
        ("max_age: 35", "max_age: 12", 29, "registration.max_age",
         "max_age {max} is less than min_age {min}"),
        ("  guardian_consent_text: Согласие родителя.\n", "", 24,
         "registration.guardian_consent_text",
         "guardian_consent_text is required when min_age {min} is below adult_age {adult}"),
        ("  consent_text: Согласен на обработку персональных данных.\n", "", 24,
         "registration.consent_text", "required field {key} is missing"),
        ("        - {id: agro, label: АПК}\n", "", 37, "registration.extra_questions[0].options",
         "a choice question needs at least two options"),
        ("kind: yes_no", "kind: yes_no\n      options: [{id: y, label: Да}]", 41,
         "registration.extra_questions[1].options",
         "options are only allowed for choice questions"),
        ("kind: yes_no", "kind: number", 40, "registration.extra_questions[1].kind",
         "unknown value {value}; allowed: {allowed}"),
        ("id: agro", "id: industry", 38, "registration.extra_questions[0].options[1].id",
         "duplicate id {id}, already used on line {line}"),
    ],
)  # fmt: skip
def test_registration_rules(old: str, new: str, line: int, field: str, message: str) -> None:
    assert old in REGISTRATION
    assert one_error(REGISTRATION.replace(old, new)) == (line, field, message)


def test_adult_only_registration_needs_no_guardian_consent() -> None:
    text = REGISTRATION.replace("min_age: 14", "min_age: 18").replace(
        "  guardian_consent_text: Согласие родителя.\n", ""
    )
    assert parse(text).registration is not None


def test_known_cities_are_placed_in_their_region() -> None:
    text = REGISTRATION + (
        "  known_cities:\n"
        "    - Бобруйск\n"
        "    - {ru: Коломна, en: Kolomna}\n"
        "    - {name: {ru: Шклов, en: Shklov}, region: BY-MA, id: shklov}\n"
        "    - {name: Вязьма, region: RU-SMO}\n"
        "    - Кукуево\n"
    )
    reg = parse(text).registration
    assert reg is not None
    placed = [(c.code, c.region) for c in reg.known_cities]
    assert placed == [
        ("BY-MA.bobruisk", "BY-MA"),  # the bot's own city, by any spelling
        ("RU-MOS.kolomna", "RU-MOS"),
        ("BY-MA.shklov", "BY-MA"),  # given with its region
        ("RU-SMO.vyazma", "RU-SMO"),
        ("kukuevo", None),  # unknown: offered only where no region is known
    ]


def test_a_known_city_found_through_the_city_pairs() -> None:
    pairs = textwrap.dedent(
        """\
        city_pairs:
          - id: shklov-kasimov
            by_city: {ru: Шклов, en: Shklov}
            by_region: {ru: Могилёвская область, en: Mogilev Region}
            ru_city: {ru: Касимов, en: Kasimov}
            ru_subject: {ru: Рязанская область, en: Ryazan Oblast}
        """
    )
    text = pairs + REGISTRATION + "  known_cities: [Шклов, Касимов]\n"
    reg = parse(text).registration
    assert reg is not None
    assert [c.code for c in reg.known_cities] == ["BY-MA.shklov", "RU-RYA.kasimov"]


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ("{name: Шклов, region: BY-XX}", "registration.known_cities[0].region",
         "unknown region {region}; write its ISO 3166-2 code, e.g. BY-MA or RU-SMO"),
        ("{name: Шклов, regoin: BY-MA}", "registration.known_cities[0].regoin",
         "unknown field {key}; did you mean {suggestion}?"),
    ],
)  # fmt: skip
def test_known_city_rules(item: str, field: str, message: str) -> None:
    [(_line, found_field, found)] = errors(REGISTRATION + f"  known_cities: [{item}]\n")
    assert (found_field, found) == (field, message)


def test_known_cities_keep_their_codes_through_the_yaml_writer() -> None:
    from bot.program.files import parse_program_bytes
    from bot.program.writer import program_yaml

    text = REGISTRATION + (
        "  known_cities:\n"
        "    - Бобруйск\n"
        "    - {name: {ru: Шклов, en: Shklov}, region: BY-MA, id: shklov}\n"
        "    - Кукуево\n"
    )
    program = parse(text)
    again = parse_program_bytes(program_yaml(program).encode("utf-8"), "again.yaml")
    assert again.registration is not None and program.registration is not None
    codes = [(c.code, c.region) for c in again.registration.known_cities]
    assert codes == [(c.code, c.region) for c in program.registration.known_cities]
    assert ("BY-MA.shklov", "BY-MA") in codes


def test_a_city_listed_twice_is_reported() -> None:
    text = REGISTRATION + "  known_cities: [Бобруйск, Бабруйск]\n"
    [(_line, field, message)] = errors(text)
    assert field == "registration.known_cities[1]"
    assert message == "the city {code} is already listed as item {index}"


# -- reporting --------------------------------------------------------------------------------


def test_three_errors_are_all_reported() -> None:
    text = BASE.replace("timezone: Europe/Minsk", "timezone: Mars/Olympus") + SESSION.replace(
        'end: "12:00"', 'end: "09:00"'
    ).replace("title: A", "title: A\n    kind: lecture")
    found = errors_of(text, "forum.yaml")
    assert [(e.file, e.line, e.field) for e in found] == [
        ("forum.yaml", 6, "forum.timezone"),
        ("forum.yaml", 27, "sessions[0].end"),
        ("forum.yaml", 29, "sessions[0].kind"),
    ]
    assert found[1].render() == "forum.yaml:27: sessions[0].end: end 09:00 is not after start 10:00"


def test_render_translates_msgid() -> None:
    err = ProgramError("p.yaml", 3, "forum.title", "the text is empty", {})
    assert err.render(lambda s: "текст пуст" if s == "the text is empty" else s) == (
        "p.yaml:3: forum.title: текст пуст"
    )
    assert (
        ProgramError("p.yaml", None, "", "the file is empty").render()
        == "p.yaml: the file is empty"
    )


def test_exception_message_lists_every_error() -> None:
    with pytest.raises(ProgramInvalid) as info:
        parse_program(BASE.replace("latitude: 53.9", "latitude: 99") + "x: 1\n", "p.yaml")
    assert str(info.value).splitlines() == [
        "p.yaml:11: venues[0].latitude: must be between -90 and 90, got 99.0",
        "p.yaml:23: x: unknown field x; allowed fields: forum, venues, speakers, sections, "
        "sessions, city_pairs, faq, registration, delegations, agreements, materials, survey",
    ]


def test_yaml_syntax_error() -> None:
    text = BASE + "sessions:\n  - id: a\n    title: [unclosed\n"
    found = errors_of(text)
    assert len(found) == 1
    assert found[0].message == "YAML syntax error: {problem}"
    assert found[0].line == 26  # where the parser noticed: the end of the file
    assert found[0].field == ""


def test_yaml_syntax_error_bad_indent() -> None:
    found = errors_of("forum:\n  title: A\n city: B\n")
    assert [(e.line, e.message) for e in found] == [(3, "YAML syntax error: {problem}")]


def test_duplicate_top_level_key() -> None:
    assert one_error("venues: []\n") == (
        23,
        "venues",
        "duplicate key {key}, first given on line {line}",
    )


def test_empty_and_non_mapping_files() -> None:
    assert [e.message for e in errors_of("")] == ["the file is empty"]
    assert [e.message for e in errors_of("# only a comment\n")] == ["the file is empty"]
    assert [(e.line, e.message) for e in errors_of("- a\n- b\n")] == [
        (1, "expected a mapping of fields (key: value)")
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    [err] = check_file(missing).errors
    assert (err.file, err.line, err.message) == (
        str(missing),
        None,
        "cannot read the file: {error}",
    )
    assert err.render().startswith(f"{missing}: cannot read the file: ")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.yaml"
    path.write_bytes("forum: Могилёв".encode("cp1251"))
    assert [e.message for e in check_file(path).errors] == [
        "the text is not in UTF-8 (byte {offset}); save the file as UTF-8"
    ]


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "program.yaml"
    path.write_text(BASE + SESSION, encoding="utf-8")
    program = check_file(path).program
    assert program is not None and program.sessions[0].id == "a"
    path.write_text(BASE + SESSION.replace("day: 2027-06-24", "day: 2027-06-30"), encoding="utf-8")
    result = check_file(path)
    assert result.program is None
    assert [(e.file, e.line) for e in result.errors] == [(str(path), 25)]


def test_example_in_the_docs_is_valid() -> None:
    doc = Path(__file__).parents[2] / "docs" / "program-format.md"
    text = doc.read_text(encoding="utf-8")
    example = text.split("## A short complete example", 1)[1].split("```yaml\n", 1)[1]
    program = parse_program(example.split("```", 1)[0], str(doc))
    assert program.registration is not None and len(program.sessions) == 2


# -- the format where real programmes did not fit ---------------------------------------------

HALLS_BY_NAME = """\
venues:
  - id: palace
    name: Дворец
    address: ул. Первомайская, 52
    latitude: 53.9
    longitude: 30.3
    halls:
      - id: main
        name: Большой зал
      - Малый зал
      - name: {ru: "Зал «Восток»", en: East Hall}
  - id: expo
    name: Экспо
    address: пр. Мира, 6
    latitude: 53.9
    longitude: 30.3
    halls: [Малый зал, Конференц-зал]
"""


def test_new_session_kinds_and_their_spellings() -> None:
    extra = SESSION
    for n, kind in enumerate(
        (
            "round table",
            "Round-Table",
            "opening",
            "closing",
            "business_council",
            "signing_ceremony",
            "excursion",
            "concert",
        )
    ):
        extra += (
            SESSION.replace("sessions:\n", "")
            .replace("id: a", f"id: k{n}")
            .replace("title: A", f"title: A\n    kind: {kind}")
        )
    program = parse(extra)
    kinds = [program.session(f"k{n}").kind for n in range(8)]  # type: ignore[union-attr]
    assert kinds == [
        SessionKind.ROUND_TABLE, SessionKind.ROUND_TABLE, SessionKind.OPENING,
        SessionKind.CLOSING, SessionKind.BUSINESS_COUNCIL, SessionKind.SIGNING,
        SessionKind.EXCURSION, SessionKind.CONCERT,
    ]  # fmt: skip


def test_sections_without_a_number() -> None:
    base = BASE.replace("    number: 1\n", "") + "  - id: s2\n    title: АПК\n"
    program = parse(base=base)
    assert [s.number for s in program.sections] == [None, None]
    assert one_error("", base + "  - id: s3\n    number: x\n    title: Y\n")[2] == (
        "expected a whole number, got {value}"
    )


def test_speakers_and_moderators_by_plain_name() -> None:
    program = parse(SESSION.replace(
        "title: A", "title: A\n    speakers: [ivanov, Пётр Петров, 'Dr Smith']\n"
        "    moderators: [Анна]"))  # fmt: skip
    session = program.session("a")
    assert session is not None
    assert session.speakers == ("ivanov", "Пётр Петров", "Dr Smith")
    assert program.person("ivanov").name.get() == "Иван Иванов"
    assert program.person("Пётр Петров").name.get("en") == "Пётр Петров"
    assert program.person("Анна").position.get() == ""
    # a lowercase Latin word is an id with a typo, not a name
    assert one_error(SESSION.replace("title: A", "title: A\n    speakers: [ivanof]"))[1:] == (
        "sessions[0].speakers[0]", UNKNOWN_SPEAKER
    )  # fmt: skip


def _venues_by_name(sessions: str) -> Program:
    base = BASE.split("venues:\n")[0] + HALLS_BY_NAME + "speakers:" + BASE.split("speakers:")[1]
    return parse(sessions, base)


def test_halls_named_without_an_id() -> None:
    program = _venues_by_name(SESSION.replace("title: A", "title: A\n    venue: palace\n"
                                              "    hall: малый   ЗАЛ"))  # fmt: skip
    palace, expo = program.venues
    assert [(h.id, h.auto_id) for h in palace.halls] == [
        ("main", False),
        ("malyy-zal", True),
        ("zal-vostok", True),
    ]
    assert [h.id for h in expo.halls] == ["malyy-zal", "konferents-zal"]
    assert program.session("a").hall == "malyy-zal"  # type: ignore[union-attr]
    # by an English name, by the made id, and without a venue where only one venue has it
    for hall, venue, hall_id in (
        ("East Hall", "palace", "zal-vostok"),
        ("zal-vostok", "palace", "zal-vostok"),
        ("Конференц-зал", "expo", "konferents-zal"),
    ):
        found = _venues_by_name(SESSION.replace("title: A", f"title: A\n    hall: {hall}"))
        session = found.session("a")
        assert session is not None and (session.venue, session.hall) == (venue, hall_id)


def test_hall_names_that_are_not_enough() -> None:
    base = BASE.split("venues:\n")[0] + HALLS_BY_NAME + "speakers:" + BASE.split("speakers:")[1]
    assert one_error(SESSION.replace("title: A", "title: A\n    hall: Малый зал"), base)[1:] == (
        "sessions[0].hall",
        "there are halls named {hall} in several venues; give the venue too",
    )  # fmt: skip
    assert one_error(
        SESSION.replace("title: A", "title: A\n    venue: palace\n    hall: Синий зал"), base
    )[1:] == ("sessions[0].hall", "unknown hall {hall} in venue {venue}")
    twice = base.replace("      - Малый зал\n", "      - Малый зал\n      - малый зал\n", 1)
    assert one_error(
        SESSION.replace("title: A", "title: A\n    venue: palace\n    hall: Малый зал"), twice
    )[1:] == ("sessions[0].hall", "several halls are named {hall}")


SECTION_WITH_ALL = """\
  - id: s2
    number: 2
    title: Цифра
    moderators: [ivanov, Анна Смирнова]
    venue: palace
    hall: main
    format: hybrid
    link: https://example.org/s2
"""


def _in_section(fields: str) -> Program:
    session = SESSION.replace("title: A", "title: A\n    section: s2" + fields)
    return parse(session, BASE + SECTION_WITH_ALL)


def test_sessions_inherit_their_section() -> None:
    session = _in_section("").session("a")
    assert session is not None
    assert (session.venue, session.hall, session.format.value, session.stream_link) == (
        "palace", "main", "hybrid", "https://example.org/s2"
    )  # fmt: skip
    assert session.moderators == ("ivanov", "Анна Смирнова")
    assert session.inherited == {"venue", "hall", "format", "stream_link", "moderators"}


def test_sessions_set_their_own_or_none() -> None:
    own = _in_section(
        "\n    format: online\n    stream_link: https://example.org/own\n    moderators: [Ольга]"
    ).session("a")
    assert own is not None
    assert (own.format.value, own.stream_link, own.moderators) == (
        "online", "https://example.org/own", ("Ольга",)
    )  # fmt: skip
    assert own.inherited == {"venue", "hall"}
    none = _in_section("\n    venue: '-'\n    stream_link: '-'\n    moderators: '-'").session("a")
    assert none is not None
    assert (none.venue, none.hall, none.stream_link, none.moderators) == (None, None, "", ())
    assert none.inherited == {"format"}
    no_hall = _in_section("\n    hall: '-'").session("a")
    assert no_hall is not None and (no_hall.venue, no_hall.hall) == ("palace", None)


def test_inherited_halls_are_checked_for_overlaps() -> None:
    second = SESSION.replace("sessions:\n", "").replace("id: a", "id: b")
    text = (SESSION + second).replace("title: A", "title: A\n    section: s2")
    assert one_error(text, BASE + SECTION_WITH_ALL)[1:] == (
        "sessions[1].start", "overlaps session {other} (line {line}) in the same hall"
    )  # fmt: skip


def test_notice_and_cancelled() -> None:
    program = parse(SESSION.replace(
        "title: A", "title: A\n    notice: {ru: Начало в 10:15, en: Starts at 10:15}\n"
        "    cancelled: true"))  # fmt: skip
    session = program.session("a")
    assert session is not None and session.cancelled
    assert (session.notice.get("ru"), session.notice.get("en")) == (
        "Начало в 10:15", "Starts at 10:15"
    )  # fmt: skip
    assert not parse(SESSION).session("a").notice  # type: ignore[union-attr]
