"""Calendar files (.ics) of sessions, in the forum's time zone, for phones to import."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from bot.program.model import Program, Session
from bot.services.schedule_view import place_label

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//forum-bot//schedule//EN"
UID_DOMAIN = "forum-bot"


def session_uid(program: Program, session: Session) -> str:
    """Stable per session and forum, so a re-imported calendar updates the same event."""
    return f"{session.id}-{program.forum.start_date.isoformat()}@{UID_DOMAIN}"


def session_event(program: Program, session: Session, locale: str, stamp: datetime) -> Event:
    from icalendar import Event  # lazy: only a calendar export needs it, not the bot's start

    event = Event()
    event.add("uid", session_uid(program, session))
    event.add("dtstamp", stamp)
    event.add("dtstart", session.start_at)
    event.add("dtend", session.end_at)
    title = session.title.get(locale)
    event.add("summary", title)
    place = place_label(program, session.venue, session.hall, locale)
    if place:
        event.add("location", place)
        venue = program.venue(session.venue)
        if venue is not None:
            event.add("geo", (venue.latitude, venue.longitude))
    description = session.description.get(locale)
    if session.stream_link:
        description = f"{description}\n{session.stream_link}".strip()
    if description:
        event.add("description", description)
    url = session.stream_link or program.forum.website
    if url:
        event.add("url", url)
    if session.cancelled:
        event.add("status", "CANCELLED")
    return event


def calendar_bytes(
    program: Program,
    sessions: Iterable[Session],
    locale: str,
    now: datetime | None = None,
    extra: Iterable[Event] = (),
) -> bytes:
    """One VCALENDAR with a VTIMEZONE of the forum's zone and a VEVENT per session (and the
    `extra` events: delegates' meetings)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add(
        "x-wr-calname", program.forum.short_title.get(locale) or program.forum.title.get(locale)
    )
    cal.add("x-wr-timezone", program.forum.timezone)
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    for session in sessions:
        cal.add_component(session_event(program, session, locale, stamp))
    for event in extra:
        cal.add_component(event)
    # A short span keeps the VTIMEZONE small; it must still cover the forum's dates.
    start = program.forum.start_date
    cal.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(program.forum.end_date.year + 2, 1, 1)
    )
    return cal.to_ical()


def calendar_filename(session: Session | None = None) -> str:
    return f"{session.id}.ics" if session else "my-agenda.ics"
