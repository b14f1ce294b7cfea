"""The program (or a blank template) as an .xlsx workbook that Excel and LibreOffice open.

Texts are always typed as text (a title starting with "=" never becomes a formula), dates and
times are real date and time cells, fixed values and ids of other sheets have drop-down lists,
the header row is frozen, and an instructions sheet explains the rest in ru, be and en.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from bot.program.model import KIND_LABELS, LANGUAGES, Program
from bot.program.workbook.schema import (
    INSTRUCTIONS,
    INSTRUCTIONS_SHEET,
    MAX_ROWS,
    NO,
    SHEETS,
    YES,
    Column,
    Kind,
    Sheet,
    join_list,
)
from bot.program.writer import Document, program_document

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# translate(msgid, language) -> the text in that language
Translate = Callable[[str, str], str]
LANGUAGE_TITLES = {"ru": "Русский", "be": "Беларуская", "en": "English"}
NUMBER_FORMATS = {Kind.DATE: "yyyy-mm-dd", Kind.TIME: "hh:mm", Kind.DATETIME: "yyyy-mm-dd hh:mm"}
HEADER_FILL = "DDE7F0"


def untranslated(message: str, lang: str) -> str:
    return message


def sheet_rows(doc: Document) -> dict[str, list[Document]]:
    """The rows of each sheet, from the nested data of a program file."""
    venues = doc.get("venues", [])
    registration = doc.get("registration")
    questions = registration.get("extra_questions", []) if registration else []
    return {
        "Forum": [doc["forum"]],
        "Venues": [_without(v, "halls") for v in venues],
        "Halls": [{"venue": v["id"], **hall} for v in venues for hall in v.get("halls", [])],
        "Speakers": doc.get("speakers", []),
        "Sections": doc.get("sections", []),
        "Sessions": doc.get("sessions", []),
        "Cities": doc.get("city_pairs", []),
        "FAQ": doc.get("faq", []),
        "Registration": [_without(registration, "extra_questions")] if registration else [],
        "Questions": [_without(q, "options") for q in questions],
        "Options": [{"question": q["id"], **o} for q in questions for o in q.get("options", [])],
        "Delegations": [
            {k: v for k, v in d.items() if k in ("id", "city")} for d in doc.get("delegations", [])
        ],
        "Members": [
            {"delegation": d["id"], **m, **({"head": True} if head else {})}
            for d in doc.get("delegations", [])
            for head, m in [(True, d["head"])] * ("head" in d)
            + [(False, m) for m in d.get("members", [])]
        ],
        "Agreements": doc.get("agreements", []),
        "Materials": doc.get("materials", []),
        "Survey": doc.get("survey", []),
    }


def _without(item: Document, key: str) -> Document:
    return {k: v for k, v in item.items() if k != key}


def _in_language(value: Any, lang: str, default: str) -> str:
    """One language of a text as the file gives it (a string is the default language)."""
    if isinstance(value, dict):
        return str(value.get(lang, ""))
    return str(value) if value is not None and lang == default else ""


def cell_values(column: Column, value: Any, default: str) -> list[Any]:
    """The cells of one field: one per language for texts, else one."""
    if column.kind is Kind.TEXT:
        return [_in_language(value, lang, default) or None for lang in LANGUAGES]
    if column.kind is Kind.TEXTS:
        # A known city written with its region keeps only its name here.
        items = [v["name"] if isinstance(v, dict) and "name" in v else v for v in value or []]
        cells = []
        for lang in LANGUAGES:
            parts = [_in_language(item, lang, default) for item in items]
            cells.append(join_list(parts) if any(parts) else None)
        return cells
    if value is None:
        return [None]
    if column.kind is Kind.STRS:
        return [join_list([str(v) for v in value]) if isinstance(value, list) else str(value)]
    if column.kind is Kind.BOOL:
        return [YES if value else NO]
    if column.kind is Kind.TIME:
        return [time.fromisoformat(value)]
    if column.kind is Kind.DATETIME:
        return [datetime.fromisoformat(value)]
    if isinstance(value, bool | int | float | date):
        return [value]
    return [str(value)]


def workbook_bytes(program: Program | None, translate: Translate = untranslated) -> bytes:
    """The program as .xlsx bytes; None gives the blank template.

    `translate(msgid, language)` renders the instructions sheet in ru, be and en (the bot and
    the CLI pass `bot.i18n.translator(i18n)`; without it the instructions are in English).
    CPU-bound: in the bot, call it through `asyncio.to_thread`.
    """
    from openpyxl import Workbook  # lazy: only exports and imports of workbooks need it

    book = Workbook()
    book.properties.creator = "forum-bot"
    instructions = book.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS_SHEET
    write_instructions(instructions, translate)
    rows = sheet_rows(program_document(program)) if program else {}
    default = program.forum.default_language if program else LANGUAGES[0]
    for sheet in SHEETS:
        write_sheet(book.create_sheet(sheet.name), sheet, rows.get(sheet.name, []), default)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_bytes(translate: Translate = untranslated) -> bytes:
    """The blank workbook: every sheet with its columns, drop-downs and instructions."""
    return workbook_bytes(None, translate)


def write_sheet(ws: Worksheet, sheet: Sheet, rows: list[Document], default: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append(list(sheet.headers()))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    ws.freeze_panes = "A2" if sheet.single else "B2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for item in rows:
        values = [v for c in sheet.columns for v in cell_values(c, item.get(c.key), default)]
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text, never a formula
                if "\n" in cell.value:
                    cell.alignment = wrap
    index = 1
    for column in sheet.columns:
        for _ in column.headers():
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = column.shown_width
            number_format = NUMBER_FORMATS.get(column.kind)
            if number_format:
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
            add_validation(ws, column, letter)
            index += 1


def add_validation(ws: Worksheet, column: Column, letter: str) -> None:
    """A drop-down list: fixed values (strict), or the ids of another sheet (names allowed)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.choices:
        formula = '"{}"'.format(",".join(column.choices))
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="stop")
    elif column.ref:
        target = next(s for s in SHEETS if s.name == column.ref)
        id_letter = get_column_letter(target.headers().index("id") + 1)
        formula = f"{target.name}!${id_letter}$2:${id_letter}${MAX_ROWS + 1}"
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning")
    else:
        return
    rule.showErrorMessage = True
    rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    ws.add_data_validation(rule)


def write_instructions(ws: Worksheet, translate: Translate) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append([LANGUAGE_TITLES.get(lang, lang) for lang in LANGUAGES])
    paragraphs = [[translate(message, lang) for lang in LANGUAGES] for message in INSTRUCTIONS]
    paragraphs += [
        [f"{kind.value} — {translate(label, lang)}" for lang in LANGUAGES]
        for kind, label in KIND_LABELS.items()
    ]
    for row in paragraphs:
        ws.append(row)
    for letter in "ABC"[: len(LANGUAGES)]:
        ws.column_dimensions[letter].width = 70
    for cells in ws.iter_rows():
        for cell in cells:
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in (*ws[1], *ws[2]):
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
