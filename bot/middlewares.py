"""Per-update context: the user's row and the reader's locale."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.i18n import locale_for
from db import Database
from db.users import User

logger = logging.getLogger(__name__)

# last_seen is refreshed at most this often, so that a busy user costs no write per update.
SEEN_REFRESH = timedelta(minutes=10)


def _needs_write(row: User | None, tg: TgUser, owner: bool, now: datetime) -> bool:
    if row is None or row.blocked_at is not None:
        return True
    if (row.first_name, row.last_name, row.username, row.telegram_language) != (
        tg.first_name,
        tg.last_name,
        tg.username,
        tg.language_code,
    ):
        return True
    if owner != row.is_owner:
        return True
    seen = datetime.fromisoformat(row.last_seen)
    return now - seen > SEEN_REFRESH


class UserMiddleware(BaseMiddleware):
    """Loads or creates the user row of whoever sent the update (outer, on updates)."""

    def __init__(self, owner_ids: frozenset[int]) -> None:
        self.owner_ids = owner_ids

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None or tg_user.is_bot:
            return await handler(event, data)
        db: Database = data["db"]
        row = await db.users.get(tg_user.id)
        owner = tg_user.id in self.owner_ids
        if _needs_write(row, tg_user, owner, db.connection.now()):
            async with db.transaction():
                row = await db.users.upsert_seen(
                    tg_user.id,
                    tg_user.first_name,
                    tg_user.last_name,
                    tg_user.username,
                    tg_user.language_code,
                    role_if_new="owner" if owner else "participant",
                )
                if owner != row.is_owner:
                    # ADMIN_IDS is the truth about owners; a removed owner stays an organizer.
                    await db.users.set_role(tg_user.id, "owner" if owner else "organizer")
                    row = await db.users.get(tg_user.id)
        data["user"] = row
        return await handler(event, data)


class LocaleMiddleware(I18nMiddleware):
    """The stored language, else Telegram's language_code; also exposes `locale` to handlers."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n=i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("user")
        tg_user: TgUser | None = data.get("event_from_user")
        locale = locale_for(
            user.language if user else None,
            user.telegram_language if user else (tg_user.language_code if tg_user else None),
            self.i18n.default_locale,
        )
        data["locale"] = locale
        return locale
