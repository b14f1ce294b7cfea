"""Every organizer command and button, tried by a participant: refused, and nothing changes."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.filters import Command, CommandStart

from bot.app import App
from bot.filters import ORGANIZER_PREFIX, IsOrganizer, IsOwner, guarded_commands
from bot.keyboards.common import MenuCb
from handlers import routers
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, running_app
from tests.robustness.inputs import callback_factories, forged_callbacks
from tests.robustness.support import Probe, captured_logs

REFUSAL = "organizers only"
ACTIONS = ["ann", "sched", "team", "audit", "aud", "send", "test", "when", "cancel", "par"]
ACTIONS += ["urg", "ver", "edit", "back", "stop", "resched", "rm", "inv", "list", "answer"]
ACTIONS += ["stats", "export", "all", "youth", "ru", "open", "now", "1", ""]
# Columns a refused update may still touch: when the person was last seen.
VOLATILE = {"last_seen"}


@pytest.fixture
async def fast_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    fake.global_rate = None
    async with running_app(fake, tmp_path, send_rate=1000) as app:
        yield app


def organizer_commands() -> set[str]:
    """Every command of a router guarded by the organizer or the owner filter."""
    found: set[str] = set()
    for router in routers():
        guard = router.message._handler.filters or []
        if not any(isinstance(f.callback, IsOrganizer | IsOwner) for f in guard):
            continue
        for handler in router.message.handlers:
            for f in handler.filters or []:
                # /start deep links (invites, check-in) are open to all and tested elsewhere.
                if isinstance(f.callback, Command) and not isinstance(f.callback, CommandStart):
                    found.update(str(c) for c in f.callback.commands)
    return found


def organizer_callbacks(participant_id: int) -> list[str]:
    ints = [0, 1, 2, OWNER_ID, participant_id, 999_999]
    data = [
        packed
        for factory in callback_factories()
        if factory.__prefix__.startswith(ORGANIZER_PREFIX)
        for packed in forged_callbacks(factory, count=25, strings=ACTIONS, ints=ints)
    ]
    data += [MenuCb(action=a).pack() for a in ("admin", "adm_inbox", "adm_reg", "adm_x")]
    return data


def dump(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db_path)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")
        ]
        out = {}
        for table in tables:
            cursor = conn.execute(f"SELECT * FROM {table}")  # table names from sqlite_master
            keep = [i for i, d in enumerate(cursor.description) if d[0] not in VOLATILE]
            out[table] = sorted(
                (tuple(row[i] for i in keep) for row in cursor.fetchall()), key=repr
            )
        return out
    finally:
        conn.close()


async def test_participant_is_refused_every_organizer_command_and_button(
    fake: FakeTelegram, fast_app: App
) -> None:
    commands = organizer_commands()
    assert {"announce", "inbox", "checkin", "export", "team"} <= commands
    # The refusal knows them all, from the same handlers; the CLI's `import` is no bot command.
    assert guarded_commands() >= commands
    assert "import" not in guarded_commands()
    with captured_logs() as logs:
        probe = Probe(fake, fast_app)
        owner = fake.add_user(OWNER_ID, "Owner", language_code="en")
        await owner.send("/start")
        await owner.wait_message()
        pete = fake.add_user(860_001, "Pete", language_code="en")
        await pete.send("/start")
        menu = await pete.wait_message()
        before = dump(fast_app.settings.database_path)
        for command in sorted(commands):
            for text in (f"/{command}", f"/{command} 1 '; --", f"/{command}@forum_test_bot"):
                cursor = len(pete.chat.events)
                await probe.text(pete, "participant", text)
                replies = [m.text for kind, m in pete.chat.events[cursor:] if kind != "delete"]
                assert replies and REFUSAL in replies[0], (text, replies)
        forged = organizer_callbacks(pete.id)
        assert len(forged) >= 100
        for data in forged:
            await probe.callback(pete, "participant", data, menu.message_id)
            answer = pete._last_callback.answer if pete._last_callback else None
            assert answer is not None and REFUSAL in (answer["text"] or ""), (data, answer)
        after = dump(fast_app.settings.database_path)
        changed = {t for t in before if before[t] != after.get(t)}
        assert not changed, {t: (before[t], after.get(t)) for t in changed}
        probe.assert_clean(logs)
