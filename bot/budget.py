"""One send budget for everything the bot sends to Telegram.

Telegram lets a bot send about 30 messages a second in all and answers 429 ("retry after N")
beyond that; a 429 on any call means the whole bot is over. So every message the bot sends —
direct replies and the delivery engine's queue alike — takes a slot from one bucket:

- slots are spaced evenly at the current rate (a bucket one token deep: no bursts);
- whoever waits in the reply lane gets the next slot before the queue lane (a person is
  waiting for a reply; a broadcast takes what is left);
- a rolling window keeps at most `limit` messages in any second as Telegram will have seen
  them: a message counts from the moment it could have reached Telegram, which its answer
  tells (a message that sat in a slow network or a busy server counts from later), and
  unanswered ones count all along. Even spacing alone is not enough: one message held up for
  a few hundredths of a second lands in the same second as the thirty after it;
- a 429 pauses every lane for Telegram's `retry_after` and cuts the rate (multiplicative
  decrease); each message accepted afterwards raises it again towards the configured rate
  (additive increase), so the bot settles under whatever Telegram allows at the moment.

Paid broadcasts (`allow_paid_broadcast`) are paced by a bucket of their own at the paid rate.
`Pacer` is the arithmetic (pure, tested with numbers); `Bucket` makes senders wait for it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum

logger = logging.getLogger(__name__)

# A 429 multiplies the rate by this; each accepted message then adds INCREASE / rate, i.e. the
# rate grows back by INCREASE per second of sending (a 5% cut at 30/s recovers in ten seconds).
DECREASE = 0.95
INCREASE = 0.15
# The rate never falls below this share of the configured one (Telegram's retry_after does
# the real braking when the limit is much lower).
FLOOR_SHARE = 0.3
# A slot granted this late still counts from its planned time, so that a busy event loop
# does not lower the rate: the slots it missed are caught up (a burst of up to this long a
# stretch of slots; the rolling window still holds the count in any second).
LAG_ALLOWANCE = 0.1
# The quickest answer among the last this many tells how long the way to Telegram and back
# takes at best.
RTT_SAMPLES = 200
WINDOW = 1.0  # seconds: Telegram's limit is per rolling second


class Lane(IntEnum):
    """Who waits for a slot; a lower value is served first."""

    REPLY = 0  # an answer someone is waiting for
    QUEUE = 1  # the delivery engine: notices, reminders, broadcasts


# The lane of sends made in this context; the delivery engine sets QUEUE for its tasks.
current_lane: ContextVar[Lane] = ContextVar("send_lane", default=Lane.REPLY)


@dataclass(slots=True)
class Ticket:
    """One granted slot; `answered` (or `Bucket.answered`) closes it when Telegram replies."""

    pacer: Pacer
    granted: float
    sent: float | None = None  # when the request left (set just before it does)
    closed: bool = False


# A slot the caller already took for its next send (the delivery engine takes the slot
# first, then checks that the message may still go, then sends).
_prepaid: ContextVar[Ticket | None] = ContextVar("send_prepaid", default=None)


@contextlib.contextmanager
def prepaid(ticket: Ticket) -> Iterator[None]:
    """The next send in this context uses `ticket`, a slot the caller has already taken."""
    token = _prepaid.set(ticket)
    try:
        yield
    finally:
        _prepaid.reset(token)


def take_prepaid() -> Ticket | None:
    """The caller's slot, once; a further attempt (a retry) takes its own."""
    ticket = _prepaid.get()
    if ticket is not None:
        _prepaid.set(None)
    return ticket


class Pacer:
    """The arithmetic of one bucket: when the next slot is, and what a 429 or an answer does.

    Times are seconds on one monotonic clock, passed in by the caller.
    """

    def __init__(self, rate: float, limit: int | None = None) -> None:
        self.ceiling = rate
        self.rate = rate
        # Messages allowed in any rolling second, as Telegram counts them.
        if limit is None:
            limit = max(1, math.ceil(rate)) if math.isfinite(rate) else 0
        self.limit = limit
        self.next = 0.0  # the planned time of the next slot
        self.paused_until = 0.0
        self.flying = 0  # granted, not yet answered
        self.recent: list[float] = []  # when answered messages may have reached Telegram
        self._rtts: deque[tuple[int, float]] = deque()  # a sliding minimum of round trips
        self._answers = 0
        self.granted = 0
        self.throttled = 0  # 429 answers seen

    @property
    def unlimited(self) -> bool:
        return math.isinf(self.rate)

    @property
    def rtt_min(self) -> float:
        return self._rtts[0][1] if self._rtts else 0.0

    def ready_at(self, now: float) -> float:
        """The earliest time a slot can be granted (now or later; inf: when an answer comes)."""
        if self.unlimited:
            return now
        at = max(self.next, self.paused_until, now)
        cutoff = at - WINDOW
        drop = bisect.bisect_right(self.recent, cutoff)
        if drop:
            del self.recent[:drop]
        if self.flying + len(self.recent) < self.limit:
            return at
        if self.flying >= self.limit or not self.recent:
            return math.inf  # every place in the window is taken by a message under way
        # The oldest answered message leaves the window.
        return max(at, self.recent[self.flying + len(self.recent) - self.limit] + WINDOW)

    def grant(self, now: float) -> Ticket:
        if not self.unlimited:
            planned = max(self.next, now - LAG_ALLOWANCE)
            self.next = planned + 1.0 / self.rate
        self.flying += 1
        self.granted += 1
        return Ticket(self, now)

    def answered(self, ticket: Ticket, now: float, accepted: bool) -> None:
        """Telegram answered (or the request failed): the message leaves the flying ones."""
        if ticket.closed:
            return
        ticket.closed = True
        self.flying -= 1
        if self.unlimited:
            return
        sent = ticket.granted if ticket.sent is None else ticket.sent
        rtt = now - sent
        self._answers += 1
        while self._rtts and self._rtts[-1][1] >= rtt:
            self._rtts.pop()
        self._rtts.append((self._answers, rtt))
        while self._rtts[0][0] <= self._answers - RTT_SAMPLES:
            self._rtts.popleft()
        # It reached Telegram no later than the answer came, less the quickest way back (half
        # the quickest round trip): a message held up on its way counts from later.
        bisect.insort(self.recent, max(sent, now - self.rtt_min / 2))
        if accepted and self.rate < self.ceiling:
            self.rate = min(self.ceiling, self.rate + INCREASE / self.rate)

    def release(self, ticket: Ticket) -> None:
        """A slot taken and never used: it frees its place at once."""
        if not ticket.closed:
            ticket.closed = True
            self.flying -= 1

    def too_many(self, retry_after: float, now: float) -> bool:
        """A 429: cut the rate once per episode and pause; True if the rate was cut."""
        self.throttled += 1
        cut = self.paused_until <= now
        if cut:
            # Other sends already on their way meet the same limit; one cut is enough.
            self.rate = max(self.ceiling * FLOOR_SHARE, self.rate * DECREASE)
        self.pause(retry_after, now)
        return cut

    def pause(self, seconds: float, now: float) -> None:
        self.paused_until = max(self.paused_until, now + seconds)
        # Slots planned before the pause move behind it.
        self.next = max(self.next, self.paused_until)


