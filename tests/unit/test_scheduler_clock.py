"""Jobs scheduled on the bot's clock move with it: advancing the clock runs what fell due."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.scheduler import Scheduler


async def test_advancing_the_clock_runs_what_fell_due_and_nothing_else() -> None:
    clock = Clock(datetime(2027, 6, 1, 10, 0, tzinfo=UTC))
    scheduler = Scheduler(clock)
    scheduler.start()
    ran: list[str] = []
    done = asyncio.Event()

    async def job(name: str) -> None:
        ran.append(name)
        done.set()

    try:
        start = clock.now()
        scheduler.at("soon", start + timedelta(hours=24), job, "soon")
        scheduler.at("later", start + timedelta(days=3), job, "later")
        scheduler.at("cancelled", start + timedelta(hours=1), job, "cancelled")
        scheduler.cancel("cancelled")
        await asyncio.sleep(0.05)
        assert ran == []
        clock.advance(timedelta(hours=25))
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.sleep(0.05)
        assert ran == ["soon"]
        assert [job.id for job in scheduler.aps.get_jobs()] == ["later"]
    finally:
        await scheduler.shutdown()
