"""Wires the youth meeting registration into the application."""

from __future__ import annotations

from aiogram import Bot, Dispatcher

from bot.clock import Clock
from bot.i18n import __
from bot.program.model import Program
from bot.scheduler import Scheduler
from bot.services.audiences import Audience, AudienceRegistry
from bot.services.notify import Notifier
from bot.services.program import ProgramService
from bot.services.registration import RegistrationService
from bot.services.registration_form import COUNTRY_CODES
from bot.services.registration_view import country_label
from db import Database


def setup(
    dp: Dispatcher,
    db: Database,
    notifier: Notifier,
    programs: ProgramService,
    audiences: AudienceRegistry,
    clock: Clock,
    scheduler: Scheduler,
    bot: Bot,
) -> RegistrationService:
    service = RegistrationService(db, notifier, clock, scheduler, bot)
    dp["registrations"] = service

    async def youth(db: Database, _param: str) -> list[int]:
        return await db.registrations.user_ids(("registered", "checked_in"))

    async def waiting(db: Database, _param: str) -> list[int]:
        return await db.registrations.user_ids(("waiting",))

    async def by_country(db: Database, country: str) -> list[int]:
        if country not in COUNTRY_CODES:
            return []
        return await db.registrations.user_ids(("registered", "checked_in"), country)

    audiences.add(Audience("youth", lambda: str(__("Youth meeting participants")), youth))
    audiences.add(Audience("wait", lambda: str(__("Youth meeting waiting list")), waiting))
    audiences.add(
        Audience(
            "country",
            lambda: str(__("Youth meeting participants by country")),
            by_country,
            choices=lambda: [(code, country_label(code)) for code in COUNTRY_CODES],
        )
    )

    async def promote() -> None:
        """At start-up: places freed meanwhile go to people on the waiting list, and the
        reminders of minors whose guardian has not answered are scheduled again."""
        reg = programs.program.registration
        if reg is not None:
            await service.promote(reg.capacity)
        await service.schedule_all_reminders()

    async def promote_after_reload(program: Program) -> None:
        # A larger capacity in a new program file lets people in from the waiting list.
        if program.registration is not None:
            await service.promote(program.registration.capacity)

    dp.startup.register(promote)
    programs.reload_hooks.append(promote_after_reload)
    return service
