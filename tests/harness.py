"""Running the bot for tests: as the real process (`python -m bot run`) or in this event loop.

Both talk to the fake Bot API server through BOT_API_URL, so every request is checked as
strictly as Telegram would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import App, create_app, register_commands
from bot.settings import Settings
from tests.fakeapi import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAE-test-token-for-the-fake-server-0123456789"
OWNER_ID = 900001
# A deadline, not a wait: on a shared machine under load, importing the bot alone has taken
# over 30 s.
START_TIMEOUT = 60.0


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` with this checkout's code and only the given bot settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=env.get("CWD", str(ROOT)),
    )


def bot_env(fake: FakeTelegram, tmp_path: Path, **overrides: Any) -> dict[str, str]:
    """Environment for the bot: the fake server, a fresh database, one owner."""
    env = {
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": fake.base_url,
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "ADMIN_IDS": str(OWNER_ID),
        "LOG_LEVEL": "INFO",
        "PER_CHAT_INTERVAL": "0",
        "PROGRAM_POLL_SECONDS": "1",
    }
    env.update({k.upper(): str(v) for k, v in overrides.items()})
    return env


async def wait_polling(fake: FakeTelegram, since: int = 0, timeout: float = 20.0) -> None:
    """Until the bot has asked for updates (it is then fully started)."""
    await wait_started(fake, False, since, timeout)


def starts_seen(fake: FakeTelegram, webhook: bool) -> int:
    """How often a bot got ready: getUpdates calls, or setWebhook calls in webhook mode."""
    return fake.webhooks_set if webhook else fake.polls_started


async def wait_started(
    fake: FakeTelegram, webhook: bool, since: int = 0, timeout: float = 20.0
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while starts_seen(fake, webhook) <= since:
        if asyncio.get_running_loop().time() > deadline:
            mode = "set its webhook" if webhook else "start polling"
            raise AssertionError(f"the bot did not {mode} in time")
        await asyncio.sleep(0.05)


def free_port() -> int:
    """A TCP port free on this machine now (for the bot's web server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_env(port: int, secret: str = "test-secret_0123456789") -> dict[str, str]:
    """Settings of webhook mode on this machine's loopback, for bot_env(**...)."""
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/webhook",
        "WEBHOOK_SECRET": secret,
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
    }


@dataclass
class BotProcess:
    """The real bot as a child process."""

    fake: FakeTelegram
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _polls_before: int = field(default=0)

    @property
    def webhook(self) -> bool:
        return bool(self.env.get("WEBHOOK_URL"))

    async def start(self, wait: bool = True) -> BotProcess:
        self._polls_before = starts_seen(self.fake, self.webhook)
        # PYTHONPATH: this checkout's code, even where another checkout is pip-installed.
        full_env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        full_env.pop("PYTEST_CURRENT_TEST", None)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(  # noqa: ASYNC220 - started once, not awaited
            [sys.executable, "-m", "bot", "run"],
            cwd=self.log_path.parent,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1
        if wait:
            await self.wait_ready()
        return self

    async def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        try:
            await wait_started(self.fake, self.webhook, self._polls_before, timeout)
        except AssertionError:
            raise AssertionError(f"bot did not start; its log:\n{self.log()}") from None

    async def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, as a service manager would; returns the exit code."""
        return await self._end(signal.SIGTERM, timeout)

    async def kill(self) -> int:
        return await self._end(signal.SIGKILL, 10.0)

    async def _end(self, sig: signal.Signals, timeout: float) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        for _ in range(int(timeout / 0.05)):
            if self.proc.poll() is not None:
                break
            await asyncio.sleep(0.05)
        else:
            self.proc.kill()
            raise AssertionError(f"bot did not stop on {sig.name}; log:\n{self.log()}")
        return self.proc.returncode

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def assert_clean_log(self) -> None:
        """No traceback was logged: every error was expected and handled."""
        text = self.log()
        assert "Traceback" not in text, text


def detach_routers() -> None:
    """The feature routers are module-level objects that aiogram lets join one Dispatcher
    only; free them for this process's next app (aiogram has no public way to do it)."""
    from handlers import routers

    for router in routers():
        router._parent_router = None


@contextlib.asynccontextmanager
async def running_app(fake: FakeTelegram, tmp_path: Path, **overrides: Any) -> AsyncIterator[App]:
    """The real application, polling the fake server inside this event loop."""
    env = bot_env(fake, tmp_path, **overrides)
    settings = Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})  # type: ignore[call-arg]
    detach_routers()
    app = await create_app(settings)
    polls_before = fake.polls_started
    await register_commands(app.bot, app.i18n)
    # Polling emits the dispatcher's startup (the services start) and, at its end, shutdown.
    polling = asyncio.create_task(
        app.dp.start_polling(
            app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1
        )
    )
    try:
        await wait_polling(fake, polls_before)
        yield app
    finally:
        await app.dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await app.bot.session.close()
        detach_routers()
