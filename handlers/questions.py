"""Questions in people's own words: any text nobody else handled is answered from the FAQ,
the program and the city list; what the bot cannot answer can go to the organizers."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardButton, Message
from aiogram.utils.markdown import html_decoration as hd

from bot.i18n import _, fmt_time
from bot.keyboards.cities import label
from bot.keyboards.common import MenuCb
from bot.keyboards.links import CityCb, SectionCb, SessionCb
from bot.keyboards.questions import AnswerCb, AskCb, not_found_keyboard, results_keyboard
from bot.program.model import Program, Session
from bot.services import cities
from bot.services.inbox import notify_organizers
from bot.services.notify import Notifier
from bot.services.program import ProgramService
from bot.services.schedule_view import session_head, session_line
from bot.services.search import THRESHOLD, Hit, SearchService, city_partners
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)

# Other matches shown as buttons below the best answer.
OTHERS = 3
# Questions longer than this are cut before they are stored for the organizers.
MAX_QUESTION = 3000


class AskStates(StatesGroup):
    question = State()  # after "Ask a question": the next text is a question


def session_item(program: Program, session: Session, locale: str) -> str:
    """A session as an item of a list: day, time, title and hall."""
    return "• " + session_line(program, session, locale, day=True)


def hit_title(program: Program, hit: Hit, locale: str) -> str | None:
    """A short plain-text name of a match, for its button; None if it no longer exists."""
    if hit.kind == "faq":
        entry = program.faq_entry(hit.id)
        return entry.question.get(locale) if entry else None
    if hit.kind == "session":
        session = program.session(hit.id)
        if session is None:
            return None
        return f"{fmt_time(session.start_at, locale)} {session.title.get(locale)}"
    if hit.kind == "section":
        section = program.section(hit.id)
        return section.title.get(locale) if section else None
    if hit.kind == "city":
        pair = program.city_pair(hit.id)
        return cities.pair_label(pair, locale) if pair else None
    if hit.kind == "speaker":
        speaker = program.speaker(hit.id)
        return speaker.name.get(locale) if speaker else None
    venue = program.venue(hit.id)
    return venue.name.get(locale) if venue else None


def hit_button(
    program: Program, hit: Hit, locale: str, icon: str = ""
) -> InlineKeyboardButton | None:
    title = hit_title(program, hit, locale)
    if title is None:
        return None
    if hit.kind == "session":
        data = SessionCb(id=hit.id, action="open").pack()
    elif hit.kind == "section":
        data = SectionCb(id=hit.id, action="open").pack()
    elif hit.kind == "city":
        data = CityCb(id=hit.id).pack()
    else:
        data = AnswerCb(kind=hit.kind, id=hit.id).pack()
    # A button's data is at most 64 bytes; program ids are short, but a long one is skipped.
    if len(data.encode()) > 64:
        logger.warning("Callback data too long for %s", hit.key)
        return None
    return InlineKeyboardButton(text=label(icon + title), callback_data=data)


def render(program: Program, hit: Hit, locale: str) -> tuple[str, list[Hit]] | None:
    """The text of one answer and the cards it links to (as hits); None if it is gone."""
    if hit.kind == "faq":
        entry = program.faq_entry(hit.id)
        if entry is None:
            return None
        links = [Hit("session", s, 0) for s in entry.sessions]
        links += [Hit("section", s, 0) for s in entry.sections]
        links += [Hit("city", c, 0) for c in entry.cities]
        text = (
            f"<b>{hd.quote(entry.question.get(locale))}</b>\n{hd.quote(entry.answer.get(locale))}"
        )
        return text, links
    if hit.kind == "session":
        session = program.session(hit.id)
        if session is None:
            return None
        return "\n".join(session_head(program, session, locale)), [hit]
    if hit.kind == "section":
        section = program.section(hit.id)
        if section is None:
            return None
        lines = [
            _("<b>Section {number}. {title}</b>").format(
                number=section.number, title=hd.quote(section.title.get(locale))
            )
        ]
        for session in program.sessions_of_section(section.id)[:5]:
            lines.append(session_item(program, session, locale))
        return "\n".join(lines), [hit]
    if hit.kind == "speaker":
        speaker = program.speaker(hit.id)
        if speaker is None:
            return None
        about = ", ".join(
            hd.quote(t.get(locale)) for t in (speaker.position, speaker.organization) if t
        )
        lines = [
            f"👤 <b>{hd.quote(speaker.name.get(locale))}</b>" + (f", {about}" if about else "")
        ]
        talks = [
            s for s in program.sessions if speaker.id in s.speakers or speaker.id in s.moderators
        ]
        links = [Hit("session", s.id, 0) for s in talks]
        for session in talks[:5]:
            lines.append(session_item(program, session, locale))
        return "\n".join(lines), links
    if hit.kind == "venue":
        venue = program.venue(hit.id)
        if venue is None:
            return None
        halls = ", ".join(hd.quote(h.name.get(locale)) for h in venue.halls)
        lines = [
            f"📍 <b>{hd.quote(venue.name.get(locale))}</b>",
            hd.quote(venue.address.get(locale)),
        ]
        if halls:
            lines.append(_("Halls: {halls}").format(halls=halls))
        return "\n".join(lines), []
    return None


async def reply_to_question(
    message: Message,
    text: str,
    program: Program,
    search: SearchService,
    db: Database,
    user: User,
    locale: str,
    always_offer: bool = False,
) -> None:
    """Answer a question with the best match and its cards, or offer the organizers."""
    hits = search.search(text, limit=OTHERS + 4)
    if not hits or hits[0].score < THRESHOLD:
        logger.info(
            "No answer for a question of %s (best %.2f)", user.id, hits[0].score if hits else 0
        )
        async with db.transaction():
            draft = await db.questions.add_draft(user.id, text[:MAX_QUESTION])
        await message.answer(
            _(
                "I did not find an answer to that. Try other words, open the menu, or send "
                "your question to the organizers — they will answer here."
            ),
            reply_markup=not_found_keyboard(draft),
        )
        return
    best = hits[0]
    shown: list[Hit]
    if best.kind == "city":
        pairs = city_partners(program, hits)
        body = cities.pairs_text(pairs, locale)
        shown = [Hit("city", p.id, 0) for p in pairs]
    else:
        rendered = render(program, best, locale)
        if rendered is None:
            return
        body, shown = rendered
    seen = {h.key for h in shown}
    buttons = [b for h in shown[:5] if (b := hit_button(program, h, locale, "▶️ "))]
    others = [h for h in hits[1:] if h.key not in seen and h.score >= THRESHOLD / 2]
    for hit in others[:OTHERS]:
        button = hit_button(program, hit, locale, "🔎 ")
        if button:
            buttons.append(button)
    draft = None
    if always_offer:
        async with db.transaction():
            draft = await db.questions.add_draft(user.id, text[:MAX_QUESTION])
    await message.answer(body[:4000], reply_markup=results_keyboard(buttons, draft))


@router.callback_query(MenuCb.filter(F.action == "ask"))
async def ask_button(callback: CallbackQuery, state: FSMContext) -> None:
    await callback.answer()
    await state.set_state(AskStates.question)
    if callback.message and not isinstance(callback.message, InaccessibleMessage):
        await callback.message.answer(
            _(
                "Just type your question in your own words, e.g. «when is the plenary session» "
                "or «twin cities of Brest». If I cannot answer, I will pass it to the organizers."
            )
        )


@router.message(AskStates.question, F.text, ~F.text.startswith("/"))
async def asked_question(
    message: Message,
    state: FSMContext,
    programs: ProgramService,
    search: SearchService,
    db: Database,
    user: User,
    locale: str,
) -> None:
    await state.clear()
    await reply_to_question(
        message, message.text or "", programs.program, search, db, user, locale, always_offer=True
    )


@router.message(F.text, ~F.text.startswith("/"))
async def free_text(
    message: Message,
    programs: ProgramService,
    search: SearchService,
    db: Database,
    user: User,
    locale: str,
) -> None:
    await reply_to_question(message, message.text or "", programs.program, search, db, user, locale)


@router.callback_query(AnswerCb.filter())
async def other_answer(
    callback: CallbackQuery, callback_data: AnswerCb, programs: ProgramService, locale: str
) -> None:
    program = programs.program
    hit = Hit(callback_data.kind, callback_data.id, 1.0)
    rendered = render(program, hit, locale) if hit.kind in ("faq", "speaker", "venue") else None
    message = callback.message
    if rendered is None or message is None or isinstance(message, InaccessibleMessage):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    text, links = rendered
    buttons = [b for h in links[:5] if (b := hit_button(program, h, locale, "▶️ "))]
    await message.answer(text[:4000], reply_markup=results_keyboard(buttons))


@router.callback_query(AskCb.filter())
async def send_to_organizers(
    callback: CallbackQuery,
    callback_data: AskCb,
    db: Database,
    notifier: Notifier,
    user: User,
) -> None:
    async with db.transaction():
        submitted = await db.questions.submit(callback_data.id, user.id)
        question = await db.questions.get(callback_data.id) if submitted else None
        if question is not None:
            await notify_organizers(db, notifier, question)
    if question is None:
        # Not their draft, already sent, or forgotten: the button is stale or forged.
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer(_("Sent to the organizers."))
    message = callback.message
    if message is not None and not isinstance(message, InaccessibleMessage):
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(
            _("✅ Your question has been sent to the organizers. Their answer will come here.")
        )
