"""Questions in people's own words: any text nobody else handled is answered from the FAQ,
the program and the city list; what the bot cannot answer can go to the organizers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardButton, Message
from aiogram.utils.markdown import html_decoration as hd

from bot.clock import Clock
from bot.i18n import _, fmt_date, fmt_date_range, fmt_time
from bot.keyboards.cities import label, onward_buttons
from bot.keyboards.common import MenuCb
from bot.keyboards.links import CityCb, SectionCb, SessionCb
from bot.keyboards.questions import (
    AnswerCb,
    AskCb,
    not_found_keyboard,
    not_partner_keyboard,
    results_keyboard,
)
from bot.program.model import Program, Session
from bot.services import cities
from bot.services.inbox import notify_organizers
from bot.services.intents import Moment
from bot.services.notify import Notifier
from bot.services.program import ProgramService
from bot.services.schedule_view import (
    ScheduleView,
    part_pages,
    people_lines,
    section_heading,
    session_head,
    session_line,
    short_day,
)
from bot.services.search import Hit, SearchService, sessions_in
from bot.settings import Settings
from db import Database
from db.users import User
from handlers.schedule import send_day_page, send_days, send_now

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
        title = session.title.get(locale)
        when = fmt_time(session.start_at, locale)
        if any(s.id != session.id and s.title.get(locale) == title for s in program.sessions):
            when = f"{short_day(session.day, locale)} {when}"  # three lunches: which one
        return f"{when} {title}"
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
        lines = [f"<b>{hd.quote(section_heading(section, locale))}</b>"]
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
        led = [sec for sec in program.sections if speaker.id in sec.moderators]
        if led:
            lines += ["", "<b>{}</b>".format(_("Moderates the sections:"))]
            lines += [f"🧩 {hd.quote(sec.title.get(locale))}" for sec in led]
            links += [Hit("section", sec.id, 0) for sec in led]
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
    ctx: Asking,
    always_offer: bool = False,
) -> None:
    """Answer a question: a card, "did you mean", a schedule screen, or the organizers."""
    program = ctx.programs.program
    locale = ctx.locale
    outcome = ctx.search.answer(text, ctx.clock.now())
    logger.info(
        "Question of %s answered with %s %s", ctx.user.id, outcome.kind, outcome.first or ""
    )
    if outcome.kind == "moment" and outcome.moment is not None:
        await send_moment(message, outcome.moment, ctx)
        return
    if outcome.kind == "not_partner":
        buttons = [b for h in outcome.hits if (b := hit_button(program, h, locale, "🤝 "))]
        lines = [
            _("“{city}” is not among the partner cities of this forum.").format(
                city=hd.quote(outcome.city[:100])
            )
        ]
        if buttons:
            lines.append(_("Did you mean one of these?"))
        await message.answer("\n".join(lines), reply_markup=not_partner_keyboard(buttons))
        return
    draft = None
    if outcome.kind == "none" or always_offer:
        async with ctx.db.transaction():
            draft = await ctx.db.questions.add_draft(ctx.user.id, text[:MAX_QUESTION])
    if outcome.kind == "none" or outcome.first is None:
        assert draft is not None
        await message.answer(
            _(
                "I did not find an answer to that. Try other words, open the menu, or send "
                "your question to the organizers — they will answer here."
            ),
            reply_markup=not_found_keyboard(draft),
        )
        return
    if outcome.kind == "choices":
        buttons = [b for h in outcome.hits if (b := hit_button(program, h, locale, "🔎 "))]
        if draft is None:
            async with ctx.db.transaction():
                draft = await ctx.db.questions.add_draft(ctx.user.id, text[:MAX_QUESTION])
        await message.answer(
            _(
                "I am not sure what you mean. Did you mean one of these? If none of them fits, "
                "send the question to the organizers."
            ),
            reply_markup=results_keyboard(buttons, draft),
        )
        return
    if outcome.kind == "moderators":
        body, shown = moderators_text(program, outcome.first, locale)
        buttons = [b for h in shown[:6] if (b := hit_button(program, h, locale, "▶️ "))]
    elif outcome.first.kind == "city":
        pairs = [p for h in outcome.hits if (p := program.city_pair(h.id))]
        body = cities.pairs_text(pairs, locale)
        shown = [Hit("city", p.id, 0) for p in pairs]
        # The cards are on screen already: their buttons lead on, not back to them.
        buttons = onward_buttons(program, pairs, locale)
    else:
        rendered = render(program, outcome.first, locale)
        if rendered is None:
            return
        body, shown = rendered
        buttons = [b for h in shown[:6] if (b := hit_button(program, h, locale, "▶️ "))]
    await message.answer(body[:4000], reply_markup=results_keyboard(buttons, draft))
    if outcome.first.kind == "venue":
        await send_pin(message, program, outcome.first.id, locale)


def moderators_text(program: Program, hit: Hit, locale: str) -> tuple[str, list[Hit]]:
    """Who leads a section or a session: their names, positions and organizations."""
    if hit.kind == "section":
        section = program.section(hit.id)
        title = section.title.get(locale) if section else ""
        ids = section.moderators if section else ()
    else:
        session = program.session(hit.id)
        title = session.title.get(locale) if session else ""
        section = program.section(session.section) if session else None
        ids = (session.moderators if session else ()) or (section.moderators if section else ())
    lines = [_("Moderators of “{title}”:").format(title=hd.quote(title))]
    lines += people_lines(program, ids, locale)
    return "\n".join(lines), [hit] + [Hit("speaker", m, 0) for m in ids]


async def send_pin(message: Message, program: Program, venue_id: str, locale: str) -> None:
    venue = program.venue(venue_id)
    if venue is None:
        return
    await message.answer_venue(
        latitude=venue.latitude,
        longitude=venue.longitude,
        title=venue.name.get(locale)[:100],
        address=(venue.address.get(locale) or venue.name.get(locale))[:100],
    )


async def send_moment(message: Message, moment: Moment, ctx: Asking) -> None:
    """The schedule screen a question about a moment asks for: the same as the buttons'."""
    program = ctx.programs.program
    locale = ctx.locale
    if moment.now:
        await send_now(message, program, ctx.clock, locale)
        return
    day = moment.day
    if day is None or day not in program.forum.days:
        forum = program.forum
        lines = [
            _("Nothing is planned for {date}: the forum runs {dates}.").format(
                date=fmt_date(day, locale) if day else "—",
                dates=fmt_date_range(forum.start_date, forum.end_date, locale),
            )
        ]
        await message.answer(lines[0])
        await send_days(message, program, ctx.clock, locale, ctx.mini_app_url)
        return
    if not moment.part:
        pages, current = ctx.schedule_view.day_pages(program, day, locale, ctx.clock.now())
        await send_day_page(message, day, pages, current)
        return
    sessions = sessions_in(program, day, moment.part)
    pages = part_pages(program, day, sessions, part_label(moment.part), locale)
    await send_day_page(message, day, pages[:1], 0)


