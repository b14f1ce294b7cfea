"""Organizers change the programme from the bot: uploads with a preview, rollback of the last
import, live edits and their undo. Every change goes through ProgramService.store, so it is
atomic, checked against the version the organizer saw, audited and told to the people
concerned like any import."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiogram import Dispatcher

from bot.program.diff import ProgramDiff, program_diff
from bot.program.edits import (
    Edit,
    EditKind,
    EditRefused,
    Patch,
    Plan,
    Refusal,
    apply_patch,
    plan_edit,
    undo_plan,
)
from bot.program.loader import ProgramError, ProgramInvalid, parse_program
from bot.program.model import Program
from bot.program.writer import program_yaml
from bot.services.agenda import AgendaService
from bot.services.audit import audit
from bot.services.program import (
    ImportResult,
    ProgramService,
    Recorder,
    load_program_bytes,
    summary_json,
)
from db import Database

logger = logging.getLogger(__name__)

DRAFT_TTL = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Preview:
    """What a stored change would do, shown before anything changes."""

    filename: str
    base_version: int
    old: Program
    new: Program
    diff: ProgramDiff
    notified: int
    draft_id: int | None = None  # an upload waiting for Confirm
    target_version: int | None = None  # a rollback's goal

    @property
    def unchanged(self) -> bool:
        return self.old == self.new


@dataclass(slots=True)
class EditOutcome:
    target: str = ""  # the session or section edited
    result: ImportResult | None = None
    edit_id: int | None = None
    plan: Plan | None = None
    refused: EditRefused | None = None
    errors: list[ProgramError] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        return self.result is not None and self.result.conflict


def audit_recorder(db: Database, action: str, actor: int | None, **extra: object) -> Recorder:
    """Writes the audit entry of a stored programme change, in the store's transaction."""

    async def record(result: ImportResult) -> None:
        details = summary_json(result, **extra)
        await audit(db, actor, action, details, ref=f"program:{result.version}")

    return record


