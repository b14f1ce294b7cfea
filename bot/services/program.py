"""The current forum program: loaded from the database, replaced by an atomic store.

Every change of the programme — a file imported from the command line, an upload confirmed in
the bot, a live edit, an undo, a rollback — is one `store`: validated before, then in one
transaction the optimistic version check, the new version row, the import hooks (change
notices) and the caller's records (audit, edit), so that a failure changes nothing and two
organizers cannot overwrite each other's change unseen.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.program.diff import ProgramDiff, program_diff
from bot.program.files import ProgramFile, load_program_path
from bot.program.loader import ProgramError, ProgramInvalid, parse_program, program_checksum
from bot.program.model import Program
from db import Database
from db.programs import StoredProgram

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Runs inside the store's transaction (a failure rolls it all back); returns how many people
# it told about the change.
ImportHook = Callable[[Database, Program | None, Program, int], Awaitable[int]]
# Runs after a new program became current in this process.
ReloadHook = Callable[[Program], Awaitable[None]]
# The caller's own records of a change, written in the same transaction (version, result).
Recorder = Callable[["ImportResult"], Awaitable[None]]


@dataclass(slots=True)
class ImportResult:
    program: Program | None
    errors: list[ProgramError] = field(default_factory=list)
    changed: bool = False
    version: int | None = None
    previous: Program | None = None  # the programme it replaced
    diff: ProgramDiff | None = None  # None for the very first programme
    notified: int = 0
    conflict: bool = False  # the programme changed since the caller looked at it

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflict


def check_file(path: Path) -> ImportResult:
    """Validate a program file without loading it."""
    try:
        return ImportResult(load_program_path(path).program)
    except ProgramInvalid as exc:
        return ImportResult(None, list(exc.errors))


def summary_of(result: ImportResult, **extra: object) -> dict[str, object]:
    """What the audit log and the version row keep of a change."""
    summary: dict[str, object] = {"counts": result.diff.counts() if result.diff else {}}
    summary["notified"] = result.notified
    summary.update(extra)
    return summary


def summary_json(result: ImportResult, **extra: object) -> str:
    return json.dumps(summary_of(result, **extra), ensure_ascii=False)


class ProgramService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._program: Program | None = None
        self.version: int | None = None
        self._derived: dict[Hashable, object] = {}
        self.import_hooks: list[ImportHook] = []
        self.reload_hooks: list[ReloadHook] = []
        # Called with the new version right after its commit, before the reload hooks.
        self.commit_hooks: list[Callable[[int], None]] = []

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

    async def import_file(self, path: Path, record: Recorder | None = None) -> ImportResult:
        try:
            loaded = load_program_path(path)
        except ProgramInvalid as exc:
            return ImportResult(None, list(exc.errors))
        return await self.store(loaded, record=record)

    async def import_text(self, source: str, filename: str) -> ImportResult:
        """Validate and store a program file's text; a bad one changes nothing."""
        try:
            program = parse_program(source, filename)
        except ProgramInvalid as exc:
            return ImportResult(None, list(exc.errors))
        return await self.store(ProgramFile(program, source, Path(filename).name))

    def parsed(self, stored: StoredProgram | None) -> Program | None:
        """A stored version as a Program, without parsing again the one already loaded."""
        if stored is None:
            return None
        if stored.id == self.version and self._program is not None:
            return self._program
        return parse_program(stored.source, stored.filename)

    async def store(
        self,
        loaded: ProgramFile,
        *,
        kind: str = "import",
        actor: int | None = None,
        expected: int | None = None,
        record: Recorder | None = None,
    ) -> ImportResult:
        """Make `loaded` the current programme in one transaction.

        `expected`: the version the caller's change was based on; if another one became
        current since, nothing is stored and the result says `conflict`. The same programme
        as the current one is not stored again (`changed` is False).
        """
        new = loaded.program
        async with self.db.transaction():
            stored = await self.db.programs.current()
            if expected is not None and (stored.id if stored else None) != expected:
                return ImportResult(None, conflict=True, version=stored.id if stored else None)
            old = self.parsed(stored)
            if old is not None and stored is not None and old == new:
                return ImportResult(old, version=stored.id, previous=old, diff=ProgramDiff())
            result = ImportResult(new, changed=True, previous=old)
            result.diff = program_diff(old, new) if old is not None else None
            result.version = version = await self.db.programs.add(
                program_checksum(loaded.source), loaded.filename, loaded.source, kind, actor
            )
            for hook in self.import_hooks:
                result.notified += await hook(self.db, old, new, version)
            await self.db.programs.set_summary(version, summary_of(result))
            if record is not None:
                await record(result)
        for commit_hook in self.commit_hooks:
            commit_hook(version)
        await self._set(new, version)
        return result

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
