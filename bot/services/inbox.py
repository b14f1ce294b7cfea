"""Questions for the organizers: notifying them of a new one and the asker of the answer.

Both go through the delivery engine, rendered in the recipient's language.
"""

from __future__ import annotations

import logging

from aiogram.utils.i18n import I18n
from aiogram.utils.markdown import html_decoration as hd

from bot.i18n import _, in_locale, locale_for
from bot.keyboards.questions import answer_button
from bot.services.delivery import DeliveryEngine
from db import Database
from db.deliveries import NewDelivery
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


def user_locale(user: User, default: str) -> str:
    return locale_for(user.language, user.telegram_language, default)


def asker_name(asker: User | None) -> str:
    if asker is None:
        return "—"
    name = asker.full_name or str(asker.id)
    return f"{name} (@{asker.username})" if asker.username else name


async def notify_organizers(
    db: Database, engine: DeliveryEngine, i18n: I18n, question: Question, default_locale: str
) -> int:
    """Queue the new question to every organizer, with an Answer button; in the caller's
    transaction. Returns how many were queued."""
    asker = await db.users.get(question.user_id)
    items = []
    for organizer in await db.users.with_role("organizer", "owner"):
        if organizer.blocked_at is not None:
            continue
        with in_locale(i18n, user_locale(organizer, default_locale)):
            text = _("❓ New question #{id} (asked by {name}):\n\n“{text}”").format(
                id=question.id, name=hd.quote(asker_name(asker)), text=quote(question.text)
            )
            markup = answer_button(question.id).model_dump(exclude_none=True)
        items.append(
            NewDelivery(
                user_id=organizer.id,
                kind="question",
                ref=str(question.id),
                dedup_key=f"question:{question.id}:{organizer.id}",
                payload={"text": text, "reply_markup": markup},
                priority=5,
            )
        )
    queued = await db.deliveries.enqueue(items)
    logger.info("Question %s queued to %d organizers", question.id, queued)
    return queued


async def deliver_answer(
    db: Database, i18n: I18n, question: Question, answer: str, default_locale: str
) -> None:
    """Queue the organizers' answer to the asker, in the asker's language (caller's transaction)."""
    asker = await db.users.get(question.user_id)
    if asker is None:  # they asked the bot to forget them meanwhile
        logger.info("Question %s answered, but its asker is gone", question.id)
        return
    with in_locale(i18n, user_locale(asker, default_locale)):
        text = _("💬 Answer from the organizers to your question “{question}”:\n\n{answer}").format(
            question=quote(question.text, 500), answer=hd.quote(answer)
        )
    await db.deliveries.enqueue(
        [
            NewDelivery(
                user_id=asker.id,
                kind="answer",
                ref=str(question.id),
                dedup_key=f"answer:{question.id}",
                payload={"text": text},
                priority=5,
            )
        ]
    )
