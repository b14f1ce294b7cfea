"""`forum-bot` / `python -m bot`: run, demo, import, check and export."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sqlite3
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.errors import SetupError
from bot.logs import setup_logging
from bot.program.loader import ProgramInvalid
from bot.program.model import Program
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


async def run_bot(settings: Settings, webhook: bool = False) -> None:
    if not settings.bot_token:
        raise SetupError("BOT_TOKEN is not set; get one from @BotFather, or try `forum-bot demo`")
    webhook = webhook or bool(settings.webhook_url)
    if webhook and not settings.webhook_url:
        raise SetupError("--webhook needs WEBHOOK_URL, the public https address of the webhook")
    # aiogram takes seconds to import: a missing token is reported before that.
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from bot.app import register_commands
    from bot.retry import no_retries
    from bot.web.server import serve

    app = await open_app(settings)
    try:
        try:
            # Fail fast: an unreachable or refusing Bot API is a start-up problem to report.
            with no_retries():
                me = await app.bot.me()  # polling reuses it: no second getMe
                if not webhook:
                    await app.bot.delete_webhook(drop_pending_updates=False)
        except TelegramUnauthorizedError:
            raise SetupError("the Bot API refused BOT_TOKEN (401 Unauthorized)") from None
        except TelegramNetworkError as exc:
            raise SetupError(f"cannot reach the Bot API at {settings.bot_api_url}: {exc}") from None
        logger.info("Running as @%s", me.username)
        await register_commands(app.bot, app.i18n)
        # Polling or the webhook; each emits the dispatcher's startup and, at a clean stop,
        # its shutdown.
        await serve(app, webhook)
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
        state = "imported" if result.changed else "unchanged (the same program as loaded)"
        print(
            f"{path}: {state}: {len(program.sessions)} sessions, {len(program.sections)} "
            f"sections, {len(program.city_pairs)} city pairs, {len(program.faq)} FAQ entries"
        )
        if result.changed and result.diff is not None:
            counts = ", ".join(f"{key} {n}" for key, n in result.diff.counts().items())
            print(f"changes: {counts or 'none'}; people notified: {result.notified}")
    finally:
        await db.close()


WORKBOOK, YAML = (".xlsx",), (".yaml", ".yml")


async def loaded_program(settings: Settings) -> tuple[Program, str]:
    """The program in the database, else the one the bot would load (PROGRAM_FILE)."""
    from bot.program.loader import parse_program
    from bot.services.program import check_file
    from db import Database

    path = settings.database_path
    if path.exists():
        try:
            db = await Database.open(path)
        except (sqlite3.Error, OSError) as exc:
            raise SetupError(f"cannot open the database at {path}: {exc}") from None
        try:
            stored = await db.programs.current()
        finally:
            await db.close()
        if stored is not None:
            return parse_program(stored.source, stored.filename), f"the database {path}"
    result = check_file(settings.program_file)
    if result.program is None:
        raise SetupError(
            f"no program in the database, and {settings.program_file} is not valid:\n"
            + render_errors(result.errors, settings.default_locale)
        )
    return result.program, f"{settings.program_file} (the database holds no program yet)"


def write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename: an interrupted export never leaves half a file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise SetupError(f"cannot write {path}: {exc.strerror or exc}") from None


def export_program(settings: Settings, path: Path, template: bool) -> None:
    from bot.i18n import create_i18n, translator
    from bot.program.workbook import template_bytes, workbook_bytes
    from bot.program.writer import program_yaml

    suffix = path.suffix.lower()
    if suffix not in WORKBOOK + (() if template else YAML):
        wanted = ".xlsx" if template else ".xlsx, .yaml or .yml"
        raise SetupError(f"{path}: the file name must end in {wanted}")
    translate = translator(create_i18n(settings.default_locale))
    if template:
        write_atomically(path, template_bytes(translate))
        print(f"{path}: the blank program workbook written")
        return
    program, source = asyncio.run(loaded_program(settings))
    if suffix in WORKBOOK:
        data = workbook_bytes(program, translate)
    else:
        data = program_yaml(program).encode("utf-8")
    write_atomically(path, data)
    print(
        f"{path}: written from {source}: {len(program.sessions)} sessions, "
        f"{len(program.sections)} sections, {len(program.city_pairs)} city pairs, "
        f"{len(program.faq)} FAQ entries"
    )


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


def backup_command(settings: Settings, path: str) -> None:
    from bot.backup import BackupError, backup

    try:
        # "backups/" names a folder even before it exists.
        done = backup(settings.database_path, Path(path), folder=path.endswith(("/", os.sep)))
    except BackupError as exc:
        raise SetupError(str(exc)) from None
    print(
        f"{done.path}: backup of {settings.database_path} ({done.users} users, {done.size} bytes)"
    )


def restore_command(settings: Settings, path: Path, yes: bool) -> None:
    from bot.backup import BackupError, check_database, restore

    try:
        checked = check_database(path)
        if not yes:
            if not sys.stdin.isatty():
                raise SetupError("restore replaces the database: add --yes to confirm")
            answer = input(
                f"Replace {settings.database_path} with {path} ({checked.users} users)? [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                raise SetupError("restore cancelled; nothing changed")
        done, kept = restore(path, settings.database_path)
    except BackupError as exc:
        raise SetupError(str(exc)) from None
    print(f"{settings.database_path}: restored from {path} ({done.users} users)")
    if kept:
        print(f"the replaced database is kept as {kept}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="forum-bot", description=__doc__)
    sub = p.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot with long polling (the default)")
    run.add_argument(
        "--webhook", action="store_true", help="receive updates at WEBHOOK_URL instead"
    )
    demo = sub.add_parser("demo", help="chat with the bot offline in this terminal")
    demo.add_argument("--database", type=Path, help="keep the demo database in this file")
    demo.add_argument("--script", type=Path, help="read the chat from this file, not the keyboard")
    imp = sub.add_parser("import", help="load a program file (.yaml or .xlsx) into the database")
    imp.add_argument("path", type=Path)
    chk = sub.add_parser("check", help="validate a program file (.yaml or .xlsx), load nothing")
    chk.add_argument("path", type=Path)
    exp = sub.add_parser(
        "export", help="write the loaded program as an Excel workbook (.xlsx) or YAML (.yaml)"
    )
    exp.add_argument("path", type=Path)
    exp.add_argument(
        "--template", action="store_true", help="write the blank workbook to fill in instead"
    )
    bak = sub.add_parser("backup", help="copy the database consistently, also while the bot runs")
    bak.add_argument("path", help="a file, or a folder (ending in /) for a timestamped file")
    res = sub.add_parser("restore", help="check a backup and put it in place (bot stopped)")
    res.add_argument("path", type=Path)
    res.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        setup_logging(settings.log_level if command == "run" else "WARNING", settings.log_format)
        if command == "run":
            from bot.backup import BackupError, run_lock

            with contextlib.ExitStack() as held:
                try:
                    held.enter_context(run_lock(settings.database_path))
                except BackupError as exc:
                    raise SetupError(str(exc)) from None
                except OSError as exc:  # the lock file beside the database
                    path = settings.database_path
                    raise SetupError(f"cannot open the database at {path}: {exc}") from None
                asyncio.run(run_bot(settings, getattr(args, "webhook", False)))
        elif command == "demo":
            from bot.demo import run_demo

            asyncio.run(run_demo(settings, args.database, args.script))
        elif command == "import":
            asyncio.run(import_program(settings, args.path))
        elif command == "check":
            check_program(settings, args.path)
        elif command == "export":
            export_program(settings, args.path, args.template)
        elif command == "backup":
            backup_command(settings, args.path)
        elif command == "restore":
            restore_command(settings, args.path, args.yes)
    except SetupError as exc:
        print(f"forum-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
