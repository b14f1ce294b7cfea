"""The one engine that sends every announcement, reminder and notice, at Telegram's pace.

The `deliveries` table is the source of truth: rows are claimed in small batches, sent and
marked one by one, so a crash loses nothing and repeats at most the sends that were in flight
(a row is marked `sent` in its own short transaction as soon as Telegram answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
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
from bot.retry import retry_requests
from db import Database
from db.deliveries import Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
MAX_BACKOFF = 60.0
IDLE_WAIT = 5.0  # seconds between looks at the queue when nothing is due
# The per-chat pacing table is pruned when it grows past this many chats.
CHAT_TABLE_LIMIT = 20_000


class RateLimiter:
    """Spaces sends evenly at `rate` per second; a 429 pauses every sender, not just one."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    @property
    def rate(self) -> float:
        return 1.0 / self.interval

    def pause(self, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._paused_until = max(self._paused_until, until)
        # Slots already handed out before the 429 are pushed behind the pause too.
        self._next = max(self._next, until)

    async def acquire(self) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                start = max(now, self._next, self._paused_until)
                self._next = start + self.interval
            if start > now:
                await asyncio.sleep(start - now)
            # A 429 that arrived while this sender slept moves it behind the pause.
            if self._paused_until <= time.monotonic() + 1e-3:
                return


class DeliveryEngine:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        clock: Clock,
        rate: float,
        per_chat_interval: float = 1.0,
        concurrency: int = 64,
        paid: bool = False,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.limiter = RateLimiter(rate)
        self.per_chat_interval = per_chat_interval
        self.paid = paid
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        # Tasks still waiting for their turn (not yet talking to Telegram), by delivery id.
        self._waiting: dict[int, asyncio.Task[None]] = {}
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
        """Stop claiming; sends under way finish and are marked, waiting ones are given back."""
        self._stopping = True
        self._wake.set()
        self._room.set()
        if self._task:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        waiting = list(self._waiting.items())
        for _, task in waiting:
            task.cancel()
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        if waiting:
            async with self.db.transaction():
                await self.db.deliveries.release([delivery_id for delivery_id, _ in waiting])
            logger.info("%d claimed deliveries given back to the queue", len(waiting))

    def _window(self) -> int:
        """How many rows may be claimed at once: about half a second of sending.

        Few rows then wait in 'sending' (a Stop or a crash leaves little in flight), and the
        next claim happens while these are still being sent, so the pace never stalls.
        """
        return max(2, min(self._concurrency, math.ceil(self.limiter.rate / 2)))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._room.set()

    async def _run(self) -> None:
        # The queue retries failed sends itself; the session must not retry them again.
        retry_requests.set(False)
        while not self._stopping:
            # Claim again once half the window is sent.
            while len(self._in_flight) > self._window() // 2 and not self._stopping:
                self._room.clear()
                await self._room.wait()
            if self._stopping:
                break
            # Cleared before looking at the queue, not after: a row queued (and a wake-up
            # rung) while the claim runs is then seen at once instead of after IDLE_WAIT.
            self._wake.clear()
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
                task.add_done_callback(self._done)

    async def _claim(self) -> list[Delivery]:
        limit = max(1, self._window() - len(self._in_flight))
        async with self.db.transaction():
            return await self.db.deliveries.claim_due(self.clock.now(), limit)

    async def _idle(self) -> None:
        timeout = IDLE_WAIT
        next_due = await self.db.deliveries.next_due()
        if next_due is not None:
            timeout = min(timeout, max(0.05, (next_due - self.clock.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _deliver(self, delivery: Delivery) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._waiting[delivery.id] = task
        try:
            try:
                await self._chat_pace(delivery.user_id)
                await self.limiter.acquire()
            finally:
                self._waiting.pop(delivery.id, None)
            await self._attempt(delivery)
        except asyncio.CancelledError:
            return  # stopped before sending: stop() gives the row back
        except Exception:
            logger.exception("Delivery %s failed unexpectedly", delivery.id)
            async with self.db.transaction():
                await self.db.deliveries.mark_failed(delivery.id, "internal error")
        finally:
            self._slots.release()

    async def _chat_pace(self, chat_id: int) -> None:
        """About one message per second to one chat, as Telegram asks."""
        if self.per_chat_interval <= 0:
            return
        now = time.monotonic()
        if len(self._last_to_chat) > CHAT_TABLE_LIMIT:
            old = now - self.per_chat_interval
            self._last_to_chat = {c: t for c, t in self._last_to_chat.items() if t > old}
        last = self._last_to_chat.get(chat_id)
        slot = now if last is None else max(now, last + self.per_chat_interval)
        self._last_to_chat[chat_id] = slot
        if slot > now:
            await asyncio.sleep(slot - now)

    async def _attempt(self, delivery: Delivery) -> str:
        """Send once and record the outcome; returns sent, blocked, failed or retry."""
        repo = self.db.deliveries
        try:
            message = await send_payload(self.bot, delivery.user_id, delivery.payload, self.paid)
        except TelegramRetryAfter as exc:
            logger.warning("429 from Telegram: every send waits %s s", exc.retry_after)
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
                logger.warning("Delivery %s gave up after %d attempts", delivery.id, MAX_ATTEMPTS)
                return "failed"
            backoff = min(MAX_BACKOFF, 0.5 * 2.0**delivery.attempts)
            await self._retry(delivery, backoff, str(exc))
            return "retry"
        async with self.db.transaction():
            await repo.mark_sent(delivery.id, message.message_id if message else None)
        return "sent"

    async def _retry(self, delivery: Delivery, after: float, reason: str) -> None:
        when = self.clock.now() + timedelta(seconds=after)
        async with self.db.transaction():
            await self.db.deliveries.retry_later(delivery.id, when, reason)
        self.wake()


async def send_payload(
    bot: Bot, chat_id: int, payload: dict[str, Any], paid: bool = False
) -> Message | None:
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
    if paid or payload.get("allow_paid_broadcast"):
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
