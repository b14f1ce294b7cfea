"""The end-of-forum survey: questions from the programme file, offered once the last session
has ended to the people who saved a session and did not turn feedback off. Answers are codes
(a choice's option number, yes / no) or the text typed."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from html import escape

from aiogram.types import InlineKeyboardMarkup

from bot.clock import Clock
from bot.i18n import _, ngettext
from bot.keyboards.session_live import survey_invite_keyboard, survey_question_keyboard
from bot.program.model import ExtraQuestion, Program, QuestionKind
from bot.scheduler import Scheduler
from bot.services.notify import Notifier, Payload, text_payload
from bot.services.program import ProgramService
from bot.services.registration import to_csv
from bot.services.schedule_view import cut
from db import Database

logger = logging.getLogger(__name__)

TICK_SECONDS = 60.0
# A bot started long after the forum does not send the survey any more.
OFFER_WITHIN = timedelta(days=3)


def forum_over_at(program: Program) -> datetime | None:
    """When the last session ends; None without sessions."""
    ends = [s.end_at for s in program.sessions if not s.cancelled]
    return max(ends) if ends else None


def next_question(
    survey: tuple[ExtraQuestion, ...], answered: dict[str, str], after: int = -1
) -> int | None:
    """The index of the next question not answered yet, after `after` (skipped ones stay)."""
    for index in range(after + 1, len(survey)):
        if survey[index].id not in answered:
            return index
    return None


def check_answer(question: ExtraQuestion, value: str) -> str | None:
    """The stored code for an answer, or None if it does not fit the question."""
    value = value.strip()
    if question.kind is QuestionKind.CHOICE:
        return value if any(o.id == value for o in question.options) else None
    if question.kind is QuestionKind.YES_NO:
        return value if value in ("yes", "no") else None
    if not value or len(value) > question.max_length:
        return None
    return value


def invite_payload(program: Program, locale: str) -> Payload:
    count = len(program.survey)
    text = ngettext(
        "🙏 The {forum} is over: thank you for coming! Would you answer {n} short question "
        "about it?",
        "🙏 The {forum} is over: thank you for coming! Would you answer {n} short questions "
        "about it?",
        count,
    ).format(forum=escape(program.forum.short_title.get(locale)), n=count)
    return text_payload(text, survey_invite_keyboard())


def question_view(
    survey: tuple[ExtraQuestion, ...], index: int, locale: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    question = survey[index]
    lines = [
        _("📝 Question {n} of {total}").format(n=index + 1, total=len(survey)),
        "",
        f"<b>{escape(question.text.get(locale))}</b>",
    ]
    if question.kind is QuestionKind.TEXT:
        lines += [
            "",
            _("Write your answer in one message (up to {limit} characters).").format(
                limit=question.max_length
            ),
        ]
    options = [(o.id, o.label.get(locale)) for o in question.options]
    keyboard = survey_question_keyboard(index, question.kind.value, options, question.required)
    return "\n".join(lines), keyboard


def summary_lines(program: Program, answers: list[tuple[str, str, str]], locale: str) -> list[str]:
    """Per question: counts per option, yes/no, or how many texts, for the organizers."""
    if not program.survey:
        return []
    by_question: dict[str, list[str]] = {}
    for question_id, answer, _when in answers:
        by_question.setdefault(question_id, []).append(answer)
    lines = ["", _("📝 <b>Survey</b>")]
    for question in program.survey:
        given = by_question.get(question.id, [])
        lines.append(
            ngettext("• {text}: {n} answer", "• {text}: {n} answers", len(given)).format(
                text=escape(cut(question.text.get(locale), 150)), n=len(given)
            )
        )
        counts = Counter(given)
        if question.kind is QuestionKind.CHOICE:
            for option in question.options:
                label = escape(cut(option.label.get(locale), 80))
                lines.append(f"   {label} — {counts.get(option.id, 0)}")
        elif question.kind is QuestionKind.YES_NO:
            yes, no = _("yes"), _("no")
            lines.append(f"   {yes} — {counts.get('yes', 0)}, {no} — {counts.get('no', 0)}")
    return lines


def answers_csv(program: Program, answers: list[tuple[str, str, str]], locale: str) -> bytes:
    """Every answer without names: question, answer (labels in `locale`), time."""
    questions = {q.id: q for q in program.survey}
    table = []
    for question_id, answer, when in answers:
        question = questions.get(question_id)
        shown = answer
        if question is not None and question.kind is QuestionKind.CHOICE:
            option = next((o for o in question.options if o.id == answer), None)
            shown = option.label.get(locale) if option else answer
        elif question is not None and question.kind is QuestionKind.YES_NO:
            shown = _("yes") if answer == "yes" else _("no")
        moment = datetime.fromisoformat(when).astimezone(program.forum.tz)
        table.append(
            [
                question.text.get(locale) if question else question_id,
                shown,
                moment.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return to_csv([_("Question"), _("Answer"), _("Time")], table)


class SurveyService:
    def __init__(
        self,
        db: Database,
        programs: ProgramService,
        clock: Clock,
        notifier: Notifier,
        scheduler: Scheduler,
    ) -> None:
        self.db = db
        self.programs = programs
        self.clock = clock
        self.notifier = notifier
        self.scheduler = scheduler

    async def start(self) -> None:
        self.scheduler.every("survey-tick", TICK_SECONDS, self.tick)
        await self.tick()

    async def tick(self) -> None:
        try:
            await self.offer()
        except Exception:
            logger.exception("The survey tick failed")

    async def offer(self, now: datetime | None = None) -> int:
        """Once the forum is over: invite each person once (the dedup key)."""
        now = now or self.clock.now()
        program = self.programs.program
        over = forum_over_at(program)
        if not program.survey or over is None:
            return 0
        if now < over:
            self.scheduler.at("survey-at-end", over, self.tick)
            return 0
        if now - over > OFFER_WITHIN:
            return 0
        readers = await self.db.agenda.recipients(await self.db.survey.invitees())
        stamp = program.forum.start_date.isoformat()
        items = [
            self.notifier.message(
                uid,
                reader,
                "survey",
                lambda locale: invite_payload(program, locale),
                ref=stamp,
                key=f"survey:{stamp}:{uid}",
            )
            for uid, reader in readers.items()
        ]
        async with self.db.transaction():
            count = await self.notifier.queue(items)
        if count:
            logger.info("Survey invitations: %d queued", count)
        return count

    async def answer(self, user_id: int, question: ExtraQuestion, value: str) -> bool:
        code = check_answer(question, value)
        if code is None:
            return False
        async with self.db.transaction():
            await self.db.survey.answer(user_id, question.id, code)
        return True
