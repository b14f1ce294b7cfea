"""Reading a program workbook: safely, and through the very checks of the YAML loader.

A workbook is an untrusted zip of XML. Before openpyxl sees it, the archive is unpacked once
with a running count, so that a zip bomb (declared or real sizes far beyond the file) is
refused; openpyxl then parses with defusedxml (no entity expansion) in read-only mode, and at
most MAX_ROWS rows of MAX_COLUMNS columns are read per sheet. Formulas are never evaluated:
the value the spreadsheet saved with the file is read, and a formula without one is an error.

The cells become the node tree that YAML would give (typed scalars, text mappings, lists), each
node marked with its cell, and `program_from_node` checks it: every rule of the YAML format
applies, and every error names its cell (`Sessions!D5: end: ...`).
"""

from __future__ import annotations

import difflib
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.i18n_markers import N_
from bot.program.files import MAX_FILE_BYTES, file_error
from bot.program.loader import NONE_MARKS, ProgramError, ProgramInvalid, program_from_node
from bot.program.model import LANGUAGES, Program
from bot.program.workbook.schema import (
    MAX_COLUMNS,
    MAX_ROWS,
    NO_WORDS,
    SHEETS,
    YES_WORDS,
    Column,
    Kind,
    Sheet,
    split_list,
)

logger = logging.getLogger(__name__)

MAX_UNPACKED = 10 * MAX_FILE_BYTES  # all entries together, as they unpack
MAX_RATIO = 100  # unpacked / packed, for entries over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_ENTRIES = 1000

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}:\d{2}))?$")
_INTEGER = re.compile(r"^[-+]?\d+$")
_DECIMAL = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)$")
_LAST_KEY = re.compile(r"([^.\[\]]+)(?:\[\d+\])*$")
_CELL = re.compile(r"^(.+)!([A-Z]+)(\d+)$")


# -- where things are ----------------------------------------------------------------------


def cell_name(sheet: str, row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column)}{row}"


class CellMark:
    """A node's place: one cell. The loader reads `line`, `cell` and `locate` from it."""

    def __init__(self, sheet: str, row: int, column: int, header: str) -> None:
        self.sheet, self.row, self.column, self.header = sheet, row, column, header
        self.line = row - 1  # what a YAML mark holds; used to order items
        self.cell = cell_name(sheet, row, column)

    def locate(self, path: str) -> tuple[str, str]:
        return self.cell, self.header


class RowMark:
    """A row's place: errors about one of its fields point at that field's cell."""

    def __init__(self, sheet: str, row: int, columns: dict[str, tuple[int, str]]) -> None:
        self.sheet, self.row, self.columns = sheet, row, columns
        self.line = row - 1
        first = columns.get("id", (1, ""))[0]
        self.cell = cell_name(sheet, row, first)

    def locate(self, path: str) -> tuple[str, str]:
        match = _LAST_KEY.search(path)
        key = match[1] if match else path
        if key in self.columns:
            column, header = self.columns[key]
            return cell_name(self.sheet, self.row, column), header
        return self.cell, key


class SheetMark:
    """A part's place, for "required field forum is missing": the sheet's first data row."""

    def __init__(self, sheets: dict[str, str]) -> None:
        self.sheets = sheets  # the program file's key -> its sheet
        self.line = 0
        self.cell = ""

    def locate(self, path: str) -> tuple[str, str]:
        sheet = self.sheets.get(path.split(".")[0].split("[")[0], SHEETS[0].name)
        return f"{sheet}!A2", path


# -- the archive and the cells -------------------------------------------------------------


@dataclass(slots=True)
class Table:
    """One sheet's header and the rows under it (values as openpyxl gives them)."""

    sheet: Sheet
    title: str  # the sheet's name as written in the file
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 1-based
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # error values (#REF!)

    def column_of(self, header: str) -> int | None:
        """The 1-based column of a header, if the sheet has it."""
        return self.headers.index(header) + 1 if header in self.headers else None


