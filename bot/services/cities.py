"""Partner cities as people read them: totals, regions and city cards, in the reader's language."""

from __future__ import annotations

from aiogram.utils.markdown import html_decoration as hd

from bot.i18n import _, ngettext
from bot.program.model import CityPair, Program


def totals_text(program: Program, locale: str) -> str:
    """E.g. "24 Belarusian and 35 Russian cities, 32 agreements"."""
    pairs = program.city_pairs
    by_count = len({p.by_city.get("ru") for p in pairs})
    ru_count = len({p.ru_city.get("ru") for p in pairs})
    by_part = ngettext("{count} Belarusian city", "{count} Belarusian cities", by_count).format(
        count=by_count
    )
    ru_part = ngettext("{count} Russian city", "{count} Russian cities", ru_count).format(
        count=ru_count
    )
    agreements = ngettext("{count} agreement", "{count} agreements", len(pairs)).format(
        count=len(pairs)
    )
    return _("{belarusian} and {russian}, {agreements}").format(
        belarusian=by_part, russian=ru_part, agreements=agreements
    )


def home_text(program: Program, locale: str) -> str:
    return "\n".join(
        [
            _("🤝 <b>Partner cities</b>"),
            totals_text(program, locale),
            "",
            _("Choose a region, or type a city, e.g. “/cities Mogilev” or just “Brest”."),
        ]
    )


def region_of(pair: CityPair, side: str, locale: str) -> str:
    return (pair.by_region if side == "by" else pair.ru_subject).get(locale)


def regions(program: Program, side: str, locale: str) -> list[tuple[str, str]]:
    """(region name, the id of its first pair), sorted by name."""
    found: dict[str, str] = {}
    for pair in program.city_pairs:
        found.setdefault(region_of(pair, side, locale), pair.id)
    return sorted(found.items(), key=lambda item: item[0].casefold())


def pairs_in_region(program: Program, side: str, region_pair: CityPair) -> list[CityPair]:
    key = region_of(region_pair, side, "ru")
    return [p for p in program.city_pairs if region_of(p, side, "ru") == key]


def pair_label(pair: CityPair, locale: str, side: str = "by") -> str:
    """A button text: the city of the browsed side first."""
    by, ru = pair.by_city.get(locale), pair.ru_city.get(locale)
    return f"{by} — {ru}" if side == "by" else f"{ru} — {by}"


def pair_labels(pair: CityPair, locale: str, side: str = "by") -> tuple[str, str]:
    """Button texts from usual to telling: the browsed side's city first, else the partner's
    (a region page lists one city's several partners; long names cut alike otherwise)."""
    return pair_label(pair, locale, side), pair_label(pair, locale, "ru" if side == "by" else "by")


def pair_text(pair: CityPair, locale: str) -> str:
    """The card of one twinning: both cities with their regions, the year and the areas."""
    lines = [
        _("🇧🇾 <b>{city}</b> ({region}) — 🇷🇺 <b>{partner}</b> ({subject})").format(
            city=hd.quote(pair.by_city.get(locale)),
            region=hd.quote(pair.by_region.get(locale)),
            partner=hd.quote(pair.ru_city.get(locale)),
            subject=hd.quote(pair.ru_subject.get(locale)),
        )
    ]
    if pair.year:
        lines.append(_("Agreement since {year}").format(year=pair.year))
    if pair.areas:
        areas = ", ".join(hd.quote(a.get(locale)) for a in pair.areas)
        lines.append(_("Areas of cooperation: {areas}").format(areas=areas))
    return "\n".join(lines)


def pairs_text(pairs: list[CityPair], locale: str) -> str:
    return "\n\n".join(pair_text(p, locale) for p in pairs)


def same_city_pairs(program: Program, pair: CityPair) -> list[CityPair]:
    """The other twinnings of either city of `pair` (Minsk has several)."""
    by, ru = pair.by_city.get("ru"), pair.ru_city.get("ru")
    return [
        p
        for p in program.city_pairs
        if p.id != pair.id and (p.by_city.get("ru") == by or p.ru_city.get("ru") == ru)
    ]
