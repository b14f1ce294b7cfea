"""`forum-bot` / `python -m bot`: run, demo, import and check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.errors import SetupError
from bot.program.loader import ProgramInvalid
from bot.settings import Settings

logger = logging.getLogger("bot")


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise SetupError(f"invalid settings: {problems}") from None


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def render_errors(errors: list, locale: str) -> str:  # type: ignore[type-arg]
    from bot.i18n import create_i18n

    i18n = create_i18n(locale)
    with i18n.context(), i18n.use_locale(locale):
        return "\n".join(err.render(i18n.gettext) for err in errors)


async def open_app(settings: Settings):  # type: ignore[no-untyped-def]
    """create_app, with its start-up failures turned into one clear line each."""
    from aiogram.utils.token import TokenValidationError

    from bot.app import create_app

    try:
        return await create_app(settings)
    except TokenValidationError:
        raise SetupError(
            "BOT_TOKEN is malformed: expected <digits>:<secret> from @BotFather"
        ) from None
    except ProgramInvalid as exc:
        raise SetupError(
            "the program file is not valid:\n" + render_errors(exc.errors, settings.default_locale)
        ) from None
    except (sqlite3.Error, OSError) as exc:
        raise SetupError(f"cannot open the database at {settings.database_path}: {exc}") from None


async def run_bot(settings: Settings) -> None:
    if not settings.bot_token:
        raise SetupError("BOT_TOKEN is not set; get one from @BotFather, or try `forum-bot demo`")
    # aiogram takes seconds to import: a missing token is reported before that.
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from bot.app import register_commands
    from bot.retry import no_retries

    app = await open_app(settings)
    try:
        try:
            # Fail fast: an unreachable or refusing Bot API is a start-up problem to report.
            with no_retries():
                me = await app.bot.get_me()
                await app.bot.delete_webhook(drop_pending_updates=False)
        except TelegramUnauthorizedError:
            raise SetupError("the Bot API refused BOT_TOKEN (401 Unauthorized)") from None
        except TelegramNetworkError as exc:
            raise SetupError(f"cannot reach the Bot API at {settings.bot_api_url}: {exc}") from None
        logger.info("Running as @%s", me.username)
        await register_commands(app.bot, app.i18n)
        # Polling emits the dispatcher's startup and, when it stops, its shutdown.
        await app.dp.start_polling(app.bot, handle_signals=True, close_bot_session=False)
    except BaseException:
        # Stopped before or during start-up: whatever had started is stopped, the DB closed.
        await app.shutdown()
        raise
    finally:
        await app.bot.session.close()
    logger.info("Stopped cleanly")


async def import_program(settings: Settings, path: Path) -> None:
    from bot.services.program import ProgramService
    from bot.services.program_ops import audit_recorder
    from bot.wake import send_wake
    from db import Database

    try:
        db = await Database.open(settings.database_path)
    except (sqlite3.Error, OSError) as exc:
        raise SetupError(f"cannot open the database at {settings.database_path}: {exc}") from None
    try:
        if await db.programs.current() is None:
            # Nobody can have saved anything yet: nothing to compare with or tell.
            programs = ProgramService(db)
        else:
            await db.close()
            app = await open_app(settings.model_copy(update={"bot_token": "1:offline"}))
            db, programs = app.db, app.programs
            await app.bot.session.close()  # only its services are used, never the network
        if settings.import_nudge:
            # The running bot sends the queued notices and loads the programme at once, not
            # at its next poll (nor after this process has rebuilt its own indexes).
            programs.commit_hooks.append(lambda _version: send_wake(settings.database_path))
        record = audit_recorder(db, "program.import", None, file=path.name, origin="cli")
        result = await programs.import_file(path, record)
        if not result.ok:
            raise SetupError(
                f"{path} was not imported; the loaded program is unchanged:\n"
                + render_errors(result.errors, settings.default_locale)
            )
        program = result.program
        assert program is not None
        state = "imported" if result.changed else "unchanged (same program as loaded)"
        print(
            f"{path}: {state}: {len(program.sessions)} sessions, {len(program.sections)} "
            f"sections, {len(program.city_pairs)} city pairs, {len(program.faq)} FAQ entries"
        )
        if result.changed and result.diff is not None:
            counts = ", ".join(f"{key} {n}" for key, n in result.diff.counts().items())
            print(f"changes: {counts or 'none'}; people notified: {result.notified}")
    finally:
        await db.close()


def check_program(settings: Settings, path: Path) -> None:
    from bot.services.program import check_file

    result = check_file(path)
    if not result.ok:
        raise SetupError(
            f"{path}: {len(result.errors)} error(s):\n"
            + render_errors(result.errors, settings.default_locale)
        )
    program = result.program
    assert program is not None
    print(
        f"{path}: OK: {program.forum.title.get()} — {len(program.sessions)} sessions, "
        f"{len(program.venues)} venues, {len(program.sections)} sections, "
        f"{len(program.city_pairs)} city pairs, {len(program.faq)} FAQ entries"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="forum-bot", description=__doc__)
    sub = p.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot with long polling (the default)")
    demo = sub.add_parser("demo", help="chat with the bot offline in this terminal")
    demo.add_argument("--database", type=Path, help="keep the demo database in this file")
    demo.add_argument("--script", type=Path, help="read the chat from this file, not the keyboard")
    imp = sub.add_parser("import", help="load a program file into the database")
    imp.add_argument("path", type=Path)
    chk = sub.add_parser("check", help="validate a program file without loading it")
    chk.add_argument("path", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        setup_logging(settings.log_level if command == "run" else "WARNING")
        if command == "run":
            asyncio.run(run_bot(settings))
        elif command == "demo":
            from bot.demo import run_demo

            asyncio.run(run_demo(settings, args.database, args.script))
        elif command == "import":
            asyncio.run(import_program(settings, args.path))
        elif command == "check":
            check_program(settings, args.path)
    except SetupError as exc:
        print(f"forum-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
