"""The program workbook: written, read back to the same program, and every bad file refused
with an error naming its cell (or the file), never a traceback."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from bot.i18n import create_i18n
from bot.program.files import MAX_FILE_BYTES, parse_program_bytes
from bot.program.loader import ProgramInvalid
from bot.program.model import Program
from bot.program.workbook import read, read_workbook, template_bytes, workbook_bytes
from bot.program.workbook.schema import SHEETS
from bot.program.writer import program_checksum, program_yaml
from bot.services.program import load_program_bytes
from bot.settings import SAMPLE_PROGRAM
from tests.schedule_helpers import program_of

FULL_PROGRAM_PATH = Path(__file__).parents[1] / "data" / "full_program.yaml"


@pytest.fixture(scope="module")
def sample() -> Program:
    return program_of(SAMPLE_PROGRAM)


@pytest.fixture(scope="module")
def full() -> Program:
    return program_of(FULL_PROGRAM_PATH)


@pytest.fixture(scope="module")
def full_book(full: Program) -> bytes:
    return workbook_bytes(full)


def errors(data: bytes, filename: str = "p.xlsx") -> list[str]:
    with pytest.raises(ProgramInvalid) as info:
        parse_program_bytes(data, filename)
    return [e.render() for e in info.value.errors]


def edit(data: bytes, change: Callable[[openpyxl.Workbook], None]) -> bytes:
    """The workbook changed as an organizer would change it in a spreadsheet."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column(ws: Any, header: str) -> str:
    for cell in ws[1]:
        if cell.value == header:
            return get_column_letter(cell.column)
    raise AssertionError(f"no column {header}")


def put(sheet: str, row: int, header: str, value: Any) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        ws = book[sheet]
        ws[f"{column(ws, header)}{row}"] = value

    return change


def row_of(data: bytes, sheet: str, item_id: str) -> int:
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    for cells in ws.iter_rows(min_row=2):
        if cells[0].value == item_id:
            return cells[0].row
    raise AssertionError(f"no {item_id} on {sheet}")


