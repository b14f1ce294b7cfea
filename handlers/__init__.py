"""The feature routers, in the order they see updates: the catch-alls come last."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    access,
    fallback,
    privacy,
    registration,
    registration_admin,
    settings,
    start,
)


def routers() -> list[Router]:
    return [
        settings.router,
        registration_admin.router,
        registration.router,
        privacy.router,
        start.router,
        access.router,
        fallback.router,
    ]
