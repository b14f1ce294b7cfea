"""Who an announcement can go to. Features register their audiences here.

The announcements feature offers every registered audience to organizers; the feature that
owns the data (agenda, registration...) owns the query behind it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from db import Database

# (db, parameter) -> user ids; the parameter is e.g. a section id, a session id, a country.
Resolver = Callable[[Database, str], Awaitable[list[int]]]
# The parameter's choices as (value, label in the current locale), for the organizer's buttons.
Choices = Callable[[], list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Audience:
    key: str  # short, goes into callback data: "all", "lang", "youth", "wait", "sec", "ses"...
    label: Callable[[], str]  # the name in the current locale (call inside a locale context)
    resolve: Resolver
    choices: Choices | None = None  # None: the audience takes no parameter


class AudienceRegistry:
    def __init__(self) -> None:
        self._items: dict[str, Audience] = {}

    def add(self, audience: Audience) -> None:
        if audience.key in self._items:
            raise ValueError(f"audience {audience.key!r} registered twice")
        self._items[audience.key] = audience

    def get(self, key: str) -> Audience | None:
        return self._items.get(key)

    def all(self) -> list[Audience]:
        return list(self._items.values())
