"""The schema is built by numbered migrations, from an empty file or from any older version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db.base import Connection, migrate, migration_scripts, open_connection, schema_version


def table_schema(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        return {(name, " ".join(sql.split())) for name, sql in rows}


async def test_empty_file_gets_every_migration(tmp_path: Path) -> None:
    db = await open_connection(tmp_path / "new.sqlite3")
    assert await schema_version(db.conn) == migration_scripts()[-1][0]
    async with db.conn.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"
    async with db.conn.execute("PRAGMA foreign_keys") as cur:
        assert (await cur.fetchone())[0] == 1
    await db.close()


@pytest.mark.parametrize("start", range(1, len(migration_scripts())))
async def test_upgrade_from_each_older_version(tmp_path: Path, start: int) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    await (await open_connection(fresh)).close()

    old = tmp_path / "old.sqlite3"
    import aiosqlite

    conn = Connection(await aiosqlite.connect(old, isolation_level=None))
    assert await migrate(conn, target=start) == start
    await conn.conn.execute(
        "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (1, 'Old', 'x', 'x')"
    )
    await conn.close()

    upgraded = await open_connection(old)
    assert await schema_version(upgraded.conn) == migration_scripts()[-1][0]
    async with upgraded.conn.execute("SELECT first_name FROM users WHERE id = 1") as cur:
        assert (await cur.fetchone())[0] == "Old"  # data kept
    await upgraded.close()
    assert table_schema(old) == table_schema(fresh)


async def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    import db.base

    good = migration_scripts()
    broken = [*good, (good[-1][0] + 1, "broken.sql", "CREATE TABLE x (a); CREATE TABLE x (a);")]
    monkeypatch.setattr(db.base, "migration_scripts", lambda: broken)
    with pytest.raises(sqlite3.Error):
        await open_connection(tmp_path / "b.sqlite3")
    with sqlite3.connect(tmp_path / "b.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == good[-1][0]
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'x'").fetchall()
