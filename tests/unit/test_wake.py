"""The nudge from `forum-bot import` reaches the bot listening on the same database only."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.wake import WakeListener, send_wake


async def test_a_nudge_reaches_the_listener_of_that_database(tmp_path: Path) -> None:
    database = tmp_path / "forum.sqlite3"
    woken = asyncio.Event()
    runs = 0

    async def on_wake() -> None:
        nonlocal runs
        runs += 1
        woken.set()

    listener = WakeListener(database, on_wake)
    assert not send_wake(database)  # nobody listens yet: the bot would poll
    assert listener.start()
    try:
        assert not send_wake(tmp_path / "other.sqlite3")
        assert send_wake(database)
        await asyncio.wait_for(woken.wait(), 2)
        assert runs == 1
        # A second listener on the same database cannot take the address.
        assert not WakeListener(database, on_wake).start()
    finally:
        await listener.stop()
    assert not send_wake(database)
