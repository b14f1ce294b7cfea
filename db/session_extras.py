"""Polls, ratings and comments, and materials of the sessions (issue 15)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from db.base import Connection


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    session_id: str
    question: str
    options: tuple[str, ...]
    created_by: int | None
    created_at: str
    # Every language it was given in: language ("" unmarked) -> (question, options).
    versions: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rating:
    session_id: str
    user_id: int
    rating: int
    comment: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class Material:
    id: int
    session_id: str | None
    section_id: str | None
    kind: str  # file, link
    title: str
    file_id: str | None
    file_size: int | None
    url: str | None
    added_by: int | None
    added_at: str


def _poll(row: object) -> Poll:
    r = tuple(row)  # type: ignore[call-overload]
    versions = {k: (v[0], list(v[1])) for k, v in json.loads(r[6] or "{}").items()}
    return Poll(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], versions)


class PollRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def create(
        self,
        session_id: str,
        question: str,
        options: list[str],
        created_by: int,
        versions: dict[str, tuple[str, list[str]]] | None = None,
    ) -> int:
        async with self.db.conn.execute(
            """INSERT INTO session_polls (session_id, question, options, versions, created_by,
                                          created_at)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
            (
                session_id,
                question,
                json.dumps(options, ensure_ascii=False),
                json.dumps(versions or {}, ensure_ascii=False),
                created_by,
                self.db.now_iso(),
            ),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def get(self, poll_id: int) -> Poll | None:
        sql = """SELECT id, session_id, question, options, created_by, created_at, versions
                 FROM session_polls WHERE id = ?"""
        async with self.db.conn.execute(sql, (poll_id,)) as cur:
            row = await cur.fetchone()
        return _poll(row) if row else None

    async def sent(
        self, telegram_poll_id: str, poll_id: int, user_id: int, message_id: int
    ) -> None:
        await self.db.conn.execute(
            """INSERT OR REPLACE INTO session_poll_messages
               (telegram_poll_id, poll_id, user_id, message_id) VALUES (?, ?, ?, ?)""",
            (telegram_poll_id, poll_id, user_id, message_id),
        )

    async def by_telegram_id(self, telegram_poll_id: str) -> tuple[int, int] | None:
        """(poll id, the person it was sent to)."""
        sql = "SELECT poll_id, user_id FROM session_poll_messages WHERE telegram_poll_id = ?"
        async with self.db.conn.execute(sql, (telegram_poll_id,)) as cur:
            row = await cur.fetchone()
        return (int(row[0]), int(row[1])) if row else None

    async def answer(self, telegram_poll_id: str, user_id: int, option_ids: list[int]) -> None:
        """Store an answer to one person's poll; an empty one (the vote taken back) deletes it."""
        if not option_ids:
            await self.db.conn.execute(
                "DELETE FROM session_poll_answers WHERE telegram_poll_id = ? AND user_id = ?",
                (telegram_poll_id, user_id),
            )
            return
        await self.db.conn.execute(
            """INSERT INTO session_poll_answers (telegram_poll_id, user_id, option_ids,
                                                answered_at)
               VALUES (?, ?, ?, ?)
               ON CONFLICT (telegram_poll_id) DO UPDATE SET
                 option_ids = excluded.option_ids, answered_at = excluded.answered_at
               WHERE session_poll_answers.user_id = excluded.user_id""",
            (telegram_poll_id, user_id, json.dumps(option_ids), self.db.now_iso()),
        )

    async def counts(self, poll_id: int, options: int) -> tuple[list[int], int]:
        """Votes per option and the number of people who answered (each person's answer to
        their own poll)."""
        sql = """SELECT a.option_ids FROM session_poll_answers a
                 JOIN session_poll_messages m ON m.telegram_poll_id = a.telegram_poll_id
                                             AND m.user_id = a.user_id
                 WHERE m.poll_id = ?"""
        counts = [0] * options
        people = 0
        async with self.db.conn.execute(sql, (poll_id,)) as cur:
            for (raw,) in await cur.fetchall():
                people += 1
                for index in json.loads(raw):
                    if isinstance(index, int) and 0 <= index < options:
                        counts[index] += 1
        return counts, people

    async def recipients(self, poll_id: int) -> int:
        sql = "SELECT count(*) FROM session_poll_messages WHERE poll_id = ?"
        async with self.db.conn.execute(sql, (poll_id,)) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def answers_of_user(self, user_id: int) -> list[dict[str, object]]:
        sql = """SELECT m.poll_id, p.session_id, p.question, a.option_ids, a.answered_at
                 FROM session_poll_answers a
                 LEFT JOIN session_poll_messages m ON m.telegram_poll_id = a.telegram_poll_id
                 LEFT JOIN session_polls p ON p.id = m.poll_id
                 WHERE a.user_id = ? ORDER BY a.answered_at"""
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return [
                {
                    "poll_id": r[0],
                    "session_id": r[1],
                    "question": r[2],
                    "options": json.loads(r[3]),
                    "at": r[4],
                }
                for r in await cur.fetchall()
            ]

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM session_poll_answers WHERE user_id = ?", (user_id,))
        await self.db.conn.execute(
            "DELETE FROM session_poll_messages WHERE user_id = ?", (user_id,)
        )
        await self.db.conn.execute(
            "UPDATE session_polls SET created_by = NULL WHERE created_by = ?", (user_id,)
        )


class FeedbackRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def rate(self, session_id: str, user_id: int, rating: int) -> bool:
        """True if this is the person's first rating of the session (later ones are ignored)."""
        before = self.db.conn.total_changes
        await self.db.conn.execute(
            """INSERT OR IGNORE INTO session_ratings (session_id, user_id, rating, created_at)
               VALUES (?, ?, ?, ?)""",
            (session_id, user_id, rating, self.db.now_iso()),
        )
        return self.db.conn.total_changes > before

    async def comment(self, session_id: str, user_id: int, comment: str) -> bool:
        """Add the comment to a rating without one; True if it was stored."""
        cur = await self.db.conn.execute(
            """UPDATE session_ratings SET comment = ?
               WHERE session_id = ? AND user_id = ? AND comment IS NULL""",
            (comment, session_id, user_id),
        )
        return cur.rowcount > 0

    async def rating(self, session_id: str, user_id: int) -> Rating | None:
        sql = """SELECT session_id, user_id, rating, comment, created_at FROM session_ratings
                 WHERE session_id = ? AND user_id = ?"""
        async with self.db.conn.execute(sql, (session_id, user_id)) as cur:
            row = await cur.fetchone()
        return Rating(*row) if row else None

    async def of_user(self, user_id: int) -> list[Rating]:
        sql = """SELECT session_id, user_id, rating, comment, created_at FROM session_ratings
                 WHERE user_id = ? ORDER BY created_at"""
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return [Rating(*r) for r in await cur.fetchall()]

    async def all(self) -> list[Rating]:
        sql = """SELECT session_id, user_id, rating, comment, created_at FROM session_ratings
                 ORDER BY session_id, created_at"""
        async with self.db.conn.execute(sql) as cur:
            return [Rating(*r) for r in await cur.fetchall()]

    async def set_off(self, user_id: int, off: bool) -> None:
        if off:
            await self.db.conn.execute(
                "INSERT OR IGNORE INTO feedback_off (user_id, created_at) VALUES (?, ?)",
                (user_id, self.db.now_iso()),
            )
        else:
            await self.db.conn.execute("DELETE FROM feedback_off WHERE user_id = ?", (user_id,))

    async def is_off(self, user_id: int) -> bool:
        sql = "SELECT 1 FROM feedback_off WHERE user_id = ?"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return await cur.fetchone() is not None

    async def askable(self, session_ids: list[str]) -> list[tuple[str, int]]:
        """(session, person) for people who saved these sessions, have not turned feedback
        off, have not blocked the bot and have not rated the session."""
        if not session_ids:
            return []
        marks = ",".join("?" * len(session_ids))
        sql = f"""SELECT a.session_id, a.user_id FROM agenda a JOIN users u ON u.id = a.user_id
                  WHERE a.session_id IN ({marks}) AND u.blocked_at IS NULL
                    AND NOT EXISTS (SELECT 1 FROM feedback_off f WHERE f.user_id = a.user_id)
                    AND NOT EXISTS (SELECT 1 FROM session_ratings r
                                    WHERE r.user_id = a.user_id AND r.session_id = a.session_id)
                  ORDER BY a.session_id, a.user_id"""
        async with self.db.conn.execute(sql, session_ids) as cur:
            return [(str(r[0]), int(r[1])) for r in await cur.fetchall()]

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM session_ratings WHERE user_id = ?", (user_id,))
        await self.db.conn.execute("DELETE FROM feedback_off WHERE user_id = ?", (user_id,))


