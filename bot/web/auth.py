"""Who opened the Mini App: Telegram's init data, checked with the bot token."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram.utils.web_app import WebAppInitData, WebAppUser, safe_parse_webapp_init_data

# The page sends the raw init data as `Authorization: tma <init data>`.
SCHEME = "tma "


class AuthError(Exception):
    """The request does not prove who sent it: 401."""


def authenticate(
    token: str, authorization: str | None, now: datetime, max_age: timedelta
) -> WebAppUser:
    """The Telegram user of a request, or AuthError if the init data is missing, forged,
    expired, from the future or carries no user."""
    if not authorization or not authorization.startswith(SCHEME):
        raise AuthError("no init data")
    raw = authorization[len(SCHEME) :].strip()
    try:
        data: WebAppInitData = safe_parse_webapp_init_data(token, raw)
    except ValueError as exc:  # a bad signature, or a signed payload that does not parse
        raise AuthError("init data not valid") from exc
    age = now - data.auth_date
    # A little clock skew is forgiven; init data from further ahead is not Telegram's.
    if age > max_age or age < -timedelta(minutes=5):
        raise AuthError("init data expired")
    if data.user is None:
        raise AuthError("init data without a user")
    return data.user
