"""A populated database for the benchmarks: many users (and, with the registration feature,
registrations), written through the same migrations and program import as the bot's."""

from __future__ import annotations

import random
from pathlib import Path

from bot.services.program import ProgramService
from bot.settings import SAMPLE_PROGRAM
from db import Database
from db.base import utcnow_iso


async def populate_database(path: Path, users: int, registrations: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    db = await Database.open(path)
    try:
        await ProgramService(db).import_file(SAMPLE_PROGRAM)
        now = utcnow_iso()
        rows = [
            (
                100_000 + i,
                f"User{i}",
                rng.choice(("ru", "be", "en", None)),
                now,
                now,
            )
            for i in range(users)
        ]
        async with db.transaction() as conn:
            await conn.executemany(
                """INSERT INTO users (id, first_name, telegram_language, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?)""",
                rows,
            )
    finally:
        await db.close()
