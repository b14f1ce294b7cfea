"""A small JSON control API under /_fake/ so a benchmark in another process can drive users.

POST /_fake/users                 {"id": 1, "first_name": "A", ...}   add a user
POST /_fake/users/{id}/send       {"text": "/start"}                  user writes
POST /_fake/users/{id}/press      {"button": "Программа"}             user presses
GET  /_fake/chats/{id}/messages                                       bot messages
GET  /_fake/stats                                                     counters
POST /_fake/config                {"global_rate": 30, "fail_rate": 0.1, ...}
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import FakeTelegram

CONFIGURABLE = frozenset(
    {"global_rate", "paid_rate", "chat_rate", "chat_burst", "fail_rate", "drop_rate"}
)


def control_routes(server: FakeTelegram) -> list[web.RouteDef]:
    async def add_user(request: web.Request) -> web.Response:
        body = await request.json()
        user = server.add_user(**body)
        return web.json_response(user.as_dict())

    async def send(request: web.Request) -> web.Response:
        user = _user(server, request)
        body = await request.json()
        return web.json_response(await user.send(body["text"]))

    async def press(request: web.Request) -> web.Response:
        user = _user(server, request)
        body = await request.json()
        button = body["button"]
        try:
            update = await user.press(tuple(button) if isinstance(button, list) else button)
        except AssertionError as error:
            raise web.HTTPBadRequest(text=str(error)) from None
        return web.json_response(update)

    async def messages(request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat_id"])
        listed = [
            {**server.message_dict(m), "edited": m.edited, "deleted": m.deleted}
            for m in server.messages(chat_id)
        ]
        return web.json_response(listed)

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(_stats(server))

    async def config(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        unknown = set(body) - CONFIGURABLE
        if unknown:
            raise web.HTTPBadRequest(text=f"unknown settings: {sorted(unknown)}")
        for name, value in body.items():
            setattr(server, name, value)
        return web.json_response({name: getattr(server, name) for name in CONFIGURABLE})

    return [
        web.post("/_fake/users", add_user),
        web.post("/_fake/users/{user_id}/send", send),
        web.post("/_fake/users/{user_id}/press", press),
        web.get("/_fake/chats/{chat_id}/messages", messages),
        web.get("/_fake/stats", stats),
        web.post("/_fake/config", config),
    ]


def _user(server: FakeTelegram, request: web.Request) -> Any:
    user = server.users.get(int(request.match_info["user_id"]))
    if user is None:
        raise web.HTTPNotFound(text="no such user")
    return user


def _stats(server: FakeTelegram) -> dict[str, Any]:
    per_chat = {str(chat_id): chat.sent_count for chat_id, chat in server.chats.items()}
    return {
        "requests": len(server.log),
        "sent": sum(per_chat.values()),
        "sent_per_chat": per_chat,
        "errors": dict(Counter(record.kind for record in server.errors())),
    }
