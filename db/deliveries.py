"""The delivery queue: one row per message to one person, the source of truth across restarts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.base import Connection, iso_utc

FINAL_STATUSES = ("sent", "failed", "blocked", "cancelled")


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    user_id: int
    kind: str
    ref: str | None
    dedup_key: str | None
    payload: dict[str, Any]
    status: str
    priority: int
    not_before: str
    attempts: int
    message_id: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class NewDelivery:
    user_id: int
    kind: str
    payload: dict[str, Any]
    ref: str | None = None
    dedup_key: str | None = None
    not_before: datetime | None = None
    priority: int = 0


@dataclass(frozen=True, slots=True)
class QueueState:
    pending: int
    due: int
    sending: int
    oldest_due: str | None  # not_before of the longest-waiting due row, ISO UTC
    last_finished: str | None  # when a delivery was last sent (or given up), ISO UTC


def _delivery(row: Any) -> Delivery:
    r = dict(row)
    r["payload"] = json.loads(r["payload"])
    r.pop("created_at", None)
    r.pop("updated_at", None)
    return Delivery(**r)


class DeliveryRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def enqueue(self, items: Iterable[NewDelivery]) -> int:
        """Queue messages; one whose dedup_key was queued before is skipped. Returns how many."""
        now = self.db.now_iso()
        rows = [
            (
                d.user_id,
                d.kind,
                d.ref,
                d.dedup_key,
                json.dumps(d.payload, ensure_ascii=False),
                d.priority,
                iso_utc(d.not_before) if d.not_before else now,
                now,
                now,
            )
            for d in items
        ]
        before = self.db.conn.total_changes
        await self.db.conn.executemany(
            """INSERT OR IGNORE INTO deliveries
               (user_id, kind, ref, dedup_key, payload, priority, not_before, created_at,
                updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
        return self.db.conn.total_changes - before

    async def claim_due(self, now: datetime, limit: int) -> list[Delivery]:
        """Mark up to `limit` due pending rows as sending and return them, most urgent first.

        Rows of a held group (paused or stopped) stay where they are.
        """
        async with self.db.conn.execute(
            """UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ?
               WHERE id IN (SELECT d.id FROM deliveries d
                            WHERE d.status = 'pending' AND d.not_before <= ?
                              AND NOT EXISTS (SELECT 1 FROM delivery_holds h
                                              WHERE h.kind = d.kind AND h.ref = d.ref)
                            ORDER BY d.priority DESC, d.not_before, d.id LIMIT ?)
               RETURNING *""",
            (self.db.now_iso(), iso_utc(now), limit),
        ) as cur:
            rows = await cur.fetchall()
        found = [_delivery(r) for r in rows]
        found.sort(key=lambda d: (-d.priority, d.not_before, d.id))
        return found

    async def release_in_flight(self) -> int:
        """At start: rows left 'sending' by a crash go back to the queue (sent at most twice)."""
        cur = await self.db.conn.execute(
            "UPDATE deliveries SET status = 'pending', updated_at = ? WHERE status = 'sending'",
            (self.db.now_iso(),),
        )
        return cur.rowcount

    async def release(self, delivery_ids: Iterable[int]) -> None:
        """Rows claimed but never sent (the engine stopped first) go back to the queue."""
        await self.db.conn.executemany(
            """UPDATE deliveries SET status = 'pending', attempts = max(0, attempts - 1),
                                     updated_at = ?
               WHERE id = ? AND status = 'sending'""",
            [(self.db.now_iso(), i) for i in delivery_ids],
        )

    async def mark_sent(self, delivery_id: int, message_id: int | None) -> None:
        await self._finish(delivery_id, "sent", message_id=message_id)

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self._finish(delivery_id, "failed", error=error[:500])

    async def mark_blocked(self, delivery_id: int) -> None:
        await self._finish(delivery_id, "blocked", error="blocked by the user")

    async def retry_later(self, delivery_id: int, when: datetime, error: str) -> None:
        await self.db.conn.execute(
            """UPDATE deliveries SET status = 'pending', not_before = ?, error = ?, updated_at = ?
               WHERE id = ?""",
            (iso_utc(when), error[:500], self.db.now_iso(), delivery_id),
        )

    async def cancel(self, kind: str, ref: str) -> int:
        cur = await self.db.conn.execute(
            """UPDATE deliveries SET status = 'cancelled', updated_at = ?
               WHERE kind = ? AND ref = ? AND status = 'pending'""",
            (self.db.now_iso(), kind, ref),
        )
        return cur.rowcount

    async def cancel_one(self, delivery_id: int) -> None:
        """A claimed row of a stopped group: never sent."""
        await self._finish(delivery_id, "cancelled", error="stopped before sending")

    async def uncancel(self, kind: str, ref: str, now: datetime) -> int:
        """The cancelled rows of a group are queued again (a stopped broadcast resumed)."""
        cur = await self.db.conn.execute(
            """UPDATE deliveries SET status = 'pending', not_before = ?, error = NULL,
                                     updated_at = ?
               WHERE kind = ? AND ref = ? AND status = 'cancelled'""",
            (iso_utc(now), self.db.now_iso(), kind, ref),
        )
        return cur.rowcount

    async def hold(self, kind: str, ref: str, how: str) -> None:
        """Hold a group: its rows are not claimed until `unhold` ("pause" or "stop")."""
        await self.db.conn.execute(
            """INSERT INTO delivery_holds (kind, ref, how, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (kind, ref) DO UPDATE SET how = excluded.how""",
            (kind, ref, how, self.db.now_iso()),
        )

    async def unhold(self, kind: str, ref: str) -> None:
        await self.db.conn.execute(
            "DELETE FROM delivery_holds WHERE kind = ? AND ref = ?", (kind, ref)
        )

    async def holds(self) -> dict[tuple[str, str], str]:
        """Every held group: (kind, ref) -> "pause" or "stop"."""
        async with self.db.conn.execute("SELECT kind, ref, how FROM delivery_holds") as cur:
            return {(r[0], r[1]): r[2] for r in await cur.fetchall()}

    async def next_due(self) -> datetime | None:
        sql = """SELECT min(d.not_before) FROM deliveries d
                 WHERE d.status = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM delivery_holds h
                                   WHERE h.kind = d.kind AND h.ref = d.ref)"""
        async with self.db.conn.execute(sql) as cur:
            row = await cur.fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def counts(self, kind: str, ref: str) -> dict[str, int]:
        sql = "SELECT status, count(*) FROM deliveries WHERE kind = ? AND ref = ? GROUP BY status"
        async with self.db.conn.execute(sql, (kind, ref)) as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM deliveries WHERE user_id = ?", (user_id,))

    async def queue_state(self, now: datetime) -> QueueState:
        """How the queue stands, for /healthz."""
        sql = """SELECT
                   count(*) FILTER (WHERE status = 'pending'),
                   count(*) FILTER (WHERE status = 'pending' AND not_before <= ?),
                   count(*) FILTER (WHERE status = 'sending'),
                   min(not_before) FILTER (WHERE status = 'pending' AND not_before <= ?),
                   max(updated_at) FILTER (WHERE status IN ('sent', 'failed', 'blocked'))
                 FROM deliveries"""
        due_by = iso_utc(now)
        async with self.db.conn.execute(sql, (due_by, due_by)) as cur:
            row = await cur.fetchone()
        assert row is not None
        return QueueState(row[0], row[1], row[2], row[3], row[4])

    async def _finish(
        self, delivery_id: int, status: str, message_id: int | None = None, error: str | None = None
    ) -> None:
        await self.db.conn.execute(
            """UPDATE deliveries SET status = ?, message_id = ?, error = ?, updated_at = ?
               WHERE id = ?""",
            (status, message_id, error, self.db.now_iso(), delivery_id),
        )
