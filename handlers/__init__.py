"""The feature routers, in the order they see updates: the catch-alls come last."""

from __future__ import annotations

from aiogram import Router

from handlers import access, agenda, fallback, schedule, sections, settings, start


def routers() -> list[Router]:
    return [
        settings.router,
        schedule.router,
        sections.router,
        agenda.router,
        start.router,
        access.router,
        fallback.router,
    ]
