"""Announcements: audiences, queuing one delivery per recipient, scheduling, progress, Stop.

The database is the truth: an announcement's status says what is left to do, and on start
every scheduled, half-queued or sending announcement is picked up again.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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


DATE_TIME = [
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2})[:.](\d{2})$"), "dmy"),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2})\s+(\d{1,2})[:.](\d{2})$"), "dmy2"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[\sT]+(\d{1,2}):(\d{2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\s+(\d{1,2})[:.](\d{2})$"), "dm"),
    (re.compile(r"^(\d{1,2})[:.](\d{2})$"), "hm"),
]


def parse_when(text: str, now_local: datetime) -> datetime | None:
    """A typed forum-local date and time ("25.06 18:00", "2027-06-25 18:00", "18:00" today)."""
    value = " ".join(text.strip().split())
    for pattern, form in DATE_TIME:
        m = pattern.match(value)
        if m is None:
            continue
        g = [int(x) for x in m.groups()]
        try:
            if form == "dmy":
                day, hour, minute = date(g[2], g[1], g[0]), g[3], g[4]
            elif form == "dmy2":
                day, hour, minute = date(2000 + g[2], g[1], g[0]), g[3], g[4]
            elif form == "ymd":
                day, hour, minute = date(g[0], g[1], g[2]), g[3], g[4]
            elif form == "dm":
                day, hour, minute = date(now_local.year, g[1], g[0]), g[2], g[3]
            else:
                day, hour, minute = now_local.date(), g[0], g[1]
            return datetime(day.year, day.month, day.day, hour, minute, tzinfo=now_local.tzinfo)
        except ValueError:
            return None
    return None


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


# ---------------------------------------------------------------------- progress


@dataclass
class Progress:
    message_id: int | None
    started: float = field(default_factory=time.monotonic)
    last_edit: float = 0.0
    last_text: str = ""
    samples: list[tuple[float, int]] = field(default_factory=list)

    def rate(self, done: int) -> float:
        now = time.monotonic()
        self.samples.append((now, done))
        # The rate over the last ~10 seconds follows slow-downs (429s) without jitter.
        self.samples = [s for s in self.samples if now - s[0] <= 10.0] or [(now, done)]
        t0, d0 = self.samples[0]
        return (done - d0) / (now - t0) if now - t0 >= 0.5 else 0.0


def bar(share: float) -> str:
    filled = max(0, min(BAR_WIDTH, round(share * BAR_WIDTH)))
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


def progress_text(
    announcement_id: int, counts: dict[str, int], total: int, rate: float, final: str | None
) -> str:
    sent = counts.get("sent", 0)
    failed = counts.get("failed", 0)
    blocked = counts.get("blocked", 0)
    cancelled = counts.get("cancelled", 0)
    left = counts.get("pending", 0) + counts.get("sending", 0)
    done = sent + failed + blocked + cancelled
    share = done / total if total else 1.0
    if final == "done":
        title = _("✅ Announcement #{id} delivered").format(id=announcement_id)
    elif final == "stopped":
        title = _("⏹ Announcement #{id} stopped").format(id=announcement_id)
    else:
        title = _("📤 Sending announcement #{id}").format(id=announcement_id)
    lines = [
        title,
        f"{bar(share)} {round(share * 100)}%",
        _("Sent: {sent} · failed: {failed} · blocked the bot: {blocked}").format(
            sent=sent, failed=failed, blocked=blocked
        ),
    ]
    if final is None:
        lines.append(_("Left: {left}").format(left=left))
        if rate > 0:
            seconds = round(left / rate)
            lines.append(
                _("Rate: {rate}/s · about {time} left").format(
                    rate=f"{rate:.1f}", time=duration(seconds)
                )
            )
    elif cancelled:
        lines.append(
            ngettext("{n} message was not sent.", "{n} messages were not sent.", cancelled).format(
                n=cancelled
            )
        )
    return "\n".join(lines)


def duration(seconds: int) -> str:
    if seconds < 60:
        return ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)
    minutes = round(seconds / 60)
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


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
        missed_grace: timedelta,
    ) -> None:
        self.db = db
        self.bot = bot
        self.programs = programs
        self.clock = clock
        self.scheduler = scheduler
        self.notifier = notifier
        self.audiences = audiences
        self.missed_grace = missed_grace
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
        return rendered

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
        """Stop a broadcast under way: what is not sent yet is cancelled."""
        async with self.db.transaction():
            done = await self.db.announcements.move(
                announcement_id, ("queuing", "sending"), "stopped"
            )
            if done:
                left = await self.db.deliveries.cancel(KIND, str(announcement_id))
                await audit(
                    self.db, actor, "announcement.stopped", f"#{announcement_id}, {left} not sent"
                )
        if done:
            await self._update(announcement_id, force=True)
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
        await self._open_progress(announcement)
        people = await self.recipients(
            announcement.audience, announcement.audience_param, announcement.urgent
        )
        payloads = self.payloads(announcement.content, announcement.urgent)
        priority = Priority.URGENT if announcement.urgent else Priority.BULK
        async with self.db.transaction():
            await self.db.announcements.set_total(ann_id, len(people))
        for start in range(0, len(people), QUEUE_CHUNK):
            chunk = people[start : start + QUEUE_CHUNK]
            async with self.db.transaction():
                current = await self.db.announcements.get(ann_id)
                if current is None or current.status != "queuing":
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
            await self.db.announcements.move(ann_id, ("queuing",), "sending")
        logger.info("Announcement %s queued for %d people", ann_id, len(people))
        await self._update(ann_id, force=True)

    # -- progress

    async def _open_progress(self, announcement: Announcement) -> None:
        if announcement.id in self._progress:
            return
        message_id = announcement.progress_message_id
        if message_id is None and announcement.author_id is not None:
            author = await self.db.users.get(announcement.author_id)
            with self.notifier.speaking_to(author):
                text = progress_text(announcement.id, {}, announcement.total, 0.0, None)
                markup = progress_keyboard(announcement.id)
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
        counts = await self.db.deliveries.counts(KIND, str(announcement_id))
        left = counts.get("pending", 0) + counts.get("sending", 0)
        final: str | None = None
        if announcement.status == "sending" and left == 0:
            async with self.db.transaction():
                if await self.db.announcements.move(announcement_id, ("sending",), "done"):
                    final = "done"
                    await self._report(announcement, counts, progress)
        elif announcement.status == "stopped":
            final = "stopped"
        done = sum(v for k, v in counts.items() if k not in ("pending", "sending"))
        rate = progress.rate(done)
        now = time.monotonic()
        if final is None and not force and now - progress.last_edit < PROGRESS_EVERY:
            return
        await self._edit(announcement, progress, counts, rate, final)
        if final is not None:
            self._progress.pop(announcement_id, None)

    async def _edit(
        self,
        announcement: Announcement,
        progress: Progress,
        counts: dict[str, int],
        rate: float,
        final: str | None,
    ) -> None:
        if progress.message_id is None or announcement.author_id is None:
            return
        author = await self.db.users.get(announcement.author_id)
        with self.notifier.speaking_to(author):
            text = progress_text(announcement.id, counts, announcement.total, rate, final)
            markup = None if final else progress_keyboard(announcement.id)
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

    async def _report(
        self, announcement: Announcement, counts: dict[str, int], progress: Progress
    ) -> None:
        """The end-of-broadcast report, queued to the author (inside the caller's transaction)."""
        if announcement.author_id is None:
            return
        took = round(time.monotonic() - progress.started)

        def content(locale: str) -> Payload:
            lines = [
                _("<b>Report on announcement #{id}</b>").format(id=announcement.id),
                _("Sent: {sent} · failed: {failed} · blocked the bot: {blocked}").format(
                    sent=counts.get("sent", 0),
                    failed=counts.get("failed", 0),
                    blocked=counts.get("blocked", 0),
                ),
                _("Took {time}.").format(time=duration(took)),
            ]
            return text_payload("\n".join(lines))

        await self._tell_author(announcement, "report", content)

    async def _tell_author(
        self, announcement: Announcement, what: str, content: Callable[[str], Payload]
    ) -> None:
        """A notice about an announcement to its author (in the caller's transaction)."""
        author_id = announcement.author_id
        assert author_id is not None
        message = self.notifier.message(
            author_id,
            await self.db.users.get(author_id),
            "notice",
            content,
            ref=f"ann-{what}-{announcement.id}",
            key=f"ann-{what}:{announcement.id}",
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
