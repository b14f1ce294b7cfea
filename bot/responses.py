"""Keeps aiogram's parametrized response models alive between requests.

aiogram parses every Bot API answer as `Response[<the method's result type>]`, a pydantic
generic model made on demand. pydantic keeps such models in a cache of weak references: once
the garbage collector has run, the next answer of that type builds the model and its schema
again, about 15 ms (in the update benchmark `Response[bool]`, `Response[Message]` and
`Response[Union[Message, bool]]` were rebuilt 54 times in 1,800 updates, 0.45 ms an update on
average). Holding a reference to each one made keeps it built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot


class KeepResponseModels(BaseRequestMiddleware):
    def __init__(self) -> None:
        self.kept: dict[Any, type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self.kept:
            self.kept[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
