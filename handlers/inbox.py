"""The organizers' inbox: open questions, answering one, the answer reaching the asker."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.markdown import html_decoration as hd

from bot.filters import organizer_only
from bot.i18n import _, fmt_datetime, language_name, ngettext
from bot.keyboards.common import MenuCb
from bot.keyboards.questions import (
    INBOX_PAGE,
    FaqLangCb,
    InboxCb,
    cancel_answer_keyboard,
    faq_languages_keyboard,
    faq_save_keyboard,
    inbox_keyboard,
)
from bot.program.model import LANGUAGES
from bot.services.audit import audit
from bot.services.inbox import ANSWER_LIMIT, asker_name, deliver_answer, quote
from bot.services.notify import Notifier
from bot.services.program import ProgramService
from bot.services.search import question_keywords
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)
organizer_only(router)


class InboxStates(StatesGroup):
    answering = State()  # data: question_id
    faq_question = State()  # data: faq_id, faq_lang
    faq_answer = State()  # data: faq_id, faq_lang, faq_question


def asked_when(iso: str, programs: ProgramService, locale: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(programs.program.forum.tz)
    return fmt_datetime(moment, locale)


async def inbox_page(
    db: Database, programs: ProgramService, locale: str, page: int
) -> tuple[str, list[int], int]:
    """The text of one page of open questions, their ids and the number of pages."""
    total = await db.questions.count_open()
    if total == 0:
        return _("📭 No open questions."), [], 1
    pages = -(-total // INBOX_PAGE)
    page = min(max(page, 0), pages - 1)
    questions = await db.questions.open_questions(INBOX_PAGE, page * INBOX_PAGE)
    lines = [
        ngettext(
            "📬 <b>{count} open question</b>", "📬 <b>{count} open questions</b>", total
        ).format(count=total)
    ]
    for question in questions:
        asker = await db.users.get(question.user_id)
        name = hd.quote(asker_name(asker))
        when = asked_when(question.asked_at, programs, locale)
        item = _("<b>#{id}</b> · {name} · {when}\n“{text}”").format(
            id=question.id, name=name, when=when, text=quote(question.text, 300)
        )
        lines.append("\n" + item)
    return "\n".join(lines), [q.id for q in questions], pages


async def send_inbox(
    message: Message, db: Database, programs: ProgramService, locale: str, page: int = 0
) -> None:
    text, ids, pages = await inbox_page(db, programs, locale, page)
    await message.answer(text, reply_markup=inbox_keyboard(ids, page, pages) if ids else None)


@router.message(Command("inbox"))
async def inbox_command(
    message: Message, db: Database, programs: ProgramService, locale: str
) -> None:
    await send_inbox(message, db, programs, locale)


@router.callback_query(MenuCb.filter(F.action == "adm_inbox"))
async def inbox_menu_button(
    callback: CallbackQuery, db: Database, programs: ProgramService, locale: str
) -> None:
    await callback.answer()
    if callback.message and not isinstance(callback.message, InaccessibleMessage):
        await send_inbox(callback.message, db, programs, locale)


@router.callback_query(InboxCb.filter(F.action == "list"))
async def inbox_page_button(
    callback: CallbackQuery,
    callback_data: InboxCb,
    db: Database,
    programs: ProgramService,
    locale: str,
) -> None:
    await callback.answer()
    if callback.message and not isinstance(callback.message, InaccessibleMessage):
        await send_inbox(callback.message, db, programs, locale, callback_data.page)


@router.callback_query(InboxCb.filter(F.action == "answer"))
async def answer_button(
    callback: CallbackQuery, callback_data: InboxCb, db: Database, state: FSMContext
) -> None:
    question = await db.questions.get(callback_data.id)
    message = callback.message
    if question is None or question.status == "draft":
        await callback.answer(_("This question no longer exists."), show_alert=True)
        return
    if question.status == "answered":
        who = await db.users.get(question.answered_by or 0)
        await callback.answer(
            _("This question has already been answered by {name}.").format(
                name=who.full_name if who else "—"
            ),
            show_alert=True,
        )
        return
    await callback.answer()
    await state.set_state(InboxStates.answering)
    await state.update_data(question_id=question.id)
    if message is not None and not isinstance(message, InaccessibleMessage):
        await message.answer(
            _("✍️ Write your answer to question #{id}:\n“{text}”").format(
                id=question.id, text=quote(question.text, 1000)
            ),
            reply_markup=cancel_answer_keyboard(),
        )


@router.callback_query(InboxCb.filter(F.action == "cancel"))
async def cancel_button(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await callback.answer(_("Cancelled."))
    if callback.message and not isinstance(callback.message, InaccessibleMessage):
        await callback.message.edit_reply_markup(reply_markup=None)


async def too_long(message: Message, text: str) -> bool:
    """Refuse an answer that would not fit in the message to the asker."""
    if len(text) <= ANSWER_LIMIT:
        return False
    await message.answer(
        _("The answer is too long ({length} characters); please keep it within {limit}.").format(
            length=len(text), limit=ANSWER_LIMIT
        )
    )
    return True


@router.message(InboxStates.answering, F.text, ~F.text.startswith("/"))
async def answer_typed(
    message: Message,
    state: FSMContext,
    db: Database,
    notifier: Notifier,
    user: User,
) -> None:
    text = (message.text or "").strip()
    if await too_long(message, text):
        return
    data = await state.get_data()
    question_id = int(data.get("question_id", 0))
    async with db.transaction():
        answered = await db.questions.answer(question_id, text, user.id)
        question = await db.questions.get(question_id)
        if answered and question is not None:
            await deliver_answer(db, notifier, question, text)
    await state.clear()
    if not answered or question is None:
        await message.answer(_("This question has already been answered or no longer exists."))
        return
    logger.info("Organizer %s answered question %s", user.id, question_id)
    asker = await db.users.get(question.user_id)
    await message.answer(
        _(
            "✅ Your answer to question #{id} is on its way to {name}. If others may ask the "
            "same, save it as an FAQ answer: the bot will then answer them at once."
        ).format(id=question_id, name=hd.quote(asker_name(asker))),
        reply_markup=faq_save_keyboard(question_id),
    )


@router.callback_query(InboxCb.filter(F.action == "faq"))
async def save_as_faq(
    callback: CallbackQuery,
    callback_data: InboxCb,
    db: Database,
    programs: ProgramService,
    notifier: Notifier,
    user: User,
) -> None:
    """Keep an answered question as an FAQ entry, in the asker's language, found by the
    asker's words; it survives program imports (its own table) and joins the program."""
    entry_id = f"inbox-{callback_data.id}"
    async with db.transaction():
        question = await db.questions.get(callback_data.id)
        saved = False
        if question is not None and question.status == "answered" and question.answer:
            asker = await db.users.get(question.user_id)
            language = notifier.locale_of(asker)
            saved = await db.faq.add(
                entry_id,
                {language: quote_plain(question.text)},
                {language: question.answer},
                question_keywords(question.text),
                question.id,
                user.id,
            )
            if saved:
                await audit(db, user.id, "faq_saved", entry_id)
    if not saved:
        await callback.answer(
            _("This answer is already saved or the question no longer exists."), show_alert=True
        )
        return
    await programs.faq_saved()
    await callback.answer(_("Saved."))
    if callback.message and not isinstance(callback.message, InaccessibleMessage):
        await callback.message.edit_reply_markup(reply_markup=None)
        await callback.message.answer(
            _(
                "💾 Saved as an FAQ answer: the next person who asks this gets your answer at "
                "once. It stays when a new programme is imported. You can add its versions in "
                "other languages:"
            ),
            reply_markup=faq_languages_keyboard(entry_id, missing_languages(language)),
        )


