"""The bot's clock: real time, or a shifted time for the demo and tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Tells the time; with a start moment it begins there and runs at real speed.

    The schedule's "now", reminders and scheduled announcements all read this clock, so the
    demo can be held "during the forum" and tests can reach a reminder without waiting days.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.offset = start - datetime.now(UTC) if start is not None else timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def to_real(self, moment: datetime) -> datetime:
        """When, on the machine's clock, the bot's clock shows `moment`."""
        return moment - self.offset
