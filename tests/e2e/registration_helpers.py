"""Shared steps of the registration tests: a program variant, filling the form, the database."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from bot.settings import SAMPLE_PROGRAM
from tests.fakeapi import FakeUser
from tests.fakeapi.models import FakeMessage

# Registration is open from 2027-05-01 to 2027-06-20 in the sample program.
OPEN_CLOCK = "2027-06-01T10:00"


def program_with_capacity(tmp_path: Path, capacity: int) -> Path:
    source = SAMPLE_PROGRAM.read_text(encoding="utf-8")
    assert "  capacity: 120\n" in source
    path = tmp_path / "forum.yaml"
    path.write_text(source.replace("  capacity: 120\n", f"  capacity: {capacity}\n"), "utf-8")
    return path


# A person answers at most a few times a second; the fake server limits the bot to 30 sends/s.
PACE = 0.12


async def step(
    user: FakeUser, expect: str, answer: str | None = None, press: str | None = None
) -> FakeMessage:
    """Wait for a question containing `expect`, then answer it by text or by a button."""
    message = await user.wait_text(expect)
    await asyncio.sleep(PACE)
    if answer is not None:
        await user.send(answer)
    elif press is not None:
        await user.press(press)
    return message


async def fill_adult_form(user: FakeUser, name: str, email: str, *, consent: bool = True) -> None:
    """An English-speaking adult from Russia answers every question, then sees the summary."""
    await user.send("/register")
    await step(user, "full name", name)
    await step(user, "date of birth", "2000-01-15")
    await step(user, "Your country", press="Russia")
    await step(user, "Your region", press="Smolensk Oblast")
    await step(user, "Your city", "Smolensk")
    await step(user, "organization", "SmolGU")
    await step(user, "position", "student")
    await user.wait_text("phone number")
    await user.share_contact()
    await step(user, "e-mail", email)
    await step(user, "section", press="Industry")
    await step(user, "accommodation", press="No")
    await step(user, "experience", press="Skip")
    await step(user, "Consent to the processing", press="I agree" if consent else "I do not agree")


def rows(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()
