"""Plain data kept by the fake server: messages, files, request records, API errors."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error answer of the Bot API; ``kind`` says who is to blame (see RequestRecord)."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        kind: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.kind = kind or error_kind(status)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def error_kind(status: int) -> str:
    """Classify a status: 'rejected' answers are the bot's bugs, the others are weather."""
    if status == 200:
        return "ok"
    if status in (400, 401, 404, 413):
        return "rejected"
    if status == 403:
        return "forbidden"
    if status == 409:
        return "conflict"
    if status == 429:
        return "rate_limited"
    return "fault"


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.content)


@dataclass
class FakeMessage:
    """A message in a chat as the fake server keeps it (bot's or user's)."""

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    location: dict[str, Any] | None = None
    venue: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    forward_origin: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    edited: bool = False
    edit_date: int | None = None
    deleted: bool = False
    # Extra Bot API fields merged into the JSON object (e.g. link_preview_options).
    extra: dict[str, Any] = field(default_factory=dict)
    # When the server received it (time.monotonic), for timing checks without sleeping.
    received_at: float = field(default_factory=time.monotonic)

    @property
    def document_bytes(self) -> bytes | None:
        return self.document.content if self.document else None

    @property
    def file_name(self) -> str | None:
        return self.document.file_name if self.document else None

    @property
    def photo_bytes(self) -> bytes | None:
        return self.photo.content if self.photo else None

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has; handy in assertions."""
        return self.text if self.text is not None else (self.caption or "")

    def buttons(self) -> list[list[dict[str, Any]]]:
        """Rows of inline (or reply keyboard) buttons, as dicts; empty without a keyboard."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]

    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.buttons() for button in row]

    def snapshot(self) -> FakeMessage:
        return copy.copy(self)

    def describe(self) -> str:
        """One readable line (or a few) for transcripts."""
        who = "bot" if self.from_bot else "user"
        flags = "".join(
            mark for mark, on in (("[edited]", self.edited), ("[deleted]", self.deleted)) if on
        )
        parts: list[str] = []
        if self.text is not None:
            parts.append(repr(self.text))
        if self.document:
            parts.append(f"<document {self.document.file_name} {self.document.file_size}B>")
        if self.photo:
            parts.append(f"<photo {self.photo.file_size}B>")
        if self.caption:
            parts.append(f"caption={self.caption!r}")
        if self.location:
            parts.append(f"<location {self.location['latitude']},{self.location['longitude']}>")
        if self.venue:
            parts.append(f"<venue {self.venue.get('title')!r}>")
        if self.contact:
            parts.append(f"<contact {self.contact.get('phone_number')}>")
        if self.forward_origin:
            parts.append("<forwarded>")
        if "poll" in self.extra:
            poll = self.extra["poll"]
            texts = [o["text"] for o in poll["options"]]
            parts.append(f"<poll {poll['question']!r} {texts}>")
        line = f"#{self.message_id} {who}{flags}: {' '.join(parts)}"
        rows = self.buttons()
        if rows:
            kb = " | ".join(" ".join(f"[{b['text']}]" for b in row) for row in rows)
            line += f"\n      buttons: {kb}"
        return line


@dataclass
class RequestRecord:
    """One HTTP request as the server saw it.

    kind: 'ok'; 'rejected' (400/401/404/413: the bot broke a rule); 'forbidden' (403);
    'rate_limited' (429); 'conflict' (409); 'fault' (injected 5xx, dropped, server down).
    """

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    kind: str
    timestamp: float = field(default_factory=time.time)
    result: Any = None

    def __str__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k not in ("chat_id",)}
        chat = self.params.get("chat_id")
        text = f"{self.method}(chat_id={chat}) -> {self.status}"
        if self.description:
            text += f" {self.description}"
        return f"{text}\n    params: {_short(shown)}"


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
