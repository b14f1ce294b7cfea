"""Callback data of the cards that several features link to: sessions, sections, cities.

The schedule feature owns session and section cards, the cities feature the city cards; the
free-text answers and announcements link to all three.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class SessionCb(CallbackData, prefix="ss"):
    """A session: action open (the card), add / del (agenda), ics (calendar file), map."""

    id: str
    action: str = "open"
    back: str = ""  # where "Back" returns, kept short (64-byte limit)


class SectionCb(CallbackData, prefix="sc"):
    """A thematic section: action open, sub / unsub (adds its sessions to the agenda)."""

    id: str
    action: str = "open"


class CityCb(CallbackData, prefix="ct"):
    """A partner-city pair card."""

    id: str


# Callback data holds at most 64 bytes; ids longer than the rule allows lose their "Back".
CALLBACK_LIMIT = 64


def session_link(session_id: str, action: str = "open", back: str = "") -> str:
    """SessionCb packed, dropping `back` when it would not fit."""
    packed = SessionCb(id=session_id, action=action, back=back).pack()
    if len(packed.encode()) > CALLBACK_LIMIT:
        packed = SessionCb(id=session_id, action=action).pack()
    return packed
