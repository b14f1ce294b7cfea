"""What changed between two programmes: the preview of an upload, the audit log's summary.

A pure function of two Programs; the texts are made elsewhere (bot/services/program_view.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from bot.program.model import Program, Session

T = TypeVar("T")
Pair = tuple[Session, Session]  # (before, after)


@dataclass(frozen=True, slots=True)
class ItemChanges:
    """Ids of items of one kind (sections, city pairs, FAQ entries) added, removed, changed."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @property
    def total(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


@dataclass(frozen=True, slots=True)
class ProgramDiff:
    added: tuple[Session, ...] = ()
    removed: tuple[Session, ...] = ()
    moved: tuple[Pair, ...] = ()  # day, time, venue or hall changed
    renamed: tuple[Pair, ...] = ()
    cancelled: tuple[Pair, ...] = ()
    restored: tuple[Pair, ...] = ()  # cancelled before, takes place again
    noticed: tuple[Pair, ...] = ()  # the notice on the card was set, changed or cleared
    other: tuple[Pair, ...] = ()  # speakers, description, links... changed
    sections: ItemChanges = field(default_factory=ItemChanges)
    cities: ItemChanges = field(default_factory=ItemChanges)
    faq: ItemChanges = field(default_factory=ItemChanges)
    forum: bool = False
    venues: bool = False
    speakers: bool = False
    registration: bool = False
    delegations: bool = False
    agreements: bool = False

    @property
    def unchanged(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def counts(self) -> dict[str, int]:
        """How many of each, for the audit log (a JSON object of plain numbers)."""
        out: dict[str, int] = {}
        for f in fields(self):
            value: Any = getattr(self, f.name)
            if isinstance(value, ItemChanges):
                number = value.total
            elif isinstance(value, bool):
                number = int(value)
            else:
                number = len(value)
            if number:
                out[f.name] = number
        return out


def where(session: Session) -> tuple[object, ...]:
    return (session.day, session.start, session.end, session.venue, session.hall)


# Fields whose changes are reported on their own; the rest count as "other".
OWN_FIELDS = frozenset(
    {"day", "start", "end", "start_at", "end_at", "venue", "hall", "title", "cancelled", "notice"}
)


def other_fields_differ(before: Session, after: Session) -> bool:
    return any(
        getattr(before, f.name) != getattr(after, f.name)
        for f in fields(Session)
        if f.name not in OWN_FIELDS
    )


def item_changes(old: Sequence[Any], new: Sequence[Any]) -> ItemChanges:
    before = {item.id: item for item in old}
    after = {item.id: item for item in new}
    return ItemChanges(
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        changed=tuple(i for i in after if i in before and before[i] != after[i]),
    )


def program_diff(old: Program, new: Program) -> ProgramDiff:
    moved: list[Pair] = []
    renamed: list[Pair] = []
    cancelled: list[Pair] = []
    restored: list[Pair] = []
    noticed: list[Pair] = []
    other: list[Pair] = []
    for after in new.sessions:
        before = old.session(after.id)
        if before is None:
            continue
        pair = (before, after)
        if after.cancelled and not before.cancelled:
            cancelled.append(pair)
        elif before.cancelled and not after.cancelled:
            restored.append(pair)
        if where(before) != where(after) and not (after.cancelled and before.cancelled):
            moved.append(pair)
        if before.title != after.title:
            renamed.append(pair)
        if before.notice != after.notice:
            noticed.append(pair)
        if other_fields_differ(before, after):
            other.append(pair)
    return ProgramDiff(
        added=tuple(s for s in new.sessions if old.session(s.id) is None),
        removed=tuple(s for s in old.sessions if new.session(s.id) is None),
        moved=tuple(moved),
        renamed=tuple(renamed),
        cancelled=tuple(cancelled),
        restored=tuple(restored),
        noticed=tuple(noticed),
        other=tuple(other),
        sections=item_changes(old.sections, new.sections),
        cities=item_changes(old.city_pairs, new.city_pairs),
        faq=item_changes(old.faq, new.faq),
        forum=old.forum != new.forum,
        venues=old.venues != new.venues,
        speakers=old.speakers != new.speakers,
        registration=old.registration != new.registration,
        delegations=old.delegations != new.delegations,
        agreements=old.agreements != new.agreements,
    )
