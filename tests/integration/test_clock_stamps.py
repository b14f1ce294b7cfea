"""Every time the bot stores follows its clock (CLOCK_START), not the machine's: a demo held
during registration shows registration-time stamps, and tests can move time."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.registration_helpers import OPEN_CLOCK, fill_adult_form, rows
from tests.fakeapi import FakeTelegram
from tests.harness import running_app


async def test_consent_and_question_stamps_follow_the_clock(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK) as app:
        db_path = app.settings.database_path
        anna = fake.add_user(7301, "Anna", language_code="en", phone="+375291234567")
        await fill_adult_form(anna, "Anna Clockova", "anna@example.com")
        await anna.wait_text("Please check your answers")
        await anna.press("Confirm")
        await anna.wait_text("is confirmed")
        await anna.send("xyzzy plugh frobozz")
        await anna.wait_text("I did not find an answer")
        await anna.press("Send to the organizers")
        await anna.wait_text("has been sent to the organizers")
    day = OPEN_CLOCK[:10] + "T"  # the clock runs on from 10:00 for a few seconds
    (registration,) = rows(db_path, "SELECT * FROM registrations WHERE user_id = 7301")
    assert registration["consent_at"].startswith(day), registration
    assert registration["created_at"].startswith(day), registration
    (question,) = rows(db_path, "SELECT asked_at FROM questions WHERE user_id = 7301")
    assert question["asked_at"].startswith(day), question
    (user,) = rows(db_path, "SELECT first_seen, last_seen FROM users WHERE id = 7301")
    assert user["first_seen"].startswith(day) and user["last_seen"].startswith(day), user
    fake.assert_no_rejections()
