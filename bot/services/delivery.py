"""The one engine that sends every announcement, reminder and notice, at Telegram's pace.

The `deliveries` table is the source of truth: rows are claimed in small batches, sent and
marked one by one, so a crash loses nothing and repeats at most the sends that were in flight
(a row is marked `sent` in its own short transaction as soon as Telegram answers). The pace is
the shared send budget's (bot/budget.py), in the queue lane: replies go first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter
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
from aiogram.types import InlineKeyboardMarkup, InputPollOption, Message

from bot.budget import Lane, SendBudget, Ticket, current_lane, prepaid
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
# How long a hold waits for sends already on their way (a request's own timeout is 60 s).
DRAIN_TIMEOUT = 30.0
# Deliveries are grouped by (kind, ref), e.g. ("announcement", "12").
Group = tuple[str, str]
# Told of each sent delivery with Telegram's message, inside the transaction that marks it
# sent (a poll's Telegram id is recorded there).
SentHook = Callable[[Delivery, Message], Awaitable[None]]


class DeliveryEngine:
    """Claims due rows, paces them through the send budget and records each outcome.

    A group of rows (kind, ref) can be held: paused (its rows wait) or stopped (its rows are
    cancelled). The hold is checked after the send's slot is taken and right before the
    request, so that nothing of a held group reaches Telegram once `hold` has returned and
    `settle` has put aside the rows waiting for their turn and waited for every other claimed
    row of the group (sends past that check, rows about to be put aside).
    """

    def __init__(
        self,
        bot: Bot,
        db: Database,
        clock: Clock,
        budget: SendBudget,
        per_chat_interval: float = 1.0,
        concurrency: int = 64,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.budget = budget
        self.per_chat_interval = per_chat_interval
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        # Tasks still waiting for their turn (not yet talking to Telegram), by delivery id.
        self._waiting: dict[int, tuple[asyncio.Task[None], Group]] = {}
        self._last_to_chat: dict[int, float] = {}
        self._stopping = False
        self._paid_window = False
        # Held groups, mirrored from the delivery_holds table: (kind, ref) -> "pause" | "stop".
        self._holds: dict[Group, str] = {}
        # Sends past the hold check and not yet recorded, per group; and who waits for none.
        self._passing: Counter[Group] = Counter()
        self._drains: dict[Group, list[asyncio.Future[None]]] = {}
        self.sent_hooks: list[SentHook] = []

    def wake(self) -> None:
        """Something was queued: look at the queue now rather than at the next tick."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- holds

    def hold(self, kind: str, ref: str, how: str) -> None:
        """From now on no row of the group is sent: "pause" keeps them, "stop" cancels them.

        The caller records the hold in the database too (`deliveries.hold`) and then awaits
        `settle`, after which nothing of the group is on its way to Telegram.
        """
        self._holds[(kind, ref)] = how

    def unhold(self, kind: str, ref: str) -> None:
        self._holds.pop((kind, ref), None)
        self.wake()

    def held(self, kind: str, ref: str | None) -> str | None:
        return self._holds.get((kind, ref or ""))

    async def settle(self, kind: str, ref: str, timeout: float = DRAIN_TIMEOUT) -> None:
        """After a hold: rows of the group still waiting for their turn are put aside now
        (cancelled if stopped, back in the queue if paused), and the sends already past the
        check are waited for, so that the group's counts are final."""
        group = (kind, ref)
        how = self._holds.get(group)
        waiting = [(i, task) for i, (task, g) in self._waiting.items() if g == group]
        for delivery_id, task in waiting:
            self._waiting.pop(delivery_id, None)
            task.cancel()
        if waiting and how is not None:
            ids = [delivery_id for delivery_id, _ in waiting]
            async with self.db.transaction():
                if how == "stop":
                    for delivery_id in ids:
                        await self.db.deliveries.cancel_one(delivery_id)
                else:
                    await self.db.deliveries.release(ids)
        if not self._passing[group]:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._drains.setdefault(group, []).append(future)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            logger.warning("Sends of %s/%s still unanswered after %s s", kind, ref, timeout)

    def _passed(self, group: Group) -> None:
        self._passing[group] -= 1
        if self._passing[group] <= 0:
            del self._passing[group]
            for future in self._drains.pop(group, []):
                if not future.done():
                    future.set_result(None)

    # -- running

    async def start(self) -> None:
        async with self.db.transaction():
            released = await self.db.deliveries.release_in_flight()
        if released:
            logger.warning("%d deliveries were in flight at the last stop; sending again", released)
        self._holds.update(await self.db.deliveries.holds())
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
        for _, (task, _group) in waiting:
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
        rate = self.budget.bucket(self._paid_window).rate
        if math.isinf(rate):
            return self._concurrency
        return max(2, min(self._concurrency, math.ceil(rate / 2)))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._room.set()

    async def _run(self) -> None:
        # The queue retries failed sends itself; the session must not retry them again.
        retry_requests.set(False)
        current_lane.set(Lane.QUEUE)
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
            self._paid_window = any(is_paid(d.payload) for d in claimed)
            # A claimed row counts as passing from now until its send is recorded or it is put
            # aside, also while it waits for a slot: a hold's settle() waits for all of them, so
            # the report after a Stop counts every row of the group as it finally is.
            for delivery in claimed:
                self._passing[(delivery.kind, delivery.ref or "")] += 1
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
        group = (delivery.kind, delivery.ref or "")
        self._waiting[delivery.id] = (task, group)
        ticket: Ticket | None = None
        try:
            try:
                await self._chat_pace(delivery.user_id)
                ticket = await self.budget.acquire(Lane.QUEUE, is_paid(delivery.payload))
            finally:
                self._waiting.pop(delivery.id, None)
            how = self._holds.get(group)
            if how is not None:
                await self._put_aside(delivery, how)
            else:
                with prepaid(ticket):
                    await self._attempt(delivery)
        except asyncio.CancelledError:
            return  # not sent: stop() gives the row back, settle() puts it aside
        except Exception:
            logger.exception("Delivery %s failed unexpectedly", delivery.id)
            async with self.db.transaction():
                await self.db.deliveries.mark_failed(delivery.id, "internal error")
        finally:
            if ticket is not None:
                self.budget.release(ticket)  # unused (held, or failed before the request)
            self._slots.release()
            self._passed(group)

    async def _put_aside(self, delivery: Delivery, how: str) -> None:
        """A claimed row of a held group: cancelled if stopped, back in the queue if paused."""
        async with self.db.transaction():
            if how == "stop":
                await self.db.deliveries.cancel_one(delivery.id)
            else:
                await self.db.deliveries.release([delivery.id])

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
        """Send once and record the outcome; returns sent, blocked, failed, retry or cancelled."""
        repo = self.db.deliveries
        try:
            message = await send_payload(self.bot, delivery.user_id, delivery.payload)
        except TelegramRetryAfter as exc:
            # The session's budget middleware has already paused every sender.
            reason = f"429 retry after {exc.retry_after}"
            return await self._retry(delivery, exc.retry_after, reason)
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
            return await self._retry(delivery, backoff, str(exc))
        async with self.db.transaction():
            await repo.mark_sent(delivery.id, message.message_id if message else None)
            if message is not None:
                for hook in self.sent_hooks:
                    await hook(delivery, message)
        return "sent"

    async def _retry(self, delivery: Delivery, after: float, reason: str) -> str:
        """Queue the row again after `after` seconds, unless its group was stopped meanwhile."""
        if self.held(delivery.kind, delivery.ref) == "stop":
            async with self.db.transaction():
                await self.db.deliveries.cancel_one(delivery.id)
            return "cancelled"
        when = self.clock.now() + timedelta(seconds=after)
        async with self.db.transaction():
            await self.db.deliveries.retry_later(delivery.id, when, reason)
        self.wake()
        return "retry"


