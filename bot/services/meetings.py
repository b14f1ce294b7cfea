"""Meetings between delegates: requests with proposed times, answers, reminders, calendar.

A request carries a short note and up to MAX_PROPOSED start times taken from the free slots of
both people's agendas during the forum. The other side accepts one, proposes other times
(the roles swap), or declines; either may block the other. The two see each other's Telegram
contact only in what is sent on acceptance and in /meetings for an accepted meeting: nothing
before, nothing after a decline. Messages to the other person go through the Notifier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from aiogram import Dispatcher
from aiogram.types import InlineKeyboardMarkup

from bot.clock import Clock
from bot.i18n import _, fmt_day, fmt_time, ngettext
from bot.i18n_markers import N_
from bot.keyboards.delegates import accepted_keyboard, answer_keyboard
from bot.program.model import Program, SessionKind
from bot.scheduler import Scheduler
from bot.services.delegates import DelegateService, who_line
from bot.services.notify import Notifier, Payload, Priority, text_payload
from bot.services.program import ProgramService
from bot.services.search import SearchService
from db import Database
from db.delegates import ACCEPTED, CANCELLED, DECLINED, Meeting, Profile
from db.users import User

if TYPE_CHECKING:
    from icalendar import Event

logger = logging.getLogger(__name__)

SLOT_MINUTES = 30
DAY_START, DAY_END = time(9, 0), time(19, 0)
LEAD = timedelta(minutes=5)  # a slot offered starts at least this long from now
SLOT_CHOICES = 8
MAX_PROPOSED = 3
MAX_OPEN = 10  # open requests a person may have sent
NOTE_LIMIT = 300
TICK_SECONDS = 20.0

Interval = tuple[datetime, datetime]
Context = dict[str, object]  # what a message may show its reader, see MeetingService._context
Render = Callable[[Program, Meeting, Context, Any, str], Payload]


def busy_sessions(program: Program, session_ids: set[str]) -> list[Interval]:
    """Saved sessions that take the person's time (breaks are good for a meeting)."""
    return [
        (s.start_at, s.end_at)
        for s in program.sessions
        if s.id in session_ids and not s.cancelled and s.kind is not SessionKind.BREAK
    ]


def free_slots(
    program: Program,
    now: datetime,
    busy: Sequence[Interval],
    minutes: int = SLOT_MINUTES,
    limit: int = SLOT_CHOICES,
) -> list[datetime]:
    """Start moments of free `minutes`-long slots during the forum's days, from now on."""
    tz = program.forum.tz
    step = timedelta(minutes=SLOT_MINUTES)
    length = timedelta(minutes=minutes)
    found: list[datetime] = []
    for day in program.forum.days:
        moment = datetime.combine(day, DAY_START, tz)
        last = datetime.combine(day, DAY_END, tz) - length
        while moment <= last and len(found) < limit:
            end = moment + length
            if moment >= now + LEAD and not any(s < end and moment < e for s, e in busy):
                found.append(moment)
            moment += step
    return found


