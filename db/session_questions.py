"""Questions to the speakers: questions, votes, mutes, moderators and their invites, and the
lists people have open (edited in place when they change)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from db.base import Connection

STATUSES = ("held", "open", "answered", "hidden")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class SessionQuestion:
    id: int
    session_id: str
    user_id: int
    text: str
    anonymous: bool
    status: str
    pinned: bool
    created_at: str
    votes: int
    author_name: str  # the author's name in Telegram, "" once they are forgotten


@dataclass(frozen=True, slots=True)
class View:
    user_id: int
    kind: str  # list, mod, poll
    ref: str
    message_id: int
    shown: str


_SELECT = """SELECT q.id, q.session_id, q.user_id, q.text, q.anonymous, q.status, q.pinned,
                    q.created_at,
                    (SELECT count(*) FROM session_question_votes v WHERE v.question_id = q.id),
                    trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, ''))
             FROM session_questions q LEFT JOIN users u ON u.id = q.user_id"""


def _question(row: object) -> SessionQuestion:
    r = tuple(row)  # type: ignore[call-overload]
    return SessionQuestion(
        r[0], r[1], r[2], r[3], bool(r[4]), r[5], bool(r[6]), r[7], int(r[8]), r[9] or ""
    )


class SessionQuestionRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    # -- questions

    async def add(
        self, session_id: str, user_id: int, text: str, anonymous: bool, status: str, now: datetime
    ) -> int:
        if status not in STATUSES:
            raise ValueError(status)
        async with self.db.conn.execute(
            """INSERT INTO session_questions
               (session_id, user_id, text, anonymous, status, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (session_id, user_id, text, int(anonymous), status, _iso(now), self.db.now_iso()),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def get(self, question_id: int) -> SessionQuestion | None:
        async with self.db.conn.execute(f"{_SELECT} WHERE q.id = ?", (question_id,)) as cur:
            row = await cur.fetchone()
        return _question(row) if row else None

    async def of_session(
        self, session_id: str, statuses: tuple[str, ...] = ("open", "answered")
    ) -> list[SessionQuestion]:
        """Pinned first, then by votes (most first), then oldest first."""
        marks = ",".join("?" * len(statuses))
        sql = f"""{_SELECT} WHERE q.session_id = ? AND q.status IN ({marks})
                  ORDER BY q.pinned DESC, 9 DESC, q.id"""
        async with self.db.conn.execute(sql, (session_id, *statuses)) as cur:
            return [_question(r) for r in await cur.fetchall()]

    async def last_asked(self, user_id: int) -> datetime | None:
        sql = "SELECT max(created_at) FROM session_questions WHERE user_id = ?"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            row = await cur.fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def set_status(self, question_id: int, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(status)
        await self.db.conn.execute(
            "UPDATE session_questions SET status = ?, updated_at = ? WHERE id = ?",
            (status, self.db.now_iso(), question_id),
        )

    async def set_pinned(self, question_id: int, pinned: bool) -> None:
        await self.db.conn.execute(
            "UPDATE session_questions SET pinned = ?, updated_at = ? WHERE id = ?",
            (int(pinned), self.db.now_iso(), question_id),
        )

    async def of_user(self, user_id: int) -> list[SessionQuestion]:
        sql = f"{_SELECT} WHERE q.user_id = ? ORDER BY q.id"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return [_question(r) for r in await cur.fetchall()]

    # -- votes

    async def vote(self, question_id: int, user_id: int) -> bool:
        """True if this is the person's first vote for the question."""
        before = self.db.conn.total_changes
        await self.db.conn.execute(
            """INSERT OR IGNORE INTO session_question_votes (question_id, user_id, created_at)
               VALUES (?, ?, ?)""",
            (question_id, user_id, self.db.now_iso()),
        )
        return self.db.conn.total_changes > before

    async def voted(self, user_id: int, session_id: str) -> set[int]:
        sql = """SELECT v.question_id FROM session_question_votes v
                 JOIN session_questions q ON q.id = v.question_id
                 WHERE v.user_id = ? AND q.session_id = ?"""
        async with self.db.conn.execute(sql, (user_id, session_id)) as cur:
            return {int(r[0]) for r in await cur.fetchall()}

    async def votes_of_user(self, user_id: int) -> list[dict[str, object]]:
        sql = """SELECT v.question_id, q.session_id, v.created_at FROM session_question_votes v
                 JOIN session_questions q ON q.id = v.question_id WHERE v.user_id = ?
                 ORDER BY v.created_at"""
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return [
                {"question_id": r[0], "session_id": r[1], "at": r[2]} for r in await cur.fetchall()
            ]

    # -- mutes

    async def mute(self, session_id: str, user_id: int, by: int) -> bool:
        before = self.db.conn.total_changes
        await self.db.conn.execute(
            """INSERT OR IGNORE INTO session_mutes (session_id, user_id, muted_by, created_at)
               VALUES (?, ?, ?, ?)""",
            (session_id, user_id, by, self.db.now_iso()),
        )
        return self.db.conn.total_changes > before

    async def is_muted(self, session_id: str, user_id: int) -> bool:
        sql = "SELECT 1 FROM session_mutes WHERE session_id = ? AND user_id = ?"
        async with self.db.conn.execute(sql, (session_id, user_id)) as cur:
            return await cur.fetchone() is not None

    # -- moderators

    async def add_moderator(self, session_id: str, user_id: int, by: int | None) -> None:
        await self.db.conn.execute(
            """INSERT OR IGNORE INTO session_moderators (session_id, user_id, added_by, added_at)
               VALUES (?, ?, ?, ?)""",
            (session_id, user_id, by, self.db.now_iso()),
        )

    async def is_moderator(self, session_id: str, user_id: int) -> bool:
        sql = "SELECT 1 FROM session_moderators WHERE session_id = ? AND user_id = ?"
        async with self.db.conn.execute(sql, (session_id, user_id)) as cur:
            return await cur.fetchone() is not None

    async def moderated_by(self, user_id: int) -> list[str]:
        sql = "SELECT session_id FROM session_moderators WHERE user_id = ? ORDER BY session_id"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return [str(r[0]) for r in await cur.fetchall()]

    async def create_invite(
        self, token: str, session_id: str, created_by: int, expires_at: datetime
    ) -> None:
        await self.db.conn.execute(
            """INSERT INTO moderator_invites (token, session_id, created_by, created_at,
                                              expires_at)
               VALUES (?, ?, ?, ?, ?)""",
            (token, session_id, created_by, self.db.now_iso(), _iso(expires_at)),
        )

    async def use_invite(self, token: str, user_id: int, now: datetime) -> tuple[str, int] | None:
        """Spend an unused, unexpired invite: (session id, who created it), or None."""
        async with self.db.conn.execute(
            """UPDATE moderator_invites SET used_by = ?, used_at = ?
               WHERE token = ? AND used_by IS NULL AND expires_at > ?
               RETURNING session_id, created_by""",
            (user_id, self.db.now_iso(), token, _iso(now)),
        ) as cur:
            row = await cur.fetchone()
        return (str(row[0]), int(row[1])) if row else None

    # -- open lists

    async def save_view(
        self, user_id: int, kind: str, ref: str, message_id: int, shown: str
    ) -> None:
        await self.db.conn.execute(
            """INSERT INTO session_views (user_id, kind, ref, message_id, shown, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id, kind, ref) DO UPDATE SET
                 message_id = excluded.message_id, shown = excluded.shown,
                 updated_at = excluded.updated_at""",
            (user_id, kind, ref, message_id, shown, self.db.now_iso()),
        )

    async def set_shown(self, user_id: int, kind: str, ref: str, shown: str) -> None:
        await self.db.conn.execute(
            """UPDATE session_views SET shown = ?, updated_at = ?
               WHERE user_id = ? AND kind = ? AND ref = ?""",
            (shown, self.db.now_iso(), user_id, kind, ref),
        )

    async def views(self, kind: str, ref: str) -> list[View]:
        sql = """SELECT user_id, kind, ref, message_id, shown FROM session_views
                 WHERE kind = ? AND ref = ? ORDER BY user_id"""
        async with self.db.conn.execute(sql, (kind, ref)) as cur:
            return [View(*r) for r in await cur.fetchall()]

    async def view(self, user_id: int, kind: str, ref: str) -> View | None:
        sql = """SELECT user_id, kind, ref, message_id, shown FROM session_views
                 WHERE user_id = ? AND kind = ? AND ref = ?"""
        async with self.db.conn.execute(sql, (user_id, kind, ref)) as cur:
            row = await cur.fetchone()
        return View(*row) if row else None

    async def drop_view(self, user_id: int, kind: str, ref: str) -> None:
        await self.db.conn.execute(
            "DELETE FROM session_views WHERE user_id = ? AND kind = ? AND ref = ?",
            (user_id, kind, ref),
        )

    # -- the edits of open lists waiting in the delivery queue (kind "list-edit")

    async def purge_finished_edits(self) -> None:
        """Edits already sent (or given up) are not kept: their texts hold other people's
        questions and names."""
        await self.db.conn.execute(
            """DELETE FROM deliveries WHERE kind = 'list-edit'
               AND status IN ('sent', 'failed', 'blocked', 'cancelled')"""
        )

    async def drop_lost_views(self) -> None:
        """Lists whose message is gone (deleted by the person, or too old to edit): an edit
        of them failed, so they are no longer kept up to date."""
        await self.db.conn.execute(
            """DELETE FROM session_views WHERE EXISTS (
                 SELECT 1 FROM deliveries d
                 WHERE d.kind = 'list-edit' AND d.status = 'failed'
                   AND d.user_id = session_views.user_id
                   AND d.ref = session_views.kind || ':' || session_views.ref
                   AND json_extract(d.payload, '$.message_id') = session_views.message_id
                   AND (d.error LIKE '%not found%' OR d.error LIKE '%can''t be edited%'))"""
        )

    async def redraw_wanted(self) -> list[tuple[str, str]]:
        """Lists marked to be drawn again (shown = ''), as (kind, ref)."""
        sql = "SELECT DISTINCT kind, ref FROM session_views WHERE shown = ''"
        async with self.db.conn.execute(sql) as cur:
            return [(str(r[0]), str(r[1])) for r in await cur.fetchall()]

    async def edit_in_flight(self, user_id: int, ref: str) -> str | None:
        """ "pending" or "sending" if an edit of this list is queued or on its way."""
        sql = """SELECT status FROM deliveries
                 WHERE user_id = ? AND kind = 'list-edit' AND ref = ?
                   AND status IN ('pending', 'sending')
                 ORDER BY id DESC LIMIT 1"""
        async with self.db.conn.execute(sql, (user_id, ref)) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def replace_pending_edit(self, user_id: int, ref: str, payload: dict[str, Any]) -> bool:
        """Give a queued, not yet sent edit the newest content; False if none was waiting."""
        cur = await self.db.conn.execute(
            """UPDATE deliveries SET payload = ?, updated_at = ?
               WHERE user_id = ? AND kind = 'list-edit' AND ref = ? AND status = 'pending'""",
            (json.dumps(payload, ensure_ascii=False), self.db.now_iso(), user_id, ref),
        )
        return cur.rowcount > 0

    # -- privacy

    async def delete_user(self, user_id: int) -> None:
        """The person's questions (with the votes on them), votes, mutes, moderator links,
        invites and open lists."""
        conn = self.db.conn
        # Others' open lists showed the person's questions and name: their edits (queued or
        # sent, kept in the delivery queue) go, and the lists are drawn again at the next
        # flush (shown = '' marks them).
        await conn.execute(
            """UPDATE session_views SET shown = ''
               WHERE kind IN ('list', 'mod') AND ref IN
                     (SELECT session_id FROM session_questions WHERE user_id = ?)""",
            (user_id,),
        )
        await conn.execute(
            "DELETE FROM deliveries WHERE kind = 'list-edit' AND status != 'sending'"
        )
        await conn.execute(
            """DELETE FROM session_question_votes
               WHERE user_id = ? OR question_id IN
                     (SELECT id FROM session_questions WHERE user_id = ?)""",
            (user_id, user_id),
        )
        await conn.execute("DELETE FROM session_questions WHERE user_id = ?", (user_id,))
        await conn.execute("DELETE FROM session_mutes WHERE user_id = ?", (user_id,))
        await conn.execute(
            "UPDATE session_mutes SET muted_by = NULL WHERE muted_by = ?", (user_id,)
        )
        await conn.execute("DELETE FROM session_moderators WHERE user_id = ?", (user_id,))
        await conn.execute(
            "UPDATE session_moderators SET added_by = NULL WHERE added_by = ?", (user_id,)
        )
        await conn.execute(
            "DELETE FROM moderator_invites WHERE created_by = ? OR used_by = ?",
            (user_id, user_id),
        )
        await conn.execute("DELETE FROM session_views WHERE user_id = ?", (user_id,))
