"""Delegates: who may see whose profile, who is listed on a city card, and how it reads.

The rules, in one place: a profile is listed only if its owner chose to be seen (by the
delegates of their partner cities, or by all delegates), only to a person who has a profile
of their own, never to or from someone blocked either way, and never when its owner is a
minor (the youth registration knows the birth date). A Telegram contact is never part of a
profile: it is shown only by the meetings service, after an acceptance.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from rapidfuzz import fuzz

from bot.i18n import _, language_name, ngettext
from bot.program.model import CityPair, Delegation, ForumCity, Program
from bot.services.agreements import fit
from bot.services.answers import age_at
from bot.services.delegate_form import (
    ADULT,
    AREAS,
    CITY,
    LANGS,
    LANGUAGE_CODES,
    NAME,
    ORG,
    POS,
    VISIBILITY,
    VISIBILITY_LABELS,
    program_areas,
)
from bot.services.program import ProgramService
from bot.services.search import SearchService, city_partners, keys
from db import Database
from db.delegates import Profile, ProfileData

DEFAULT_ADULT_AGE = 18
LIST_LIMIT = 30


def find_cities(program: Program, search: SearchService, query: str) -> list[ForumCity]:
    """The programme's cities a typed name may mean, best first (any spelling, as /cities)."""
    exact = program.city_named(query)
    if exact is not None:
        return [exact]
    pairs = city_partners(program, search.search(query, limit=8, kinds=("city",)))
    wanted = " ".join(keys(query))
    scored: dict[str, tuple[float, ForumCity]] = {}
    cities = program.cities()
    for pair in pairs:
        for city in cities.values():
            if pair.id not in city.pairs:
                continue
            score = max(
                (fuzz.ratio(wanted, " ".join(keys(name))) for name in city.name.all()), default=0
            )
            if score > scored.get(city.key, (-1.0, city))[0]:
                scored[city.key] = (score, city)
    ranked = sorted(scored.values(), key=lambda item: -item[0])
    if not ranked:
        return []
    best = ranked[0][0]
    if best >= 70 and (len(ranked) == 1 or ranked[1][0] < best - 15):
        return [ranked[0][1]]
    return [c for _, c in ranked]


def city_name(program: Program, key: str, locale: str) -> str:
    city = program.city(key)
    return city.name.get(locale) if city else key


def adult_age(program: Program) -> int:
    reg = program.registration
    return reg.adult_age if reg else DEFAULT_ADULT_AGE


async def is_minor(db: Database, program: Program, user_id: int) -> bool:
    """The youth registration says the person is under age on its counting day."""
    row = await db.registrations.by_user(user_id)
    if row is None or not row.birth_date:
        return False
    reg = program.registration
    on = (reg.age_on if reg and reg.age_on else None) or program.forum.start_date
    try:
        born = date.fromisoformat(row.birth_date)
    except ValueError:
        return False
    return age_at(born, on) < adult_age(program)


def may_see(program: Program, viewer: Profile | None, target: Profile) -> bool:
    """The profile's own choice, before minors and blocks (see DelegateService.visible)."""
    if viewer is None or viewer.user_id == target.user_id or target.visibility == "none":
        return False
    if target.visibility == "all":
        return True
    partners = {k for c in program.partner_cities(target.city) for k in program.city_keys(c.key)}
    return viewer.city in partners


@dataclass(frozen=True, slots=True)
class Listing:
    city: ForumCity
    delegation: Delegation | None
    profiles: list[Profile]


class DelegateService:
    def __init__(self, db: Database, programs: ProgramService, search: SearchService) -> None:
        self.db = db
        self.programs = programs
        self.search = search

    def find(self, query: str) -> list[ForumCity]:
        return find_cities(self.programs.program, self.search, query)

    async def visible(self, viewer: Profile | None, target: Profile) -> bool:
        """May `viewer` see `target` (and so ask them to meet)?"""
        program = self.programs.program
        if not may_see(program, viewer, target):
            return False
        assert viewer is not None
        if await is_minor(self.db, program, target.user_id):
            return False
        if await is_minor(self.db, program, viewer.user_id):
            return False
        return not await self.db.delegates.blocked_either(viewer.user_id, target.user_id)

    async def listing(self, viewer_id: int, city_key: str) -> Listing | None:
        program = self.programs.program
        city = program.city(city_key)
        if city is None:
            return None
        viewer = await self.db.delegates.profile_of(viewer_id)
        blocked = await self.db.delegates.blocked_by_or_of(viewer_id)
        shown: list[Profile] = []
        for profile in await self.db.delegates.in_cities(program.city_keys(city.key)):
            if profile.user_id == viewer_id:
                continue
            if (
                viewer is None
                or profile.user_id in blocked
                or not may_see(program, viewer, profile)
                or await is_minor(self.db, program, profile.user_id)
                or await is_minor(self.db, program, viewer_id)
            ):
                continue
            shown.append(profile)
        delegation = next((d for d in program.delegations if d.city == city.key), None)
        return Listing(city, delegation, shown[:LIST_LIMIT])

    async def claim_link(self, member: str, created_by: int) -> str:
        token = secrets.token_urlsafe(12)
        await self.db.delegates.add_claim(token, member, created_by)
        return token

    def prefill(self, member: str, locale: str) -> dict[str, object] | None:
        """The form's answers from a pre-loaded member entry `<delegation>/<member>`, with the
        name and position in the claimer's language."""
        program = self.programs.program
        delegation_id, _sep, member_id = member.partition("/")
        delegation = program.delegation(delegation_id)
        found = delegation.member(member_id) if delegation else None
        if delegation is None or found is None:
            return None
        lang = locale
        answers: dict[str, object] = {CITY: delegation.city, NAME: found.name.get(lang)[:80]}
        if found.position:
            answers[POS] = found.position.get(lang)[:120]
        return answers


