"""Capacity and the waiting list; organizers' counts and exports, refused to participants."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.registration_helpers import (
    OPEN_CLOCK,
    PACE,
    adult_script,
    fill_adult_form,
    program_with_capacity,
)
from tests.e2e.registration_helpers import register as register_as
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, running_app


async def register(user, name: str, email: str) -> str:
    await fill_adult_form(user, name, email)
    await user.wait_text("check your answers")
    await asyncio.sleep(PACE)
    await user.press("Confirm")
    return (await user.wait_text("YM-")).text


async def test_third_sign_up_waits_and_is_promoted_when_someone_cancels(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    program = program_with_capacity(tmp_path, 2)
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK, program_file=program) as app:
        people = [fake.add_user(732000100 + i, f"P{i}", language_code="en") for i in range(3)]
        await register(people[0], "First Person", "first@example.com")
        await register(people[1], "Second Person", "second@example.com")
        third = await register(people[2], "Third Person", "third@example.com")
        assert "waiting list" in third and "place 1" in third
        assert (await app.db.registrations.by_user(people[2].id)).status == "waiting"

        await people[0].send("/register")
        await people[0].wait_text("Your registration")
        await people[0].press("Cancel my registration")
        await people[0].wait_text("Cancel your registration")
        await people[0].press("Yes, cancel it")
        await people[0].wait_text("is cancelled")

        notice = await people[2].wait_text("a place has become free")
        assert "YM-0003" in notice.text
        statuses = [(await app.db.registrations.by_user(p.id)).status for p in people]
        assert statuses == ["cancelled", "registered", "registered"]

        # The organizer sees the counts and gets both exports.
        owner = fake.add_user(OWNER_ID, "Owner", language_code="en")
        await owner.send("/stats")
        stats = await owner.wait_text("Youth meeting registrations")
        assert "Confirmed: 2" in stats.text and "Cancelled: 1" in stats.text
        assert "3 registrations in all, as in the export." in stats.text
        # Regions are stored as codes and counted as one, named in the reader's language.
        assert "Russia: 2" in stats.text and "Smolensk Oblast: 2" in stats.text
        # Counts by the form's choices and by age, without the cancelled one.
        by_question = stats.text.split("Which section would you like to attend?")[1]
        assert by_question.split("\n")[1] == "Industry: 2"
        assert "Do you need accommodation?\nNo: 2" in stats.text
        assert "By age on 24 June 2027\n14–17: 0\n18–24: 0\n25–30: 2\n31–35: 0" in stats.text
        await asyncio.sleep(PACE)
        await owner.press("CSV for Excel")
        document = await owner.wait_message(lambda m: m.document_bytes is not None)
        table = list(
            csv.reader(io.StringIO(document.document_bytes.decode("utf-8-sig")), delimiter=";")
        )
        assert table[0][:3] == ["Number", "Status", "Full name"]
        assert [r[2] for r in table[1:]] == ["First Person", "Second Person", "Third Person"]
        await asyncio.sleep(PACE)
        await owner.press("⬇️ Excel")
        excel = await owner.wait_message(lambda m: m.document_bytes is not None)
        assert excel.file_name.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(excel.document_bytes)).active
        assert sheet.cell(row=4, column=3).value == "Third Person"
        assert sheet.cell(row=4, column=11).value == "third@example.com"
    fake.assert_no_rejections()


async def test_participants_cannot_see_counts_export_or_check_in(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK) as app:
        eve = fake.add_user(732000200, "Eve", language_code="en")
        for command in (
            "/stats",
            "/registrations",
            "/export",
            "/checkin YM-0001",
            "/start ci-YM-0001",
        ):
            await eve.send(command)
            refusal = await eve.wait_message()
            assert "organizers only" in refusal.text, command
            await asyncio.sleep(PACE)
        menu = refusal
        for forged in ("oreg:csv", "oreg:xlsx", "oreg:stats", "m:adm_reg"):
            await eve.press_data(forged, menu.message_id)
            answer = await eve.wait_callback_answer()
            assert "organizers only" in answer["text"], forged
        await eve.expect_silence(0.3)
        assert not [m for m in eve.messages if m.document_bytes is not None]
        assert await app.db.registrations.all() == []
    fake.assert_no_rejections()


async def test_exports_run_no_formula_and_are_written_to_the_audit_log(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK):
        eve = fake.add_user(732000300, "Eve", language_code="en", phone="+375291230000")
        hostile = adult_script(
            '=HYPERLINK("http://evil.example","Eve")',
            "-2+3@example.com",
            org="-2+3+cmd|' /C calc'!A0",
            pos="@SUM(1+1)",
        )
        first = await register_as(eve, hostile)
        assert "confirmed" in first.text
        owner = fake.add_user(OWNER_ID, "Owner", language_code="ru")
        await owner.send("/export")
        excel = await owner.wait_message(lambda m: m.document_bytes is not None)
        spreadsheet = await owner.wait_message(lambda m: m.document_bytes is not None)
        assert excel.file_name.endswith(".xlsx") and spreadsheet.file_name.endswith(".csv")

        table = list(
            csv.reader(io.StringIO(spreadsheet.document_bytes.decode("utf-8-sig")), delimiter=";")
        )
        header, cells = table[0], table[1]
        assert header[:3] == ["Номер", "Статус", "ФИО"]
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        by_name = dict(zip(header, cells, strict=True))
        assert by_name["Статус"] == "подтверждено"
        assert by_name["Телефон"] == "'+375 29 123-00-00"  # text with its plus, not a number
        assert by_name["E-mail"] == "'-2+3@example.com"
        assert by_name["Регион"] == "Смоленская область"
        assert by_name["Дата регистрации (Europe/Minsk)"].startswith("2027-06-01 10:0")

        sheet = load_workbook(io.BytesIO(excel.document_bytes)).active
        values = [c for c in sheet[2]]
        assert all(c.data_type == "s" for c in values if c.value is not None)
        assert values[2].value == '=HYPERLINK("http://evil.example","Eve")'

        await asyncio.sleep(PACE)
        await owner.send("/checkin YM-0001")
        await owner.wait_text("вход отмечен")
        await asyncio.sleep(PACE)
        await owner.send("/audit")
        log = await owner.wait_text("Журнал")
        for words in (
            "выгрузка регистраций: Excel, 1 строка",
            "выгрузка регистраций: CSV (;), 1 строка",
            "отметка входа: YM-0001",
        ):
            assert words in log.text, words
    fake.assert_no_rejections()
