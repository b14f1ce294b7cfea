"""The dispatch table routes as aiogram does: the same handler for every update, in the same
order, with the same router filters, middlewares and filter data; and no filter goes to a
worker thread. Each routing case runs through the table and through aiogram's own routing."""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiogram import BaseMiddleware, Bot, F, Router
from aiogram.dispatcher.event.bases import REJECTED, UNHANDLED, SkipHandler
from aiogram.filters import BaseFilter, Command, CommandStart, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import TelegramObject, Update

from bot.dispatch import TableDispatcher
from bot.offline import OfflineSession

ids = itertools.count(1)


class Form(StatesGroup):
    name = State()
    age = State()


class ItemCb(CallbackData, prefix="it"):
    id: int


class PageCb(CallbackData, prefix="pg", sep="|"):
    n: int


def message(text: str | None = None, uid: int = 7, **extra: Any) -> Update:
    payload: dict[str, Any] = {
        "message_id": next(ids),
        "date": 0,
        "chat": {"id": uid, "type": "private"},
        "from": {"id": uid, "is_bot": False, "first_name": "A"},
        **extra,
    }
    if text is not None:
        payload["text"] = text
    return Update.model_validate({"update_id": next(ids), "message": payload})


def callback(data: str, uid: int = 7) -> Update:
    return Update.model_validate(
        {
            "update_id": next(ids),
            "callback_query": {
                "id": str(next(ids)),
                "from": {"id": uid, "is_bot": False, "first_name": "A"},
                "chat_instance": "x",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": uid, "type": "private"},
                    "text": "menu",
                },
            },
        }
    )


class Allow(BaseFilter):
    """A router filter that the test can turn, and that passes data on."""

    def __init__(self) -> None:
        self.open = True

    async def __call__(self, event: TelegramObject) -> bool | dict[str, Any]:
        return {"guard": "passed"} if self.open else False


