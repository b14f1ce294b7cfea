"""Webhook mode: aiogram's request handler, with a stop that lets updates being handled finish."""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler

logger = logging.getLogger(__name__)

# How long a stop waits for updates that are being handled (as in polling mode).
IN_FLIGHT_GRACE = 10.0


def webhook_secret(configured: str) -> str:
    """The secret Telegram sends back in every request; a fresh random one if none is set
    (fine for one process; several workers behind a load balancer need WEBHOOK_SECRET)."""
    return configured or secrets.token_urlsafe(32)


class WebhookHandler(SimpleRequestHandler):
    """Answers Telegram at once and handles the update in a task, as polling does.

    A request without the right secret token gets 401 and is not handled. On the server's
    shutdown the tasks under way are awaited; the bot's session stays open for the stop that
    follows (queued messages, the database), so it is not closed here.
    """

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret_token: str, **data: Any) -> None:
        super().__init__(dispatcher, bot, handle_in_background=True, secret_token=secret_token)
        self.data.update(data)
        self.refused = 0

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        accepted = super().verify_secret(telegram_secret_token, bot)
        if not accepted:
            self.refused += 1
            logger.warning("Refused a webhook request without the right secret token")
        return accepted

    @property
    def in_flight(self) -> int:
        return len(self._background_feed_update_tasks)

    async def close(self) -> None:
        pending = set(self._background_feed_update_tasks)
        if pending:
            logger.info("Waiting for %d updates being handled", len(pending))
            _, late = await asyncio.wait(pending, timeout=IN_FLIGHT_GRACE)
            if late:
                logger.warning("%d updates were still being handled at the stop", len(late))
