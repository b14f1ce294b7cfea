"""Fixtures shared by every layer of tests.

Starting the real bot process costs seconds (importing aiogram alone takes most of it), so
end-to-end modules share one fake server and one bot process: mark the module with
`pytestmark = pytest.mark.asyncio(loop_scope="module")` and use `shared_fake` / `shared_bot`,
giving each test its own users.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

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


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_bot(
    shared_fake: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    """One real bot process for a whole module; it must be running again after each test."""
    tmp = tmp_path_factory.mktemp("bot")
    process = BotProcess(shared_fake, bot_env(shared_fake, tmp), tmp / "bot.log")
    await process.start()
    try:
        yield process
    finally:
        if process.proc and process.proc.poll() is None:
            await process.stop()
        process.assert_clean_log()
