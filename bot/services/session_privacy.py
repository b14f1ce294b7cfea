"""What /mydata shows of the session features: questions, votes, poll answers, ratings."""

from __future__ import annotations

from html import escape

from bot.i18n import _, ngettext
from bot.program.model import Program, QuestionKind
from bot.services.schedule_view import cut
from db import Database


def _title(program: Program, session_id: str | None, locale: str) -> str:
    session = program.session(session_id or "")
    return escape(cut(session.title.get(locale) if session else session_id or "—", 80))


async def session_data_blocks(
    db: Database, program: Program, user_id: int, locale: str
) -> list[list[str]]:
    blocks: list[list[str]] = []
    states = {
        "held": _("waiting for a moderator"),
        "open": _("open"),
        "answered": _("answered"),
        "hidden": _("hidden by a moderator"),
    }
    questions = await db.session_questions.of_user(user_id)
    if questions:
        lines = [_("<b>Questions to the speakers</b>")]
        for q in questions:
            who = _("anonymously") if q.anonymous else _("with your name")
            title = _title(program, q.session_id, locale)
            state = states.get(q.status, q.status)
            lines.append(f"• {title}: «{escape(cut(q.text, 200))}» — {who}, {state}")
        blocks.append(lines)
    votes = await db.session_questions.votes_of_user(user_id)
    if votes:
        blocks.append(
            [
                ngettext(
                    "<b>Votes for questions</b>: {n}", "<b>Votes for questions</b>: {n}", len(votes)
                ).format(n=len(votes))
            ]
        )
    answers = await db.polls.answers_of_user(user_id)
    if answers:
        lines = [_("<b>Poll answers</b>")]
        for a in answers:
            lines.append(
                "• {title}: «{question}»".format(
                    title=_title(program, str(a.get("session_id") or ""), locale),
                    question=escape(cut(str(a.get("question") or ""), 150)),
                )
            )
        blocks.append(lines)
    ratings = await db.feedback.of_user(user_id)
    if ratings:
        lines = [_("<b>Your ratings of sessions</b>")]
        for r in ratings:
            line = "• {title}: {stars}".format(
                title=_title(program, r.session_id, locale), stars="⭐" * r.rating
            )
            if r.comment:
                line += f" — «{escape(cut(r.comment, 200))}»"
            lines.append(line)
        blocks.append(lines)
    survey = await db.survey.of_user(user_id)
    if survey:
        questions = {q.id: q for q in program.survey}
        lines = [_("<b>Your survey answers</b>")]
        for question_id, answer in survey.items():
            question = questions.get(question_id)
            shown = answer
            if question is not None:
                option = next((o for o in question.options if o.id == answer), None)
                if option is not None:
                    shown = option.label.get(locale)
                elif question.kind is QuestionKind.YES_NO:
                    shown = _("yes") if answer == "yes" else _("no")
            title = question.text.get(locale) if question else question_id
            lines.append(f"• {escape(cut(title, 100))}: «{escape(cut(shown, 200))}»")
        blocks.append(lines)
    if await db.feedback.is_off(user_id):
        blocks.append([_("Feedback requests after sessions: off")])
    return blocks
