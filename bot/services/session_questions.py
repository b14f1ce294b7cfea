"""Questions to the speakers: asking, voting, moderating, and the lists people have open.

A person's open list (questions, moderator view, poll results) is one message edited in
place. A vote edits the voter's own list at once (the reply to their button); everyone
else's is edited by `flush`, at most once per `refresh_seconds` for a session however many
votes come in, through the delivery engine (Telegram's pace, blocked users), and only when
what it shows has changed: an edit is never a no-op.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import Clock
from bot.i18n import _, ngettext
from bot.keyboards.session_live import (
    card_rows,
    moderator_keyboard,
    question_list_keyboard,
    section_rows,
)
from bot.program.model import Program, ProgramMaterial, Section, Session
from bot.scheduler import Scheduler
from bot.services.audit import audit
from bot.services.notify import Notifier, Priority, text_payload
from bot.services.program import ProgramService
from bot.services.schedule_view import cut
from db import Database
from db.deliveries import NewDelivery
from db.session_questions import SessionQuestion
from db.users import User

logger = logging.getLogger(__name__)

ASK_BEFORE = timedelta(minutes=30)  # questions open this long before the session starts
QUESTION_MAX = 500
ASK_INTERVAL = timedelta(minutes=1)  # one question per minute per person
LIST_LIMIT = 10  # questions a list shows
LIST_CUT = 280  # characters of a question a list shows
REFRESH_SECONDS = 3.0
# A link in a question holds it for the moderator: a scheme, www., t.me or a bare domain.
LINK = re.compile(
    r"(https?://|www\.|\bt\.me/|\b[\w-]+\.(?:ru|by|com|org|net|info|io|me|su|рф|бел)\b)",
    re.IGNORECASE,
)

Renderer = Callable[[int, str, str, str], Awaitable[tuple[str, InlineKeyboardMarkup] | None]]


def ask_open(session: Session, now: datetime) -> bool:
    """Questions are taken from 30 minutes before the session until its end."""
    return not session.cancelled and session.start_at - ASK_BEFORE <= now <= session.end_at


def has_link(text: str) -> bool:
    return LINK.search(text) is not None


async def can_moderate(db: Database, user: User | None, session_id: str) -> bool:
    """Organizers moderate every session; linked speakers the sessions they were invited to."""
    if user is None:
        return False
    return user.is_organizer or await db.session_questions.is_moderator(session_id, user.id)


def ordered(questions: list[SessionQuestion]) -> list[SessionQuestion]:
    """Pinned first, then open ones by votes, answered ones last; older first on a tie."""
    return sorted(questions, key=lambda q: (not q.pinned, q.status == "answered", -q.votes, q.id))


def author_label(question: SessionQuestion) -> str:
    if question.anonymous or not question.author_name:
        return _("anonymous")
    return escape(question.author_name)


def question_line(n: int, question: SessionQuestion) -> str:
    marks = ""
    if question.pinned:
        marks += "📌 "
    text = escape(cut(question.text, LIST_CUT))
    line = f"{marks}<b>{n}.</b> {text} — <i>{author_label(question)}</i> · 👍 {question.votes}"
    if question.status == "answered":
        line += " · " + _("✅ answered")
    elif question.status == "held":
        line += " · " + _("⏸ held: has a link")
    return line


def list_view(
    session: Session,
    questions: list[SessionQuestion],
    voted: set[int],
    locale: str,
    now: datetime,
) -> tuple[str, InlineKeyboardMarkup]:
    shown = ordered(questions)[:LIST_LIMIT]
    lines = [
        _("💬 <b>Questions to the speakers</b>"),
        f"<i>{escape(cut(session.title.get(locale), 150))}</i>",
        "",
    ]
    if not shown:
        lines.append(_("No questions yet. Be the first to ask."))
    else:
        lines += [question_line(n, q) for n, q in enumerate(shown, 1)]
        lines += ["", _("Vote for the questions you want answered: 👍 and the number.")]
        hidden = len(questions) - len(shown)
        if hidden > 0:
            lines.append(
                ngettext("…and {n} more question", "…and {n} more questions", hidden).format(
                    n=hidden
                )
            )
    numbered = [(n, q.id, q.id in voted) for n, q in enumerate(shown, 1) if q.status == "open"]
    markup = question_list_keyboard(session.id, numbered, ask_open(session, now))
    return "\n".join(lines), markup


def moderator_view(
    session: Session, questions: list[SessionQuestion], locale: str, organizer: bool
) -> tuple[str, InlineKeyboardMarkup]:
    held = [q for q in questions if q.status == "held"]
    others = ordered([q for q in questions if q.status != "held"])
    shown = (held + others)[:LIST_LIMIT]
    lines = [
        _("🛡 <b>Moderation</b>"),
        f"<i>{escape(cut(session.title.get(locale), 150))}</i>",
        "",
    ]
    if not shown:
        lines.append(_("No questions yet."))
    else:
        lines += [question_line(n, q) for n, q in enumerate(shown, 1)]
    lines += [
        "",
        _(
            "Buttons by the question's number: ✅ answered (the author is told) · 🙈 hide "
            "from everyone · 📌 pin on top (📍 unpin) · 👁 show a question held for its link · "
            "🔇 mute the author in this session"
        ),
    ]
    numbered = [(n, q.id, q.status, q.pinned) for n, q in enumerate(shown, 1)]
    return "\n".join(lines), moderator_keyboard(session.id, numbered, organizer)


def fingerprint(text: str, markup: InlineKeyboardMarkup | None) -> str:
    """What a list shows, to tell whether an edit would change anything."""
    data = markup.model_dump(mode="json", exclude_none=True) if markup else None
    raw = json.dumps([text, data], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Asked:
    """The outcome of asking: sent, held (has a link), muted, too_soon, too_long, empty,
    closed (not during the session)."""

    outcome: str
    question_id: int | None = None


class QuestionService:
    def __init__(
        self,
        db: Database,
        programs: ProgramService,
        clock: Clock,
        notifier: Notifier,
        scheduler: Scheduler,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        self.db = db
        self.programs = programs
        self.clock = clock
        self.notifier = notifier
        self.scheduler = scheduler
        self.refresh_seconds = refresh_seconds
        self._dirty: set[tuple[str, str]] = set()
        # Other features' views (poll results) render through here too: kind -> renderer.
        self.renderers: dict[str, Renderer] = {"list": self._render_list, "mod": self._render_mod}

    async def start(self) -> None:
        self.scheduler.every("session-lists", self.refresh_seconds, self.flush)

    # ------------------------------------------------------------------ asking

    async def ask(self, session: Session, user: User, text: str, anonymous: bool) -> Asked:
        text = text.strip()
        now = self.clock.now()
        if not text:
            return Asked("empty")
        if len(text) > QUESTION_MAX:
            return Asked("too_long")
        if not ask_open(session, now):
            return Asked("closed")
        async with self.db.transaction():
            repo = self.db.session_questions
            if await repo.is_muted(session.id, user.id):
                return Asked("muted")
            last = await repo.last_asked(user.id)
            if last is not None and now - last < ASK_INTERVAL:
                return Asked("too_soon")
            status = "held" if has_link(text) else "open"
            question_id = await repo.add(session.id, user.id, text, anonymous, status, now)
        self.mark(session.id)
        return Asked("held" if status == "held" else "sent", question_id)

    # ------------------------------------------------------------------ votes

    async def vote(self, question: SessionQuestion, user_id: int) -> bool:
        async with self.db.transaction():
            new = await self.db.session_questions.vote(question.id, user_id)
        if new:
            self.mark(question.session_id)
        return new

    # ------------------------------------------------------------------ moderation

    async def moderate(self, question: SessionQuestion, action: str, actor: User) -> str:
        """Apply a moderator's action: answered, hidden, pinned, unpinned, shown, muted, or
        same (nothing to change). Audited; the author is told when answered."""
        repo = self.db.session_questions
        outcome = "same"
        async with self.db.transaction():
            if action == "a" and question.status in ("open", "held"):
                await repo.set_status(question.id, "answered")
                await self._tell_answered(question)
                outcome = "answered"
            elif action == "h" and question.status != "hidden":
                await repo.set_status(question.id, "hidden")
                outcome = "hidden"
            elif action == "p" and not question.pinned:
                await repo.set_pinned(question.id, True)
                outcome = "pinned"
            elif action == "u" and question.pinned:
                await repo.set_pinned(question.id, False)
                outcome = "unpinned"
            elif action == "s" and question.status == "held":
                await repo.set_status(question.id, "open")
                outcome = "shown"
            elif action == "m":
                if await repo.mute(question.session_id, question.user_id, actor.id):
                    outcome = "muted"
            if outcome != "same":
                await audit(
                    self.db,
                    actor.id,
                    f"session.question.{outcome}",
                    f"#{question.id} {question.session_id}",
                    subject=question.user_id,
                )
        if outcome != "same":
            self.mark(question.session_id)
        return outcome

    async def _tell_answered(self, question: SessionQuestion) -> None:
        author = await self.db.users.get(question.user_id)
        if author is None or author.blocked_at:
            return
        session = self.programs.program.session(question.session_id)

        def content(locale: str) -> dict[str, object]:
            title = session.title.get(locale) if session else question.session_id
            text = _("✅ Your question at “{session}” was answered:\n<i>{question}</i>").format(
                session=escape(cut(title, 150)), question=escape(cut(question.text, 600))
            )
            return text_payload(text)

        await self.notifier.queue(
            [
                self.notifier.message(
                    author.id,
                    author,
                    "question-answered",
                    content,
                    ref=question.session_id,
                    key=f"sqa:{question.id}",
                    priority=Priority.URGENT,
                )
            ]
        )

    # ------------------------------------------------------------------ views

    def mark(self, ref: str, *kinds: str) -> None:
        """The lists of `ref` (a session, or a poll for "poll") changed: edit them soon."""
        for kind in kinds or ("list", "mod"):
            self._dirty.add((kind, ref))

    async def render(
        self, user_id: int, kind: str, ref: str, locale: str
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        renderer = self.renderers.get(kind)
        return None if renderer is None else await renderer(user_id, kind, ref, locale)

    async def _render_list(
        self, user_id: int, kind: str, ref: str, locale: str
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        session = self.programs.program.session(ref)
        if session is None:
            return None
        questions = await self.db.session_questions.of_session(ref)
        voted = await self.db.session_questions.voted(user_id, ref)
        return list_view(session, questions, voted, locale, self.clock.now())

    async def _render_mod(
        self, user_id: int, kind: str, ref: str, locale: str
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        session = self.programs.program.session(ref)
        user = await self.db.users.get(user_id)
        if session is None or not await can_moderate(self.db, user, ref):
            return None
        questions = await self.db.session_questions.of_session(ref, ("held", "open", "answered"))
        return moderator_view(session, questions, locale, bool(user and user.is_organizer))

    async def shown(
        self,
        user_id: int,
        kind: str,
        ref: str,
        message_id: int,
        view: tuple[str, InlineKeyboardMarkup],
    ) -> None:
        """A list was just sent or edited as a reply: remember it, so that later changes
        edit it and an unchanged one is left alone."""
        async with self.db.transaction():
            await self.db.session_questions.save_view(
                user_id, kind, ref, message_id, fingerprint(*view)
            )

    async def flush(self) -> int:
        """Edit the open lists whose content changed; returns how many edits were queued.

        At most one edit per list is ever waiting: a list whose edit is still queued gets the
        newest content in that edit, and one whose edit is on its way waits for the next
        flush. However many votes come in, the queue never holds a backlog of edits."""
        dirty, self._dirty = self._dirty, set()
        items: list[NewDelivery] = []
        replaced: list[tuple[int, str, dict[str, object]]] = []
        updates: list[tuple[int, str, str, str]] = []
        repo = self.db.session_questions
        try:
            dirty |= set(await repo.redraw_wanted())
            if dirty:
                async with self.db.transaction():
                    await repo.drop_lost_views()  # before their failed edits are purged
            for kind, ref in sorted(dirty):
                for view in await repo.views(kind, ref):
                    reader = await self.db.users.get(view.user_id)
                    if reader is None or reader.blocked_at:
                        continue
                    group = f"{kind}:{ref}"
                    in_flight = await repo.edit_in_flight(view.user_id, group)
                    if in_flight == "sending":
                        self._dirty.add((kind, ref))  # after this edit is answered
                        continue
                    with self.notifier.speaking_to(reader) as locale:
                        rendered = await self.render(view.user_id, kind, ref, locale)
                    if rendered is None:
                        continue
                    mark = fingerprint(*rendered)
                    if mark == view.shown:
                        continue  # unchanged: no edit
                    text, markup = rendered
                    payload = text_payload(text, markup)
                    payload.update(kind="edit", message_id=view.message_id)
                    if in_flight == "pending":
                        replaced.append((view.user_id, group, payload))
                    else:
                        items.append(NewDelivery(view.user_id, "list-edit", payload, ref=group))
                    updates.append((view.user_id, kind, ref, mark))
            if updates:
                async with self.db.transaction():
                    # Sent edits are not kept: they hold others' questions and names.
                    await repo.purge_finished_edits()
                    for user_id, group, payload in replaced:
                        if not await repo.replace_pending_edit(user_id, group, payload):
                            items.append(NewDelivery(user_id, "list-edit", payload, ref=group))
                    for user_id, kind, ref, mark in updates:
                        await repo.set_shown(user_id, kind, ref, mark)
                    await self.notifier.queue(items)
        except Exception:
            self._dirty |= dirty  # tried again at the next flush
            logger.exception("Could not refresh the open question lists")
            return 0
        return len(updates)


async def live_card_rows(
    db: Database, program: Program, now: datetime, session: Session, user: User
) -> list[list[InlineKeyboardButton]]:
    """The rows a session card gets: ask and the questions during the session, the
    materials (attached in the bot and given in the programme file), and the moderator view
    for its moderators."""
    count = len(await db.materials.of(session.id, session.section))
    count += len(program_materials(program, session))
    moderator = await can_moderate(db, user, session.id)
    return card_rows(session.id, ask_open(session, now), moderator, count)


def program_materials(program: Program, session: Session) -> list[ProgramMaterial]:
    """The programme file's links for the session and for its section."""
    return [
        m
        for m in program.materials
        if m.session == session.id or (m.section is not None and m.section == session.section)
    ]


async def live_section_rows(
    db: Database, program: Program, section: Section, user: User
) -> list[list[InlineKeyboardButton]]:
    """The rows a section card gets: its materials, and adding one for organizers."""
    count = len(await db.materials.of_section(section.id))
    count += sum(1 for m in program.materials if m.section == section.id)
    return section_rows(section.id, user.is_organizer, count)
