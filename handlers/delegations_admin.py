"""/delegations for organizers: the pre-loaded delegations with one-time claim links, the
number of meetings per city pair (never their contents), and the agreements signed at this
forum by area."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.markdown import html_decoration as hd

from bot import deeplinks
from bot.filters import organizer_only
from bot.i18n import _, ngettext
from bot.keyboards.delegates import OrgDelegCb, delegations_keyboard, members_keyboard
from bot.services import agreements, cities
from bot.services.audit import audit
from bot.services.delegates import DelegateService, city_name
from bot.services.meetings import MeetingService
from bot.services.program import ProgramService
from db import Database
from db.users import User

router = Router(name=__name__)
organizer_only(router)


@router.message(Command("delegations"))
async def delegations_command(
    message: Message,
    db: Database,
    programs: ProgramService,
    meetings: MeetingService,
    locale: str,
) -> None:
    program = programs.program
    claimed = await db.delegates.claimed_members()
    profiles = await db.delegates.count_by_city()
    lines = [_("🤝 <b>Delegations</b>")]
    for d in program.delegations:
        taken = sum(1 for m in d.members if f"{d.id}/{m.id}" in claimed)
        lines.append(
            _("• {city}: {members}, {claimed} linked to a profile").format(
                city=hd.quote(city_name(program, d.city, locale)),
                members=ngettext("{n} member", "{n} members", len(d.members)).format(
                    n=len(d.members)
                ),
                claimed=taken,
            )
        )
    if not program.delegations:
        lines.append(_("The programme lists no delegations."))
    total = sum(profiles.values())
    lines += [
        "",
        ngettext("{n} delegate profile in all.", "{n} delegate profiles in all.", total).format(
            n=total
        ),
        "",
        _("<b>Meetings per city pair</b> (agreed / waiting for an answer):"),
    ]
    counts = await meetings.counts_per_pair()
    for pair_id, accepted, waiting in counts:
        pair = program.city_pair(pair_id)
        name = cities.pair_label(pair, locale) if pair else pair_id
        lines.append(f"• {hd.quote(name)}: {accepted} / {waiting}")
    if not counts:
        lines.append(_("No meetings yet."))
    lines += ["", _("<b>Agreements signed at this forum, by area</b>:")]
    signed = agreements.signed_here_by_area(program, locale)
    for area, count in signed:
        lines.append(f"• {hd.quote(area)}: {count}")
    if not signed:
        lines.append(_("None in the register."))
    buttons = [(city_name(program, d.city, locale), d.id) for d in program.delegations]
    if buttons:
        lines += [
            "",
            _("Open a delegation for one-time links its members use to claim their entry."),
        ]
    await message.answer(agreements.fit(lines), reply_markup=delegations_keyboard(buttons))


@router.callback_query(OrgDelegCb.filter(F.action == "deleg"))
async def delegation_members(
    callback: CallbackQuery,
    callback_data: OrgDelegCb,
    db: Database,
    programs: ProgramService,
    locale: str,
) -> None:
    program = programs.program
    delegation = program.delegation(callback_data.key)
    message = callback.message
    if delegation is None or not isinstance(message, Message):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    claimed = await db.delegates.claimed_members()
    lines = [
        _("<b>Delegation of {city}</b>").format(
            city=hd.quote(city_name(program, delegation.city, locale))
        )
    ]
    unclaimed = []
    for n, member in enumerate(delegation.members):
        mark = "✅" if f"{delegation.id}/{member.id}" in claimed else "▫️"
        role = _(" (head)") if member.head else ""
        position = f", {hd.quote(member.position.get(locale))}" if member.position else ""
        lines.append(f"{mark} {hd.quote(member.name.get(locale))}{role}{position}")
        if mark != "✅":
            unclaimed.append((member.name.get(locale), n))
    lines += ["", _("✅ linked to a delegate profile.")]
    await message.answer(
        agreements.fit(lines), reply_markup=members_keyboard(delegation.id, unclaimed)
    )


@router.callback_query(OrgDelegCb.filter(F.action == "claim"))
async def claim_link(
    callback: CallbackQuery,
    callback_data: OrgDelegCb,
    user: User,
    db: Database,
    bot: Bot,
    programs: ProgramService,
    delegates: DelegateService,
    locale: str,
) -> None:
    program = programs.program
    delegation = program.delegation(callback_data.key)
    message = callback.message
    if (
        delegation is None
        or not 0 <= callback_data.n < len(delegation.members)
        or not isinstance(message, Message)
    ):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    member = delegation.members[callback_data.n]
    key = f"{delegation.id}/{member.id}"
    if await db.delegates.by_member(key) is not None:
        await callback.answer(_("This entry is already linked to a profile."), show_alert=True)
        return
    async with db.transaction():
        token = await delegates.claim_link(key, user.id)
        await audit(db, user.id, "delegation.link", key)
    me = await bot.me()
    link = deeplinks.url(me.username or "", "delegate", token)
    await callback.answer()
    await message.answer(
        _(
            "🔗 One-time link for {name}: whoever opens it first gets the entry as their "
            "delegate profile. Send it to them only:\n{link}"
        ).format(name=hd.quote(member.name.get(locale)), link=hd.quote(link))
    )


@router.callback_query(OrgDelegCb.filter())
async def stale(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is out of date."), show_alert=True)