def is_paid(payload: dict[str, Any]) -> bool:
    """Sent with allow_paid_broadcast: paced by the paid bucket, charged in Stars."""
    return bool(payload.get("allow_paid_broadcast"))


async def send_payload(bot: Bot, chat_id: int, payload: dict[str, Any]) -> Message | None:
    """Send one queued message. Payloads are plain JSON so that the queue outlives the process.

    kinds: text {text}, photo {file_id, caption}, document {file_id, caption},
    copy {from_chat_id, message_id}, poll {question, options} (a native poll that is not
    anonymous, so that its answers come back as updates), edit {message_id, text} (a list the
    person has open, edited in place); any kind may carry reply_markup (inline keyboard JSON),
    disable_notification and allow_paid_broadcast.
    """
    markup = payload.get("reply_markup")
    common: dict[str, Any] = {
        "reply_markup": InlineKeyboardMarkup.model_validate(markup) if markup else None,
        "disable_notification": payload.get("disable_notification"),
    }
    if is_paid(payload):
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
    if kind == "poll":
        # Plain texts: no parse mode, so that a "<" in a question is shown as typed.
        return await bot.send_poll(
            chat_id,
            payload["question"],
            [InputPollOption(text=o, text_parse_mode=None) for o in payload["options"]],
            question_parse_mode=None,
            is_anonymous=False,
            **common,
        )
    if kind == "edit":
        result = await bot.edit_message_text(
            payload["text"],
            chat_id=chat_id,
            message_id=payload["message_id"],
            reply_markup=common["reply_markup"],
            link_preview_options=None,
        )
        return result if isinstance(result, Message) else None
    if kind == "copy":
        result = await bot.copy_message(
            chat_id, payload["from_chat_id"], payload["message_id"], **common
        )
        return None if result is None else Message.model_construct(message_id=result.message_id)
    raise ValueError(f"unknown payload kind {kind!r}")
