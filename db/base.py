"""The one SQLite connection of the process, its transactions and migrations."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite

logger = logging.getLogger(__name__)


Now = Callable[[], datetime]


def real_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """How moments are stored: ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def migration_scripts() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered migration, in order."""
    folder = resources.files("db") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {versions}")
    return found


class Connection:
    """Wraps the aiosqlite connection so that writes are serialised in explicit transactions.

    Handlers run as concurrent tasks over one connection; without the lock one task's
    statements would land inside another task's open transaction.
    """

    def __init__(self, conn: aiosqlite.Connection, now: Now = real_now) -> None:
        self.conn = conn
        # The bot's clock: stored stamps (questions, consents, last seen...) follow it, so a
        # demo held at forum time shows forum-time stamps and tests can move time.
        self.now = now
        self._lock = asyncio.Lock()
        self._in_tx: asyncio.Task[object] | None = None
        # Caches of rows call these to forget what a rolled-back transaction wrote.
        self.rollback_listeners: list[Callable[[], None]] = []

    def now_iso(self) -> str:
        return iso_utc(self.now())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        task = asyncio.current_task()
        if self._in_tx is task:  # nested: join the outer transaction
            yield self.conn
            return
        async with self._lock:
            self._in_tx = task
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                for listener in self.rollback_listeners:
                    listener()
                raise
            else:
                await self.conn.commit()
            finally:
                self._in_tx = None

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it: with secure_delete on, deleted
        rows are then gone from both files (the WAL keeps old page images until this)."""
        async with self._lock:
            async with self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
                busy, _log, _done = await cur.fetchone() or (0, 0, 0)
        if busy:
            logger.warning("WAL checkpoint could not finish: a reader holds the WAL")

    async def close(self) -> None:
        await self.conn.close()


async def open_connection(path: Path | str) -> Connection:
    """Open the database, set it up for one writer with WAL, and apply migrations."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA busy_timeout = 5000")
    await conn.execute("PRAGMA synchronous = NORMAL")
    # Deleted rows are overwritten with zeros, not left in free pages: /forget means gone.
    await conn.execute("PRAGMA secure_delete = ON")
    connection = Connection(conn)
    await migrate(connection)
    return connection


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(connection: Connection, target: int | None = None) -> int:
    """Apply the migrations above the file's user_version, each in its own transaction."""
    conn = connection.conn
    current = await schema_version(conn)
    for version, name, sql in migration_scripts():
        if version <= current or (target is not None and version > target):
            continue
        logger.info("Applying migration %s", name)
        # executescript commits first, so the script carries its own transaction.
        try:
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                await conn.rollback()
            raise
        current = version
    return current
