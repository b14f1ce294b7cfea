"""APScheduler on the bot's clock. Jobs live in memory; the database says what to schedule."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock

logger = logging.getLogger(__name__)


class Scheduler:
    """Runs coroutines at moments of the bot's clock; a job id is scheduled at most once."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.aps = AsyncIOScheduler(timezone="UTC", job_defaults={"misfire_grace_time": None})

    def start(self) -> None:
        self.aps.start()

    def shutdown(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)

    def at(
        self, job_id: str, moment: datetime, func: Callable[..., Awaitable[Any]], *args: Any
    ) -> None:
        """Run `func(*args)` when the bot's clock shows `moment` (at once if it is past)."""
        run_date = max(self.clock.to_real(moment), datetime.now(moment.tzinfo))
        self.aps.add_job(
            func, "date", run_date=run_date, args=args, id=job_id, replace_existing=True
        )

    def every(self, job_id: str, seconds: float, func: Callable[..., Awaitable[Any]]) -> None:
        self.aps.add_job(
            func, "interval", seconds=seconds, id=job_id, replace_existing=True, coalesce=True
        )

    def cancel(self, job_id: str) -> None:
        try:
            self.aps.remove_job(job_id)
        except JobLookupError:
            pass