def part_label(part: str) -> str:
    if part == "evening":
        return _("in the evening")
    if part == "morning":
        return _("in the morning")
    if part == "after_lunch":
        return _("after lunch")
    return _("in the afternoon")


@router.callback_query(MenuCb.filter(F.action == "ask"))
async def ask_button(callback: CallbackQuery, state: FSMContext) -> None:
    await callback.answer()
    await state.set_state(AskStates.question)
    if callback.message and not isinstance(callback.message, InaccessibleMessage):
        await callback.message.answer(
            _(
                "Just type your question in your own words, e.g. “when is the plenary session” "
                "or “twin cities of Brest”. If I cannot answer, I will pass it to the organizers."
            )
        )


@dataclass(frozen=True, slots=True)
class Asking:
    """What answering a question needs, from the workflow data and the update."""

    programs: ProgramService
    search: SearchService
    schedule_view: ScheduleView
    clock: Clock
    db: Database
    user: User
    locale: str
    mini_app_url: str = ""  # the schedule Mini App, for the day list's "Full schedule" button


@router.message(AskStates.question, F.text, ~F.text.startswith("/"))
async def asked_question(
    message: Message,
    state: FSMContext,
    programs: ProgramService,
    search: SearchService,
    schedule_view: ScheduleView,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
    settings: Settings,
) -> None:
    await state.clear()
    ctx = Asking(programs, search, schedule_view, clock, db, user, locale, settings.mini_app_url)
    await reply_to_question(message, message.text or "", ctx, always_offer=True)


@router.message(F.text, ~F.text.startswith("/"))
async def free_text(
    message: Message,
    programs: ProgramService,
    search: SearchService,
    schedule_view: ScheduleView,
    clock: Clock,
    db: Database,
    user: User,
    locale: str,
    settings: Settings,
) -> None:
    ctx = Asking(programs, search, schedule_view, clock, db, user, locale, settings.mini_app_url)
    await reply_to_question(message, message.text or "", ctx)


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
    buttons = [b for h in links[:6] if (b := hit_button(program, h, locale, "▶️ "))]
    await message.answer(text[:4000], reply_markup=results_keyboard(buttons))
    if hit.kind == "venue":
        await send_pin(message, program, hit.id, locale)


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
