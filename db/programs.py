"""The forum program: each stored version as its source text, uploads waiting for a Confirm,
and the live edits that can be undone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from db.base import Connection

# Versions kept besides the one before the latest import (which a rollback needs).
KEEP_VERSIONS = 50


@dataclass(frozen=True, slots=True)
class StoredProgram:
    id: int
    checksum: str
    filename: str
    source: str
    loaded_at: str
    kind: str = "import"
    actor_id: int | None = None
    summary: str = "{}"


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    actor_id: int
    base_version: int
    filename: str
    source: str
    created_at: str


@dataclass(frozen=True, slots=True)
class StoredEdit:
    id: int
    version: int
    actor_id: int | None
    at: str
    kind: str
    target: str
    before: dict[str, Any]
    after: dict[str, Any]
    undone_by: int | None


class ProgramRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def current(self) -> StoredProgram | None:
        sql = "SELECT * FROM programs ORDER BY id DESC LIMIT 1"
        async with self.db.conn.execute(sql) as cur:
            row = await cur.fetchone()
        return StoredProgram(**dict(row)) if row else None

    async def current_id(self) -> int | None:
        async with self.db.conn.execute("SELECT max(id) FROM programs") as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def get(self, version: int) -> StoredProgram | None:
        async with self.db.conn.execute("SELECT * FROM programs WHERE id = ?", (version,)) as cur:
            row = await cur.fetchone()
        return StoredProgram(**dict(row)) if row else None

    async def latest_import(self) -> StoredProgram | None:
        sql = "SELECT * FROM programs WHERE kind = 'import' ORDER BY id DESC LIMIT 1"
        async with self.db.conn.execute(sql) as cur:
            row = await cur.fetchone()
        return StoredProgram(**dict(row)) if row else None

    async def before_latest_import(self) -> StoredProgram | None:
        """The version that was current when the latest file was imported (a rollback's goal)."""
        sql = """SELECT * FROM programs
                 WHERE id < (SELECT max(id) FROM programs WHERE kind = 'import')
                 ORDER BY id DESC LIMIT 1"""
        async with self.db.conn.execute(sql) as cur:
            row = await cur.fetchone()
        return StoredProgram(**dict(row)) if row else None

    async def add(
        self,
        checksum: str,
        filename: str,
        source: str,
        kind: str = "import",
        actor_id: int | None = None,
    ) -> int:
        cur = await self.db.conn.execute(
            """INSERT INTO programs (checksum, filename, source, loaded_at, kind, actor_id, summary)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                checksum,
                filename,
                source,
                self.db.now_iso(),
                kind,
                actor_id,
                "{}",
            ),
        )
        # Older versions are only needed to compare with and to roll back the latest import.
        await self.db.conn.execute(
            """DELETE FROM programs
               WHERE id <= (SELECT max(id) FROM programs) - ?
                 AND id IS NOT (SELECT max(id) FROM programs
                                WHERE id < (SELECT max(id) FROM programs WHERE kind = 'import'))""",
            (KEEP_VERSIONS,),
        )
        return int(cur.lastrowid or 0)

    async def set_summary(self, version: int, summary: dict[str, Any]) -> None:
        await self.db.conn.execute(
            "UPDATE programs SET summary = ? WHERE id = ?",
            (json.dumps(summary, ensure_ascii=False), version),
        )

    async def forget_actor(self, user_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE programs SET actor_id = NULL WHERE actor_id = ?", (user_id,)
        )


class DraftRepo:
    """Uploaded programmes shown as a preview, until Confirm or Cancel (or a day passes)."""

    def __init__(self, db: Connection) -> None:
        self.db = db

    async def add(self, actor_id: int, base_version: int, filename: str, source: str) -> int:
        cur = await self.db.conn.execute(
            """INSERT INTO program_drafts (actor_id, base_version, filename, source, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            (actor_id, base_version, filename, source, self.db.now_iso()),
        )
        return int(cur.lastrowid or 0)

    async def get(self, draft_id: int) -> Draft | None:
        sql = "SELECT * FROM program_drafts WHERE id = ?"
        async with self.db.conn.execute(sql, (draft_id,)) as cur:
            row = await cur.fetchone()
        return Draft(**dict(row)) if row else None

    async def delete(self, draft_id: int) -> None:
        await self.db.conn.execute("DELETE FROM program_drafts WHERE id = ?", (draft_id,))

    async def delete_older(self, before_iso: str) -> None:
        await self.db.conn.execute("DELETE FROM program_drafts WHERE created_at < ?", (before_iso,))

    async def delete_user(self, user_id: int) -> None:
        await self.db.conn.execute("DELETE FROM program_drafts WHERE actor_id = ?", (user_id,))


class EditRepo:
    """Live edits of the programme, each with the values it replaced."""

    def __init__(self, db: Connection) -> None:
        self.db = db

    async def add(
        self,
        version: int,
        actor_id: int | None,
        kind: str,
        target: str,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> int:
        cur = await self.db.conn.execute(
            """INSERT INTO program_edits (version, actor_id, at, kind, target, before, after)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                version,
                actor_id,
                self.db.now_iso(),
                kind,
                target,
                json.dumps(before, ensure_ascii=False),
                json.dumps(after, ensure_ascii=False),
            ),
        )
        return int(cur.lastrowid or 0)

    async def get(self, edit_id: int) -> StoredEdit | None:
        async with self.db.conn.execute(
            "SELECT * FROM program_edits WHERE id = ?", (edit_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        data = dict(row)
        data["before"] = json.loads(data["before"])
        data["after"] = json.loads(data["after"])
        return StoredEdit(**data)

    async def mark_undone(self, edit_id: int, by: int) -> None:
        await self.db.conn.execute(
            "UPDATE program_edits SET undone_by = ? WHERE id = ?", (by, edit_id)
        )

    async def undoable(self, edit_ids: list[int]) -> set[int]:
        """Which of these edits are not undone yet."""
        if not edit_ids:
            return set()
        marks = ",".join("?" * len(edit_ids))
        sql = f"SELECT id FROM program_edits WHERE id IN ({marks}) AND undone_by IS NULL"
        async with self.db.conn.execute(sql, edit_ids) as cur:
            return {r[0] for r in await cur.fetchall()}

    async def forget_actor(self, user_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE program_edits SET actor_id = NULL WHERE actor_id = ?", (user_id,)
        )
