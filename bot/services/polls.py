"""Polls in a session: native Telegram polls sent to the people who saved the session or
follow its section, through the delivery engine; answers counted from poll-answer updates."""

from __future__ import annotations

import logging
import re
from html import escape

from aiogram.types import InlineKeyboardMarkup, Message

from bot.i18n import _, ngettext
from bot.keyboards.session_live import poll_results_keyboard
from bot.program.model import LANGUAGES, Program, Session
from bot.services.audit import audit
from bot.services.notify import Notifier, Payload, Priority
from bot.services.program import ProgramService
from bot.services.registration import to_csv
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


# "[ru] Question?" starts the Russian version of a poll given in several languages.
LANGUAGE_MARK = re.compile(r"^\[(" + "|".join(LANGUAGES) + r")\]\s*(.*)$", re.IGNORECASE)

# A poll in one or more languages: language ("" when not marked) -> (question, options).
Versions = dict[str, tuple[str, list[str]]]


def parse_poll(text: str) -> Versions | str:
    """A poll typed by a moderator: the question on the first line, each further line an
    option; in several languages, each version starts with its language's mark ("[ru]",
    "[be]", "[en]") before the question, and all have as many options. Returns the versions,
    or an error code: question, few, many, long, same (see `poll_error`), twice (a language
    given twice), mismatch (versions with different numbers of options)."""
    blocks: list[tuple[str, list[str]]] = []
    for line in text.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        mark = LANGUAGE_MARK.match(line)
        if mark is not None:
            blocks.append((mark[1].lower(), [mark[2].strip()] if mark[2].strip() else []))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            blocks.append(("", [line]))
    if not blocks:
        return "question"
    if blocks[0][0] == "" and len(blocks) > 1:
        return "question"  # text before the first language mark
    versions: Versions = {}
    for language, lines in blocks:
        if language in versions:
            return "twice"
        parsed = parse_version(lines)
        if isinstance(parsed, str):
            return parsed
        versions[language] = parsed
    if len({len(options) for _q, options in versions.values()}) != 1:
        return "mismatch"
    return versions


def parse_version(lines: list[str]) -> tuple[str, list[str]] | str:
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
        "twice": _("A language is given twice."),
        "mismatch": _("Each language's version needs the same options, in the same order."),
    }.get(code, _("This poll cannot be sent."))


def version_for(versions: Versions, locale: str, default: str) -> tuple[str, list[str]]:
    """The reader's language, else the forum's, else the first given."""
    found = versions.get(locale) or versions.get(default)
    return found if found is not None else next(iter(versions.values()))


def results_view(
    poll: Poll, session: Session | None, counts: list[int], people: int, sent: int, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    title = session.title.get(locale) if session else poll.session_id
    question, options = poll.question, list(poll.options)
    if poll.versions:  # in the reader's language when the poll was given in it
        question, options = version_for(poll.versions, locale, "")
    lines = [
        _("📊 <b>Poll results</b> (live)"),
        f"<i>{escape(cut(title, 150))}</i>",
        "",
        f"<b>{escape(question)}</b>",
    ]
    top = max(counts) if counts else 0
    for option, count in zip(options, counts, strict=True):
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
    """The question, a row per option with its votes, and the number of people who answered
    (the registrations' CSV format: UTF-8 with a BOM, `;`, cells safe from formulas)."""
    table = [[_("Option"), _("Votes")]]
    table += [[option, str(count)] for option, count in zip(poll.options, counts, strict=True)]
    table.append([_("People who answered"), str(people)])
    return to_csv([_("Question"), poll.question], table)


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

    async def start(self, session: Session, versions: Versions, actor: int) -> tuple[int, int]:
        """Store the poll and queue it to its audience, each person in their language;
        (poll id, people queued)."""
        people = await self.audience(session)
        readers = await self.db.agenda.recipients(people)
        default = self.programs.program.forum.default_language
        question, options = version_for(versions, default, default)

        def payload(locale: str) -> Payload:
            asked, choices = version_for(versions, locale, default)
            return {"kind": "poll", "question": asked, "options": choices}

        async with self.db.transaction():
            poll_id = await self.db.polls.create(
                session.id, question, options, actor, versions=versions
            )
            items = [
                self.notifier.message(
                    uid,
                    readers.get(uid),
                    "poll",
                    payload,
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
