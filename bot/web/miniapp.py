"""The schedule Mini App: its page (static files, package data) and its small JSON API.

GET  /app/                      the page (index.html, app.js, app.css, sw.js)
GET  /app/api/programme?lang=xx the programme in a language (public, cached by the page)
GET  /app/api/me?u=ID           the person's language, agenda and the bot's clock (init data)
PUT  /app/api/agenda/{session}  save a session to the person's agenda (init data)
DELETE /app/api/agenda/{session} remove it (init data)

The agenda is the bot's own (db.agenda), so a star in the page shows in /agenda and a session
saved in the bot shows starred in the page. Every answer about a person is about the one
whose init data signed the request, and nobody else.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from aiogram.utils.i18n import I18n
from aiogram.utils.web_app import WebAppUser
from aiohttp import web

from bot.clock import Clock
from bot.i18n import _, in_locale, locale_for
from bot.program.model import LANGUAGES
from bot.services.agenda import AgendaService
from bot.services.program import ProgramService
from bot.web.auth import AuthError, authenticate
from bot.web.programme import programme_json
from db import Database

logger = logging.getLogger(__name__)

STATIC_FILES = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "app.css": "text/css",
    "sw.js": "text/javascript",
    "manifest.webmanifest": "application/manifest+json",
}
# The page must be fresh after a deploy; the service worker keeps the offline copy.
NO_CACHE = {"Cache-Control": "no-cache"}
# Only the page's own files and API: a programme text can never become a script.
PAGE_HEADERS = {
    **NO_CACHE,
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def static_file(name: str) -> bytes:
    """A file of the page, read from the installed package (never the working directory)."""
    return (resources.files("bot.web") / "static" / name).read_bytes()


@dataclass(slots=True)
class MiniAppApi:
    db: Database
    programs: ProgramService
    clock: Clock
    i18n: I18n
    agenda: AgendaService
    token: str
    max_age: timedelta
    default_locale: str

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/app", self.redirect),
            web.get("/app/", self.page),
            web.get("/app/{name}", self.asset),
            web.get("/app/api/programme", self.programme),
            web.get("/app/api/me", self.me),
            web.put("/app/api/agenda/{session_id}", self.save),
            web.delete("/app/api/agenda/{session_id}", self.unsave),
        ]

    # -------------------------------------------------------------- the page

    async def redirect(self, request: web.Request) -> web.Response:
        query = request.query_string
        raise web.HTTPPermanentRedirect("/app/" + (f"?{query}" if query else ""))

    async def page(self, request: web.Request) -> web.Response:
        return self._file("index.html")

    async def asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        response = self._file(name)
        if name == "sw.js":
            response.headers["Service-Worker-Allowed"] = "/app/"
        return response

    def _file(self, name: str) -> web.Response:
        body = static_file(name)
        kind = STATIC_FILES[name]
        return web.Response(body=body, content_type=kind, charset="utf-8", headers=PAGE_HEADERS)

    # -------------------------------------------------------------- the API

    async def programme(self, request: web.Request) -> web.Response:
        lang = request.query.get("lang", self.default_locale)
        locale = lang if lang in LANGUAGES else self.default_locale
        body = self.programs.derived(("miniapp", locale), lambda: self._programme(locale))
        return web.Response(body=body, content_type="application/json", headers=NO_CACHE)

    def _programme(self, locale: str) -> bytes:
        with in_locale(self.i18n, locale):
            data = programme_json(self.programs.program, locale, str(self.programs.version))
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    async def me(self, request: web.Request) -> web.Response:
        tg_user = self._user(request)
        self._check_cache_key(request, tg_user)
        row = await self.db.users.get(tg_user.id)
        locale = locale_for(
            row.language if row else None, tg_user.language_code, self.default_locale
        )
        saved = await self.db.agenda.session_ids(tg_user.id)
        return self._json({"user_id": tg_user.id, "locale": locale, **self._state(saved)})

    async def save(self, request: web.Request) -> web.Response:
        return await self._change(request, add=True)

    async def unsave(self, request: web.Request) -> web.Response:
        return await self._change(request, add=False)

    async def _change(self, request: web.Request, *, add: bool) -> web.Response:
        tg_user = self._user(request)
        session = self.programs.program.session(request.match_info["session_id"])
        row = await self.db.users.get(tg_user.id)
        locale = locale_for(
            row.language if row else None, tg_user.language_code, self.default_locale
        )
        if session is None:
            with in_locale(self.i18n, locale):
                message = _("This session is no longer in the programme.")
            return self._json({"error": message}, status=404)
        if add and session.cancelled:
            with in_locale(self.i18n, locale):
                message = _("This session is cancelled.")
            return self._json({"error": message}, status=409)
        async with self.db.transaction():
            if row is None:
                # Opened from a link before ever writing to the bot: the person gets a row.
                await self.db.users.upsert_seen(
                    tg_user.id,
                    tg_user.first_name,
                    tg_user.last_name,
                    tg_user.username,
                    tg_user.language_code,
                )
            if add:
                await self.db.agenda.add(tg_user.id, session.id)
            else:
                await self.db.agenda.remove(tg_user.id, session.id)
        if add:
            # As from the bot: a session saved shortly before it starts gets its reminder now.
            await self.agenda.queue_reminders()
        saved = await self.db.agenda.session_ids(tg_user.id)
        return self._json(self._state(saved))

    def _state(self, saved: set[str]) -> dict[str, Any]:
        return {
            "saved": sorted(saved),
            "now": self.clock.now().isoformat(),
            "programme_version": str(self.programs.version),
        }

    def _user(self, request: web.Request) -> WebAppUser:
        try:
            return authenticate(
                self.token, request.headers.get("Authorization"), datetime.now(UTC), self.max_age
            )
        except AuthError as exc:
            logger.info("Mini App request refused: %s", exc)
            raise web.HTTPUnauthorized(
                text=json.dumps({"error": "unauthorized"}), content_type="application/json"
            ) from None

    def _check_cache_key(self, request: web.Request, tg_user: WebAppUser) -> None:
        # The page's offline copy is kept under ?u=<id>: it must never hold another's agenda.
        if request.query.get("u") not in (None, str(tg_user.id)):
            raise web.HTTPForbidden(
                text=json.dumps({"error": "not yours"}), content_type="application/json"
            )

    def _json(self, data: dict[str, Any], status: int = 200) -> web.Response:
        return web.json_response(
            data, status=status, headers=NO_CACHE, dumps=lambda d: json.dumps(d, ensure_ascii=False)
        )
