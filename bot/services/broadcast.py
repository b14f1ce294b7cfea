"""Announcements: audiences, queuing one delivery per recipient, scheduling, progress, and
the organizer's Pause, Resume and Stop.

The database is the truth: an announcement's status says what is left to do, and on start
every scheduled, half-queued or sending announcement is picked up again.
"""

from __future__ import annotations

import asyncio
import html
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest

from bot.clock import Clock
from bot.i18n import _, fmt_datetime, ngettext
from bot.keyboards.admin import missed_keyboard, progress_keyboard
from bot.keyboards.common import LANGUAGE_NAMES
from bot.scheduler import Scheduler
from bot.services.audiences import Audience, AudienceRegistry
from bot.services.audit import audit
from bot.services.delivery import DeliveryEngine
from bot.services.notify import Notifier, Payload, Priority, Reader, text_payload
from bot.services.program import ProgramService
from db import Database
from db.announcements import Announcement, Recipient

logger = logging.getLogger(__name__)

KIND = "announcement"
QUEUE_CHUNK = 500
PROGRESS_EVERY = 3.0  # seconds between edits of a progress message
TICK_EVERY = 1.0
# Room kept for the header the bot puts above an announcement.
HEADER_ROOM = 80
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MAX_AHEAD = timedelta(days=366)
# Pause and Stop: the statuses an announcement can be held from, and the one it gets.
HOLDS = {
    "pause": (("queuing", "sending"), "paused"),
    "stop": (("queuing", "sending", "paused"), "stopped"),
}
BAR_WIDTH = 10


# ---------------------------------------------------------------------- content


def header(urgent: bool) -> str:
    """The line above every announcement, in the current locale."""
    if urgent:
        return _("🚨 <b>Urgent announcement</b>")
    return _("📣 <b>Announcement from the organizers</b>")


def render(body: dict[str, Any], urgent: bool) -> dict[str, Any]:
    """The delivery payload of one version, as its readers see it (current locale)."""
    payload = dict(body)
    top = header(urgent)
    if payload.get("kind", "text") == "text":
        payload["text"] = f"{top}\n\n{payload['text']}"
    else:
        caption = payload.get("caption") or ""
        payload["caption"] = f"{top}\n\n{caption}" if caption else top
    return payload


def pick_version(content: dict[str, Any], locale: str) -> str:
    versions = content["versions"]
    return locale if locale in versions else content["default"]


def too_long(body: dict[str, Any], visible_length: int) -> bool:
    limit = TEXT_LIMIT if body.get("kind", "text") == "text" else CAPTION_LIMIT
    return visible_length + HEADER_ROOM > limit


# ---------------------------------------------------------------------- time


def check_when(moment: datetime, now: datetime) -> str | None:
    """Why a moment cannot be used for sending, in the current locale; None if it can."""
    if moment <= now:
        return _("That moment has already passed. Please give a time in the future.")
    if moment - now > MAX_AHEAD:
        return _("That is more than a year ahead. Please give a nearer date.")
    return None


def quick_when(choice: str, now_local: datetime) -> datetime | None:
    if choice == "1h":
        return (now_local + timedelta(hours=1)).replace(second=0, microsecond=0)
    if choice == "tm9":
        tomorrow = now_local.date() + timedelta(days=1)
        return datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=now_local.tzinfo)
    return None


# ---------------------------------------------------------------------- paid broadcasts


# Telegram's free pace for messages to many people (Bots FAQ: "no more than 30 messages per
# second or so") and the price of a message sent with allow_paid_broadcast beyond it (Bot API,
# sendMessage: "up to 1000 messages per second ... for a fee of 0.1 Telegram Stars per
# message"; MTProto starsTransaction.floodskip_number bills the calls of a broadcast "more than
# 30 messages per second").
FREE_PER_SECOND = 30
STARS_PER_PAID_MESSAGE = 0.1


def paid_stars(recipients: int, paid_rate: float) -> float:
    """The Stars a paid broadcast to `recipients` costs at `paid_rate` messages a second.

    Each second of sending, the first 30 messages are within the free limit; the rest are
    charged 0.1 Star each.
    """
    if recipients <= 0:
        return 0.0
    seconds = recipients / paid_rate
    free = min(recipients, math.floor(FREE_PER_SECOND * max(1.0, seconds)))
    return round((recipients - free) * STARS_PER_PAID_MESSAGE, 1)


