"""Fixtures shared by every layer of tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from tests.fakeapi import FakeTelegram
from tests.harness import BotProcess, bot_env, running_app


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    async with running_app(fake, tmp_path) as running:
        yield running


@pytest.fixture
def bot_process(fake: FakeTelegram, tmp_path: Path) -> BotProcess:
    """The real bot process (not started); tests call `await bot_process.start()`."""
    return BotProcess(fake, bot_env(fake, tmp_path), tmp_path / "bot.log")
