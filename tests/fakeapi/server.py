"""A fake Telegram Bot API server that is as strict as Telegram, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import json
import math
import mimetypes
import random
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from .control import control_routes
from .html_parser import EntityParseError, parse_html, utf16_len
from .markup import validate_reply_markup
from .models import ApiError, FakeMessage, RequestRecord, StoredFile, bad_request
from .params import Params, Upload, read_params
from .users import FakeUser
from .webhook import WebhookSender

T = TypeVar("T")

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[^/]+)/?$")
FILE_PATH_RE = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_POLL_QUESTION = 300
MAX_POLL_OPTION = 100
MIN_POLL_OPTIONS, MAX_POLL_OPTIONS = 2, 10
MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024

# Methods that create messages: these are the ones Telegram rate-limits and the ones the
# fault-injection knobs apply to.
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "sendlocation",
        "sendvenue",
        "sendpoll",
        "copymessage",
        "forwardmessage",
    }
)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)

QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF")


@dataclass
class ChatState:
    """A chat the bot can write to, with its message history and bot-side events."""

    chat: dict[str, Any]
    messages: dict[int, FakeMessage] = field(default_factory=dict)
    # ("new" | "edit" | "delete", snapshot) for every change the bot makes, in order.
    events: list[tuple[str, FakeMessage]] = field(default_factory=list)
    next_message_id: int = 1
    sent_count: int = 0
    chat_actions: list[str] = field(default_factory=list)
    menu_button: dict[str, Any] | None = None
    tokens: float = 0.0
    tokens_at: float = 0.0

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def private(self) -> bool:
        return self.chat["type"] == "private"


@dataclass
class CallbackQuery:
    id: str
    chat_id: int
    message_id: int
    data: str | None
    created: float
    answer: dict[str, Any] | None = None


class _DropConnectionError(Exception):
    """Raised inside a handler to close the connection without any answer."""


class FakeTelegram:
    """Fake Bot API server. Start with ``await start()``; point the bot at ``base_url``.

    Rate limits count accepted sends only: ``global_rate`` per rolling second (None = off),
    ``paid_rate`` when a send has allow_paid_broadcast, ``chat_rate`` sustained sends per
    second per chat with bursts of ``chat_burst`` (None = off).
    """

    def __init__(
        self,
        *,
        bot_id: int | None = None,
        bot_username: str = "forum_test_bot",
        bot_first_name: str = "Forum Test Bot",
        token: str | None = None,
        global_rate: int | None = 30,
        paid_rate: int = 1000,
        chat_rate: float | None = None,
        chat_burst: int = 3,
        fail_rate: float = 0.0,
        drop_rate: float = 0.0,
        drop_after_processing: bool = False,
        seed: int = 0,
        callback_timeout: float | None = None,
        strict_html_entities: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.token = token
        self.global_rate = global_rate
        self.paid_rate = paid_rate
        self.chat_rate = chat_rate
        self.chat_burst = chat_burst
        self.fail_rate = fail_rate
        self.drop_rate = drop_rate
        self.drop_after_processing = drop_after_processing
        self.callback_timeout = callback_timeout
        # Seconds every send takes to be answered (a slow network), 0 = at once.
        self.send_latency = 0.0
        self.strict_html_entities = strict_html_entities
        self.host = host
        self.port = port
        self.log: list[RequestRecord] = []
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands_store: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.default_menu_button: dict[str, Any] | None = None
        self.callbacks: dict[str, CallbackQuery] = {}
        self._random = random.Random(seed)
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._send_times: deque[float] = deque()
        self._forced_429: list[int] = []
        self._file_counter = 0
        self._poll_counter = 0
        self._callback_counter = 0
        self._waiters: set[asyncio.Future[None]] = set()
        self._down = False
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handlers = self._method_table()
        self.webhook = WebhookSender(self)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeTelegram:
        self._loop = asyncio.get_running_loop()
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        # Control routes first: aiohttp matches in registration order.
        app.router.add_routes(control_routes(self))
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await self._listen()
        return self

    async def stop(self) -> None:
        self._down = True  # long polls waiting for updates return now, not at their timeout
        self._notify()
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        if self.port == 0:
            server = self._site._server  # aiohttp exposes no public accessor for the port
            assert server is not None and server.sockets
            self.port = server.sockets[0].getsockname()[1]

    @property
    def polls_started(self) -> int:
        """getUpdates calls received so far, counted when they arrive (long polls end later)."""
        return self._poll_generation

    @property
    def webhooks_set(self) -> int:
        """setWebhook calls accepted so far (the bot in webhook mode is then started)."""
        return self.webhook.sets

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def down(self) -> None:
        """The server goes away: new connections are refused, open ones are cut."""
        self._down = True
        if self._site is not None:
            await self._site.stop()
            self._site = None
        if self._runner is not None and self._runner.server is not None:
            for connection in list(self._runner.server.connections):
                if connection.transport is not None:
                    connection.transport.abort()
        self._notify()

    async def up(self) -> None:
        """Come back on the same port after down()."""
        if self._down:
            self._down = False
            await self._listen()

    def burst_429(self, n: int, retry_after: int = 1) -> None:
        """The next ``n`` sends get 429 with the given retry_after."""
        self._forced_429.extend([retry_after] * n)

    # ------------------------------------------------------------------ users and chats

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id or 1,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def add_user(
        self,
        id: int,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        *,
        started: bool = True,
        phone: str | None = None,
    ) -> FakeUser:
        """Register a simulated user; ``started=False`` means the bot cannot write yet."""
        user = FakeUser(
            self,
            id=id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone=phone,
        )
        user.started = started
        self.users[id] = user
        chat = {"id": id, "type": "private", "first_name": first_name}
        if last_name:
            chat["last_name"] = last_name
        if username:
            chat["username"] = username
        self.chats[id] = ChatState(chat)
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        type: str = "supergroup",
        username: str | None = None,
    ) -> None:
        """A group or channel the bot is a member of (e.g. an announcement channel)."""
        chat: dict[str, Any] = {"id": chat_id, "type": type, "title": title}
        if username:
            chat["username"] = username
        self.chats[chat_id] = ChatState(chat)

    def messages(self, chat_id: int, *, include_user: bool = False) -> list[FakeMessage]:
        """Bot messages in the chat (deleted ones included, flagged), oldest first."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if m.from_bot or include_user]

    def sent_count(self, chat_id: int) -> int:
        chat = self.chats.get(chat_id)
        return chat.sent_count if chat else 0

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list:
        return self.commands_store.get((_scope_key(scope), language_code), [])

    def unanswered_callbacks(self) -> list[CallbackQuery]:
        """Callback queries the bot never answered (the user's button keeps spinning)."""
        return [query for query in self.callbacks.values() if query.answer is None]

    def chat_actions(self, chat_id: int) -> list[str]:
        chat = self.chats.get(chat_id)
        return list(chat.chat_actions) if chat else []

    # ------------------------------------------------------------------ records

    def errors(self, kind: str | None = None) -> list[RequestRecord]:
        """Non-200 records; kind is one of rejected/forbidden/rate_limited/conflict/fault."""
        return [r for r in self.log if r.status != 200 and (kind is None or r.kind == kind)]

    @property
    def rejected(self) -> list[RequestRecord]:
        return self.errors("rejected")

    def requests(self, method: str | None = None) -> list[RequestRecord]:
        wanted = method.lower() if method else None
        return [r for r in self.log if wanted is None or r.method.lower() == wanted]

    def assert_no_rejections(self) -> None:
        rejected = self.rejected
        if rejected:
            listing = "\n".join(f"  {record}" for record in rejected)
            raise AssertionError(
                f"{len(rejected)} request(s) rejected by the fake Telegram:\n{listing}"
            )

    def clear_log(self) -> None:
        self.log.clear()

    # ------------------------------------------------------------------ waiting

    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_changed(self, timeout: float) -> None:
        """Sleep until anything changes (a message, update, answer) or ``timeout`` passes."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    # ------------------------------------------------------------------ internals for users

    def enqueue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._notify()
        return update

    def new_message(self, chat: ChatState, *, from_bot: bool, **fields: Any) -> FakeMessage:
        message = FakeMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            date=int(time.time()),
            from_bot=from_bot,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        if from_bot:
            chat.events.append(("new", message.snapshot()))
        self._notify()
        return message

    def new_callback(self, chat_id: int, message: FakeMessage, data: str | None) -> CallbackQuery:
        self._callback_counter += 1
        query_id = str(4_000_000_000_000_000 + self._callback_counter)
        query = CallbackQuery(query_id, chat_id, message.message_id, data, time.monotonic())
        self.callbacks[query_id] = query
        return query

    def store_file(self, content: bytes, file_name: str | None, *, kind: str) -> StoredFile:
        self._file_counter += 1
        n = self._file_counter
        prefix = "AgACAgIAAxkB" if kind == "photo" else "BQACAgIAAxkB"
        extension = _extension(file_name, kind)
        mime = mimetypes.guess_type(file_name or "")[0] if file_name else None
        stored = StoredFile(
            file_id=f"{prefix}{n:06d}{_pseudo_id(n)}",
            file_unique_id=f"AgAD{n:06d}",
            file_path=f"{'photos' if kind == 'photo' else 'documents'}/file_{n}{extension}",
            content=content,
            file_name=file_name,
            mime_type=mime or ("image/jpeg" if kind == "photo" else "application/octet-stream"),
        )
        self.files[stored.file_id] = stored
        return stored

    def user_dict(self, user_id: int) -> dict[str, Any]:
        return self.users[user_id].as_dict()

    def message_dict(self, message: FakeMessage, *, nested: bool = True) -> dict[str, Any]:
        """The Bot API Message object for a stored message."""
        chat = self.chats[message.chat_id]
        sender = self.bot_user if message.from_bot else self.user_dict(message.chat_id)
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": chat.chat,
            "date": message.date,
        }
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.document:
            data["document"] = _document_dict(message.document)
        if message.photo:
            data["photo"] = _photo_sizes(message.photo)
        if message.location:
            data["location"] = message.location
        if message.venue:
            data["venue"] = message.venue
            data["location"] = message.venue["location"]
        if message.contact:
            data["contact"] = message.contact
        if message.forward_origin:
            data["forward_origin"] = message.forward_origin
        if message.edit_date:
            data["edit_date"] = message.edit_date
        # Telegram only ever returns inline keyboards inside Message objects.
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        replied = chat.messages.get(message.reply_to_message_id or 0)
        if nested and replied is not None and not replied.deleted:
            data["reply_to_message"] = self.message_dict(replied, nested=False)
        data.update(message.extra)
        return data

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self._down:
            self._record(request.path.rsplit("/", 1)[-1], {}, 0, "server down", "fault")
            raise _abort(request)
        file_match = FILE_PATH_RE.match(request.path)
        if file_match and request.method in ("GET", "HEAD"):
            return self._download(file_match["token"], file_match["path"])
        match = PATH_RE.match(request.path)
        if match is None:
            return self._answer("", {}, ApiError(404, "Not Found"))
        method = match["method"]
        params: Params | None = None
        try:
            self._check_token(match["token"])
            handler = self._handlers.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            params = await read_params(request)
            result = await self._call(method.lower(), handler, params)
        except ApiError as error:
            return self._answer(method, params.loggable() if params else {}, error)
        except _DropConnectionError:
            self._record(method, params.loggable() if params else {}, 0, "dropped", "fault")
            raise _abort(request) from None
        if self._down:
            # The answer was computed but the server "went away" meanwhile: cut the line.
            self._record(method, params.loggable(), 0, "server down", "fault")
            raise _abort(request)
        return self._answer(method, params.loggable(), result)

    def _check_token(self, token: str) -> None:
        if not TOKEN_RE.match(token) or (self.token is not None and token != self.token):
            raise ApiError(401, "Unauthorized")
        if self.bot_id is None:
            self.bot_id = int(token.split(":", 1)[0])

    async def _call(
        self, method: str, handler: Callable[[Params], Awaitable[Any]], params: Params
    ) -> Any:
        if method not in SEND_METHODS:
            return await handler(params)
        self._inject_faults()
        chat_id = params.raw("chat_id")
        chat = self.chats.get(_as_int(chat_id)) if chat_id is not None else None
        now = time.monotonic()
        self._check_rate(chat, now, paid=params.get_bool("allow_paid_broadcast"))
        if self.send_latency:
            await asyncio.sleep(self.send_latency)
        result = await handler(params)
        self._send_times.append(now)
        if chat is not None:
            chat.sent_count += 1
            if self.chat_rate is not None:
                chat.tokens -= 1
        if self.drop_rate and self.drop_after_processing and self._random.random() < self.drop_rate:
            raise _DropConnectionError
        return result

    def _inject_faults(self) -> None:
        if self._forced_429:
            retry_after = self._forced_429.pop(0)
            raise _too_many(retry_after)
        if self.fail_rate and self._random.random() < self.fail_rate:
            raise ApiError(502, "Bad Gateway")
        if self.drop_rate and not self.drop_after_processing:
            if self._random.random() < self.drop_rate:
                raise _DropConnectionError

    def _check_rate(self, chat: ChatState | None, now: float, *, paid: bool) -> None:
        window = self._send_times
        while window and window[0] <= now - 1.0:
            window.popleft()
        limit = self.paid_rate if paid else self.global_rate
        if limit is not None and len(window) >= limit:
            raise _too_many(max(1, math.ceil(window[0] + 1.0 - now)))
        if chat is None or self.chat_rate is None:
            return
        if chat.tokens_at == 0.0:
            chat.tokens = float(self.chat_burst)
        else:
            refill = (now - chat.tokens_at) * self.chat_rate
            chat.tokens = min(float(self.chat_burst), chat.tokens + refill)
        chat.tokens_at = now
        if chat.tokens < 1.0:
            raise _too_many(max(1, math.ceil((1.0 - chat.tokens) / self.chat_rate)))

    def _answer(self, method: str, params: dict[str, Any], outcome: Any) -> web.Response:
        if isinstance(outcome, ApiError):
            self._record(method, params, outcome.status, outcome.description, outcome.kind)
            return web.json_response(outcome.payload(), status=outcome.status)
        self._record(method, params, 200, None, "ok", outcome)
        return web.json_response({"ok": True, "result": outcome})

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        description: str | None,
        kind: str,
        result: Any = None,
    ) -> None:
        self.log.append(RequestRecord(method, params, status, description, kind, result=result))

    def _download(self, token: str, path: str) -> web.Response:
        params = {"file_path": path}
        if not TOKEN_RE.match(token):
            return self._answer("file", params, ApiError(401, "Unauthorized"))
        for stored in self.files.values():
            if stored.file_path == path:
                self._record("file", params, 200, None, "ok")
                return web.Response(body=stored.content, content_type="application/octet-stream")
        return self._answer("file", params, ApiError(404, "Not Found: file not found"))

    # ------------------------------------------------------------------ helpers

    def _chat(self, params: Params, name: str = "chat_id", *, write: bool = True) -> ChatState:
        value = params.raw(name)
        if value in (None, ""):
            raise bad_request(f"{name} is empty")
        chat = None
        if isinstance(value, str) and value.startswith("@"):
            chat = next(
                (c for c in self.chats.values() if c.chat.get("username") == value[1:]), None
            )
            if chat is not None and chat.private:
                chat = None  # users cannot be addressed by username
        else:
            chat = self.chats.get(_as_int(value))
        if chat is None:
            raise bad_request("chat not found")
        user = self.users.get(chat.id)
        if user is not None:
            if not user.started:
                raise bad_request("chat not found")
            if write and user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _formatted(
        self,
        params: Params,
        field_name: str,
        entities_name: str,
        *,
        caption: bool,
        mode_name: str = "parse_mode",
    ) -> tuple[str | None, list[dict[str, Any]]]:
        raw = params.get_str(field_name)
        if raw is None:
            return None, []
        parse_mode = (params.get_str(mode_name) or "").strip().lower()
        if parse_mode == "html":
            try:
                text, entities = parse_html(raw, strict_entities=self.strict_html_entities)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error.description}") from None
        elif parse_mode in ("", "none"):
            text, entities = raw, _given_entities(params.get_json(entities_name), raw)
        else:
            raise bad_request("unsupported parse_mode")
        limit = MAX_CAPTION if caption else MAX_TEXT
        if utf16_len(text) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        return text, entities

    def _message_text(self, params: Params) -> tuple[str, list[dict[str, Any]]]:
        text, entities = self._formatted(params, "text", "entities", caption=False)
        if text is None or not text.strip():
            raise bad_request("message text is empty")
        return text, entities

    def _markup(self, params: Params, chat: ChatState, *, inline_only: bool = False) -> Any:
        return validate_reply_markup(
            params.get_json("reply_markup"), private_chat=chat.private, inline_only=inline_only
        )

    def _reply_to(self, params: Params, chat: ChatState) -> int | None:
        reply = params.get_json("reply_parameters")
        message_id = params.get_int("reply_to_message_id")
        allow_missing = params.get_bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = _as_int(reply.get("message_id"))
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        target = chat.messages.get(message_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return message_id

    def _send(self, chat: ChatState, params: Params, **fields: Any) -> dict[str, Any]:
        markup = self._markup(params, chat)
        reply_to = self._reply_to(params, chat)
        message = self.new_message(
            chat, from_bot=True, reply_markup=markup, reply_to_message_id=reply_to, **fields
        )
        return self.message_dict(message)

    def _input_file(self, params: Params, name: str, *, kind: str) -> StoredFile:
        value = params.raw(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.uploads.get(value[len("attach://") :])
            if value is None:
                raise bad_request(f"can't find attached file for {name}")
        if isinstance(value, Upload):
            return self._store_upload(value, kind)
        if not value:
            raise bad_request(f"there is no {name} in the request")
        if value in self.files:
            return self.files[value]
        if value.startswith(("http://", "https://")):
            # The fake cannot fetch URLs, so it keeps an empty file named after the URL.
            return self.store_file(b"", value.rsplit("/", 1)[-1] or None, kind=kind)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store_upload(self, upload: Upload, kind: str) -> StoredFile:
        limit = MAX_PHOTO_UPLOAD if kind == "photo" else MAX_UPLOAD
        if len(upload.content) > limit:
            raise ApiError(413, "Request Entity Too Large")
        if not upload.content:
            raise bad_request("file must be non-empty")
        if kind == "photo" and not upload.content.startswith(_IMAGE_MAGIC):
            raise bad_request("IMAGE_PROCESS_FAILED")
        return self.store_file(upload.content, upload.filename, kind=kind)

    def _bot_message(self, params: Params, *, action: str) -> tuple[ChatState, FakeMessage]:
        if params.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        message_id = params.get_int("message_id", required=True)
        message = chat.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise bad_request(f"message to {action} not found")
        return chat, message

    def _apply_edit(self, chat: ChatState, message: FakeMessage, **changes: Any) -> Any:
        if all(getattr(message, key) == value for key, value in changes.items()):
            raise bad_request(NOT_MODIFIED)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edited = True
        message.edit_date = int(time.time())
        chat.events.append(("edit", message.snapshot()))
        self._notify()
        return self.message_dict(message)

    # ------------------------------------------------------------------ methods

    def _method_table(self) -> dict[str, Callable[[Params], Awaitable[Any]]]:
        prefix = "_m_"
        return {
            name[len(prefix) :].lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith(prefix)
        }

    async def _m_getMe(self, params: Params) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_getUpdates(self, params: Params) -> Any:
        if self.webhook.hook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = params.get_int("offset", 0) or 0
        limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
        timeout = max(params.get_int("timeout", 0) or 0, 0)
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            # Like Telegram, an empty list means "everything but the opt-in types".
            self._allowed_updates = allowed or None
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + timeout
        while True:
            self._confirm(offset)
            pending = self._updates[:limit]
            if pending or self._down:
                return pending
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await self.wait_changed(remaining)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if self._allowed_updates is not None:
            allowed = set(self._allowed_updates)
            self._updates = [u for u in self._updates if allowed & u.keys()]

    async def _m_deleteWebhook(self, params: Params) -> Any:
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook.delete()
        return True

    async def _m_getWebhookInfo(self, params: Params) -> Any:
        return self.webhook.info()

    async def _m_setWebhook(self, params: Params) -> Any:
        return self.webhook.set(params)

    async def _m_setMyCommands(self, params: Params) -> Any:
        commands = params.get_json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH" if commands else "commands is empty")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            if not COMMAND_RE.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            description = str(command.get("description", "")).strip()
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        self.commands_store[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getMyCommands(self, params: Params) -> Any:
        return self.commands_store.get(self._commands_key(params), [])

    async def _m_deleteMyCommands(self, params: Params) -> Any:
        self.commands_store.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.get_json("scope")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
                raise bad_request("can't parse BotCommandScope")
            if "chat" in scope["type"]:
                self._chat(Params(scope, {}), write=False)
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return _scope_key(scope), language

    async def _m_setMyDescription(self, params: Params) -> Any:
        return self._set_bot_text(params, "description", 512)

    async def _m_setMyShortDescription(self, params: Params) -> Any:
        return self._set_bot_text(params, "short_description", 120)

    async def _m_getMyDescription(self, params: Params) -> Any:
        key = ("description", params.get_str("language_code") or "")
        return {"description": self.bot_texts.get(key, "")}

    async def _m_getMyShortDescription(self, params: Params) -> Any:
        key = ("short_description", params.get_str("language_code") or "")
        return {"short_description": self.bot_texts.get(key, "")}

    def _set_bot_text(self, params: Params, name: str, limit: int) -> bool:
        value = params.get_str(name) or ""
        if len(value) > limit:
            raise bad_request(f"{name.upper()}_INVALID")
        self.bot_texts[(name, params.get_str("language_code") or "")] = value
        return True

    async def _m_setChatMenuButton(self, params: Params) -> Any:
        button = params.get_json("menu_button")
        if button is not None:
            kind = button.get("type") if isinstance(button, dict) else None
            if kind not in ("default", "commands", "web_app"):
                raise bad_request("can't parse menu button")
            if kind == "web_app":
                url = str((button.get("web_app") or {}).get("url", ""))
                if not button.get("text") or not url.startswith("https://"):
                    raise bad_request("BUTTON_URL_INVALID")
        if params.has("chat_id"):
            self._chat(params, write=False).menu_button = button
        else:
            self.default_menu_button = button
        return True

    async def _m_getChatMenuButton(self, params: Params) -> Any:
        if params.has("chat_id"):
            stored = self._chat(params, write=False).menu_button
            if stored is not None:
                return stored
        return self.default_menu_button or {"type": "default"}

    async def _m_sendMessage(self, params: Params) -> Any:
        chat = self._chat(params)
        text, entities = self._message_text(params)
        preview = params.get_json("link_preview_options")
        extra = {"link_preview_options": preview} if isinstance(preview, dict) else {}
        return self._send(chat, params, text=text, entities=entities, extra=extra)

    async def _m_sendDocument(self, params: Params) -> Any:
        chat = self._chat(params)
        caption, entities = self._formatted(params, "caption", "caption_entities", caption=True)
        document = self._input_file(params, "document", kind="document")
        return self._send(
            chat, params, document=document, caption=caption, caption_entities=entities
        )

    async def _m_sendPhoto(self, params: Params) -> Any:
        chat = self._chat(params)
        caption, entities = self._formatted(params, "caption", "caption_entities", caption=True)
        photo = self._input_file(params, "photo", kind="photo")
        return self._send(chat, params, photo=photo, caption=caption, caption_entities=entities)

    async def _m_sendLocation(self, params: Params) -> Any:
        chat = self._chat(params)
        return self._send(chat, params, location=_location(params))

    async def _m_sendVenue(self, params: Params) -> Any:
        chat = self._chat(params)
        location = _location(params)
        title, address = params.get_str("title"), params.get_str("address")
        if not title or not address:
            raise bad_request("venue title and address must be non-empty")
        venue = {"location": location, "title": title, "address": address}
        for optional in ("foursquare_id", "foursquare_type", "google_place_id"):
            if params.has(optional):
                venue[optional] = params.get_str(optional)
        return self._send(chat, params, venue=venue)

    async def _m_sendPoll(self, params: Params) -> Any:
        """A native poll, checked as Telegram does: question 1-300 characters and 2-10
        options of 1-100 characters (after parsing their entities), no two the same."""
        chat = self._chat(params)
        question, question_entities = self._formatted(
            params, "question", "question_entities", caption=False, mode_name="question_parse_mode"
        )
        if question is None or not question.strip():
            raise bad_request("poll question must be non-empty")
        if utf16_len(question) > MAX_POLL_QUESTION:
            raise bad_request("poll question length must not exceed 300")
        raw_options = params.get_json("options")
        if not isinstance(raw_options, list):
            raise bad_request("can't parse options JSON object")
        if len(raw_options) < MIN_POLL_OPTIONS:
            raise bad_request("poll must have at least 2 option")
        if len(raw_options) > MAX_POLL_OPTIONS:
            raise bad_request("poll can't have more than 10 options")
        options = []
        for raw in raw_options:
            text = raw.get("text") if isinstance(raw, dict) else raw
            mode = (raw.get("text_parse_mode") or "") if isinstance(raw, dict) else ""
            if not isinstance(text, str):
                raise bad_request("can't parse options JSON object")
            if mode.lower() == "html":
                try:
                    text, _entities = parse_html(text, strict_entities=self.strict_html_entities)
                except EntityParseError as error:
                    raise bad_request(f"can't parse entities: {error.description}") from None
            if not text.strip():
                raise bad_request("poll options must be non-empty")
            if utf16_len(text) > MAX_POLL_OPTION:
                raise bad_request("poll options length must not exceed 100")
            options.append(text)
        if len(set(options)) != len(options):
            raise bad_request("POLL_OPTION_DUPLICATE")
        kind = params.get_str("type") or "regular"
        if kind not in ("regular", "quiz"):
            raise bad_request("wrong poll type specified")
        anonymous = params.get_bool("is_anonymous") if params.has("is_anonymous") else True
        self._poll_counter += 1
        poll = {
            "id": str(5_000_000_000_000_000_000 + self._poll_counter),
            "question": question,
            "options": [
                {"persistent_id": str(i), "text": text, "voter_count": 0}
                for i, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": params.get_bool("is_closed"),
            "is_anonymous": anonymous,
            "type": kind,
            "allows_multiple_answers": params.get_bool("allows_multiple_answers"),
            "allows_revoting": True,
            "members_only": False,
        }
        if question_entities:
            poll["question_entities"] = question_entities
        return self._send(chat, params, extra={"poll": poll})

    async def _m_stopPoll(self, params: Params) -> Any:
        chat, message = self._bot_message(params, action="edit")
        poll = message.extra.get("poll")
        if poll is None:
            raise bad_request("message with poll to stop not found")
        if poll["is_closed"]:
            raise bad_request("poll has already been closed")
        markup = self._markup(params, chat, inline_only=True)
        poll["is_closed"] = True
        if markup is not None:
            message.reply_markup = markup
        chat.events.append(("edit", message.snapshot()))
        self._notify()
        return poll

    async def _m_sendChatAction(self, params: Params) -> Any:
        chat = self._chat(params)
        action = params.get_str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(action)
        return True

    async def _m_copyMessage(self, params: Params) -> Any:
        chat = self._chat(params)
        source = self._source_message(params, "copy")
        fields = _content_fields(source)
        if params.raw("caption") is not None:
            if source.document is None and source.photo is None:
                raise bad_request("there is no caption in the message to copy")
            caption, entities = self._formatted(params, "caption", "caption_entities", caption=True)
            fields.update(caption=caption, caption_entities=entities)
        result = self._send(chat, params, **fields)
        return {"message_id": result["message_id"]}

    async def _m_forwardMessage(self, params: Params) -> Any:
        chat = self._chat(params)
        source = self._source_message(params, "forward")
        origin = source.forward_origin or {
            "type": "user",
            "sender_user": self.bot_user if source.from_bot else self.user_dict(source.chat_id),
            "date": source.date,
        }
        fields = _content_fields(source)
        message = self.new_message(chat, from_bot=True, forward_origin=origin, **fields)
        return self.message_dict(message)

    def _source_message(self, params: Params, action: str) -> FakeMessage:
        source_chat = self._chat(params, "from_chat_id", write=False)
        message_id = params.get_int("message_id", required=True)
        source = source_chat.messages.get(message_id or 0)
        if source is None or source.deleted:
            raise bad_request(f"message to {action} not found")
        return source

    async def _m_editMessageText(self, params: Params) -> Any:
        chat, message = self._bot_message(params, action="edit")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._message_text(params)
        markup = self._markup(params, chat, inline_only=True)
        return self._apply_edit(chat, message, text=text, entities=entities, reply_markup=markup)

    async def _m_editMessageCaption(self, params: Params) -> Any:
        chat, message = self._bot_message(params, action="edit")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.document is None and message.photo is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._formatted(params, "caption", "caption_entities", caption=True)
        markup = self._markup(params, chat, inline_only=True)
        return self._apply_edit(
            chat, message, caption=caption, caption_entities=entities, reply_markup=markup
        )

    async def _m_editMessageReplyMarkup(self, params: Params) -> Any:
        chat, message = self._bot_message(params, action="edit")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        markup = self._markup(params, chat, inline_only=True)
        return self._apply_edit(chat, message, reply_markup=markup)

    async def _m_deleteMessage(self, params: Params) -> Any:
        chat, message = self._bot_message(params, action="delete")
        message.deleted = True
        if message.from_bot:
            chat.events.append(("delete", message.snapshot()))
        self._notify()
        return True

    async def _m_answerCallbackQuery(self, params: Params) -> Any:
        query = self.callbacks.get(params.get_str("callback_query_id") or "")
        if query is None or query.answer is not None:
            raise bad_request(QUERY_INVALID)
        if self.callback_timeout is not None:
            if time.monotonic() - query.created > self.callback_timeout:
                raise bad_request(QUERY_INVALID)
        text = params.get_str("text")
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time", 0),
        }
        self._notify()
        return True

    async def _m_getChat(self, params: Params) -> Any:
        chat = self._chat(params, write=False)
        return {
            **chat.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _m_getFile(self, params: Params) -> Any:
        stored = self.files.get(params.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }


# ---------------------------------------------------------------------- module helpers


def _abort(request: web.Request) -> BaseException:
    """Cut the TCP connection so the client sees a disconnect, not an HTTP answer."""
    if request.transport is not None:
        request.transport.abort()
    return asyncio.CancelledError()


def _too_many(retry_after: int) -> ApiError:
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        parameters={"retry_after": retry_after},
    )


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _scope_key(scope: dict[str, Any] | None) -> str:
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True)


def _given_entities(entities: Any, text: str) -> list[dict[str, Any]]:
    if entities is None:
        return []
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    for entity in entities:
        if not isinstance(entity, dict) or "type" not in entity:
            raise bad_request("can't parse MessageEntity")
        offset, length = _as_int(entity.get("offset")), _as_int(entity.get("length"))
        if offset < 0 or length <= 0 or offset + length > total:
            raise bad_request("entity beginning/end is out of text bounds")
    return entities


def _location(params: Params) -> dict[str, Any]:
    latitude = params.get_float("latitude")
    longitude = params.get_float("longitude")
    assert latitude is not None and longitude is not None
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise bad_request("wrong latitude or longitude")
    return {"latitude": latitude, "longitude": longitude}


def _content_fields(source: FakeMessage) -> dict[str, Any]:
    names = (
        "text",
        "entities",
        "caption",
        "caption_entities",
        "document",
        "photo",
        "location",
        "venue",
        "contact",
    )
    return {name: getattr(source, name) for name in names}


def _document_dict(stored: StoredFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


def _photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = _image_size(stored.content)
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "width": width,
            "height": height,
        }
    ]


def _image_size(content: bytes) -> tuple[int, int]:
    # Only PNG is cheap to measure without Pillow; other formats get a plausible size.
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 1280, 720


def _extension(file_name: str | None, kind: str) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[-1][:8]
    return ".jpg" if kind == "photo" else ""


def _pseudo_id(n: int) -> str:
    # Real file ids are long opaque strings; a deterministic tail keeps tests reproducible.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    value = n * 2654435761 % (1 << 64)
    chars = []
    for _ in range(20):
        value, index = divmod(value * 6364136223846793005 + 1442695040888963407, 64)
        value %= 1 << 64
        chars.append(alphabet[index])
    return "".join(chars)


# ---------------------------------------------------------------------- threads


class ThreadedFakeTelegram:
    """A FakeTelegram running on its own event loop in a daemon thread."""

    def __init__(self, server: FakeTelegram) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-telegram", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self.server.start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> ThreadedFakeTelegram:
        self._thread.start()
        self._ready.wait(10)
        return self

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = 30) -> T:
        """Run a coroutine (e.g. ``user.send(...)``) on the server's loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def call_soon(self, func: Callable[[], T], timeout: float | None = 30) -> T:
        """Run a plain function on the server's loop; the server state is not thread-safe."""

        async def wrapper() -> T:
            return func()

        return self.call(wrapper(), timeout)

    def stop(self) -> None:
        self.call(self.server.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def run_in_thread(**kwargs: Any) -> ThreadedFakeTelegram:
    """Start a FakeTelegram in a background thread; kwargs go to FakeTelegram()."""
    return ThreadedFakeTelegram(FakeTelegram(**kwargs)).start()