# ---------------------------------------------------------------------- progress


@dataclass(frozen=True, slots=True)
class Tally:
    """Where an announcement's deliveries stand."""

    delivered: int = 0
    blocked: int = 0
    failed: int = 0
    cancelled: int = 0
    left: int = 0

    @classmethod
    def of(cls, counts: dict[str, int]) -> Tally:
        return cls(
            delivered=counts.get("sent", 0),
            blocked=counts.get("blocked", 0),
            failed=counts.get("failed", 0),
            cancelled=counts.get("cancelled", 0),
            left=counts.get("pending", 0) + counts.get("sending", 0),
        )

    @property
    def finished(self) -> int:
        """Deliveries with a final answer from Telegram (cancelled ones may yet be resumed)."""
        return self.delivered + self.blocked + self.failed


@dataclass
class Progress:
    message_id: int | None
    last_edit: float = 0.0
    last_text: str = ""
    shown: int = 0  # the percentage shown last: it never goes back
    samples: list[tuple[float, int]] = field(default_factory=list)

    def rate(self, done: int) -> float:
        now = time.monotonic()
        self.samples.append((now, done))
        # The rate over the last ~10 seconds follows slow-downs (429s) without jitter.
        self.samples = [s for s in self.samples if now - s[0] <= 10.0] or [(now, done)]
        t0, d0 = self.samples[0]
        return (done - d0) / (now - t0) if now - t0 >= 0.5 else 0.0

    def percent(self, tally: Tally, total: int) -> int:
        """Whole percent of the recipients answered for, never lower than shown before."""
        share = tally.finished / total if total else 0.0
        # Rounded down: 100% only when every recipient is answered for.
        self.shown = max(self.shown, min(100, math.floor(share * 100)))
        return self.shown


def bar(percent: int) -> str:
    filled = max(0, min(BAR_WIDTH, round(percent * BAR_WIDTH / 100)))
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


def progress_text(
    announcement_id: int, tally: Tally, percent: int, rate: float, paused: bool = False
) -> str:
    """The live progress message, in the current locale."""
    if paused:
        title = _("⏸ Announcement #{id} is paused").format(id=announcement_id)
    else:
        title = _("📤 Sending announcement #{id}").format(id=announcement_id)
    lines = [
        title,
        f"{bar(percent)} {percent}%",
        _("Delivered: {delivered} · blocked the bot: {blocked} · failed: {failed}").format(
            delivered=tally.delivered, blocked=tally.blocked, failed=tally.failed
        ),
        _("Left: {left}").format(left=tally.left),
    ]
    if paused:
        lines.append(_("Nothing more is sent until you resume it."))
    elif rate > 0:
        lines.append(
            _("Rate: {rate}/s · about {time} left").format(
                rate=f"{rate:.1f}", time=duration(round(tally.left / rate))
            )
        )
    return "\n".join(lines)


def report_text(announcement_id: int, tally: Tally, took: int, stopped: bool) -> str:
    """The final report: what Telegram accepted, in words, and how long it took."""
    if stopped:
        title = _("⏹ Announcement #{id} stopped").format(id=announcement_id)
    else:
        title = _("✅ Announcement #{id} delivered").format(id=announcement_id)
    delivered, blocked = tally.delivered, tally.blocked
    failed, cancelled = tally.failed, tally.cancelled
    return "\n".join(
        [
            f"<b>{title}</b>",
            ngettext("Delivered to {n} person.", "Delivered to {n} people.", delivered).format(
                n=delivered
            ),
            ngettext(
                "{n} person has blocked the bot.", "{n} people have blocked the bot.", blocked
            ).format(n=blocked)
            if blocked
            else _("Nobody has blocked the bot."),
            ngettext(
                "Could not deliver to {n} person.", "Could not deliver to {n} people.", failed
            ).format(n=failed)
            if failed
            else _("No delivery failed."),
            ngettext(
                "{n} message was cancelled and not sent.",
                "{n} messages were cancelled and not sent.",
                cancelled,
            ).format(n=cancelled)
            if cancelled
            else _("Nothing was cancelled."),
            _("It took {time}.").format(time=duration(took)),
        ]
    )


