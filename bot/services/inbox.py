"""Questions for the organizers: notifying them of a new one and the asker of the answer.

Both go through the delivery engine, rendered in the recipient's language.
"""

from __future__ import annotations

import logging

from aiogram.utils.markdown import html_decoration as hd

from bot.i18n import _
from bot.keyboards.questions import answer_button
from bot.services.notify import Notifier, Payload, Priority, text_payload
from db import Database
from db.questions import Question
from db.users import User

logger = logging.getLogger(__name__)

# Longest quote of a question inside another message, so the message stays within 4096.
QUOTE_LIMIT = 1000
# Longest answer an organizer may send (the quote and the frame take the rest of 4096).
ANSWER_LIMIT = 2800


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return hd.quote(short)


def asker_name(asker: User | None) -> str:
    if asker is None:
        return "—"
    name = asker.full_name or str(asker.id)
    return f"{name} (@{asker.username})" if asker.username else name


async def notify_organizers(db: Database, notifier: Notifier, question: Question) -> int:
    """Queue the new question to every organizer, with an Answer button; in the caller's
    transaction. Returns how many were queued."""
    asker = await db.users.get(question.user_id)

    def content(locale: str) -> Payload:
        text = _("❓ New question #{id} (asked by {name}):\n\n“{text}”").format(
            id=question.id, name=hd.quote(asker_name(asker)), text=quote(question.text)
        )
        return text_payload(text, answer_button(question.id))

    messages = [
        notifier.message(
            organizer.id,
            organizer,
            "question",
            content,
            ref=str(question.id),
            key=f"question:{question.id}:{organizer.id}",
            priority=Priority.URGENT,
        )
        for organizer in await db.users.with_role("organizer", "owner")
        if organizer.blocked_at is None
    ]
    queued = await notifier.queue(messages)
    logger.info("Question %s queued to %d organizers", question.id, queued)
    return queued


async def deliver_answer(db: Database, notifier: Notifier, question: Question, answer: str) -> None:
    """Queue the organizers' answer to the asker, in the asker's language (caller's transaction)."""
    asker = await db.users.get(question.user_id)
    if asker is None:  # they asked the bot to forget them meanwhile
        logger.info("Question %s answered, but its asker is gone", question.id)
        return

    def content(locale: str) -> Payload:
        text = _("💬 Answer from the organizers to your question “{question}”:\n\n{answer}")
        return text_payload(
            text.format(question=quote(question.text, 500), answer=hd.quote(answer))
        )

    await notifier.queue(
        [
            notifier.message(
                asker.id,
                asker,
                "answer",
                content,
                ref=str(question.id),
                key=f"answer:{question.id}",
                priority=Priority.URGENT,
            )
        ]
    )
