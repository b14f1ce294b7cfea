"""Settings from environment variables and an optional `.env` file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

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
    # Sending: just under Telegram's 30 messages per second, ~1 per second to one chat.
    send_rate: float = Field(default=28.0, gt=0)
    paid_broadcast: bool = False
    paid_send_rate: float = Field(default=900.0, gt=0)
    per_chat_interval: float = Field(default=1.0, ge=0)
    # An announcement that fell due while the bot was down is still sent this late.
    missed_grace_minutes: int = Field(default=30, ge=0)
    # Seconds between checks for a program imported by another process.
    program_poll_seconds: float = Field(default=30.0, gt=0)
    # `forum-bot import` nudges the running bot at once (a unix datagram socket); off: only the
    # poll above notices an import.
    import_nudge: bool = True
    # For the demo and tests: the bot's clock starts at this forum-local time and runs on.
    clock_start: datetime | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value
