"""The session middlewares between the bot and Telegram: retries and the send budget.

RetryMiddleware: a reply that meets a 502, a cut connection or a 429 is sent again after a
short wait, so the person still gets an answer. Polling (aiogram backs off by itself) and the
delivery engine (which keeps its own queue and backoff) are left alone.

BudgetMiddleware: every message the bot sends takes a slot of the one send budget
(bot/budget.py), replies before the queue, and a 429 on any call slows every sender.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import (
    CopyMessage,
    CopyMessages,
    ForwardMessage,
    ForwardMessages,
    GetUpdates,
    SendChatAction,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType

from bot.budget import SendBudget, current_lane, take_prepaid

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response

logger = logging.getLogger(__name__)

# Waits before each further attempt; a 429 waits what Telegram asks, up to MAX_RETRY_AFTER.
BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)
MAX_RETRY_AFTER = 30
# False inside the delivery engine, whose queue retries on its own terms, and for the start-up
# checks, which must fail fast: a bot that cannot reach the Bot API says so at once.
retry_requests: ContextVar[bool] = ContextVar("retry_requests", default=True)


@contextmanager
def no_retries() -> Iterator[None]:
    """Requests made inside fail at their first error instead of backing off."""
    token = retry_requests.set(False)
    try:
        yield
    finally:
        retry_requests.reset(token)


class RetryMiddleware(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates) or not retry_requests.get():
            return await make_request(bot, method)
        for wait in BACKOFF:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if exc.retry_after > MAX_RETRY_AFTER:
                    raise
                delay: float = exc.retry_after
                reason: Any = "429"
            except (TelegramServerError, TelegramNetworkError) as exc:
                delay, reason = wait, exc
            logger.warning("%s failed (%s); again in %.1f s", type(method).__name__, reason, delay)
            await asyncio.sleep(delay)
        return await make_request(bot, method)


# Methods that put a new message in a chat: the ones Telegram's 30 a second counts. Edits,
# callback answers and chat actions are not messages and are not paced (a 429 on them still
# slows everyone).
_NOT_MESSAGES = (SendChatAction,)
_MESSAGES_TOO = (CopyMessage, CopyMessages, ForwardMessage, ForwardMessages)


def sends_a_message(method: TelegramMethod[Any]) -> bool:
    if isinstance(method, _NOT_MESSAGES):
        return False
    return type(method).__name__.startswith("Send") or isinstance(method, _MESSAGES_TOO)


class BudgetMiddleware(BaseRequestMiddleware):
    """Paces every message through the shared budget; tells it about every 429."""

    def __init__(self, budget: SendBudget) -> None:
        self.budget = budget

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not sends_a_message(method):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                self.budget.too_many(exc.retry_after)
                raise
        paid = bool(getattr(method, "allow_paid_broadcast", None))
        ticket = take_prepaid() or await self.budget.acquire(current_lane.get(), paid)
        self.budget.sending(ticket)
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter as exc:
            self.budget.answered(ticket, accepted=False)
            self.budget.too_many(exc.retry_after, paid)
            raise
        except BaseException:
            self.budget.answered(ticket, accepted=False)
            raise
        self.budget.answered(ticket, accepted=True)
        return response
