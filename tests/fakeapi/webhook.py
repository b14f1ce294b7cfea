"""Webhook delivery of the fake server: setWebhook, then updates are POSTed to the bot.

As Telegram does: an update leaves the queue only when the bot's server answers 2xx; any
other answer or a connection error is remembered as the last error and the update is posted
again after a pause. Up to ``max_connections`` updates are in flight at once. The secret token
goes in the ``X-Telegram-Bot-Api-Secret-Token`` header.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from .models import bad_request
from .params import Params

if TYPE_CHECKING:
    from .server import FakeTelegram

SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram waits longer between retries; tests want to see the retry.
RETRY_PAUSE = 0.3
POST_TIMEOUT = 30.0
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None


@dataclass
class Posted:
    """One POST of an update to the webhook and the answer it got (0: no answer)."""

    update_id: int
    status: int
    error: str | None = None
    at: float = field(default_factory=time.time)


class WebhookSender:
    def __init__(self, server: FakeTelegram) -> None:
        self.server = server
        self.hook: Webhook | None = None
        self.sets = 0  # setWebhook calls accepted so far
        self.posted: list[Posted] = []
        self.last_error: tuple[int, str] | None = None
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[int] = set()

    # -------------------------------------------------------------- Bot API methods

    def set(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if not url:
            self.delete()
            return True
        parts = urlsplit(url)
        # Telegram wants https; plain http is let through for this machine's own addresses.
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get_str("secret_token")
        if secret is not None and not SECRET_RE.match(secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        connections = params.get_int("max_connections", 40) or 40
        if not 1 <= connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get_json("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates")
        if params.get_bool("drop_pending_updates"):
            self.server._updates.clear()
        self.server._allowed_updates = allowed or None
        self.hook = Webhook(url, secret, connections, allowed or None)
        self.sets += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="fake-webhook")
        self.server._notify()
        return True

    def delete(self) -> None:
        self.hook = None
        self.server._notify()

    def info(self) -> dict[str, Any]:
        hook = self.hook
        data: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.server._updates),
        }
        if hook:
            data["max_connections"] = hook.max_connections
            if hook.allowed_updates:
                data["allowed_updates"] = hook.allowed_updates
        if self.last_error:
            data["last_error_date"], data["last_error_message"] = self.last_error
        return data

    async def stop(self) -> None:
        self.hook = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -------------------------------------------------------------- delivery

    async def _run(self) -> None:
        tasks: set[asyncio.Task[None]] = set()
        async with aiohttp.ClientSession() as session:
            try:
                while self.hook is not None:
                    hook = self.hook
                    self.server._confirm(0)  # drops updates of types not allowed
                    free = hook.max_connections - len(self._in_flight)
                    waiting = [
                        u for u in self.server._updates if u["update_id"] not in self._in_flight
                    ]
                    for update in waiting[: max(free, 0)]:
                        self._in_flight.add(update["update_id"])
                        task = asyncio.create_task(self._post(session, hook, update))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    await self.server.wait_changed(0.5)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self._in_flight.clear()

    async def _post(
        self, session: aiohttp.ClientSession, hook: Webhook, update: dict[str, Any]
    ) -> None:
        update_id = update["update_id"]
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        status, error, body = 0, None, None
        try:
            async with session.post(
                hook.url,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT),
            ) as response:
                status = response.status
                if response.content_type == "application/json":
                    body = await response.json()
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        self.posted.append(Posted(update_id, status, error))
        try:
            if 200 <= status < 300:
                self.server._updates = [
                    u for u in self.server._updates if u["update_id"] != update_id
                ]
                if isinstance(body, dict) and body.get("method"):
                    await self._answer_method(body)
            else:
                self.last_error = (int(time.time()), error or f"Wrong response: {status}")
                await asyncio.sleep(RETRY_PAUSE)
        finally:
            self._in_flight.discard(update_id)
            self.server._notify()

    async def _answer_method(self, body: dict[str, Any]) -> None:
        """A method in the webhook's answer is executed as Telegram does (result unseen)."""
        method = str(body.pop("method")).lower()
        handler = self.server._handlers.get(method)
        if handler is None:
            return
        with contextlib.suppress(Exception):
            await self.server._call(method, handler, Params(body, {}))
