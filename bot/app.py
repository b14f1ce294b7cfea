"""The application: builds the Bot, the Dispatcher and the long-lived services around them."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault, ErrorEvent
from aiogram.utils.i18n import I18n

from bot.budget import SendBudget
from bot.clock import Clock
from bot.dispatch import TableDispatcher
from bot.fsm_storage import SQLiteStorage
from bot.i18n import _, create_i18n
from bot.middlewares import LocaleMiddleware, UserMiddleware
from bot.program.model import LANGUAGES
from bot.responses import KeepResponseModels
from bot.retry import BudgetMiddleware, RetryMiddleware
from bot.scheduler import Scheduler
from bot.services import agenda, broadcast, meetings, program_ops, registration_setup, search
from bot.services.audiences import AudienceRegistry
from bot.services.delivery import DeliveryEngine
from bot.services.notify import Notifier
from bot.services.program import ProgramService
from bot.services.session_setup import setup as setup_session_features
from bot.session import BotSession
from bot.settings import Settings
from bot.wake import WakeListener
from db import Database

logger = logging.getLogger(__name__)

# How long a stop waits for updates that are being handled.
IN_FLIGHT_GRACE = 10.0


@dataclass(slots=True)
class App:
    """What the composition root built, for the entry points (CLI, demo, tests): the services
    themselves take what they use in their constructors and never see this object."""

    settings: Settings
    db: Database
    clock: Clock
    programs: ProgramService
    i18n: I18n
    bot: Bot
    dp: Dispatcher
    scheduler: Scheduler
    engine: DeliveryEngine

    async def startup(self) -> None:
        """Start the services without polling (the demo, benchmarks); polling does it itself."""
        await self.dp.emit_startup(**self._signal_data())

    async def shutdown(self) -> None:
        await self.dp.emit_shutdown(**self._signal_data())

    def _signal_data(self) -> dict[str, object]:
        # What start_polling passes to the startup and shutdown handlers.
        return {**self.dp.workflow_data, "dispatcher": self.dp, "bot": self.bot}


def send_budget(settings: Settings, session: BaseSession | None = None) -> SendBudget:
    """The one budget every message to Telegram takes a slot of (none needed offline)."""
    from bot.offline import OfflineSession

    if isinstance(session, OfflineSession):
        return SendBudget(math.inf, math.inf)
    return SendBudget(settings.send_rate, settings.paid_send_rate)


def create_bot(
    settings: Settings, session: BaseSession | None = None, budget: SendBudget | None = None
) -> Bot:
    """A Bot speaking HTML; raises aiogram's TokenValidationError for a malformed token."""
    if budget is None:
        budget = send_budget(settings, session)
    if session is None:
        session = BotSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    bot = Bot(
        settings.bot_token,
        session=session,
        default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
    )
    bot.session.middleware(KeepResponseModels())
    # Retries outside, the budget inside: each attempt takes a slot of its own.
    bot.session.middleware(RetryMiddleware())
    bot.session.middleware(BudgetMiddleware(budget))
    return bot


def bot_commands() -> list[BotCommand]:
    """The command menu in the current locale."""
    return [
        BotCommand(command="start", description=_("Main menu")),
        BotCommand(command="schedule", description=_("Programme by day")),
        BotCommand(command="now", description=_("What is on now and next")),
        BotCommand(command="sections", description=_("Thematic sections")),
        BotCommand(command="cities", description=_("Partner cities")),
        BotCommand(command="agenda", description=_("My agenda")),
        BotCommand(command="delegate", description=_("My delegate profile")),
        BotCommand(command="meetings", description=_("My meetings with delegates")),
        BotCommand(command="register", description=_("Youth meeting registration")),
        BotCommand(command="settings", description=_("Settings")),
        BotCommand(command="language", description=_("Language")),
        BotCommand(command="help", description=_("What the bot can do")),
    ]


async def register_commands(bot: Bot, i18n: I18n) -> None:
    for lang in LANGUAGES:
        with i18n.context(), i18n.use_locale(lang):
            await bot.set_my_commands(bot_commands(), BotCommandScopeDefault(), language_code=lang)
    with i18n.context(), i18n.use_locale(i18n.default_locale):
        await bot.set_my_commands(bot_commands(), BotCommandScopeDefault())


async def on_error(event: ErrorEvent, bot: Bot) -> None:
    """Log every unhandled error and tell the person, without showing the traceback."""
    logger.error("Error while handling update %s", event.update.update_id, exc_info=event.exception)
    text = _("Sorry, something went wrong. Please try again or open the menu: /start")
    update = event.update
    # The handler may already have answered the button, so the apology is a message.
    chat_id = (
        update.message.chat.id
        if update.message
        else update.callback_query.from_user.id
        if update.callback_query
        else None
    )
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, text)
    except Exception:
        logger.exception("Could not tell the user about the error")


def forum_clock(settings: Settings, programs: ProgramService) -> Clock:
    start: datetime | None = settings.clock_start
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=programs.program.forum.tz)
    return Clock(start)