def check_archive(data: bytes, filename: str) -> None:
    """Refuse what is not an .xlsx, or unpacks to far more than it weighs (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise file_error(
                    filename,
                    N_("the workbook has {count} parts; at most {limit} are accepted"),
                    count=len(entries),
                    limit=MAX_ENTRIES,
                )
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise file_error(filename, N_("not an Excel workbook: a zip of something else"))
            if any(e.flag_bits & 0x1 for e in entries):
                message = N_("the workbook is encrypted; save it without a password")
                raise file_error(filename, message)
            unpack_counting(archive, entries, filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        logger.info("Not a workbook: %s: %s", filename, exc)
        raise file_error(
            filename, N_("not an Excel workbook, or a damaged one: {reason}"), reason=exc
        ) from None
    except NotImplementedError as exc:  # an unsupported compression method
        raise file_error(
            filename, N_("not an Excel workbook, or a damaged one: {reason}"), reason=exc
        ) from None


def unpack_counting(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str) -> None:
    """Unpack every entry once, stopping at the limits, whatever the sizes declared."""
    if sum(e.file_size for e in entries) > MAX_UNPACKED:
        raise too_much(name)
    total = 0
    for entry in entries:
        limit = max(RATIO_FLOOR, MAX_RATIO * max(entry.compress_size, 1))
        size = 0
        with archive.open(entry) as stream:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                total += len(chunk)
                if total > MAX_UNPACKED:
                    raise too_much(name)
                if size > limit:
                    raise file_error(
                        name,
                        N_(
                            "a part of the workbook unpacks to over {ratio} times its packed "
                            "size (a zip bomb?); refused"
                        ),
                        ratio=MAX_RATIO,
                    )
                if size > entry.file_size:  # zipfile stops there itself; never trust a header
                    raise zipfile.BadZipFile(f"{entry.filename} is larger than declared")


def too_much(filename: str) -> ProgramInvalid:
    return file_error(
        filename,
        N_("the workbook unpacks to more than {limit} MB (a zip bomb?); refused"),
        limit=MAX_UNPACKED // (1024 * 1024),
    )


def open_book(data: bytes, data_only: bool) -> Any:
    from openpyxl import DEFUSEDXML, load_workbook

    if not DEFUSEDXML:  # never parse an untrusted workbook without it
        raise RuntimeError("defusedxml is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unsupported extensions: nothing the bot needs
        source = io.BytesIO(data)
        return load_workbook(source, read_only=True, data_only=data_only, keep_links=False)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def unreadable(filename: str, exc: Exception) -> ProgramInvalid:
    name = type(exc).__name__
    if any(type(e).__module__.startswith("defusedxml") for e in _causes(exc)):
        logger.warning("Workbook %s refused: %r", filename, exc)
        return file_error(
            filename,
            N_("the workbook contains XML entities or external references; refused for safety"),
        )
    logger.warning("Cannot read workbook %s", filename, exc_info=True)
    return file_error(
        filename, N_("the workbook cannot be read: {reason}"), reason=f"{name}: {exc}"[:200]
    )


def read_tables(data: bytes, filename: str) -> dict[str, Table]:
    """The known sheets' cells; formulas replaced by the values saved with them."""
    try:
        book = open_book(data, data_only=False)
        try:
            tables = collect(book, filename)
        finally:
            book.close()
        if any(t.formulas for t in tables.values()):
            book = open_book(data, data_only=True)
            try:
                cached_values(book, tables)
            finally:
                book.close()
    except ProgramInvalid:
        raise
    except Exception as exc:  # a damaged or hostile file: any parser error is the file's
        raise unreadable(filename, exc) from None
    return tables


def collect(book: Any, filename: str) -> dict[str, Table]:
    by_name = {ws.title.strip().casefold(): ws for ws in book.worksheets}
    tables: dict[str, Table] = {}
    problems: list[ProgramError] = []
    for sheet in SHEETS:
        ws = by_name.get(sheet.name.casefold())
        if ws is None and sheet.optional:
            tables[sheet.name] = Table(sheet, sheet.name, list(sheet.headers()))
            continue
        if ws is None:
            problems.append(
                ProgramError(
                    filename,
                    None,
                    "",
                    N_("the workbook has no sheet {sheet}; the template has every sheet"),
                    {"sheet": sheet.name},
                )
            )
            continue
        table = read_sheet(ws, sheet)
        problems += header_problems(table, filename)
        tables[sheet.name] = table
    if problems:
        raise ProgramInvalid(problems)
    return tables


