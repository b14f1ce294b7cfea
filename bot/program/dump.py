"""Write a `Program` back as a program file (YAML) that the loader reads into an equal Program.

Live edits from the bot change the loaded programme and store it as a new version; the stored
version is program-file text like any import, so a restart, `forum-bot import` and the next
upload all read it the same way. Comments and anchors of a hand-written file are not kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

import yaml

from bot.program.model import (
    LANGUAGES,
    CityPair,
    ExtraQuestion,
    FaqEntry,
    Format,
    Forum,
    Program,
    Registration,
    Section,
    Session,
    Speaker,
    Text,
    Venue,
)

FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
HEADER = (
    "# Written by forum-bot from the loaded programme (after an edit in the bot).\n"
    "# The format is described in docs/program-format.md.\n"
)


def dump_program(program: Program) -> str:
    """The program file text of `program`."""
    lang = program.forum.default_language
    data: dict[str, Any] = {"forum": _forum(program.forum)}
    parts: list[tuple[str, Iterable[Any], Any]] = [
        ("venues", program.venues, _venue),
        ("speakers", program.speakers, _speaker),
        ("sections", program.sections, _section),
        ("sessions", _in_file_order(program.sessions), _session),
        ("city_pairs", program.city_pairs, _city_pair),
        ("faq", program.faq, _faq),
    ]
    for key, items, write in parts:
        written = [write(item, lang) for item in items]
        if written:
            data[key] = written
    if program.registration is not None:
        data["registration"] = _registration(program.registration, lang)
    body = yaml.dump(
        data,
        Dumper=FAST_DUMPER,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return HEADER + body


def _in_file_order(sessions: Iterable[Session]) -> list[Session]:
    return sorted(sessions, key=lambda s: (s.day, s.start, s.end, s.id))


def _text(value: Text, lang: str) -> str | dict[str, str] | None:
    """A plain string when only the default language is given, else a map of languages."""
    given = {code: value.values[code] for code in LANGUAGES if value.values.get(code)}
    if not given:
        return None
    if list(given) == [lang]:
        return given[lang]
    return given


def _day(value: date) -> str:
    return value.isoformat()


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _moment(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Leave out what is not given, so the file stays short and reads like a hand-written one."""
    if value is None or value == "" or value == [] or value is False:
        return
    out[key] = value


def _texts(values: Iterable[Text], lang: str) -> list[Any]:
    return [t for t in (_text(v, lang) for v in values) if t is not None]


def _forum(forum: Forum) -> dict[str, Any]:
    lang = forum.default_language
    out: dict[str, Any] = {"title": _text(forum.title, lang)}
    if forum.short_title != forum.title:
        _put(out, "short_title", _text(forum.short_title, lang))
    out["city"] = _text(forum.city, lang)
    out["start_date"] = _day(forum.start_date)
    out["end_date"] = _day(forum.end_date)
    out["timezone"] = forum.timezone
    out["default_language"] = lang
    _put(out, "website", forum.website)
    _put(out, "description", _text(forum.description, lang))
    _put(out, "contacts", _text(forum.contacts, lang))
    return out


def _venue(venue: Venue, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": venue.id,
        "name": _text(venue.name, lang),
        "address": _text(venue.address, lang),
        "latitude": venue.latitude,
        "longitude": venue.longitude,
    }
    _put(out, "city", _text(venue.city, lang))
    _put(out, "halls", [{"id": h.id, "name": _text(h.name, lang)} for h in venue.halls])
    return out


def _speaker(speaker: Speaker, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": speaker.id, "name": _text(speaker.name, lang)}
    _put(out, "position", _text(speaker.position, lang))
    _put(out, "organization", _text(speaker.organization, lang))
    _put(out, "city", _text(speaker.city, lang))
    return out


def _format(value: Format) -> str | None:
    return None if value is Format.IN_PERSON else str(value)


def _section(section: Section, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": section.id,
        "number": section.number,
        "title": _text(section.title, lang),
    }
    _put(out, "description", _text(section.description, lang))
    _put(out, "moderators", list(section.moderators))
    _put(out, "venue", section.venue)
    _put(out, "hall", section.hall)
    _put(out, "format", _format(section.format))
    _put(out, "link", section.link)
    _put(out, "keywords", list(section.keywords))
    return out


def _session(session: Session, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": session.id,
        "day": _day(session.day),
        "start": _clock(session.start),
        "end": _clock(session.end),
        "title": _text(session.title, lang),
        "kind": str(session.kind),
    }
    _put(out, "section", session.section)
    _put(out, "venue", session.venue)
    _put(out, "hall", session.hall)
    _put(out, "speakers", list(session.speakers))
    _put(out, "moderators", list(session.moderators))
    _put(out, "format", _format(session.format))
    _put(out, "stream_link", session.stream_link)
    _put(out, "description", _text(session.description, lang))
    _put(out, "main", session.main)
    _put(out, "cancelled", session.cancelled)
    _put(out, "notice", _text(session.notice, lang))
    _put(out, "keywords", list(session.keywords))
    return out


def _city_pair(pair: CityPair, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": pair.id,
        "by_city": _text(pair.by_city, lang),
        "by_region": _text(pair.by_region, lang),
        "ru_city": _text(pair.ru_city, lang),
        "ru_subject": _text(pair.ru_subject, lang),
    }
    _put(out, "year", pair.year)
    _put(out, "areas", _texts(pair.areas, lang))
    _put(out, "aliases", list(pair.aliases))
    return out


def _faq(entry: FaqEntry, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": entry.id,
        "question": _text(entry.question, lang),
        "answer": _text(entry.answer, lang),
    }
    _put(out, "keywords", list(entry.keywords))
    _put(out, "sessions", list(entry.sessions))
    _put(out, "sections", list(entry.sections))
    _put(out, "cities", list(entry.cities))
    return out


def _question(question: ExtraQuestion, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": question.id,
        "text": _text(question.text, lang),
        "kind": str(question.kind),
        "required": question.required,
    }
    options = [{"id": o.id, "label": _text(o.label, lang)} for o in question.options]
    _put(out, "options", options)
    out["max_length"] = question.max_length
    return out


def _registration(reg: Registration, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": _text(reg.title, lang),
        "opens": _moment(reg.opens_at),
        "closes": _moment(reg.closes_at),
        "capacity": reg.capacity,
        "min_age": reg.min_age,
        "max_age": reg.max_age,
        "adult_age": reg.adult_age,
        "consent_text": _text(reg.consent_text, lang),
    }
    _put(out, "guardian_consent_text", _text(reg.guardian_consent_text, lang))
    if reg.age_on is not None:
        out["age_on"] = _day(reg.age_on)
    _put(out, "extra_questions", [_question(q, lang) for q in reg.extra_questions])
    _put(out, "known_cities", _texts(reg.known_cities, lang))
    return out
