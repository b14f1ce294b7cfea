"""Decoding of Bot API request parameters from form, multipart, JSON and query strings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .models import ApiError, bad_request

# Fields whose values arrive as JSON strings in form-encoded requests.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "media",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "menu_button",
        "message_ids",
        "results",
        "permissions",
        "options",
    }
)

_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str | None = None

    def __repr__(self) -> str:
        return f"<upload {self.filename} {len(self.content)}B>"


class Params:
    """Typed access to request parameters with Telegram-like errors for bad values."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, Upload):
            raise bad_request(f'field "{name}" must be of type String')
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(
        self, name: str, default: int | None = None, *, required: bool = False
    ) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            if required:
                raise bad_request(f"{name} is empty")
            return default
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def get_float(self, name: str, *, required: bool = True) -> float | None:
        value = self.values.get(name)
        if value in (None, ""):
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Float') from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        """The decoded value of a JSON field (already decoded while parsing)."""
        return self.values.get(name)

    def loggable(self) -> dict[str, Any]:
        """The values as a form body carries them, whichever encoding the request used: a JSON
        body's numbers and booleans are logged as the strings a form would send (`"true"`,
        `"42"`), so that what tests read from the log does not depend on the encoding."""
        return {name: _as_form(value) for name, value in self.values.items()}


def _as_form(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _decode_json_fields(values: dict[str, Any]) -> None:
    for name in JSON_FIELDS & values.keys():
        value = values[name]
        if not isinstance(value, str):
            continue
        try:
            values[name] = json.loads(value)
        except ValueError:
            raise bad_request(_JSON_ERRORS.get(name, f"can't parse {name} JSON object")) from None


async def read_params(request: web.Request) -> Params:
    """Collect parameters from the query string and any body encoding aiogram or curl uses."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON request body must be an object")
            values.update(body)
        else:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    upload = Upload(value.filename or name, value.file.read(), value.content_type)
                    uploads[name] = upload
                    values[name] = upload
                else:
                    values[name] = value
    _decode_json_fields(values)
    return Params(values, uploads)
