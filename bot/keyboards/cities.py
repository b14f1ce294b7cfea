"""Partner cities: by country side, by region, and the city card."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import menu_button
from bot.keyboards.labels import LABEL_LIMIT, fit, pack, unique
from bot.keyboards.links import CityCb
from bot.program.model import CityPair, Program
from bot.services import cities

# Buttons per page of a long list of regions or cities (Telegram allows 100 per message).
PAGE = 20
# Below city cards: at most this many other twinnings and regions.
OTHER_PAIRS = 6
REGIONS = 4


class CitiesCb(CallbackData, prefix="cy"):
    """side: by (Belarusian regions) or ru (Russian federal subjects); page of the list."""

    side: str
    page: int = 0


class CityRegionCb(CallbackData, prefix="cr"):
    """A region's cities; the region is named by one of its pairs (ids are short and stable)."""

    side: str
    pair: str
    page: int = 0


def label(text: str, limit: int = LABEL_LIMIT) -> str:
    return fit(text, limit)


def cities_home() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    sides = [
        InlineKeyboardButton(
            text=_("🇧🇾 Belarusian regions"), callback_data=CitiesCb(side="by").pack()
        ),
        InlineKeyboardButton(
            text=_("🇷🇺 Russian regions"), callback_data=CitiesCb(side="ru").pack()
        ),
    ]
    for row in pack(sides):
        b.row(*row)
    b.row(menu_button(_("☰ Menu"), "menu"))
    return b.as_markup()


def _pager(b: InlineKeyboardBuilder, page: int, pages: int, make: Callable[[int], str]) -> None:
    """Previous / next buttons; `make(page)` builds the callback data of a page."""
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(text="◀️", callback_data=make(page - 1)))
    if page + 1 < pages:
        row.append(InlineKeyboardButton(text="▶️", callback_data=make(page + 1)))
    if row:
        b.row(*row)


def regions_keyboard(side: str, regions: list[tuple[str, str]], page: int) -> InlineKeyboardMarkup:
    """regions: (name, id of a pair in it)."""
    b = InlineKeyboardBuilder()
    buttons = [
        InlineKeyboardButton(
            text=label(name), callback_data=CityRegionCb(side=side, pair=pair_id).pack()
        )
        for name, pair_id in regions[page * PAGE : (page + 1) * PAGE]
    ]
    for row in pack(buttons):
        b.row(*row)
    pages = max(1, -(-len(regions) // PAGE))
    _pager(b, page, pages, lambda p: CitiesCb(side=side, page=p).pack())
    b.row(
        InlineKeyboardButton(text=_("⬅️ Partner cities"), callback_data=CitiesCb(side="home").pack())
    )
    return b.as_markup()


def region_keyboard(
    side: str, region_pair: str, pairs: list[tuple[Sequence[str], str]], page: int
) -> InlineKeyboardMarkup:
    """pairs: (button texts from usual to telling, pair id)."""
    b = InlineKeyboardBuilder()
    shown = pairs[page * PAGE : (page + 1) * PAGE]
    for text, (_texts, pair_id) in zip(unique([t for t, _id in shown]), shown, strict=True):
        b.row(InlineKeyboardButton(text=text, callback_data=CityCb(id=pair_id).pack()))
    pages = max(1, -(-len(pairs) // PAGE))
    _pager(b, page, pages, lambda p: CityRegionCb(side=side, pair=region_pair, page=p).pack())
    b.row(InlineKeyboardButton(text=_("⬅️ Regions"), callback_data=CitiesCb(side=side).pack()))
    return b.as_markup()


def onward_buttons(
    program: Program, pairs: Sequence[CityPair], locale: str
) -> list[InlineKeyboardButton]:
    """What city cards lead to that is not on screen yet: the other twinnings of these cities,
    and the partner cities of each city's region."""
    shown = {p.id for p in pairs}
    others: dict[str, CityPair] = {}
    for pair in pairs:
        for other in cities.same_city_pairs(program, pair):
            if other.id not in shown:
                others.setdefault(other.id, other)
    listed = list(others.values())[:OTHER_PAIRS]
    buttons = [
        InlineKeyboardButton(text=text, callback_data=CityCb(id=p.id).pack())
        for p, text in zip(
            listed, unique([cities.pair_labels(p, locale) for p in listed]), strict=True
        )
    ]
    regions: dict[tuple[str, str], CityPair] = {}
    for pair in pairs:
        for side in ("by", "ru"):
            regions.setdefault((side, cities.region_of(pair, side, "ru")), pair)
    for (side, _name), pair in list(regions.items())[:REGIONS]:
        flag = "🇧🇾" if side == "by" else "🇷🇺"
        buttons.append(
            InlineKeyboardButton(
                text=label(f"{flag} {cities.region_of(pair, side, locale)}"),
                callback_data=CityRegionCb(side=side, pair=pair.id).pack(),
            )
        )
    return buttons


def city_card_keyboard(
    program: Program, pairs: Sequence[CityPair], locale: str
) -> InlineKeyboardMarkup:
    """Below city cards: the onward buttons, the city list and the menu."""
    b = InlineKeyboardBuilder()
    for row in pack(onward_buttons(program, pairs, locale)):
        b.row(*row)
    b.row(
        InlineKeyboardButton(
            text=_("🤝 Partner cities"), callback_data=CitiesCb(side="home").pack()
        ),
        menu_button(_("☰ Menu"), "menu"),
    )
    return b.as_markup()