def missing_languages(*present: str) -> list[str]:
    return [lang for lang in LANGUAGES if lang not in present]


@router.callback_query(FaqLangCb.filter())
async def faq_language_button(
    callback: CallbackQuery, callback_data: FaqLangCb, db: Database, state: FSMContext
) -> None:
    """Add a saved FAQ entry's version in another language: the question, then the answer."""
    entry = await db.faq.get(callback_data.id)
    if entry is None or callback_data.lang not in LANGUAGES:
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    await state.set_state(InboxStates.faq_question)
    await state.update_data(faq_id=entry.id, faq_lang=callback_data.lang)
    if callback.message and not isinstance(callback.message, InaccessibleMessage):
        await callback.message.answer(
            _("Write the question in {language}:").format(
                language=language_name(callback_data.lang)
            ),
            reply_markup=cancel_answer_keyboard(),
        )


@router.message(InboxStates.faq_question, F.text, ~F.text.startswith("/"))
async def faq_question_typed(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await state.update_data(faq_question=quote_plain(message.text or ""))
    await state.set_state(InboxStates.faq_answer)
    await message.answer(
        _("Now the answer in {language}:").format(
            language=language_name(str(data.get("faq_lang")))
        ),
        reply_markup=cancel_answer_keyboard(),
    )


@router.message(InboxStates.faq_answer, F.text, ~F.text.startswith("/"))
async def faq_answer_typed(
    message: Message, state: FSMContext, db: Database, programs: ProgramService, user: User
) -> None:
    text = (message.text or "").strip()
    if await too_long(message, text):
        return
    data = await state.get_data()
    entry_id, lang = str(data.get("faq_id")), str(data.get("faq_lang"))
    async with db.transaction():
        question = str(data.get("faq_question"))
        done = await db.faq.set_language(
            entry_id, lang, question, text, question_keywords(question)
        )
        if done:
            await audit(db, user.id, "faq_language", f"{entry_id} {lang}")
        entry = await db.faq.get(entry_id)
    await state.clear()
    if not done or entry is None:
        await message.answer(_("This FAQ entry no longer exists."))
        return
    await programs.faq_saved()
    await message.answer(
        _("✅ The FAQ entry now has its version in {language}.").format(
            language=language_name(lang)
        ),
        reply_markup=faq_languages_keyboard(entry_id, missing_languages(*entry.question)),
    )


def quote_plain(text: str) -> str:
    """A question as the title of an FAQ entry: one line, of a readable length."""
    line = " ".join(text.split())
    return line if len(line) <= 200 else line[:199] + "…"
