"""Which feature handles what: the order of the bot's routers, through the dispatch table.

The handlers do not run here: a middleware records the handler that the routing chose and
stops. Each update is routed by the table and by aiogram's own routing, for every role and
dialogue state, and both must choose the same handler; the named cases pin the order the bot
relies on (deep links and organizer tools before the menu, the free-text catch-all last).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import TelegramObject, Update

from benchmarks.updates import UpdateFactory
from bot.app import App, create_app
from bot.dispatch import TableDispatcher
from bot.keyboards.common import MenuCb
from bot.keyboards.links import SessionCb
from bot.keyboards.schedule import DayCb
from bot.offline import OfflineSession
from bot.settings import Settings
from tests.harness import detach_routers

OWNER = 4242
ORGANIZER = 4343
PARTICIPANT = 4444
SELECTED = object()


class Chosen(BaseMiddleware):
    """An inner middleware: notes the module and name of the chosen handler, runs nothing."""

    def __init__(self) -> None:
        self.last: str | None = None

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        callback = data["handler"].callback
        self.last = f"{callback.__module__}.{callback.__name__}"
        return SELECTED


@pytest.fixture
async def routed(tmp_path: Path) -> AsyncIterator[tuple[App, Chosen]]:
    detach_routers()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="1:order",
        database_path=tmp_path / "order.sqlite3",
        admin_ids=frozenset({OWNER}),
        clock_start="2027-06-20T12:00:00",
    )
    app = await create_app(settings, session=OfflineSession())
    chosen = Chosen()
    app.dp.message.middleware(chosen)
    app.dp.callback_query.middleware(chosen)
    assert isinstance(app.dp, TableDispatcher)
    try:
        for uid in (OWNER, ORGANIZER, PARTICIPANT):  # the rows, then the organizer's role
            await app.dp.feed_update(app.bot, Update.model_validate(make(uid, "/help")))
        async with app.db.transaction():
            await app.db.users.set_role(ORGANIZER, "organizer")
        yield app, chosen
    finally:
        await app.shutdown()
        detach_routers()


factory = UpdateFactory()


def make(uid: int, what: str | dict[str, Any]) -> dict[str, Any]:
    """A text message, a button press ("cb:" + data) or a message with other content."""
    if isinstance(what, dict):
        update = factory.message(uid, "")
        del update["message"]["text"]
        update["message"].update(what)
        return update
    if what.startswith("cb:"):
        return factory.callback(uid, what[3:])
    return factory.message(uid, what)


async def choose(
    app: App, chosen: Chosen, uid: int, what: str | dict[str, Any], state: str | None = None
) -> str | None:
    """The handler the routing chooses, by the table and by aiogram; both must agree."""
    dp = app.dp
    assert isinstance(dp, TableDispatcher)
    key = StorageKey(bot_id=app.bot.id, chat_id=uid, user_id=uid)
    found = []
    for table in (True, False):
        dp.table = table
        await dp.storage.set_state(key, state)
        chosen.last = None
        update = Update.model_validate(make(uid, what))
        result = await dp.feed_update(app.bot, update)
        found.append(chosen.last if result is SELECTED else None)
    dp.table = True
    await dp.storage.set_state(key, None)
    assert found[0] == found[1], f"{what!r} in {state}: table {found[0]}, aiogram {found[1]}"
    return found[0]


def module(handler: str | None) -> str:
    return (handler or "").rsplit(".", 1)[0]


async def test_deep_links_and_organizer_tools_come_before_the_menu(
    routed: tuple[App, Chosen],
) -> None:
    app, chosen = routed
    assert module(await choose(app, chosen, PARTICIPANT, "/start")) == "handlers.start"
    assert module(await choose(app, chosen, PARTICIPANT, "/start c-1")) == "handlers.cities"
    assert module(await choose(app, chosen, PARTICIPANT, "/start s-plenary")) == "handlers.schedule"
    assert module(await choose(app, chosen, PARTICIPANT, "/start x-1")) == "handlers.sections"
    assert module(await choose(app, chosen, PARTICIPANT, "/start reg")) == "handlers.registration"
    assert module(await choose(app, chosen, PARTICIPANT, "/start inv-abc")) == "handlers.members"
    assert module(await choose(app, chosen, PARTICIPANT, "/start nonsense")) == "handlers.start"
    assert (
        module(await choose(app, chosen, ORGANIZER, "/start ci-12"))
        == "handlers.registration_admin"
    )
    assert module(await choose(app, chosen, PARTICIPANT, "/start ci-12")) == "handlers.registration"
    # Organizer tools: the guarded routers take them from organizers, the refusal from others.
    assert module(await choose(app, chosen, ORGANIZER, "/announce")) == "handlers.announcements"
    assert module(await choose(app, chosen, PARTICIPANT, "/announce")) == "handlers.access"
    assert module(await choose(app, chosen, OWNER, "/team")) == "handlers.team"
    assert module(await choose(app, chosen, ORGANIZER, "/team")) == "handlers.access"
    assert module(await choose(app, chosen, PARTICIPANT, "cb:oa:team")) == "handlers.access"
    assert module(
        await choose(app, chosen, PARTICIPANT, "cb:" + MenuCb(action="admin").pack())
    ) == ("handlers.access")
    assert module(await choose(app, chosen, ORGANIZER, "cb:" + MenuCb(action="admin").pack())) == (
        "handlers.admin"
    )


async def test_free_text_goes_to_dialogues_first_and_to_the_questions_last(
    routed: tuple[App, Chosen],
) -> None:
    app, chosen = routed
    text = "Где проходит пленарное заседание?"
    assert module(await choose(app, chosen, PARTICIPANT, text)) == "handlers.questions"
    assert module(await choose(app, chosen, PARTICIPANT, text, "RegForm:fill")) == (
        "handlers.registration"
    )
    assert module(await choose(app, chosen, ORGANIZER, text, "InboxStates:answering")) == (
        "handlers.inbox"
    )
    assert module(await choose(app, chosen, ORGANIZER, text, "AnnounceForm:content")) == (
        "handlers.announcements"
    )
    # A command in the middle of a dialogue is still the command.
    assert module(await choose(app, chosen, PARTICIPANT, "/help", "RegForm:fill")) == (
        "handlers.start"
    )
    # What nobody takes ends at the fallback: a sticker, an unknown command, a stale button.
    sticker = {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "u",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    }
    assert module(await choose(app, chosen, PARTICIPANT, sticker)) == "handlers.fallback"
    assert module(await choose(app, chosen, PARTICIPANT, "/nonsense")) == "handlers.fallback"
    assert module(await choose(app, chosen, PARTICIPANT, "cb:zz:1")) == "handlers.fallback"


STATES = (
    None,
    "AskStates:question",
    "RegForm:fill",
    "InboxStates:answering",
    "AnnounceForm:content",
    "AnnounceForm:when",
    "TeamForm:add",
    "Gone:state",
)


def corpus() -> list[str | dict[str, Any]]:
    """Every command, deep link and button kind, free text, and other content."""
    commands = (
        "start menu help schedule now sections cities agenda register mydata forget settings "
        "language admin audit announce announcements inbox stats registrations export checkin "
        "team nonsense"
    ).split()
    items: list[str | dict[str, Any]] = [f"/{c}" for c in commands]
    items += ["/START", "/start@forum_demo_bot", "/start@other_bot", "/cities Брест", "/"]
    items += [f"/start {p}" for p in ("s-plenary", "x-1", "c-1", "reg", "ci-5", "inv-x", "zz")]
    items += ["Когда пленарное заседание?", "@someone_here", "12.05.2001", "   "]
    items += [{"contact": {"phone_number": "+375291234567", "first_name": "A", "user_id": 1}}]
    items += [{"location": {"latitude": 53.9, "longitude": 27.5}}]
    actions = (
        "menu help schedule now sections cities agenda ask register settings language admin "
        "adm_inbox adm_reg zz"
    ).split()
    items += ["cb:" + MenuCb(action=a).pack() for a in actions]
    items += ["cb:" + DayCb(day="20270625").pack(), "cb:" + SessionCb(id="plenary").pack()]
    prefixes = "lang set rg rv pv oreg qs qa oq dy ag ss sc ct cy cr oa oc on ot ol".split()
    items += [f"cb:{p}:x" for p in prefixes] + ["cb:o", "cb:garbage"]
    return items


async def test_the_table_chooses_what_aiogram_chooses(routed: tuple[App, Chosen]) -> None:
    app, chosen = routed
    reached: set[str] = set()
    for uid in (PARTICIPANT, ORGANIZER, OWNER):
        for state in STATES:
            for what in corpus():
                found = await choose(app, chosen, uid, what, state)
                reached.add(module(found))
    # The corpus reaches every feature, so that the comparison compares something.
    assert {
        "handlers.start",
        "handlers.schedule",
        "handlers.questions",
        "handlers.registration",
        "handlers.inbox",
        "handlers.announcements",
        "handlers.team",
        "handlers.access",
        "handlers.fallback",
        "handlers.cities",
        "handlers.settings",
    } <= reached, reached
