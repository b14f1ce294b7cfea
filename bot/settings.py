"""Settings from environment variables and an optional `.env` file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.program.model import LANGUAGES

SAMPLE_PROGRAM = Path(__file__).parent / "program" / "sample_forum.yaml"
TELEGRAM_API_URL = "https://api.telegram.org"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str = ""
    bot_api_url: str = TELEGRAM_API_URL
    database_path: Path = Path("data/forum.sqlite3")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    program_file: Path = SAMPLE_PROGRAM
    default_locale: str = "ru"
    log_level: str = "INFO"
    # Sending: Telegram's 30 messages per second in all (replies and broadcasts share it; a
    # rolling window and a slow-down on 429 keep the bot under it: see bot/budget.py and the
    # README's benchmarks), ~1 per second to one chat.
    send_rate: float = Field(default=30.0, gt=0)
    paid_broadcast: bool = False
    paid_send_rate: float = Field(default=900.0, gt=0)
    per_chat_interval: float = Field(default=1.0, ge=0)
    # An announcement that fell due while the bot was down is still sent this late.
    missed_grace_minutes: int = Field(default=30, ge=0)
    # The user rows and dialogue states of this many most recently active people stay in
    # memory (about 1 KB each); the others are read from the database when they write.
    cache_size: int = Field(default=5000, ge=0)
    # Seconds between checks for a program imported by another process.
    program_poll_seconds: float = Field(default=30.0, gt=0)
    # `forum-bot import` nudges the running bot at once (a unix datagram socket); off: only the
    # poll above notices an import.
    import_nudge: bool = True
    # For the demo and tests: the bot's clock starts at this forum-local time and runs on.
    clock_start: datetime | None = None
    log_format: Literal["text", "json"] = "text"
    # Webhook mode: Telegram posts updates to WEBHOOK_URL, the bot's web server listens on
    # WEB_HOST:WEB_PORT behind a reverse proxy (see bot/web/ and deploy/).
    webhook_url: str = ""
    webhook_secret: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    # The public https address of the schedule Mini App; default: /app/ beside WEBHOOK_URL.
    web_app_url: str = ""
    # How long Telegram's init data of the Mini App stays valid, in seconds.
    web_app_max_age: int = Field(default=86400, gt=0)

    @property
    def mini_app_url(self) -> str:
        """The Mini App's public address, or "" if there is none (Telegram wants https)."""
        if self.web_app_url:
            return self.web_app_url
        if self.webhook_url.startswith("https://"):
            parts = urlsplit(self.webhook_url)
            return f"https://{parts.netloc}/app/"
        return ""

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("webhook_url", "web_app_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) address")
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value
