"""A strict fake Telegram Bot API server and simulated users for tests and benchmarks."""

from .html_parser import EntityParseError, parse_html, utf16_len
from .markup import validate_reply_markup
from .models import ApiError, FakeMessage, RequestRecord, StoredFile
from .server import FakeTelegram, ThreadedFakeTelegram, run_in_thread
from .users import FakeUser

__all__ = [
    "ApiError",
    "EntityParseError",
    "FakeMessage",
    "FakeTelegram",
    "FakeUser",
    "RequestRecord",
    "StoredFile",
    "ThreadedFakeTelegram",
    "parse_html",
    "run_in_thread",
    "utf16_len",
    "validate_reply_markup",
]
