"""A minor's registration is complete only when a parent or guardian consents in their own
Telegram account, through a one-time link the minor forwards; reminders on the bot's clock;
organizers may record a paper consent."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

from tests.e2e.registration_helpers import (
    OPEN_CLOCK,
    PACE,
    answer_form,
    at_step,
    minor_script,
    program_with_capacity,
    register,
)
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import OWNER_ID, running_app

LINK = re.compile(r"https://t\.me/\w+\?start=(g-[A-Za-z0-9_-]+)")


async def register_minor(user: FakeUser, name: str) -> str:
    """A minor fills in the form; returns the start payload of the link for the guardian."""
    first = await register(user, minor_script(name, "Maria Guardian", "+79123456789"))
    assert "Almost done" in first.text
    forward = await user.wait_text("needs the consent of a parent")
    match = LINK.search(forward.text)
    assert match, forward.text
    # The share button opens Telegram's "send to…" with the same link.
    [[share]] = forward.buttons()
    assert share["url"].startswith("https://t.me/share/url?") and "start%3Dg-" in share["url"]
    return match.group(1)


async def test_the_guardian_consents_in_their_own_account_and_language(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK) as app:
        kid = fake.add_user(741000001, "Kid", language_code="en")
        payload = await register_minor(kid, "Nina Young")
        row = await app.db.registrations.by_user(kid.id)
        assert row is not None and row.status == "guardian" and row.guardian_token
        assert row.guardian_consent_at is None

        # Organizers see the registration as waiting for the guardian, holding no place.
        owner = fake.add_user(OWNER_ID, "Owner", language_code="en")
        await owner.send("/stats")
        stats = await owner.wait_text("Youth meeting registrations")
        assert "Waiting for a guardian: 1" in stats.text and "Confirmed: 0" in stats.text

        # The minor cannot consent for the guardian by opening the link themself.
        await asyncio.sleep(PACE)
        await kid.send(f"/start {payload}")
        await kid.wait_text("This link is for your parent or guardian")

        mother = fake.add_user(741000002, "Мама", language_code="be")
        await mother.send(f"/start {payload}")
        screen = await mother.wait_text("Згода аднаго з бацькоў")
        assert "Nina Young" in screen.text and "Maria Guardian" in screen.text
        assert "5 сакавіка 2011" in screen.text
        assert "Я, бацька (законны прадстаўнік), даю згоду" in screen.text  # the program's text
        await asyncio.sleep(PACE)
        await mother.press("Даю згоду")
        await mother.wait_text("Дзякуй! Вашу згоду запісана")

        done = await kid.wait_text("has given their consent")
        assert "confirmed" in done.text and row.number in done.text
        row = await app.db.registrations.by_user(kid.id)
        assert row is not None and row.status == "registered"
        assert (row.guardian_consent_kind, row.guardian_consent_by) == ("telegram", mother.id)
        assert row.guardian_consent_at and row.guardian_token is None

        # The link works once.
        await asyncio.sleep(PACE)
        await mother.send(f"/start {payload}")
        await mother.wait_text("Гэтая спасылка больш не дзейнічае")
        await asyncio.sleep(PACE)
        await kid.send("/register")
        card = await kid.wait_text("Your registration")
        assert "Registration status: confirmed" in card.text
    fake.assert_no_rejections()


async def test_a_refusal_cancels_and_a_day_of_silence_brings_a_reminder(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK) as app:
        kid = fake.add_user(742000001, "Kid", language_code="en")
        payload = await register_minor(kid, "Oleg Young")
        row = await app.db.registrations.by_user(kid.id)
        assert row is not None

        # Nothing for 23 hours, then a reminder with the link once a day has passed.
        app.clock.advance(timedelta(hours=23))
        await kid.expect_silence(0.3)
        app.clock.advance(timedelta(hours=2))
        reminder = await kid.wait_text("has not confirmed yet")
        assert payload in reminder.text
        app.clock.advance(timedelta(days=1))
        await kid.wait_text("has not confirmed yet")
        again = await app.db.registrations.by_user(kid.id)
        assert again is not None and again.guardian_reminders == 2

        father = fake.add_user(742000002, "Папа", language_code="ru")
        await father.send(f"/start {payload}")
        await father.wait_text("Согласие родителя или законного представителя")
        await asyncio.sleep(PACE)
        await father.press("Не даю согласия")
        await father.wait_text("без вашего согласия регистрация")
        await kid.wait_text("did not give their consent")
        cancelled = await app.db.registrations.by_user(kid.id)
        assert cancelled is not None and cancelled.status == "cancelled"
        # No more reminders for a cancelled registration.
        app.clock.advance(timedelta(days=2))
        await kid.expect_silence(0.3)
    fake.assert_no_rejections()


async def test_organizers_record_a_paper_consent_by_number(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    program = program_with_capacity(tmp_path, 1)
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK, program_file=program) as app:
        kid = fake.add_user(743000001, "Kid", language_code="en")
        await register_minor(kid, "Pavel Young")
        row = await app.db.registrations.by_user(kid.id)
        assert row is not None

        owner = fake.add_user(OWNER_ID, "Owner", language_code="en")
        await owner.send(f"/checkin {row.number}")
        refused = await owner.wait_text("waits for the consent of a parent")
        assert f"/consent {row.number}" in refused.text
        await asyncio.sleep(PACE)
        await owner.send(f"/consent {row.number.lower()}")
        recorded = await owner.wait_text("Paper consent recorded")
        assert "Registration status: confirmed" in recorded.text
        await kid.wait_text("has given their consent")
        row = await app.db.registrations.by_user(kid.id)
        assert row is not None and row.status == "registered"
        assert (row.guardian_consent_kind, row.guardian_consent_by) == ("paper", OWNER_ID)
        await asyncio.sleep(PACE)
        await owner.send(f"/consent {row.number}")
        await owner.wait_text("already has the guardian's consent (on paper)")

        # The audit log says it in words.
        await asyncio.sleep(PACE)
        await owner.send("/audit")
        log = await owner.wait_text("Audit log")
        assert f"recorded a parent's paper consent for {row.number}" in log.text

        participant = fake.add_user(743000002, "Eve", language_code="en")
        await participant.send(f"/consent {row.number}")
        await participant.wait_text("organizers only")
    fake.assert_no_rejections()


async def test_a_changed_date_of_birth_moves_between_the_branches(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK) as app:
        kid = fake.add_user(744000001, "Kid", language_code="en")
        await register_minor(kid, "Rita Young")

        async def change_birth(birth: str, *then: tuple[str, str]) -> None:
            await asyncio.sleep(PACE)
            await kid.send("/register")
            await kid.wait_text("Your registration")
            await kid.press("Change my answers")
            summary = await at_step(kid, "summary")
            await kid.press("Date of birth", message=summary)
            await answer_form(kid, [("birth", birth), *then])
            summary = await at_step(kid, "summary")
            await asyncio.sleep(PACE)
            await kid.press("Confirm", message=summary)
            await kid.wait_text("Your changes are saved")

        # A typo: she is an adult after all; no guardian to wait for, a place at once.
        await change_birth("05.03.2001")
        row = await app.db.registrations.by_user(kid.id)
        assert row is not None and row.status == "registered" and row.guardian_token is None
        # And back: a minor without a guardian's consent waits for it again, the place freed.
        await change_birth("05.03.2011", ("gname", "Maria Guardian"), ("gphone", "+79123456789"))
        await kid.wait_text("needs the consent of a parent")
        row = await app.db.registrations.by_user(kid.id)
        assert row is not None and row.status == "guardian" and row.guardian_token
    fake.assert_no_rejections()
