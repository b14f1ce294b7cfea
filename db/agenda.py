"""The personal agenda: saved sessions and section subscriptions, by program ids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from db.base import Connection


@dataclass(frozen=True, slots=True)
class Saved:
    user_id: int
    session_id: str
    via_section: str | None
    added_at: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who gets a reminder, a notice or a digest, and in which language."""

    user_id: int
    language: str | None
    telegram_language: str | None
    reminder_minutes: int | None


def _marks(items: list[str]) -> str:
    return ",".join("?" * len(items))


class AgendaRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def add(self, user_id: int, session_id: str) -> None:
        """Save by hand; a row that came from a subscription becomes a hand-saved one."""
        await self.db.conn.execute(
            """INSERT INTO agenda (user_id, session_id, via_section, added_at)
               VALUES (?, ?, NULL, ?)
               ON CONFLICT (user_id, session_id) DO UPDATE SET via_section = NULL""",
            (user_id, session_id, self.db.now_iso()),
        )

    async def remove(self, user_id: int, session_id: str) -> None:
        await self.db.conn.execute(
            "DELETE FROM agenda WHERE user_id = ? AND session_id = ?", (user_id, session_id)
        )

    async def session_ids(self, user_id: int) -> set[str]:
        sql = "SELECT session_id FROM agenda WHERE user_id = ?"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return {r[0] for r in await cur.fetchall()}

    async def has(self, user_id: int, session_id: str) -> bool:
        sql = "SELECT 1 FROM agenda WHERE user_id = ? AND session_id = ?"
        async with self.db.conn.execute(sql, (user_id, session_id)) as cur:
            return await cur.fetchone() is not None

    async def rows(self, user_id: int) -> list[Saved]:
        sql = "SELECT * FROM agenda WHERE user_id = ? ORDER BY added_at, session_id"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return [Saved(**dict(r)) for r in await cur.fetchall()]

    async def savers(self, session_id: str) -> list[int]:
        sql = "SELECT user_id FROM agenda WHERE session_id = ? ORDER BY user_id"
        async with self.db.conn.execute(sql, (session_id,)) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def savers_of(self, session_ids: Iterable[str]) -> dict[int, list[str]]:
        """user id -> which of these sessions they saved."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}
        sql = (
            f"SELECT user_id, session_id FROM agenda WHERE session_id IN ({_marks(ids)}) "
            "ORDER BY user_id"
        )
        found: dict[int, list[str]] = {}
        async with self.db.conn.execute(sql, ids) as cur:
            for user_id, session_id in await cur.fetchall():
                found.setdefault(user_id, []).append(session_id)
        return found

    async def reminder_targets(self, session_ids: Iterable[str]) -> list[tuple[str, Recipient]]:
        """(session, person) for people with reminders on who saved these sessions."""
        ids = sorted(set(session_ids))
        if not ids:
            return []
        sql = f"""SELECT a.session_id, u.id, u.language, u.telegram_language, u.reminder_minutes
                  FROM agenda a JOIN users u ON u.id = a.user_id
                  WHERE a.session_id IN ({_marks(ids)}) AND u.reminder_minutes IS NOT NULL
                        AND u.blocked_at IS NULL
                  ORDER BY a.session_id, u.id"""
        async with self.db.conn.execute(sql, ids) as cur:
            return [(r[0], Recipient(r[1], r[2], r[3], r[4])) for r in await cur.fetchall()]

    async def recipients(self, user_ids: Iterable[int]) -> dict[int, Recipient]:
        """These people, unless they blocked the bot."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        sql = (
            "SELECT id, language, telegram_language, reminder_minutes FROM users "
            f"WHERE id IN ({','.join('?' * len(ids))}) AND blocked_at IS NULL"
        )
        async with self.db.conn.execute(sql, ids) as cur:
            return {r[0]: Recipient(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()}

    async def digest_recipients(self) -> list[tuple[Recipient, set[str]]]:
        """People with the morning digest on, each with their saved session ids."""
        sql = """SELECT u.id, u.language, u.telegram_language, u.reminder_minutes, a.session_id
                 FROM users u LEFT JOIN agenda a ON a.user_id = u.id
                 WHERE u.digest = 1 AND u.blocked_at IS NULL ORDER BY u.id"""
        found: dict[int, tuple[Recipient, set[str]]] = {}
        async with self.db.conn.execute(sql) as cur:
            for uid, lang, tg_lang, minutes, session_id in await cur.fetchall():
                entry = found.setdefault(uid, (Recipient(uid, lang, tg_lang, minutes), set()))
                if session_id:
                    entry[1].add(session_id)
        return list(found.values())

    async def remove_sessions(self, session_ids: Iterable[str]) -> int:
        """Forget sessions that are no longer in the program, for everyone."""
        ids = sorted(set(session_ids))
        if not ids:
            return 0
        sql = f"DELETE FROM agenda WHERE session_id IN ({_marks(ids)})"
        cur = await self.db.conn.execute(sql, ids)
        return cur.rowcount

    # -------------------------------------------------------------- sections

    async def subscribe(self, user_id: int, section_id: str, session_ids: Iterable[str]) -> None:
        now = self.db.now_iso()
        await self.db.conn.execute(
            """INSERT OR IGNORE INTO section_subscriptions (user_id, section_id, added_at)
               VALUES (?, ?, ?)""",
            (user_id, section_id, now),
        )
        await self.db.conn.executemany(
            """INSERT OR IGNORE INTO agenda (user_id, session_id, via_section, added_at)
               VALUES (?, ?, ?, ?)""",
            [(user_id, sid, section_id, now) for sid in session_ids],
        )

    async def unsubscribe(self, user_id: int, section_id: str) -> None:
        """Drops the subscription and the sessions it added (hand-saved ones stay)."""
        await self.db.conn.execute(
            "DELETE FROM section_subscriptions WHERE user_id = ? AND section_id = ?",
            (user_id, section_id),
        )
        await self.db.conn.execute(
            "DELETE FROM agenda WHERE user_id = ? AND via_section = ?", (user_id, section_id)
        )

    async def sections_of(self, user_id: int) -> set[str]:
        sql = "SELECT section_id FROM section_subscriptions WHERE user_id = ?"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return {r[0] for r in await cur.fetchall()}

    async def subscribers(self, section_id: str) -> list[int]:
        sql = "SELECT user_id FROM section_subscriptions WHERE section_id = ? ORDER BY user_id"
        async with self.db.conn.execute(sql, (section_id,)) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def subscribers_of(self, section_ids: Iterable[str]) -> dict[int, list[str]]:
        """user id -> which of these sections they subscribe to."""
        ids = sorted(set(section_ids))
        if not ids:
            return {}
        sql = (
            "SELECT user_id, section_id FROM section_subscriptions "
            f"WHERE section_id IN ({_marks(ids)}) ORDER BY user_id, section_id"
        )
        found: dict[int, list[str]] = {}
        async with self.db.conn.execute(sql, ids) as cur:
            for user_id, section_id in await cur.fetchall():
                found.setdefault(user_id, []).append(section_id)
        return found

    async def add_to_subscribers(self, section_id: str, session_ids: Iterable[str]) -> None:
        """A session newly in a section joins the agenda of the section's subscribers."""
        ids = list(session_ids)
        if not ids:
            return
        now = self.db.now_iso()
        for session_id in ids:
            await self.db.conn.execute(
                """INSERT OR IGNORE INTO agenda (user_id, session_id, via_section, added_at)
                   SELECT user_id, ?, section_id, ? FROM section_subscriptions
                   WHERE section_id = ?""",
                (session_id, now, section_id),
            )

    async def subscription_rows(self, user_id: int) -> list[dict[str, object]]:
        sql = "SELECT * FROM section_subscriptions WHERE user_id = ? ORDER BY added_at"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM agenda WHERE user_id = ?", (user_id,))
        await self.db.conn.execute(
            "DELETE FROM section_subscriptions WHERE user_id = ?", (user_id,)
        )
