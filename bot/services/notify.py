"""Telling a person something in their language, through the delivery engine.

Every feature that writes to someone who is not the sender of the current update (reminders,
digests, programme changes, answers, announcements, reports to organizers) builds its messages
here: the text is rendered in the reader's locale and queued as a delivery, which the engine
sends at Telegram's pace and keeps across restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from enum import IntEnum
from typing import Any, Protocol

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.i18n import in_locale, locale_for
from bot.services.delivery import DeliveryEngine
from db import Database
from db.deliveries import NewDelivery

Payload = dict[str, Any]


class Priority(IntEnum):
    """Which queued messages the engine sends first when many are due."""

    BULK = 0  # digests, ordinary announcements
    CHANGE = 3  # a saved session moved or was cancelled
    URGENT = 5  # reminders, answers, registration news, urgent announcements, organizer notices


class Reader(Protocol):
    """Anyone whose language the bot knows: a user row or a recipient row."""

    @property
    def language(self) -> str | None: ...

    @property
    def telegram_language(self) -> str | None: ...


def text_payload(text: str, markup: InlineKeyboardMarkup | None = None) -> Payload:
    """A queued text message; the markup is stored as the Bot API's JSON."""
    payload: Payload = {"kind": "text", "text": text}
    if markup is not None:
        payload["reply_markup"] = markup.model_dump(mode="json", exclude_none=True)
    return payload


class Notifier:
    def __init__(
        self, db: Database, engine: DeliveryEngine, i18n: I18n, default_locale: str
    ) -> None:
        self.db = db
        self.engine = engine
        self.i18n = i18n
        self.default_locale = default_locale

    def locale_of(self, reader: Reader | None) -> str:
        """The language the person reads: chosen, else Telegram's, else the default."""
        if reader is None:
            return self.default_locale
        return locale_for(reader.language, reader.telegram_language, self.default_locale)

    @contextmanager
    def speaking(self, locale: str) -> Iterator[str]:
        """Translate into `locale` inside the block, whoever sent the current update."""
        with in_locale(self.i18n, locale):
            yield locale

    def speaking_to(self, reader: Reader | None) -> AbstractContextManager[str]:
        """Translate for this person inside the block; yields their locale."""
        return self.speaking(self.locale_of(reader))

    def message(
        self,
        user_id: int,
        reader: Reader | None,
        kind: str,
        content: Callable[[str], Payload],
        *,
        ref: str | None = None,
        key: str | None = None,
        priority: Priority = Priority.BULK,
    ) -> NewDelivery:
        """One message to one person: `content(locale)` runs in the reader's locale, so its
        gettext calls, dates and keyboards come out in their language. `key` deduplicates."""
        with self.speaking_to(reader) as locale:
            payload = content(locale)
        return NewDelivery(user_id, kind, payload, ref=ref, dedup_key=key, priority=int(priority))

    async def queue(self, messages: Iterable[NewDelivery]) -> int:
        """Queue the messages in the caller's transaction and wake the engine; returns how
        many were new (a repeated dedup key is skipped)."""
        items = list(messages)
        if not items:
            return 0
        count = await self.db.deliveries.enqueue(items)
        if count:
            self.engine.wake()
        return count