_MATERIAL = """SELECT id, session_id, section_id, kind, title, file_id, file_size, url,
                      added_by, added_at FROM materials"""


class MaterialRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def add(
        self,
        *,
        session_id: str | None,
        section_id: str | None,
        kind: str,
        title: str,
        file_id: str | None = None,
        file_size: int | None = None,
        url: str | None = None,
        added_by: int | None = None,
    ) -> int:
        async with self.db.conn.execute(
            """INSERT INTO materials (session_id, section_id, kind, title, file_id, file_size,
                                     url, added_by, added_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (
                session_id,
                section_id,
                kind,
                title,
                file_id,
                file_size,
                url,
                added_by,
                self.db.now_iso(),
            ),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def get(self, material_id: int) -> Material | None:
        async with self.db.conn.execute(f"{_MATERIAL} WHERE id = ?", (material_id,)) as cur:
            row = await cur.fetchone()
        return Material(*row) if row else None

    async def of(self, session_id: str, section_id: str | None) -> list[Material]:
        """A session's materials, then its section's."""
        sql = f"""{_MATERIAL} WHERE session_id = ? OR (section_id IS NOT NULL AND section_id = ?)
                  ORDER BY section_id IS NOT NULL, id"""
        async with self.db.conn.execute(sql, (session_id, section_id or "")) as cur:
            return [Material(*r) for r in await cur.fetchall()]

    async def of_section(self, section_id: str) -> list[Material]:
        async with self.db.conn.execute(
            f"{_MATERIAL} WHERE section_id = ? ORDER BY id", (section_id,)
        ) as cur:
            return [Material(*r) for r in await cur.fetchall()]

    async def remove(self, material_id: int) -> None:
        await self.db.conn.execute("DELETE FROM materials WHERE id = ?", (material_id,))

    async def forget_adder(self, user_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE materials SET added_by = NULL WHERE added_by = ?", (user_id,)
        )


class SurveyRepo:
    """Answers to the end-of-forum survey, by the question's id."""

    def __init__(self, db: Connection) -> None:
        self.db = db

    async def answer(self, user_id: int, question_id: str, answer: str) -> None:
        await self.db.conn.execute(
            """INSERT INTO survey_answers (user_id, question_id, answer, answered_at)
               VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id, question_id) DO UPDATE SET
                 answer = excluded.answer, answered_at = excluded.answered_at""",
            (user_id, question_id, answer, self.db.now_iso()),
        )

    async def of_user(self, user_id: int) -> dict[str, str]:
        sql = "SELECT question_id, answer FROM survey_answers WHERE user_id = ?"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return {str(r[0]): str(r[1]) for r in await cur.fetchall()}

    async def all(self) -> list[tuple[str, str, str]]:
        """(question id, answer, when), without who: for the organizers."""
        sql = """SELECT question_id, answer, answered_at FROM survey_answers
                 ORDER BY question_id, answered_at"""
        async with self.db.conn.execute(sql) as cur:
            return [(str(r[0]), str(r[1]), str(r[2])) for r in await cur.fetchall()]

    async def invitees(self) -> list[int]:
        """People who saved a session, have not blocked the bot nor turned feedback off."""
        sql = """SELECT DISTINCT a.user_id FROM agenda a JOIN users u ON u.id = a.user_id
                 WHERE u.blocked_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM feedback_off f WHERE f.user_id = a.user_id)
                 ORDER BY a.user_id"""
        async with self.db.conn.execute(sql) as cur:
            return [int(r[0]) for r in await cur.fetchall()]

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM survey_answers WHERE user_id = ?", (user_id,))
