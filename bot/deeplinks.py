"""`t.me/<bot>?start=<payload>` links for QR codes on printed programs and in announcements.

Payloads use only the characters Telegram allows there (A-Z a-z 0-9 _ -), at most 64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAYLOAD = re.compile(r"^(sm|s|x|c|reg|ci|inv|g|dm)(?:-([A-Za-z0-9_-]{1,60}))?$")
KINDS = {
    "s": "session",
    "x": "section",
    "c": "city",
    "reg": "register",
    "ci": "checkin",
    "inv": "invite",
    "g": "guardian",  # a parent's or guardian's consent for a minor's registration
    "dm": "delegate",  # a delegation member claims their pre-loaded entry (one-time)
    "sm": "moderator",  # a speaker's one-time link to moderate a session
}


@dataclass(frozen=True, slots=True)
class DeepLink:
    kind: str  # session, section, city, register, checkin, invite, guardian, moderator
    value: str


def parse(payload: str | None) -> DeepLink | None:
    match = PAYLOAD.match(payload or "")
    if match is None:
        return None
    return DeepLink(KINDS[match.group(1)], match.group(2) or "")


def payload(kind: str, value: str = "") -> str:
    prefix = next(short for short, long in KINDS.items() if long == kind)
    return f"{prefix}-{value}" if value else prefix


def url(bot_username: str, kind: str, value: str = "") -> str:
    return f"https://t.me/{bot_username}?start={payload(kind, value)}"
