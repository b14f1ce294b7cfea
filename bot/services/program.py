"""The current forum program: loaded from the database, replaced by an atomic import.

Every change of the programme — a file imported from the command line, an upload confirmed in
the bot, a live edit, an undo, a rollback — is one `import_program`: checked before, then in
one transaction the optimistic version check, the new version row, the import hooks (change
notices) and the caller's records (audit, edit), so that a failure changes nothing and two
organizers cannot overwrite each other's change unseen.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.program.diff import ProgramDiff, program_diff
from bot.program.files import is_workbook, parse_program_bytes, read_program_file
from bot.program.loader import ProgramError, ProgramInvalid, parse_program
from bot.program.model import FaqEntry, Program, Text
from bot.program.writer import program_checksum, program_yaml
from db import Database
from db.faq import SavedFaq
from db.programs import StoredProgram

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Runs inside the import's transaction (a failure rolls it all back) with the new version's
# number; returns how many people it told about the change.
ImportHook = Callable[[Database, Program | None, Program, int], Awaitable[int]]
# Runs after a new program became current in this process.
ReloadHook = Callable[[Program], Awaitable[None]]
# The caller's own records of a change, written in the same transaction.
Recorder = Callable[["ImportResult"], Awaitable[None]]


@dataclass(slots=True)
class ImportResult:
    program: Program | None
    errors: list[ProgramError] = field(default_factory=list)
    changed: bool = False
    # What is stored for the program: a YAML file's own text, else the program written as YAML.
    source: str = ""
    version: int | None = None
    previous: Program | None = None  # the programme it replaced
    diff: ProgramDiff | None = None  # None for the very first programme
    notified: int = 0
    conflict: bool = False  # the programme changed since the caller looked at it

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflict


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
    return dataclasses.replace(program, faq=program.faq + extra)


def summary_of(result: ImportResult, **extra: object) -> dict[str, object]:
    """What the audit log and the version row keep of a change: counts, never names."""
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
        self.saved_faq: list[SavedFaq] = []
        self._base: Program | None = None  # the imported program, without the saved FAQ

    @property
    def program(self) -> Program:
        if self._program is None:
            raise RuntimeError("no program loaded")
        return self._program

    @property
    def base(self) -> Program:
        """The stored programme itself, without the FAQ entries saved from the inbox: what a
        live edit changes and stores again."""
        if self._base is None:
            raise RuntimeError("no program loaded")
        return self._base

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

    async def import_file(self, path: Path, record: Recorder | None = None) -> ImportResult:
        """Validate and store a program file, YAML or .xlsx (see `import_bytes`)."""
        try:
            data = read_program_file(Path(path))
        except ProgramInvalid as exc:
            return ImportResult(None, list(exc.errors))
        return await self.import_bytes(data, str(path), record)

    async def import_bytes(
        self, data: bytes, filename: str, record: Recorder | None = None
    ) -> ImportResult:
        """Validate and store a program file's bytes; a bad file changes nothing."""
        checked = load_program_bytes(data, filename)
        if checked.program is None:
            return checked
        return await self.import_program(checked.program, filename, checked.source, record=record)

    async def import_text(self, source: str, filename: str) -> ImportResult:
        """Validate and store a YAML program text; a bad one changes nothing."""
        try:
            new = parse_program(source, filename)
        except ProgramInvalid as exc:
            return ImportResult(None, list(exc.errors))
        return await self.import_program(new, filename, source)

    def parsed(self, stored: StoredProgram | None) -> Program | None:
        """A stored version as a Program, without parsing again the one already loaded."""
        if stored is None:
            return None
        if stored.id == self.version and self._base is not None:
            return self._base
        return parse_program(stored.source, stored.filename)

    async def import_program(
        self,
        new: Program,
        filename: str,
        source: str | None = None,
        *,
        kind: str = "import",
        actor: int | None = None,
        expected: int | None = None,
        record: Recorder | None = None,
    ) -> ImportResult:
        """Make a checked program current in one transaction (hooks and `record` included).

        `expected`: the version the caller's change was based on; if another one became
        current since, nothing is stored and the result says `conflict`. The same content as
        the current program (whatever the file's format) is "unchanged": nothing is stored and
        no hook runs. `source` is the YAML stored for it (default: the program written as
        YAML); `kind` (import, edit, undo, rollback) and `actor` are kept with the version.
        """
        source = program_yaml(new) if source is None else source
        checksum = program_checksum(new)
        async with self.db.transaction():
            stored = await self.db.programs.current()
            current = stored.id if stored else None
            if expected is not None and current != expected:
                return ImportResult(None, conflict=True, version=current)
            old = self.parsed(stored)
            if stored is not None and (stored.checksum == checksum or old == new):
                # (old == new: stored under an older kind of checksum)
                return ImportResult(
                    new, source=source, version=current, previous=old, diff=ProgramDiff()
                )
            result = ImportResult(new, changed=True, source=source, previous=old)
            result.diff = program_diff(old, new) if old is not None else None
            result.version = version = await self.db.programs.add(
                checksum, Path(filename).name, source, kind, actor
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
