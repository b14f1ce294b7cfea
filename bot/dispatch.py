"""The Dispatcher of the bot: aiogram's, with a dispatch table in front of the routers.

aiogram offers a message to every router in order and runs the filters of every handler until
one passes: a free-text message went through all the message handlers of all the feature
routers, each an `await` or two, before the catch-all at the end took it. The table reads, once
per update, what can narrow the choice down — the command's name, the callback data's prefix,
the person's dialogue state — and tries only the handlers that could pass, plus those that
could take anything, in the same order and with the same filters. It is built from the
registered handlers the first time an update arrives and again whenever a router or handler is
added, so a feature router needs no entry here.

Everything that decides which handler runs is kept: router order, the routers' own filters
(the role guards), SkipHandler, a handler's UNHANDLED or REJECTED, inner middlewares and the
data filters add. Update types whose routers carry their own outer middlewares, and every update
type but messages and callback queries, go the usual way.

aiogram also runs every synchronous filter in a worker thread (`CallableObject.call` →
`asyncio.to_thread`): magic `F` filters and FSM `State` filters are synchronous, so a free-text
message made three thread hops. A filter is a quick predicate of the update, so the table makes
them awaitable, in the event loop, where they are written as before. Synchronous handlers keep
their thread: a handler may block.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.bases import REJECTED, UNHANDLED, SkipHandler
from aiogram.dispatcher.event.handler import CallableObject, FilterObject, HandlerObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.filters.command import CommandException
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject

# The update types the table routes; the others are rare and go through aiogram's routing.
ROUTED = ("message", "callback_query")
# A key of a handler that any update may reach (no command, prefix or state to narrow it).
ANY = None
# The state key of an update whose state no handler names: only state-free handlers remain.
OTHER_STATE = object()
# The state key when the update carries no FSM state at all (FSM off): states do not narrow.
NO_STATE = object()

Keys = frozenset[Any] | None


def make_awaitable(obj: CallableObject) -> None:
    """Let aiogram await a synchronous filter in the event loop instead of a worker thread."""
    if obj.awaitable:
        return
    sync = obj.callback

    async def awaitable(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    awaitable.__wrapped__ = sync  # type: ignore[attr-defined]
    # aiogram read the accepted parameters from `sync` already; they stay as they are.
    obj.callback = awaitable
    obj.awaitable = True


def original(item: FilterObject) -> Any:
    """The filter as written (a Command, a State, a CallbackData filter...)."""
    if item.magic is not None:
        return item.magic
    return getattr(item.callback, "__wrapped__", item.callback)


def command_keys(filters: Iterable[Any]) -> Keys:
    """(prefix, name) — or (prefix, "ci", casefolded name) — of the commands a handler takes."""
    for item in filters:
        if isinstance(item, Command):
            if not all(isinstance(c, str) for c in item.commands):
                return ANY  # a pattern may match any name
            return frozenset(
                (prefix, "ci", name) if item.ignore_case else (prefix, name)
                for prefix in item.prefix
                for name in item.commands
            )
    return ANY


def callback_keys(filters: Iterable[Any]) -> Keys:
    """(separator, prefix) of the CallbackData a handler takes."""
    for item in filters:
        if isinstance(item, CallbackQueryFilter):
            data = item.callback_data
            return frozenset({(data.__separator__, data.__prefix__)})
    return ANY


def _state_names(value: Any) -> frozenset[str | None] | None:
    """The states a state filter admits; None for any."""
    if isinstance(value, State):
        return None if value.state == "*" else frozenset({value.state})
    if value is None or isinstance(value, str):
        return None if value == "*" else frozenset({value})
    if isinstance(value, StatesGroup):
        return frozenset(type(value).__all_states_names__)
    if inspect.isclass(value) and issubclass(value, StatesGroup):
        return frozenset(value.__all_states_names__)
    return None


def state_keys(filters: Iterable[Any]) -> Keys:
    """The FSM states in which a handler can run; ANY if it does not say."""
    for item in filters:
        if isinstance(item, StateFilter):
            names: set[str | None] = set()
            for value in item.states:
                found = _state_names(value)
                if found is None:
                    return ANY
                names |= found
            return frozenset(names)
        if isinstance(item, (State, StatesGroup)):
            return _state_names(item)
    return ANY


def message_keys(event: TelegramObject) -> tuple[Any, ...]:
    """The table keys a message's command may match, as Command itself reads it."""
    if not isinstance(event, Message):
        return ()
    text = event.text or event.caption
    if not text:
        return ()
    try:
        command = Command.extract_command(text)
    except CommandException:
        return ()
    return (
        (command.prefix, command.command),
        (command.prefix, "ci", command.command.casefold()),
    )


