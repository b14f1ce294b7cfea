"""Wires the youth meeting registration into the application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import __
from bot.program.model import Program
from bot.services.audiences import Audience
from bot.services.registration import RegistrationService
from bot.services.registration_form import COUNTRY_CODES
from bot.services.registration_view import country_label
from db import Database

if TYPE_CHECKING:
    from bot.app import App


async def setup(app: App) -> None:
    service = RegistrationService(
        app.db,
        app.engine,
        app.i18n,
        app.clock,
        app.settings.default_locale,
        app.scheduler,
        app.bot,
    )
    app.dp["registrations"] = service

    async def youth(db: Database, _param: str) -> list[int]:
        return await db.registrations.user_ids(("registered", "checked_in"))

    async def waiting(db: Database, _param: str) -> list[int]:
        return await db.registrations.user_ids(("waiting",))

    async def by_country(db: Database, country: str) -> list[int]:
        if country not in COUNTRY_CODES:
            return []
        return await db.registrations.user_ids(("registered", "checked_in"), country)

    app.audiences.add(Audience("youth", lambda: str(__("Youth meeting participants")), youth))
    app.audiences.add(Audience("wait", lambda: str(__("Youth meeting waiting list")), waiting))
    app.audiences.add(
        Audience(
            "country",
            lambda: str(__("Youth meeting participants by country")),
            by_country,
            choices=lambda: [(code, country_label(code)) for code in COUNTRY_CODES],
        )
    )

    async def promote(_app: App) -> None:
        reg = app.programs.program.registration
        if reg is not None:
            await service.promote(reg.capacity)
        await service.schedule_all_reminders()

    async def promote_after_reload(program: Program) -> None:
        # A larger capacity in a new program file lets people in from the waiting list.
        if program.registration is not None:
            await service.promote(program.registration.capacity)

    app.startup_hooks.append(promote)
    app.programs.reload_hooks.append(promote_after_reload)
