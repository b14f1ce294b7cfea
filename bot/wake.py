"""A nudge from `forum-bot import` to the running bot, so a new programme is told within moments.

The command line sends one datagram to a unix socket named after the database; the running
bot listens on it and, when nudged, loads the new programme and wakes the delivery engine for
the change notices the import queued. Nobody listening is fine: the bot's slow poll
(PROGRAM_POLL_SECONDS) still picks the import up. On Linux the socket lives in the abstract
namespace (no file to leave behind, no limit on the database path's length); elsewhere it is a
file next to the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

logger = logging.getLogger(__name__)

MESSAGE = b"program"


def wake_address(database_path: Path | str) -> str | bytes:
    resolved = Path(database_path).resolve()
    if sys.platform.startswith("linux"):
        key = hashlib.sha256(str(resolved).encode()).hexdigest()[:32]
        return b"\0forum-bot-" + key.encode()
    return str(resolved.with_name(resolved.name + ".wake"))


def send_wake(database_path: Path | str) -> bool:
    """Nudge the bot running on this database; False if none listens (it will poll)."""
    if str(database_path) == ":memory:":
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            sock.sendto(MESSAGE, wake_address(database_path))
    except OSError as exc:
        logger.debug("No running bot to wake: %s", exc)
        return False
    return True


class WakeListener:
    """Calls `on_wake` after each nudge; nudges that come while it runs make one more run."""

    def __init__(self, database_path: Path | str, on_wake: Callable[[], Awaitable[None]]) -> None:
        self.database_path = database_path
        self.on_wake = on_wake
        self._sock: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def start(self) -> bool:
        if str(self.database_path) == ":memory:":
            return False
        address = wake_address(self.database_path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            if isinstance(address, str):
                with contextlib.suppress(FileNotFoundError):
                    Path(address).unlink()  # left by a bot that was killed
            sock.bind(address)
        except OSError as exc:
            sock.close()
            logger.warning("Cannot listen for import nudges (%s); polling instead", exc)
            return False
        sock.setblocking(False)
        asyncio.get_running_loop().add_reader(sock.fileno(), self._readable)
        self._sock = sock
        return True

    def _readable(self) -> None:
        assert self._sock is not None
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while True:
                self._sock.recv(64)
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._run(), name="wake")

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await self.on_wake()
            except Exception:
                logger.exception("Handling an import nudge failed")
            if not self._again:
                return

    async def stop(self) -> None:
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
            address = self._sock.getsockname()
            self._sock.close()
            self._sock = None
            if isinstance(address, str) and address:
                with contextlib.suppress(OSError):
                    Path(address).unlink()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
