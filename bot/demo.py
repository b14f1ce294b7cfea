"""The offline demo: the real bot in a terminal chat, no token and no network.

The Bot's HTTP session is replaced by one that prints what the bot sends and answers like the
Bot API would; the person's lines become updates fed to the same Dispatcher.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import logging
import re
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile, Update

from bot.clock import Clock
from bot.errors import SetupError
from bot.offline import BOT_USER, OfflineSession, plain
from bot.settings import Settings

DEMO_USER = {"id": 1001, "is_bot": False, "first_name": "Алеся", "language_code": "ru"}
DEMO_ORGANIZER = {"id": 1000, "is_bot": False, "first_name": "Organizer", "language_code": "ru"}

# Links keep their address in the terminal: "stream (https://...)".
LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)

HELP = """Type as a participant would. A number presses that button of the last message.
  /as organizer | /as participant   switch who you are
  /contact                          share your phone number (for the registration form)
  /quit                             leave the demo"""


class TerminalSession(OfflineSession):
    """Prints what a person would see of each message the bot sends."""

    def __init__(self, out_dir: Path) -> None:
        super().__init__()
        self.out_dir = out_dir
        self.buttons: list[dict[str, Any]] = []  # of the last message that had any

    def observe(self, name: str, params: dict[str, Any], method: TelegramMethod[Any]) -> None:
        if name == "answerCallbackQuery" and params.get("text"):
            print(f"  ⓘ {params['text']}")
        elif name == "editMessageReplyMarkup":
            # Only the buttons of a message above changed (e.g. "Add" became "Remove").
            markup = params.get("reply_markup")
            print("\n🤖 (buttons changed)" if markup else "\n🤖 (buttons removed)")
            self.show_markup(markup)
        elif name.startswith(("send", "edit")) or name == "copyMessage":
            self.show(params, method, edited=name.startswith("edit"))

    def show(self, params: dict[str, Any], method: TelegramMethod[Any], edited: bool) -> None:
        text = terminal_text(params.get("text") or params.get("caption") or "")
        if "question" in params:  # a poll
            options = [o.get("text", "") for o in params.get("options", [])]
            text = "📊 " + params["question"] + "".join(f"\n ○ {o}" for o in options)
        print("\n🤖 " + ("(edited) " if edited else "") + text.replace("\n", "\n   "))
        if "latitude" in params:
            print(f"   📍 {params['latitude']}, {params['longitude']} {params.get('title', '')}")
        for field in ("document", "photo"):
            value = getattr(method, field, None)
            if isinstance(value, InputFile):
                print(f"   📎 {self.save(value)}")
        self.show_markup(params.get("reply_markup"))

    def show_markup(self, markup: dict[str, Any] | None) -> None:
        rows = (markup or {}).get("inline_keyboard") or (markup or {}).get("keyboard") or []
        if not rows:
            return
        self.buttons = [button for row in rows for button in row]
        number = 1
        for row in rows:
            cells = []
            for button in row:
                url = f" ({button['url']})" if button.get("url") else ""
                cells.append(f"[{number}] {button['text']}{url}")
                number += 1
            print("   " + "   ".join(cells))

    def save(self, file: InputFile) -> Path:
        path = self.out_dir / (file.filename or "file")
        data = getattr(file, "data", None)
        if data is None and getattr(file, "path", None):
            data = Path(file.path).read_bytes()  # type: ignore[attr-defined]
        path.write_bytes(data or b"")
        return path


def terminal_text(text: str) -> str:
    """Telegram's HTML as the terminal shows it: plain text, links with their address."""

    def link(match: re.Match[str]) -> str:
        url, label = html.unescape(match.group(1)), match.group(2)
        return url if plain(label) == url else f"{label} ({url})"

    return plain(LINK.sub(link, text))


