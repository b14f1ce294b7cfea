"""Partner cities: by country side, by region, and the city card."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.common import menu_button
from bot.keyboards.links import CityCb

# Buttons per page of a long list of regions or cities (Telegram allows 100 per message).
PAGE = 20


class CitiesCb(CallbackData, prefix="cy"):
    """side: by (Belarusian regions) or ru (Russian federal subjects); page of the list."""

    side: str
    page: int = 0


class CityRegionCb(CallbackData, prefix="cr"):
    """A region's cities; the region is named by one of its pairs (ids are short and stable)."""

    side: str
    pair: str
    page: int = 0


def label(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cities_home() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("🇧🇾 Belarusian regions"), callback_data=CitiesCb(side="by").pack()
        ),
        InlineKeyboardButton(
            text=_("🇷🇺 Russian regions"), callback_data=CitiesCb(side="ru").pack()
        ),
    )
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
    for name, pair_id in regions[page * PAGE : (page + 1) * PAGE]:
        b.button(text=label(name), callback_data=CityRegionCb(side=side, pair=pair_id))
    b.adjust(2)
    pages = max(1, -(-len(regions) // PAGE))
    _pager(b, page, pages, lambda p: CitiesCb(side=side, page=p).pack())
    b.row(
        InlineKeyboardButton(text=_("⬅️ Partner cities"), callback_data=CitiesCb(side="home").pack())
    )
    return b.as_markup()


def region_keyboard(
    side: str, region_pair: str, pairs: list[tuple[str, str]], page: int
) -> InlineKeyboardMarkup:
    """pairs: (button text, pair id)."""
    b = InlineKeyboardBuilder()
    for text, pair_id in pairs[page * PAGE : (page + 1) * PAGE]:
        b.row(InlineKeyboardButton(text=label(text), callback_data=CityCb(id=pair_id).pack()))
    pages = max(1, -(-len(pairs) // PAGE))
    _pager(b, page, pages, lambda p: CityRegionCb(side=side, pair=region_pair, page=p).pack())
    b.row(InlineKeyboardButton(text=_("⬅️ Regions"), callback_data=CitiesCb(side=side).pack()))
    return b.as_markup()


def city_card_keyboard(
    pair_ids: list[tuple[str, str]] | None = None,
    extra: list[InlineKeyboardButton] | None = None,
) -> InlineKeyboardMarkup:
    """Below a city card: the extra buttons (delegates of its cities), other pairs of the same
    city, the city list and the menu."""
    b = InlineKeyboardBuilder()
    for button in extra or []:
        b.row(button)
    for text, pair_id in (pair_ids or [])[:8]:
        b.row(InlineKeyboardButton(text=label(text), callback_data=CityCb(id=pair_id).pack()))
    b.row(
        InlineKeyboardButton(
            text=_("🤝 Partner cities"), callback_data=CitiesCb(side="home").pack()
        ),
        menu_button(_("☰ Menu"), "menu"),
    )
    return b.as_markup()
