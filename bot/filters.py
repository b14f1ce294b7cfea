"""Role filters, checked on every update from the user row loaded for that update."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import BaseFilter, Command
from aiogram.types import TelegramObject

from db.users import User

# Organizer-only callback data all start with this letter, so that a forged one is refused too.
ORGANIZER_PREFIX = "o"


class IsOrganizer(BaseFilter):
    async def __call__(self, event: TelegramObject, user: User | None = None) -> bool:
        return user is not None and user.is_organizer


class IsOwner(BaseFilter):
    async def __call__(self, event: TelegramObject, user: User | None = None) -> bool:
        return user is not None and user.is_owner


# The routers guarded by a role; their commands are the ones refused to everyone else.
_guarded: list[Router] = []


def organizer_only(router: Router) -> None:
    """Guard every message and button of `router` by the organizer role."""
    _guard(router, IsOrganizer())


def owner_only(router: Router) -> None:
    """Guard every message and button of `router` by the owner role."""
    _guard(router, IsOwner())


def _guard(router: Router, role: BaseFilter) -> None:
    router.message.filter(role)
    router.callback_query.filter(role)
    _guarded.append(router)


def guarded_commands() -> frozenset[str]:
    """The commands that the role-guarded routers handle, read from their handlers."""
    found: set[str] = set()
    for router in _guarded:
        for handler in router.message.handlers:
            for item in handler.filters or ():
                if isinstance(item.callback, Command):
                    found.update(c for c in item.callback.commands if isinstance(c, str))
    return frozenset(found)