def read_sheet(ws: Any, sheet: Sheet) -> Table:
    rows = ws.iter_rows(min_row=1, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1)
    header_cells = next(rows, ())
    headers = [_header(c.value) for c in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    table = Table(sheet, ws.title, headers)
    # Rows come one per row number, missing ones filled in: the position is the row number.
    for row, cells in enumerate(rows, 2):
        values: list[Any] = []
        for column, cell in enumerate(cells, 1):
            if cell.value is None:
                values.append(None)
                continue
            if cell.data_type == "f":
                table.formulas.add((row, column))
            elif cell.data_type == "e":
                table.errors[(row, column)] = str(cell.value)
            values.append(cell.value)
        if any(_filled(v) for v in values):
            table.rows.append((row, values))
    return table


def _header(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def header_problems(table: Table, filename: str) -> list[ProgramError]:
    """Unknown, repeated or missing columns, values without a column, too many rows."""
    sheet, found = table.sheet, []
    known = sheet.headers()

    def problem(row: int, index: int, header: str, message: str, **params: object) -> None:
        strings = {k: str(v) for k, v in params.items()}
        cell = cell_name(table.title, row, index)
        found.append(ProgramError(filename, None, header, message, strings, cell))

    seen: dict[str, int] = {}
    for index, header in enumerate(table.headers, 1):
        if not header:
            continue
        if header in seen:
            problem(1, index, header, N_("the column {column} is given twice"), column=header)
        elif header not in known:
            close = difflib.get_close_matches(header, known, n=1)
            if close:
                problem(
                    1,
                    index,
                    header,
                    N_("unknown column {column}; did you mean {suggestion}?"),
                    column=header,
                    suggestion=close[0],
                )
            else:
                problem(1, index, header, N_("unknown column {column}"), column=header)
        seen.setdefault(header, index)
    for column in sheet.columns:
        wanted = column.headers()
        if column.required and not any(h in seen for h in wanted):
            problem(
                1,
                len(table.headers) + 1,
                wanted[0],
                N_("the required column {column} is missing"),
                column=wanted[0],
            )
    for row, values in table.rows:
        if row > MAX_ROWS + 1:
            problem(row, 1, "", N_("more than {limit} rows on one sheet"), limit=MAX_ROWS)
            break
        for index, value in enumerate(values, 1):
            if _filled(value) and (index > len(table.headers) or not table.headers[index - 1]):
                problem(row, index, "", N_("a value in a column without a name"))
                break
    return found


def cached_values(book: Any, tables: dict[str, Table]) -> None:
    """Formula cells get the value saved with them (None if the file has none)."""
    by_name = {ws.title: ws for ws in book.worksheets}
    for table in tables.values():
        if not table.formulas:
            continue
        ws = by_name[table.title]
        saved: dict[tuple[int, int], Any] = {}
        rows = ws.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1)
        for row, cells in enumerate(rows, 2):
            for column, cell in enumerate(cells, 1):
                if cell.value is not None and (row, column) in table.formulas:
                    saved[(row, column)] = cell.value
        for row, values in table.rows:
            for index in range(len(values)):
                if (row, index + 1) in table.formulas:
                    values[index] = saved.get((row, index + 1))


# -- cells into the nodes of a program file ------------------------------------------------


def as_text(value: Any) -> str:
    """A cell as the text an organizer sees in it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return _minutes(value)
    return str(value)


def _minutes(value: time) -> str:
    """A time of day to the minute (Excel stores times as fractions of a day)."""
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    minutes = min(round(seconds / 60), 23 * 60 + 59)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def typed(kind: Kind, value: Any) -> tuple[str, str]:
    """The YAML tag and text of a cell in a column of `kind`; a wrong type stays a string,
    for the loader to report ("expected a whole number, got ...")."""
    text = as_text(value).strip()
    if kind is Kind.INT:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if float(value).is_integer():
                return INT_TAG, str(int(value))
        return (INT_TAG, text) if _INTEGER.match(text) else (STR_TAG, text)
    if kind is Kind.FLOAT:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return FLOAT_TAG, repr(float(value))
        number = text.replace(",", ".")  # 53,9012 in a Russian-locale text cell
        return (FLOAT_TAG, number) if _DECIMAL.match(number) else (STR_TAG, text)
    if kind is Kind.BOOL:
        word = text.casefold()
        if word in YES_WORDS:
            return BOOL_TAG, "true"
        if word in NO_WORDS:
            return BOOL_TAG, "false"
        return STR_TAG, text
    if kind is Kind.TIME and isinstance(value, datetime):
        return STR_TAG, _minutes(value.time())
    if kind in (Kind.DATE, Kind.DATETIME):
        match = _DOTTED_DATE.match(text)  # 24.06.2027 typed as text
        if match:
            day = f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
            return STR_TAG, f"{day} {match[4]}" if match[4] else day
        if kind is Kind.DATETIME and isinstance(value, datetime):
            return STR_TAG, value.strftime("%Y-%m-%d %H:%M" + (":%S" if value.second else ""))
    return STR_TAG, text


@dataclass
class Builder:
    """Turns the tables into the node tree of a program file."""

    filename: str
    tables: dict[str, Table]
    lang: str = LANGUAGES[0]
    errors: list[ProgramError] = field(default_factory=list)

    def __post_init__(self) -> None:
        forum = self.tables["Forum"]
        column = forum.column_of("default_language")
        if column and forum.rows:
            chosen = as_text(forum.rows[0][1][column - 1]).strip()
            self.lang = chosen if chosen in LANGUAGES else self.lang

    # -- cells -------------------------------------------------------------------------------

    def error(self, mark: CellMark | RowMark, message: str, **params: object) -> None:
        header = mark.header if isinstance(mark, CellMark) else ""
        strings = {k: str(v) for k, v in params.items()}
        self.errors.append(ProgramError(self.filename, None, header, message, strings, mark.cell))

    def value(self, table: Table, row: int, values: list[Any], header: str) -> Any:
        """A cell's value (None if empty), with formulas and error values checked."""
        column = table.column_of(header)
        if column is None or column > len(values) or not _filled(values[column - 1]):
            if column is not None and (row, column) in table.formulas:
                self.error(
                    CellMark(table.title, row, column, header),
                    N_(
                        "a formula without a saved value: open and save the file in Excel or "
                        "LibreOffice, or type the value itself"
                    ),
                )
            return None
        if (row, column) in table.errors:
            self.error(
                CellMark(table.title, row, column, header),
                N_("the cell shows the error {value}; type the value itself"),
                value=table.errors[(row, column)],
            )
            return None
        return values[column - 1]

    def mark(self, table: Table, row: int, header: str) -> CellMark:
        return CellMark(table.title, row, table.column_of(header) or 1, header)

    def scalar(self, table: Table, row: int, values: list[Any], column: Column) -> Node | None:
        value = self.value(table, row, values, column.key)
        if value is None:
            return None
        tag, text = typed(column.kind, value)
        mark = self.mark(table, row, column.key)
        return ScalarNode(tag, text, start_mark=mark, end_mark=mark)

    def text(self, table: Table, row: int, values: list[Any], column: Column) -> Node | None:
        pairs = []
        for lang, header in zip(LANGUAGES, column.headers(), strict=True):
            value = self.value(table, row, values, header)
            if value is not None:
                mark = self.mark(table, row, header)
                key = ScalarNode(STR_TAG, lang, start_mark=mark, end_mark=mark)
                pairs.append((key, ScalarNode(STR_TAG, as_text(value), start_mark=mark)))
        if not pairs:
            return None
        mark = self.text_mark(table, row, column)
        return MappingNode(MAP_TAG, pairs, start_mark=mark, end_mark=mark)

    def text_mark(self, table: Table, row: int, column: Column) -> CellMark:
        """Errors about a text point at its default language's cell."""
        return self.mark(table, row, self.text_header(table, column))

    def text_header(self, table: Table, column: Column) -> str:
        header = column.header_for(self.lang)
        if table.column_of(header) is None:
            header = next((h for h in column.headers() if table.column_of(h)), header)
        return header

    def texts(self, table: Table, row: int, values: list[Any], column: Column) -> Node | None:
        """A list of texts: each language's cell lists them in the same order."""
        by_lang: dict[str, list[str]] = {}
        for lang, header in zip(LANGUAGES, column.headers(), strict=True):
            value = self.value(table, row, values, header)
            if value is not None:
                by_lang[lang] = split_list(as_text(value))
        items = []
        for index in range(max((len(v) for v in by_lang.values()), default=0)):
            pairs = []
            for lang, parts in by_lang.items():
                if index < len(parts) and parts[index]:
                    mark = self.mark(table, row, column.header_for(lang))
                    key = ScalarNode(STR_TAG, lang, start_mark=mark, end_mark=mark)
                    pairs.append((key, ScalarNode(STR_TAG, parts[index], start_mark=mark)))
            if pairs:
                mark = self.text_mark(table, row, column)
                items.append(MappingNode(MAP_TAG, pairs, start_mark=mark, end_mark=mark))
        if not items:
            return None
        mark = self.text_mark(table, row, column)
        return SequenceNode(SEQ_TAG, items, start_mark=mark, end_mark=mark)

    def strings(self, table: Table, row: int, values: list[Any], column: Column) -> Node | None:
        value = self.value(table, row, values, column.key)
        if value is None:
            return None
        text = as_text(value)
        mark = self.mark(table, row, column.key)
        if text.strip() in NONE_MARKS:
            return ScalarNode(STR_TAG, text.strip(), start_mark=mark, end_mark=mark)
        items: list[Node] = [
            ScalarNode(STR_TAG, part, start_mark=mark, end_mark=mark)
            for part in split_list(text)
            if part
        ]
        return SequenceNode(SEQ_TAG, items, start_mark=mark, end_mark=mark)

    def field(self, table: Table, row: int, values: list[Any], column: Column) -> Node | None:
        if column.kind is Kind.TEXT:
            return self.text(table, row, values, column)
        if column.kind is Kind.TEXTS:
            return self.texts(table, row, values, column)
        if column.kind is Kind.STRS:
            return self.strings(table, row, values, column)
        return self.scalar(table, row, values, column)

    # -- rows and sheets ---------------------------------------------------------------------

    def row_marks(self, table: Table) -> dict[str, tuple[int, str]]:
        """Each field's column in this sheet (texts: the default language's)."""
        found = {}
        for column in table.sheet.columns:
            header = self.text_header(table, column)
            index = table.column_of(header)
            if index is not None:
                found[column.key] = (index, header)
        return found

    def row_node(self, table: Table, row: int, values: list[Any]) -> MappingNode:
        columns = self.row_marks(table)
        mark = RowMark(table.title, row, columns)
        pairs = []
        for column in table.sheet.columns:
            if column.key == table.sheet.parent:
                continue
            node = self.field(table, row, values, column)
            if node is not None:
                key = ScalarNode(STR_TAG, column.key, start_mark=node.start_mark)
                pairs.append((key, node))
        return MappingNode(MAP_TAG, pairs, start_mark=mark, end_mark=mark)

    def rows(self, name: str) -> list[tuple[int, MappingNode, list[Any]]]:
        table = self.tables[name]
        return [(row, self.row_node(table, row, values), values) for row, values in table.rows]

    def single(self, name: str) -> MappingNode | None:
        """The one row of the Forum or Registration sheet."""
        found = self.rows(name)
        for row, _, _ in found[1:]:
            self.error(
                CellMark(self.tables[name].title, row, 1, ""),
                N_("this sheet holds one row only; delete the others"),
            )
        return found[0][1] if found else None

    def children(
        self, name: str, parents: dict[str, MappingNode], message: str
    ) -> dict[str, list[Node]]:
        """Rows of Halls or Options, grouped by the venue or question they name."""
        table = self.tables[name]
        key = table.sheet.parent
        grouped: dict[str, list[Node]] = {}
        for row, node, values in self.rows(name):
            value = self.value(table, row, values, key)
            mark = self.mark(table, row, key)
            parent = as_text(value).strip() if value is not None else ""
            if not parent:
                self.error(mark, N_("required field {key} is missing"), key=key)
            elif parent not in parents:
                self.error(mark, message, id=parent)
            else:
                grouped.setdefault(parent, []).append(node)
        return grouped

    def attach(self, node: MappingNode, key: str, items: Iterable[Node]) -> None:
        items = list(items)
        if items:
            mark = items[0].start_mark
            node.value.append(
                (
                    ScalarNode(STR_TAG, key, start_mark=mark),
                    SequenceNode(SEQ_TAG, items, start_mark=mark),
                )
            )

    def ids(self, found: list[tuple[int, MappingNode, list[Any]]], name: str) -> dict[str, Any]:
        table = self.tables[name]
        result: dict[str, MappingNode] = {}
        for row, node, values in found:
            value = self.value(table, row, values, "id")
            if value is not None:
                result.setdefault(as_text(value).strip(), node)
        return result

    def root(self) -> MappingNode:
        parts = {sheet.part: sheet.name for sheet in SHEETS}
        mark = SheetMark(parts)
        top: list[tuple[Node, Node]] = []

        def put(key: str, node: Node | None) -> None:
            if node is not None:
                top.append((ScalarNode(STR_TAG, key, start_mark=mark), node))

        def sequence(nodes: list[MappingNode]) -> Node | None:
            return SequenceNode(SEQ_TAG, list(nodes), start_mark=mark) if nodes else None

        put("forum", self.single("Forum"))
        venues = self.rows("Venues")
        venue_ids = self.ids(venues, "Venues")
        halls = self.children("Halls", venue_ids, N_("unknown venue {id}"))
        for venue_id, node in venue_ids.items():
            self.attach(node, "halls", halls.get(venue_id, []))
        put("venues", sequence([n for _, n, _ in venues]))
        for name in ("Speakers", "Sections", "Sessions", "Cities", "FAQ"):
            sheet = self.tables[name].sheet
            put(sheet.part, sequence([n for _, n, _ in self.rows(name)]))
        put("registration", self.registration())
        put("delegations", self.delegations())
        put("agreements", sequence([n for _, n, _ in self.rows("Agreements")]))
        for name in ("Materials", "Survey"):
            sheet = self.tables[name].sheet
            put(sheet.part, sequence([n for _, n, _ in self.rows(name)]))
        return MappingNode(MAP_TAG, top, start_mark=mark)

    def delegations(self) -> Node | None:
        """Delegations with their members; the member marked head becomes the head."""
        found = self.rows("Delegations")
        delegation_ids = self.ids(found, "Delegations")
        members = self.children("Members", delegation_ids, N_("unknown delegation {id}"))
        for delegation_id, node in delegation_ids.items():
            heads, others = [], []
            for member in members.get(delegation_id, []):
                assert isinstance(member, MappingNode)
                flag = next((v for k, v in member.value if k.value == "head"), None)
                member.value = [(k, v) for k, v in member.value if k.value != "head"]
                is_head = isinstance(flag, ScalarNode) and flag.value.strip().lower() in (
                    "yes",
                    "true",
                )
                (heads if is_head and not heads else others).append(member)
            if heads:
                mark = heads[0].start_mark
                node.value.append((ScalarNode(STR_TAG, "head", start_mark=mark), heads[0]))
            self.attach(node, "members", others)
        nodes = [n for _, n, _ in found]
        if not nodes:
            return None
        mark = nodes[0].start_mark
        return SequenceNode(SEQ_TAG, list(nodes), start_mark=mark)

    def registration(self) -> MappingNode | None:
        node = self.single("Registration")
        questions = self.rows("Questions")
        question_ids = self.ids(questions, "Questions")
        options = self.children("Options", question_ids, N_("unknown question {id}"))
        for question_id, question in question_ids.items():
            self.attach(question, "options", options.get(question_id, []))
        if node is None:
            if questions:
                row = questions[0][0]
                self.error(
                    CellMark(self.tables["Questions"].title, row, 1, ""),
                    N_("the questions need the form's row on the Registration sheet"),
                )
            return None
        self.attach(node, "extra_questions", [q for _, q, _ in questions])
        return node


def error_order(error: ProgramError) -> tuple[int, int, int, int]:
    """Sheets in the workbook's order, then rows, then columns; file errors first."""
    match = _CELL.match(error.cell)
    if not match:
        return (-1, 0, 0, 0)
    names = [s.name.casefold() for s in SHEETS]
    title = match[1].casefold()
    sheet = names.index(title) if title in names else len(names)
    column = 0
    for letter in match[2]:
        column = column * 26 + ord(letter) - 64
    return (sheet, int(match[3]), column, 0)


def read_workbook(data: bytes, filename: str) -> Program:
    """The program in an .xlsx workbook; raises ProgramInvalid with every error by its cell."""
    check_archive(data, filename)
    builder = Builder(filename, read_tables(data, filename))
    root = builder.root()
    try:
        program = program_from_node(root, filename, error_order)
    except ProgramInvalid as exc:
        raise ProgramInvalid(sorted(builder.errors + exc.errors, key=error_order)) from None
    if builder.errors:
        raise ProgramInvalid(sorted(builder.errors, key=error_order))
    return program