class DemoChat:
    def __init__(self, dp: Dispatcher, bot: Bot, session: TerminalSession, clock: Clock) -> None:
        self.dp = dp
        self.bot = bot
        self.session = session
        self.clock = clock
        self.user = dict(DEMO_USER)
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(100000)

    async def feed(self, payload: dict[str, Any]) -> None:
        update = Update.model_validate({"update_id": next(self.update_ids), **payload})
        await self.dp.feed_update(self.bot, update)

    def message(self, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": next(self.message_ids),
            # The demo's clock, as for every time the bot shows or stores.
            "date": int(self.clock.now().timestamp()),
            "chat": {"id": self.user["id"], "type": "private"},
            "from": self.user,
            **fields,
        }

    async def say(self, line: str) -> None:
        if line.isdigit() and 0 < int(line) <= len(self.session.buttons):
            await self.press(self.session.buttons[int(line) - 1])
            return
        if line == "/contact":
            contact = {
                "phone_number": "+375291234567",
                "first_name": self.user["first_name"],
                "user_id": self.user["id"],
            }
            await self.feed({"message": self.message(contact=contact)})
            return
        entities = []
        if line.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(line.split()[0])}]
        await self.feed({"message": self.message(text=line, entities=entities)})

    async def press(self, button: dict[str, Any]) -> None:
        if "callback_data" in button:
            message = self.message(text=" ")
            message["from"] = BOT_USER
            await self.feed(
                {
                    "callback_query": {
                        "id": str(next(self.update_ids)),
                        "from": self.user,
                        "chat_instance": "demo",
                        "message": message,
                        "data": button["callback_data"],
                    }
                }
            )
        elif button.get("request_contact"):
            await self.say("/contact")
        elif "url" in button:
            print(f"   🔗 {button['url']}")
        else:
            await self.say(button["text"])

    def switch(self, who: str) -> None:
        self.user = dict(DEMO_ORGANIZER if who == "organizer" else DEMO_USER)
        print(f"   (you are now the {who}, id {self.user['id']})")


async def read_lines(script: Path | None) -> AsyncIterator[str]:
    if script is not None:
        for line in script.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                print(f"\n🧑 {line}")
                yield line.strip()
                await asyncio.sleep(0.3)
        return
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, lambda: input("\n🧑 "))
        yield line.strip()


def log_to_file(path: Path, level: str) -> Path:
    """The bot's log goes to a file: log lines inside the chat would read as the bot's words."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    return path


async def run_demo(settings: Settings, database: Path | None, script: Path | None) -> None:
    from bot.app import create_app

    out_dir = Path(tempfile.mkdtemp(prefix="forum-bot-demo-"))
    db_path = database or out_dir / "demo.sqlite3"
    demo_settings = settings.model_copy(
        update={
            "bot_token": "1:offline-demo",
            "database_path": db_path,
            "admin_ids": settings.admin_ids | {DEMO_ORGANIZER["id"]},
            "per_chat_interval": 0.0,
        }
    )
    log_path = log_to_file(out_dir / "demo.log", settings.log_level)
    session = TerminalSession(out_dir)
    try:
        app = await create_app(demo_settings, session=session)
    except Exception as exc:
        raise SetupError(f"the demo could not start: {exc}") from None
    session.now = lambda: app.clock.now().timestamp()
    await app.startup()
    forum = app.programs.program.forum
    now = app.clock.now().astimezone(forum.tz)
    print(f"Offline demo of the forum bot: {forum.title.get('en')} (sample data).")
    print(
        f"The bot's clock: {now:%Y-%m-%d %H:%M} {forum.timezone}"
        + (" (CLOCK_START)." if settings.clock_start else "; set CLOCK_START to move it.")
    )
    print(f"Files the bot sends are saved in {out_dir}; its log is {log_path}.")
    print(HELP)
    chat = DemoChat(app.dp, app.bot, session, app.clock)
    try:
        await chat.say("/start")
        async for line in read_lines(script):
            if line in ("/quit", "/exit"):
                break
            if line.startswith("/as "):
                chat.switch(line.split()[1])
                continue
            if line:
                await chat.say(line)
            # Let queued deliveries (reminders, announcements) show before the next prompt.
            await asyncio.sleep(0.2)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        await app.shutdown()
        print("\nBye.", file=sys.stderr)
