"""APScheduler on the bot's clock. Jobs live in memory; the database says what to schedule."""

from __future__ import annotations

import asyncio
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
        self._running: set[asyncio.Task[Any]] = set()
        self._moments: dict[str, datetime] = {}  # job id -> when on the bot's clock
        clock.jump_listeners.append(self._clock_jumped)

    def start(self) -> None:
        self.aps.start()

    async def shutdown(self, grace: float = 5.0) -> None:
        """Start no new job, let the running ones finish, then stop.

        APScheduler's own shutdown cancels running jobs mid-query (a cancelled programme
        refresh then logs a traceback while the database closes under it)."""
        if not self.aps.running:
            return
        self.aps.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
        self.aps.shutdown(wait=False)

    def _tracked(self, func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """`func` as a job whose run the shutdown can wait for."""

        async def job(*args: Any) -> Any:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                return await func(*args)
            finally:
                self._running.discard(task)  # type: ignore[arg-type]

        job.__qualname__ = getattr(func, "__qualname__", "job")
        return job

    def at(
        self, job_id: str, moment: datetime, func: Callable[..., Awaitable[Any]], *args: Any
    ) -> None:
        """Run `func(*args)` when the bot's clock shows `moment` (at once if it is past)."""
        self._moments[job_id] = moment
        self.aps.add_job(
            self._tracked(self._run_at),
            "date",
            run_date=self._real(moment),
            args=(job_id, func, *args),
            id=job_id,
            replace_existing=True,
        )

    def _real(self, moment: datetime) -> datetime:
        return max(self.clock.to_real(moment), datetime.now(moment.tzinfo))

    async def _run_at(self, job_id: str, func: Callable[..., Awaitable[Any]], *args: Any) -> None:
        self._moments.pop(job_id, None)
        await func(*args)

    def _clock_jumped(self) -> None:
        for job_id, moment in list(self._moments.items()):
            if self.aps.get_job(job_id) is None:
                self._moments.pop(job_id, None)
                continue
            self.aps.reschedule_job(job_id, trigger="date", run_date=self._real(moment))

    def every(self, job_id: str, seconds: float, func: Callable[..., Awaitable[Any]]) -> None:
        self.aps.add_job(
            self._tracked(func),
            "interval",
            seconds=seconds,
            id=job_id,
            replace_existing=True,
            coalesce=True,
        )

    def cancel(self, job_id: str) -> None:
        self._moments.pop(job_id, None)
        try:
            self.aps.remove_job(job_id)
        except JobLookupError:
            pass
