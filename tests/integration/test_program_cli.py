"""`forum-bot export`, `check` and `import` with workbooks, called in-process (`bot.cli.main`):
export → import of an unchanged workbook is "unchanged" and tells nobody; a changed one
notifies the person who saved the moved session; a bad workbook changes nothing."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from datetime import time
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.program.writer import program_yaml
from db import Database
from tests.harness import detach_routers
from tests.schedule_helpers import program_of

FULL_PROGRAM = Path(__file__).parents[1] / "data" / "full_program.yaml"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with no .env, a fresh database and the full test programme."""
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "ADMIN_IDS", "CLOCK_START"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    monkeypatch.setenv("PROGRAM_FILE", str(FULL_PROGRAM))
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    finally:
        detach_routers()  # `import` builds the app: its routers may join the next one
    out, err = capsys.readouterr()
    return code, out, err


def deliveries(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path / "bot.sqlite3") as conn:
        return conn.execute("SELECT user_id, kind FROM deliveries").fetchall()


async def save_session(path: Path, user_id: int, session_id: str) -> None:
    db = await Database.open(path / "bot.sqlite3")
    try:
        async with db.transaction():
            await db.users.upsert_seen(user_id, "Ира", None, "ru", "ru")
            await db.agenda.add(user_id, session_id)
    finally:
        await db.close()


def test_export_import_unchanged_then_changed(env: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "export", "program.xlsx")
    assert code == 0 and "written from" in out and "10 sessions" in out
    code, out, _ = run(capsys, "import", "program.xlsx")
    assert (code, out.split(": ")[1]) == (0, "imported")
    asyncio.run(save_session(env, 501, "closing"))

    code, out, _ = run(capsys, "export", "again.xlsx")
    assert code == 0 and "from the database" in out
    code, out, _ = run(capsys, "import", "again.xlsx")
    assert code == 0 and "again.xlsx: unchanged" in out
    code, out, _ = run(capsys, "import", str(FULL_PROGRAM))  # its YAML: the same programme
    assert code == 0 and "unchanged" in out
    assert deliveries(env) == []

    book = openpyxl.load_workbook(env / "again.xlsx")
    ws = book["Sessions"]
    row = next(c.row for c in ws["A"] if c.value == "closing")
    ws.cell(row, 3, time(14, 0))
    ws.cell(row, 4, time(15, 0))
    book.save(env / "moved.xlsx")
    code, out, _ = run(capsys, "import", "moved.xlsx")
    assert code == 0 and "moved.xlsx: imported" in out
    assert deliveries(env) == [(501, "change")]


def test_export_yaml_and_template(env: Path, capsys: pytest.CaptureFixture) -> None:
    code, _, _ = run(capsys, "export", "program.yaml")
    assert code == 0
    text = (env / "program.yaml").read_text(encoding="utf-8")
    assert text == program_yaml(program_of(FULL_PROGRAM))

    code, out, _ = run(capsys, "export", "--template", "blank.xlsx")
    assert code == 0 and "blank program workbook" in out
    book = openpyxl.load_workbook(env / "blank.xlsx")
    assert book["Sessions"].max_row == 1 and book["Sessions"]["A1"].value == "id"
    code, _, err = run(capsys, "check", "blank.xlsx")
    assert code == 2
    assert err.splitlines()[1:] == ["Forum!A2: forum: required field forum is missing"]

    for wrong in (("export", "program.csv"), ("export", "--template", "blank.yaml")):
        code, _, err = run(capsys, *wrong)
        assert code == 2 and "the file name must end in" in err


def test_check_and_import_report_cells(env: Path, capsys: pytest.CaptureFixture) -> None:
    run(capsys, "export", "program.xlsx")
    code, out, _ = run(capsys, "check", "program.xlsx")
    assert code == 0 and "program.xlsx: OK" in out
    run(capsys, "import", "program.xlsx")

    book = openpyxl.load_workbook(env / "program.xlsx")
    book["Sessions"]["B2"] = "2028-13-01"
    book["Venues"]["H2"] = "north"
    out_file = io.BytesIO()
    book.save(out_file)
    (env / "bad.xlsx").write_bytes(out_file.getvalue())
    code, _, err = run(capsys, "check", "bad.xlsx")
    assert code == 2
    assert err.splitlines() == [
        "forum-bot: bad.xlsx: 2 error(s):",
        "Venues!H2: latitude: expected a number, got north",
        "Sessions!B2: day: expected a date like 2027-06-24, got 2028-13-01",
    ]
    code, _, err = run(capsys, "import", "bad.xlsx")
    assert code == 2 and "bad.xlsx was not imported; the loaded program is unchanged" in err
    (env / "fake.xlsx").write_bytes(b"GIF89a" + bytes(200))
    code, _, err = run(capsys, "import", "fake.xlsx")
    assert code == 2 and "fake.xlsx: the file is named .xlsx but is not an Excel workbook" in err
    with sqlite3.connect(env / "bot.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM programs").fetchone() == (1,)


def test_program_file_may_be_a_workbook(
    env: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "export", "program.xlsx")
    monkeypatch.setenv("PROGRAM_FILE", str(env / "program.xlsx"))
    monkeypatch.setenv("DATABASE_PATH", str(env / "other.sqlite3"))
    code, out, _ = run(capsys, "export", "from-book.yaml")
    assert code == 0 and "program.xlsx (the database holds no program yet)" in out
    text = (env / "from-book.yaml").read_text(encoding="utf-8")
    assert text == program_yaml(program_of(FULL_PROGRAM))