@dataclass(slots=True)
class Entry:
    """A handler, where it sits and what narrows its use."""

    router: Router
    observer: TelegramEventObserver
    handler: HandlerObject
    path: tuple[Router, ...]  # from the dispatcher down to the handler's router
    keys: Keys
    states: Keys


@dataclass(slots=True)
class Scope:
    """A router that an update entered: its data after its own filters passed."""

    base: dict[str, Any]  # what its handlers and its sub-routers start from
    data: dict[str, Any]  # its handlers' data (a passing filter adds to it, as in aiogram)
    own_done: bool = False  # a handler returned UNHANDLED: its sub-routers still get the update


REFUSED = object()  # a router whose filters refused the update, or whose handler REJECTED it


@dataclass
class Route:
    """The handlers of one update type in the order aiogram offers them, with the table."""

    update_type: str
    entries: list[Entry]
    keys_of: Callable[[Route, TelegramObject], tuple[Any, ...]]
    by_key: set[Any] = field(default_factory=set)
    states: set[Any] = field(default_factory=set)
    separators: tuple[str, ...] = ()  # of the CallbackData prefixes (callback queries)
    cache: dict[tuple[Any, Any], tuple[Entry, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self.by_key |= entry.keys or set()
            self.states |= entry.states or set()
        if self.update_type == "callback_query":
            self.separators = tuple(sorted({sep for sep, _ in self.by_key}))

    def candidates(self, event: TelegramObject, data: dict[str, Any]) -> tuple[Entry, ...]:
        keys = tuple(k for k in self.keys_of(self, event) if k in self.by_key)
        if "raw_state" not in data:
            state: Any = NO_STATE
        else:
            raw = data["raw_state"]
            state = raw if raw in self.states else OTHER_STATE
        # Both parts of the cache key come from the handlers, never from what people type.
        found = self.cache.get((keys, state))
        if found is None:
            found = self.cache[(keys, state)] = tuple(
                e
                for e in self.entries
                if (e.keys is ANY or not e.keys.isdisjoint(keys))
                and (e.states is ANY or state is NO_STATE or state in e.states)
            )
        return found


def _message_route_keys(route: Route, event: TelegramObject) -> tuple[Any, ...]:
    return message_keys(event)


def _callback_route_keys(route: Route, event: TelegramObject) -> tuple[Any, ...]:
    if not isinstance(event, CallbackQuery) or not event.data:
        return ()
    return tuple((sep, event.data.split(sep, 1)[0]) for sep in route.separators)


KEYS_OF = {"message": _message_route_keys, "callback_query": _callback_route_keys}
KEYS_OF_HANDLER = {"message": command_keys, "callback_query": callback_keys}


def _call_chain(
    middlewares: Sequence[Any], handler: HandlerObject
) -> Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]:
    """The handler inside its inner middlewares, as aiogram wraps it (without functools.wraps,
    which cost more than the rest of the wrapping)."""

    def call(event: TelegramObject, data: dict[str, Any]) -> Awaitable[Any]:
        return handler.call(event, **data)

    chain: Any = call
    for middleware in reversed(middlewares):
        chain = _bind(middleware, chain)
    return chain  # type: ignore[no-any-return]


def _bind(middleware: Any, inner: Any) -> Callable[[TelegramObject, dict[str, Any]], Any]:
    def call(event: TelegramObject, data: dict[str, Any]) -> Any:
        return middleware(inner, event, data)

    return call


class TableDispatcher(Dispatcher):
    """aiogram's Dispatcher with the dispatch table; `table=False` routes as aiogram does
    (tests and benchmarks compare the two)."""

    def __init__(self, *args: Any, table: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        self._routes: dict[str, Route | None] = {}
        self._watched: list[tuple[list[Any], int]] = []

    def include_router(self, router: Router) -> Router:
        self._watched = []
        return super().include_router(router)

    def route(self, update_type: str) -> Route | None:
        if not self.table or update_type not in ROUTED:
            return None
        if self._stale():
            self._routes.clear()
            self._watch()
        if update_type not in self._routes:
            self._routes[update_type] = self.build_route(update_type)
        return self._routes[update_type]

    def _watch(self) -> None:
        """Remember the lists that grow when a router, handler, filter or outer middleware is
        added anywhere, and their lengths."""
        watched: list[tuple[list[Any], int]] = []
        for router in self.chain_tail:
            watched.append((router.sub_routers, len(router.sub_routers)))
            for name in ROUTED:
                observer = router.observers[name]
                if observer._handler.filters is None:
                    observer._handler.filters = []  # as observer.filter() would make it
                for items in (
                    observer.handlers,
                    observer._handler.filters,
                    observer.outer_middleware._middlewares,
                ):
                    watched.append((items, len(items)))
        self._watched = watched

    def _stale(self) -> bool:
        if not self._watched:
            return True
        for items, size in self._watched:
            if len(items) != size:
                return True
        return False

    def build_route(self, update_type: str) -> Route | None:
        """The handlers of `update_type` in propagation order, their filters made awaitable;
        None when a router has outer middlewares of its own (aiogram's routing then)."""
        entries: list[Entry] = []
        keys_of_handler = KEYS_OF_HANDLER[update_type]

        def walk(router: Router, path: tuple[Router, ...]) -> bool:
            observer = router.observers[update_type]
            if router is not self and len(observer.outer_middleware):
                return False
            for item in observer._handler.filters or ():
                make_awaitable(item)
            for handler in observer.handlers:
                for item in handler.filters or ():
                    make_awaitable(item)
                written = [original(item) for item in handler.filters or ()]
                entries.append(
                    Entry(
                        router,
                        observer,
                        handler,
                        path,
                        keys_of_handler(written),
                        state_keys(written),
                    )
                )
            return all(walk(sub, (*path, sub)) for sub in router.sub_routers)

        if not walk(self, (self,)):
            return None
        return Route(update_type, entries, KEYS_OF[update_type])

    async def _propagate_event(
        self,
        observer: TelegramEventObserver | None,
        update_type: str,
        event: TelegramObject,
        **kwargs: Any,
    ) -> Any:
        route = self.route(update_type)
        if route is None:
            return await super()._propagate_event(observer, update_type, event, **kwargs)
        scopes: dict[Router, Scope | object] = {}
        for entry in route.candidates(event, kwargs):
            scope = await self._enter(entry, event, kwargs, scopes)
            if scope is None or scope.own_done:
                continue
            data = scope.data
            handler = entry.handler
            data["handler"] = handler
            passed, filtered = await handler.check(event, **data)
            if not passed:
                continue
            data.update(filtered)
            chain = _call_chain(entry.observer._resolve_middlewares(), handler)
            try:
                response = await chain(event, data)
            except SkipHandler:
                continue
            if response is REJECTED:
                scopes[entry.router] = REFUSED  # nor its sub-routers, as in aiogram
                continue
            if response is UNHANDLED:
                scope.own_done = True  # its sub-routers, then the next routers, go on
                continue
            return response
        return UNHANDLED

    async def _enter(
        self,
        entry: Entry,
        event: TelegramObject,
        kwargs: dict[str, Any],
        scopes: dict[Router, Scope | object],
    ) -> Scope | None:
        """The scope of the entry's router, entering the routers on its path as aiogram would
        (each one's own filters, once per update); None if one of them refused."""
        parent: dict[str, Any] = kwargs
        scope: Scope | object | None = None
        for router in entry.path:
            scope = scopes.get(router)
            if scope is REFUSED:
                return None
            if scope is None:
                base = {**parent, "event_router": router}
                observer = router.observers[entry.observer.event_name]
                passed, filtered = await observer.check_root_filters(event, **base)
                if not passed:
                    scopes[router] = REFUSED
                    return None
                base.update(filtered)
                scope = scopes[router] = Scope(base, dict(base))
            assert isinstance(scope, Scope)
            parent = scope.base
        assert isinstance(scope, Scope)
        return scope
