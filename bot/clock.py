"""The bot's clock: real time, or a shifted time for the demo and tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """Tells the time; with a start moment it begins there and runs at real speed.

    The schedule's "now", reminders and scheduled announcements all read this clock, so the
    demo can be held "during the forum" and tests can reach a reminder without waiting days.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.offset = start - datetime.now(UTC) if start is not None else timedelta(0)
        # Told when the clock jumps, so that what is scheduled on it moves along.
        self.jump_listeners: list[Callable[[], None]] = []

    def advance(self, delta: timedelta) -> None:
        """Jump ahead (tests and the demo): what falls due on the way runs at once."""
        self.offset += delta
        for listener in self.jump_listeners:
            listener()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def to_real(self, moment: datetime) -> datetime:
        """When, on the machine's clock, the bot's clock shows `moment`."""
        return moment - self.offset