class ProgramOps:
    def __init__(self, db: Database, programs: ProgramService, agenda: AgendaService) -> None:
        self.db = db
        self.programs = programs
        self.agenda = agenda

    # ------------------------------------------------------------ uploads

    async def preview_upload(self, actor: int, data: bytes, filename: str) -> Preview:
        """Check an uploaded file and keep it as a draft; raises ProgramInvalid."""
        # Reading a large file takes a while: not on the event loop's time.
        checked = await asyncio.to_thread(load_program_bytes, data, filename)
        if checked.program is None:
            raise ProgramInvalid(checked.errors)
        new = checked.program
        old, base = self.programs.base, self.programs.version
        assert base is not None
        diff = program_diff(old, new)
        notified = await self.agenda.count_affected(self.db, old, new)
        draft_id = None
        if old != new:
            expired = (datetime.now(UTC) - DRAFT_TTL).isoformat(timespec="seconds")
            async with self.db.transaction():
                await self.db.drafts.delete_older(expired)
                draft_id = await self.db.drafts.add(actor, base, filename, checked.source)
        return Preview(filename, base, old, new, diff, notified, draft_id)

    async def confirm_upload(self, actor: int, draft_id: int) -> ImportResult | None:
        """Import a previewed upload; None if the draft is gone (done, cancelled, expired)."""
        draft = await self.db.drafts.get(draft_id)
        if draft is None or draft.actor_id != actor:
            return None
        program = await asyncio.to_thread(parse_program, draft.source, draft.filename)
        record = audit_recorder(self.db, "program.import", actor, file=draft.filename)

        async def record_and_drop(result: ImportResult) -> None:
            await record(result)
            await self.db.drafts.delete(draft_id)

        result = await self.programs.import_program(
            program,
            draft.filename,
            draft.source,
            actor=actor,
            expected=draft.base_version,
            record=record_and_drop,
        )
        if not result.changed:
            async with self.db.transaction():
                await self.db.drafts.delete(draft_id)
        return result

    async def cancel_upload(self, actor: int, draft_id: int) -> bool:
        async with self.db.transaction():
            draft = await self.db.drafts.get(draft_id)
            if draft is None or draft.actor_id != actor:
                return False
            await self.db.drafts.delete(draft_id)
        return True

    # ------------------------------------------------------------ rollback

    async def rollback_preview(self) -> Preview | None:
        """The programme as it was before the latest import, compared with the current one."""
        target = await self.db.programs.before_latest_import()
        if target is None:
            return None
        program = await asyncio.to_thread(parse_program, target.source, target.filename)
        old, base = self.programs.base, self.programs.version
        assert base is not None
        notified = await self.agenda.count_affected(self.db, old, program)
        diff = program_diff(old, program)
        return Preview(
            target.filename, base, old, program, diff, notified, target_version=target.id
        )

    async def rollback(self, actor: int, target_version: int, expected: int) -> ImportResult | None:
        target = await self.db.programs.get(target_version)
        if target is None:
            return None
        program = await asyncio.to_thread(parse_program, target.source, target.filename)
        return await self.programs.import_program(
            program,
            target.filename,
            target.source,
            kind="rollback",
            actor=actor,
            expected=expected,
            record=audit_recorder(
                self.db, "program.rollback", actor, file=target.filename, to=target_version
            ),
        )

    # ------------------------------------------------------------ live edits

    async def edit(self, actor: int, edit: Edit) -> EditOutcome:
        """Apply a live edit to the current programme at once."""
        # The stored programme, not the one with the inbox's saved FAQ merged in.
        program, expected = self.programs.base, self.programs.version
        assert expected is not None
        try:
            plan = plan_edit(program, edit)
        except EditRefused as refused:
            return EditOutcome(edit.target, refused=refused)
        return await self._store_plan(actor, edit.kind, edit.target, plan, program, expected)

    async def undo(self, actor: int, edit_id: int) -> EditOutcome:
        stored = await self.db.edits.get(edit_id)
        if stored is None:
            return EditOutcome(refused=EditRefused(Refusal.GONE))
        if stored.undone_by is not None:
            return EditOutcome(stored.target, refused=EditRefused(Refusal.CHANGED))
        program, expected = self.programs.base, self.programs.version
        assert expected is not None
        try:
            plan = undo_plan(program, stored.before, stored.after)
        except EditRefused as refused:
            return EditOutcome(stored.target, refused=refused)
        return await self._store_plan(
            actor, EditKind.UNDO, stored.target, plan, program, expected, undoes=edit_id
        )

    async def _store_plan(
        self,
        actor: int,
        kind: EditKind,
        target: str,
        plan: Plan,
        program: Program,
        expected: int,
        undoes: int | None = None,
    ) -> EditOutcome:
        outcome = EditOutcome(target, plan=plan)
        try:
            edited, source = await asyncio.to_thread(edited_file, program, plan.after)
        except EditRefused as refused:
            return EditOutcome(target, refused=refused)
        except ProgramInvalid as exc:
            # The pure checks missed something the loader does not accept: say what.
            logger.warning("A live edit did not pass the loader: %s", exc)
            return EditOutcome(target, errors=list(exc.errors))

        async def record(result: ImportResult) -> None:
            assert result.version is not None
            outcome.edit_id = edit_id = await self.db.edits.add(
                result.version, actor, kind, target, plan.before, plan.after
            )
            if undoes is not None:
                await self.db.edits.mark_undone(undoes, edit_id)
            details = summary_json(result, kind=str(kind), target=target, undoes=undoes)
            await audit(self.db, actor, "program.edit", details, ref=f"edit:{edit_id}")

        outcome.result = await self.programs.import_program(
            edited,
            "edit.yaml",
            source,
            kind="undo" if undoes else "edit",
            actor=actor,
            expected=expected,
            record=record,
        )
        return outcome


def edited_file(program: Program, patch: Patch) -> tuple[Program, str]:
    """The patched programme as it will be stored, read back by the loader (its checks too)."""
    source = program_yaml(apply_patch(program, patch))
    return parse_program(source, "edit.yaml"), source


def audit_details(details: str) -> dict[str, object] | None:
    """The JSON details of a programme audit entry, or None for other entries."""
    if not details.startswith("{"):
        return None
    try:
        value = json.loads(details)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def setup(
    dp: Dispatcher, db: Database, programs: ProgramService, agenda: AgendaService
) -> ProgramOps:
    """The organizers' programme tools in the workflow data (the agenda service counts who a
    change would tell)."""
    ops = ProgramOps(db, programs, agenda)
    dp["program_ops"] = ops
    return ops