def create_dispatcher(
    services: dict[str, object], i18n: I18n, db: Database, owners: frozenset[int]
) -> Dispatcher:
    from handlers import routers

    dp = TableDispatcher(storage=SQLiteStorage(db), **services)
    dp.update.outer_middleware(UserMiddleware(owners))
    LocaleMiddleware(i18n).setup(dp)
    dp.errors.register(on_error)
    dp.include_routers(*routers())
    return dp


async def create_app(settings: Settings, session: BaseSession | None = None) -> App:
    """Open the database, load the program and wire every service; nothing is sent yet.

    This is the one place that knows every service: each gets what it uses in its
    constructor, the handlers get them from the Dispatcher's workflow data, and whatever
    starts or stops with the bot is registered on `dp.startup` / `dp.shutdown` (start-up
    runs in registration order, and so does shutdown: in-flight updates first, the
    database last).
    """
    budget = send_budget(settings, session)
    bot = create_bot(settings, session, budget)
    db = await Database.open(settings.database_path, settings.cache_size)
    try:
        programs = ProgramService(db)
        await programs.load(settings.program_file)
        async with db.transaction():
            await db.users.set_owners(settings.admin_ids)
        clock = forum_clock(settings, programs)
        db.use_clock(clock.now)
        i18n = create_i18n(settings.default_locale)
        scheduler = Scheduler(clock)
        engine = DeliveryEngine(bot, db, clock, budget, settings.per_chat_interval)
        notifier = Notifier(db, engine, i18n, settings.default_locale)
        audiences = AudienceRegistry()
        dp = create_dispatcher(
            {
                "settings": settings,
                "db": db,
                "clock": clock,
                "programs": programs,
                "notifier": notifier,
                "audiences": audiences,
            },
            i18n,
            db,
            settings.admin_ids,
        )
        app = App(settings, db, clock, programs, i18n, bot, dp, scheduler, engine)
        # `forum-bot import` nudges the running bot at once; the poll is the fallback.
        wake = (
            WakeListener(settings.database_path, partial(nudged, programs, engine))
            if settings.import_nudge
            else None
        )
        dp.startup.register(app_started(engine, scheduler, programs, settings, wake))
        dp.shutdown.register(finish_updates)
        agenda_service = agenda.setup(dp, db, programs, clock, notifier, scheduler, audiences)
        program_ops.setup(dp, db, programs, agenda_service)
        search_service = search.setup(dp, programs)
        meetings.setup(dp, db, programs, clock, notifier, scheduler, search_service)
        registration_setup.setup(dp, db, notifier, programs, audiences, clock, scheduler, bot)
        setup_session_features(dp, db, programs, clock, notifier, scheduler, engine)
        missed_grace = timedelta(minutes=settings.missed_grace_minutes)
        # Paid broadcasts: announcements (only) go at the paid rate and cost Stars.
        paid_rate = settings.paid_send_rate if settings.paid_broadcast else None
        broadcast.setup(
            dp,
            broadcast.Broadcaster(
                db,
                bot,
                programs,
                clock,
                scheduler,
                notifier,
                audiences,
                engine,
                missed_grace,
                paid_rate,
            ),
        )
        dp.shutdown.register(app_stopped(engine, scheduler, db, wake))
    except BaseException:
        await db.close()
        await bot.session.close()
        raise
    return app


def app_started(
    engine: DeliveryEngine,
    scheduler: Scheduler,
    programs: ProgramService,
    settings: Settings,
    wake: WakeListener | None,
) -> Callable[[], Awaitable[None]]:
    async def start() -> None:
        """Sending and scheduling start before the features' own start-up."""
        await engine.start()
        # A partial, not a lambda: APScheduler awaits only what it can see is a coroutine.
        poll = partial(program_imported, programs, engine)
        scheduler.every("program-refresh", settings.program_poll_seconds, poll)
        if wake is not None:
            wake.start()
        scheduler.start()

    return start


async def nudged(programs: ProgramService, engine: DeliveryEngine) -> None:
    """`forum-bot import` stored a programme: its notices are queued already, so the engine
    goes first; loading the programme (a parse) comes after."""
    engine.wake()
    await programs.refresh()


async def program_imported(programs: ProgramService, engine: DeliveryEngine) -> None:
    """Another process may have stored a programme: load it and send the notices it queued."""
    if await programs.refresh():
        engine.wake()


async def finish_updates(dispatcher: Dispatcher) -> None:
    """Let the updates being handled finish before anything stops."""
    # aiogram keeps the tasks of updates being handled here; it has no public accessor.
    pending = list(getattr(dispatcher, "_handle_update_tasks", ()))
    if pending:
        await asyncio.wait(pending, timeout=IN_FLIGHT_GRACE)


def app_stopped(
    engine: DeliveryEngine, scheduler: Scheduler, db: Database, wake: WakeListener | None
) -> Callable[[], Awaitable[None]]:
    async def stop() -> None:
        """Last of the shutdown: stop listening, scheduling and sending (queued messages stay
        queued), close the database."""
        try:
            if wake is not None:
                await wake.stop()
            await scheduler.shutdown()
            await engine.stop()
        finally:
            await db.close()

    return stop
