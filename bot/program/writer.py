"""The program written back as the plain data of a program file: YAML, and the workbook's rows.

`program_document` gives the nested dicts and lists that the YAML loader reads (texts as a
string or a map of languages, dates, times, lists), leaving out what is empty or inherited from
a section, so that reading the result gives back the very same `Program`. `program_yaml` dumps
it; the workbook writer lays the same data out in sheets.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from typing import Any

import yaml

from bot.program.loader import NONE_MARK, place_city
from bot.program.model import (
    INHERITABLE,
    LANGUAGES,
    Agreement,
    City,
    CityPair,
    Delegation,
    ExtraQuestion,
    FaqEntry,
    Format,
    Forum,
    Member,
    Program,
    ProgramMaterial,
    Registration,
    Section,
    Session,
    Speaker,
    Text,
    Venue,
    find_halls,
)

Document = dict[str, Any]


def text_value(text: Text, lang: str) -> str | dict[str, str]:
    """A text as the file writes it: a plain string when only the default language is given."""
    values = {code: text.values[code] for code in LANGUAGES if text.values.get(code)}
    if list(values) == [lang]:
        return values[lang]
    return values


def clock(value: time) -> str:
    return value.strftime("%H:%M")


def moment(value: datetime) -> str:
    """A local date and time as the file gives it (no UTC offset)."""
    return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")


class _Item:
    """Builds one mapping, skipping empty values (the loader's defaults)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.data: Document = {}

    def put(self, key: str, value: Any) -> _Item:
        if isinstance(value, Text):
            if value:
                self.data[key] = text_value(value, self.lang)
        elif isinstance(value, tuple | list):
            if value:
                self.data[key] = list(value)
        elif value is not None and value != "":
            self.data[key] = value
        return self


def hall_ref(program: Program, venue_id: str | None, hall_id: str | None) -> str | None:
    """How a session or section names its hall: the id, or the name for a hall without one."""
    venue = program.venue(venue_id)
    hall = venue.hall(hall_id) if venue else None
    if venue is None or hall is None:
        return hall_id
    if not hall.auto_id:
        return hall.id
    name = hall.name.get(program.forum.default_language)
    return name if find_halls(venue.halls, name) == (hall,) else hall.id


def forum_document(forum: Forum) -> Document:
    item = _Item(forum.default_language).put("title", forum.title)
    if forum.short_title != forum.title:
        item.put("short_title", forum.short_title)
    item.put("city", forum.city).put("start_date", forum.start_date)
    item.put("end_date", forum.end_date).put("timezone", forum.timezone)
    item.put("default_language", forum.default_language).put("description", forum.description)
    return item.put("website", forum.website).put("contacts", forum.contacts).data


def venue_document(venue: Venue, lang: str) -> Document:
    item = _Item(lang).put("id", venue.id).put("name", venue.name).put("address", venue.address)
    item.put("latitude", venue.latitude).put("longitude", venue.longitude).put("city", venue.city)
    halls = []
    for hall in venue.halls:
        named = _Item(lang) if hall.auto_id else _Item(lang).put("id", hall.id)
        halls.append(named.put("name", hall.name).data)
    return item.put("halls", halls).data


def speaker_document(speaker: Speaker, lang: str) -> Document:
    item = _Item(lang).put("id", speaker.id).put("name", speaker.name)
    item.put("position", speaker.position).put("organization", speaker.organization)
    return item.put("city", speaker.city).data


def section_document(program: Program, section: Section, lang: str) -> Document:
    item = _Item(lang).put("id", section.id).put("number", section.number)
    item.put("title", section.title).put("description", section.description)
    item.put("moderators", section.moderators).put("venue", section.venue)
    item.put("hall", hall_ref(program, section.venue, section.hall))
    if section.format is not Format.IN_PERSON:
        item.put("format", section.format.value)
    return item.put("link", section.link).put("keywords", section.keywords).data


def own_values(program: Program, session: Session) -> Document:
    """What a session sets itself among what it could take from its section.

    An empty value that the section would fill is written as "-" (none, not the section's).
    """
    section = program.section(session.section)
    hall = hall_ref(program, session.venue, session.hall)
    values: Document = {
        "venue": session.venue,
        "hall": hall,
        "moderators": list(session.moderators),
        "format": session.format.value,
        "stream_link": session.stream_link,
    }
    if section is None:
        if session.format is Format.IN_PERSON:
            del values["format"]
        return values
    gives = {
        "venue": section.venue,
        "hall": section.hall if "venue" in session.inherited else None,
        "moderators": section.moderators,
        "format": None,
        "stream_link": section.link,
    }
    for key in INHERITABLE:
        if key in session.inherited:
            del values[key]
        elif not values[key] and gives[key]:
            values[key] = NONE_MARK
    return values


def session_document(program: Program, session: Session, lang: str) -> Document:
    item = _Item(lang).put("id", session.id).put("day", session.day)
    item.put("start", clock(session.start)).put("end", clock(session.end))
    item.put("title", session.title).put("kind", session.kind.value)
    item.put("section", session.section)
    own = own_values(program, session)
    item.put("venue", own.get("venue")).put("hall", own.get("hall"))
    item.put("speakers", session.speakers).put("moderators", own.get("moderators"))
    item.put("format", own.get("format")).put("stream_link", own.get("stream_link"))
    item.put("description", session.description).put("notice", session.notice)
    item.put("main", session.main or None).put("cancelled", session.cancelled or None)
    return item.put("keywords", session.keywords).data


def city_pair_document(pair: CityPair, lang: str) -> Document:
    item = _Item(lang).put("id", pair.id).put("by_city", pair.by_city)
    item.put("by_region", pair.by_region).put("ru_city", pair.ru_city)
    item.put("ru_subject", pair.ru_subject).put("year", pair.year)
    item.put("areas", [text_value(area, lang) for area in pair.areas])
    return item.put("aliases", pair.aliases).data


def faq_document(entry: FaqEntry, lang: str) -> Document:
    item = _Item(lang).put("id", entry.id).put("question", entry.question)
    item.put("answer", entry.answer).put("keywords", entry.keywords)
    item.put("sessions", entry.sessions).put("sections", entry.sections)
    return item.put("cities", entry.cities).data


def question_document(question: ExtraQuestion, lang: str) -> Document:
    item = _Item(lang).put("id", question.id).put("text", question.text)
    item.put("kind", question.kind.value).put("required", question.required)
    options = [_Item(lang).put("id", o.id).put("label", o.label).data for o in question.options]
    return item.put("options", options).put("max_length", question.max_length).data


def material_document(material: ProgramMaterial, lang: str) -> Document:
    item = _Item(lang).put("session", material.session).put("section", material.section)
    return item.put("title", material.title).put("url", material.url).data


def survey_document(question: ExtraQuestion, lang: str) -> Document:
    """A survey question: its options are labels only (numbered by their place)."""
    item = _Item(lang).put("id", question.id).put("text", question.text)
    item.put("kind", question.kind.value)
    if question.required:
        item.put("required", True)
    item.put("options", [text_value(o.label, lang) for o in question.options])
    return item.put("max_length", question.max_length if question.max_length != 500 else None).data


def registration_document(
    reg: Registration, lang: str, pairs: tuple[CityPair, ...] = ()
) -> Document:
    item = _Item(lang).put("title", reg.title).put("opens", moment(reg.opens_at))
    item.put("closes", moment(reg.closes_at)).put("capacity", reg.capacity)
    item.put("min_age", reg.min_age).put("max_age", reg.max_age)
    item.put("adult_age", reg.adult_age).put("consent_text", reg.consent_text)
    item.put("guardian_consent_text", reg.guardian_consent_text).put("age_on", reg.age_on)
    item.put("extra_questions", [question_document(q, lang) for q in reg.extra_questions])
    cities = [known_city_value(c, pairs, lang) for c in reg.known_cities]
    return item.put("known_cities", cities).data


def known_city_value(city: City, pairs: tuple[CityPair, ...], lang: str) -> Any:
    """A city as its name when the loader finds its region from the name alone, else with
    its region and id."""
    name = text_value(city.name, lang)
    if place_city(city.name, pairs).code == city.code or city.region is None:
        return name
    return {"name": name, "region": city.region, "id": city.code.partition(".")[2]}


def delegation_document(program: Program, delegation: Delegation, lang: str) -> Document:
    city = program.city(delegation.city)
    item = _Item(lang).put("id", delegation.id)
    item.put("city", city.name.get(lang) if city else delegation.city)
    head = delegation.head
    if head is not None:
        item.put("head", member_document(head, lang))
    return item.put(
        "members", [member_document(m, lang) for m in delegation.members if not m.head]
    ).data


def member_document(member: Member, lang: str) -> Document:
    item = _Item(lang).put("id", member.id).put("name", member.name)
    return item.put("position", member.position).data


def agreement_document(agreement: Agreement, lang: str) -> Document:
    item = _Item(lang).put("id", agreement.id)
    item.put("parties", [text_value(p, lang) for p in agreement.parties])
    item.put("title", agreement.title).put("area", agreement.area)
    return item.put("date", agreement.signed_on).put("at_forum", agreement.at_forum).data


def program_document(program: Program) -> Document:
    """The program as the nested data of a program file (see the module docstring)."""
    lang = program.forum.default_language
    doc: Document = {"forum": forum_document(program.forum)}
    parts: list[tuple[str, list[Document]]] = [
        ("venues", [venue_document(v, lang) for v in program.venues]),
        ("speakers", [speaker_document(s, lang) for s in program.speakers]),
        ("sections", [section_document(program, s, lang) for s in program.sections]),
        ("sessions", [session_document(program, s, lang) for s in program.sessions]),
        ("city_pairs", [city_pair_document(c, lang) for c in program.city_pairs]),
        ("faq", [faq_document(f, lang) for f in program.faq]),
    ]
    doc.update((key, items) for key, items in parts if items)
    if program.registration is not None:
        doc["registration"] = registration_document(program.registration, lang, program.city_pairs)
    extra: list[tuple[str, list[Document]]] = [
        ("delegations", [delegation_document(program, d, lang) for d in program.delegations]),
        ("agreements", [agreement_document(a, lang) for a in program.agreements]),
    ]
    doc.update((key, items) for key, items in extra if items)
    if program.materials:
        doc["materials"] = [material_document(m, lang) for m in program.materials]
    if program.survey:
        doc["survey"] = [survey_document(q, lang) for q in program.survey]
    return doc


class _Dumper(yaml.SafeDumper):
    """Dates as dates, times and date-times as the loader's strings, long texts as blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(time, lambda d, v: _str(d, clock(v)))
_Dumper.add_representer(datetime, lambda d, v: _str(d, moment(v)))
_Dumper.add_representer(date, yaml.SafeDumper.represent_date)

HEADER = (
    "# The forum program, written by forum-bot from the loaded program.\n"
    "# The format: docs/program-format.md. Check a changed file with `forum-bot check FILE`.\n"
)


def program_yaml(program: Program) -> str:
    """The program as a YAML program file that the loader reads back to the same program."""
    body = yaml.dump(
        program_document(program),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return HEADER + body


def program_checksum(program: Program) -> str:
    """The identity of a program's content: a YAML file and its workbook give the same one."""
    text = json.dumps(program_document(program), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
