"""Helpers for the web server tests: Telegram-signed init data and the app's web server."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from bot.app import App
from bot.web.server import WebServer, web_application
from bot.web.webhook import WebhookHandler


def signed_init_data(
    token: str, user: dict[str, Any], auth_date: float | None = None, **extra: str
) -> str:
    """Init data as Telegram gives it to a Mini App, signed with the bot's token."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(auth_date if auth_date is not None else time.time())),
        **extra,
    }
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def tma(init_data: str) -> dict[str, str]:
    return {"Authorization": f"tma {init_data}"}


@contextlib.asynccontextmanager
async def web_server(
    app: App, webhook: WebhookHandler | None = None, port: int = 0
) -> AsyncIterator[str]:
    """The app's web server on 127.0.0.1 (a free port by default); yields its base URL."""
    server = WebServer(web_application(app, webhook), "127.0.0.1", port)
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()
