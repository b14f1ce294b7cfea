"""A Bot API session that answers locally, as Telegram would: for the demo and benchmarks."""

from __future__ import annotations

import html
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

BOT_USER = {"id": 1, "is_bot": True, "first_name": "Forum bot", "username": "forum_demo_bot"}
TAG = re.compile(r"<[^>]+>")
ALWAYS_TRUE = frozenset(
    {"setMyCommands", "deleteWebhook", "sendChatAction", "deleteMessage", "answerCallbackQuery"}
)


def plain(text: str) -> str:
    """Telegram's HTML as plain text."""
    return html.unescape(TAG.sub("", text))


def offline_poll(number: int, params: dict[str, Any]) -> dict[str, Any]:
    """The Poll object Telegram would return for a sendPoll."""
    options = [o.get("text", "") if isinstance(o, dict) else str(o) for o in params["options"]]
    return {
        "id": f"offline-{number}",
        "question": params.get("question", ""),
        "options": [
            {"persistent_id": str(i), "text": text, "voter_count": 0}
            for i, text in enumerate(options)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": bool(params.get("is_anonymous", True)),
        "type": params.get("type", "regular"),
        "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
        "allows_revoting": True,
        "members_only": False,
    }


class OfflineSession(BaseSession):
    """Answers every method the bot uses without a network; `observe` sees each call."""

    def __init__(self) -> None:
        super().__init__()
        self.message_ids = itertools.count(1)
        self.calls = 0
        # Dates of the messages it "sends": the demo sets the bot's clock here.
        self.now: Callable[[], float] = time.time

    async def close(self) -> None:
        pass

    async def stream_content(  # type: ignore[override]
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncIterator[bytes]:
        yield b""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.calls += 1
        name = method.__api_method__
        params = method.model_dump(exclude_none=True)
        result = self.answer(name, params)
        self.observe(name, params, method)
        content = json.dumps({"ok": True, "result": result}, default=str)
        return self.check_response(bot, method, 200, content).result  # type: ignore[return-value]

    def answer(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name in ALWAYS_TRUE:
            return True
        if name == "copyMessage":
            return {"message_id": next(self.message_ids)}
        if name.startswith(("send", "edit")):
            edited = name.startswith("edit")
            text = params.get("text") or params.get("caption") or ""
            message = {
                "message_id": params.get("message_id") if edited else next(self.message_ids),
                "date": int(self.now()),
                "chat": {"id": params.get("chat_id", 0), "type": "private"},
                "from": BOT_USER,
                "text": plain(text) or " ",
            }
            if name == "sendPoll":
                message["poll"] = offline_poll(message["message_id"], params)
            return message
        return True

    def observe(self, name: str, params: dict[str, Any], method: TelegramMethod[Any]) -> None:
        """Called after each request; the demo prints here."""
