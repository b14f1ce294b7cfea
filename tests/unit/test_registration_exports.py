"""Exports for organizers: no cell a spreadsheet would run as a formula (OWASP), phone numbers
that stay readable text, CSV that Excel set to Russian opens right, local times, readable
statuses, places and answers; counts by the form's choices and by age."""

from __future__ import annotations

import csv
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.i18n import create_i18n
from bot.program.loader import parse_program
from bot.services.registration import (
    count_stats,
    export_columns,
    export_rows,
    formula_safe,
    to_csv,
    to_xlsx,
)
from bot.services.registration_form import RegistrationForm
from bot.settings import SAMPLE_PROGRAM
from db.registrations import RegistrationRow

MINSK = ZoneInfo("Europe/Minsk")
HOSTILE = [
    "=1+1",
    "+2+3",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "-2+3@example.com",
    "+375 29 123-45-67",
]


@pytest.fixture(scope="module")
def form() -> RegistrationForm:
    return RegistrationForm.from_program(parse_program(SAMPLE_PROGRAM.read_text("utf-8"), "sample"))


@pytest.fixture(autouse=True)
def english() -> object:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def row(**changes: object) -> RegistrationRow:
    values: dict[str, object] = {
        "id": 7,
        "user_id": 1,
        "status": "registered",
        "queue_no": None,
        "full_name": "Anna Smith",
        "birth_date": "2000-01-15",
        "country": "BY",
        "region": "BY-MA",
        "city": "BY-MA.bobruisk",
        "organization": "School",
        "position": "student",
        "phone": "+375291234567",
        "email": "anna@example.org",
        "answers": {"section": "digital", "accommodation": "yes", "experience": None},
        "guardian_name": None,
        "guardian_phone": None,
        "consent_at": "2027-06-01T07:00:00+00:00",
        "guardian_consent_at": None,
        "created_at": "2027-06-01T07:00:00+00:00",
        "updated_at": "2027-06-01T07:00:00+00:00",
        "checked_in_at": "2027-06-24T05:30:00+00:00",
        "checked_in_by": 9,
    }
    values.update(changes)
    return RegistrationRow(**values)  # type: ignore[arg-type]


def test_every_cell_that_could_start_a_formula_is_made_text() -> None:
    for value in HOSTILE:
        assert formula_safe(value) == "'" + value
    for value in ("Anna", "2027-06-01 10:00", "YM-0007", "anna@example.org", "1+1", "'x"):
        assert formula_safe(value) == value


def test_csv_opens_in_excel_set_to_russian_and_runs_no_formula() -> None:
    data = to_csv(["Name", "Phone"], [[v, "+375 29 123-45-67"] for v in HOSTILE])
    assert data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    text = data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert table[0] == ["Name", "Phone"]
    for cells in table[1:]:
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        # The phone stays text with its plus: never a number without it, never 3.75E+11.
        assert cells[1] == "'+375 29 123-45-67"
    commas = to_csv(["a", "b"], [["1", "2"]], delimiter=",").decode("utf-8-sig")
    assert commas.splitlines() == ["a,b", "1,2"]


def test_excel_cells_are_text_shown_as_typed_and_never_formulas() -> None:
    data = to_xlsx(["Name", "Phone"], [[v, "+375 29 123-45-67"] for v in HOSTILE], "Sheet")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for r in sheet.iter_rows(min_row=2) for c in r]
    # As typed (XML keeps a carriage return as a line feed), with no visible apostrophe.
    assert [c.value for c in cells[::2]] == [v.replace("\r", "\n") for v in HOSTILE]
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix  # Excel keeps it text when edited


def test_rows_are_readable_and_in_the_forums_time(form: RegistrationForm) -> None:
    header = export_columns(form, "en", "Europe/Minsk")
    assert header[1] == "Status" and header[-2:] == [
        "Registered at (Europe/Minsk)",
        "Checked in at (Europe/Minsk)",
    ]
    rows = [row(), row(id=8, status="waiting"), row(id=9, status="guardian")]
    table = export_rows(form, rows, "en", MINSK)
    first = dict(zip(header, table[0], strict=True))
    assert first["Status"] == "confirmed"
    assert (first["Region"], first["City"]) == ("Mogilev Region", "Babruysk")
    assert first["Phone"] == "+375 29 123-45-67"
    assert first["Which section would you like to attend?"] == "Smart city"
    assert first["Do you need accommodation?"] == "Yes"
    assert first["Registered at (Europe/Minsk)"] == "2027-06-01 10:00"
    assert first["Checked in at (Europe/Minsk)"] == "2027-06-24 08:30"
    assert [t[1] for t in table[1:]] == [
        "on the waiting list",
        "waiting for the parent's or guardian's consent",
    ]


def test_counts_by_status_choices_and_age_agree_with_the_rows(form: RegistrationForm) -> None:
    rows = [
        row(),
        row(id=8, birth_date="2011-03-05", status="guardian", answers={"section": "agro"}),
        row(id=9, birth_date="1995-01-01", answers={"section": "agro", "accommodation": "no"}),
        row(id=10, status="cancelled", region="Атлантида"),
    ]
    stats = count_stats(form, rows, [("cancelled", "BY", "BY-MA", "2027-05-30")], MINSK, "en")
    assert stats.total == 4 and stats.forgotten == 1
    assert stats.by_status == {
        "registered": 2,
        "guardian": 1,
        "waiting": 0,
        "checked_in": 0,
        "cancelled": 1,
    }
    assert stats.by_region == [("Mogilev Region", 3)]  # the cancelled one not counted
    assert stats.by_age == [("14–17", 1), ("18–24", 0), ("25–30", 1), ("31–35", 1)]
    section, accommodation = stats.by_question
    assert section == (
        "Which section would you like to attend?",
        [("Agriculture", 2), ("Smart city", 1)],
    )
    assert accommodation == (
        "Do you need accommodation?",
        [("Yes", 1), ("No", 1), ("— (skipped)", 1)],
    )
    assert stats.by_day == [("2027-05-30", 1), ("2027-06-01", 4)]
