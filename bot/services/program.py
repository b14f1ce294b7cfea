"""The current forum program: loaded from the database, replaced by an atomic import."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.i18n_markers import N_
from bot.program.loader import ProgramError, ProgramInvalid, parse_program, program_checksum
from bot.program.model import Program
from db import Database

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

    @property
    def ok(self) -> bool:
        return not self.errors


def read_source(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8")


def unreadable(path: Path, exc: OSError | UnicodeDecodeError) -> ProgramError:
    return ProgramError(
        str(path),
        None,
        "",
        N_("cannot read the file: {error}"),
        {"error": getattr(exc, "strerror", None) or str(exc)},
    )


def check_file(path: Path) -> ImportResult:
    """Validate a program file without loading it."""
    try:
        return ImportResult(parse_program(read_source(path), str(path)))
    except ProgramInvalid as exc:
        return ImportResult(None, list(exc.errors))
    except (OSError, UnicodeDecodeError) as exc:
        return ImportResult(None, [unreadable(path, exc)])


class ProgramService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._program: Program | None = None
        self.version: int | None = None
        self._derived: dict[Hashable, object] = {}
        self.import_hooks: list[ImportHook] = []
        self.reload_hooks: list[ReloadHook] = []

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
        stored = await self.db.programs.current()
        if stored is None:
            result = await self.import_file(fallback_file)
            if not result.ok:
                raise ProgramInvalid(result.errors)
            return
        # A stored program was valid when imported; the loader may have become stricter since.
        self._program = parse_program(stored.source, stored.filename)
        self.version = stored.id

    async def import_file(self, path: Path) -> ImportResult:
        try:
            source = read_source(path)
        except (OSError, UnicodeDecodeError) as exc:
            return ImportResult(None, [unreadable(path, exc)])
        return await self.import_text(source, str(path))

    async def import_text(self, source: str, filename: str) -> ImportResult:
        """Validate and store a program in one transaction; a bad one changes nothing."""
        try:
            new = parse_program(source, filename)
        except ProgramInvalid as exc:
            return ImportResult(None, list(exc.errors))
        checksum = program_checksum(source)
        async with self.db.transaction():
            stored = await self.db.programs.current()
            if stored is not None and stored.checksum == checksum:
                return ImportResult(new, changed=False)
            old = parse_program(stored.source, stored.filename) if stored else None
            for hook in self.import_hooks:
                await hook(self.db, old, new)
            version = await self.db.programs.add(checksum, Path(filename).name, source)
        await self._set(new, version)
        return ImportResult(new, changed=True)

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

    async def _set(self, program: Program, version: int) -> None:
        self._program = program
        self.version = version
        self._derived.clear()
        for hook in self.reload_hooks:
            try:
                await hook(program)
            except Exception:
                logger.exception("A reload hook failed")
