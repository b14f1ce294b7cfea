"""Polls in a session: native Telegram polls sent to the people who saved the session or
follow its section, through the delivery engine; answers counted from poll-answer updates."""

from __future__ import annotations

import csv
import io
import logging
from html import escape

from aiogram.types import InlineKeyboardMarkup, Message

from bot.i18n import _, ngettext
from bot.keyboards.session_live import poll_results_keyboard
from bot.program.model import Program, Session
from bot.services.audit import audit
from bot.services.notify import Notifier, Payload, Priority
from bot.services.program import ProgramService
from bot.services.registration import formula_safe
from bot.services.schedule_view import cut
from bot.services.session_questions import QuestionService
from db import Database
from db.deliveries import Delivery
from db.session_extras import Poll

logger = logging.getLogger(__name__)

QUESTION_MAX = 300  # Telegram's limits on a poll
OPTION_MAX = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 10
BAR = 10  # characters of a result bar


def parse_poll(text: str) -> tuple[str, list[str]] | str:
    """The first line is the question, each further line an option. Returns (question,
    options), or an error code: question (empty or longer than 300), few, many, long
    (an option over 100), same (two equal options)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines or len(lines[0]) > QUESTION_MAX:
        return "question"
    question, options = lines[0], lines[1:]
    if len(options) < MIN_OPTIONS:
        return "few"
    if len(options) > MAX_OPTIONS:
        return "many"
    if any(len(o) > OPTION_MAX for o in options):
        return "long"
    if len({o.casefold() for o in options}) != len(options):
        return "same"
    return question, options


def poll_error(code: str) -> str:
    return {
        "question": _("The question must be one line of 1 to 300 characters."),
        "few": _("A poll needs at least 2 options, one per line under the question."),
        "many": _("A poll can have at most 10 options."),
        "long": _("Each option can be at most 100 characters."),
        "same": _("Two options are the same."),
    }.get(code, _("This poll cannot be sent."))


def results_view(
    poll: Poll, session: Session | None, counts: list[int], people: int, sent: int, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    title = session.title.get(locale) if session else poll.session_id
    lines = [
        _("📊 <b>Poll results</b> (live)"),
        f"<i>{escape(cut(title, 150))}</i>",
        "",
        f"<b>{escape(poll.question)}</b>",
    ]
    top = max(counts) if counts else 0
    for option, count in zip(poll.options, counts, strict=True):
        share = round(100 * count / people) if people else 0
        bar = "▇" * (round(BAR * count / top) if top else 0)
        lines.append(f"{escape(option)} — {count} ({share}%) {bar}")
    lines += [
        "",
        ngettext(
            "Answered: {people} of {sent} person reached.",
            "Answered: {people} of {sent} people reached.",
            sent,
        ).format(people=people, sent=sent),
    ]
    return "\n".join(lines), poll_results_keyboard(poll.id)


def results_csv(poll: Poll, counts: list[int], people: int) -> bytes:
    """UTF-8 with a BOM, `;`-separated, every cell safe from formulas."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Question"), formula_safe(poll.question)])
    writer.writerow([_("Option"), _("Votes")])
    for option, count in zip(poll.options, counts, strict=True):
        writer.writerow([formula_safe(option), count])
    writer.writerow([_("People who answered"), people])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class PollService:
    def __init__(
        self,
        db: Database,
        programs: ProgramService,
        notifier: Notifier,
        questions: QuestionService,
    ) -> None:
        self.db = db
        self.programs = programs
        self.notifier = notifier
        self.questions = questions
        questions.renderers["poll"] = self._render

    async def audience(self, session: Session) -> list[int]:
        """People who saved the session or follow its section, unless they blocked the bot."""
        people = set(await self.db.agenda.savers(session.id))
        if session.section:
            people |= set(await self.db.agenda.subscribers(session.section))
        return sorted(await self.db.agenda.recipients(people))

    async def start(
        self, session: Session, question: str, options: list[str], actor: int
    ) -> tuple[int, int]:
        """Store the poll and queue it to its audience; (poll id, people queued)."""
        people = await self.audience(session)
        readers = await self.db.agenda.recipients(people)
        payload: Payload = {"kind": "poll", "question": question, "options": options}
        async with self.db.transaction():
            poll_id = await self.db.polls.create(session.id, question, options, actor)
            items = [
                self.notifier.message(
                    uid,
                    readers.get(uid),
                    "poll",
                    lambda _locale: dict(payload),
                    ref=str(poll_id),
                    key=f"poll:{poll_id}:{uid}",
                    priority=Priority.URGENT,
                )
                for uid in people
            ]
            count = await self.notifier.queue(items)
            await audit(self.db, actor, "session.poll", f"#{poll_id} {session.id} {count}")
        return poll_id, count

    async def on_sent(self, delivery: Delivery, message: Message) -> None:
        """Delivery hook: remember whose poll this Telegram poll is."""
        if delivery.kind != "poll" or message.poll is None or not delivery.ref:
            return
        await self.db.polls.sent(
            message.poll.id, int(delivery.ref), delivery.user_id, message.message_id
        )
        self.questions.mark(delivery.ref, "poll")

    async def on_answer(self, telegram_poll_id: str, user_id: int, option_ids: list[int]) -> bool:
        """A poll-answer update (only the bot's own polls produce them). Stored even when the
        engine has not yet recorded whose poll it is; False if it is not known yet."""
        async with self.db.transaction():
            await self.db.polls.answer(telegram_poll_id, user_id, option_ids)
            found = await self.db.polls.by_telegram_id(telegram_poll_id)
        if found is None:
            return False
        self.questions.mark(str(found[0]), "poll")
        return True

    async def results(self, poll: Poll) -> tuple[list[int], int, int]:
        counts, people = await self.db.polls.counts(poll.id, len(poll.options))
        return counts, people, await self.db.polls.recipients(poll.id)

    async def view(self, poll: Poll, locale: str) -> tuple[str, InlineKeyboardMarkup]:
        counts, people, sent = await self.results(poll)
        session = self.programs.program.session(poll.session_id)
        return results_view(poll, session, counts, people, sent, locale)

    async def _render(
        self, user_id: int, kind: str, ref: str, locale: str
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        poll = await self.db.polls.get(int(ref)) if ref.isdigit() else None
        if poll is None:
            return None
        return await self.view(poll, locale)


def session_of(program: Program, poll: Poll) -> Session | None:
    return program.session(poll.session_id)
