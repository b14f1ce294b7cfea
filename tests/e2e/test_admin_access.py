"""Participants cannot reach any organizer command or button; owners manage the team."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.keyboards.admin import ORGANIZER_FACTORIES, AdminCb, AnnCb, AuditCb, ComposeCb, TeamCb
from bot.keyboards.common import MenuCb
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import OWNER_ID, running_app

SAMPLES = {
    AdminCb: [AdminCb(action=a) for a in ("ann", "sched", "team", "audit", "wb", "tpl")],
    ComposeCb: [ComposeCb(action=a, value="all") for a in ("aud", "send", "test", "when")],
    AnnCb: [AnnCb(id=1, action=a) for a in ("send", "stop", "cancel", "resched")],
    TeamCb: [TeamCb(action="rm", id=OWNER_ID), TeamCb(action="inv")],
    AuditCb: [AuditCb(page=0)],
}
MY_COMMANDS = ("admin", "announce", "announcements", "team", "audit")


@pytest.fixture
async def fast_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = 200
    async with running_app(fake, tmp_path, send_rate=200) as app:
        yield app


async def join(fake: FakeTelegram, user_id: int, name: str, **kw: str) -> FakeUser:
    user = fake.add_user(user_id, name, language_code="en", **kw)
    await user.send("/start")
    await user.wait_message()
    return user


async def test_participant_cannot_reach_any_organizer_command_or_button(
    fake: FakeTelegram, fast_app: App
) -> None:
    assert set(SAMPLES) == set(ORGANIZER_FACTORIES)
    pete = await join(fake, 7101, "Pete")
    for command in MY_COMMANDS:
        await pete.send(f"/{command}")
        reply = await pete.wait_message()
        assert "organizers only" in reply.text, command
    menu = pete.last_message
    assert menu is not None
    forged = [cb.pack() for samples in SAMPLES.values() for cb in samples]
    forged.append(MenuCb(action="admin").pack())
    for data in forged:
        assert len(data.encode()) <= 64
        await pete.press_data(data, menu.message_id)
        answer = await pete.wait_callback_answer()
        assert "organizers only" in answer["text"], data
    # Nothing happened: no role, no announcement, no audit entry, no invite.
    row = await fast_app.db.users.get(pete.id)
    assert row is not None and row.role == "participant"
    assert await fast_app.db.audit.count() == 0
    assert not await fast_app.db.announcements.with_status("scheduled", "queuing", "sending")
    fake.assert_no_rejections()


async def test_owner_adds_and_removes_organizers_and_reads_the_audit_log(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    anna = await join(fake, 7201, "Anna", username="anna_m")
    boris = await join(fake, 7202, "Boris")
    carl = await join(fake, 7203, "Carl")
    dora = await join(fake, 7204, "Dora")

    await owner.send("/admin")
    menu = await owner.wait_message()
    assert "Organizers" in " ".join(menu.button_texts())
    await owner.press("Organizers")
    await owner.wait_text("To add an organizer")
    await owner.send("@anna_m")
    await owner.wait_text("Anna is now an organizer")
    await owner.forward_from(boris, "hello")
    await owner.wait_text("Boris is now an organizer")
    await owner.forward_from(carl, "hidden", hidden=True)
    await owner.wait_text("privacy settings")

    # An organizer who is not an owner gets the tools but not the team or the audit log.
    await anna.send("/admin")
    tools = await anna.wait_message()
    assert "Organizers" not in " ".join(tools.button_texts())
    await anna.send("/audit")
    assert "Only the owners" in (await anna.wait_message()).text

    await owner.send("/team")
    team = await owner.wait_text("Boris")
    await owner.press("Boris", message=team)
    await owner.wait_text("Boris is no longer an organizer")
    assert (await fast_app.db.users.get(boris.id)).role == "participant"  # type: ignore[union-attr]

    await owner.press("One-time invite link", message=team)
    invite = await owner.wait_text("t.me/")
    token = invite.text.split("start=")[1].split()[0]
    await dora.send(f"/start {token}")
    await dora.wait_text("You are now an organizer")
    await carl.send(f"/start {token}")
    await carl.wait_text("expired or was already used")
    assert (await fast_app.db.users.get(carl.id)).role == "participant"  # type: ignore[union-attr]

    await owner.send("/audit")
    log = await owner.wait_text("Audit log")
    # In words, with the names looked up now (never stored in the log's details).
    for line in (
        "Olga: made Anna an organizer",
        "Olga: made Boris an organizer",
        "Olga: removed Boris from the organizers",
        "Olga: made Dora an organizer (by an invite link)",
        "Olga: created an invite link, valid until ",
    ):
        assert line in log.text, line
    assert "role.add" not in log.text
    details = [e.details for e in await fast_app.db.audit.page(0, 20)]
    assert not any(name in d for d in details for name in ("Anna", "Boris", "Dora"))
    fake.assert_no_rejections()
