"""The audit log helper every feature calls for an organizer action."""

from __future__ import annotations

import logging

from db import Database

logger = logging.getLogger(__name__)


async def audit(
    db: Database, actor: int | None, action: str, details: str = "", ref: str | None = None
) -> None:
    """Record an organizer action; joins the caller's transaction or opens its own."""
    async with db.transaction():
        await db.audit.add(actor, action, details, ref)
    logger.info("audit: %s %s %s", actor, action, details)
