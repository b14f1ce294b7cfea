"""The loaded forum program: each import is kept as its source text."""

from __future__ import annotations

from dataclasses import dataclass

from db.base import Connection


@dataclass(frozen=True, slots=True)
class StoredProgram:
    id: int
    checksum: str
    filename: str
    source: str
    loaded_at: str


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

    async def add(self, checksum: str, filename: str, source: str) -> int:
        cur = await self.db.conn.execute(
            "INSERT INTO programs (checksum, filename, source, loaded_at) VALUES (?, ?, ?, ?)",
            (checksum, filename, source, self.db.now_iso()),
        )
        # Older versions are only needed to compute what changed on the next import.
        await self.db.conn.execute(
            "DELETE FROM programs WHERE id < (SELECT max(id) - 4 FROM programs)"
        )
        return int(cur.lastrowid or 0)