def parse_moment(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def slot_label(program: Program, moment: datetime, locale: str, minutes: int) -> str:
    local = moment.astimezone(program.forum.tz)
    end = local + timedelta(minutes=minutes)
    return f"{fmt_day(local.date(), locale)}, {fmt_time(local, locale)}–{fmt_time(end, locale)}"


def contact_html(user_id: int, name: str, username: str | None) -> str:
    """A link to write to the person: their @username, else Telegram's user link."""
    link = f'<a href="tg://user?id={user_id}">{escape(name)}</a>'
    if username:
        return f"{link} (@{escape(username)})"
    return link


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an action was not done: a msgid with its values."""

    message: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self) -> str:
        return _(self.message).format(**dict(self.params))


NOT_YOURS = Refusal(N_("This button is out of date."))


class MeetingService:
    def __init__(
        self,
        db: Database,
        programs: ProgramService,
        clock: Clock,
        notifier: Notifier,
        scheduler: Scheduler,
        delegates: DelegateService,
    ) -> None:
        self.db = db
        self.programs = programs
        self.clock = clock
        self.notifier = notifier
        self.scheduler = scheduler
        self.delegates = delegates

    # ------------------------------------------------------------------ slots

    async def busy(self, user_id: int) -> list[Interval]:
        program = self.programs.program
        found = busy_sessions(program, await self.db.agenda.session_ids(user_id))
        for m in await self.db.delegates.meetings_of(user_id, (ACCEPTED,)):
            if m.start_at:
                start = parse_moment(m.start_at)
                found.append((start, start + timedelta(minutes=m.minutes)))
        return found

    async def common_slots(self, a: int, b: int) -> list[datetime]:
        busy = [*(await self.busy(a)), *(await self.busy(b))]
        return free_slots(self.programs.program, self.clock.now(), busy)

    # ------------------------------------------------------------------ asking

    async def may_ask(self, user_id: int, profile_id: int) -> tuple[Profile, Profile] | Refusal:
        """(the asker's profile, the target's) if the asker may ask this person to meet."""
        mine = await self.db.delegates.profile_of(user_id)
        if mine is None:
            return Refusal(N_("Fill your delegate profile first: /delegate"))
        target = await self.db.delegates.profile(profile_id)
        if target is None or not await self.delegates.visible(mine, target):
            return Refusal(N_("This profile is not available."))
        if await self.db.delegates.open_between(user_id, target.user_id):
            return Refusal(N_("You already have an open request with this person: see /meetings."))
        if await self.db.delegates.open_count(user_id) >= MAX_OPEN:
            return Refusal(
                N_("You have {count} open requests, the most allowed. Wait for answers."),
                (("count", MAX_OPEN),),
            )
        return mine, target

    async def request(
        self, user_id: int, profile_id: int, note: str, slots: Sequence[datetime]
    ) -> Meeting | Refusal:
        """Store the request and tell the other person (one transaction)."""
        if not slots or len(slots) > MAX_PROPOSED:
            return Refusal(N_("Choose one to three times."))
        now = self.clock.now()
        if any(s < now for s in slots):
            return Refusal(N_("A chosen time has passed. Choose again."))
        async with self.db.transaction():
            checked = await self.may_ask(user_id, profile_id)
            if isinstance(checked, Refusal):
                return checked
            mine, target = checked
            meeting = await self.db.delegates.add_meeting(
                user_id,
                target.user_id,
                mine.city,
                target.city,
                note[:NOTE_LIMIT],
                [s.astimezone(UTC).isoformat() for s in slots],
                SLOT_MINUTES,
            )
            await self._tell(target.user_id, "meet-request", meeting, self._request_payload, mine)
        return meeting

    # ------------------------------------------------------------------ answering

    async def _mine_open(self, user_id: int, meeting_id: int) -> Meeting | Refusal:
        meeting = await self.db.delegates.meeting(meeting_id)
        if meeting is None or not meeting.has(user_id):
            return NOT_YOURS
        if meeting.status != "open":
            return Refusal(N_("This request is already closed."))
        return meeting

    async def accept(self, user: User, meeting_id: int, index: int) -> Meeting | Refusal:
        async with self.db.transaction():
            meeting = await self._mine_open(user.id, meeting_id)
            if isinstance(meeting, Refusal):
                return meeting
            if meeting.answerer() != user.id or not 0 <= index < len(meeting.slots):
                return NOT_YOURS
            start = parse_moment(meeting.slots[index])
            if start <= self.clock.now():
                return Refusal(N_("This time has passed. Propose another one."))
            if await self._booked(meeting, start):
                return Refusal(N_("One of you has another meeting then. Propose another time."))
            if not await self.db.delegates.accept(meeting_id, user.id, start.isoformat()):
                return Refusal(N_("This request is already closed."))
            done = await self.db.delegates.meeting(meeting_id)
            assert done is not None
            other = done.other(user.id)
            await self._tell(other, "meet-accepted", done, self._accepted_payload, user.id)
        return done

    async def _booked(self, meeting: Meeting, start: datetime) -> bool:
        """Either side has another agreed meeting overlapping this time."""
        end = start + timedelta(minutes=meeting.minutes)
        for user_id in (meeting.requester, meeting.invitee):
            for other in await self.db.delegates.meetings_of(user_id, (ACCEPTED,)):
                if other.id == meeting.id or not other.start_at:
                    continue
                begins = parse_moment(other.start_at)
                if begins < end and start < begins + timedelta(minutes=other.minutes):
                    return True
        return False

    async def propose(
        self, user: User, meeting_id: int, slots: Sequence[datetime]
    ) -> Meeting | Refusal:
        if not slots or len(slots) > MAX_PROPOSED:
            return Refusal(N_("Choose one to three times."))
        async with self.db.transaction():
            meeting = await self._mine_open(user.id, meeting_id)
            if isinstance(meeting, Refusal):
                return meeting
            if meeting.answerer() != user.id:
                return NOT_YOURS
            iso = [s.astimezone(UTC).isoformat() for s in slots]
            if not await self.db.delegates.propose(meeting_id, user.id, iso):
                return Refusal(N_("This request is already closed."))
            done = await self.db.delegates.meeting(meeting_id)
            assert done is not None
            mine = await self.db.delegates.profile_of(user.id)
            await self._tell(done.other(user.id), "meet-counter", done, self._counter_payload, mine)
        return done

    async def close(self, user: User, meeting_id: int, how: str) -> Meeting | Refusal:
        """decline (the side to answer), withdraw (the side that proposed), cancel (an accepted
        meeting, either side), block (the side to answer: declined, and no more requests)."""
        async with self.db.transaction():
            meeting = await self.db.delegates.meeting(meeting_id)
            if meeting is None or not meeting.has(user.id):
                return NOT_YOURS
            if how == "cancel":
                if meeting.status != ACCEPTED:
                    return Refusal(N_("This request is already closed."))
            elif meeting.status != "open":
                return Refusal(N_("This request is already closed."))
            elif (how == "withdraw") != (meeting.proposer == user.id):
                return NOT_YOURS
            other = meeting.other(user.id)
            if how == "block":
                await self.db.delegates.block(user.id, other)
            else:
                status = DECLINED if how == "decline" else CANCELLED
                await self.db.delegates.close(meeting_id, status)
            done = await self.db.delegates.meeting(meeting_id)
            assert done is not None
            name = await self._name_of(user.id)
            kind = "meet-cancelled" if how == "cancel" else "meet-closed"
            await self._tell(other, kind, done, self._closed_payload, (how, name))
        return done

    async def _name_of(self, user_id: int) -> str:
        profile = await self.db.delegates.profile_of(user_id)
        if profile is not None:
            return profile.name
        user = await self.db.users.get(user_id)
        return user.full_name if user else "—"

    # ------------------------------------------------------------------ messages

    async def _tell(
        self, user_id: int, kind: str, meeting: Meeting, render: Render, extra: Any
    ) -> None:
        """Queue a message about the meeting to one of its two people, in their language."""
        reader = (await self.db.agenda.recipients([user_id])).get(user_id)
        if reader is None:
            return  # blocked the bot or gone: nothing to send
        program = self.programs.program
        context = await self._context(meeting, user_id)
        item = self.notifier.message(
            user_id,
            reader,
            kind,
            lambda locale: render(program, meeting, context, extra, locale),
            ref=f"meeting:{meeting.id}",
            priority=Priority.URGENT,
        )
        await self.notifier.queue([item])

    async def _context(self, meeting: Meeting, viewer: int) -> dict[str, object]:
        """What a message about the meeting may show its reader: the other person's profile,
        and their contact only when the meeting is accepted."""
        other = meeting.other(viewer)
        profile = await self.db.delegates.profile_of(other)
        found: dict[str, object] = {"profile": profile, "name": await self._name_of(other)}
        if meeting.status == ACCEPTED:
            user = await self.db.users.get(other)
            name = profile.name if profile else str(found["name"])
            found["contact"] = contact_html(other, name, user.username if user else None)
        return found

    def _slots_lines(self, program: Program, meeting: Meeting, locale: str) -> list[str]:
        return [
            "• " + slot_label(program, parse_moment(s), locale, meeting.minutes)
            for s in meeting.slots
        ]

    def _slot_buttons(self, program: Program, meeting: Meeting, locale: str) -> list[str]:
        return [
            slot_label(program, parse_moment(s), locale, meeting.minutes) for s in meeting.slots
        ]

    def _request_payload(
        self, program: Program, meeting: Meeting, context: Context, asker: Any, locale: str
    ) -> Payload:
        return text_payload(*self.request_view(program, meeting, asker, locale))

    def request_view(
        self, program: Program, meeting: Meeting, asker: Profile | None, locale: str
    ) -> tuple[str, InlineKeyboardMarkup]:
        who = who_line(program, asker, locale) if asker else "—"
        lines = [_("🤝 <b>A request to meet</b>"), "👤 " + who]
        if meeting.note:
            lines.append(_("Note: “{note}”").format(note=escape(meeting.note)))
        lines.append("")
        lines.append(_("Proposed times:"))
        lines += self._slots_lines(program, meeting, locale)
        lines.append("")
        lines.append(_("Choose a time to accept. Your contacts are shown to each other only then."))
        return "\n".join(lines), answer_keyboard(
            meeting.id, self._slot_buttons(program, meeting, locale)
        )

    def _counter_payload(
        self, program: Program, meeting: Meeting, context: Context, proposer: Any, locale: str
    ) -> Payload:
        who = who_line(program, proposer, locale) if proposer else escape(str(context["name"]))
        lines = [_("🕒 <b>Other times proposed for your meeting</b>"), "👤 " + who, ""]
        lines += self._slots_lines(program, meeting, locale)
        lines.append("")
        lines.append(_("Choose a time to accept. Your contacts are shown to each other only then."))
        markup = answer_keyboard(meeting.id, self._slot_buttons(program, meeting, locale))
        return text_payload("\n".join(lines), markup)

    def _accepted_payload(
        self, program: Program, meeting: Meeting, context: Context, _accepter: Any, locale: str
    ) -> Payload:
        text, markup = self.accepted_view(program, meeting, context, locale)
        return text_payload(text, markup)

    def accepted_view(
        self, program: Program, meeting: Meeting, context: dict[str, object], locale: str
    ) -> tuple[str, InlineKeyboardMarkup]:
        assert meeting.start_at
        profile = context.get("profile")
        who = (
            who_line(program, profile, locale)
            if isinstance(profile, Profile)
            else escape(str(context["name"]))
        )
        lines = [
            _("✅ <b>Meeting agreed</b>: {when}").format(
                when=slot_label(program, parse_moment(meeting.start_at), locale, meeting.minutes)
            ),
            "👤 " + who,
            _("Write to them: {contact}").format(contact=context.get("contact", "—")),
            "",
            _("The meeting is in your agenda (/agenda); a reminder comes before it."),
        ]
        return "\n".join(lines), accepted_keyboard(meeting.id)

    def _closed_payload(
        self, program: Program, meeting: Meeting, context: Context, how_name: Any, locale: str
    ) -> Payload:
        how, name = how_name
        name = escape(name)
        if how == "cancel":
            text = _("❌ {name} cancelled your meeting.").format(name=name)
        elif how == "withdraw":
            text = _("{name} withdrew the request to meet.").format(name=name)
        else:
            text = _("{name} declined the request to meet.").format(name=name)
        return text_payload(text)

    async def context_for(self, meeting: Meeting, viewer: int) -> dict[str, object]:
        return await self._context(meeting, viewer)

    # ------------------------------------------------------------------ reminders

    async def start(self) -> None:
        self.scheduler.every("meetings-tick", TICK_SECONDS, self.tick)
        await self.tick()

    async def tick(self) -> None:
        try:
            await self.queue_reminders()
        except Exception:
            logger.exception("The meetings tick failed")

    async def queue_reminders(self) -> int:
        now = self.clock.now()
        horizon = now + timedelta(minutes=120)
        meetings = await self.db.delegates.accepted_between(now.isoformat(), horizon.isoformat())
        program = self.programs.program
        items = []
        next_due: datetime | None = None
        for meeting in meetings:
            assert meeting.start_at
            start = parse_moment(meeting.start_at)
            people = await self.db.agenda.recipients([meeting.requester, meeting.invitee])
            for person in people.values():
                if person.reminder_minutes is None:
                    continue
                due = start - timedelta(minutes=person.reminder_minutes)
                if due > now:
                    next_due = due if next_due is None else min(next_due, due)
                    continue
                context = await self._context(meeting, person.user_id)
                items.append(
                    self.notifier.message(
                        person.user_id,
                        person,
                        "meet-reminder",
                        lambda locale, m=meeting, c=context: self._reminder_payload(
                            program, m, c, now, locale
                        ),
                        ref=f"meeting:{meeting.id}",
                        key=f"mrem:{meeting.id}:{person.user_id}:{meeting.start_at}",
                        priority=Priority.URGENT,
                    )
                )
        if next_due is not None and (next_due - now).total_seconds() < TICK_SECONDS:
            self.scheduler.at("meetings-next", next_due, self.tick)
        if not items:
            return 0
        async with self.db.transaction():
            return await self.notifier.queue(items)

    def _reminder_payload(
        self,
        program: Program,
        meeting: Meeting,
        context: dict[str, object],
        now: datetime,
        locale: str,
    ) -> Payload:
        assert meeting.start_at
        start = parse_moment(meeting.start_at)
        minutes = max(1, int((start - now).total_seconds() + 59) // 60)
        lines = [
            "⏰ "
            + ngettext(
                "In {n} minute: your meeting with {name}",
                "In {n} minutes: your meeting with {name}",
                minutes,
            ).format(n=minutes, name=escape(str(context["name"]))),
            "🕒 " + slot_label(program, start, locale, meeting.minutes),
            _("Write to them: {contact}").format(contact=context.get("contact", "—")),
        ]
        return text_payload("\n".join(lines), accepted_keyboard(meeting.id))

    # ------------------------------------------------------------------ organizers

    async def counts_per_pair(self) -> list[tuple[str, int, int]]:
        """(pair id, accepted, open) meetings between the two cities of each city pair."""
        program = self.programs.program
        found: dict[str, list[int]] = {}
        for a, b, status, count in await self.db.delegates.counts_by_cities():
            city_a, city_b = program.city(a), program.city(b)
            if city_a is None or city_b is None:
                continue
            shared = set(city_a.pairs) & set(city_b.pairs)
            for pair_id in shared:
                entry = found.setdefault(pair_id, [0, 0])
                if status == ACCEPTED:
                    entry[0] += count
                elif status == "open":
                    entry[1] += count
        return [(p, a, o) for p, (a, o) in sorted(found.items()) if a or o]


# ---------------------------------------------------------------------------------- calendar


def meeting_event(
    program: Program, meeting: Meeting, name: str, locale: str, stamp: datetime
) -> Event:
    from icalendar import Event  # lazy, as in bot.services.calendar

    assert meeting.start_at
    start = parse_moment(meeting.start_at).astimezone(program.forum.tz)
    event = Event()
    event.add("uid", f"meeting-{meeting.id}-{program.forum.start_date.isoformat()}@forum-bot")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.minutes))
    event.add("summary", _("Meeting with {name}").format(name=name))
    if meeting.note:
        event.add("description", meeting.note)
    return event


def meeting_calendar(
    program: Program, meetings: Sequence[tuple[Meeting, str]], locale: str, now: datetime
) -> bytes:
    """A VCALENDAR of accepted meetings, (meeting, the other person's name)."""
    from bot.services.calendar import calendar_bytes

    stamp = now.astimezone(UTC)
    events = [meeting_event(program, m, name, locale, stamp) for m, name in meetings]
    return calendar_bytes(program, [], locale, now, extra=events)


async def agenda_meetings(
    db: Database, program: Program, user_id: int
) -> list[tuple[Meeting, str]]:
    """The person's accepted meetings with the other person's name, by time."""
    found = []
    for meeting in await db.delegates.meetings_of(user_id, (ACCEPTED,)):
        other = await db.delegates.profile_of(meeting.other(user_id))
        found.append((meeting, other.name if other else "—"))
    return found


def agenda_block(program: Program, meetings: Sequence[tuple[Meeting, str]], locale: str) -> str:
    """The meetings part of /agenda ('' when there are none)."""
    if not meetings:
        return ""
    lines = ["🤝 <b>{}</b>".format(_("Meetings"))]
    for meeting, name in meetings:
        assert meeting.start_at
        when = slot_label(program, parse_moment(meeting.start_at), locale, meeting.minutes)
        lines.append(_("{when} — meeting with {name}").format(when=escape(when), name=escape(name)))
    lines.append(_("Contacts and calendar files: /meetings"))
    return "\n".join(lines)


def setup(
    dp: Dispatcher,
    db: Database,
    programs: ProgramService,
    clock: Clock,
    notifier: Notifier,
    scheduler: Scheduler,
    search: SearchService,
) -> MeetingService:
    """Delegates and meetings in the workflow data; meeting reminders start with the bot."""
    delegates = DelegateService(db, programs, search)
    service = MeetingService(db, programs, clock, notifier, scheduler, delegates)
    dp["delegates"] = delegates
    dp["meetings"] = service
    dp.startup.register(service.start)
    return service
