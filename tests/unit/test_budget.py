"""The send budget: even slots, the rolling window as Telegram sees it, 429s, reply priority."""

from __future__ import annotations

import asyncio
import itertools
import math

import pytest

from bot.budget import DECREASE, Bucket, Lane, Pacer, SendBudget


def run_slots(pacer: Pacer, count: int, rtt: float = 0.002) -> list[float]:
    """Grant `count` slots as soon as each is ready, each answered `rtt` later."""
    now, granted = 0.0, []
    flying: list[tuple[float, object]] = []
    while len(granted) < count:
        at = pacer.ready_at(now)
        if math.isinf(at):
            answer_at, ticket = flying.pop(0)
            now = max(now, answer_at)
            pacer.answered(ticket, now, accepted=True)  # type: ignore[arg-type]
            continue
        now = at
        for answer_at, ticket in [f for f in flying if f[0] <= now]:
            pacer.answered(ticket, answer_at, accepted=True)  # type: ignore[arg-type]
            flying.remove((answer_at, ticket))
        ticket = pacer.grant(now)
        ticket.sent = now
        flying.append((now + rtt, ticket))
        granted.append(now)
    return granted


def most_in_a_second(times: list[float]) -> int:
    return max(sum(1 for t in times if s - 1.0 < t <= s) for s in times)


def test_slots_are_even_at_the_rate() -> None:
    times = run_slots(Pacer(20.0, limit=25), 41)  # a window the pace never fills
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g == pytest.approx(0.05) for g in gaps)
    assert times[-1] == pytest.approx(2.0)


def test_the_window_never_holds_more_than_the_limit() -> None:
    # Paced faster than the limit: the rolling window is what holds the count.
    pacer = Pacer(100.0, limit=30)
    times = run_slots(pacer, 300, rtt=0.01)
    assert most_in_a_second(times) <= 30
    assert len(times) / times[-1] >= 29  # and it still uses the allowance


def test_a_message_held_up_on_its_way_counts_from_its_late_answer() -> None:
    pacer = Pacer(1000.0, limit=2)
    quick = pacer.grant(0.0)
    quick.sent = 0.0
    pacer.answered(quick, 0.002, accepted=True)  # the shortest round trip: 2 ms
    slow = pacer.grant(0.01)
    slow.sent = 0.01
    # One answered, one on its way: the window is full until the first leaves it.
    assert pacer.ready_at(0.02) == pytest.approx(1.001)
    pacer.answered(slow, 0.6, accepted=True)  # so it may have reached Telegram at 0.599
    then = pacer.grant(pacer.ready_at(0.7))
    then.sent = then.granted
    pacer.answered(then, then.granted + 0.002, accepted=True)
    # The slow one leaves the window a second after it may have arrived, not after it left.
    assert pacer.ready_at(1.01) == pytest.approx(1.599)


def test_unanswered_messages_fill_the_window() -> None:
    pacer = Pacer(1000.0, limit=2)
    first = pacer.grant(0.0)
    pacer.grant(0.001)
    assert math.isinf(pacer.ready_at(5.0))  # both still on their way, however long
    pacer.release(first)  # never sent after all
    assert pacer.ready_at(5.0) == 5.0


def test_a_429_pauses_cuts_the_rate_once_and_it_grows_back() -> None:
    pacer = Pacer(30.0)
    ticket = pacer.grant(0.0)
    assert pacer.too_many(1.0, now=0.1)
    assert not pacer.too_many(1.0, now=0.12)  # another answer of the same episode
    assert pacer.rate == pytest.approx(30.0 * DECREASE)
    assert pacer.ready_at(0.2) >= 1.12  # nothing before retry_after has passed
    pacer.answered(ticket, 0.2, accepted=False)
    seconds = 0.0
    while pacer.rate < 30.0:
        t = pacer.grant(2.0 + seconds)
        pacer.answered(t, 2.0 + seconds, accepted=True)
        seconds += 1 / pacer.rate
    assert 5 < seconds < 15  # back at the configured rate within about ten seconds


def test_unlimited_never_waits() -> None:
    pacer = Pacer(math.inf)
    for _ in range(1000):
        pacer.grant(0.0)
    assert pacer.ready_at(0.0) == 0.0


async def test_replies_are_served_before_the_queue() -> None:
    bucket = Bucket(1000.0)
    bucket.pause(0.05)  # everyone below waits for the same moment
    order: list[str] = []

    async def take(name: str, lane: Lane) -> None:
        ticket = await bucket.acquire(lane)
        order.append(name)
        bucket.answered(ticket, accepted=True)

    tasks = [asyncio.create_task(take(f"queue{i}", Lane.QUEUE)) for i in range(3)]
    await asyncio.sleep(0)  # the queue was there first
    tasks.append(asyncio.create_task(take("reply", Lane.REPLY)))
    await asyncio.gather(*tasks)
    assert order == ["reply", "queue0", "queue1", "queue2"]


async def test_a_429_on_any_call_pauses_both_buckets() -> None:
    budget = SendBudget(30.0, 900.0)
    budget.too_many(2.0, paid=False)
    assert budget.free.pacer.paused_until > 0 and budget.paid.pacer.paused_until > 0
    assert budget.free.rate < 30.0
    assert budget.paid.rate == 900.0  # only the bucket that met the 429 slows down


async def test_a_cancelled_waiter_gives_its_place_back() -> None:
    bucket = Bucket(1000.0, limit=1)
    held = await bucket.acquire()
    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    bucket.answered(held, accepted=True)
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert bucket.pacer.flying == 0
