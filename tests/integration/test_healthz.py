"""/healthz: the database and the delivery queue, as JSON with 200 or 503."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp

from bot.app import App
from db.deliveries import NewDelivery
from tests.fakeapi import FakeTelegram
from tests.harness import running_app
from tests.webapp import web_server


async def health(base: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/healthz") as response:
            return response.status, await response.json()


async def queue_overdue(app: App, n: int) -> None:
    long_ago = app.clock.now() - timedelta(minutes=20)
    items = [NewDelivery(900 + i, "test", {"text": "hello"}, not_before=long_ago) for i in range(n)]
    async with app.db.transaction():
        await app.db.deliveries.enqueue(items)


async def test_healthy_then_a_stopped_engine_then_a_closed_database(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path) as app:
        async with web_server(app) as base:
            status, report = await health(base)
            assert status == 200 and report["status"] == "ok"
            assert report["database"]["ok"] is True and report["mode"] == "polling"
            assert report["queue"]["engine_running"] is True
            assert report["queue"]["pending"] == 0

            # The engine stops: messages due for 20 minutes are stuck, and it says so.
            await app.engine.stop()
            await queue_overdue(app, 3)
            status, report = await health(base)
            assert status == 503 and report["status"] == "fail"
            queue = report["queue"]
            assert queue["engine_running"] is False and queue["due"] == 3
            assert queue["oldest_due_seconds"] >= 1200

            await app.db.close()
            status, report = await health(base)
            assert status == 503 and report["database"]["ok"] is False


async def test_an_engine_that_keeps_sending_is_healthy_with_a_backlog(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path) as app:
        async with web_server(app) as base:
            fake.add_user(900, "A")
            await queue_overdue(app, 1)
            app.engine.wake()
            for _ in range(100):
                status, report = await health(base)
                if report["queue"]["seconds_since_last_send"] is not None:
                    break
                await fake.wait_changed(0.1)
            assert status == 200 and report["queue"]["pending"] == 0
            assert fake.sent_count(900) == 1
