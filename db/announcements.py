"""Announcements: what to send, to whom, when, and how far the sending got."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from db.base import Connection

# The most host parameters used in one IN (...) list; SQLite allows many more, this keeps
# each statement small.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    author_id: int | None
    content: dict[str, Any]  # {"default": "ru", "versions": {"ru": payload, ...}}
    audience: str
    audience_param: str
    urgent: bool
    status: str
    send_at: datetime | None
    total: int
    progress_message_id: int | None
    started_at: str | None
    queued_at: str | None
    finished_at: str | None
    created_at: str

    @property
    def ref(self) -> str:
        """The `ref` of its rows in the delivery queue."""
        return str(self.id)


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    language: str | None
    telegram_language: str | None


def _announcement(row: Any) -> Announcement:
    r = dict(row)
    r.pop("updated_at", None)
    r["content"] = json.loads(r["content"])
    r["urgent"] = bool(r["urgent"])
    r["send_at"] = datetime.fromisoformat(r["send_at"]) if r["send_at"] else None
    return Announcement(**r)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class AnnouncementRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def create(
        self,
        author_id: int,
        content: dict[str, Any],
        audience: str,
        audience_param: str,
        urgent: bool,
        status: str,
        send_at: datetime | None,
    ) -> int:
        now = self.db.now_iso()
        cur = await self.db.conn.execute(
            """INSERT INTO announcements (author_id, content, audience, audience_param, urgent,
                                          status, send_at, started_at, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                author_id,
                json.dumps(content, ensure_ascii=False),
                audience,
                audience_param,
                int(urgent),
                status,
                _iso(send_at) if send_at else None,
                now if status == "queuing" else None,  # sent at once: it starts now
                now,
                now,
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def get(self, announcement_id: int) -> Announcement | None:
        sql = "SELECT * FROM announcements WHERE id = ?"
        async with self.db.conn.execute(sql, (announcement_id,)) as cur:
            row = await cur.fetchone()
        return _announcement(row) if row else None

    async def with_status(self, *statuses: str) -> list[Announcement]:
        marks = ",".join("?" * len(statuses))
        sql = f"SELECT * FROM announcements WHERE status IN ({marks}) ORDER BY send_at, id"
        async with self.db.conn.execute(sql, statuses) as cur:
            return [_announcement(r) for r in await cur.fetchall()]

    async def move(self, announcement_id: int, from_statuses: Sequence[str], to: str) -> bool:
        """Change the status only from one of `from_statuses`; False if someone was first."""
        marks = ",".join("?" * len(from_statuses))
        extra = ""
        if to == "queuing":
            extra = ", started_at = coalesce(started_at, ?)"
        elif to in ("done", "stopped", "cancelled", "missed"):  # 'paused' is not the end
            extra = ", finished_at = ?"
        now = self.db.now_iso()
        params: list[Any] = [to, now]
        if extra:
            params.append(now)
        cur = await self.db.conn.execute(
            f"""UPDATE announcements SET status = ?, updated_at = ?{extra}
                WHERE id = ? AND status IN ({marks})""",
            (*params, announcement_id, *from_statuses),
        )
        return cur.rowcount == 1

    async def reschedule(self, announcement_id: int, send_at: datetime) -> bool:
        cur = await self.db.conn.execute(
            """UPDATE announcements SET send_at = ?, status = 'scheduled', updated_at = ?
               WHERE id = ? AND status IN ('scheduled', 'missed')""",
            (_iso(send_at), self.db.now_iso(), announcement_id),
        )
        return cur.rowcount == 1

    async def set_total(self, announcement_id: int, total: int) -> None:
        await self.db.conn.execute(
            "UPDATE announcements SET total = ?, updated_at = ? WHERE id = ?",
            (total, self.db.now_iso(), announcement_id),
        )

    async def set_queued(self, announcement_id: int) -> None:
        """Every recipient's delivery is queued: a resume need not queue again."""
        await self.db.conn.execute(
            "UPDATE announcements SET queued_at = ?, updated_at = ? WHERE id = ?",
            (self.db.now_iso(), self.db.now_iso(), announcement_id),
        )

    async def reopen(self, announcement_id: int, from_statuses: Sequence[str], to: str) -> bool:
        """A paused or stopped announcement goes on: the status moves and it is not finished."""
        marks = ",".join("?" * len(from_statuses))
        cur = await self.db.conn.execute(
            f"""UPDATE announcements SET status = ?, finished_at = NULL, updated_at = ?
                WHERE id = ? AND status IN ({marks})""",
            (to, self.db.now_iso(), announcement_id, *from_statuses),
        )
        return cur.rowcount == 1

    async def set_content(self, announcement_id: int, content: dict[str, Any]) -> bool:
        """New text for an announcement that has not gone out yet."""
        cur = await self.db.conn.execute(
            """UPDATE announcements SET content = ?, updated_at = ?
               WHERE id = ? AND status IN ('scheduled', 'missed')""",
            (json.dumps(content, ensure_ascii=False), self.db.now_iso(), announcement_id),
        )
        return cur.rowcount == 1

    async def clear_progress_message(self, announcement_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE announcements SET progress_message_id = NULL WHERE id = ?", (announcement_id,)
        )

    async def set_progress_message(self, announcement_id: int, message_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE announcements SET progress_message_id = ? WHERE id = ?",
            (message_id, announcement_id),
        )

    async def active_user_ids(self) -> list[int]:
        """Everyone who has not blocked the bot."""
        sql = "SELECT id FROM users WHERE blocked_at IS NULL ORDER BY id"
        async with self.db.conn.execute(sql) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def active_languages(self) -> list[Recipient]:
        sql = (
            "SELECT id, language, telegram_language FROM users WHERE blocked_at IS NULL ORDER BY id"
        )
        async with self.db.conn.execute(sql) as cur:
            return [Recipient(*r) for r in await cur.fetchall()]

    async def recipients(self, user_ids: Iterable[int], include_muted: bool) -> list[Recipient]:
        """Those of `user_ids` who can be sent an announcement now, with their languages."""
        ids = sorted(set(user_ids))
        found: list[Recipient] = []
        muted = "" if include_muted else " AND muted = 0"
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            marks = ",".join("?" * len(part))
            sql = (
                "SELECT id, language, telegram_language FROM users "
                f"WHERE id IN ({marks}) AND blocked_at IS NULL{muted} ORDER BY id"
            )
            async with self.db.conn.execute(sql, part) as cur:
                found.extend(Recipient(*r) for r in await cur.fetchall())
        return found

    async def forget_author(self, user_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE announcements SET author_id = NULL WHERE author_id = ?", (user_id,)
        )