def patch_member(data: bytes, member: str, change: Callable[[str], str]) -> bytes:
    """The workbook with one XML part rewritten (what no spreadsheet would let you do)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, content)
    return out.getvalue()


def sheet_member(data: bytes, sheet: str) -> str:
    """The zip member of a sheet (openpyxl numbers them in workbook order)."""
    names = openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMPLE_PROGRAM, FULL_PROGRAM_PATH], ids=["sample", "full"])
def test_yaml_workbook_yaml_loses_nothing(path: Path) -> None:
    program = program_of(path)
    from_book = read_workbook(workbook_bytes(program), "p.xlsx")
    assert from_book == program
    assert program_yaml(from_book) == program_yaml(program)
    assert program_checksum(from_book) == program_checksum(program)
    # and the YAML writer alone
    again = parse_program_bytes(program_yaml(program).encode("utf-8"), "p.yaml")
    assert again == program


def test_the_full_program_uses_what_the_sample_does_not(full: Program) -> None:
    """The second programme really exercises the extensions (else the round trip proves little)."""
    sessions = {s.id: s for s in full.sessions}
    assert full.forum.default_language == "be"
    assert [h.auto_id for h in full.venue("arena").halls] == [False, True, True]  # type: ignore[union-attr]
    assert full.section("culture").number is None  # type: ignore[union-attr]
    assert sessions["trade-1"].inherited == {"venue", "hall", "format", "stream_link", "moderators"}
    assert (sessions["trade-trip"].venue, sessions["trade-trip"].hall) == (None, None)
    assert sessions["trade-2"].moderators == () and sessions["trade-2"].stream_link == ""
    assert "Аляксандр Лукін" in sessions["opening"].speakers
    assert sessions["opening"].notice.get("en") == "Starts 15 minutes late"
    assert sessions["concert"].cancelled and sessions["opening"].main


def test_written_cells_are_typed_and_texts_never_formulas(full_book: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(full_book))
    assert book.sheetnames == ["Instructions", *(s.name for s in SHEETS)]
    ws = book["Sessions"]
    row = row_of(full_book, "Sessions", "opening")
    assert ws[f"{column(ws, 'day')}{row}"].is_date
    assert ws[f"{column(ws, 'start')}{row}"].value == time(9, 5)
    title = ws[f"{column(ws, 'title_be')}{row}"]
    assert (title.value, title.data_type) == ("=Адкрыццё", "s")
    assert ws[f"{column(ws, 'notice_en')}{row}"].value == "Starts 15 minutes late"
    assert ws[f"{column(ws, 'main')}{row}"].value == "yes"
    assert ws[f"{column(ws, 'speakers')}{row}"].value == "novik; Аляксандр Лукін"
    registration = book["Registration"]
    assert registration[f"{column(registration, 'opens')}2"].value == datetime(2028, 6, 1, 9, 0)
    # an item holding ";" is written one per line, so that it is read back whole
    sections = book["Sections"]
    assert sections[f"{column(sections, 'keywords')}2"].value == "экспарт\nімпарт; лагістыка"


def test_header_frozen_and_drop_downs(full_book: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(full_book))
    ws = book["Sessions"]
    assert ws.freeze_panes == "B2" and book["Forum"].freeze_panes == "A2"
    rules = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "round_table" in rules[f"{column(ws, 'kind')}2"]
    assert rules[f"{column(ws, 'format')}2"] == '"in_person,online,hybrid"'
    assert rules[f"{column(ws, 'main')}2"] == '"yes,no"'
    assert rules[f"{column(ws, 'venue')}2"] == "Venues!$A$2:$A$5001"
    assert rules[f"{column(ws, 'hall')}2"] == "Halls!$B$2:$B$5001"


def test_instructions_in_three_languages() -> None:
    i18n = create_i18n("ru")
    data = template_bytes(lambda message, lang: i18n.gettext(message, locale=lang))
    ws = openpyxl.load_workbook(io.BytesIO(data))["Instructions"]
    ru, be, en = (cell.value for cell in ws[2])
    assert en == "How to fill in this workbook"
    assert ru != en and be != en and ru != be
    assert any("round_table" in (c.value or "") for c in ws["A"])


def test_the_template_is_empty_and_says_what_is_missing() -> None:
    assert errors(template_bytes()) == ["Forum!A2: forum: required field forum is missing"]


def test_organizer_edits_are_read(full_book: bytes) -> None:
    """Typed the way people type: Russian dates as text, да/нет, a decimal comma, names."""
    row = row_of(full_book, "Sessions", "closing")
    data = full_book
    for change in (
        put("Sessions", row, "day", "15.09.2028"),
        put("Sessions", row, "start", time(9, 59, 59, 900000)),  # Excel's float of 10:00
        put("Sessions", row, "end", "11:00"),
        put("Sessions", row, "main", "да"),
        put("Sessions", row, "hall", None),
        put("Venues", 2, "latitude", "53,7"),
        put("Sessions", row, "moderators", "Пётр Пятроў\nnovik"),
    ):
        data = edit(data, change)
    program = read_workbook(data, "p.xlsx")
    closing = program.session("closing")
    assert closing is not None
    assert (closing.day.isoformat(), closing.start, closing.main) == ("2028-09-15", time(10), True)
    assert closing.moderators == ("Пётр Пятроў", "novik")
    assert program.venues[0].latitude == 53.7


def test_cached_formula_values_are_read(full_book: bytes) -> None:
    row = row_of(full_book, "Sessions", "closing")
    member = sheet_member(full_book, "Sessions")
    ws = openpyxl.load_workbook(io.BytesIO(full_book))["Sessions"]
    end = f"{column(ws, 'end')}{row}"

    def formula(xml: str) -> str:
        # end = start + 90 minutes, saved by the spreadsheet as 0.5625 (13:30)
        pattern = rf'<c r="{end}"([^>]*)><v>[^<]*</v></c>'
        assert re.search(pattern, xml)
        return re.sub(pattern, rf'<c r="{end}"\1><f>C{row}+1/16</f><v>0.5625</v></c>', xml)

    program = read_workbook(patch_member(full_book, member, formula), "p.xlsx")
    assert program.session("closing").end == time(13, 30)  # type: ignore[union-attr]


# -- every error names its cell ---------------------------------------------------------------


def test_formula_without_a_saved_value(full_book: bytes) -> None:
    row = row_of(full_book, "Sessions", "closing")
    data = edit(full_book, put("Sessions", row, "end", f"=C{row}+TIME(1,0,0)"))
    assert errors(data) == [
        f"Sessions!D{row}: end: a formula without a saved value: open and save the file in "
        "Excel or LibreOffice, or type the value itself",
        f"Sessions!D{row}: end: required field end is missing",
    ]


def test_wrong_types(full_book: bytes) -> None:
    data = edit(full_book, put("Venues", 2, "latitude", "north"))
    data = edit(data, put("Registration", 2, "capacity", "many"))
    data = edit(data, put("Sessions", 2, "cancelled", "maybe"))
    data = edit(data, put("Sessions", 2, "start", "ten"))
    assert errors(data) == [
        "Venues!H2: latitude: expected a number, got north",
        "Sessions!C2: start: expected a time like 09:30, got ten",
        "Sessions!W2: cancelled: expected true or false, got maybe",
        "Registration!F2: capacity: expected a whole number, got many",
    ]


def test_bad_dates(full_book: bytes) -> None:
    data = edit(full_book, put("Sessions", 2, "day", "2028-13-01"))
    data = edit(data, put("Sessions", 3, "day", datetime(2028, 10, 1)))
    data = edit(data, put("Registration", 2, "opens", "soon"))
    assert errors(data) == [
        "Sessions!B2: day: expected a date like 2027-06-24, got 2028-13-01",
        "Sessions!B3: day: day 2028-10-01 is outside the forum dates 2028-09-14..2028-09-16",
        "Registration!D2: opens: expected a date and time like 2027-05-01 09:00, got soon",
    ]


def test_clashing_ids(full_book: bytes) -> None:
    row = row_of(full_book, "Sessions", "break")
    data = edit(full_book, put("Sessions", row, "id", "closing"))
    data = edit(data, lambda book: book["Halls"].append(["arena", "big", None, "Іншая зала"]))
    later = row_of(full_book, "Sessions", "closing")
    assert errors(data) == [
        "Halls!B5: id: duplicate id big, already used in Halls!B2",
        f"Sessions!A{later}: id: duplicate id closing, already used in Sessions!A{row}",
    ]


def test_unknown_references(full_book: bytes) -> None:
    data = edit(full_book, put("Sessions", 2, "section", "nope"))
    data = edit(data, lambda book: book["Halls"].append(["palace", "main", "Зала"]))
    data = edit(data, put("FAQ", 2, "cities", "grodno-vologda; minsk-moscow"))
    data = edit(data, put("Options", 2, "question", "size"))
    found = errors(data)
    assert found[:2] == [
        "Halls!A5: venue: unknown venue palace",
        "Sessions!I2: section: unknown section nope",
    ]
    assert "FAQ!K2: cities: unknown city pair minsk-moscow" in found
    assert "Options!A2: question: unknown question size" in found


def test_overlap_names_the_other_cell(full_book: bytes) -> None:
    row = row_of(full_book, "Sessions", "trade-2")
    data = edit(full_book, put("Sessions", row, "hall", "big"))
    other = row_of(full_book, "Sessions", "trade-1")
    assert errors(data) == [
        f"Sessions!C{row}: start: overlaps session trade-1 (Sessions!C{other}) in the same hall"
    ]


def test_missing_sheet_and_columns(full_book: bytes) -> None:
    def drop(book: openpyxl.Workbook) -> None:
        del book["Halls"]
        ws = book["Sessions"]
        ws.delete_cols(openpyxl.utils.column_index_from_string(column(ws, "title_be")))
        ws[f"{column(ws, 'title_ru')}1"] = "titel_ru"

    assert errors(edit(full_book, drop)) == [
        "p.xlsx: the workbook has no sheet Halls; the template has every sheet",
        "Sessions!E1: titel_ru: unknown column titel_ru; did you mean title_ru?",
    ]


def test_a_value_in_a_column_without_a_name(full_book: bytes) -> None:
    data = edit(full_book, lambda book: book["Speakers"].cell(3, 40, "note"))
    assert errors(data) == ["Speakers!AN3: a value in a column without a name"]


def test_one_row_sheets(full_book: bytes) -> None:
    data = edit(full_book, lambda book: book["Forum"].append(["Другі форум"]))
    assert errors(data) == ["Forum!A3: this sheet holds one row only; delete the others"]


def test_error_values_and_all_errors_at_once(full_book: bytes) -> None:
    member = sheet_member(full_book, "Speakers")
    data = patch_member(
        full_book,
        member,
        lambda xml: re.sub(
            r'<c r="C3"([^>]*) t="inlineStr"><is><t>[^<]*</t></is></c>',
            r'<c r="C3"\1 t="e"><v>#REF!</v></c>',
            xml,
        ),
    )
    data = edit(data, put("Sessions", 2, "kind", "lecture"))
    assert errors(data) == [
        "Speakers!C3: name_be: the cell shows the error #REF!; type the value itself",
        "Speakers!C3: name_be: required field name is missing",
        "Sessions!H2: kind: unknown value lecture; allowed: plenary, section, youth, business, "
        "signing, excursion, culture, registration, break, press, other, round_table, opening, "
        "closing, business_council, concert",
    ]


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_ROWS", 50)  # 5000 in use: the same rule, a smaller file

    def grow(book: openpyxl.Workbook) -> None:
        ws = book["FAQ"]
        for n in range(51):
            ws.append([f"q{n}", f"Пытанне {n}", None, None, f"Адказ {n}"])

    assert errors(edit(template_bytes(), grow))[0] == "FAQ!A52: more than 50 rows on one sheet"


def test_errors_in_the_organizer_language(full_book: bytes) -> None:
    i18n = create_i18n("ru")
    data = edit(full_book, put("Venues", 2, "latitude", "north"))
    result = load_program_bytes(data, "p.xlsx")
    assert [e.render(lambda m: i18n.gettext(m, locale="ru")) for e in result.errors] == [
        "Venues!H2: latitude: ожидалось число, получено north"
    ]


# -- hostile files ----------------------------------------------------------------------------


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_zip_bomb_by_ratio() -> None:
    data = zip_of(
        {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (20 << 20)}
    )
    assert len(data) < 100_000
    assert errors(data) == [
        "p.xlsx: a part of the workbook unpacks to over 100 times its packed size (a zip bomb?); "
        "refused"
    ]


def test_zip_bomb_by_size_and_a_lying_header() -> None:
    parts = {f"xl/part{n}.xml": b" " * (6 << 20) for n in range(10)}
    data = zip_of({"[Content_Types].xml": b"<Types/>", **parts})
    assert errors(data) == [
        "p.xlsx: the workbook unpacks to more than 50 MB (a zip bomb?); refused"
    ]
    # a header that understates the size: nothing past the claim is unpacked
    small = zip_of({"[Content_Types].xml": b"<Types/>", "xl/a.xml": b"a" * 200_000})
    lying = small.replace((200_000).to_bytes(4, "little"), (1000).to_bytes(4, "little"))
    assert lying != small
    assert errors(lying) == [
        "p.xlsx: not an Excel workbook, or a damaged one: Bad CRC-32 for file 'xl/a.xml'"
    ]


def test_xml_entities_are_refused(full_book: bytes) -> None:
    member = sheet_member(full_book, "Forum")
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    data = patch_member(full_book, member, lambda xml: laughs + re.sub(r"^<\?xml.*?\?>", "", xml))
    assert errors(data) == [
        "p.xlsx: the workbook contains XML entities or external references; refused for safety"
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "program.xlsx",
         "p: the file is named .xlsx but is not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "program.xls",
         "p: this is an old binary Office file (.xls) or a workbook with a password; save it as "
         "an Excel workbook (.xlsx) without a password"),
        (zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}), "program.xlsx",
         "p: not an Excel workbook: a zip of something else"),
        (b"%PDF-1.4\n\0\0binary", "program.pdf",
         "p: not a program file: expected an Excel workbook (.xlsx) or a YAML text file"),
    ],
    ids=["png-renamed", "old-xls", "docx-renamed", "pdf"],
)  # fmt: skip
def test_renamed_binaries(content: bytes, name: str, message: str) -> None:
    assert errors(content, name) == [message.replace("p: ", f"{name}: ", 1)]


def test_damaged_workbook(full_book: bytes) -> None:
    [message] = errors(full_book[: len(full_book) // 2])
    assert message.startswith("p.xlsx: not an Excel workbook, or a damaged one: ")


def test_oversize_file() -> None:
    data = b"PK\x03\x04" + b"\0" * MAX_FILE_BYTES
    assert errors(data) == ["p.xlsx: the file is 5.1 MB; a program file can be at most 5 MB"]
    result = load_program_bytes(data, "p.xlsx")
    assert result.program is None and len(result.errors) == 1


def test_delegations_and_agreements_survive_the_workbook_and_old_workbooks_load() -> None:
    """The sample's delegations (head and members) and agreements come back from its workbook;
    a workbook made before those sheets existed still loads, without them."""
    from openpyxl import load_workbook

    from bot.program.loader import parse_program
    from bot.program.workbook import read_workbook, workbook_bytes
    from bot.settings import SAMPLE_PROGRAM

    program = parse_program(SAMPLE_PROGRAM.read_text(encoding="utf-8"), "sample.yaml")
    assert program.delegations and program.agreements
    data = workbook_bytes(program)
    back = read_workbook(data, "p.xlsx")
    assert back.delegations == program.delegations
    assert back.agreements == program.agreements
    assert back.delegations[0].head is not None

    book = load_workbook(io.BytesIO(data))
    for name in ("Delegations", "Members", "Agreements"):
        del book[name]
    buffer = io.BytesIO()
    book.save(buffer)
    old = read_workbook(buffer.getvalue(), "old.xlsx")
    assert old.delegations == () and old.agreements == ()
    assert old.sessions == program.sessions
