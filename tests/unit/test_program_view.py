"""Texts of the programme tools stay within Telegram's limits however big the change."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.i18n import create_i18n, in_locale
from bot.program.diff import program_diff
from bot.program.loader import ProgramError, parse_program
from bot.services.program_ops import Preview
from bot.services.program_view import errors_text, preview_text
from tests.schedule_helpers import crowded_day_text

I18N = create_i18n("ru")


@pytest.fixture
def en():  # type: ignore[no-untyped-def]
    with in_locale(I18N, "en"):
        yield "en"


def test_thousands_of_errors_fit_in_a_few_messages(en: str) -> None:
    errors = [
        ProgramError("p.yaml", n, f"sessions[{n}].titel", "unknown field {key}", {"key": "x" * 900})
        for n in range(3000)
    ]
    messages = errors_text("p.yaml", errors)
    assert 1 < len(messages) <= 10
    assert all(len(m) <= 4096 for m in messages)
    assert "3000 problems" in messages[0] and messages[-1].endswith("…and 2940 more")


def test_a_preview_of_every_session_moved_fits_and_keeps_the_count(en: str) -> None:
    old = parse_program(crowded_day_text(60), "crowded.yaml")
    new = replace(
        old,
        sessions=tuple(
            replace(
                s,
                start_at=s.start_at + timedelta(hours=1),
                end_at=s.end_at + timedelta(hours=1),
                start=(s.start_at + timedelta(hours=1)).time(),
                end=(s.end_at + timedelta(hours=1)).time(),
            )
            for s in old.sessions
            if s.end_at.hour < 22
        ),
    )
    diff = program_diff(old, new)
    text = preview_text(Preview("big.yaml", 1, old, new, diff, 1234), "en")
    assert len(text) <= 4096
    assert f"{len(diff.moved)} sessions moved" in text
    assert "\n…and 92 more\n\n" in text
    assert text.endswith("<b>1234 people</b> will get one notice each.")
