"""The audit log helper every feature calls for an organizer action."""

from __future__ import annotations

import logging

from db import Database

logger = logging.getLogger(__name__)


async def audit(
    db: Database,
    actor: int | None,
    action: str,
    details: str = "",
    subject: int | None = None,
    ref: str | None = None,
) -> None:
    """Record an organizer action; joins the caller's transaction or opens its own.

    `details` hold codes and numbers only; the person the action was about is `subject`, whose
    name is looked up when the log is read, so /forget removes it from the log too. `ref` names
    what the entry's buttons act on (edit:12: Undo)."""
    async with db.transaction():
        await db.audit.add(actor, action, details, subject, ref)
    logger.info("audit: %s %s %s %s", actor, action, details, subject or "")
