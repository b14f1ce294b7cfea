"""The questions repository: a draft becomes open once, is answered once, and is forgotten."""

from __future__ import annotations

from pathlib import Path

from db import Database


async def test_draft_submit_answer_and_forget(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "q.sqlite3")
    try:
        async with db.transaction():
            await db.users.upsert_seen(1, "Asker", None, None, "ru")
            draft = await db.questions.add_draft(1, "можно с собакой?")
            other = await db.questions.add_draft(2, "чужой вопрос")
        async with db.transaction():
            assert not await db.questions.submit(draft, user_id=2)  # not theirs
            assert await db.questions.submit(draft, user_id=1)
            assert not await db.questions.submit(draft, user_id=1)  # only once
        assert [q.id for q in await db.questions.open_questions(10)] == [draft]
        assert await db.questions.count_open() == 1
        async with db.transaction():
            assert not await db.questions.answer(other, "x", 9)  # a draft is not in the inbox
            assert await db.questions.answer(draft, "Да", 9)
            assert not await db.questions.answer(draft, "Нет", 8)  # answered already
        question = await db.questions.get(draft)
        assert question is not None
        assert (question.status, question.answer, question.answered_by) == ("answered", "Да", 9)
        data = await db.personal_data(1)
        assert [q["text"] for q in data["questions"]] == ["можно с собакой?"]
        async with db.transaction():
            await db.forget_user(1)
        assert await db.questions.of_user(1) == []
        assert await db.questions.get(other) is not None
    finally:
        await db.close()
