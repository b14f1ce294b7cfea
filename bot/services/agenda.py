"""Reminders before saved sessions, programme change notices and the morning digest.

All three are queued as deliveries (the engine sends them) with dedup keys, so that a restart,
a second tick or a second import never sends the same thing twice. The database is the truth:
a periodic tick of the bot's clock looks for what is due, so nothing depends on jobs that a
restart would lose.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape

from aiogram import Dispatcher
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n

from bot.clock import Clock
from bot.i18n import _, fmt_day, ngettext
from bot.keyboards.common import REMINDER_CHOICES, menu_button
from bot.keyboards.labels import unique
from bot.keyboards.links import session_link
from bot.program.diff import where
from bot.program.model import EMPTY_TEXT, Program, Session, SessionKind, Text
from bot.scheduler import Scheduler
from bot.services.audiences import Audience, AudienceRegistry
from bot.services.notify import Notifier, Payload, Priority, text_payload
from bot.services.program import ProgramService
from bot.services.schedule_view import (
    ScheduleView,
    cut,
    notice_line,
    place_label,
    section_label,
    session_labels,
    session_line,
    time_range,
)
from db import Database
from db.deliveries import NewDelivery

logger = logging.getLogger(__name__)

TICK_SECONDS = 20.0
DIGEST_AT = time(8, 0)
# A bot that was down at 08:00 still sends the digest until then.
DIGEST_UNTIL = time(12, 0)


@dataclass(frozen=True, slots=True)
class Change:
    """A saved session that moved, changed hall, was cancelled or restored, or got a notice
    (new is None: removed from the programme)."""

    old: Session
    new: Session | None

    @property
    def cancelled(self) -> bool:
        return self.new is None or (self.new.cancelled and not self.old.cancelled)

    @property
    def restored(self) -> bool:
        return self.new is not None and self.old.cancelled and not self.new.cancelled

    @property
    def moved(self) -> bool:
        return self.new is not None and where(self.old) != where(self.new)

    @property
    def notice(self) -> Text:
        """The new notice, when it is one people should read."""
        if self.new is None or not self.new.notice or self.new.notice == self.old.notice:
            return EMPTY_TEXT
        return self.new.notice


def program_changes(old: Program, new: Program) -> dict[str, Change]:
    """Sessions people should hear about: moved (day, time, venue or hall), cancelled,
    removed, restored after a cancellation, or with a new notice on the card."""
    found: dict[str, Change] = {}
    for before in old.sessions:
        after = new.session(before.id)
        if before.cancelled and (after is None or after.cancelled):
            continue  # a cancelled session staying cancelled or going is no news
        change = Change(before, after)
        if change.cancelled or change.restored or change.moved or change.notice:
            found[before.id] = change
    return found


def change_text(
    program_old: Program, program_new: Program, changes: Sequence[Change], locale: str
) -> str:
    lines = ["📣 <b>{}</b>".format(_("Programme changes in your agenda:"))]
    for change in changes:
        title = escape(cut(change.old.title.get(locale), 120))
        before = session_line(program_old, change.old, locale, day=True, title=False)
        lines.append("")
        if change.cancelled or change.new is None:
            lines.append("❌ <b>{title}</b> — {what}".format(title=title, what=_("cancelled")))
            lines.append(f"<s>{before}</s>")
            continue
        after = session_line(program_new, change.new, locale, day=True, title=False)
        if change.restored:
            lines.append("✅ <b>{title}</b> — {what}".format(title=title, what=_("takes place")))
            lines.append(after)
        elif change.moved:
            lines.append(f"🔁 <b>{title}</b>")
            lines.append(_("{old} → {new}").format(old=f"<s>{before}</s>", new=after))
        else:
            lines.append(f"<b>{title}</b>")
            lines.append(after)
        if change.notice:
            lines.append(notice_line(change.new, locale))
    return "\n".join(lines)


def reminder_text(program: Program, session: Session, now: datetime, locale: str) -> str:
    minutes = max(1, int((session.start_at - now).total_seconds() + 59) // 60)
    lines = [
        "⏰ "
        + ngettext("In {n} minute:", "In {n} minutes:", minutes).format(n=minutes)
        + f" <b>{escape(session.title.get(locale))}</b>",
        "🕒 " + time_range(session, locale),
    ]
    place = place_label(program, session.venue, session.hall, locale)
    if place:
        lines.append("📍 " + escape(place))
    if session.stream_link:
        lines.append('🎥 <a href="{}">{}</a>'.format(escape(session.stream_link), _("stream")))
    return "\n".join(lines)


def digest_sessions(program: Program, day: date, saved: set[str]) -> tuple[list[Session], bool]:
    """The person's saved sessions of the day, else the day's main ones; True if their own."""
    sessions = program.sessions_on(day)
    own = [s for s in sessions if s.id in saved]
    if own:
        return own, True
    main = [s for s in sessions if (s.main or s.kind is SessionKind.PLENARY) and not s.cancelled]
    return main, False


def digest_text(
    program: Program, day: date, sessions: Sequence[Session], own: bool, locale: str
) -> str:
    heading = _("Good morning! Your day, {day}:") if own else _("Good morning! Today, {day}:")
    lines = [f"☀️ <b>{heading.format(day=escape(fmt_day(day, locale)))}</b>", ""]
    # No numbers: the digest has no number buttons; its buttons open the agenda and the days.
    lines += [session_line(program, s, locale, None) for s in sessions]
    if not own:
        lines += ["", _("Save sessions to your agenda and the digest will show yours.")]
    return "\n".join(lines)


def reminder_payload(program: Program, session: Session, now: datetime, locale: str) -> Payload:
    link = session_link(session.id)
    button = InlineKeyboardButton(text=_("Open the session"), callback_data=link)
    markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    return text_payload(reminder_text(program, session, now, locale), markup)


def digest_payload(
    program: Program, day: date, sessions: Sequence[Session], own: bool, locale: str
) -> Payload:
    buttons = [menu_button(_("⭐ My agenda"), "agenda"), menu_button(_("🗓 Schedule"), "schedule")]
    markup = InlineKeyboardMarkup(inline_keyboard=[buttons])
    return text_payload(digest_text(program, day, sessions, own, locale), markup)


def change_payload(old: Program, new: Program, changes: Sequence[Change], locale: str) -> Payload:
    markup = InlineKeyboardMarkup(inline_keyboard=[[menu_button(_("⭐ My agenda"), "agenda")]])
    return text_payload(change_text(old, new, changes, locale), markup)


class AgendaService:
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
        self._queued: set[str] = set()  # dedup keys known to be queued; saves re-rendering
        self._digest_done: set[date] = set()

    async def start(self) -> None:
        """At start-up: tick now and every TICK_SECONDS."""
        self.scheduler.every("agenda-tick", TICK_SECONDS, self.tick)
        await self.tick()

    async def on_reload(self, program: Program) -> None:
        """A new programme (an import or a live edit): reminders follow moved sessions now,
        not at the next tick."""
        await self.queue_reminders()

    async def tick(self) -> None:
        try:
            await self.queue_reminders()
            await self.queue_digest()
        except Exception:
            logger.exception("The agenda tick failed")

    async def _enqueue(self, items: list[NewDelivery]) -> int:
        if not items:
            return 0
        async with self.db.transaction():
            count = await self.notifier.queue(items)
        self._queued.update(d.dedup_key for d in items if d.dedup_key)
        return count

    # ---------------------------------------------------------------- reminders

    async def queue_reminders(self, now: datetime | None = None) -> int:
        """Queue the reminders that are due and not yet queued; sessions already started are
        skipped."""
        now = now or self.clock.now()
        program = self.programs.program
        horizon = now + timedelta(minutes=max(REMINDER_CHOICES))
        soon = {
            s.id: s for s in program.sessions if not s.cancelled and now < s.start_at <= horizon
        }
        targets = await self.db.agenda.reminder_targets(soon)
        items: list[NewDelivery] = []
        next_due: datetime | None = None
        for session_id, person in targets:
            session = soon[session_id]
            due = session.start_at - timedelta(minutes=person.reminder_minutes or 0)
            if due > now:
                next_due = due if next_due is None else min(next_due, due)
                continue
            key = f"rem:{person.user_id}:{session_id}:{session.start_at.isoformat()}"
            if key in self._queued:
                continue
            items.append(
                self.notifier.message(
                    person.user_id,
                    person,
                    "reminder",
                    lambda locale, s=session: reminder_payload(program, s, now, locale),
                    ref=session_id,
                    key=key,
                    priority=Priority.URGENT,
                )
            )
        if next_due is not None and (next_due - now).total_seconds() < TICK_SECONDS:
            # The periodic tick may come up to TICK_SECONDS late; be on time instead.
            self.scheduler.at("agenda-next", next_due, self.tick)
        return await self._enqueue(items)

    # ---------------------------------------------------------------- digest

    async def queue_digest(self, now: datetime | None = None) -> int:
        now = now or self.clock.now()
        program = self.programs.program
        local = now.astimezone(program.forum.tz)
        day = local.date()
        if day in self._digest_done or day not in program.forum.days:
            return 0
        if not DIGEST_AT <= local.time() < DIGEST_UNTIL:
            return 0
        items = []
        for person, saved in await self.db.agenda.digest_recipients():
            key = f"dig:{day.isoformat()}:{person.user_id}"
            sessions, own = digest_sessions(program, day, saved)
            if not sessions:
                continue
            items.append(
                self.notifier.message(
                    person.user_id,
                    person,
                    "digest",
                    lambda locale, s=sessions, o=own: digest_payload(program, day, s, o, locale),
                    ref=day.isoformat(),
                    key=key,
                )
            )
        count = await self._enqueue(items)
        self._digest_done.add(day)
        logger.info("Morning digest of %s: %d queued", day, count)
        return count

    # ---------------------------------------------------------------- changes

    async def affected(
        self, db: Database, old: Program, new: Program
    ) -> tuple[dict[str, Change], dict[int, list[str]]]:
        """The changes people should hear about, and who hears about which: those who saved
        a changed session and the subscribers of its section, each person once."""
        changes = program_changes(old, new)
        people = await db.agenda.savers_of(changes)
        sections: dict[str, list[str]] = {}
        for session_id, change in changes.items():
            for section in {change.old.section, change.new.section if change.new else None}:
                if section:
                    sections.setdefault(section, []).append(session_id)
        for user_id, subscribed in (await db.agenda.subscribers_of(sections)).items():
            mine = people.setdefault(user_id, [])
            for section in subscribed:
                mine.extend(sid for sid in sections[section] if sid not in mine)
        reachable = await db.agenda.recipients(people)
        return changes, {uid: sids for uid, sids in people.items() if uid in reachable}

    async def count_affected(self, db: Database, old: Program, new: Program) -> int:
        """How many people an import of `new` would tell (for the preview)."""
        return len((await self.affected(db, old, new))[1])

    async def on_import(self, db: Database, old: Program | None, new: Program, version: int) -> int:
        """Import hook (inside the import's transaction): tell the people whose saved
        sessions changed, once per person, then drop the removed sessions from agendas.
        Returns how many people were told."""
        if old is None:
            return 0
        changes, affected = await self.affected(db, old, new)
        count = 0
        if affected:
            people = await db.agenda.recipients(affected)
            # Each stored version is new, so its notices are never mistaken for an earlier
            # version's (an edit undone and made again is news again).
            stamp = f"v{version}"
            items = []
            for user_id, session_ids in affected.items():
                person = people[user_id]
                mine = sorted((changes[sid] for sid in session_ids), key=lambda c: c.old.start_at)
                items.append(
                    self.notifier.message(
                        user_id,
                        person,
                        "change",
                        lambda locale, m=mine: change_payload(old, new, m, locale),
                        ref=stamp,
                        key=f"chg:{stamp}:{user_id}",
                        priority=Priority.CHANGE,
                    )
                )
            count = await self.notifier.queue(items)
            logger.info("Programme changes: %d sessions, %d people told", len(changes), count)
        removed = [s.id for s in old.sessions if new.session(s.id) is None]
        await db.agenda.remove_sessions(removed)
        for section_id, session_ids in newly_in_sections(old, new).items():
            await db.agenda.add_to_subscribers(section_id, session_ids)
        return count


def newly_in_sections(old: Program, new: Program) -> dict[str, list[str]]:
    """Sessions that joined a section with this import: its subscribers get them too."""
    found: dict[str, list[str]] = {}
    for session in new.sessions:
        before = old.session(session.id)
        if session.section and (before is None or before.section != session.section):
            found.setdefault(session.section, []).append(session.id)
    return found


# ---------------------------------------------------------------- audiences


def current_locale(default: str) -> str:
    try:
        return get_i18n().current_locale
    except LookupError:
        return default


def section_choices(programs: ProgramService) -> list[tuple[str, str]]:
    locale = current_locale(programs.program.forum.default_language)
    return [(s.id, section_label(s, locale)) for s in programs.program.sections]


def session_choices(programs: ProgramService) -> list[tuple[str, str]]:
    """(session id, button label): day, time and title, short enough for a button."""
    locale = current_locale(programs.program.forum.default_language)
    sessions = programs.program.sessions
    labels = unique([session_labels(s, locale)[2:] for s in sessions])  # a list of all days
    return [(s.id, label) for s, label in zip(sessions, labels, strict=True)]


async def section_audience(db: Database, section_id: str) -> list[int]:
    return await db.agenda.subscribers(section_id)


async def session_audience(db: Database, session_id: str) -> list[int]:
    return await db.agenda.savers(session_id)


def agenda_audiences(programs: ProgramService) -> Iterable[Audience]:
    yield Audience(
        "sec",
        lambda: _("Subscribers of a section"),
        section_audience,
        lambda: section_choices(programs),
    )
    yield Audience(
        "ses",
        lambda: _("People who saved a session"),
        session_audience,
        lambda: session_choices(programs),
    )


def setup(
    dp: Dispatcher,
    db: Database,
    programs: ProgramService,
    clock: Clock,
    notifier: Notifier,
    scheduler: Scheduler,
    audiences: AudienceRegistry,
) -> AgendaService:
    """The schedule view and the agenda service in the workflow data; reminders and the
    digest start with the dispatcher; programme changes tell the people concerned and move
    their reminders at once."""
    view = ScheduleView(programs.program)
    service = AgendaService(db, programs, clock, notifier, scheduler)
    dp["schedule_view"] = view
    dp["agenda_service"] = service
    programs.reload_hooks.append(view.reload)
    programs.import_hooks.append(service.on_import)
    programs.reload_hooks.append(service.on_reload)
    dp.startup.register(service.start)
    for audience in agenda_audiences(programs):
        audiences.add(audience)
    return service
