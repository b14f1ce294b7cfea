"""Uploading the programme from the bot: preview, confirm, cancel, a concurrent confirm,
bad files, rollback, and participants refused; the app runs in-process against the fake API."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path

import openpyxl
import pytest

from bot.app import App
from bot.keyboards.program import ProgramCb
from tests.e2e.test_cli import broken_sample
from tests.fakeapi import FakeTelegram, FakeUser
from tests.fakeapi.models import FakeMessage
from tests.harness import OWNER_ID, running_app
from tests.schedule_helpers import changed_sample, sample_text

NOTICE = "Programme changes"


@pytest.fixture
async def fast_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = None
    async with running_app(fake, tmp_path, send_rate=1000) as app:
        yield app


async def join(fake: FakeTelegram, user_id: int, name: str, language: str = "en") -> FakeUser:
    user = fake.add_user(user_id, name, language_code=language)
    await user.send("/start")
    await user.wait_message()
    return user


async def save(user: FakeUser, session_id: str) -> None:
    await user.send(f"/start s-{session_id}")
    card = await user.wait_message()
    await user.press("Add to my agenda", message=card)
    await user.wait_message(lambda m: "Remove from my agenda" in " ".join(m.button_texts()))


async def subscribe(user: FakeUser, section_id: str) -> None:
    await user.send(f"/start x-{section_id}")
    section = await user.wait_message()
    await user.press("🔔", message=section)
    await user.wait_message(lambda m: "✖" in " ".join(m.button_texts()))


async def join_organizer(
    fake: FakeTelegram, app: App, user_id: int, name: str, language: str = "en"
) -> FakeUser:
    """A person who wrote to the bot and was then made an organizer."""
    user = await join(fake, user_id, name, language)
    async with app.db.transaction():
        await app.db.users.set_role(user.id, "organizer")
    return user


def rows(app: App, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(app.settings.database_path) as conn:
        return conn.execute(sql).fetchall()


def program_rows(app: App) -> list[tuple[object, ...]]:
    return rows(app, "SELECT id, kind, actor_id, checksum FROM programs ORDER BY id")


def notices(user: FakeUser) -> list[FakeMessage]:
    return [m for m in user.messages if m.from_bot and NOTICE in (m.text or "")]


async def upload(user: FakeUser, name: str, text: str) -> FakeMessage:
    await user.send_document(name, text.encode("utf-8"))
    return await user.wait_message()


async def test_preview_confirm_and_one_notice_each_within_two_seconds(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    ann = await join(fake, 7301, "Ann")
    bob = await join(fake, 7302, "Bob", "ru")
    carl = await join(fake, 7303, "Carl")
    await save(ann, "plenary")
    await save(ann, "d2-s1")
    await subscribe(bob, "s1-industry")  # section 1's subscriber: its session moves
    await save(carl, "d1-concert")  # nothing of his changes
    before = program_rows(fast_app)

    preview = await upload(owner, "programme-v2.yaml", changed_sample())
    assert "programme-v2.yaml" in preview.text and "Nothing has changed yet" in preview.text
    assert "1 session moved" in preview.text and "1 session cancelled" in preview.text
    assert "Fri 25 June, 14:30–17:30, Conference Hall → Fri 25 June, 15:00–18:00" in preview.text
    assert "2 people will get one notice each" in preview.text
    assert preview.button_texts() == ["✅ Import", "✖️ Cancel"]
    assert program_rows(fast_app) == before  # a preview changes nothing
    assert not notices(ann)

    await owner.press("Import", message=preview)
    pressed = owner._last_callback
    assert pressed is not None
    done = await owner.wait_text("The programme is imported")
    assert "2 people are being told" in done.text
    first_ann = await ann.wait_text(NOTICE, timeout=5)
    first_bob = await bob.wait_text("Изменения программы", timeout=5)
    for notice in (first_ann, first_bob):
        assert notice.received_at - pressed.created <= 2.0
    assert "Plenary session" in first_ann.text and "cancelled" in first_ann.text
    assert "15:00–18:00" in first_ann.text
    await carl.expect_silence(0.3)
    await ann.expect_silence(0.3)  # exactly one notice, not one per changed session
    assert len(notices(ann)) == 1 and len(notices(carl)) == 0

    versions = program_rows(fast_app)
    assert len(versions) == len(before) + 1 and versions[-1][1:3] == ("import", OWNER_ID)
    (audit,) = rows(
        fast_app, "SELECT actor_id, details FROM audit_log WHERE action LIKE 'program.%'"
    )
    assert (
        audit[0] == OWNER_ID and '"moved": 1' in str(audit[1]) and '"notified": 2' in str(audit[1])
    )

    await ann.send("/start s-d2-s1")
    card = await ann.wait_message()
    assert "15:00–18:00" in card.text
    fake.assert_no_rejections()


async def test_cancel_changes_nothing_and_the_same_file_is_unchanged(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    ann = await join(fake, 7311, "Ann")
    await save(ann, "plenary")
    before = program_rows(fast_app)
    preview = await upload(owner, "v2.yaml", changed_sample())
    await owner.press("Cancel", message=preview)
    await owner.wait_text("nothing was changed")
    assert program_rows(fast_app) == before
    assert rows(fast_app, "SELECT count(*) FROM program_drafts") == [(0,)]
    # The cancelled preview's buttons are gone; a forged Import of it is out of date.
    assert (owner.chat.messages[preview.message_id]).reply_markup is None
    await owner.press_data(ProgramCb(action="ok", id=1).pack(), preview.message_id)
    assert "out of date" in (await owner.wait_callback_answer())["text"]
    same = await upload(owner, "again.yaml", sample_text())
    assert "same programme as the one loaded" in same.text and not same.button_texts()
    await ann.expect_silence(0.3)
    assert program_rows(fast_app) == before
    fake.assert_no_rejections()


async def test_the_second_of_two_confirms_is_told_the_programme_changed(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    oleg = await join_organizer(fake, fast_app, 7321, "Oleg")
    first = await upload(owner, "v2.yaml", changed_sample())
    second = await upload(oleg, "v3.yaml", changed_sample(unrelated=True))
    assert "✅ Import" in first.button_texts() and "✅ Import" in second.button_texts()
    await asyncio.gather(owner.press("Import", message=first), oleg.press("Import", message=second))
    outcomes = []
    for user in (owner, oleg):
        reply = await user.wait_message(lambda m: "imported" in m.text or "changed by" in m.text)
        outcomes.append(reply.text)
    imported = [t for t in outcomes if "The programme is imported" in t]
    refused = [t for t in outcomes if "changed by someone else after this preview" in t]
    assert len(imported) == 1 and len(refused) == 1, outcomes
    versions = program_rows(fast_app)
    assert [v[1] for v in versions] == ["import", "import"]  # the first load and one upload
    fake.assert_no_rejections()


async def test_bad_files_are_refused_and_change_nothing(
    fake: FakeTelegram, fast_app: App, tmp_path: Path
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    olga_ru = await join_organizer(fake, fast_app, 7331, "Ольга", "ru")
    before = program_rows(fast_app)
    downloads_before = len(fake.requests("getFile"))

    big = await upload(owner, "huge.yaml", "#" * (5 * 1024 * 1024 + 1))
    assert "larger than 5 MB" in big.text
    assert len(fake.requests("getFile")) == downloads_before  # refused before downloading

    cases = [
        ("notes.txt", b"hello", "not a programme file"),
        ("photo.yaml", b"\x89PNG\r\n\x1a\n" + bytes(64), "not a program file"),
        ("office.yml", b"PK\x03\x04" + bytes(64), "not an Excel workbook, or a damaged one"),
        ("broken.xlsx", b"PK\x03\x04garbage", "not an Excel workbook, or a damaged one"),
        ("cp1251.yaml", "forum: Могилёв".encode("cp1251"), "not in UTF-8"),
        ("empty.yaml", b"", "the file is empty"),
        ("list.yaml", b"- a\n- b\n", "expected a mapping"),
    ]
    for name, data, expected in cases:
        await owner.send_document(name, data)
        reply = await owner.wait_message()
        assert expected in reply.text, (name, reply.text)
        assert "programme is unchanged" in reply.text or "not a programme file" in reply.text
        assert not reply.button_texts()

    # Invalid contents: every error at once, with file, line and field, in her language.
    broken = broken_sample(tmp_path).read_text(encoding="utf-8")
    await olga_ru.send_document("broken.yaml", broken.encode())
    reply = await olga_ru.wait_message()
    assert "(3 ошибки)" in reply.text, reply.text
    lines = [line for line in reply.text.splitlines() if line.startswith("• broken.yaml:")]
    assert len(lines) == 3, reply.text
    assert any("forum.timezone" in line and "часовой пояс" in line for line in lines)
    assert any(line.endswith(("].venue: неизвестная площадка no-such-venue",)) for line in lines)

    assert program_rows(fast_app) == before
    assert rows(fast_app, "SELECT count(*) FROM program_drafts") == [(0,)]
    fake.assert_no_rejections()


async def test_rollback_restores_the_programme_before_the_last_import(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    oleg = await join_organizer(fake, fast_app, 7341, "Oleg")
    ann = await join(fake, 7342, "Ann")
    await save(ann, "d2-s1")
    original = fast_app.programs.program

    preview = await upload(owner, "v2.yaml", changed_sample())
    await owner.press("Import", message=preview)
    await owner.wait_text("The programme is imported")
    await ann.wait_text(NOTICE)

    # An organizer who is not an owner sees no rollback, and a forged one is refused.
    await oleg.send("/program")
    status = await oleg.wait_text("Programme")
    assert not any("Roll back" in t for t in status.button_texts())
    await oleg.press_data(ProgramCb(action="rb").pack(), status.message_id)
    assert "Only the owners" in (await oleg.wait_callback_answer())["text"]

    await owner.send("/admin")
    await owner.wait_message()
    await owner.press("🗂 Programme")
    status = await owner.wait_text("Last imported file: v2.yaml")
    await owner.press("Roll back the last import", message=status)
    rollback = await owner.wait_text("Roll back")
    assert "1 session moved" in rollback.text and "1 session cancelled" not in rollback.text
    assert "1 session restored" in rollback.text
    await owner.press("⏪ Roll back", message=rollback)
    await owner.wait_text("The programme is rolled back")
    back = await ann.wait_text(NOTICE)
    assert "14:30–17:30" in back.text
    assert fast_app.programs.program == original
    assert program_rows(fast_app)[-1][1:3] == ("rollback", OWNER_ID)
    await owner.send("/audit")
    log = await owner.wait_text("Audit log")
    assert "rolled the programme back: v2.yaml" not in log.text  # it names the file it restored
    assert "rolled the programme back: sample_forum.yaml" in log.text
    assert "imported the programme: v2.yaml" in log.text and "1 session moved" in log.text
    fake.assert_no_rejections()


async def test_participants_cannot_upload(fake: FakeTelegram, fast_app: App) -> None:
    pete = await join(fake, 7351, "Pete")
    before = program_rows(fast_app)
    await pete.send_document("programme.yaml", changed_sample().encode())
    reply = await pete.wait_message()
    assert "I do not take files" in reply.text
    assert not fake.requests("getFile")
    await pete.send("/program")
    assert "organizers only" in (await pete.wait_message()).text
    for data in (ProgramCb(action="ok", id=1), ProgramCb(action="rb"), ProgramCb(action="rbok")):
        await pete.press_data(data.pack(), reply.message_id)
        assert "organizers only" in (await pete.wait_callback_answer())["text"]
    assert program_rows(fast_app) == before
    fake.assert_no_rejections()


def header_column(sheet, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(c.column for c in sheet[1] if c.value == name)


async def test_an_uploaded_workbook_with_a_moved_session_and_a_new_answer(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    ann = await join(fake, 7361, "Ann")
    await save(ann, "d2-s1")

    # The organizer takes the programme as a workbook from the bot and edits it in Excel.
    await owner.send("/admin")
    menu = await owner.wait_message()
    await owner.press("📊 Programme (Excel)", message=menu)
    exported = await owner.wait_message(lambda m: m.document is not None)
    book = openpyxl.load_workbook(io.BytesIO(exported.document_bytes or b""))
    sessions = book["Sessions"]
    row = next(c.row for c in sessions["A"] if c.value == "d2-s1")
    sessions.cell(row, header_column(sessions, "start"), time(15, 0))
    sessions.cell(row, header_column(sessions, "end"), time(18, 0))
    sessions.cell(row, header_column(sessions, "hall"), "meeting")
    faq = book["FAQ"]
    faq_id = faq.cell(2, header_column(faq, "id")).value
    question = faq.cell(2, header_column(faq, "question_en")).value
    faq.cell(2, header_column(faq, "answer_en"), "Lunch is now served in the foyer.")
    edited = io.BytesIO()
    book.save(edited)

    await owner.send_document("programme.xlsx", edited.getvalue())
    preview = await owner.wait_message()
    assert "programme.xlsx: the file is valid" in preview.text
    assert "1 session moved, FAQ: 1 change" in preview.text
    assert "15:00–18:00" in preview.text and "Meeting Room" in preview.text
    assert f"✎ {question}" in preview.text
    assert "1 person will get one notice" in preview.text
    await owner.press("✅ Import", message=preview)
    pressed = owner._last_callback
    assert pressed is not None
    await owner.wait_text("The programme is imported")
    notice = await ann.wait_text(NOTICE)
    assert notice.received_at - pressed.created <= 2.0
    assert "15:00–18:00" in notice.text and "Meeting Room" in notice.text
    await ann.expect_silence(0.3)
    program = fast_app.programs.program
    moved = program.session("d2-s1")
    assert moved is not None and (moved.start, moved.hall) == (time(15, 0), "meeting")
    entry = program.faq_entry(str(faq_id))
    assert entry is not None and entry.answer.get("en") == "Lunch is now served in the foyer."
    fake.assert_no_rejections()
