"""The feature routers, in the order they see updates: the catch-alls come last."""

from __future__ import annotations

from aiogram import Router

from handlers import access, admin, announcements, fallback, members, settings, start, team


def routers() -> list[Router]:
    return [
        settings.router,
        members.router,
        admin.router,
        team.router,
        announcements.router,
        start.router,
        access.router,
        fallback.router,
    ]
