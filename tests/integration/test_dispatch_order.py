"""Which feature handles what: the order of the bot's routers, through the dispatch table.

The handlers do not run here: a middleware records the handler that the routing chose and
stops. Each update is routed by the table and by aiogram's own routing, for every role and
dialogue state, and both must choose the same handler; the named cases pin the order the bot
relies on (deep links and organizer tools before the menu, the free-text catch-all last).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, get_args

import pytest
from aiogram import BaseMiddleware
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import TelegramObject, Update
from magic_filter import MagicFilter
from magic_filter.operations import BaseOperation, GetAttributeOperation

import handlers
from benchmarks.updates import UpdateFactory
from bot.app import App, create_app
from bot.dispatch import ROUTED, TableDispatcher, original
from bot.keyboards.common import MenuCb
from bot.keyboards.program import EditCb, ProgramCb
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
    assert module(await choose(app, chosen, PARTICIPANT, "/start g-abc")) == "handlers.guardian"


async def test_programme_operations_come_first_for_organizers_only(
    routed: tuple[App, Chosen],
) -> None:
    app, chosen = routed
    upload = {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "program.xlsx"}}
    assert module(await choose(app, chosen, ORGANIZER, upload)) == "handlers.program_upload"
    assert module(await choose(app, chosen, PARTICIPANT, upload)) == "handlers.fallback"
    # A document in the middle of a dialogue is not an upload.
    assert module(await choose(app, chosen, ORGANIZER, upload, "RegForm:fill")) == (
        "handlers.registration"
    )
    assert module(await choose(app, chosen, ORGANIZER, "/program")) == "handlers.program_upload"
    assert module(await choose(app, chosen, PARTICIPANT, "/program")) == "handlers.access"
    rollback = "cb:" + ProgramCb(action="rb", id=1).pack()
    assert module(await choose(app, chosen, OWNER, rollback)) == "handlers.program_upload"
    assert module(await choose(app, chosen, PARTICIPANT, rollback)) == "handlers.access"
    edit = "cb:" + EditCb(k="s", id="plenary", a="menu").pack()
    assert module(await choose(app, chosen, ORGANIZER, edit)) == "handlers.program_edit"
    assert module(await choose(app, chosen, PARTICIPANT, edit)) == "handlers.access"
    # An edit waiting for a time takes what is typed, commands too (it leaves the wait and
    # skips to the command's own handler), before every other router.
    for typed in ("10:30", "/schedule", "Когда обед?"):
        assert module(await choose(app, chosen, ORGANIZER, typed, "EditForm:answer")) == (
            "handlers.program_edit"
        )
    assert module(await choose(app, chosen, ORGANIZER, upload, "EditForm:answer")) == (
        "handlers.program_edit"
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


# Content no filter names by a constant: free text in several shapes, and other kinds.
TEXTS = ("Когда пленарное заседание?", "@someone_here", "12.05.2001", "   ", "/", "/nonsense")
STICKER = {
    "file_id": "s",
    "file_unique_id": "u",
    "type": "regular",
    "width": 1,
    "height": 1,
    "is_animated": False,
    "is_video": False,
}
CONTENT: tuple[dict[str, Any], ...] = (
    {"contact": {"phone_number": "+375291234567", "first_name": "A", "user_id": 1}},
    {"location": {"latitude": 53.9, "longitude": 27.5}},
    {"sticker": STICKER},
    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "program.xlsx"}},
    {"document": {"file_id": "y", "file_unique_id": "y", "file_name": "p.yaml"}, "caption": "x"},
)


def literals(value: Any, depth: int = 0) -> set[str]:
    """The string constants in a magic filter: `F.action == "go"`, `F.args.startswith("c-")`,
    `F.action.in_({"aud", "back"})` (attribute names are not among them)."""
    if depth > 8 or isinstance(value, GetAttributeOperation):
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, MagicFilter):
        items: Iterable[Any] = value._operations
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = value
    elif isinstance(value, BaseOperation):
        items = [getattr(value, name, None) for name in type(value).__slots__]
    else:
        return set()
    return set().union(*(literals(item, depth + 1) for item in items))


def field_value(annotation: Any, text: str) -> Any:
    """A value of a CallbackData field's type: `text` for strings."""
    kinds = get_args(annotation) or (annotation,)
    for kind in kinds:
        if kind is bool:
            return True
        if kind is int:
            return 1
        if kind is float:
            return 1.0
        if kind is str:
            return text
    return text


def data_of(written: Any) -> list[str]:
    """Callback data a CallbackData filter may take: each constant of its rule in each string
    field (and in none), numbers 1; and its prefix with data that does not unpack."""
    cls = written.callback_data
    found = [f"{cls.__prefix__}{cls.__separator__}zz{cls.__separator__}"]
    for text in sorted(literals(written.rule) | {"x"}):
        values = {
            name: field_value(info.annotation, text) for name, info in cls.model_fields.items()
        }
        try:
            found.append(cls(**values).pack())
        except (ValueError, TypeError):
            continue
    return found


def texts_of(written: Any) -> list[str]:
    """Messages a Command filter (with its deep-link rule) or a text rule may take."""
    if isinstance(written, MagicFilter):
        return sorted(t for t in literals(written) if t)
    if not isinstance(written, Command):
        return []
    found = []
    for name in written.commands:
        if not isinstance(name, str):
            continue
        for prefix in written.prefix:
            command = f"{prefix}{name}"
            found += [command, command.upper(), f"{command}@forum_demo_bot", f"{command} 1"]
            for payload in sorted(literals(written.magic)) if written.magic else ():
                found += [f"{command} {payload}", f"{command} {payload}1"]
    return found


def corpus(dp: TableDispatcher) -> tuple[list[str | dict[str, Any]], list[str | None]]:
    """Every command, deep link, button and dialogue state of the registered handlers (so a new
    feature router is compared with no change here), free text and other content."""
    items: list[str | dict[str, Any]] = [*TEXTS, *CONTENT]
    states: set[str] = set()
    for update_type in ROUTED:
        route = dp.build_route(update_type)
        assert route is not None
        for entry in route.entries:
            states |= {s for s in entry.states or () if isinstance(s, str)}
            for written in map(original, entry.handler.filters or ()):
                if isinstance(written, CallbackQueryFilter):
                    items += ["cb:" + data for data in data_of(written)]
                elif update_type == "callback_query" and isinstance(written, MagicFilter):
                    items += ["cb:" + t for t in literals(written)]  # F.data.startswith("o")
                else:
                    items += texts_of(written)
    items += ["cb:garbage", "cb:"]
    unique = list({repr(item): item for item in items}.values())
    return unique, [None, *sorted(states), "Gone:state"]


async def test_the_table_chooses_what_aiogram_chooses(routed: tuple[App, Chosen]) -> None:
    app, chosen = routed
    assert isinstance(app.dp, TableDispatcher)
    items, states = corpus(app.dp)
    reached: set[str] = set()
    for uid in (PARTICIPANT, ORGANIZER, OWNER):
        for state in states:
            for what in items:
                found = await choose(app, chosen, uid, what, state)
                reached.add(module(found))
    # The corpus reaches every feature router, so that the comparison compares something.
    features = {f"handlers.{router.name.rsplit('.', 1)[-1]}" for router in handlers.routers()}
    assert features <= reached, features - reached
