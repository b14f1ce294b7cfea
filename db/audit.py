"""The audit log: who did what among the organizers' actions, for the owners to read."""

from __future__ import annotations

from dataclasses import dataclass

from db.base import Connection, utcnow_iso


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor_id: int | None
    action: str
    details: str
    actor_name: str | None
    ref: str | None = None  # what the entry's buttons act on, e.g. edit:12


class AuditRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def add(
        self, actor_id: int | None, action: str, details: str = "", ref: str | None = None
    ) -> None:
        await self.db.conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, details, ref) VALUES (?, ?, ?, ?, ?)",
            (utcnow_iso(), actor_id, action, details[:1000], ref),
        )

    async def page(self, offset: int, limit: int) -> list[AuditEntry]:
        """Newest first, with the actor's name where the bot still knows them."""
        sql = """SELECT a.id, a.at, a.actor_id, a.action, a.details,
                        trim(u.first_name || ' ' || coalesce(u.last_name, '')) AS actor_name,
                        a.ref
                 FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
                 ORDER BY a.id DESC LIMIT ? OFFSET ?"""
        async with self.db.conn.execute(sql, (limit, offset)) as cur:
            return [AuditEntry(*r) for r in await cur.fetchall()]

    async def count(self) -> int:
        async with self.db.conn.execute("SELECT count(*) FROM audit_log") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM audit_log WHERE actor_id = ?", (user_id,))
