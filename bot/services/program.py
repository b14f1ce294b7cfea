"""The current forum program: loaded from the database, replaced by an atomic import."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.program.files import is_workbook, parse_program_bytes, read_program_file
from bot.program.loader import ProgramError, ProgramInvalid, parse_program
from bot.program.model import FaqEntry, Program, Text
from bot.program.writer import program_checksum, program_yaml
from db import Database
from db.faq import SavedFaq

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Runs inside the import's transaction: a failure rolls the whole import back.
ImportHook = Callable[[Database, Program | None, Program], Awaitable[None]]
# Runs after a new program became current in this process.
ReloadHook = Callable[[Program], Awaitable[None]]


@dataclass(slots=True)
class ImportResult:
    program: Program | None
    errors: list[ProgramError] = field(default_factory=list)
    changed: bool = False
    # What is stored for the program: a YAML file's own text, else the program written as YAML.
    source: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def load_program_bytes(data: bytes, filename: str) -> ImportResult:
    """Validate a program file (YAML or .xlsx, told apart by content) without storing it.

    On success `program` is set and `source` is what `ProgramService.import_program` stores;
    else `errors` lists every problem (`error.render(gettext)` gives `file:line: field: ...`
    or `Sheet!C5: field: ...`). Never raises for a bad file: size limit, a renamed binary, a
    zip bomb... are errors too. CPU-bound (a big workbook takes a moment): in the bot, call it
    through `asyncio.to_thread`.
    """
    try:
        program = parse_program_bytes(data, filename)
    except ProgramInvalid as exc:
        return ImportResult(None, list(exc.errors))
    source = program_yaml(program) if is_workbook(data) else data.decode("utf-8-sig")
    return ImportResult(program, source=source)


def check_file(path: Path) -> ImportResult:
    """Validate a program file (YAML or .xlsx) without loading it."""
    try:
        data = read_program_file(Path(path))
    except ProgramInvalid as exc:
        return ImportResult(None, list(exc.errors))
    return load_program_bytes(data, str(path))


def with_saved_faq(program: Program, saved: Sequence[SavedFaq]) -> Program:
    """The program with the FAQ entries the organizers saved from the inbox after its own, so
    that every reader of the program (search, exports) sees them; an id the file itself uses
    wins."""
    own = {entry.id for entry in program.faq}
    language = program.forum.default_language
    extra = tuple(
        FaqEntry(
            id=entry.id,
            question=Text(entry.question, language),
            answer=Text(entry.answer, language),
            keywords=entry.keywords,
        )
        for entry in saved
        if entry.id not in own
    )
    if not extra:
        return program
    return dataclasses.replace(program, faq=program.faq + extra, _index={})


class ProgramService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._program: Program | None = None
        self.version: int | None = None
        self._derived: dict[Hashable, object] = {}
        self.import_hooks: list[ImportHook] = []
        self.reload_hooks: list[ReloadHook] = []
        self.saved_faq: list[SavedFaq] = []
        self._base: Program | None = None  # the imported program, without the saved FAQ

    @property
    def program(self) -> Program:
        if self._program is None:
            raise RuntimeError("no program loaded")
        return self._program

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """A value computed from the current program (texts, indexes), built once per version."""
        try:
            return self._derived[key]  # type: ignore[return-value]
        except KeyError:
            value = self._derived[key] = build()
            return value

    async def load(self, fallback_file: Path) -> None:
        """Load the stored program; an empty database gets `fallback_file` imported."""
        self.saved_faq = await self.db.faq.all()
        stored = await self.db.programs.current()
        if stored is None:
            result = await self.import_file(fallback_file)
            if not result.ok:
                raise ProgramInvalid(result.errors)
            return
        # A stored program was valid when imported; the loader may have become stricter since.
        self._base = parse_program(stored.source, stored.filename)
        self._program = with_saved_faq(self._base, self.saved_faq)
        self.version = stored.id

    async def import_file(self, path: Path) -> ImportResult:
        """Validate and store a program file, YAML or .xlsx (see `import_bytes`)."""
        try:
            data = read_program_file(Path(path))
        except ProgramInvalid as exc:
            return ImportResult(None, list(exc.errors))
        return await self.import_bytes(data, str(path))

    async def import_bytes(self, data: bytes, filename: str) -> ImportResult:
        """Validate and store a program file's bytes; a bad file changes nothing."""
        checked = load_program_bytes(data, filename)
        if checked.program is None:
            return checked
        return await self.import_program(checked.program, filename, checked.source)

    async def import_text(self, source: str, filename: str) -> ImportResult:
        """Validate and store a YAML program text; a bad one changes nothing."""
        try:
            new = parse_program(source, filename)
        except ProgramInvalid as exc:
            return ImportResult(None, list(exc.errors))
        return await self.import_program(new, filename, source)

    async def import_program(
        self, new: Program, filename: str, source: str | None = None
    ) -> ImportResult:
        """Make a checked program current in one transaction (hooks included).

        The same content as the current program (whatever the file's format) is "unchanged":
        nothing is stored and no hook runs. `source` is the YAML stored for it (default: the
        program written as YAML).
        """
        source = program_yaml(new) if source is None else source
        checksum = program_checksum(new)
        async with self.db.transaction():
            stored = await self.db.programs.current()
            if stored is not None and stored.checksum == checksum:
                return ImportResult(new, changed=False, source=source)
            old = parse_program(stored.source, stored.filename) if stored else None
            if old == new:  # stored under an older kind of checksum
                return ImportResult(new, changed=False, source=source)
            for hook in self.import_hooks:
                await hook(self.db, old, new)
            version = await self.db.programs.add(checksum, Path(filename).name, source)
        await self._set(new, version)
        return ImportResult(new, changed=True, source=source)

    async def refresh(self) -> bool:
        """Pick up a program imported by another process (`forum-bot import`)."""
        current = await self.db.programs.current_id()
        if current is None or current == self.version:
            return False
        stored = await self.db.programs.current()
        if stored is None:
            return False
        await self._set(parse_program(stored.source, stored.filename), stored.id)
        logger.info("Program version %s loaded from %s", stored.id, stored.filename)
        return True

    async def faq_saved(self) -> None:
        """Take in the FAQ entries saved from the inbox (after the caller's transaction)."""
        self.saved_faq = await self.db.faq.all()
        if self._base is not None and self.version is not None:
            await self._set(self._base, self.version)

    async def _set(self, program: Program, version: int) -> None:
        self._base = program
        self._program = merged = with_saved_faq(program, self.saved_faq)
        self.version = version
        self._derived.clear()
        for hook in self.reload_hooks:
            try:
                await hook(merged)
            except Exception:
                logger.exception("A reload hook failed")
