"""Conversation state of aiogram's FSM, so that a restart mid-dialogue loses nothing."""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from typing import Any

from db.base import Connection

Row = tuple[str | None, dict[str, Any]]


class FsmRepo:
    """State rows by key, with the `cache_size` most recently used ones kept in memory.

    Every update asks for its sender's state, and most people are in none: the copy in memory
    saves a database round trip per update. All writes go through this class, so the copy is
    never stale; a rolled-back transaction empties it.
    """

    def __init__(self, db: Connection, cache_size: int = 5000) -> None:
        self.db = db
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Row] = OrderedDict()
        db.rollback_listeners.append(self._cache.clear)

    async def get(self, key: str) -> Row:
        found = self._cache.get(key)
        if found is None:
            sql = "SELECT state, data FROM fsm WHERE key = ?"
            async with self.db.conn.execute(sql, (key,)) as cur:
                row = await cur.fetchone()
            found = (None, {}) if row is None else (row["state"], json.loads(row["data"]))
            self._remember(key, found)
        else:
            self._cache.move_to_end(key)
        return found[0], copy.deepcopy(found[1])

    async def set_state(self, key: str, state: str | None) -> None:
        await self.db.conn.execute(
            """INSERT INTO fsm (key, state) VALUES (?, ?)
               ON CONFLICT (key) DO UPDATE SET state = excluded.state""",
            (key, state),
        )
        if state is None:  # only then can the row have become empty: spare a round trip
            await self._drop_empty(key)
        cached = self._cache.get(key)
        if cached is not None:  # write through: the next update's read needs no round trip
            self._cache[key] = (state, cached[1])

    async def set_data(self, key: str, data: dict[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False, default=str)
        await self.db.conn.execute(
            """INSERT INTO fsm (key, data) VALUES (?, ?)
               ON CONFLICT (key) DO UPDATE SET data = excluded.data""",
            (key, payload),
        )
        if not data:
            await self._drop_empty(key)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache[key] = (cached[0], json.loads(payload))

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute(
            "DELETE FROM fsm WHERE key LIKE ?", (f"%:{user_id}:{user_id}:%",)
        )
        self._cache.clear()

    def _remember(self, key: str, row: Row) -> None:
        if self.cache_size <= 0:
            return
        self._cache[key] = row
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def _drop_empty(self, key: str) -> None:
        await self.db.conn.execute(
            "DELETE FROM fsm WHERE key = ? AND state IS NULL AND data = '{}'", (key,)
        )
