"""The update mix of the update-handling benchmark: (maker, weight) pairs.

Weights follow what participants do in the hall: mostly schedule and cards, some questions,
fewer registrations.
"""

from __future__ import annotations

from typing import Any

from bot.keyboards.common import MenuCb


def start(f: Any, uid: int) -> dict[str, Any]:
    return f.message(uid, "/start")


def help_(f: Any, uid: int) -> dict[str, Any]:
    return f.message(uid, "/help")


def settings(f: Any, uid: int) -> dict[str, Any]:
    return f.callback(uid, MenuCb(action="settings").pack())


MIX = [
    (start, 10),
    (help_, 5),
    (settings, 5),
]
