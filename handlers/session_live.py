"""In the session: questions to the speakers with votes, the moderator view, polls, ratings
and materials (issue 15). Thin: parse the update, call the service, render."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from html import escape

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Message,
    PollAnswer,
)

from bot import deeplinks
from bot.clock import Clock
from bot.i18n import _, fmt_datetime, ngettext
from bot.keyboards.common import main_menu
from bot.keyboards.session_live import (
    AskCb,
    LiveCb,
    MaterialCb,
    PollCb,
    QuestionCb,
    RateCb,
    SurveyCb,
    ask_keyboard,
    comment_keyboard,
    material_done_keyboard,
    materials_keyboard,
    poll_confirm_keyboard,
    section_materials_keyboard,
)
from bot.program.model import ExtraQuestion, Program, QuestionKind, Session
from bot.services.audit import audit
from bot.services.feedback import COMMENT_MAX, FeedbackService
from bot.services.materials import (
    MaterialService,
    Target,
    material_label,
    materials_text,
    parse_link,
    section_materials_text,
    shown_part,
)
from bot.services.polls import PollService, parse_poll, poll_error, results_csv
from bot.services.program import ProgramService
from bot.services.schedule_view import cut, section_label
from bot.services.session_questions import (
    QUESTION_MAX,
    QuestionService,
    ask_open,
    can_moderate,
    program_materials,
)
from bot.services.survey import SurveyService, next_question, question_view
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)

MODERATOR_INVITE_VALID = timedelta(days=7)
FILE_MAX = 20 * 1024 * 1024  # what the Bot API lets a bot download and send again by id
TEXT = F.text & ~F.text.startswith("/")


class LiveForm(StatesGroup):
    question = State()  # the next text is a question to the speakers (data: session)
    anonymity = State()  # the question waits for "with my name" or "anonymously"
    poll = State()  # the next text is a poll: question and options (data: session)
    poll_confirm = State()
    material = State()  # files and links for the session (data: session)
    comment = State()  # the comment on a rating (data: session)
    survey_text = State()  # a text answer to the end-of-forum survey (data: q, its index)


def stale() -> str:
    return _("This button is out of date. Open the menu again.")


def not_moderator() -> str:
    return _("Only the moderators of this session can do this.")


async def send_view(
    message: Message,
    questions: QuestionService,
    user: User,
    kind: str,
    ref: str,
    locale: str,
) -> bool:
    """Send a list (questions, moderator view, poll results) and keep it up to date."""
    view = await questions.render(user.id, kind, ref, locale)
    if view is None:
        return False
    sent = await message.answer(view[0], reply_markup=view[1])
    await questions.shown(user.id, kind, ref, sent.message_id, view)
    return True


# ---------------------------------------------------------------- the session's buttons


@router.callback_query(LiveCb.filter())
async def live_button(
    callback: CallbackQuery,
    callback_data: LiveCb,
    programs: ProgramService,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
    state: FSMContext,
    bot: Bot,
    session_questions: QuestionService,
) -> None:
    message = callback.message if isinstance(callback.message, Message) else None
    action = callback_data.action
    if action in ("xmat", "addx"):
        await section_button(callback, callback_data, programs, db, user, locale, state, message)
        return
    session = programs.program.session(callback_data.id)
    if session is None or message is None:
        await callback.answer(stale(), show_alert=True)
        return
    if action == "ask":
        await start_asking(callback, message, session, clock, db, user, locale, state)
    elif action == "list":
        await callback.answer()
        await send_view(message, session_questions, user, "list", session.id, locale)
    elif action == "mat":
        await callback.answer()
        await send_materials(message, programs.program, session, db, locale)
    elif action in ("mod", "poll", "addm", "inv"):
        if not await can_moderate(db, user, session.id):
            logger.warning("User %s pressed %r without moderating", user.id, callback.data)
            await callback.answer(not_moderator(), show_alert=True)
            return
        await callback.answer()
        if action == "mod":
            await send_view(message, session_questions, user, "mod", session.id, locale)
        elif action == "poll":
            await state.set_state(LiveForm.poll)
            await state.update_data(session=session.id)
            await message.answer(
                _(
                    "📊 New poll for “{title}”. Send the question on the first line and 2 to 10 "
                    "options, one per line under it. It goes to the people who saved the "
                    "session or follow its section, as a Telegram poll. In several languages: "
                    "start each version with [ru], [be] or [en] before its question; each "
                    "person gets theirs."
                ).format(title=escape(cut(session.title.get(locale), 150)))
            )
        elif action == "addm":
            await state.set_state(LiveForm.material)
            await state.update_data(session=session.id, section=None)
            await message.answer(
                _(
                    "📎 Send the files (presentations, documents) for “{title}”, or links "
                    "(“Title — https://…”). Press Done when finished."
                ).format(title=escape(cut(session.title.get(locale), 150))),
                reply_markup=material_done_keyboard(session.id),
            )
        else:
            await moderator_invite(message, session, clock, db, user, locale, bot, programs)
    else:
        await callback.answer(stale(), show_alert=True)


async def section_button(
    callback: CallbackQuery,
    callback_data: LiveCb,
    programs: ProgramService,
    db: Database,
    user: User,
    locale: str,
    state: FSMContext,
    message: Message | None,
) -> None:
    """A section's materials (anyone) and adding one (organizers: speakers moderate
    sessions, not sections)."""
    program = programs.program
    section = program.section(callback_data.id)
    if section is None or message is None:
        await callback.answer(stale(), show_alert=True)
        return
    if callback_data.action == "xmat":
        await callback.answer()
        materials = await db.materials.of_section(section.id)
        linked = [m for m in program.materials if m.section == section.id]
        _links, own, _hidden = shown_part(linked, materials)
        files = [(m.id, material_label(m, locale)) for m in own if m.kind == "file"]
        await message.answer(
            section_materials_text(section, materials, locale, linked),
            reply_markup=section_materials_keyboard(section.id, files),
        )
        return
    if not user.is_organizer:
        logger.warning("User %s pressed %r without the organizer role", user.id, callback.data)
        await callback.answer(_("This is for the forum organizers only."), show_alert=True)
        return
    await callback.answer()
    await state.set_state(LiveForm.material)
    await state.update_data(session=None, section=section.id)
    await message.answer(
        _(
            "📎 Send the files (presentations, documents) for the section “{title}”, or links "
            "(“Title — https://…”). They show on each of its sessions. Press Done when finished."
        ).format(title=escape(cut(section_label(section, locale), 150))),
        reply_markup=material_done_keyboard(None, section.id),
    )


async def moderator_invite(
    message: Message,
    session: Session,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
    bot: Bot,
    programs: ProgramService,
) -> None:
    if not user.is_organizer:  # checked again: speakers cannot make other moderators
        await message.answer(_("This is for the forum organizers only."))
        return
    token = secrets.token_urlsafe(12)
    expires = clock.now() + MODERATOR_INVITE_VALID
    async with db.transaction():
        await db.session_questions.create_invite(token, session.id, user.id, expires)
        await audit(db, user.id, "session.invite", session.id)
    me = await bot.me()
    link = deeplinks.url(me.username or "", "moderator", token)
    until = fmt_datetime(expires.astimezone(programs.program.forum.tz), locale)
    await message.answer(
        _(
            "🔗 One-time link for a speaker of “{title}”, valid until {until}. Whoever opens it "
            "first moderates the questions of this session:\n{link}"
        ).format(title=escape(cut(session.title.get(locale), 150)), until=until, link=escape(link))
    )


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("sm-")))
async def moderator_link_opened(
    message: Message,
    command: CommandObject,
    programs: ProgramService,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
    session_questions: QuestionService,
) -> None:
    link = deeplinks.parse(command.args)
    used = None
    if link is not None and link.kind == "moderator":
        async with db.transaction():
            used = await db.session_questions.use_invite(link.value, user.id, clock.now())
            if used is not None:
                await db.session_questions.add_moderator(used[0], user.id, used[1])
                await audit(db, used[1], "session.moderator", used[0], subject=user.id)
    session = programs.program.session(used[0]) if used else None
    if session is None:
        await message.answer(
            _("This link is used, expired or wrong. Ask the organizers for a new one."),
            reply_markup=main_menu(user.is_organizer),
        )
        return
    await message.answer(
        _("✅ You moderate the questions of “{title}” now.").format(
            title=escape(cut(session.title.get(locale), 150))
        )
    )
    await send_view(message, session_questions, user, "mod", session.id, locale)


@router.message(StateFilter(LiveForm), F.text.startswith("/"))
async def command_leaves_the_dialogue(message: Message, state: FSMContext) -> None:
    """A command typed while a question, poll, material or comment is awaited leaves that
    wait and does what it always does."""
    await state.clear()
    raise SkipHandler


# ---------------------------------------------------------------- asking


async def start_asking(
    callback: CallbackQuery,
    message: Message,
    session: Session,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
    state: FSMContext,
) -> None:
    if not ask_open(session, clock.now()):
        await callback.answer(
            _("Questions are taken from 30 minutes before the session until its end."),
            show_alert=True,
        )
        return
    if await db.session_questions.is_muted(session.id, user.id):
        await callback.answer(
            _("A moderator has closed questions from you in this session."), show_alert=True
        )
        return
    await callback.answer()
    await state.set_state(LiveForm.question)
    await state.update_data(session=session.id)
    await message.answer(
        _(
            "❓ Write your question to the speakers of “{title}” in one message, up to {limit} "
            "characters."
        ).format(title=escape(cut(session.title.get(locale), 150)), limit=QUESTION_MAX)
    )


@router.message(LiveForm.question, TEXT)
async def question_written(message: Message, state: FSMContext, user: User) -> None:
    text = (message.text or "").strip()
    if len(text) > QUESTION_MAX:
        await message.answer(
            _(
                "This question is {length} characters long; the limit is {limit}. Shorten it and "
                "send it again."
            ).format(length=len(text), limit=QUESTION_MAX)
        )
        return
    await state.set_state(LiveForm.anonymity)
    await state.update_data(text=text)
    await message.answer(
        _("Ask with your name or anonymously?"),
        reply_markup=ask_keyboard(user.full_name or _("my name")),
    )


@router.message(LiveForm.question)
async def question_not_text(message: Message) -> None:
    await message.answer(_("Please write the question as text."))


@router.callback_query(AskCb.filter())
async def ask_chosen(
    callback: CallbackQuery,
    callback_data: AskCb,
    state: FSMContext,
    programs: ProgramService,
    user: User,
    session_questions: QuestionService,
) -> None:
    data = await state.get_data()
    session = programs.program.session(str(data.get("session", "")))
    text = str(data.get("text", ""))
    message = callback.message if isinstance(callback.message, Message) else None
    if await state.get_state() != LiveForm.anonymity.state or session is None or not text:
        await callback.answer(stale(), show_alert=True)
        return
    await state.clear()
    if callback_data.action not in ("named", "anon"):
        await callback.answer(_("Cancelled."))
        if message:
            await message.edit_text(_("The question was not sent."))
        return
    asked = await session_questions.ask(session, user, text, callback_data.action == "anon")
    answers = {
        "sent": _(
            "✅ Your question is sent. Others can vote for it; you will be told when it "
            "is answered."
        ),
        "held": _("Your question has a link, so a moderator will look at it before others see it."),
        "muted": _("A moderator has closed questions from you in this session."),
        "too_soon": _("One question a minute, please. Try again in a moment."),
        "closed": _("Questions are taken from 30 minutes before the session until its end."),
        "too_long": _("The question is too long."),
        "empty": _("The question is empty."),
    }
    await callback.answer()
    if message:
        await message.edit_text(answers.get(asked.outcome, _("The question was not sent.")))


# ---------------------------------------------------------------- votes and moderation


@router.callback_query(QuestionCb.filter())
async def question_button(
    callback: CallbackQuery,
    callback_data: QuestionCb,
    db: Database,
    user: User,
    session_questions: QuestionService,
) -> None:
    question = await db.session_questions.get(callback_data.id)
    action = callback_data.action
    if question is None or action not in ("v", "a", "h", "p", "u", "m", "s"):
        await callback.answer(stale(), show_alert=True)
        return
    if action == "v":
        if question.status != "open":
            await callback.answer(_("This question is no longer open for votes."), show_alert=True)
            return
        new = await session_questions.vote(question, user.id)
        await callback.answer(
            _("👍 Your vote is counted.") if new else _("You have already voted for it.")
        )
        return
    # The role is checked on every press: a forged or forwarded button changes nothing.
    if not await can_moderate(db, user, question.session_id):
        logger.warning("User %s pressed %r without moderating", user.id, callback.data)
        await callback.answer(not_moderator(), show_alert=True)
        return
    outcome = await session_questions.moderate(question, action, user)
    await callback.answer(
        {
            "answered": _("Marked answered; the author is told."),
            "hidden": _("Hidden from everyone."),
            "pinned": _("Pinned on top."),
            "unpinned": _("Unpinned."),
            "shown": _("Shown to everyone."),
            "muted": _("The author cannot ask in this session any more."),
        }.get(outcome, _("Nothing to change."))
    )


# ---------------------------------------------------------------- polls


@router.message(LiveForm.poll, TEXT)
async def poll_written(
    message: Message,
    state: FSMContext,
    programs: ProgramService,
    db: Database,
    user: User,
    session_polls: PollService,
) -> None:
    data = await state.get_data()
    session = programs.program.session(str(data.get("session", "")))
    if session is None or not await can_moderate(db, user, session.id):
        await state.clear()
        await message.answer(not_moderator())
        return
    versions = parse_poll(message.text or "")
    if isinstance(versions, str):
        await message.answer(poll_error(versions))
        return
    count = len(await session_polls.audience(session))
    if not count:
        await state.clear()
        await message.answer(
            _("Nobody has saved this session or follows its section yet: the poll was not sent.")
        )
        return
    await state.set_state(LiveForm.poll_confirm)
    await state.update_data(versions=versions)
    lines: list[str] = []
    for language, (question, options) in versions.items():
        mark = f"[{language}] " if language else ""
        lines += ["", f"📊 {mark}<b>{escape(question)}</b>", *(f"• {escape(o)}" for o in options)]
    await message.answer("\n".join(lines[1:]), reply_markup=poll_confirm_keyboard(count))


@router.callback_query(PollCb.filter(F.action.in_({"go", "cancel"})))
async def poll_confirmed(
    callback: CallbackQuery,
    callback_data: PollCb,
    state: FSMContext,
    programs: ProgramService,
    db: Database,
    user: User,
    locale: str,
    session_polls: PollService,
    session_questions: QuestionService,
) -> None:
    data = await state.get_data()
    session = programs.program.session(str(data.get("session", "")))
    message = callback.message if isinstance(callback.message, Message) else None
    if await state.get_state() != LiveForm.poll_confirm.state or session is None or not message:
        await callback.answer(stale(), show_alert=True)
        return
    if not await can_moderate(db, user, session.id):
        await callback.answer(not_moderator(), show_alert=True)
        return
    await state.clear()
    if callback_data.action == "cancel":
        await callback.answer(_("Cancelled."))
        await message.edit_text(_("The poll was not sent."))
        return
    await callback.answer()
    versions = {
        str(language): (str(question), [str(o) for o in options])
        for language, (question, options) in dict(data.get("versions") or {}).items()
    }
    if not versions:
        await message.edit_text(_("The poll was not sent."))
        return
    poll_id, count = await session_polls.start(session, versions, user.id)
    await message.edit_text(
        ngettext(
            "📊 The poll is on its way to {count} person. The results below update live.",
            "📊 The poll is on its way to {count} people. The results below update live.",
            count,
        ).format(count=count)
    )
    await send_view(message, session_questions, user, "poll", str(poll_id), locale)


@router.callback_query(PollCb.filter(F.action.in_({"res", "csv"})))
async def poll_results(
    callback: CallbackQuery,
    callback_data: PollCb,
    db: Database,
    user: User,
    locale: str,
    session_polls: PollService,
    session_questions: QuestionService,
) -> None:
    poll = await db.polls.get(callback_data.id)
    message = callback.message if isinstance(callback.message, Message) else None
    if poll is None or message is None:
        await callback.answer(stale(), show_alert=True)
        return
    if not await can_moderate(db, user, poll.session_id):
        logger.warning("User %s pressed %r without moderating", user.id, callback.data)
        await callback.answer(not_moderator(), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "res":
        await send_view(message, session_questions, user, "poll", str(poll.id), locale)
        return
    counts, people, _sent = await session_polls.results(poll)
    await message.answer_document(
        BufferedInputFile(results_csv(poll, counts, people), f"poll-{poll.id}.csv"),
        caption=_("📥 Poll results (CSV)."),
    )
    await audit(db, user.id, "session.poll_export", f"#{poll.id} {poll.session_id}")


@router.poll_answer()
async def poll_answered(poll_answer: PollAnswer, session_polls: PollService) -> None:
    if poll_answer.user is None:
        return  # answered on behalf of a chat: not ours to count
    counted = await session_polls.on_answer(
        poll_answer.poll_id, poll_answer.user.id, list(poll_answer.option_ids)
    )
    if not counted:
        logger.info("Answer to poll %s kept until its sending is recorded", poll_answer.poll_id)


# ---------------------------------------------------------------- ratings


@router.callback_query(RateCb.filter())
async def rated(
    callback: CallbackQuery,
    callback_data: RateCb,
    programs: ProgramService,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
    state: FSMContext,
    session_feedback: FeedbackService,
) -> None:
    session = programs.program.session(callback_data.id)
    message = callback.message if isinstance(callback.message, Message) else None
    value = callback_data.value
    if session is None or message is None or not 0 <= value <= 5:
        await callback.answer(stale(), show_alert=True)
        return
    if clock.now() < session.end_at:  # a forged button: sessions are rated once they end
        await callback.answer(_("This session can be rated once it has ended."), show_alert=True)
        return
    if value == 0:
        rating = await db.feedback.rating(session.id, user.id)
        if rating is None or rating.comment:
            await callback.answer(_("You have already left your feedback."), show_alert=True)
            return
        await callback.answer()
        await state.set_state(LiveForm.comment)
        await state.update_data(session=session.id)
        await message.answer(
            _(
                "💬 Write your comment on “{title}” in one message (up to {limit} characters)."
            ).format(title=escape(cut(session.title.get(locale), 150)), limit=COMMENT_MAX)
        )
        return
    if not await session_feedback.rate(session, user.id, value):
        await callback.answer(_("You have already rated this session."), show_alert=True)
        return
    await callback.answer(_("Thank you!"))
    await message.edit_text(
        _("⭐ Your rating of “{title}”: {stars}. Thank you! A comment is welcome too.").format(
            title=escape(cut(session.title.get(locale), 150)), stars="⭐" * value
        ),
        reply_markup=comment_keyboard(session.id),
    )


@router.message(LiveForm.comment, TEXT)
async def comment_written(
    message: Message,
    state: FSMContext,
    programs: ProgramService,
    user: User,
    session_feedback: FeedbackService,
) -> None:
    text = (message.text or "").strip()
    if len(text) > COMMENT_MAX:
        await message.answer(
            _("The comment is {length} characters long; the limit is {limit}.").format(
                length=len(text), limit=COMMENT_MAX
            )
        )
        return
    data = await state.get_data()
    await state.clear()
    stored = await session_feedback.comment(str(data.get("session", "")), user.id, text)
    await message.answer(
        _("💬 Thank you for the comment.") if stored else _("You have already left your feedback.")
    )


# ---------------------------------------------------------------- materials


async def send_materials(
    message: Message, program: Program, session: Session, db: Database, locale: str
) -> None:
    materials = await db.materials.of(session.id, session.section)
    linked = program_materials(program, session)
    _links, own, _hidden = shown_part(linked, materials)
    files = [(m.id, material_label(m, locale)) for m in own if m.kind == "file"]
    await message.answer(
        materials_text(session, materials, locale, linked),
        reply_markup=materials_keyboard(session.id, files),
    )


@router.callback_query(MaterialCb.filter())
async def material_button(
    callback: CallbackQuery,
    callback_data: MaterialCb,
    db: Database,
    state: FSMContext,
) -> None:
    message = callback.message if isinstance(callback.message, Message) else None
    if callback_data.action == "done":
        await state.clear()
        await callback.answer(_("Done."))
        return
    material = await db.materials.get(callback_data.id)
    if material is None or material.kind != "file" or not material.file_id or message is None:
        await callback.answer(_("This material is no longer available."), show_alert=True)
        return
    await callback.answer()
    await message.answer_document(material.file_id, caption=escape(material.title))


async def material_target(
    state: FSMContext, programs: ProgramService, db: Database, user: User
) -> Target | None:
    """What the materials being sent are for, if the person may still add them (checked on
    every message): a session's moderators, or organizers for a section."""
    data = await state.get_data()
    program = programs.program
    section = program.section(str(data.get("section") or ""))
    if section is not None and user.is_organizer:
        return Target.of_section(program, section)
    session = program.session(str(data.get("session") or ""))
    if session is not None and await can_moderate(db, user, session.id):
        return Target.of_session(session)
    await state.clear()
    return None