# ---------------------------------------------------------------------------------- texts


def profile_data(answers: dict[str, object], member: str | None) -> ProfileData:
    def text(step: str) -> str:
        return str(answers.get(step) or "")

    def codes(step: str) -> tuple[str, ...]:
        value = answers.get(step) or []
        return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

    return ProfileData(
        city=text(CITY),
        name=text(NAME),
        organization=text(ORG),
        position=text(POS),
        areas=codes(AREAS),
        languages=codes(LANGS),
        visibility=text(VISIBILITY) or "partners",
        member=member,
    )


def answers_of(profile: Profile) -> dict[str, object]:
    return {
        ADULT: "yes",
        CITY: profile.city,
        NAME: profile.name,
        ORG: profile.organization,
        POS: profile.position,
        AREAS: list(profile.areas),
        LANGS: list(profile.languages),
        VISIBILITY: profile.visibility,
    }


def areas_label(program: Program, codes: Sequence[str], locale: str) -> str:
    areas = program_areas(program)
    return ", ".join(escape(areas[c].get(locale)) for c in codes if c in areas)


def languages_label(codes: Sequence[str]) -> str:
    return ", ".join(language_name(c) for c in codes if c in LANGUAGE_CODES)


def visibility_label(code: str) -> str:
    return _(VISIBILITY_LABELS.get(code, VISIBILITY_LABELS["none"]))


def who_line(program: Program, profile: Profile, locale: str) -> str:
    """ "Name, position, organization (City)" — what others see of a profile."""
    parts = [f"<b>{escape(profile.name)}</b>"]
    job = ", ".join(escape(p) for p in (profile.position, profile.organization) if p)
    if job:
        parts.append(job)
    line = ", ".join(parts)
    return f"{line} ({escape(city_name(program, profile.city, locale))})"


def profile_card(program: Program, profile: Profile, locale: str, own: bool = False) -> str:
    lines = ["👤 " + who_line(program, profile, locale)]
    areas = areas_label(program, profile.areas, locale)
    if areas:
        lines.append(_("Areas of interest: {areas}").format(areas=areas))
    langs = languages_label(profile.languages)
    if langs:
        lines.append(_("Languages: {languages}").format(languages=langs))
    if own:
        lines.append(_("Who sees it: {who}").format(who=visibility_label(profile.visibility)))
        if profile.member:
            lines.append(_("Linked to the delegation list of the organizers."))
    return "\n".join(lines)


def listing_text(program: Program, listing: Listing, has_profile: bool, locale: str) -> str:
    name = escape(listing.city.name.get(locale))
    lines = [_("👥 <b>Delegates here from {city}</b>").format(city=name)]
    head = listing.delegation.head if listing.delegation else None
    if head is not None:
        job = escape(head.position.get(locale)) if head.position else ""
        who = f"<b>{escape(head.name.get(locale))}</b>" + (f", {job}" if job else "")
        lines.append(_("Head of the delegation: {who}").format(who=who))
    if listing.delegation is not None:
        count = len(listing.delegation.members)
        lines.append(
            ngettext(
                "The delegation: {count} person.", "The delegation: {count} people.", count
            ).format(count=count)
        )
    lines.append("")
    if listing.profiles:
        lines += ["• " + who_line(program, p, locale) for p in listing.profiles]
        lines.append("")
        lines.append(_("Open a profile to ask for a meeting."))
    elif not has_profile:
        lines.append(
            _(
                "Delegates' profiles are shown to delegates who have a profile themselves: "
                "fill yours with /delegate."
            )
        )
    else:
        lines.append(_("No profile of this city is visible to you yet."))
    return fit(lines)


def delegate_cities(
    program: Program, pairs: Sequence[CityPair], locale: str
) -> list[tuple[str, str]]:
    """(city name, city key) of the cities on a city card, for its "Delegates from" buttons."""
    found: dict[str, str] = {}
    for pair in pairs:
        for side, name in (("by", pair.by_city), ("ru", pair.ru_city)):
            city = program.city_named(name.get("ru"), side)
            if city is not None:
                found.setdefault(city.key, city.name.get(locale))
    return [(name, key) for key, name in found.items()][:4]


async def delegate_blocks(db: Database, program: Program, user_id: int, locale: str) -> list[str]:
    """/mydata: the delegate profile and the meeting requests, readably."""
    blocks = []
    profile = await db.delegates.profile_of(user_id)
    if profile is not None:
        blocks.append(
            "\n".join(
                [_("<b>Your delegate profile</b>"), profile_card(program, profile, locale, True)]
            )
        )
    found = await db.delegates.meetings_of(user_id)
    if found:
        lines = [
            ngettext(
                "<b>Your meetings and requests</b>: {count}",
                "<b>Your meetings and requests</b>: {count}",
                len(found),
            ).format(count=len(found))
        ]
        states = {"open": _("open request"), "accepted": _("agreed")}
        for meeting in found:
            other = await db.delegates.profile_of(meeting.other(user_id))
            name = escape(other.name) if other else "—"
            lines.append(f"• {name} — {states.get(meeting.status, meeting.status)}")
        blocks.append("\n".join(lines))
    return blocks
