"""The one engine that sends every announcement, reminder and notice, at Telegram's pace.

The `deliveries` table is the source of truth: rows are claimed, sent and marked one by one,
so a crash loses nothing and repeats at most the sends that were in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup, Message

from bot.clock import Clock
from db import Database
from db.deliveries import Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
IDLE_WAIT = 5.0  # seconds between looks at the queue when nothing is due
# Called after each finished delivery, e.g. to update a broadcast's progress message.
FinishHook = Callable[[Delivery, str], Awaitable[None]]


class RateLimiter:
    """Spaces sends evenly at `rate` per second; a 429 pauses every sender, not just one."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def set_rate(self, rate: float) -> None:
        self.interval = 1.0 / rate

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next, self._paused_until)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class DeliveryEngine:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        clock: Clock,
        rate: float,
        per_chat_interval: float = 1.0,
        concurrency: int = 64,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.limiter = RateLimiter(rate)
        self.per_chat_interval = per_chat_interval
        self.finish_hooks: list[FinishHook] = []
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._last_to_chat: dict[int, float] = {}
        self._stopping = False

    def wake(self) -> None:
        """Something was queued: look at the queue now rather than at the next tick."""
        self._wake.set()

    async def start(self) -> None:
        async with self.db.transaction():
            released = await self.db.deliveries.release_in_flight()
        if released:
            logger.warning("%d deliveries were in flight at the last stop; sending again", released)
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="delivery-engine")

    async def stop(self) -> None:
        """Stop claiming; let the sends in flight finish so their rows are marked."""
        self._stopping = True
        self._wake.set()
        if self._task:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                claimed = await self._claim()
            except Exception:
                logger.exception("Could not read the delivery queue")
                claimed = []
            if not claimed:
                await self._idle()
                continue
            for delivery in claimed:
                await self._slots.acquire()
                task = asyncio.create_task(self._deliver(delivery))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)

    async def _claim(self) -> list[Delivery]:
        # Claim no more than can be sent within about a second, so a stop leaves little in flight.
        limit = max(1, min(self._concurrency, round(1 / self.limiter.interval)))
        async with self.db.transaction():
            return await self.db.deliveries.claim_due(self.clock.now(), limit)

    async def _idle(self) -> None:
        self._wake.clear()
        timeout = IDLE_WAIT
        next_due = await self.db.deliveries.next_due()
        if next_due is not None:
            timeout = min(timeout, max(0.05, (next_due - self.clock.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            await self._chat_pace(delivery.user_id)
            await self.limiter.acquire()
            outcome = await self._attempt(delivery)
        except Exception:
            logger.exception("Delivery %s failed unexpectedly", delivery.id)
            outcome = "failed"
            async with self.db.transaction():
                await self.db.deliveries.mark_failed(delivery.id, "internal error")
        finally:
            self._slots.release()
        for hook in self.finish_hooks:
            try:
                await hook(delivery, outcome)
            except Exception:
                logger.exception("A delivery hook failed")

    async def _chat_pace(self, chat_id: int) -> None:
        last = self._last_to_chat.get(chat_id)
        now = time.monotonic()
        self._last_to_chat[chat_id] = max(now, (last or 0) + self.per_chat_interval)
        if last is not None and now - last < self.per_chat_interval:
            await asyncio.sleep(self.per_chat_interval - (now - last))

    async def _attempt(self, delivery: Delivery) -> str:
        """Send once and record the outcome; returns sent, blocked, failed or retry."""
        repo = self.db.deliveries
        try:
            message = await send_payload(self.bot, delivery.user_id, delivery.payload)
        except TelegramRetryAfter as exc:
            self.limiter.pause(exc.retry_after)
            await self._retry(delivery, exc.retry_after, f"429 retry after {exc.retry_after}")
            return "retry"
        except TelegramForbiddenError as exc:
            async with self.db.transaction():
                await repo.mark_blocked(delivery.id)
                await self.db.users.mark_blocked(delivery.user_id)
            logger.info("User %s blocked the bot: %s", delivery.user_id, exc.message)
            return "blocked"
        except TelegramBadRequest as exc:
            async with self.db.transaction():
                await repo.mark_failed(delivery.id, exc.message)
            logger.warning("Delivery %s to %s refused: %s", delivery.id, delivery.user_id, exc)
            return "failed"
        except (TelegramServerError, TelegramNetworkError, TelegramAPIError) as exc:
            if delivery.attempts >= MAX_ATTEMPTS:
                async with self.db.transaction():
                    await repo.mark_failed(delivery.id, str(exc))
                return "failed"
            await self._retry(delivery, min(60.0, 2.0**delivery.attempts), str(exc))
            return "retry"
        async with self.db.transaction():
            await repo.mark_sent(delivery.id, message.message_id if message else None)
        return "sent"

    async def _retry(self, delivery: Delivery, after: float, reason: str) -> None:
        when = self.clock.now() + timedelta(seconds=after)
        async with self.db.transaction():
            await self.db.deliveries.retry_later(delivery.id, when, reason)
        self.wake()


async def send_payload(bot: Bot, chat_id: int, payload: dict[str, Any]) -> Message | None:
    """Send one queued message. Payloads are plain JSON so that the queue outlives the process.

    kinds: text {text}, photo {file_id, caption}, document {file_id, caption},
    copy {from_chat_id, message_id}; any kind may carry reply_markup (inline keyboard JSON),
    disable_notification and allow_paid_broadcast.
    """
    markup = payload.get("reply_markup")
    common: dict[str, Any] = {
        "reply_markup": InlineKeyboardMarkup.model_validate(markup) if markup else None,
        "disable_notification": payload.get("disable_notification"),
    }
    if payload.get("allow_paid_broadcast"):
        common["allow_paid_broadcast"] = True
    kind = payload.get("kind", "text")
    if kind == "text":
        return await bot.send_message(chat_id, payload["text"], link_preview_options=None, **common)
    if kind == "photo":
        return await bot.send_photo(
            chat_id, payload["file_id"], caption=payload.get("caption"), **common
        )
    if kind == "document":
        return await bot.send_document(
            chat_id, payload["file_id"], caption=payload.get("caption"), **common
        )
    if kind == "copy":
        result = await bot.copy_message(
            chat_id, payload["from_chat_id"], payload["message_id"], **common
        )
        return None if result is None else Message.model_construct(message_id=result.message_id)
    raise ValueError(f"unknown payload kind {kind!r}")