def duration(seconds: int) -> str:
    """A span of time in words: "45 seconds", "1 minute 42 seconds", "2 hours 5 minutes"."""
    seconds = max(0, seconds)
    if seconds < 60:
        return ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)
    if seconds < 3600:
        big, small = divmod(seconds, 60)
        parts = [ngettext("{n} minute", "{n} minutes", big).format(n=big)]
        if small:
            parts.append(ngettext("{n} second", "{n} seconds", small).format(n=small))
        return " ".join(parts)
    big, small = divmod(round(seconds / 60), 60)
    parts = [ngettext("{n} hour", "{n} hours", big).format(n=big)]
    if small:
        parts.append(ngettext("{n} minute", "{n} minutes", small).format(n=small))
    return " ".join(parts)


# ---------------------------------------------------------------------- the service


class Broadcaster:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        programs: ProgramService,
        clock: Clock,
        scheduler: Scheduler,
        notifier: Notifier,
        audiences: AudienceRegistry,
        engine: DeliveryEngine,
        missed_grace: timedelta,
        paid_rate: float | None = None,
    ) -> None:
        self.db = db
        self.bot = bot
        self.programs = programs
        self.clock = clock
        self.scheduler = scheduler
        self.notifier = notifier
        self.audiences = audiences
        # Pause and Stop hold an announcement's deliveries in the engine.
        self.engine = engine
        self.missed_grace = missed_grace
        # Paid broadcasts: the rate they go at, None when they are off.
        self.paid_rate = paid_rate
        self._progress: dict[int, Progress] = {}
        self._queuing: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- audiences

    @property
    def tz(self) -> Any:
        return self.programs.program.forum.tz

    def now_local(self) -> datetime:
        return self.clock.now().astimezone(self.tz)

    def audience(self, key: str) -> Audience | None:
        return self.audiences.get(key)

    async def recipients(self, audience: str, param: str, urgent: bool) -> list[Recipient]:
        found = self.audience(audience)
        if found is None:
            return []
        ids = await found.resolve(self.db, param)
        # Blocked people never; people who muted announcements only for urgent ones.
        return await self.db.announcements.recipients(ids, include_muted=urgent)

    def audience_list(self) -> list[tuple[str, str]]:
        """(key, label in the current locale) of every audience an announcement can go to."""
        return [(a.key, a.label()) for a in self.audiences.all()]

    def preview(self, body: dict[str, Any], urgent: bool, locale: str) -> dict[str, Any]:
        """One version as its readers in `locale` will see it."""
        with self.notifier.speaking(locale):
            return render(body, urgent)

    def payloads(self, content: dict[str, Any], urgent: bool) -> dict[str, dict[str, Any]]:
        """The rendered payload for readers of each language the bot speaks."""
        rendered = {}
        for locale in LANGUAGE_NAMES:
            with self.notifier.speaking(locale):
                rendered[locale] = render(
                    content["versions"][pick_version(content, locale)], urgent
                )
            if self.paid_rate is not None:
                # Paced by the paid bucket and charged in Stars: broadcasts only.
                rendered[locale]["allow_paid_broadcast"] = True
        return rendered

    def stars(self, recipients: int) -> float | None:
        """What sending to `recipients` costs in Stars, None when paid broadcasts are off."""
        if self.paid_rate is None:
            return None
        return paid_stars(recipients, self.paid_rate)

    # -- creating

    async def create(
        self, author: int, draft: dict[str, Any], send_at: datetime | None
    ) -> Announcement:
        content = {"default": draft["default"], "versions": draft["versions"]}
        status = "scheduled" if send_at else "queuing"
        async with self.db.transaction():
            ann_id = await self.db.announcements.create(
                author,
                content,
                draft["audience"],
                draft.get("param", ""),
                bool(draft.get("urgent")),
                status,
                send_at,
            )
            if send_at:
                await audit(
                    self.db, author, "announcement.scheduled", f"#{ann_id} at {send_at.isoformat()}"
                )
            else:
                await audit(self.db, author, "announcement.sent", f"#{ann_id}")
        announcement = await self.db.announcements.get(ann_id)
        assert announcement is not None
        if send_at:
            self.schedule(announcement)
        else:
            self._spawn(self.queue(announcement))
        return announcement

    def schedule(self, announcement: Announcement) -> None:
        assert announcement.send_at is not None
        self.scheduler.at(
            f"ann-{announcement.id}", announcement.send_at, self.fire, announcement.id
        )

    async def fire(self, announcement_id: int) -> None:
        """The scheduled moment came: start sending unless it was cancelled meanwhile."""
        async with self.db.transaction():
            moved = await self.db.announcements.move(announcement_id, ("scheduled",), "queuing")
        announcement = await self.db.announcements.get(announcement_id)
        if not moved or announcement is None:
            logger.info("Announcement %s is no longer scheduled", announcement_id)
            return
        logger.info("Scheduled announcement %s falls due", announcement_id)
        await self.queue(announcement)

    async def send_now(self, announcement_id: int, actor: int) -> bool:
        """Send a scheduled or missed announcement at once."""
        async with self.db.transaction():
            moved = await self.db.announcements.move(
                announcement_id, ("scheduled", "missed"), "queuing"
            )
            if moved:
                await audit(self.db, actor, "announcement.sent", f"#{announcement_id}")
        if not moved:
            return False
        self.scheduler.cancel(f"ann-{announcement_id}")
        announcement = await self.db.announcements.get(announcement_id)
        assert announcement is not None
        self._spawn(self.queue(announcement))
        return True

    async def reschedule(self, announcement_id: int, send_at: datetime, actor: int) -> bool:
        async with self.db.transaction():
            done = await self.db.announcements.reschedule(announcement_id, send_at)
            if done:
                await audit(
                    self.db,
                    actor,
                    "announcement.rescheduled",
                    f"#{announcement_id} to {send_at.isoformat()}",
                )
        if done:
            announcement = await self.db.announcements.get(announcement_id)
            assert announcement is not None
            self.schedule(announcement)
        return done

    async def cancel(self, announcement_id: int, actor: int) -> bool:
        async with self.db.transaction():
            done = await self.db.announcements.move(
                announcement_id, ("scheduled", "missed"), "cancelled"
            )
            if done:
                await audit(self.db, actor, "announcement.cancelled", f"#{announcement_id}")
        self.scheduler.cancel(f"ann-{announcement_id}")
        return done

    async def stop(self, announcement_id: int, actor: int) -> bool:
        """Stop a broadcast under way or paused: what is not sent yet is cancelled.

        Once this returns nothing more of it reaches Telegram, and the final report counts
        exactly what Telegram accepted.
        """
        return await self._hold(announcement_id, actor, "stop")

    async def pause(self, announcement_id: int, actor: int) -> bool:
        """Hold a broadcast: nothing more goes out until it is resumed or stopped."""
        return await self._hold(announcement_id, actor, "pause")

    async def _hold(self, announcement_id: int, actor: int, how: str) -> bool:
        """Pause or Stop: the engine holds the group before anything else happens (a send
        that reaches its check from now on is put aside), the database records it, and the
        sends already past the check are waited for."""
        sources, status = HOLDS[how]
        ref = str(announcement_id)
        before = self.engine.held(KIND, ref)
        self.engine.hold(KIND, ref, how)
        async with self.db.transaction():
            done = await self.db.announcements.move(announcement_id, sources, status)
            if done:
                await self.db.deliveries.hold(KIND, ref, how)
                note = f"#{announcement_id}"
                if how == "stop":
                    left = await self.db.deliveries.cancel(KIND, ref)
                    note += f", {left} not sent"
                await audit(self.db, actor, f"announcement.{status}", note)
        if not done:
            self._restore_hold(ref, before)
            return False
        await self.engine.settle(KIND, ref)
        await self._update(announcement_id, force=True)
        return True

    async def resume_sending(self, announcement_id: int, actor: int) -> bool:
        """A paused announcement goes on; a stopped one is sent to those it was not sent to."""
        ref = str(announcement_id)
        announcement = await self.db.announcements.get(announcement_id)
        if announcement is None or announcement.status not in ("paused", "stopped"):
            return False
        to = "sending" if announcement.queued_at else "queuing"
        async with self.db.transaction():
            done = await self.db.announcements.reopen(announcement_id, ("paused", "stopped"), to)
            if done:
                await self.db.deliveries.unhold(KIND, ref)
                again = await self.db.deliveries.uncancel(KIND, ref, self.clock.now())
                await audit(
                    self.db, actor, "announcement.resumed", f"#{announcement_id}, {again} again"
                )
        if not done:
            return False
        self.engine.unhold(KIND, ref)
        if announcement.status == "stopped":
            # The stopped progress message stays as it was; the rest gets a new one.
            self._progress.pop(announcement_id, None)
            async with self.db.transaction():
                await self.db.announcements.clear_progress_message(announcement_id)
        current = await self.db.announcements.get(announcement_id)
        assert current is not None
        if to == "queuing":
            self._spawn(self.queue(current))
        else:
            await self._update(announcement_id, force=True)
        return True

    def _restore_hold(self, ref: str, before: str | None) -> None:
        if before is None:
            self.engine.unhold(KIND, ref)
        else:
            self.engine.hold(KIND, ref, before)

    async def set_text(
        self, announcement_id: int, locale: str, body: dict[str, Any], actor: int | None
    ) -> bool:
        """Replace one language version of an announcement that has not gone out yet."""
        announcement = await self.db.announcements.get(announcement_id)
        if announcement is None or announcement.status not in ("scheduled", "missed"):
            return False
        content = {
            "default": announcement.content["default"],
            "versions": {**announcement.content["versions"], locale: body},
        }
        async with self.db.transaction():
            done = await self.db.announcements.set_content(announcement_id, content)
            if done:
                await audit(self.db, None, "announcement.edited", f"#{announcement_id} ({locale})")
        return done

    # -- queuing

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def queue(self, announcement: Announcement) -> None:
        """Queue one delivery per recipient, in chunks; safe to run again after a crash."""
        if announcement.id in self._queuing:
            return
        self._queuing.add(announcement.id)
        try:
            await self._queue(announcement)
        except Exception:
            logger.exception("Could not queue announcement %s", announcement.id)
        finally:
            self._queuing.discard(announcement.id)

    async def _queue(self, announcement: Announcement) -> None:
        ann_id = announcement.id
        people = await self.recipients(
            announcement.audience, announcement.audience_param, announcement.urgent
        )
        if not people and announcement.total == 0:
            await self._nobody(announcement)
            return
        await self._open_progress(announcement)
        payloads = self.payloads(announcement.content, announcement.urgent)
        priority = Priority.URGENT if announcement.urgent else Priority.BULK
        async with self.db.transaction():
            # A second run (after a crash) may find more people: the total only grows.
            await self.db.announcements.set_total(ann_id, max(announcement.total, len(people)))
        for start in range(0, len(people), QUEUE_CHUNK):
            chunk = people[start : start + QUEUE_CHUNK]
            async with self.db.transaction():
                current = await self.db.announcements.get(ann_id)
                if current is None or current.status not in ("queuing", "paused"):
                    return  # stopped meanwhile
                await self.notifier.queue(
                    self.notifier.message(
                        person.id,
                        person,
                        KIND,
                        payloads.__getitem__,
                        ref=str(ann_id),
                        key=f"ann:{ann_id}:{person.id}",
                        priority=priority,
                    )
                    for person in chunk
                )
        async with self.db.transaction():
            await self.db.announcements.set_queued(ann_id)
            await self.db.announcements.move(ann_id, ("queuing",), "sending")
        logger.info("Announcement %s queued for %d people", ann_id, len(people))
        await self._update(ann_id, force=True)

    async def _nobody(self, announcement: Announcement) -> None:
        """No one can receive it (the audience is empty or everyone in it opted out)."""
        async with self.db.transaction():
            if not await self.db.announcements.move(announcement.id, ("queuing",), "cancelled"):
                return
            await audit(self.db, None, "announcement.nobody", f"#{announcement.id}")
            if announcement.author_id is None:
                return

            def content(locale: str) -> Payload:
                return text_payload(
                    _(
                        "Announcement #{id} was not sent: nobody in its audience can receive it "
                        "now."
                    ).format(id=announcement.id)
                )

            await self._tell_author(announcement, "nobody", content)
        logger.info("Announcement %s has no recipients; nothing sent", announcement.id)

    # -- progress

    async def _open_progress(self, announcement: Announcement) -> None:
        if announcement.id in self._progress:
            return
        message_id = announcement.progress_message_id
        if message_id is None and announcement.author_id is not None:
            author = await self.db.users.get(announcement.author_id)
            with self.notifier.speaking_to(author):
                text = progress_text(announcement.id, Tally(left=announcement.total), 0, 0.0)
                markup = progress_keyboard(announcement.id, "sending")
            try:
                sent = await self.bot.send_message(
                    announcement.author_id, text, reply_markup=markup
                )
            except TelegramAPIError as exc:
                logger.warning("No progress message for announcement %s: %s", announcement.id, exc)
            else:
                message_id = sent.message_id
                async with self.db.transaction():
                    await self.db.announcements.set_progress_message(announcement.id, message_id)
        self._progress[announcement.id] = Progress(message_id)

    async def tick(self) -> None:
        """Every second: finish broadcasts that are done, refresh progress messages."""
        try:
            for announcement in await self.db.announcements.with_status("sending"):
                await self._update(announcement.id)
        except Exception:
            logger.exception("Could not update the broadcasts' progress")

    async def _update(self, announcement_id: int, force: bool = False) -> None:
        announcement = await self.db.announcements.get(announcement_id)
        if announcement is None:
            return
        if announcement_id not in self._progress:
            await self._open_progress(announcement)
        progress = self._progress[announcement_id]
        tally = Tally.of(await self.db.deliveries.counts(KIND, str(announcement_id)))
        status = announcement.status
        if status == "sending" and tally.left == 0:
            async with self.db.transaction():
                if await self.db.announcements.move(announcement_id, ("sending",), "done"):
                    status = "done"
                    announcement = await self.db.announcements.get(announcement_id)
                    assert announcement is not None
                    await self._report(announcement, tally)
        rate = progress.rate(tally.finished)
        if status not in ("done", "stopped") and not force:
            if time.monotonic() - progress.last_edit < PROGRESS_EVERY:
                return
        await self._edit(announcement, progress, tally, rate, status)
        if status in ("done", "stopped"):
            self._progress.pop(announcement_id, None)

    def _final_text(self, announcement: Announcement, tally: Tally) -> str:
        return report_text(
            announcement.id, tally, took_seconds(announcement), announcement.status == "stopped"
        )

    async def _edit(
        self,
        announcement: Announcement,
        progress: Progress,
        tally: Tally,
        rate: float,
        status: str,
    ) -> None:
        if progress.message_id is None or announcement.author_id is None:
            return
        author = await self.db.users.get(announcement.author_id)
        with self.notifier.speaking_to(author):
            if status in ("done", "stopped"):
                text = self._final_text(announcement, tally)
                markup = progress_keyboard(announcement.id, status, bool(tally.cancelled))
            else:
                percent = progress.percent(tally, announcement.total)
                text = progress_text(announcement.id, tally, percent, rate, status == "paused")
                markup = progress_keyboard(announcement.id, status)
        progress.last_edit = time.monotonic()
        if text == progress.last_text:
            return  # Telegram refuses an edit to identical content
        progress.last_text = text
        try:
            await self.bot.edit_message_text(
                text=text,
                chat_id=announcement.author_id,
                message_id=progress.message_id,
                reply_markup=markup,
            )
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:
                logger.warning("Progress of announcement %s: %s", announcement.id, exc.message)
        except TelegramAPIError as exc:
            logger.warning("Progress of announcement %s: %s", announcement.id, exc)

    async def _report(self, announcement: Announcement, tally: Tally) -> None:
        """The end-of-broadcast report, queued to the author (inside the caller's transaction)."""
        if announcement.author_id is None:
            return

        def content(locale: str) -> Payload:
            return text_payload(self._final_text(announcement, tally))

        # One report per finish: a resumed announcement reports again when it finishes again.
        await self._tell_author(announcement, "report", content, again=announcement.finished_at)

    async def _tell_author(
        self,
        announcement: Announcement,
        what: str,
        content: Callable[[str], Payload],
        again: str | None = None,
    ) -> None:
        """A notice about an announcement to its author (in the caller's transaction); the
        same notice is queued once, unless `again` tells this time from another."""
        author_id = announcement.author_id
        assert author_id is not None
        key = f"ann-{what}:{announcement.id}" + (f":{again}" if again else "")
        message = self.notifier.message(
            author_id,
            await self.db.users.get(author_id),
            "notice",
            content,
            ref=f"ann-{what}-{announcement.id}",
            key=key,
            priority=Priority.URGENT,
        )
        await self.notifier.queue([message])

    # -- start

    async def resume(self) -> None:
        """At start: schedule what is scheduled, ask about what was missed, finish the rest."""
        now = self.clock.now()
        grace = self.missed_grace
        for announcement in await self.db.announcements.with_status("scheduled"):
            assert announcement.send_at is not None
            if announcement.send_at < now - grace:
                await self._missed(announcement)
            else:
                self.schedule(announcement)  # one just due runs at once
        for announcement in await self.db.announcements.with_status("queuing"):
            logger.info("Announcement %s was being queued at the last stop", announcement.id)
            self._spawn(self.queue(announcement))
        self.scheduler.every("broadcast-progress", TICK_EVERY, self.tick)

    async def _missed(self, announcement: Announcement) -> None:
        async with self.db.transaction():
            if not await self.db.announcements.move(announcement.id, ("scheduled",), "missed"):
                return
            await audit(self.db, None, "announcement.missed", f"#{announcement.id}")
            if announcement.author_id is None:
                return
            send_at = announcement.send_at
            assert send_at is not None

            def content(locale: str) -> Payload:
                when = fmt_datetime(send_at.astimezone(self.tz), locale)
                text = _(
                    "⚠️ Announcement #{id} was due at {when}, but the bot was not running then. "
                    "Send it now?"
                ).format(id=announcement.id, when=when)
                text += "\n\n" + html.escape(preview_line(announcement.content))
                return text_payload(text, missed_keyboard(announcement.id))

            await self._tell_author(announcement, "missed", content)
        logger.warning("Announcement %s missed its time; the author is asked", announcement.id)

    async def shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()