@router.message(LiveForm.material, F.document)
async def material_file(
    message: Message,
    state: FSMContext,
    programs: ProgramService,
    db: Database,
    user: User,
    session_materials: MaterialService,
) -> None:
    target = await material_target(state, programs, db, user)
    document = message.document
    if target is None or document is None:
        await message.answer(not_moderator())
        return
    if document.file_size and document.file_size > FILE_MAX:
        await message.answer(_("This file is over 20 MB: share it as a link instead."))
        return
    title = document.file_name or _("Document")
    await session_materials.add(
        target, user.id, title=title, file_id=document.file_id, file_size=document.file_size
    )
    await message.answer(
        _("✅ Added: {title}. Send more or press Done.").format(title=escape(title)),
        reply_markup=material_done_keyboard(target.session_id, target.section_id),
    )


@router.message(LiveForm.material, TEXT)
async def material_link(
    message: Message,
    state: FSMContext,
    programs: ProgramService,
    db: Database,
    user: User,
    session_materials: MaterialService,
) -> None:
    target = await material_target(state, programs, db, user)
    if target is None:
        await message.answer(not_moderator())
        return
    parsed = parse_link(message.text or "")
    if parsed is None:
        await message.answer(_("Send a file, or a link as “https://…” or “Title — https://…”."))
        return
    title, url = parsed
    await session_materials.add(target, user.id, title=title, url=url)
    await message.answer(
        _("✅ Added: {title}. Send more or press Done.").format(title=escape(title)),
        reply_markup=material_done_keyboard(target.session_id, target.section_id),
    )


