"""/mydata shows what is stored, readably and as a file; /forget cancels the registration (its
place goes to the waiting list), leaves nothing personal in any table, in the audit log, or in
the bytes of the database file and its WAL."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

from tests.e2e.registration_helpers import (
    OPEN_CLOCK,
    PACE,
    adult_script,
    at_step,
    program_with_capacity,
    register,
)
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, running_app

NAME = "Zoe Quartermaine"
OLD_EMAIL = "zoe.first@example.org"
EMAIL = "zoe.quartermaine@example.org"


def file_bytes(db_path: Path) -> bytes:
    data = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


async def test_mydata_then_forget_leaves_no_personal_data(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    program = program_with_capacity(tmp_path, 1)
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK, program_file=program) as app:
        zoe = fake.add_user(734000001, "Zoe", language_code="en", username="zoe_quarter")
        first = await register(zoe, adult_script(NAME, OLD_EMAIL))
        assert "confirmed" in first.text
        # Someone waits behind Zoe, and takes her place once she is forgotten.
        max_ = fake.add_user(734000002, "Max", language_code="en")
        waiting = await register(max_, adult_script("Max Waiting", "max@example.org"))
        assert "waiting list" in waiting.text

        # Zoe changes her e-mail: the old one must not survive in the file either.
        await zoe.send("/register")
        await zoe.wait_text("Your registration")
        await asyncio.sleep(PACE)
        await zoe.press("Change my answers")
        summary = await at_step(zoe, "summary")
        await zoe.press("E-mail", message=summary)
        await at_step(zoe, "email")
        await asyncio.sleep(PACE)
        await zoe.send(EMAIL)
        summary = await at_step(zoe, "summary")
        await asyncio.sleep(PACE)
        await zoe.press("Confirm", message=summary)
        await zoe.wait_text("Your changes are saved")

        # The owner makes her an organizer; she exports the registrations once.
        owner = fake.add_user(OWNER_ID, "Owner", language_code="en")
        await owner.send("/admin")
        await owner.wait_message()
        await owner.press("Organizers")
        await owner.wait_text("To add an organizer")
        await owner.send("@zoe_quarter")
        await owner.wait_text("Zoe is now an organizer")
        await zoe.send("/export csv")
        await zoe.wait_message(lambda m: m.document_bytes is not None)

        # /mydata: a card in her language, and everything as a file on request.
        await asyncio.sleep(PACE)
        await zoe.send("/mydata")
        card = await zoe.wait_text("everything the bot stores")
        for line in (
            "Name in Telegram: Zoe",
            "Username: @zoe_quarter",
            "Registration status: confirmed",
            f"Full name: {NAME}",
            "Date of birth: 15 January 2000",
            "Region: Smolensk Oblast",
            "Which section would you like to attend?: Industry",
            "Do you need accommodation?: No",
        ):
            assert line in card.text, line
        assert "RU-SMO" not in card.text and "industry" not in card.text
        await asyncio.sleep(PACE)
        await zoe.press("My data as a file")
        document = await zoe.wait_message(lambda m: m.document_bytes is not None)
        data = json.loads(document.document_bytes)
        [registration] = data["registration"]
        assert registration["email"] == EMAIL and registration["region"] == "RU-SMO"

        await asyncio.sleep(PACE)
        await zoe.send("/forget")
        await zoe.wait_text("cannot be undone")
        await zoe.press("Yes, delete my data")
        await zoe.wait_text("is deleted")
        await max_.wait_text("a place has become free")

        needles = [str(zoe.id), "Zoe", "Quartermaine", "zoe_quarter", zoe.phone, OLD_EMAIL]
        needles += [zoe.phone.lstrip("+"), EMAIL]
        conn = app.db.connection.conn
        async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
            tables = [r[0] for r in await cur.fetchall()]
        assert {"registrations", "registration_anon", "audit_log"} <= set(tables)
        for table in tables:
            if table in ("programs", "sqlite_sequence"):
                continue  # the program file and row counters hold no person
            async with conn.execute(f"SELECT * FROM {table}") as cur:
                for row in await cur.fetchall():
                    text = " ".join(str(v) for v in tuple(row))
                    for needle in needles:
                        assert needle not in text, (table, needle, text)

        # Not in the file's free pages, nor in the WAL: secure_delete and a checkpoint.
        raw = file_bytes(Path(app.settings.database_path))
        for needle in needles[1:]:
            assert needle.encode() not in raw, needle

        # The counts agree with the export; the forgotten one is counted apart.
        await asyncio.sleep(PACE)
        await owner.send("/stats")
        stats = await owner.wait_text("Youth meeting registrations")
        assert "Confirmed: 1" in stats.text and "Cancelled: 0" in stats.text
        assert "1 registration in all, as in the export." in stats.text
        assert "Deleted at the person's request (not in the export): 1" in stats.text
        await asyncio.sleep(PACE)
        await owner.send("/export csv")
        export = await owner.wait_message(lambda m: m.document_bytes is not None)
        table = list(
            csv.reader(io.StringIO(export.document_bytes.decode("utf-8-sig")), delimiter=";")
        )
        assert [r[2] for r in table[1:]] == ["Max Waiting"]

        # The audit log still says an organizer was appointed, not who.
        await asyncio.sleep(PACE)
        await owner.send("/audit")
        log = await owner.wait_text("Audit log")
        assert "made a person who has since been deleted an organizer" in log.text
        assert "Zoe" not in log.text
    fake.assert_no_rejections()


async def test_without_secure_delete_the_bytes_would_remain(tmp_path: Path) -> None:
    """The byte search above can fail: with SQLite's default, a deleted row stays in the file."""
    import sqlite3

    path = tmp_path / "plain.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA secure_delete = OFF")
    conn.execute("CREATE TABLE t (name TEXT)")
    conn.execute("INSERT INTO t VALUES ('Quartermaine')")
    conn.commit()
    conn.execute("DELETE FROM t")
    conn.commit()
    conn.close()
    assert b"Quartermaine" in path.read_bytes()
