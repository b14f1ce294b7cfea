"""Shared steps of the registration tests: a program variant, filling the form, the database."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from bot.keyboards.registration import RegCb
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


def step_of(message: FakeMessage) -> str | None:
    """The form's step a bot message asks (from its buttons' callback data), if any."""
    for row in message.buttons():
        for button in row:
            data = button.get("callback_data", "")
            if data.startswith(RegCb.__prefix__ + ":"):
                return RegCb.unpack(data).step
            if button.get("request_contact"):
                return "phone"
    return None


async def at_step(user: FakeUser, wanted: str, timeout: float = 10) -> FakeMessage:
    """The next question of the form for `wanted` (or the summary), in any language."""
    return await user.wait_message(lambda m: step_of(m) == wanted, timeout)


Answer = str | tuple[str, ...] | tuple[str, int]


async def answer_form(user: FakeUser, script: list[tuple[str, Answer]]) -> FakeMessage:
    """Answer the form's questions in order: a text, ("press", label), ("pick", index of the
    option), ("contact",) or ("contact", number); returns the last question's message."""
    message: FakeMessage | None = None
    for wanted, answer in script:
        message = await at_step(user, wanted)
        await asyncio.sleep(PACE)
        if isinstance(answer, str):
            await user.send(answer)
        elif answer[0] == "press":
            await user.press(answer[1], message=message)
        elif answer[0] == "pick":
            data = RegCb(action="pick", step=wanted, value=str(answer[1])).pack()
            await user.press_data(data, message.message_id)
        elif answer[0] == "contact":
            await user.share_contact(answer[1] if len(answer) > 1 else None)
    assert message is not None
    return message


def adult_script(name: str, email: str, **changes: Answer) -> list[tuple[str, Answer]]:
    """An English-speaking adult from Russia, question by question (steps can be changed)."""
    script: dict[str, Answer] = {
        "name": name,
        "birth": "2000-01-15",
        "country": ("press", "Russia"),
        "region": ("press", "Smolensk Oblast"),
        "city": "Smolensk",
        "org": "SmolGU",
        "pos": "student",
        "phone": ("contact",),
        "email": email,
        "x.section": ("press", "Industry"),
        "x.accommodation": ("press", "No"),
        "x.experience": ("press", "Skip"),
        "consent": ("press", "I agree"),
    }
    script.update(changes)
    return list(script.items())


def minor_script(name: str, guardian: str, guardian_phone: str) -> list[tuple[str, Answer]]:
    return [
        *adult_script(name, "minor@example.org", birth="05.03.2011"),
        ("gname", guardian),
        ("gphone", guardian_phone),
    ]


async def register(user: FakeUser, script: list[tuple[str, Answer]]) -> FakeMessage:
    """/register, every answer, Confirm; returns the first message after Confirm."""
    await user.send("/register")
    await answer_form(user, script)
    summary = await at_step(user, "summary")
    await asyncio.sleep(PACE)
    await user.press_data(RegCb(action="confirm", step="summary").pack(), summary.message_id)
    return await user.wait_message(lambda m: step_of(m) is None and m.text != "👌")


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
