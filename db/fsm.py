"""Conversation state of aiogram's FSM, so that a restart mid-dialogue loses nothing."""

from __future__ import annotations

import json
from typing import Any

from db.base import Connection


class FsmRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        sql = "SELECT state, data FROM fsm WHERE key = ?"
        async with self.db.conn.execute(sql, (key,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return None, {}
        return row["state"], json.loads(row["data"])

    async def set_state(self, key: str, state: str | None) -> None:
        await self.db.conn.execute(
            """INSERT INTO fsm (key, state) VALUES (?, ?)
               ON CONFLICT (key) DO UPDATE SET state = excluded.state""",
            (key, state),
        )
        await self._drop_empty(key)

    async def set_data(self, key: str, data: dict[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False, default=str)
        await self.db.conn.execute(
            """INSERT INTO fsm (key, data) VALUES (?, ?)
               ON CONFLICT (key) DO UPDATE SET data = excluded.data""",
            (key, payload),
        )
        await self._drop_empty(key)

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute(
            "DELETE FROM fsm WHERE key LIKE ?", (f"%:{user_id}:{user_id}:%",)
        )

    async def _drop_empty(self, key: str) -> None:
        await self.db.conn.execute(
            "DELETE FROM fsm WHERE key = ? AND state IS NULL AND data = '{}'", (key,)
        )
