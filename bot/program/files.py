"""A program file of either format, told apart by its content: YAML text or an Excel workbook.

Files come from organizers' machines and from Telegram uploads, so nothing is trusted: the size
is limited, a renamed binary is named as such, and every problem is a `ProgramError` that says
what is wrong with the file, never a traceback.
"""

from __future__ import annotations

import math
from pathlib import Path

from bot.i18n_markers import N_
from bot.program.loader import ProgramError, ProgramInvalid, parse_program
from bot.program.model import Program

MAX_FILE_BYTES = 5 * 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Old binary Office files (.xls, .doc) share this header.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml")


def file_error(filename: str, message: str, **params: object) -> ProgramInvalid:
    strings = {k: str(v) for k, v in params.items()}
    return ProgramInvalid([ProgramError(filename, None, "", message, strings)])


def megabytes(size: int) -> str:
    """Rounded up, so that a file just over the limit does not read as the limit itself."""
    return f"{math.ceil(size * 10 / (1024 * 1024)) / 10:.1f}"


def too_big(filename: str, size: int) -> ProgramInvalid:
    return file_error(
        filename,
        N_("the file is {size} MB; a program file can be at most {limit} MB"),
        size=megabytes(size),
        limit=MAX_FILE_BYTES // (1024 * 1024),
    )


def is_workbook(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def parse_program_bytes(data: bytes, filename: str) -> Program:
    """The program in a file's bytes, YAML or .xlsx by content; raises ProgramInvalid."""
    if len(data) > MAX_FILE_BYTES:
        raise too_big(filename, len(data))
    if is_workbook(data):
        from bot.program.workbook import read_workbook  # lazy: openpyxl is slow to import

        return read_workbook(data, filename)
    if data.startswith(OLE_MAGIC):
        raise file_error(
            filename,
            N_(
                "this is an old binary Office file (.xls) or a workbook with a password; save it "
                "as an Excel workbook (.xlsx) without a password"
            ),
        )
    suffix = Path(filename).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        raise file_error(
            filename, N_("the file is named {suffix} but is not an Excel workbook"), suffix=suffix
        )
    if b"\x00" in data:
        raise file_error(
            filename,
            N_("not a program file: expected an Excel workbook (.xlsx) or a YAML text file"),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(
            filename,
            N_("the text is not in UTF-8 (byte {offset}); save the file as UTF-8"),
            offset=exc.start,
        ) from None
    return parse_program(text, filename)


def read_program_file(path: Path) -> bytes:
    """A program file's bytes, refusing a file over the size limit before reading it."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise too_big(str(path), size)
        return path.read_bytes()
    except OSError as exc:
        raise file_error(
            str(path), N_("cannot read the file: {error}"), error=exc.strerror or str(exc)
        ) from exc
