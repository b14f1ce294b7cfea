"""Questions for the organizers: drafts the bot could not answer, the open inbox, answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.base import Connection


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    user_id: int
    text: str
    asked_at: str
    status: str  # draft, open, answered
    answer: str | None
    answered_by: int | None
    answered_at: str | None


def _question(row: Any) -> Question:
    return Question(**dict(row))


class QuestionRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def add_draft(self, user_id: int, text: str) -> int:
        """Keep a question the bot could not answer, so a button can send it later."""
        cur = await self.db.conn.execute(
            "INSERT INTO questions (user_id, text, asked_at) VALUES (?, ?, ?)",
            (user_id, text, self.db.now_iso()),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def get(self, question_id: int) -> Question | None:
        sql = "SELECT * FROM questions WHERE id = ?"
        async with self.db.conn.execute(sql, (question_id,)) as cur:
            row = await cur.fetchone()
        return _question(row) if row else None

    async def submit(self, question_id: int, user_id: int) -> bool:
        """Turn the asker's draft into an open question; False if it is not their draft."""
        cur = await self.db.conn.execute(
            """UPDATE questions SET status = 'open', asked_at = ?
               WHERE id = ? AND user_id = ? AND status = 'draft'""",
            (self.db.now_iso(), question_id, user_id),
        )
        return cur.rowcount == 1

    async def answer(self, question_id: int, answer: str, organizer_id: int) -> bool:
        """Record the answer once; False if the question is not open (answered meanwhile)."""
        cur = await self.db.conn.execute(
            """UPDATE questions SET status = 'answered', answer = ?, answered_by = ?,
                      answered_at = ?
               WHERE id = ? AND status = 'open'""",
            (answer, organizer_id, self.db.now_iso(), question_id),
        )
        return cur.rowcount == 1

    async def open_questions(self, limit: int, offset: int = 0) -> list[Question]:
        sql = "SELECT * FROM questions WHERE status = 'open' ORDER BY id LIMIT ? OFFSET ?"
        async with self.db.conn.execute(sql, (limit, offset)) as cur:
            return [_question(r) for r in await cur.fetchall()]

    async def count_open(self) -> int:
        sql = "SELECT count(*) FROM questions WHERE status = 'open'"
        async with self.db.conn.execute(sql) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def of_user(self, user_id: int) -> list[Question]:
        sql = "SELECT * FROM questions WHERE user_id = ? ORDER BY id"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            return [_question(r) for r in await cur.fetchall()]

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM questions WHERE user_id = ?", (user_id,))
