"""The Mini App's server side: the page, the programme, and the agenda behind init data."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from tests.fakeapi import FakeTelegram
from tests.harness import TOKEN, running_app
from tests.webapp import signed_init_data, tma, web_server

ANNA = {"id": 8101, "first_name": "Anna", "language_code": "en"}
BORIS = {"id": 8102, "first_name": "Борис", "language_code": "ru"}


@pytest.fixture
async def served(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[tuple[App, str]]:
    async with running_app(fake, tmp_path, clock_start="2027-06-25 10:30") as app:
        async with web_server(app) as base:
            yield app, base


async def get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, object]:
    async with aiohttp.ClientSession() as session:
        async with session.get(base + path, headers=headers or {}) as response:
            body = await (response.json() if "json" in response.content_type else response.text())
            return response.status, body


async def call(method: str, base: str, path: str, headers: dict[str, str]) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.request(method, base + path, headers=headers) as response:
            return response.status, await response.json()


async def test_the_page_and_its_files_are_served_from_the_package(
    served: tuple[App, str],
) -> None:
    _, base = served
    status, html = await get(base, "/app/")
    assert status == 200 and '<script src="app.js"' in str(html)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/app?startapp=x", allow_redirects=False) as response:
            assert response.status == 308 and response.headers["Location"] == "/app/?startapp=x"
        async with session.get(f"{base}/app/") as response:
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for name, kind in (("app.js", "javascript"), ("sw.js", "javascript"), ("app.css", "css")):
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/app/{name}") as response:
                assert response.status == 200 and kind in response.content_type
    assert (await get(base, "/app/../bot/settings.py"))[0] == 404
    assert (await get(base, "/app/secret.txt"))[0] == 404


async def test_init_data_missing_forged_or_expired_is_refused(served: tuple[App, str]) -> None:
    _, base = served
    good = signed_init_data(TOKEN, ANNA)
    assert (await get(base, "/app/api/me"))[0] == 401
    forged = good.replace("Anna", "Mallory")
    assert (await get(base, "/app/api/me", tma(forged)))[0] == 401
    other_bot = signed_init_data("987654:another-bots-token-aaaaaaaaaaaaaaaaaaaaa", ANNA)
    assert (await get(base, "/app/api/me", tma(other_bot)))[0] == 401
    expired = signed_init_data(TOKEN, ANNA, auth_date=time.time() - 2 * 86400)
    assert (await get(base, "/app/api/me", tma(expired)))[0] == 401
    status, _ = await call("PUT", base, "/app/api/agenda/plenary", tma(expired))
    assert status == 401
    status, body = await get(base, "/app/api/me", tma(good))
    assert status == 200 and body["user_id"] == ANNA["id"] and body["saved"] == []


async def test_a_star_in_the_page_is_in_the_bots_agenda_and_back(
    served: tuple[App, str], fake: FakeTelegram
) -> None:
    app, base = served
    anna = fake.add_user(ANNA["id"], "Anna", language_code="en")
    auth = tma(signed_init_data(TOKEN, ANNA))
    status, body = await call("PUT", base, "/app/api/agenda/plenary", auth)
    assert status == 200 and body["saved"] == ["plenary"]
    await anna.send("/agenda")
    agenda = await anna.wait_text("My agenda")
    assert "Plenary session" in agenda.text

    # Saved in the bot: the page sees it.
    await anna.send("/start s-d2-gala")
    card = await anna.wait_message()
    await anna.press("Add to my agenda", message=card)
    await anna.wait_callback_answer()
    status, body = await get(base, f"/app/api/me?u={ANNA['id']}", auth)
    assert body["saved"] == ["d2-gala", "plenary"]

    status, body = await call("DELETE", base, "/app/api/agenda/plenary", auth)
    assert status == 200 and body["saved"] == ["d2-gala"]
    assert await app.db.agenda.session_ids(ANNA["id"]) == {"d2-gala"}
    fake.assert_no_rejections()


async def test_only_the_own_agenda_is_answered(served: tuple[App, str]) -> None:
    app, base = served
    anna, boris = tma(signed_init_data(TOKEN, ANNA)), tma(signed_init_data(TOKEN, BORIS))
    await call("PUT", base, "/app/api/agenda/plenary", anna)
    status, body = await get(base, "/app/api/me", boris)
    assert status == 200 and body["user_id"] == BORIS["id"] and body["saved"] == []
    # Asking under Anna's offline-copy key with Boris's init data is refused.
    assert (await get(base, f"/app/api/me?u={ANNA['id']}", boris))[0] == 403
    # A person unknown to the bot gets a user row with the first star.
    assert await app.db.users.get(BORIS["id"]) is None
    await call("PUT", base, "/app/api/agenda/d2-gala", boris)
    row = await app.db.users.get(BORIS["id"])
    assert row is not None and row.first_name == "Борис"
    assert await app.db.agenda.session_ids(ANNA["id"]) == {"plenary"}


async def test_unknown_and_cancelled_sessions_change_nothing(served: tuple[App, str]) -> None:
    app, base = served
    auth = tma(signed_init_data(TOKEN, BORIS))
    status, body = await call("PUT", base, "/app/api/agenda/no-such-session", auth)
    assert status == 404 and "больше нет в программе" in body["error"]
    status, body = await call("PUT", base, "/app/api/agenda/d2-bike", auth)
    assert status == 409 and "отменено" in body["error"].lower()
    assert await app.db.agenda.session_ids(BORIS["id"]) == set()


async def test_language_follows_the_bot_then_telegram(
    served: tuple[App, str], fake: FakeTelegram
) -> None:
    _, base = served
    boris = fake.add_user(BORIS["id"], "Борис", language_code="ru")
    auth = tma(signed_init_data(TOKEN, BORIS))
    assert (await get(base, "/app/api/me", auth))[1]["locale"] == "ru"
    await boris.send("/language")
    await boris.wait_message()
    await boris.press("Беларуская")
    await boris.wait_message()
    status, body = await get(base, "/app/api/me", auth)
    assert body["locale"] == "be"
    status, programme = await get(base, "/app/api/programme?lang=be")
    assert status == 200
    assert programme["texts"]["title"] == "Поўная праграма"
    assert programme["locale"] == "be" and programme["days"][1]["date"] == "2027-06-25"
    gala = next(s for s in programme["sessions"] if s["id"] == "d2-gala")
    assert gala["title"].startswith("Гала-канцэрт")
    # Unknown languages fall back to the default one.
    assert (await get(base, "/app/api/programme?lang=xx"))[1]["locale"] == "ru"


async def test_programme_carries_details_and_search_keys(served: tuple[App, str]) -> None:
    _, base = served
    _, programme = await get(base, "/app/api/programme?lang=en")
    plenary = next(s for s in programme["sessions"] if s["id"] == "plenary")
    assert plenary["start"] == "10:00" and plenary["hall"]
    assert plenary["map"].startswith("https://www.openstreetmap.org/")
    assert plenary["speakers"] and plenary["speakers"][0]["name"]
    # Keys hold every language's words, folded: the Russian title is findable in English.
    assert "plenarn" in plenary["keys"]
    assert {k["id"] for k in programme["kinds"]} >= {"plenary", "culture"}
    assert programme["folding"]["be_to_ru"]["ў"] == "в"
    assert programme["folding"]["be_infinitive"][1] == "ть"
