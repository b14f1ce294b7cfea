"""The organizer menu sends the programme as a workbook (and the blank one); a participant who
forges the button gets a refusal and no file."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from bot.keyboards.admin import AdminCb
from bot.program.workbook import read_workbook
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, running_app


async def test_organizer_gets_the_workbook_participant_a_refusal(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start="2027-06-25T10:30:00") as app:
        owner = fake.add_user(OWNER_ID, "Olga", language_code="ru")
        await owner.send("/admin")
        await owner.wait_text("Инструменты организатора")
        await owner.press("📊 Программа (Excel)")
        sent = await owner.wait_message(lambda m: m.document is not None)
        assert sent.file_name == "program-20270625-1030.xlsx"
        assert "41" in (sent.caption or "")
        data = sent.document_bytes
        assert data is not None
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert "Sessions" in book.sheetnames
        assert book["Instructions"]["A2"].value == "Как заполнить эту книгу"
        assert read_workbook(data, sent.file_name) == app.programs.program

        await owner.press("📄 Пустая программа")
        blank = await owner.wait_message(lambda m: m.document is not None)
        assert blank.file_name == "program-template.xlsx"
        empty = openpyxl.load_workbook(io.BytesIO(blank.document_bytes or b""))
        assert empty["Sessions"].max_row == 1

        pete = fake.add_user(7401, "Pete", language_code="en")
        await pete.send("/start")
        menu = await pete.wait_message()
        for action in ("wb", "tpl"):
            await pete.press_data(AdminCb(action=action).pack(), menu.message_id)
            answer = await pete.wait_callback_answer()
            assert "organizers only" in answer["text"]
        await pete.expect_silence(0.3)
        assert not [m for m in pete.messages if m.document is not None]
    fake.assert_no_rejections()
