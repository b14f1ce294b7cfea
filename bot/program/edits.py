"""Live edits of the programme as pure data: what an organizer asked for, planned as a patch of
the fields it changes, with the values it replaces (so that it can be undone).

A patch is plain JSON, stored with the edit:
`{"sessions": {id: {field: value}}, "sections": {id: {field: value}}}` with days as
`2027-06-25`, times as `14:30`, notices as `{lang: text}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.program.model import Program, Section, Session, Text

Patch = dict[str, dict[str, dict[str, Any]]]
SESSION_FIELDS = frozenset({"day", "start", "end", "venue", "hall", "cancelled", "notice"})
SECTION_FIELDS = frozenset({"venue", "hall"})
MAX_DELAY_MINUTES = 12 * 60
# A notice is a line on the card, not an article.
MAX_NOTICE_LENGTH = 300


class EditKind(StrEnum):
    MOVE = "move"  # another day and start time, the same length
    HALL = "hall"  # another venue and hall
    DELAY = "delay"  # later (or earlier) by some minutes
    CANCEL = "cancel"
    RESTORE = "restore"
    NOTICE = "notice"  # the short note on the card; empty clears it
    SECTION_HALL = "section_hall"  # a section and all its sessions to another hall
    UNDO = "undo"


@dataclass(frozen=True, slots=True)
class Edit:
    kind: EditKind
    target: str  # a session id, or a section id for SECTION_HALL
    day: date | None = None
    start: time | None = None
    minutes: int = 0
    following: bool = False  # DELAY: the later sessions that day in the same hall too
    venue: str | None = None
    hall: str | None = None
    notice: str = ""


class Refusal(StrEnum):
    GONE = "gone"  # the session or section is no longer in the programme
    CANCELLED = "cancelled"  # cannot move or delay a cancelled session
    NOT_CANCELLED = "not_cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    MIDNIGHT = "midnight"  # would end after midnight
    OUTSIDE = "outside"  # a day outside the forum
    SAME = "same"  # nothing would change
    CLASH = "clash"  # the hall is taken at that time
    TOO_LONG = "too_long"  # the notice
    UNKNOWN_HALL = "unknown_hall"
    DELAY_RANGE = "delay_range"
    CHANGED = "changed"  # undo: the values were changed again since


class EditRefused(Exception):  # noqa: N818 - it is a refusal, not a programming error
    def __init__(self, reason: Refusal, **params: str) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.params = params


@dataclass(frozen=True, slots=True)
class Plan:
    before: Patch
    after: Patch


# ---------------------------------------------------------------- values


def session_values(session: Session) -> dict[str, Any]:
    return {
        "day": session.day.isoformat(),
        "start": session.start.strftime("%H:%M"),
        "end": session.end.strftime("%H:%M"),
        "venue": session.venue,
        "hall": session.hall,
        "cancelled": session.cancelled,
        "notice": dict(session.notice.values),
    }


def section_values(section: Section) -> dict[str, Any]:
    return {"venue": section.venue, "hall": section.hall}


def current_values(program: Program, like: Patch) -> Patch:
    """The program's present values of the fields `like` sets (None for a missing item)."""
    out: Patch = {"sessions": {}, "sections": {}}
    for session_id, changes in like.get("sessions", {}).items():
        session = program.session(session_id)
        if session is not None:
            values = session_values(session)
            out["sessions"][session_id] = {k: values[k] for k in changes}
    for section_id, changes in like.get("sections", {}).items():
        section = program.section(section_id)
        if section is not None:
            values = section_values(section)
            out["sections"][section_id] = {k: values[k] for k in changes}
    return out


def apply_patch(program: Program, patch: Patch) -> Program:
    """The program with the patch's values set; raises EditRefused(GONE) for a missing item."""
    sessions = {s.id: s for s in program.sessions}
    for session_id, changes in patch.get("sessions", {}).items():
        if session_id not in sessions:
            raise EditRefused(Refusal.GONE)
        sessions[session_id] = patched_session(sessions[session_id], changes, program)
    sections = {s.id: s for s in program.sections}
    for section_id, changes in patch.get("sections", {}).items():
        if section_id not in sections:
            raise EditRefused(Refusal.GONE)
        unknown = set(changes) - SECTION_FIELDS
        if unknown:
            raise ValueError(f"cannot patch section fields {unknown}")
        section = sections[section_id] = replace(sections[section_id], **changes)
        # Sessions that take their place from the section follow it (and keep taking it).
        for session in program.sessions_of_section(section_id):
            current = sessions[session.id]
            taken = {k: getattr(section, k) for k in SECTION_FIELDS if k in current.inherited}
            if taken:
                sessions[session.id] = replace(current, **taken)
    return replace(program, sessions=tuple(sessions.values()), sections=tuple(sections.values()))


def patched_session(session: Session, changes: Mapping[str, Any], program: Program) -> Session:
    unknown = set(changes) - SESSION_FIELDS
    if unknown:
        raise ValueError(f"cannot patch session fields {unknown}")
    values: dict[str, Any] = {}
    if "day" in changes:
        values["day"] = date.fromisoformat(changes["day"])
    for key in ("start", "end"):
        if key in changes:
            values[key] = time.fromisoformat(changes[key])
    for key in ("venue", "hall", "cancelled"):
        if key in changes:
            values[key] = changes[key]
    if "notice" in changes:
        values["notice"] = Text(dict(changes["notice"]), program.forum.default_language)
    # A value set by an edit is the session's own from now on, not its section's.
    values["inherited"] = session.inherited - set(changes)
    updated = replace(session, **values)
    tz = program.forum.tz
    return replace(
        updated,
        start_at=datetime.combine(updated.day, updated.start, tzinfo=tz),
        end_at=datetime.combine(updated.day, updated.end, tzinfo=tz),
    )


