"""The application: builds the Bot, the Dispatcher and the long-lived services around them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault, ErrorEvent
from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.fsm_storage import SQLiteStorage
from bot.i18n import _, create_i18n
from bot.middlewares import LocaleMiddleware, UserMiddleware
from bot.program.model import LANGUAGES
from bot.retry import RetryMiddleware
from bot.scheduler import Scheduler
from bot.services.audiences import AudienceRegistry
from bot.services.delivery import DeliveryEngine
from bot.services.program import ProgramService
from bot.settings import Settings
from bot.wake import WakeListener
from db import Database

logger = logging.getLogger(__name__)

Hook = Callable[["App"], Awaitable[None]]
# How long a stop waits for updates that are being handled.
IN_FLIGHT_GRACE = 10.0


@dataclass(slots=True)
class App:
    settings: Settings
    db: Database
    clock: Clock
    programs: ProgramService
    i18n: I18n
    bot: Bot
    dp: Dispatcher
    scheduler: Scheduler
    engine: DeliveryEngine
    audiences: AudienceRegistry = field(default_factory=AudienceRegistry)
    wake: WakeListener | None = None
    startup_hooks: list[Hook] = field(default_factory=list)
    shutdown_hooks: list[Hook] = field(default_factory=list)


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    """A Bot speaking HTML; raises aiogram's TokenValidationError for a malformed token."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    bot = Bot(
        settings.bot_token,
        session=session,
        default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
    )
    bot.session.middleware(RetryMiddleware())
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
    app_parts: dict[str, object], i18n: I18n, db: Database, owners: frozenset[int]
) -> Dispatcher:
    from handlers import routers

    dp = Dispatcher(storage=SQLiteStorage(db), **app_parts)
    dp.update.outer_middleware(UserMiddleware(owners))
    LocaleMiddleware(i18n).setup(dp)
    dp.errors.register(on_error)
    dp.include_routers(*routers())
    return dp


async def create_app(settings: Settings, session: BaseSession | None = None) -> App:
    """Open the database, load the program and wire every service; nothing is sent yet."""
    bot = create_bot(settings, session)
    db = await Database.open(settings.database_path)
    try:
        programs = ProgramService(db)
        await programs.load(settings.program_file)
        async with db.transaction():
            await db.users.set_owners(settings.admin_ids)
        clock = forum_clock(settings, programs)
        i18n = create_i18n(settings.default_locale)
        scheduler = Scheduler(clock)
        rate = settings.paid_send_rate if settings.paid_broadcast else settings.send_rate
        engine = DeliveryEngine(
            bot, db, clock, rate, settings.per_chat_interval, paid=settings.paid_broadcast
        )
        parts: dict[str, object] = {
            "settings": settings,
            "db": db,
            "clock": clock,
            "programs": programs,
            "scheduler": scheduler,
            "engine": engine,
        }
        dp = create_dispatcher(parts, i18n, db, settings.admin_ids)
        app = App(settings, db, clock, programs, i18n, bot, dp, scheduler, engine)
        dp["app"] = app
        dp["audiences"] = app.audiences
        from bot.features import setup_features

        await setup_features(app)
    except BaseException:
        await db.close()
        await bot.session.close()
        raise
    return app


async def start_services(app: App) -> None:
    """Start sending and scheduling; called once the Bot API answered."""
    await app.engine.start()
    # `forum-bot import` nudges the bot at once; the poll is the fallback if a nudge is lost.
    poll = app.settings.program_poll_seconds
    # A partial, not a lambda: APScheduler awaits only what it can see is a coroutine function.
    app.scheduler.every("program-refresh", poll, partial(program_imported, app))
    if app.settings.import_nudge:
        app.wake = WakeListener(app.settings.database_path, partial(nudged, app))
        app.wake.start()
    app.scheduler.start()
    for hook in app.startup_hooks:
        await hook(app)


async def nudged(app: App) -> None:
    """`forum-bot import` stored a programme: its notices are queued already, so the engine
    goes first; loading the programme (a parse) comes after."""
    app.engine.wake()
    await app.programs.refresh()


async def program_imported(app: App) -> None:
    """Another process may have stored a programme: load it and send the notices it queued."""
    if await app.programs.refresh():
        app.engine.wake()


async def stop_services(app: App) -> None:
    """Let in-flight updates finish, stop sending and scheduling, close the database."""
    # aiogram keeps the tasks of updates being handled here; it has no public accessor.
    pending = list(getattr(app.dp, "_handle_update_tasks", ()))
    if pending:
        await asyncio.wait(pending, timeout=IN_FLIGHT_GRACE)
    for hook in app.shutdown_hooks:
        try:
            await hook(app)
        except Exception:
            logger.exception("A shutdown hook failed")
    if app.wake is not None:
        await app.wake.stop()
    app.scheduler.shutdown()
    await app.engine.stop()
    await app.db.close()
