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
    assert await schema_version(db.conn) == len(migration_scripts())
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
    assert await schema_version(upgraded.conn) == len(migration_scripts())
    async with upgraded.conn.execute("SELECT first_name FROM users WHERE id = 1") as cur:
        assert (await cur.fetchone())[0] == "Old"  # data kept
    await upgraded.close()
    assert table_schema(old) == table_schema(fresh)


async def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    import db.base

    good = migration_scripts()
    broken = [*good, (len(good) + 1, "broken.sql", "CREATE TABLE x (a); CREATE TABLE x (a);")]
    monkeypatch.setattr(db.base, "migration_scripts", lambda: broken)
    with pytest.raises(sqlite3.Error):
        await open_connection(tmp_path / "b.sqlite3")
    with sqlite3.connect(tmp_path / "b.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(good)
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'x'").fetchall()


async def test_stored_labels_become_codes_and_the_audit_log_forgets_names(
    tmp_path: Path,
) -> None:
    import aiosqlite

    path = tmp_path / "old.sqlite3"
    conn = Connection(await aiosqlite.connect(path, isolation_level=None))
    before = next(v for v, name, _sql in migration_scripts() if "registration_codes" in name) - 1
    assert await migrate(conn, target=before) == before
    rows = [
        # (user, country, region, city): labels the old buttons stored, in any language
        (1, "BY", "Могилёвская область", "Могилёв"),
        (2, "RU", "Smolensk Region", "Smolensk"),
        (3, "BY", "Мінск", "Мінск"),
        (4, "RU", "Атлантида", "Китеж"),  # typed: kept as typed
        (5, "BY", "Смоленская область", "Тула"),  # a Russian label under Belarus: kept
    ]
    for user, country, region, city in rows:
        await conn.conn.execute(
            """INSERT INTO registrations (user_id, status, full_name, birth_date, country,
                 region, city, organization, position, phone, email, consent_at,
                 guardian_consent_at, created_at, updated_at)
               VALUES (?, 'registered', 'X Y', '2000-01-01', ?, ?, ?, 'o', 'p', '+1', 'e',
                       'now', ?, 'now', 'now')""",
            (user, country, region, city, "now" if user == 1 else None),
        )
    await conn.conn.execute(
        "INSERT INTO registration_anon (status, country, region, created_day)"
        " VALUES ('cancelled', 'BY', 'Mogilev Region', '2027-05-01')"
    )
    await conn.conn.execute(
        "INSERT INTO audit_log (at, actor_id, action, details) VALUES"
        " ('now', 9, 'role.add', '123 Anna Smith'),"
        " ('now', 9, 'role.add', '124 Bob Lee (invite link)'),"
        " ('now', 9, 'announcement.sent', '#4')"
    )
    await conn.close()

    upgraded = await open_connection(path)
    async with upgraded.conn.execute(
        "SELECT user_id, region, city, guardian_consent_kind FROM registrations ORDER BY user_id"
    ) as cur:
        assert [tuple(r) for r in await cur.fetchall()] == [
            (1, "BY-MA", "BY-MA.mogilev", "form"),
            (2, "RU-SMO", "RU-SMO.smolensk", None),
            (3, "BY-HM", "BY-HM.minsk", None),
            (4, "Атлантида", "Китеж", None),
            (5, "Смоленская область", "Тула", None),
        ]
    async with upgraded.conn.execute("SELECT region FROM registration_anon") as cur:
        assert [r[0] for r in await cur.fetchall()] == ["BY-MA"]
    async with upgraded.conn.execute(
        "SELECT action, details, subject_id FROM audit_log ORDER BY id"
    ) as cur:
        assert [tuple(r) for r in await cur.fetchall()] == [
            ("role.add", "", 123),
            ("role.add", "invite", 124),
            ("announcement.sent", "#4", None),
        ]
    await upgraded.close()