# ---------------------------------------------------------------- planning


def plan_edit(program: Program, edit: Edit) -> Plan:
    """The patch an edit makes on `program`, checked; raises EditRefused."""
    if edit.kind is EditKind.SECTION_HALL:
        after = plan_section_hall(program, edit)
    else:
        session = program.session(edit.target)
        if session is None:
            raise EditRefused(Refusal.GONE)
        after = {"sessions": plan_session(program, session, edit), "sections": {}}
    before = current_values(program, after)
    if before == after:
        raise EditRefused(Refusal.SAME)
    check_clashes(apply_patch(program, after), after)
    return Plan(before, after)


def plan_session(program: Program, session: Session, edit: Edit) -> dict[str, dict[str, Any]]:
    kind = edit.kind
    if kind is EditKind.CANCEL:
        if session.cancelled:
            raise EditRefused(Refusal.ALREADY_CANCELLED)
        return {session.id: {"cancelled": True}}
    if kind is EditKind.RESTORE:
        if not session.cancelled:
            raise EditRefused(Refusal.NOT_CANCELLED)
        return {session.id: {"cancelled": False}}
    if kind is EditKind.NOTICE:
        text = " ".join(edit.notice.split())
        if len(text) > MAX_NOTICE_LENGTH:
            raise EditRefused(Refusal.TOO_LONG, max=str(MAX_NOTICE_LENGTH))
        notice = {program.forum.default_language: text} if text else {}
        return {session.id: {"notice": notice}}
    if session.cancelled:
        raise EditRefused(Refusal.CANCELLED)
    if kind is EditKind.HALL:
        venue = program.venue(edit.venue)
        if venue is None or venue.hall(edit.hall) is None:
            raise EditRefused(Refusal.UNKNOWN_HALL)
        return {session.id: {"venue": edit.venue, "hall": edit.hall}}
    if kind is EditKind.MOVE:
        if edit.day is None or edit.start is None:
            raise ValueError("a move needs a day and a start time")
        if edit.day not in program.forum.days:
            raise EditRefused(Refusal.OUTSIDE)
        begin = datetime.combine(edit.day, edit.start, tzinfo=program.forum.tz)
        return {session.id: shifted(begin, session.end_at - session.start_at, edit.day)}
    if kind is EditKind.DELAY:
        if edit.minutes == 0 or abs(edit.minutes) > MAX_DELAY_MINUTES:
            raise EditRefused(Refusal.DELAY_RANGE, max=str(MAX_DELAY_MINUTES))
        moved = [session, *(later_in_hall(program, session) if edit.following else [])]
        delta = timedelta(minutes=edit.minutes)
        return {s.id: shifted(s.start_at + delta, s.end_at - s.start_at, s.day) for s in moved}
    raise ValueError(f"not a session edit: {kind}")


def shifted(begin: datetime, length: timedelta, day: date) -> dict[str, Any]:
    """Day, start and end of a session that begins at `begin`; it must stay within `day`."""
    end = begin + length
    if begin.date() != day or end.date() != day:
        raise EditRefused(Refusal.MIDNIGHT)
    return {
        "day": day.isoformat(),
        "start": begin.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }


def later_in_hall(program: Program, session: Session) -> list[Session]:
    """The sessions after this one on its day in its hall (not cancelled)."""
    if not session.hall:
        return []
    return [
        s
        for s in program.sessions_on(session.day)
        if s.id != session.id
        and not s.cancelled
        and (s.venue, s.hall) == (session.venue, session.hall)
        and s.start_at >= session.start_at
    ]


def plan_section_hall(program: Program, edit: Edit) -> Patch:
    section = program.section(edit.target)
    if section is None:
        raise EditRefused(Refusal.GONE)
    venue = program.venue(edit.venue)
    if venue is None or venue.hall(edit.hall) is None:
        raise EditRefused(Refusal.UNKNOWN_HALL)
    place = {"venue": edit.venue, "hall": edit.hall}
    # Sessions held somewhere else than a hall (visits, excursions) stay where they are; those
    # that take their hall from the section follow it without being named.
    indoor = [
        s for s in program.sessions_of_section(section.id) if s.hall and "hall" not in s.inherited
    ]
    return {
        "sessions": {s.id: dict(place) for s in indoor},
        "sections": {section.id: dict(place)},
    }


def check_clashes(program: Program, patch: Patch) -> None:
    """A changed session may not share its hall at the same time with another one."""
    changed = [program.session(sid) for sid in patch.get("sessions", {})]
    for section_id in patch.get("sections", {}):
        changed += [s for s in program.sessions_of_section(section_id) if s.inherited]
    for session in changed:
        if session is None or session.cancelled or not session.hall:
            continue
        for other in program.sessions_on(session.day):
            if (
                other.id != session.id
                and not other.cancelled
                and (other.venue, other.hall) == (session.venue, session.hall)
                and other.start_at < session.end_at
                and session.start_at < other.end_at
            ):
                raise EditRefused(Refusal.CLASH, session=session.id, other=other.id)


def undo_plan(program: Program, before: Patch, after: Patch) -> Plan:
    """Restoring `before`, provided the program still has what the edit set."""
    if current_values(program, after) != after:
        raise EditRefused(Refusal.CHANGED)
    check_clashes(apply_patch(program, before), before)
    return Plan(after, before)


def touched_sessions(patch: Patch) -> Iterable[str]:
    return patch.get("sessions", {}).keys()
