"""FAQ entries saved from the inbox: stored once, their languages added later, forgotten
authors, and merged into a program without overriding the file's own entries."""

from __future__ import annotations

from pathlib import Path

from bot.program.loader import parse_program
from bot.services.program import with_saved_faq
from bot.settings import SAMPLE_PROGRAM
from db import Database


async def test_saved_entries_are_stored_once_and_merged(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "f.sqlite3")
    try:
        async with db.transaction():
            assert await db.faq.add(
                "inbox-7", {"ru": "С собакой можно?"}, {"ru": "Да"}, ["собакой"], 7, 5
            )
            assert not await db.faq.add("inbox-7", {"ru": "x"}, {"ru": "y"}, [], 7, 5)
            assert await db.faq.add("wifi", {"ru": "Пароль?"}, {"ru": "Нет"}, [], 8, 5)
            assert await db.faq.set_language(
                "inbox-7", "be", "З сабакам можна?", "Так", ["сабакам"]
            )
            assert not await db.faq.set_language("inbox-9", "be", "?", "!", [])
            await db.forget_user(5)
        saved = await db.faq.all()
        assert [e.id for e in saved] == ["inbox-7", "wifi"]
        assert saved[0].answer == {"ru": "Да", "be": "Так"}
        assert saved[0].keywords == ("собакой", "сабакам")
        assert all(e.created_by is None for e in saved)  # the organizer asked to be forgotten

        program = parse_program(SAMPLE_PROGRAM.read_text(encoding="utf-8"), str(SAMPLE_PROGRAM))
        merged = with_saved_faq(program, saved)
        entry = merged.faq_entry("inbox-7")
        assert entry is not None and entry.answer.get("be") == "Так"
        assert entry.answer.get("en") == "Да"  # a missing language falls back
        wifi = merged.faq_entry("wifi")  # the file's own entry wins over a saved one
        assert wifi is not None and "Forum2027" in wifi.answer.get("ru")
        assert len(merged.faq) == len(program.faq) + 1
        assert with_saved_faq(program, []) is program
    finally:
        await db.close()
