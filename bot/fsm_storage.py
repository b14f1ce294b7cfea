"""aiogram FSM storage on the bot's SQLite database, so dialogues survive a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from db import Database


def storage_key(key: StorageKey) -> str:
    """bot:chat:user:thread:destiny — the user id in third place lets /forget find its rows."""
    thread = key.thread_id or 0
    return f"{key.bot_id}:{key.chat_id}:{key.user_id}:{thread}:{key.destiny}"


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self.db.transaction():
            await self.db.fsm.set_state(storage_key(key), value)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self.db.fsm.get(storage_key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self.db.transaction():
            await self.db.fsm.set_data(storage_key(key), dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self.db.fsm.get(storage_key(key))
        return data

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""
