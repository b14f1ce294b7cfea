"""The Bot API session: aiogram's aiohttp session, with lighter requests and answers.

Measured in the bot process under load, building requests and parsing answers cost more than
the handlers themselves:
- aiogram sends every request as a form: each field of each button of a keyboard goes through
  its `prepare_value` (None fields included), becomes a JSON string, and the form is then
  percent-encoded character by character (~0.5 ms for a message with ten buttons). The Bot
  API takes a JSON body as well: the method is dumped once, without its empty fields, and
  encoded by `json.dumps` (~0.12 ms). Requests that carry files stay multipart, as aiogram
  sends them.
- Telegram answers a sent or edited message with the whole message, its keyboard and its
  formatting entities included, and aiogram builds a pydantic object for every button and
  every bold or italic span of it (a day's page: ~0.25 ms against ~0.1 ms without). The bot
  reads back only what a message is (its id, chat, text), never the keyboard or the entities
  it has just sent, so those are dropped from the answer before parsing: a message returned
  by a send or an edit has no `reply_markup` and no `entities`.
"""

from __future__ import annotations

import datetime
from enum import Enum
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, TelegramObject
from aiohttp import ClientError
from pydantic import ValidationError

if TYPE_CHECKING:
    from aiogram import Bot

JSON_HEADERS = {"Content-Type": "application/json"}
# What an answer repeats of what the bot sent, and the bot does not read back.
UNREAD = ("reply_markup", "entities", "caption_entities")


class HasFilesError(Exception):
    """The request uploads a file: it goes as multipart."""


def json_value(value: Any, bot: Bot) -> Any:
    """A dumped method's value as the Bot API's JSON takes it; None for "leave it out"."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {
            key: prepared
            for key, item in value.items()
            if (prepared := json_value(item, bot)) is not None
        }
    if isinstance(value, (list, tuple)):
        return [prepared for item in value if (prepared := json_value(item, bot)) is not None]
    if isinstance(value, Default):
        return json_value(bot.default[value.name], bot)
    if isinstance(value, InputFile):
        raise HasFilesError
    if isinstance(value, TelegramObject):
        return json_value(value.model_dump(warnings=False, exclude_none=True), bot)
    if isinstance(value, datetime.timedelta):
        return round((datetime.datetime.now() + value).timestamp())
    if isinstance(value, datetime.datetime):
        return round(value.timestamp())
    if isinstance(value, Enum):
        return json_value(value.value, bot)
    return value


def json_payload(bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any] | None:
    """The method's parameters as a JSON object, or None when it uploads a file."""
    try:
        dumped = method.model_dump(warnings=False, exclude_none=True)
        return {
            key: prepared
            for key, value in dumped.items()
            if (prepared := json_value(value, bot)) is not None and prepared != ""
        }
    except HasFilesError:
        return None


class BotSession(AiohttpSession):
    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        payload = json_payload(bot, method)
        if payload is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=self.json_dumps(payload),
                headers=JSON_HEADERS,
                timeout=self.timeout if timeout is None else timeout,  # type: ignore[arg-type]
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        """A good answer is parsed without what the bot does not read back (UNREAD); anything
        else goes to aiogram, which raises the right error."""
        if not HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED:
            return super().check_response(bot, method, status_code, content)
        try:
            data = self.json_loads(content)
        except ValueError:
            return super().check_response(bot, method, status_code, content)
        if not isinstance(data, dict) or data.get("ok") is not True:
            return super().check_response(bot, method, status_code, content)
        result = data.get("result")
        if isinstance(result, dict):
            for sent_by_the_bot in UNREAD:
                result.pop(sent_by_the_bot, None)
        try:
            response_type = Response[method.__returning__]  # type: ignore[name-defined]
            return cast(
                Response[TelegramType], response_type.model_validate(data, context={"bot": bot})
            )
        except ValidationError as e:
            raise ClientDecodeError("Failed to deserialize object", e, data) from e
