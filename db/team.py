"""One-time invite links that make an organizer."""

from __future__ import annotations

from datetime import UTC, datetime

from db.base import Connection


class InviteRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def create(self, token: str, created_by: int, expires_at: datetime) -> None:
        await self.db.conn.execute(
            "INSERT INTO invites (token, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (token, created_by, self.db.now_iso(), expires_at.astimezone(UTC).isoformat()),
        )

    async def use(self, token: str, user_id: int, now: datetime) -> int | None:
        """Spend an unused, unexpired invite; returns who created it, or None."""
        async with self.db.conn.execute(
            """UPDATE invites SET used_by = ?, used_at = ?
               WHERE token = ? AND used_by IS NULL AND expires_at > ?
               RETURNING created_by""",
            (user_id, self.db.now_iso(), token, now.astimezone(UTC).isoformat()),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else None

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute(
            "DELETE FROM invites WHERE created_by = ? OR used_by = ?", (user_id, user_id)
        )
