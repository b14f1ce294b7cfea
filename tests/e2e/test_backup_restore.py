"""`forum-bot backup` while the database is written, and `forum-bot restore` with its checks."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from db import Database
from tests.fakeapi import FakeTelegram
from tests.harness import BotProcess, bot_env, run_cli


def counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        agenda = conn.execute("SELECT count(*) FROM agenda").fetchone()[0]
    return users, agenda


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


class Writer(threading.Thread):
    """Another connection writing all along: each transaction adds a user and their agenda row,
    so a consistent copy always has as many of one as of the other."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.written = 0
        self.started = threading.Event()  # set once 50 transactions are in

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        n = 0
        while not self.stop.is_set():
            n += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO users (id, first_name, role, first_seen, last_seen) "
                "VALUES (?, 'W', 'participant', '2026-01-01', '2026-01-01')",
                (100_000 + n,),
            )
            conn.execute(
                "INSERT INTO agenda (user_id, session_id, added_at) VALUES (?, 'plenary', 'x')",
                (100_000 + n,),
            )
            conn.execute("COMMIT")
            self.written = n
            if n == 50:
                self.started.set()
        conn.close()


async def test_a_backup_taken_during_writes_is_consistent_and_restores(tmp_path: Path) -> None:
    live = tmp_path / "data" / "forum.sqlite3"
    db = await Database.open(live)
    await db.close()
    writer = Writer(live)
    writer.start()
    try:
        await asyncio.to_thread(writer.started.wait, 30)
        copies = []
        for n in range(2):
            target = tmp_path / "backups" / f"copy{n}.sqlite3"
            result = await asyncio.to_thread(
                run_cli, "backup", str(target), DATABASE_PATH=str(live)
            )
            assert result.returncode == 0, result.stderr
            assert f"{target}: backup of {live}" in result.stdout
            copies.append(target)
    finally:
        writer.stop.set()
        writer.join(10)
    written = writer.written
    seen = []
    for copy in copies:
        assert integrity(copy) == "ok"
        users, agenda = counts(copy)
        assert users == agenda > 0  # no transaction half in the copy
        seen.append(users)
        assert not copy.with_name(copy.name + "-wal").exists()
    assert seen[0] <= seen[1] <= written

    # Restored into a fresh place, the bot opens it and finds the same rows.
    restored = tmp_path / "restored" / "forum.sqlite3"
    result = await asyncio.to_thread(
        run_cli, "restore", str(copies[1]), "--yes", DATABASE_PATH=str(restored)
    )
    assert result.returncode == 0, result.stderr
    db = await Database.open(restored)
    try:
        assert len(await db.agenda.savers("plenary")) == seen[1]
    finally:
        await db.close()

    # A folder as the target gets a timestamped file, even one still to be made.
    result = await asyncio.to_thread(
        run_cli, "backup", f"{tmp_path}/nightly/", DATABASE_PATH=str(live)
    )
    assert result.returncode == 0, result.stderr
    made = list((tmp_path / "nightly").glob("forum-*.sqlite3"))
    assert len(made) == 1 and integrity(made[0]) == "ok"


async def test_restore_checks_the_file_and_refuses_while_the_bot_runs(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    process = BotProcess(fake, bot_env(fake, tmp_path), tmp_path / "bot.log")
    env = {"DATABASE_PATH": process.env["DATABASE_PATH"]}
    database = Path(env["DATABASE_PATH"])
    await process.start()
    anna = fake.add_user(8401, "Anna", language_code="en")
    await anna.send("/start s-plenary")
    card = await anna.wait_message()
    await anna.press("Add to my agenda", message=card)
    await anna.wait_callback_answer()

    good = tmp_path / "good.sqlite3"
    result = await asyncio.to_thread(run_cli, "backup", str(good), **env)
    assert result.returncode == 0, result.stderr

    # While the bot runs: refused, nothing changed; a second bot on the database is refused.
    result = await asyncio.to_thread(run_cli, "restore", str(good), "--yes", **env)
    assert result.returncode == 2 and "the bot is running" in result.stderr
    second = await asyncio.to_thread(run_cli, "run", **process.env)
    assert second.returncode == 2 and "already running" in second.stderr
    await anna.press("Remove from my agenda", message=card)
    await anna.wait_callback_answer()
    assert await process.stop() == 0
    assert counts(database)[1] == 0

    # Bad files are refused, each with its reason, and change nothing.
    damaged = tmp_path / "damaged.sqlite3"
    with sqlite3.connect(good) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        sql = "SELECT rootpage FROM sqlite_master WHERE name = 'agenda'"
        root = conn.execute(sql).fetchone()[0]
    data = bytearray(good.read_bytes())
    data[(root - 1) * size : (root - 1) * size + 12] = b"\x07" * 12  # the table's page header
    damaged.write_bytes(bytes(data))
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 999")
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 100)
    for bad, reason in (
        (damaged, ""),
        (newer, "newer than this bot knows"),
        (text, "not a database"),
        (tmp_path / "missing.sqlite3", "no such file"),
    ):
        result = await asyncio.to_thread(run_cli, "restore", str(bad), "--yes", **env)
        assert result.returncode == 2, (bad, result.stdout)
        assert reason in result.stderr and "Traceback" not in result.stderr
    result = await asyncio.to_thread(run_cli, "restore", str(good), **env)
    assert result.returncode == 2 and "--yes" in result.stderr  # no terminal to ask
    assert counts(database)[1] == 0

    result = await asyncio.to_thread(run_cli, "restore", str(good), "--yes", **env)
    assert result.returncode == 0, result.stderr
    assert "kept as" in result.stdout
    assert list(tmp_path.glob("bot.sqlite3.before-restore-*"))

    # The restored bot has Anna's agenda of the backup's time.
    await process.start()
    await anna.send("/agenda")
    agenda = await anna.wait_text("My agenda")
    assert "Plenary" in agenda.text
    assert await process.stop() == 0
    process.assert_clean_log()