class Tag(BaseMiddleware):
    """An inner middleware: handlers see it ran."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["tagged"] = data.get("tagged", 0) + 1
        return await handler(event, data)


def build(table: bool) -> tuple[TableDispatcher, list[str], Allow]:
    """A tree with every routing rule in it; `seen` gets the name of the handler that ran."""
    seen: list[str] = []
    guard = Allow()

    def record(name: str, result: Any = None) -> Callable[..., Awaitable[Any]]:
        async def handler(event: TelegramObject, **data: Any) -> Any:
            extras = [k for k in ("guard", "tagged", "number", "callback_data") if k in data]
            seen.append(f"{name}{extras}" if extras else name)
            return result

        return handler

    links = Router(name="links")
    links.message.register(
        record("link"), CommandStart(deep_link=True, magic=F.args.startswith("s-"))
    )
    links.message.register(record("upper"), Command("shout", ignore_case=True))
    links.message.register(record("pattern"), Command(re.compile(r"item_\d+")))

    admin = Router(name="admin")
    admin.message.filter(guard)
    admin.callback_query.filter(guard)
    admin.message.register(record("admin"), Command("admin"))
    admin.callback_query.register(record("admin_item"), ItemCb.filter(F.id > 100))
    inner = Router(name="admin.inner")
    inner.message.register(record("inner"), Command("admin", "inner"))
    admin.include_router(inner)

    skips = Router(name="skips")

    async def skip(event: TelegramObject) -> None:
        seen.append("skip")
        raise SkipHandler

    skips.message.register(skip, Command("start"))
    skips.message.register(record("unhandled", UNHANDLED), Command("menu"))
    skips.message.register(record("after_unhandled"), Command("menu"))
    after = Router(name="skips.after")
    after.message.register(record("menu_below"), Command("menu"))
    after.message.register(record("rejected", REJECTED), Command("gone"))
    after.message.register(record("gone_after"), Command("gone"))
    skips.include_router(after)
    skips.message.register(record("gone_above"), Command("never"))

    forms = Router(name="forms")
    forms.message.middleware(Tag())
    forms.message.register(record("name"), Form.name, F.text)
    forms.message.register(
        record("age"), StateFilter(Form.age), F.text.regexp(r"^\d+$").as_("number")
    )
    forms.message.register(record("any_form"), StateFilter(Form), ~F.text)
    forms.callback_query.register(record("page"), PageCb.filter())

    main = Router(name="main")
    main.message.register(record("start"), CommandStart())
    main.message.register(record("gone_main"), Command("gone"))
    main.message.register(record("menu_main"), Command("menu"))
    main.callback_query.register(record("item"), ItemCb.filter())
    main.callback_query.register(record("literal"), F.data == "plain")
    main.message.register(record("text"), F.text, ~F.text.startswith("/"))

    last = Router(name="last")
    last.message.register(record("anything"))
    last.callback_query.register(record("stale"))

    dp = TableDispatcher(table=table)
    dp.include_routers(links, admin, skips, forms, main, last)
    return dp, seen, guard


CASES: list[tuple[str | None, Any, bool]] = [
    # (state, update maker, guard open)
    (None, lambda: message("/start"), True),
    (None, lambda: message("/start s-plenary"), True),
    (None, lambda: message("/start x-other"), True),
    (None, lambda: message("/START"), True),
    (None, lambda: message("/ShOuT now"), True),
    (None, lambda: message("/item_12"), True),
    (None, lambda: message("/item_x"), True),
    (None, lambda: message("/admin"), True),
    (None, lambda: message("/admin"), False),
    (None, lambda: message("/inner"), True),
    (None, lambda: message("/inner"), False),
    (None, lambda: message("/menu"), True),
    (None, lambda: message("/gone"), True),
    (None, lambda: message("/never"), True),
    (None, lambda: message("/start@forum_demo_bot"), True),
    (None, lambda: message("/start@someone_else"), True),
    (None, lambda: message("  /start"), True),
    (None, lambda: message("hello"), True),
    (None, lambda: message("/"), True),
    (None, lambda: message("   "), True),
    (
        None,
        lambda: message(None, sticker=None, contact={"phone_number": "1", "first_name": "A"}),
        True,
    ),
    (
        None,
        lambda: message(
            None,
            caption="/start",
            photo=[{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
        ),
        True,
    ),
    ("Form:name", lambda: message("Anna"), True),
    ("Form:name", lambda: message("/start"), True),
    ("Form:age", lambda: message("42"), True),
    ("Form:age", lambda: message("forty"), True),
    ("Form:age", lambda: message(None, contact={"phone_number": "1", "first_name": "A"}), True),
    ("Old:state", lambda: message("hello"), True),
    (None, lambda: callback(ItemCb(id=5).pack()), True),
    (None, lambda: callback(ItemCb(id=500).pack()), True),
    (None, lambda: callback(ItemCb(id=500).pack()), False),
    (None, lambda: callback(PageCb(n=2).pack()), True),
    (None, lambda: callback("pg:2"), True),
    (None, lambda: callback("plain"), True),
    (None, lambda: callback("it"), True),
    (None, lambda: callback("it:notanumber"), True),
    (None, lambda: callback("garbage"), True),
    ("Form:age", lambda: callback(PageCb(n=1).pack()), True),
]


async def route(table: bool, state: str | None, make: Any, open_: bool) -> tuple[list[str], Any]:
    dp, seen, guard = build(table)
    guard.open = open_
    bot = Bot("1:bench", session=OfflineSession())
    update = make()
    event = update.message or update.callback_query
    key = StorageKey(bot_id=bot.id, chat_id=7, user_id=event.from_user.id)
    await dp.storage.set_state(key, state)
    result = await dp.feed_update(bot, update)
    return seen, result


@pytest.mark.parametrize(("state", "make", "open_"), CASES)
async def test_the_table_routes_as_aiogram(state: str | None, make: Any, open_: bool) -> None:
    table = await route(True, state, make, open_)
    plain = await route(False, state, make, open_)
    assert table == plain
    assert table[0], "every case reaches a handler"


async def test_what_the_cases_reach() -> None:
    """The rules themselves, so that the comparison above compares something."""

    async def reach(make: Any, state: str | None = None, open_: bool = True) -> list[str]:
        return (await route(True, state, make, open_))[0]

    assert await reach(lambda: message("/start s-plenary")) == ["link"]
    assert await reach(lambda: message("/start")) == ["skip", "start"]
    assert await reach(lambda: message("/ShOuT")) == ["upper"]
    assert await reach(lambda: message("/item_12")) == ["pattern"]
    assert await reach(lambda: message("/admin")) == ["admin['guard']"]
    assert await reach(lambda: message("/admin"), open_=False) == ["anything"]
    assert await reach(lambda: message("/inner")) == ["inner['guard']"]
    # UNHANDLED skips the rest of its router but not its sub-routers; REJECTED skips both.
    assert await reach(lambda: message("/menu")) == ["unhandled", "menu_below"]
    assert await reach(lambda: message("/gone")) == ["rejected", "gone_main"]
    assert await reach(lambda: message("42"), "Form:age") == ["age['tagged', 'number']"]
    assert await reach(lambda: message("hello"), "Old:state") == ["text"]
    assert await reach(lambda: callback(ItemCb(id=500).pack())) == [
        "admin_item['guard', 'callback_data']"
    ]
    assert await reach(lambda: callback("pg|2")) == ["page['callback_data']"]
    assert await reach(lambda: callback("pg:2")) == ["stale"]
    assert await reach(lambda: callback("plain")) == ["literal"]


async def test_routers_added_after_the_first_update_are_seen() -> None:
    dp, seen, _ = build(True)
    bot = Bot("1:bench", session=OfflineSession())
    await dp.feed_update(bot, message("/late"))
    assert seen == ["anything"]
    late = Router(name="late")

    @late.message(Command("late"))
    async def late_handler(event: TelegramObject) -> None:
        seen.append("late")

    dp.sub_routers[-1].include_router(late)  # below the catch-all's router, after its handler
    dp.sub_routers[0].message.register(late_handler, Command("later"))
    await dp.feed_update(bot, message("/later"))
    assert seen == ["anything", "late"]


async def test_a_router_with_outer_middleware_is_routed_by_aiogram() -> None:
    dp, seen, _ = build(True)
    calls: list[str] = []

    async def outer(handler: Any, event: TelegramObject, data: dict[str, Any]) -> Any:
        calls.append("outer")
        return await handler(event, data)

    dp.sub_routers[4].message.outer_middleware(outer)
    bot = Bot("1:bench", session=OfflineSession())
    await dp.feed_update(bot, message("hello"))
    assert seen == ["text"] and calls == ["outer"]
    assert dp.route("message") is None and dp.route("callback_query") is not None


async def test_filters_run_in_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Magic F, State and plain synchronous filters are awaited where they are, not in a
    worker thread."""
    threads: set[str] = set()

    def where(event: TelegramObject) -> bool:
        threads.add(threading.current_thread().name)
        return True

    dp, seen, _ = build(True)

    async def plain_filter_passed(event: TelegramObject) -> None:
        seen.append("plain filter")

    last = dp.sub_routers[-1]
    last.message.register(plain_filter_passed, where)
    last.message.handlers.insert(0, last.message.handlers.pop())

    async def no_thread(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a filter went to a worker thread")

    monkeypatch.setattr(asyncio, "to_thread", no_thread)
    bot = Bot("1:bench", session=OfflineSession())
    key = StorageKey(bot_id=bot.id, chat_id=7, user_id=7)
    await dp.storage.set_state(key, "Form:name")
    await dp.feed_update(bot, message("Anna"))
    await dp.storage.set_state(key, None)
    await dp.feed_update(bot, message(None, contact={"phone_number": "1", "first_name": "A"}))
    assert seen == ["name['tagged']", "plain filter"]
    assert threads == {threading.current_thread().name}
