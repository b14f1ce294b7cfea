"""The diff of two programmes: each kind of change is found, and nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from bot.program.diff import program_diff
from bot.program.loader import parse_program
from bot.program.model import Program, Text
from tests.schedule_helpers import changed_sample, sample, sample_text


def with_sessions(program: Program, **changes: dict[str, object]) -> Program:
    """The program with some sessions' fields replaced (start_at/end_at kept consistent)."""
    sessions = []
    for session in program.sessions:
        fields = changes.get(session.id.replace("-", "_"))
        sessions.append(replace(session, **fields) if fields else session)
    return replace(program, sessions=tuple(sessions))


def test_the_same_programme_is_unchanged() -> None:
    diff = program_diff(sample(), sample())
    assert diff.unchanged
    assert diff.counts() == {}


def test_moves_cancellations_and_renames_from_a_changed_file() -> None:
    old = sample()
    new = parse_program(changed_sample(), "v2.yaml")
    diff = program_diff(old, new)
    assert [b.id for b, _a in diff.cancelled] == ["plenary"]
    assert [(b.start, a.start) for b, a in diff.moved] == [(time(14, 30), time(15, 0))]
    assert not diff.added and not diff.removed and not diff.renamed
    assert diff.counts() == {"moved": 1, "cancelled": 1}

    unrelated = parse_program(changed_sample(unrelated=True), "v3.yaml")
    diff = program_diff(old, unrelated)
    lunches = [s for s in old.sessions if s.title.get("en") == "Lunch"]
    assert lunches  # the helper renames every lunch of the sample
    assert {a.title.get("en") for _b, a in diff.renamed} == {"Lunch break"}
    assert len(diff.renamed) == len(lunches)
    assert not diff.moved and not diff.cancelled


def test_added_removed_restored_noticed_and_other_parts() -> None:
    old = sample()
    text = sample_text()
    start = text.index("  - id: d1-concert")
    end = text.index("  - id:", start + 5)
    without_concert = parse_program(text[:start] + text[end:], "v2.yaml")
    diff = program_diff(old, without_concert)
    assert [s.id for s in diff.removed] == ["d1-concert"]
    assert program_diff(without_concert, old).added == diff.removed

    cancelled = next(s for s in old.sessions if s.cancelled)
    key = cancelled.id.replace("-", "_")
    edited = with_sessions(
        old,
        **{key: {"cancelled": False}},
        plenary={"notice": Text({"ru": "Начало в 10:15"})},
    )
    diff = program_diff(old, edited)
    assert [a.id for _b, a in diff.restored] == [cancelled.id]
    assert [a.id for _b, a in diff.noticed] == ["plenary"]
    assert not diff.moved  # a restored session did not move

    faq = old.faq[0]
    changed_faq = replace(
        old, faq=(replace(faq, answer=Text({"ru": "Другой ответ"})), *old.faq[1:])
    )
    diff = program_diff(old, changed_faq)
    assert diff.faq.changed == (faq.id,) and diff.counts() == {"faq": 1}

    speakers = replace(old, speakers=old.speakers[1:])
    assert program_diff(old, speakers).counts() == {"speakers": 1}

    session = old.sessions[0]
    described = with_sessions(
        old, **{session.id.replace("-", "_"): {"description": Text({"ru": "Новое"})}}
    )
    assert [a.id for _b, a in program_diff(old, described).other] == [session.id]
