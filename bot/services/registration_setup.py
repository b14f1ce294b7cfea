"""Wires the youth meeting registration into the application."""

from __future__ import annotations

from aiogram import Dispatcher

from bot.i18n import __
from bot.program.model import Program
from bot.services.audiences import Audience, AudienceRegistry
from bot.services.notify import Notifier
from bot.services.program import ProgramService
from bot.services.registration import COUNTRIES, RegistrationService, country_label
from db import Database


def setup(
    dp: Dispatcher,
    db: Database,
    notifier: Notifier,
    programs: ProgramService,
    audiences: AudienceRegistry,
) -> RegistrationService:
    service = RegistrationService(db, notifier)
    dp["registrations"] = service

    async def youth(db: Database, _param: str) -> list[int]:
        return await db.registrations.user_ids(("registered", "checked_in"))

    async def waiting(db: Database, _param: str) -> list[int]:
        return await db.registrations.user_ids(("waiting",))

    async def by_country(db: Database, country: str) -> list[int]:
        if country not in COUNTRIES:
            return []
        return await db.registrations.user_ids(("registered", "checked_in"), country)

    audiences.add(Audience("youth", lambda: str(__("Youth meeting participants")), youth))
    audiences.add(Audience("wait", lambda: str(__("Youth meeting waiting list")), waiting))
    audiences.add(
        Audience(
            "country",
            lambda: str(__("Youth meeting participants by country")),
            by_country,
            choices=lambda: [(code, country_label(code)) for code in COUNTRIES],
        )
    )

    async def promote() -> None:
        """At start-up: places freed meanwhile go to people on the waiting list."""
        reg = programs.program.registration
        if reg is not None:
            await service.promote(reg.capacity)

    async def promote_after_reload(program: Program) -> None:
        # A larger capacity in a new program file lets people in from the waiting list.
        if program.registration is not None:
            await service.promote(program.registration.capacity)

    dp.startup.register(promote)
    programs.reload_hooks.append(promote_after_reload)
    return service
