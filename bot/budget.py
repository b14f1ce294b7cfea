"""One send budget for everything the bot sends to Telegram.

Telegram lets a bot send about 30 messages a second in all and answers 429 ("retry after N")
beyond that; a 429 on any call means the whole bot is over. So every message the bot sends —
direct replies and the delivery engine's queue alike — takes a slot from one bucket:

- slots are spaced evenly at the current rate (a bucket one token deep: no bursts, which a
  rolling one-second window at the server would punish);
- whoever is waiting in the reply lane gets the next slot before the queue lane (a person is
  waiting for a reply; a broadcast can take what is left);
- a 429 pauses every lane for Telegram's `retry_after` and cuts the rate (multiplicative
  decrease); each slot sent cleanly afterwards raises it again towards the configured rate
  (additive increase), so the bot settles just under whatever Telegram allows.

Paid broadcasts (`allow_paid_broadcast`) are paced by a bucket of their own at the paid rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from enum import IntEnum

logger = logging.getLogger(__name__)

# A 429 multiplies the rate by this; each clean slot then adds INCREASE / rate, i.e. the rate
# grows by INCREASE per second of sending. Measured with benchmarks/broadcast.py: a 5% cut
# recovered in about 10 s keeps 429s rare without giving up much of the allowance.
DECREASE = 0.95
INCREASE = 0.15
# The rate never falls below this share of the configured one (Telegram's retry_after does
# the real braking when the limit is much lower).
FLOOR_SHARE = 0.3
# A slot granted this late still counts from its planned time, so that the event loop's
# wake-up lag does not lower the rate; it can bring two sends this much closer together.
LAG_ALLOWANCE = 0.005


class Lane(IntEnum):
    """Who waits for a slot; a lower value is served first."""

    REPLY = 0  # an answer someone is waiting for
    QUEUE = 1  # the delivery engine: notices, reminders, broadcasts


# The lane of sends made in this context; the delivery engine sets QUEUE for its tasks.
current_lane: ContextVar[Lane] = ContextVar("send_lane", default=Lane.REPLY)
# Set when the caller already holds a slot for its next send (the delivery engine takes the
# slot first, then checks that the message may still go, then sends).
_prepaid: ContextVar[bool] = ContextVar("send_prepaid", default=False)


@contextlib.contextmanager
def prepaid() -> Iterator[None]:
    """The next send in this context uses a slot the caller has already taken."""
    token = _prepaid.set(True)
    try:
        yield
    finally:
        _prepaid.reset(token)


def take_prepaid() -> bool:
    """True once if the caller holds a slot; the next attempt (a retry) takes its own."""
    if _prepaid.get():
        _prepaid.set(False)
        return True
    return False


class Bucket:
    """Even spacing at an adaptive rate, with pauses; waiters are served by lane, then order."""

    def __init__(
        self,
        rate: float,
        *,
        name: str = "send",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.name = name
        self.ceiling = rate
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0  # the planned time of the next slot
        self._paused_until = 0.0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._server: asyncio.Task[None] | None = None
        self.granted = 0
        self.throttled = 0  # 429 answers seen

    @property
    def interval(self) -> float:
        return 1.0 / self.rate

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    def waiting(self, lane: Lane | None = None) -> int:
        return sum(1 for w in self._waiters if not w[2].done() and (lane is None or w[0] == lane))

    def _ready_at(self) -> float:
        return max(self._next, self._paused_until)

    def _grant(self, now: float) -> None:
        planned = max(self._next, now - LAG_ALLOWANCE)
        self._next = planned + self.interval
        self.granted += 1

    async def acquire(self, lane: Lane = Lane.REPLY) -> None:
        """Wait for a slot to send one message."""
        now = self._clock()
        if not self._waiters and now >= self._ready_at():
            self._grant(now)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (int(lane), next(self._order), future))
        self._ensure_server()
        await future

    def _ensure_server(self) -> None:
        server = self._server
        if server is not None and not server.done():
            if not server.get_loop().is_closed():
                return
        self._server = asyncio.get_running_loop().create_task(self._serve(), name=self.name)

    async def _serve(self) -> None:
        """Hands out slots while anyone waits; the most urgent lane at the moment of the slot."""
        while self._waiters:
            wait = self._ready_at() - self._clock()
            if wait > 0:
                # Woken early or late, the loop looks again: a 429 may have moved the slot.
                await self._sleep(wait)
                continue
            _, _, future = heapq.heappop(self._waiters)
            if future.done():
                continue  # its task was cancelled while waiting
            self._grant(self._clock())
            future.set_result(None)

    def sent(self) -> None:
        """A send through this bucket was accepted: additive increase towards the ceiling."""
        if self.rate < self.ceiling:
            self.rate = min(self.ceiling, self.rate + INCREASE / self.rate)

    def too_many(self, retry_after: float) -> None:
        """Telegram answered 429: cut the rate once per episode and pause for retry_after."""
        self.throttled += 1
        now = self._clock()
        if self._paused_until <= now:
            # Other sends already on their way meet the same limit; one cut is enough.
            self.rate = max(self.ceiling * FLOOR_SHARE, self.rate * DECREASE)
            logger.warning(
                "429 from Telegram: %s paused %.1f s, rate now %.2f/s",
                self.name,
                retry_after,
                self.rate,
            )
        self.pause(retry_after)

    def pause(self, seconds: float) -> None:
        until = self._clock() + seconds
        self._paused_until = max(self._paused_until, until)
        # Slots planned before the pause move behind it.
        self._next = max(self._next, self._paused_until)


class SendBudget:
    """The free bucket every send uses, and the paid one for `allow_paid_broadcast` sends."""

    def __init__(
        self,
        rate: float,
        paid_rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.free = Bucket(rate, name="send-budget", clock=clock, sleep=sleep)
        self.paid = Bucket(paid_rate, name="paid-send-budget", clock=clock, sleep=sleep)

    def bucket(self, paid: bool = False) -> Bucket:
        return self.paid if paid else self.free

    async def acquire(self, lane: Lane = Lane.REPLY, paid: bool = False) -> None:
        await self.bucket(paid).acquire(lane)

    def sent(self, paid: bool = False) -> None:
        self.bucket(paid).sent()

    def too_many(self, retry_after: float, paid: bool = False) -> None:
        """A 429 on any call: its bucket slows down, and every send waits retry_after."""
        self.bucket(paid).too_many(retry_after)
        self.bucket(not paid).pause(retry_after)