class Bucket:
    """Makes senders wait for the pacer's slots; the most urgent lane first, then in order."""

    def __init__(
        self,
        rate: float,
        *,
        limit: int | None = None,
        name: str = "send",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.pacer = Pacer(rate, limit)
        self._clock = clock
        self._waiters: list[tuple[int, int, asyncio.Future[Ticket]]] = []
        self._order = itertools.count()
        self._server: asyncio.Task[None] | None = None
        self._answer: asyncio.Event | None = None

    @property
    def rate(self) -> float:
        return self.pacer.rate

    def waiting(self, lane: Lane | None = None) -> int:
        return sum(1 for w in self._waiters if not w[2].done() and (lane is None or w[0] == lane))

    async def acquire(self, lane: Lane = Lane.REPLY) -> Ticket:
        """Wait for a slot to send one message."""
        now = self._clock()
        if not self._waiters and self.pacer.ready_at(now) <= now:
            return self.pacer.grant(now)
        future: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (int(lane), next(self._order), future))
        self._ensure_server()
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(future.result())  # granted, then given up
            raise

    def sending(self, ticket: Ticket) -> None:
        """The request leaves now (the slot may have been granted a moment earlier)."""
        ticket.sent = self._clock()

    def answered(self, ticket: Ticket, accepted: bool) -> None:
        self.pacer.answered(ticket, self._clock(), accepted)
        if self._answer is not None:
            self._answer.set()

    def release(self, ticket: Ticket) -> None:
        ticket.pacer.release(ticket)
        if self._answer is not None:
            self._answer.set()

    def too_many(self, retry_after: float) -> None:
        if self.pacer.too_many(retry_after, self._clock()):
            logger.warning(
                "429 from Telegram: %s paused %.1f s, rate now %.2f/s",
                self.name,
                retry_after,
                self.pacer.rate,
            )

    def pause(self, seconds: float) -> None:
        self.pacer.pause(seconds, self._clock())

    def _ensure_server(self) -> None:
        server = self._server
        if server is not None and not server.done() and not server.get_loop().is_closed():
            return
        self._answer = asyncio.Event()
        self._server = asyncio.get_running_loop().create_task(self._serve(), name=self.name)

    async def _serve(self) -> None:
        """Hands out slots while anyone waits: to the most urgent lane at the slot's moment."""
        answer = self._answer
        assert answer is not None
        while self._waiters:
            now = self._clock()
            at = self.pacer.ready_at(now)
            if at > now:
                # An answer can free the window sooner; a 429 can move the slot later.
                answer.clear()
                timeout = None if math.isinf(at) else at - now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(answer.wait(), timeout)
                continue
            _, _, future = heapq.heappop(self._waiters)
            if future.done():
                continue  # its task was cancelled while waiting
            future.set_result(self.pacer.grant(now))


class SendBudget:
    """The free bucket every send uses, and the paid one for `allow_paid_broadcast` sends."""

    def __init__(
        self, rate: float, paid_rate: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.free = Bucket(rate, name="send-budget", clock=clock)
        self.paid = Bucket(paid_rate, name="paid-send-budget", clock=clock)

    def bucket(self, paid: bool = False) -> Bucket:
        return self.paid if paid else self.free

    async def acquire(self, lane: Lane = Lane.REPLY, paid: bool = False) -> Ticket:
        return await self.bucket(paid).acquire(lane)

    def _of(self, ticket: Ticket) -> Bucket:
        return self.paid if ticket.pacer is self.paid.pacer else self.free

    def sending(self, ticket: Ticket) -> None:
        self._of(ticket).sending(ticket)

    def answered(self, ticket: Ticket, accepted: bool) -> None:
        self._of(ticket).answered(ticket, accepted)

    def release(self, ticket: Ticket) -> None:
        self._of(ticket).release(ticket)

    def too_many(self, retry_after: float, paid: bool = False) -> None:
        """A 429 on any call: its bucket slows down, and every send waits retry_after."""
        self.bucket(paid).too_many(retry_after)
        self.bucket(not paid).pause(retry_after)
