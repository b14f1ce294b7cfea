"""Check-in by the QR deep link and by the typed number, with every kind of number."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.registration_helpers import OPEN_CLOCK, PACE, fill_adult_form, program_with_capacity
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, running_app


async def test_organizer_checks_people_in_by_link_and_by_number(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    program = program_with_capacity(tmp_path, 1)
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK, program_file=program) as app:
        ann = fake.add_user(733000001, "Ann", language_code="en")
        bob = fake.add_user(733000002, "Bob", language_code="en")
        for user, name in ((ann, "<i>Ann</i> Lee"), (bob, "Bob Ray")):
            await fill_adult_form(user, name, f"{user.id}@example.com")
            await user.wait_text("check your answers")
            await asyncio.sleep(PACE)
            await user.press("Confirm")
            await user.wait_text("YM-")
        qr = await ann.wait_message(lambda m: m.photo_bytes is not None)
        assert qr.photo_bytes.startswith(b"\x89PNG")

        owner = fake.add_user(OWNER_ID, "Owner", language_code="en")
        await owner.send("/start ci-YM-0001")
        done = await owner.wait_text("checked in")
        assert "<i>Ann</i> Lee" in done.text  # escaped, shown as typed
        row = await app.db.registrations.by_user(ann.id)
        assert row.status == "checked_in" and row.checked_in_by == OWNER_ID

        cases = {
            "/checkin YM-0001": "already checked in",
            "/checkin ym-2": "waiting list",
            "/checkin YM-0099": "No registration",
            "/checkin <b>": "No registration",
            "/checkin": "Type the registration number",
        }
        for command, expected in cases.items():
            await asyncio.sleep(PACE)
            await owner.send(command)
            assert expected in (await owner.wait_message()).text, command
    fake.assert_no_rejections()
