"""Validation of reply_markup objects with Telegram's limits and error wording."""

from __future__ import annotations

from typing import Any

from .models import bad_request

MAX_BUTTONS = 100
MAX_ROW = 8
MAX_CALLBACK_BYTES = 64
MAX_PLACEHOLDER = 64

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

REPLY_BUTTON_REQUESTS = (
    "request_contact",
    "request_location",
    "request_poll",
    "request_users",
    "request_chat",
    "web_app",
)


def is_valid_button_url(url: Any) -> bool:
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    lowered = url.lower()
    if lowered.startswith("tg://"):
        return len(url) > len("tg://")
    for scheme in ("http://", "https://"):
        if lowered.startswith(scheme):
            host = url[len(scheme) :].split("/", 1)[0]
            return bool(host) and ("." in host or host.startswith(("localhost", "[")))
    return False


def _rows(markup: dict[str, Any], key: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" must be an Array of Arrays')
    total = sum(len(row) for row in rows)
    if total > MAX_BUTTONS or any(len(row) > MAX_ROW for row in rows):
        raise bad_request("reply markup is too long")
    return rows


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [name for name in INLINE_ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be "
            f"used, got {', '.join(actions)}"
        )
    action = actions[0]
    if action == "callback_data":
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url" and not is_valid_button_url(button["url"]):
        raise bad_request("BUTTON_URL_INVALID")
    elif action == "web_app":
        url = (button["web_app"] or {}).get("url", "")
        if not str(url).lower().startswith("https://"):
            raise bad_request("BUTTON_URL_INVALID")
    elif action == "copy_text":
        copied = (button["copy_text"] or {}).get("text", "")
        if not copied or len(copied) > 256:
            raise bad_request("COPY_TEXT_INVALID")


def _check_reply_button(button: Any, private_chat: bool) -> None:
    if isinstance(button, str):
        button = {"text": button}
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse keyboard button: KeyboardButton must be a String or an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("can't parse keyboard button: Text must be non-empty")
    requests = [name for name in REPLY_BUTTON_REQUESTS if button.get(name)]
    if len(requests) > 1:
        raise bad_request("can't parse keyboard button: only one of the request fields allowed")
    if requests and requests[0] in ("request_contact", "request_location") and not private_chat:
        raise bad_request(
            "keyboard buttons with contact or location requests are allowed only in private chats"
        )


def _check_placeholder(markup: dict[str, Any]) -> None:
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not 1 <= len(str(placeholder)) <= MAX_PLACEHOLDER:
        raise bad_request("can't parse reply keyboard markup JSON object")


def validate_reply_markup(
    markup: Any, *, private_chat: bool = True, inline_only: bool = False
) -> dict[str, Any] | None:
    """Return the markup (normalised) or raise ApiError as Telegram would."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        for row in _rows(markup, "inline_keyboard"):
            for button in row:
                _check_inline_button(button)
        return {"inline_keyboard": markup["inline_keyboard"]}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = _rows(markup, "keyboard")
        if not any(rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                _check_reply_button(button, private_chat)
        _check_placeholder(markup)
        return markup
    if markup.get("remove_keyboard") is True:
        return markup
    if markup.get("force_reply") is True:
        _check_placeholder(markup)
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")
