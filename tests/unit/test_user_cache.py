"""The user rows and dialogue states kept in memory are bounded: the least recently used go
first, and what left memory is read back from the database unchanged."""

from __future__ import annotations

from pathlib import Path

from db import Database


async def test_user_rows_in_memory_stay_within_the_size(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "u.sqlite3", cache_size=3)
    try:
        async with db.transaction():
            await db.users.add_many([(i, f"User{i}", None, "ru") for i in range(1, 6)])
        for uid in (1, 2, 3):
            await db.users.get(uid)
        await db.users.get(1)  # used again: 2 is now the least recently used
        await db.users.get(4)
        assert list(db.users._cache) == [3, 1, 4]
        again = await db.users.get(2)  # left memory: read back
        assert again is not None and again.first_name == "User2"
        assert len(db.users._cache) == 3
        async with db.transaction():
            await db.users.set_language(2, "be")
        changed = await db.users.get(2)
        assert changed is not None and changed.language == "be"
    finally:
        await db.close()


async def test_dialogue_states_in_memory_stay_within_the_size(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "f.sqlite3", cache_size=2)
    try:
        async with db.transaction():
            await db.fsm.set_state("1:1:1:0:default", "Form:name")
            await db.fsm.set_data("1:1:1:0:default", {"name": "Анна"})
        for n in range(1, 5):
            await db.fsm.get(f"1:{n}:{n}:0:default")
        assert len(db.fsm._cache) == 2
        assert await db.fsm.get("1:1:1:0:default") == ("Form:name", {"name": "Анна"})
    finally:
        await db.close()


async def test_no_memory_at_all_still_reads_right(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "n.sqlite3", cache_size=0)
    try:
        async with db.transaction():
            await db.users.add_many([(7, "Seven", None, None)])
        first = await db.users.get(7)
        assert first is not None and first.first_name == "Seven"
        assert not db.users._cache
    finally:
        await db.close()
