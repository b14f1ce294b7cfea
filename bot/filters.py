"""Role filters, checked on every update from the user row loaded for that update."""

from __future__ import annotations

from typing import Any

from aiogram.filters import BaseFilter
from aiogram.types import TelegramObject

from db.users import User

# Commands only organizers may use; a participant who sends one is refused (handlers/access.py).
ORGANIZER_COMMANDS = frozenset(
    {
        "admin",
        "announce",
        "announcements",
        "team",
        "audit",
        "inbox",
        "stats",
        "export",
        "checkin",
        "registrations",
        "import",
        "program",
    }
)
# Organizer-only callback data all start with this letter, so that a forged one is refused too.
ORGANIZER_PREFIX = "o"


class IsOrganizer(BaseFilter):
    async def __call__(self, event: TelegramObject, user: User | None = None) -> bool:
        return user is not None and user.is_organizer


class IsOwner(BaseFilter):
    async def __call__(self, event: TelegramObject, user: User | None = None) -> bool:
        return user is not None and user.is_owner


def organizer_only(router: Any) -> None:
    """Guard every message and button of `router` by the organizer role."""
    router.message.filter(IsOrganizer())
    router.callback_query.filter(IsOrganizer())
