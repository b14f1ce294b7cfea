"""/healthz: is the database answering, and is the delivery queue moving? JSON, 200 or 503."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.services.delivery import DeliveryEngine
from db import Database

logger = logging.getLogger(__name__)

# Due messages waiting this long while nothing was sent means the engine is stuck.
STALL_AFTER = timedelta(minutes=5)


def _age(iso: str | None, now: datetime) -> float | None:
    if iso is None:
        return None
    return round((now - datetime.fromisoformat(iso)).total_seconds(), 1)


async def health_report(
    db: Database, engine: DeliveryEngine, clock: Clock, extra: dict[str, Any] | None = None
) -> tuple[bool, dict[str, Any]]:
    """(healthy, report). The queue counts are read on the bot's clock (what is due), the
    last send on the machine's (rows are stamped with real time)."""
    report: dict[str, Any] = {**(extra or {})}
    started = time.perf_counter()
    try:
        state = await db.deliveries.queue_state(clock.now())
    except (sqlite3.Error, ValueError) as exc:  # ValueError: the connection is closed
        logger.error("Health check: the database does not answer: %s", exc)
        report["database"] = {"ok": False, "error": str(exc)}
        report["status"] = "fail"
        return False, report
    report["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}
    real_now = datetime.now(UTC)
    oldest_due = _age(state.oldest_due, clock.now())
    since_send = _age(state.last_finished, real_now)
    stalled = (
        state.due > 0
        and oldest_due is not None
        and oldest_due > STALL_AFTER.total_seconds()
        and (since_send is None or since_send > STALL_AFTER.total_seconds())
    )
    report["queue"] = {
        "ok": engine.running and not stalled,
        "engine_running": engine.running,
        "pending": state.pending,
        "due": state.due,
        "sending": state.sending,
        "oldest_due_seconds": oldest_due,
        "seconds_since_last_send": since_send,
    }
    healthy = report["queue"]["ok"]
    report["status"] = "ok" if healthy else "fail"
    return healthy, report


def health_route(
    db: Database,
    engine: DeliveryEngine,
    clock: Clock,
    extra: Callable[[], dict[str, Any]] = dict,
) -> web.RouteDef:
    async def healthz(request: web.Request) -> web.Response:
        healthy, report = await health_report(db, engine, clock, extra())
        return web.json_response(
            report, status=200 if healthy else 503, headers={"Cache-Control": "no-store"}
        )

    return web.get("/healthz", healthz)