@router.message(LiveForm.material)
async def material_other(message: Message) -> None:
    await message.answer(_("Send a file, or a link as “https://…” or “Title — https://…”."))


# ---------------------------------------------------------------- the end-of-forum survey


async def show_question(
    message: Message,
    survey: tuple[ExtraQuestion, ...],
    index: int,
    locale: str,
    state: FSMContext,
) -> None:
    text, markup = question_view(survey, index, locale)
    if survey[index].kind is QuestionKind.TEXT:
        await state.set_state(LiveForm.survey_text)
        await state.update_data(q=index)
    elif await state.get_state() == LiveForm.survey_text.state:
        await state.clear()
    await message.answer(text, reply_markup=markup)


async def survey_next(
    message: Message,
    survey: tuple[ExtraQuestion, ...],
    db: Database,
    user: User,
    locale: str,
    state: FSMContext,
    after: int,
) -> None:
    index = next_question(survey, await db.survey.of_user(user.id), after)
    if index is None:
        if await state.get_state() == LiveForm.survey_text.state:
            await state.clear()
        await message.answer(_("✅ Thank you! Your answers are saved."))
        return
    await show_question(message, survey, index, locale, state)


@router.callback_query(SurveyCb.filter())
async def survey_button(
    callback: CallbackQuery,
    callback_data: SurveyCb,
    programs: ProgramService,
    db: Database,
    user: User,
    locale: str,
    state: FSMContext,
    session_survey: SurveyService,
) -> None:
    survey = programs.program.survey
    message = callback.message if isinstance(callback.message, Message) else None
    action, index = callback_data.action, callback_data.q
    if not survey or message is None or action not in ("start", "ans", "skip"):
        await callback.answer(stale(), show_alert=True)
        return
    if action == "start":
        if next_question(survey, await db.survey.of_user(user.id)) is None:
            await callback.answer(_("You have answered the survey. Thank you!"), show_alert=True)
            return
        await callback.answer()
        await survey_next(message, survey, db, user, locale, state, -1)
        return
    if not 0 <= index < len(survey):
        await callback.answer(stale(), show_alert=True)
        return
    question = survey[index]
    if action == "skip" and question.required:
        await callback.answer(_("This question needs an answer."), show_alert=True)
        return
    if action == "ans" and not await session_survey.answer(user.id, question, callback_data.value):
        await callback.answer(stale(), show_alert=True)
        return
    await callback.answer()
    await survey_next(message, survey, db, user, locale, state, index)


@router.message(LiveForm.survey_text, TEXT)
async def survey_text(
    message: Message,
    programs: ProgramService,
    db: Database,
    user: User,
    locale: str,
    state: FSMContext,
    session_survey: SurveyService,
) -> None:
    survey = programs.program.survey
    index = int((await state.get_data()).get("q", -1))
    if not 0 <= index < len(survey) or survey[index].kind is not QuestionKind.TEXT:
        await state.clear()
        await message.answer(_("The survey has changed meanwhile. Open it again from its message."))
        return
    question = survey[index]
    text = (message.text or "").strip()
    if len(text) > question.max_length:
        await message.answer(
            _("The answer is {length} characters long; the limit is {limit}.").format(
                length=len(text), limit=question.max_length
            )
        )
        return
    await session_survey.answer(user.id, question, text)
    await survey_next(message, survey, db, user, locale, state, index)
