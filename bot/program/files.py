"""A program file's bytes, from a path or an upload, turned into a validated Program.

Every way a programme arrives (`forum-bot check` and `import`, a document sent to the bot)
goes through `load_program_bytes`, so all of them accept the same formats and refuse the same
bad files with the same messages. Files from people are hostile: the size is bounded, binary
files are recognised before any parser sees them, and every problem names the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

from bot.i18n_markers import N_
from bot.program.dump import dump_program
from bot.program.loader import ProgramError, ProgramInvalid, parse_program
from bot.program.model import Program

MAX_PROGRAM_BYTES = 5 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx",)
PROGRAM_SUFFIXES = YAML_SUFFIXES + WORKBOOK_SUFFIXES

# Recognised so that a renamed binary gets a clear answer instead of a YAML syntax error.
OFFICE = N_("this is not a text file: it looks like an Office document or a ZIP archive")
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", OFFICE),
    (b"\xd0\xcf\x11\xe0", OFFICE),
    (b"%PDF", N_("this is not a text file: it looks like a PDF document")),
    (b"\x89PNG", N_("this is not a text file: it looks like an image")),
    (b"\xff\xd8\xff", N_("this is not a text file: it looks like an image")),
    (b"GIF8", N_("this is not a text file: it looks like an image")),
    (b"\x7fELF", N_("this is not a text file: it looks like a program")),
    (b"MZ", N_("this is not a text file: it looks like a program")),
    (b"Rar!", N_("this is not a text file: it looks like an archive")),
    (b"\x1f\x8b", N_("this is not a text file: it looks like an archive")),
    (b"7z\xbc\xaf", N_("this is not a text file: it looks like an archive")),
)


@dataclass(frozen=True, slots=True)
class ProgramFile:
    """A validated program and the program-file text stored for it (YAML for any format)."""

    program: Program
    source: str
    filename: str


# A reader of one format: (bytes, file name) -> Program, raising ProgramInvalid.
Reader = Callable[[bytes, str], Program]


def file_error(filename: str, message: str, **params: object) -> ProgramInvalid:
    return ProgramInvalid(
        [ProgramError(filename, None, "", message, {k: str(v) for k, v in params.items()})]
    )


def base_name(filename: str) -> str:
    """The bare file name: an uploaded name is not a path, whatever it contains."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    return name[:120] or "program"


def load_program_bytes(
    data: bytes, filename: str, max_bytes: int | None = MAX_PROGRAM_BYTES
) -> ProgramFile:
    """Validate a program file; raises ProgramInvalid with every problem found.

    Errors name the file as `filename` is given (a path on the command line); the stored
    version keeps only the bare name.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise file_error(
            filename, N_("the file is larger than {max} MB"), max=max_bytes // (1024 * 1024)
        )
    name = base_name(filename)
    suffix = PurePath(name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        program = read_workbook(data, filename)
        return ProgramFile(program, dump_program(program), name)
    if suffix in YAML_SUFFIXES:
        text = yaml_text(data, filename)
        return ProgramFile(parse_program(text, filename), text, name)
    if not suffix:
        raise file_error(filename, N_("this is not a programme file: send a .yaml or .xlsx file"))
    raise file_error(
        filename,
        N_("this is not a programme file: send a .yaml or .xlsx file, not {suffix}"),
        suffix=suffix,
    )


def read_workbook(data: bytes, filename: str) -> Program:
    """The Excel workbook format plugs in here (bot/program/workbook.py)."""
    raise file_error(
        filename, N_("this version of the bot cannot read Excel workbooks; send a .yaml file")
    )


def yaml_text(data: bytes, filename: str) -> str:
    """The text of a YAML program file; binary files and other encodings are refused."""
    for magic, message in BINARY_MAGIC:
        if data.startswith(magic):
            raise file_error(filename, message)
    if b"\0" in data:
        raise file_error(filename, N_("this is not a text file: it contains binary data"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(
            filename,
            N_(
                "the file is not UTF-8 text (a wrong byte at position {position}); save it as UTF-8"
            ),
            position=exc.start,
        ) from None


def load_program_path(path: Path) -> ProgramFile:
    """A program file on disk (the command line), read as its bytes."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise file_error(
            str(path), N_("cannot read the file: {error}"), error=exc.strerror or str(exc)
        ) from None
    return load_program_bytes(data, str(path))
