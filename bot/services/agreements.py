"""The register of agreements: on a city card, in answers to free text, in organizers' counts.

A party is a city or a region, named as in the programme's city pairs (any of its languages);
free text finds agreements by a party and by an area in any spelling the search folds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from html import escape

from bot.i18n import _, fmt_date, ngettext
from bot.program.model import Agreement, CityPair, Program, Text, fold_name
from bot.services.intents import fold
from bot.services.search import keys, same_word
from bot.services.towns import town_names

SHOWN = 10
TEXT_BUDGET = 3800  # characters of a message, below Telegram's 4096


def fit(lines: Sequence[str], limit: int = TEXT_BUDGET) -> str:
    """Whole lines up to `limit` characters, then "…": never an HTML tag cut in half."""
    out: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit:
            out.append("…")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


# Word beginnings that make a question about the agreements register ...
_ABOUT = ("соглашен", "agreement", "пагаднен", "меморандум", "мемарандум", "memorand", "treat")
_ABOUT_WORDS = frozenset({"договор", "договоры", "договоров", "договора", "договорам"})
# ... unless it asks when or where a signing ceremony is (the schedule answers that).
_CEREMONY = ("подписани", "падпісанн", "signing", "церемон", "цырымон", "ceremon")
_CEREMONY_WORDS = frozenset({"когда", "калі", "when", "где", "дзе", "where"})


def _folded(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(fold(w) for w in words)


def asks_agreements(text: str) -> bool:
    words = re.findall(r"\w+", fold(text))
    about = any(w.startswith(_folded(_ABOUT)) for w in words) or bool(
        set(words) & set(_folded(tuple(_ABOUT_WORDS)))
    )
    ceremony = any(w.startswith(_folded(_CEREMONY)) for w in words) or bool(
        set(words) & set(_folded(tuple(_CEREMONY_WORDS)))
    )
    return about and not ceremony


# Words of region names that say what kind of region it is, not which.
_GENERIC = "область вобласць oblast region республика рэспубліка republic край krai of город горад"


@lru_cache(maxsize=1)
def _generic_keys() -> frozenset[str]:
    return frozenset(keys(_GENERIC))


def _names_match(name: Text, question: Sequence[str]) -> bool:
    """Every telling word of one of the name's spellings is in the question (as the search
    folds words): "Tatarstan" finds the Republic of Tatarstan."""
    for variant in name.all():
        name_keys = [k for k in keys(variant) if k not in _generic_keys()] or keys(variant)
        if name_keys and all(any(same_word(k, q) for q in question) for k in name_keys):
            return True
    return False


def of_pair(program: Program, pair: CityPair) -> list[Agreement]:
    """Agreements with both sides of the pair among the parties (cities or their regions)."""
    sides = (
        {fold_name(n) for t in (pair.by_city, pair.by_region) for n in t.all()},
        {fold_name(n) for t in (pair.ru_city, pair.ru_subject) for n in t.all()},
    )
    found = []
    for agreement in program.agreements:
        names = [{fold_name(n) for n in p.all()} for p in agreement.parties]
        if all(any(side & party for party in names) for side in sides):
            found.append(agreement)
    return found


@lru_cache(maxsize=1)
def _town_keys() -> tuple[tuple[str, ...], ...]:
    return tuple(t for name in town_names() if (t := tuple(keys(name))))


def find(program: Program, question: str) -> tuple[list[Agreement], bool]:
    """The agreements a question asks about, and whether it named a party or an area."""
    question_keys = keys(question)
    by_party = [
        a
        for a in program.agreements
        if any(_names_match(n, question_keys) for p in a.parties for n in party_texts(program, p))
    ]
    party_named = (
        bool(by_party)
        or any(_names_match(c.name, question_keys) for c in program.cities().values())
        or any(
            all(any(same_word(k, q) for q in question_keys) for k in town) for town in _town_keys()
        )
    )
    by_area = [a for a in program.agreements if a.area and _names_match(a.area, question_keys)]
    found = list(program.agreements)
    if party_named:
        found = [a for a in found if a in by_party]
    if by_area:
        found = [a for a in found if a in by_area]
    found.sort(key=lambda a: (not a.at_forum, -(a.signed_on.toordinal() if a.signed_on else 0)))
    return found, party_named or bool(by_area)


def party_texts(program: Program, party: Text) -> list[Text]:
    """A party's own names and, for a city or region of the city pairs, all of theirs."""
    found = [party]
    city = next((c for n in party.all() if (c := program.city_named(n)) is not None), None)
    if city is not None:
        found.append(city.name)
    wanted = {fold_name(n) for n in party.all()}
    for pair in program.city_pairs:
        for region in (pair.by_region, pair.ru_subject):
            if wanted & {fold_name(n) for n in region.all()}:
                found.append(region)
                return found
    return found


def party_name(program: Program, party: Text, locale: str) -> str:
    """A party in the reader's language: a city or region of the city pairs by its own names."""
    if party.values.get(locale):
        return party.get(locale)
    wanted = {fold_name(n) for n in party.all()}
    city = next((c for n in party.all() if (c := program.city_named(n)) is not None), None)
    if city is not None:
        return city.name.get(locale)
    for pair in program.city_pairs:
        for region in (pair.by_region, pair.ru_subject):
            if wanted & {fold_name(n) for n in region.all()}:
                return region.get(locale)
    return party.get(locale)


def agreement_line(program: Program, agreement: Agreement, locale: str) -> str:
    parties = " — ".join(escape(party_name(program, p, locale)) for p in agreement.parties)
    parts = [f"📜 <b>{escape(agreement.title.get(locale))}</b> ({parties})"]
    if agreement.area:
        parts.append(escape(agreement.area.get(locale)))
    if agreement.signed_on:
        parts.append(fmt_date(agreement.signed_on, locale, "d MMMM y"))
    line = ", ".join(parts)
    if agreement.at_forum:
        line += " — " + _("signed at this forum")
    return line


def lines(program: Program, agreements: Sequence[Agreement], locale: str) -> list[str]:
    shown = [agreement_line(program, a, locale) for a in agreements[:SHOWN]]
    more = len(agreements) - SHOWN
    if more > 0:
        shown.append(ngettext("…and {n} more", "…and {n} more", more).format(n=more))
    return shown


def card_block(program: Program, pairs: Iterable[CityPair], locale: str) -> str:
    """The agreements of the shown pairs, for the city card ('' when there are none)."""
    found: dict[str, Agreement] = {}
    for pair in pairs:
        for agreement in of_pair(program, pair):
            found.setdefault(agreement.id, agreement)
    if not found:
        return ""
    return fit([_("<b>Agreements</b>:"), *lines(program, list(found.values()), locale)], 2000)


def answer(program: Program, question: str, locale: str) -> str | None:
    """The answer to a question about agreements, or None when it is not one."""
    if not program.agreements or not asks_agreements(question):
        return None
    found, filtered = find(program, question)
    if not found:
        return _("I know no agreement that matches. The register has {count}.").format(
            count=len(program.agreements)
        )
    heading = _("Agreements found:") if filtered else _("The register of agreements of this forum:")
    return fit([f"<b>{heading}</b>", *lines(program, found, locale)])


def signed_here_by_area(program: Program, locale: str) -> list[tuple[str, int]]:
    """(area, how many were signed at this forum), most first."""
    counts: dict[str, int] = {}
    for agreement in program.agreements:
        if agreement.at_forum:
            area = agreement.area.get(locale) if agreement.area else _("other")
            counts[area] = counts.get(area, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