def took_seconds(announcement: Announcement) -> int:
    """From the start of sending to its end (or now), pauses included."""
    if not announcement.started_at:
        return 0
    start = datetime.fromisoformat(announcement.started_at)
    end = (
        datetime.fromisoformat(announcement.finished_at)
        if announcement.finished_at
        else datetime.now(UTC)
    )
    return max(0, round((end - start).total_seconds()))


def preview_line(content: dict[str, Any], limit: int = 80) -> str:
    """The start of the default version as plain text, for lists (not escaped)."""
    body = content["versions"][content["default"]]
    raw = body.get("text") or body.get("caption") or ""
    plain = re.sub(r"<[^>]+>", "", raw)
    plain = html.unescape(" ".join(plain.split()))
    if not plain:
        plain = "📎"
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


# ---------------------------------------------------------------------- audiences


def register_audiences(audiences: AudienceRegistry, locale_of: Callable[[Reader], str]) -> None:
    """The audiences this feature owns: everyone, and by language."""

    async def everyone(db: Any, param: str) -> list[int]:
        return await db.announcements.active_user_ids()

    async def by_language(db: Any, param: str) -> list[int]:
        people = await db.announcements.active_languages()
        return [p.id for p in people if locale_of(p) == param]

    audiences.add(Audience("all", lambda: _("Everyone"), everyone))
    audiences.add(
        Audience(
            "lang",
            lambda: _("By language"),
            by_language,
            lambda: list(LANGUAGE_NAMES.items()),
        )
    )


def setup(dp: Dispatcher, broadcaster: Broadcaster) -> None:
    """Announcements: the broadcaster in the workflow data, its audiences offered, resumed at
    start-up, its queuing tasks cancelled at shutdown (what was queued stays queued)."""
    register_audiences(broadcaster.audiences, broadcaster.notifier.locale_of)
    dp["broadcaster"] = broadcaster
    dp.startup.register(broadcaster.resume)
    dp.shutdown.register(broadcaster.shutdown)
