"""The aiohttp server and the two ways of running the bot: long polling or a webhook.

Webhook mode (WEBHOOK_URL, or `forum-bot run --webhook`): the server receives Telegram's
updates on the path of WEBHOOK_URL, serves the Mini App under /app/ and /healthz. Polling
mode starts the same server without the webhook route when WEB_APP_URL is set, so that the
Mini App works there too.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import MenuButtonWebApp, WebAppInfo
from aiogram.utils.i18n import I18n
from aiohttp import web

from bot.errors import SetupError
from bot.i18n import _, in_locale
from bot.web.health import health_route
from bot.web.miniapp import MiniAppApi
from bot.web.webhook import IN_FLIGHT_GRACE, WebhookHandler, webhook_secret

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PATH = "/webhook"


def webhook_path(url: str) -> str:
    return urlsplit(url).path or DEFAULT_WEBHOOK_PATH


def web_application(app: App, webhook: WebhookHandler | None = None) -> web.Application:
    """The routes: the webhook (if any), the Mini App and its API, /healthz."""
    settings = app.settings
    application = web.Application(client_max_size=1024 * 1024)
    api = MiniAppApi(
        db=app.db,
        programs=app.programs,
        clock=app.clock,
        i18n=app.i18n,
        agenda=app.dp["agenda_service"],
        token=settings.bot_token,
        max_age=timedelta(seconds=settings.web_app_max_age),
        default_locale=settings.default_locale,
    )
    application.router.add_routes(api.routes())

    def extra() -> dict[str, Any]:
        if webhook is None:
            return {"mode": "polling"}
        return {"mode": "webhook", "updates_in_flight": webhook.in_flight}

    application.router.add_routes([health_route(app.db, app.engine, app.clock, extra)])
    if webhook is not None:
        # Also hooks the handler's close on the server's shutdown: updates under way finish.
        webhook.register(application, path=webhook_path(settings.webhook_url))
    return application


@dataclass
class WebServer:
    application: web.Application
    host: str
    port: int
    _runner: web.AppRunner | None = field(default=None, init=False)

    async def start(self) -> None:
        self._runner = web.AppRunner(
            self.application,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=IN_FLIGHT_GRACE,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            raise
        if self.port == 0:  # an ephemeral port (tests): learn which one
            self.port = self._runner.addresses[0][1]
        logger.info("Web server on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening, let the requests and updates under way finish, shut down."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def set_menu_button(bot: Bot, i18n: I18n, url: str, locale: str) -> None:
    """The chat's menu button opens the Mini App, when it has a public https address."""
    if not url.startswith("https://"):
        return
    with in_locale(i18n, locale):
        text = _("Schedule")
    await bot.set_chat_menu_button(
        menu_button=MenuButtonWebApp(text=text, web_app=WebAppInfo(url=url))
    )


async def wait_for_signal(
    signals: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM),
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def serve(app: App, webhook: bool) -> None:
    """Run until SIGINT/SIGTERM: polling or the webhook, with the web server when there is
    one. The dispatcher's startup is emitted before updates can arrive and, at a clean stop,
    its shutdown after the web server stopped (the updates under way finished); a failure
    is left to the caller's shutdown."""
    settings = app.settings
    handler: WebhookHandler | None = None
    secret = ""
    if webhook:
        secret = webhook_secret(settings.webhook_secret)
        handler = WebhookHandler(app.dp, app.bot, secret)
    server: WebServer | None = None
    if webhook or settings.web_app_url:
        server = WebServer(web_application(app, handler), settings.web_host, settings.web_port)
    if handler is None:
        await _serve_polling(app, server)
        return
    assert server is not None
    await app.startup()
    await _start(server, settings.web_host, settings.web_port)
    try:
        await set_menu_button(app.bot, app.i18n, settings.mini_app_url, settings.default_locale)
        try:
            await app.bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=app.dp.resolve_used_update_types(),
                drop_pending_updates=False,
            )
        except TelegramBadRequest as exc:
            url = settings.webhook_url
            raise SetupError(f"Telegram refused WEBHOOK_URL {url}: {exc}") from None
        logger.info("Receiving updates at %s", settings.webhook_url)
        await wait_for_signal()
    finally:
        await server.stop()  # stops listening; the updates under way finish (handler.close)
    await app.shutdown()


async def _start(server: WebServer, host: str, port: int) -> None:
    try:
        await server.start()
    except OSError as exc:
        raise SetupError(f"cannot listen on {host}:{port}: {exc}") from None


async def _serve_polling(app: App, server: WebServer | None) -> None:
    """Long polling (it emits startup and shutdown itself); the web server, if any, stops
    before the shutdown closes the database under it."""
    settings = app.settings
    if server is not None:
        await _start(server, settings.web_host, settings.web_port)
    try:
        await set_menu_button(app.bot, app.i18n, settings.mini_app_url, settings.default_locale)
        if server is None:
            await app.dp.start_polling(app.bot, handle_signals=True, close_bot_session=False)
            return
        polling = asyncio.create_task(
            app.dp.start_polling(app.bot, handle_signals=False, close_bot_session=False)
        )
        signalled = asyncio.create_task(wait_for_signal())
        await asyncio.wait({polling, signalled}, return_when=asyncio.FIRST_COMPLETED)
        signalled.cancel()
        await server.stop()
        server = None
        if not polling.done():
            await app.dp.stop_polling()
        await polling
    finally:
        if server is not None:
            await server.stop()
