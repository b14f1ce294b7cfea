"""Live edits from a session or section card: each applies at once to the card, the day page,
the calendar file and the people who saved it (one notice each, within 2 s); Undo restores;
participants cannot edit, forged buttons included."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.app import App
from bot.keyboards.program import EditCb, UndoCb
from tests.fakeapi import FakeTelegram, FakeUser
from tests.fakeapi.models import FakeMessage
from tests.harness import OWNER_ID, running_app
from tests.integration.test_program_upload import (
    join,
    join_organizer,
    notices,
    save,
    subscribe,
)
from tests.schedule_helpers import sample

MINSK = ZoneInfo("Europe/Minsk")
NOTICE = "Programme changes"


@pytest.fixture
async def fast_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = None
    async with running_app(fake, tmp_path, send_rate=1000) as app:
        yield app


def dump(app: App) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(app.settings.database_path) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("programs", "program_edits", "audit_log", "agenda", "deliveries")
        }


async def open_card(user: FakeUser, session_id: str) -> FakeMessage:
    await user.send(f"/start s-{session_id}")
    return await user.wait_message()


async def press(user: FakeUser, text: str, message: FakeMessage) -> FakeMessage:
    """Press a button and return the next bot message or edit."""
    await user.press(text, message=message)
    return await user.wait_message()


async def test_delay_from_the_card_notifies_once_shows_everywhere_and_undo_restores(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    ann = await join(fake, 7401, "Ann")
    await save(ann, "plenary")

    card = await open_card(owner, "plenary")
    assert "✏️ Edit" in card.button_texts()
    menu = await press(owner, "✏️ Edit", card)
    assert "What changes?" in menu.text
    assert menu.message_id != card.message_id  # the dialogue is a message of its own
    delay = await press(owner, "Delay", menu)
    assert "+15 min" in delay.button_texts()
    back = await press(owner, "Back", delay)
    assert "What changes?" in back.text
    delay = await press(owner, "Delay", back)
    assert delay.message_id == back.message_id == menu.message_id  # its steps replace it
    scope = await press(owner, "+15 min", delay)
    # Section 7 and the gala follow in the main hall that day.
    assert "and the 2 later sessions in Main Hall that day too?" in scope.text
    await owner.press("Only this session", message=scope)
    pressed = owner._last_callback
    assert pressed is not None
    done = await owner.wait_text("now takes place")
    assert "Fri 25 June, 10:15–12:45, Main Hall" in done.text
    assert "1 person is being told" in done.text
    assert done.button_texts() == ["↩️ Undo", "Open the card"]

    notice = await ann.wait_text(NOTICE, timeout=5)
    assert notice.received_at - pressed.created <= 2.0
    assert "10:00–12:30" in notice.text and "10:15–12:45" in notice.text
    await ann.expect_silence(0.3)
    assert len(notices(ann)) == 1

    # The card, the day page and the calendar file all show the new time.
    fresh = await press(owner, "Open the card", done)
    assert "10:15–12:45" in fresh.text
    await ann.send("/schedule")
    days = await ann.wait_message()
    day = await press(ann, "Fri 25 June", days)
    assert "10:15–12:45 Plenary session" in day.text
    card = await open_card(ann, "plenary")
    assert "✏️ Edit" not in card.button_texts()  # participants do not see it
    await ann.press("Add to calendar", message=card)
    ics = await ann.wait_message(lambda m: m.document is not None)
    (event,) = Calendar.from_ical(ics.document_bytes).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2027, 6, 25, 10, 15, tzinfo=MINSK)

    # Undo from the confirmation: the programme is the sample again, Ann hears once more.
    await owner.press("↩️ Undo", message=done)
    undone = await owner.wait_text("Undone")
    assert "10:00–12:30" in undone.text
    back = await ann.wait_text(NOTICE)
    assert "10:15–12:45" in back.text and "10:00–12:30" in back.text
    assert fast_app.programs.program == sample()
    # The same Undo again is refused: it was undone already.
    await owner.press("↩️ Undo", message=done)
    answer = await owner.wait_callback_answer()
    assert "cannot be undone" in answer["text"]
    assert fast_app.programs.program == sample()
    fake.assert_no_rejections()


async def test_notice_cancel_restore_and_a_clash(fake: FakeTelegram, fast_app: App) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    ann = await join(fake, 7411, "Ann")
    await save(ann, "d1-press")

    card = await open_card(owner, "d1-press")
    menu = await press(owner, "✏️ Edit", card)
    prompt = await press(owner, "Notice on the card", menu)
    assert "Send a short notice" in prompt.text
    await owner.send("Moved to the <small> hall")
    done = await owner.wait_text("notice of")
    notice = await ann.wait_text(NOTICE)
    assert "📢 Moved to the <small> hall" in notice.text  # escaped HTML arrives as text
    card = await open_card(ann, "d1-press")
    assert "📢 Moved to the <small> hall" in card.text

    menu = await press(owner, "✏️ Edit", await open_card(owner, "d1-press"))
    confirm = await press(owner, "Cancel the session", menu)
    assert "Whoever saved it will be told" in confirm.text
    done = await press(owner, "Yes, cancel it", confirm)
    assert "is cancelled" in done.text
    cancelled = await ann.wait_text(NOTICE)
    assert "cancelled" in cancelled.text

    menu = await press(owner, "✏️ Edit", await open_card(owner, "d1-press"))
    assert "✅ Restore the session" in menu.button_texts()
    restored = await press(owner, "Restore the session", menu)
    assert "takes place again" in restored.text
    assert "takes place" in (await ann.wait_text(NOTICE)).text

    # Moving into a hall that is taken is refused with the reason; nothing changes.
    version = fast_app.programs.version
    menu = await press(owner, "✏️ Edit", await open_card(owner, "d2-s4"))
    halls = await press(owner, "Another hall", menu)
    await owner.press("Main Hall", message=halls)
    answer = await owner.wait_callback_answer()
    assert "Main Hall is taken at that time by" in answer["text"]
    assert fast_app.programs.version == version

    # A typed time that is not a time is asked again; a command leaves the dialogue.
    menu = await press(owner, "✏️ Edit", await open_card(owner, "d1-press"))
    days = await press(owner, "Another time", menu)
    await press(owner, "Sat 26 June", days)
    await owner.send("noon")
    assert "like 14:30" in (await owner.wait_message()).text
    await owner.send("9:00")
    moved = await owner.wait_text("now takes place")
    assert "Sat 26 June, 09:00–09:30" in moved.text
    fake.assert_no_rejections()


async def test_a_section_moves_to_another_hall_with_its_sessions(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    oleg = await join_organizer(fake, fast_app, 7421, "Oleg")
    sub = await join(fake, 7422, "Sub")
    await subscribe(sub, "s2-agro")

    await oleg.send("/start x-s2-agro")
    card = await oleg.wait_message()
    halls = await press(oleg, "Move to another hall", card)
    assert "to which hall do all its sessions move?" in halls.text
    await oleg.press("Meeting Room", message=halls)
    done = await oleg.wait_text("now meet in Meeting Room")
    assert "1 person is being told" in done.text
    told = await sub.wait_text(NOTICE)
    assert told.text.count("Meeting Room") == 1  # one session of section 2 has a hall
    await sub.expect_silence(0.3)
    program = fast_app.programs.program
    assert program.section("s2-agro").hall == "meeting"  # type: ignore[union-attr]
    assert program.session("d2-s2").hall == "meeting"  # type: ignore[union-attr]

    # Undo from the audit log (owners).
    await owner.send("/audit")
    log = await owner.wait_text("Audit log")
    assert "edited the programme live (#1): s2-agro" in log.text
    await owner.press("Undo edit #", message=log)
    await owner.wait_text("Undone")
    assert fast_app.programs.program == sample()
    fake.assert_no_rejections()


async def test_participants_cannot_edit_even_with_forged_buttons(
    fake: FakeTelegram, fast_app: App
) -> None:
    owner = await join(fake, OWNER_ID, "Olga")
    card = await open_card(owner, "plenary")
    menu = await press(owner, "✏️ Edit", card)
    delay = await press(owner, "Delay", menu)
    pete = await join(fake, 7431, "Pete")
    await save(pete, "plenary")
    before = dump(fast_app)
    mine = await open_card(pete, "plenary")
    forged = [
        EditCb(k="s", id="plenary", a="menu"),
        EditCb(k="s", id="plenary", a="ds", v="15.1"),
        EditCb(k="s", id="plenary", a="cxy"),
        EditCb(k="x", id="s2-agro", a="h", v="0.0000"),
        UndoCb(id=1),
    ]
    for data in forged:
        await pete.press_data(data.pack(), mine.message_id)
        assert "organizers only" in (await pete.wait_callback_answer())["text"]
    # The organizer's own delay buttons, pressed by the participant on his chat.
    for button in delay.buttons()[0]:
        await pete.press_data(button["callback_data"], mine.message_id)
        assert "organizers only" in (await pete.wait_callback_answer())["text"]
    await pete.send("14:30")  # not an answer to anything: a question to the bot
    await pete.wait_message()
    after = dump(fast_app)
    for table in ("programs", "program_edits", "audit_log", "agenda"):
        assert after[table] == before[table], table
    assert len(after["deliveries"]) == len(before["deliveries"])
    fake.assert_no_rejections()
