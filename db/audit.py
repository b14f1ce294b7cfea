"""The audit log: who did what among the organizers' actions, for the owners to read."""

from __future__ import annotations

from dataclasses import dataclass

from db.base import Connection


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor_id: int | None
    action: str
    details: str  # codes and numbers, never a person's name
    actor_name: str | None
    subject_id: int | None = None  # the person the action was about
    subject_name: str | None = None
    ref: str | None = None  # what the entry's buttons act on, e.g. edit:12


class AuditRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def add(
        self,
        actor_id: int | None,
        action: str,
        details: str = "",
        subject_id: int | None = None,
        ref: str | None = None,
    ) -> None:
        await self.db.conn.execute(
            """INSERT INTO audit_log (at, actor_id, action, details, subject_id, ref)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (self.db.now_iso(), actor_id, action, details[:1000], subject_id, ref),
        )

    async def page(self, offset: int, limit: int) -> list[AuditEntry]:
        """Newest first, with the names of the actor and the subject where the bot still
        knows them (a forgotten person's name is gone with their user row)."""
        sql = """SELECT a.id, a.at, a.actor_id, a.action, a.details,
                        trim(u.first_name || ' ' || coalesce(u.last_name, '')) AS actor_name,
                        a.subject_id,
                        trim(s.first_name || ' ' || coalesce(s.last_name, '')) AS subject_name,
                        a.ref
                 FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
                 LEFT JOIN users s ON s.id = a.subject_id
                 ORDER BY a.id DESC LIMIT ? OFFSET ?"""
        async with self.db.conn.execute(sql, (limit, offset)) as cur:
            return [AuditEntry(*r) for r in await cur.fetchall()]

    async def count(self) -> int:
        async with self.db.conn.execute("SELECT count(*) FROM audit_log") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM audit_log WHERE actor_id = ?", (user_id,))
        await self.db.conn.execute(
            "UPDATE audit_log SET subject_id = NULL WHERE subject_id = ?", (user_id,)
        )
