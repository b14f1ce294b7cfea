"""aiogram FSM storage on the bot's SQLite database, so dialogues survive a restart."""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from db import Database

# Every update asks for the sender's state; most people are in none. Remembering the rows of
# recently active people saves a database round trip per update. The process is the only
# writer of this table, so the copy in memory cannot go stale.
CACHE_SIZE = 10_000


def storage_key(key: StorageKey) -> str:
    """bot:chat:user:thread:destiny — the user id in third place lets /forget find its rows."""
    thread = key.thread_id or 0
    return f"{key.bot_id}:{key.chat_id}:{key.user_id}:{thread}:{key.destiny}"


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: OrderedDict[str, tuple[str | None, dict[str, Any]]] = OrderedDict()

    async def _load(self, key: str) -> tuple[str | None, dict[str, Any]]:
        found = self._cache.get(key)
        if found is None:
            found = await self.db.fsm.get(key)
            self._remember(key, found)
        else:
            self._cache.move_to_end(key)
        return found

    def _remember(self, key: str, value: tuple[str | None, dict[str, Any]]) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def forget(self, user_id: int) -> None:
        """Drop a person's cached rows (after /forget deleted them from the database)."""
        for key in [k for k in self._cache if k.split(":")[2] == str(user_id)]:
            del self._cache[key]

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        name = storage_key(key)
        _, data = await self._load(name)
        async with self.db.transaction():
            await self.db.fsm.set_state(name, value)
        self._remember(name, (value, data))

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._load(storage_key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = storage_key(key)
        state, _ = await self._load(name)
        fresh = copy.deepcopy(dict(data))
        async with self.db.transaction():
            await self.db.fsm.set_data(name, fresh)
        self._remember(name, (state, fresh))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._load(storage_key(key))
        return copy.deepcopy(data)

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""
