"""The programme as the Mini App reads it: plain JSON in one language, with search keys.

The search keys are made here by the bot's own folding (bot.services.search: lower case, ё→е,
Belarusian letters, Latin transliteration, a rough sound key), so that the page only has to
fold the query the same way (app.js `searchKey`, checked against `search_key` by the browser
test).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.i18n import fmt_day, fmt_time
from bot.program.model import Program, Session, Speaker, Text
from bot.services import intents, search
from bot.services.schedule_view import format_label, hall_label, place_label
from bot.services.search import fold, phonetic, words
from bot.web.texts import kind_label, page_texts


def search_key(word: str) -> str:
    """One word's key, without stemming: the page matches query keys as prefixes."""
    return phonetic(fold(word))


def _js_pattern(pattern: re.Pattern[str]) -> str:
    # JavaScript's \b knows ASCII letters only, even with the u flag: spell it out.
    return pattern.pattern.replace(r"\b", r"(?![\p{L}\p{N}_])")


def folding_rules() -> dict[str, Any]:
    """The bot's folding steps and tables, for the page to fold a query exactly as the bot
    does (app.js applies them in this order; the browser test compares the results)."""

    def table(mapping: dict[int, str | int | None]) -> dict[str, str]:
        return {chr(k): v if isinstance(v, str) else "" for k, v in mapping.items()}

    # The tables are the search modules' own, so the page cannot drift from the bot.
    return {
        "be_infinitive": [_js_pattern(intents._BE_INFINITIVE), "ть"],
        "be_to_ru": table(intents._BE_TO_RU),
        "latin": table(intents._LATIN_FOLD),
        "be_hard": [_js_pattern(intents._BE_HARD), "и"],
        "cyr_to_lat": table(search._CYR_TO_LAT),
        "digraphs": [list(pair) for pair in search._DIGRAPHS],
        "letters": table(search._LETTERS),
        "vowel_u": [_js_pattern(search._VOWEL_U), "v"],
        "word": r"[\p{L}\p{N}]+(?:[-'’ʼ][\p{L}\p{N}]+)*",
    }


def search_text(texts: Iterable[str]) -> str:
    """The distinct keys of every word of these texts, space-separated."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            seen.setdefault(phonetic(word), None)
    return " ".join(seen)


def _person(speaker: Speaker | None, locale: str) -> dict[str, str] | None:
    if speaker is None:
        return None
    about = ", ".join(p.get(locale) for p in (speaker.position, speaker.organization) if p)
    return {"name": speaker.name.get(locale), "about": about}


def _people(program: Program, ids: Iterable[str], locale: str) -> list[dict[str, str]]:
    found = (_person(program.speaker(i), locale) for i in ids)
    return [p for p in found if p is not None]


def _all(*texts: Text | None) -> list[str]:
    return [v for t in texts if t for v in t.all()]


def _session(program: Program, session: Session, locale: str) -> dict[str, Any]:
    venue = program.venue(session.venue)
    hall = venue.hall(session.hall) if venue else None
    section = program.section(session.section)
    speakers = [program.speaker(i) for i in (*session.speakers, *session.moderators)]
    texts = _all(
        session.title,
        section.title if section else None,
        venue.name if venue else None,
        hall.name if hall else None,
        *(s.name for s in speakers if s),
    )
    texts += list(session.keywords)
    return {
        "id": session.id,
        "day": session.day.isoformat(),
        "start": fmt_time(session.start, locale),
        "end": fmt_time(session.end, locale),
        "start_at": session.start_at.isoformat(),
        "end_at": session.end_at.isoformat(),
        "title": session.title.get(locale),
        "kind": session.kind.value,
        "section": session.section,
        "venue": session.venue,
        "hall": hall_label(program, session.venue, session.hall, locale),
        "place": place_label(program, session.venue, session.hall, locale),
        "map": _map_link(venue.latitude, venue.longitude) if venue else "",
        "format": format_label(session.format),
        "stream": session.stream_link,
        "speakers": _people(program, session.speakers, locale),
        "moderators": _people(program, session.moderators, locale),
        "description": session.description.get(locale),
        "cancelled": session.cancelled,
        "keys": search_text(texts),
    }


def _map_link(latitude: float, longitude: float) -> str:
    # An OpenStreetMap link opens in any browser and in the phone's map app.
    return f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=17/{latitude}/{longitude}"


def programme_json(program: Program, locale: str, version: str) -> dict[str, Any]:
    """Everything the page shows, in `locale` (call inside that locale's i18n context)."""
    forum = program.forum
    kinds = sorted({s.kind for s in program.sessions}, key=lambda k: k.value)
    return {
        "version": version,
        "locale": locale,
        "texts": page_texts(),
        "forum": {
            "title": forum.title.get(locale),
            "city": forum.city.get(locale),
            "timezone": forum.timezone,
        },
        "days": [{"date": d.isoformat(), "label": fmt_day(d, locale)} for d in forum.days],
        "sections": [
            {"id": s.id, "number": s.number, "title": s.title.get(locale)} for s in program.sections
        ],
        "venues": [{"id": v.id, "name": v.name.get(locale)} for v in program.venues],
        "kinds": [{"id": k.value, "label": kind_label(k)} for k in kinds],
        "sessions": [_session(program, s, locale) for s in program.sessions],
        "folding": folding_rules(),
    }
