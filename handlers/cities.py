"""Partner cities: /cities, browsing by region, city cards, and `/start c-<pair>` links."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.markdown import html_decoration as hd

from bot.i18n import _
from bot.keyboards.cities import (
    PAGE,
    CitiesCb,
    CityRegionCb,
    cities_home,
    city_card_keyboard,
    region_keyboard,
    regions_keyboard,
)
from bot.keyboards.common import MenuCb
from bot.keyboards.links import CityCb
from bot.program.model import CityPair, Program
from bot.services import cities
from bot.services.program import ProgramService
from bot.services.search import SearchService, city_partners

logger = logging.getLogger(__name__)
router = Router(name=__name__)


async def send_pairs(
    message: Message, program: Program, pairs: list[CityPair], locale: str
) -> None:
    await message.answer(
        cities.pairs_text(pairs, locale),
        reply_markup=city_card_keyboard(program, pairs, locale),
    )


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("c-")))
async def city_link(
    message: Message, command: CommandObject, programs: ProgramService, locale: str
) -> None:
    pair = programs.program.city_pair((command.args or "")[2:])
    if pair is None:
        await message.answer(
            _("This link is out of date or not valid."), reply_markup=cities_home()
        )
        return
    await send_pairs(message, programs.program, [pair], locale)


@router.message(Command("cities"))
async def cities_command(
    message: Message,
    command: CommandObject,
    programs: ProgramService,
    search: SearchService,
    locale: str,
) -> None:
    program = programs.program
    query = (command.args or "").strip()
    if not query:
        await message.answer(cities.home_text(program, locale), reply_markup=cities_home())
        return
    pairs = city_partners(program, search.search(query, limit=8, kinds=("city",)))
    if not pairs:
        await message.answer(
            _("I know no partner city called “{query}”. Choose a region:").format(
                query=hd.quote(query[:100])
            ),
            reply_markup=cities_home(),
        )
        return
    await send_pairs(message, program, pairs, locale)


@router.callback_query(MenuCb.filter(F.action == "cities"))
async def cities_button(callback: CallbackQuery, programs: ProgramService, locale: str) -> None:
    await callback.answer()
    if callback.message and not isinstance(callback.message, InaccessibleMessage):
        await callback.message.answer(
            cities.home_text(programs.program, locale), reply_markup=cities_home()
        )


@router.callback_query(CitiesCb.filter())
async def side_chosen(
    callback: CallbackQuery, callback_data: CitiesCb, programs: ProgramService, locale: str
) -> None:
    program = programs.program
    message = callback.message
    if message is None or isinstance(message, InaccessibleMessage):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    if callback_data.side == "home":
        await callback.answer()
        await message.answer(cities.home_text(program, locale), reply_markup=cities_home())
        return
    if callback_data.side not in ("by", "ru"):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    found = cities.regions(program, callback_data.side, locale)
    page = callback_data.page
    if page < 0 or page * PAGE >= max(1, len(found)):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    title = _("Belarusian regions:") if callback_data.side == "by" else _("Russian regions:")
    await message.answer(title, reply_markup=regions_keyboard(callback_data.side, found, page))


@router.callback_query(CityRegionCb.filter())
async def region_chosen(
    callback: CallbackQuery, callback_data: CityRegionCb, programs: ProgramService, locale: str
) -> None:
    program = programs.program
    side = callback_data.side
    anchor = program.city_pair(callback_data.pair)
    message = callback.message
    if (
        anchor is None
        or side not in ("by", "ru")
        or message is None
        or isinstance(message, InaccessibleMessage)
    ):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    pairs = cities.pairs_in_region(program, side, anchor)
    page = callback_data.page
    if page < 0 or page * PAGE >= len(pairs):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    region = hd.quote(cities.region_of(anchor, side, locale))
    buttons = [(cities.pair_labels(p, locale, side), p.id) for p in pairs]
    await message.answer(
        _("<b>{region}</b>: partner cities").format(region=region),
        reply_markup=region_keyboard(side, anchor.id, buttons, page),
    )


@router.callback_query(CityCb.filter())
async def city_card(
    callback: CallbackQuery, callback_data: CityCb, programs: ProgramService, locale: str
) -> None:
    pair = programs.program.city_pair(callback_data.id)
    message = callback.message
    if pair is None or message is None or isinstance(message, InaccessibleMessage):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    await send_pairs(message, programs.program, [pair], locale)
