"""Feedback on sessions: a one-tap rating (1-5) and an optional comment once a saved session
has ended, once per session per person, never for people who turned feedback off; averages
per session and section and the comments for the organizers."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from html import escape

from bot.clock import Clock
from bot.i18n import _, fmt_time, ngettext
from bot.keyboards.session_live import rating_keyboard
from bot.program.model import Program, Session
from bot.scheduler import Scheduler
from bot.services.notify import Notifier, Payload, text_payload
from bot.services.program import ProgramService
from bot.services.registration import to_csv
from bot.services.schedule_view import cut, section_label
from db import Database
from db.session_extras import Rating

logger = logging.getLogger(__name__)

TICK_SECONDS = 20.0
# A session that ended longer ago than this is not asked about (a bot started late).
ASK_WITHIN = timedelta(hours=3)
COMMENT_MAX = 1000


def rating_payload(session: Session, locale: str) -> Payload:
    text = _("⭐ How was “{title}”? Rate it with one tap, 1 (poor) to 5 (excellent).").format(
        title=escape(cut(session.title.get(locale), 150))
    )
    hint = _("You can turn these requests off in /settings.")
    return text_payload(f"{text}\n<i>{hint}</i>", rating_keyboard(session.id))


def averages(program: Program, ratings: list[Rating], locale: str) -> str:
    """Average rating per session and per section, for the organizers."""
    by_session: dict[str, list[int]] = defaultdict(list)
    for r in ratings:
        by_session[r.session_id].append(r.rating)
    lines = [_("⭐ <b>Feedback</b>")]
    if not by_session:
        lines += ["", _("No ratings yet.")]
        return "\n".join(lines)
    lines += ["", _("<b>Sessions</b>")]
    by_section: dict[str, list[int]] = defaultdict(list)
    order = sorted(
        by_session,
        key=lambda sid: (s.start_at.isoformat() if (s := program.session(sid)) else "~", sid),
    )
    for sid in order:
        values = by_session[sid]
        session = program.session(sid)
        title = session.title.get(locale) if session else sid
        when = (
            f"{session.day.strftime('%d.%m')} {fmt_time(session.start, locale)} " if session else ""
        )
        lines.append(
            ngettext(
                "• {when}{title}: {avg} ({n} rating)",
                "• {when}{title}: {avg} ({n} ratings)",
                len(values),
            ).format(
                when=when,
                title=escape(cut(title, 80)),
                avg=f"{sum(values) / len(values):.1f}",
                n=len(values),
            )
        )
        if session and session.section:
            by_section[session.section].extend(values)
    if by_section:
        lines += ["", _("<b>Sections</b>")]
        for section in program.sections:
            values = by_section.get(section.id)
            if values:
                lines.append(
                    ngettext(
                        "• {title}: {avg} ({n} rating)",
                        "• {title}: {avg} ({n} ratings)",
                        len(values),
                    ).format(
                        title=escape(cut(section_label(section, locale), 80)),
                        avg=f"{sum(values) / len(values):.1f}",
                        n=len(values),
                    )
                )
    return "\n".join(lines)


def split_lines(lines: list[str], limit: int = 3800) -> list[str]:
    """Messages of whole lines, each under Telegram's 4096 characters (a line is at most a
    few hundred: titles are cut)."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > limit:
            parts.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        parts.append("\n".join(current))
    return parts


def comments_csv(program: Program, ratings: list[Rating], locale: str) -> bytes:
    """Ratings with comments, without names: session, section, rating, comment, when."""
    table = []
    for r in ratings:
        if not r.comment:
            continue
        session = program.session(r.session_id)
        section = program.section(session.section) if session else None
        when = datetime.fromisoformat(r.created_at).astimezone(program.forum.tz)
        table.append(
            [
                session.title.get(locale) if session else r.session_id,
                section_label(section, locale) if section else "",
                str(r.rating),
                r.comment,
                when.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    header = [_("Session"), _("Section"), _("Rating"), _("Comment"), _("Time")]
    return to_csv(header, table)


class FeedbackService:
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
        self.scheduler.every("feedback-tick", TICK_SECONDS, self.tick)
        await self.tick()

    async def tick(self) -> None:
        try:
            await self.queue_ratings()
        except Exception:
            logger.exception("The feedback tick failed")

    async def queue_ratings(self, now: datetime | None = None) -> int:
        """Ask the people who saved a session that has just ended; each person once per
        session (the dedup key), never those who turned feedback off."""
        now = now or self.clock.now()
        program = self.programs.program
        ended = {
            s.id: s
            for s in program.sessions
            if not s.cancelled and now - ASK_WITHIN < s.end_at <= now
        }
        upcoming = [s.end_at for s in program.sessions if not s.cancelled and s.end_at > now]
        if upcoming:
            # On time at the next end rather than up to a tick late (the job follows the
            # clock when it jumps).
            self.scheduler.at("feedback-next", min(upcoming), self.tick)
        if not ended:
            return 0
        targets = await self.db.feedback.askable(sorted(ended))
        if not targets:
            return 0
        readers = await self.db.agenda.recipients({uid for _sid, uid in targets})
        items = [
            self.notifier.message(
                uid,
                readers[uid],
                "feedback",
                lambda locale, s=ended[sid]: rating_payload(s, locale),
                ref=sid,
                key=f"fb:{sid}:{uid}",
            )
            for sid, uid in targets
            if uid in readers
        ]
        async with self.db.transaction():
            count = await self.notifier.queue(items)
        if count:
            logger.info("Feedback requests: %d queued", count)
        return count

    async def rate(self, session: Session, user_id: int, value: int) -> bool:
        """Store a rating; False if the person rated the session before."""
        async with self.db.transaction():
            return await self.db.feedback.rate(session.id, user_id, value)

    async def comment(self, session_id: str, user_id: int, text: str) -> bool:
        async with self.db.transaction():
            return await self.db.feedback.comment(session_id, user_id, text)
