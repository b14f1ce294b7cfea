"""The agenda service on a real database: change notices per import, digest, reminders,
section subscriptions, and forgetting a person."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.i18n import create_i18n
from bot.scheduler import Scheduler
from bot.services.agenda import AgendaService
from bot.services.notify import Notifier
from bot.services.program import ProgramService
from bot.settings import SAMPLE_PROGRAM
from db import Database
from tests.schedule_helpers import changed_sample

MINSK = ZoneInfo("Europe/Minsk")


class Engine:
    """Stands in for the delivery engine: only counts wake-ups."""

    wakes = 0

    def wake(self) -> None:
        self.wakes += 1


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Database, ProgramService, AgendaService]]:
    db = await Database.open(tmp_path / "db.sqlite3")
    programs = ProgramService(db)
    await programs.load(SAMPLE_PROGRAM)
    clock = Clock()
    notifier = Notifier(db, Engine(), create_i18n("ru"), "ru")  # type: ignore[arg-type]
    service = AgendaService(db, programs, clock, notifier, Scheduler(clock))
    programs.import_hooks.append(service.on_import)
    async with db.transaction():
        for uid, lang in ((1, "en"), (2, "ru"), (3, "be")):
            await db.users.upsert_seen(uid, f"U{uid}", None, None, lang)
    try:
        yield db, programs, service
    finally:
        await db.close()


async def rows(db: Database, kind: str) -> list[tuple[int, str, dict[str, object]]]:
    sql = "SELECT user_id, dedup_key, payload FROM deliveries WHERE kind = ? ORDER BY user_id"
    async with db.connection.conn.execute(sql, (kind,)) as cur:
        return [(r[0], r[1], json.loads(r[2])) for r in await cur.fetchall()]


async def test_one_notice_per_person_per_import_and_none_for_unrelated(world) -> None:  # type: ignore[no-untyped-def]
    db, programs, _service = world
    async with db.transaction():
        for sid in ("plenary", "d2-s1", "d1-concert"):
            await db.agenda.add(1, sid)
        await db.agenda.add(2, "d1-concert")  # nothing of hers changes
        await db.agenda.add(3, "d2-s1")

    unrelated = changed_sample(unrelated=True)
    assert (await programs.import_text(unrelated, "v1.yaml")).changed
    assert await rows(db, "change") == []

    result = await programs.import_text(changed_sample(), "v2.yaml")
    assert result.changed
    notices = await rows(db, "change")
    assert [uid for uid, _k, _p in notices] == [1, 3]
    text = str(notices[0][2]["text"])
    assert "Programme changes" in text
    assert "Plenary session" in text and "cancelled" in text
    assert "14:30–17:30" in text and "15:00–18:00" in text
    assert "Змены праграмы" in str(notices[1][2]["text"])

    # The same file again changes nothing and tells nobody anything.
    assert not (await programs.import_text(changed_sample(), "v2.yaml")).changed
    assert len(await rows(db, "change")) == 2


async def test_removed_sessions_leave_agendas_after_the_notice(world) -> None:  # type: ignore[no-untyped-def]
    db, programs, _service = world
    async with db.transaction():
        await db.agenda.add(1, "d1-concert")
    text = SAMPLE_PROGRAM.read_text(encoding="utf-8")
    start = text.index("  - id: d1-concert")
    end = text.index("  - id:", start + 5)
    assert (await programs.import_text(text[:start] + text[end:], "v2.yaml")).changed
    (notice,) = await rows(db, "change")
    assert "cancelled" in str(notice[2]["text"])
    assert await db.agenda.session_ids(1) == set()


async def test_subscription_adds_sessions_and_later_ones(world) -> None:  # type: ignore[no-untyped-def]
    db, programs, _service = world
    program = programs.program
    ids = [s.id for s in program.sessions_of_section("s2-agro")]
    async with db.transaction():
        await db.agenda.add(1, "d2-s2")
        await db.agenda.subscribe(1, "s2-agro", ids)
    assert await db.agenda.session_ids(1) == set(ids)
    # The plenary joins the section with a new import: the subscriber gets it too.
    text = SAMPLE_PROGRAM.read_text(encoding="utf-8")
    text = text.replace(
        "    kind: plenary\n    title:", "    kind: plenary\n    section: s2-agro\n    title:", 1
    )
    assert (await programs.import_text(text, "v2.yaml")).changed
    assert "plenary" in await db.agenda.session_ids(1)
    async with db.transaction():
        await db.agenda.unsubscribe(1, "s2-agro")
    # The hand-saved session stays; the ones the subscription added go.
    assert await db.agenda.session_ids(1) == {"d2-s2"}


async def test_digest_of_saved_or_main_sessions_once_per_day(world) -> None:  # type: ignore[no-untyped-def]
    db, _programs, service = world
    async with db.transaction():
        await db.agenda.add(1, "d2-s6")
        await db.users.set_flag(3, "digest", False)
    early = datetime(2027, 6, 25, 7, 59, tzinfo=MINSK)
    assert await service.queue_digest(early) == 0
    eight = datetime(2027, 6, 25, 8, 0, tzinfo=MINSK)
    assert await service.queue_digest(eight) == 2
    assert await service.queue_digest(eight) == 0
    digests = await rows(db, "digest")
    assert [(uid, key) for uid, key, _p in digests] == [
        (1, "dig:2027-06-25:1"),
        (2, "dig:2027-06-25:2"),
    ]
    mine, main = str(digests[0][2]["text"]), str(digests[1][2]["text"])
    assert "Your day" in mine and "Smart city" in mine and "Plenary" not in mine
    assert "Доброе утро! Сегодня" in main and "Пленарное заседание" in main
    assert "Секция 1" not in main


async def test_reminders_respect_the_setting_and_skip_started_sessions(world) -> None:  # type: ignore[no-untyped-def]
    db, _programs, service = world
    async with db.transaction():
        await db.agenda.add(1, "plenary")
        await db.agenda.add(2, "plenary")
        await db.agenda.add(3, "plenary")
        await db.users.set_reminder_minutes(2, 5)
        await db.users.set_reminder_minutes(3, None)
    await service.queue_reminders(datetime(2027, 6, 25, 9, 44, tzinfo=MINSK))
    assert await rows(db, "reminder") == []
    await service.queue_reminders(datetime(2027, 6, 25, 9, 45, tzinfo=MINSK))
    await service.queue_reminders(datetime(2027, 6, 25, 9, 50, tzinfo=MINSK))
    await service.queue_reminders(datetime(2027, 6, 25, 9, 56, tzinfo=MINSK))
    reminders = await rows(db, "reminder")
    assert [uid for uid, _k, _p in reminders] == [1, 2]
    assert reminders[0][1] == "rem:1:plenary:2027-06-25T10:00:00+03:00"
    assert "In 15 minutes" in str(reminders[0][2]["text"])
    assert "Через 4 минуты" in str(reminders[1][2]["text"])
    # Started sessions get no reminder, even for someone who just saved them.
    async with db.transaction():
        await db.agenda.add(1, "d2-press")
    await service.queue_reminders(datetime(2027, 6, 25, 12, 31, tzinfo=MINSK))
    assert len(await rows(db, "reminder")) == 2


async def test_forget_user_deletes_agenda_and_subscriptions(world) -> None:  # type: ignore[no-untyped-def]
    db, _programs, _service = world
    async with db.transaction():
        await db.agenda.subscribe(1, "s2-agro", ["d2-s2"])
        await db.agenda.add(1, "plenary")
    data = await db.personal_data(1)
    assert {r["session_id"] for r in data["agenda"]} == {"d2-s2", "plenary"}
    assert [r["section_id"] for r in data["sections"]] == ["s2-agro"]
    async with db.transaction():
        await db.forget_user(1)
    data = await db.personal_data(1)
    assert data["agenda"] == [] and data["sections"] == []
