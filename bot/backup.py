"""`forum-bot backup` and `forum-bot restore`: consistent copies of the SQLite database.

A backup uses SQLite's online backup API over a connection of its own: it reads one snapshot
(WAL lets the running bot go on writing meanwhile), checks the copy and renames it into place,
so a half-written file never carries the backup's name.

A restore checks the file first (SQLite's integrity check, a schema version this code knows,
the bot's tables) and refuses while a bot runs on the database: `forum-bot run` holds a lock
file beside it. The database it replaces is kept beside it as `<name>.before-restore-<time>`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from db.base import migration_scripts

REQUIRED_TABLES = frozenset({"users", "programs", "agenda", "deliveries"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class Checked:
    path: Path
    schema_version: int
    users: int
    size: int


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def run_lock(database: Path) -> Iterator[None]:
    """Held by `forum-bot run` for its lifetime; released by the OS even on a crash."""
    if str(database) == ":memory:":
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    with lock_path(database).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"another bot is already running on {database}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def bot_running(database: Path) -> bool:
    path = lock_path(database)
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def check_database(path: Path) -> Checked:
    """Refuse a file that is not a sound database of this bot, or of a newer version."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    known = len(migration_scripts())
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: cannot open: {exc}") from None
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{path}: damaged: {'; '.join(problems[:5])}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = REQUIRED_TABLES - tables
        if version == 0 or missing:
            raise BackupError(f"{path}: not a forum bot database")
        if version > known:
            raise BackupError(
                f"{path}: schema version {version} is newer than this bot knows ({known}); "
                "restore it with the newer bot"
            )
        users = int(conn.execute("SELECT count(*) FROM users").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a database: {exc}") from None
    finally:
        conn.close()
    return Checked(path, version, users, path.stat().st_size)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # pages=-1: the whole database in one step, under one read snapshot.
    source.backup(target, pages=-1)


def backup(database: Path, destination: Path, folder: bool = False) -> Checked:
    """Copy the database, consistent even while the bot writes; the copy is checked. Into a
    timestamped file when `destination` is a folder (or `folder`: one still to be made)."""
    if not database.is_file():
        raise BackupError(f"{database}: no such database")
    if folder or destination.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        destination = destination / f"{database.stem}-{stamp}.sqlite3"
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(database, timeout=30)
        try:
            target = sqlite3.connect(partial)
            try:
                _copy(source, target)
                # A copy stands alone: no WAL file beside it.
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
        finally:
            source.close()
        checked = check_database(partial)
        os.replace(partial, destination)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup of {database} failed: {exc}") from None
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    return Checked(destination, checked.schema_version, checked.users, checked.size)


def restore(backup_file: Path, database: Path) -> tuple[Checked, Path | None]:
    """Replace the database by a checked backup; (what was restored, where the old one went)."""
    checked = check_database(backup_file)
    if bot_running(database):
        raise BackupError(
            f"the bot is running on {database}: stop it first (systemctl stop forum-bot, "
            "docker compose stop bot), restore, then start it again"
        )
    kept: Path | None = None
    if database.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        kept = database.with_name(f"{database.name}.before-restore-{stamp}")
        backup(database, kept)
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(database, timeout=30)
            try:
                _copy(source, target)
                target.execute("PRAGMA journal_mode = WAL")
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"restore into {database} failed: {exc}") from None
    return checked, kept
