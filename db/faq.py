"""FAQ entries saved by the organizers from the inbox, kept across program imports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from db.base import Connection


@dataclass(frozen=True, slots=True)
class SavedFaq:
    id: str
    question: dict[str, str]  # language → text
    answer: dict[str, str]  # language → text
    keywords: tuple[str, ...]
    question_id: int | None
    created_by: int | None
    created_at: str


def _saved(row: Any) -> SavedFaq:
    return SavedFaq(
        id=row["id"],
        question=json.loads(row["question"]),
        answer=json.loads(row["answer"]),
        keywords=tuple(json.loads(row["keywords"])),
        question_id=row["question_id"],
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


class FaqRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def add(
        self,
        entry_id: str,
        question: dict[str, str],
        answer: dict[str, str],
        keywords: list[str],
        question_id: int | None,
        created_by: int | None,
    ) -> bool:
        """Store a new entry; False if one with this id exists (saved twice)."""
        cur = await self.db.conn.execute(
            """INSERT OR IGNORE INTO saved_faq
               (id, question, answer, keywords, question_id, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                entry_id,
                json.dumps(question, ensure_ascii=False),
                json.dumps(answer, ensure_ascii=False),
                json.dumps(keywords, ensure_ascii=False),
                question_id,
                created_by,
                self.db.now_iso(),
            ),
        )
        return cur.rowcount == 1

    async def set_language(
        self, entry_id: str, language: str, question: str, answer: str, keywords: list[str]
    ) -> bool:
        """Add or replace one language's version of an entry, with the words of its question."""
        entry = await self.get(entry_id)
        if entry is None:
            return False
        merged = list(dict.fromkeys([*entry.keywords, *keywords]))
        await self.db.conn.execute(
            "UPDATE saved_faq SET question = ?, answer = ?, keywords = ? WHERE id = ?",
            (
                json.dumps({**entry.question, language: question}, ensure_ascii=False),
                json.dumps({**entry.answer, language: answer}, ensure_ascii=False),
                json.dumps(merged, ensure_ascii=False),
                entry_id,
            ),
        )
        return True

    async def get(self, entry_id: str) -> SavedFaq | None:
        async with self.db.conn.execute("SELECT * FROM saved_faq WHERE id = ?", (entry_id,)) as cur:
            row = await cur.fetchone()
        return _saved(row) if row else None

    async def all(self) -> list[SavedFaq]:
        async with self.db.conn.execute("SELECT * FROM saved_faq ORDER BY created_at, id") as cur:
            return [_saved(r) for r in await cur.fetchall()]

    async def delete(self, entry_id: str) -> bool:
        cur = await self.db.conn.execute("DELETE FROM saved_faq WHERE id = ?", (entry_id,))
        return cur.rowcount == 1

    async def forget_author(self, user_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE saved_faq SET created_by = NULL WHERE created_by = ?", (user_id,)
        )
