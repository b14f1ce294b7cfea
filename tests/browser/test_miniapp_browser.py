"""The schedule Mini App in a real browser: Debian's headless Chromium driven by selenium.

The bot runs in this event loop (polling the fake Telegram) with its web server; the browser
opens the page as Telegram would, with signed init data and theme parameters in the hash.
Skipped, with the reason, where Chromium or its driver is not installed (.ci/run installs
both).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.app import App
from bot.web.programme import search_key
from bot.web.server import WebServer, web_application
from tests.fakeapi import FakeTelegram
from tests.harness import TOKEN, free_port, running_app
from tests.webapp import signed_init_data

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if not (CHROMIUM and CHROMEDRIVER):
    reason = (
        "headless Chromium is missing: apt-get install chromium chromium-driver "
        "(.ci/run installs them)"
    )
    # CI installs Chromium, so there a missing browser is a failure, never a quiet skip.
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

OLGA = {"id": 8301, "first_name": "Ольга", "language_code": "ru"}
THEME = {"bg_color": "#102030", "text_color": "#f0f0f0", "button_color": "#aa3300"}
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.add_argument("--window-size=420,900")
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


class Page:
    """The browser, driven from async tests (selenium blocks: each call runs in a thread)."""

    def __init__(self, driver: Any, base: str) -> None:
        self.driver = driver
        self.base = base

    async def run(self, func: Any, *args: Any) -> Any:
        return await asyncio.to_thread(func, *args)

    async def open(self, init_data: str, theme: dict[str, str] | None = None) -> None:
        fragment = f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0"
        fragment += (
            f"&tgWebAppPlatform=tdesktop&tgWebAppThemeParams={quote(json.dumps(theme or THEME))}"
        )
        await self.run(self.driver.get, f"{self.base}/app/#{fragment}")

    async def reload(self) -> None:
        await self.run(self.driver.refresh)

    async def script(self, source: str, *args: Any) -> Any:
        return await self.run(self.driver.execute_script, source, *args)

    async def wait_for(self, source: str, timeout: float = 20) -> Any:
        """Until the script returns something truthy; that value."""

        def poll() -> Any:
            wait = WebDriverWait(self.driver, timeout, poll_frequency=0.1)
            return wait.until(lambda d: d.execute_script(source))

        try:
            return await self.run(poll)
        except TimeoutException:
            logs = await self.script("return document.body.innerText")
            raise AssertionError(f"page never satisfied {source!r}; it shows:\n{logs}") from None

    async def wait_ready(self) -> None:
        await self.wait_for("return document.body.dataset.ready === 'true'")

    async def click(self, css: str) -> None:
        def click() -> None:
            self.driver.find_element(By.CSS_SELECTOR, css).click()

        await self.run(click)

    async def text(self, css: str) -> str:
        return await self.script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null", css
        )

    async def offline(self, value: bool) -> None:
        await self.run(
            self.driver.execute_cdp_cmd,
            "Network.emulateNetworkConditions",
            {"offline": value, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )


@pytest.fixture
async def bot_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    async with running_app(fake, tmp_path, clock_start="2027-06-25 10:30") as app:
        yield app


@pytest.fixture
async def served(bot_app: App) -> AsyncIterator[WebServer]:
    # A fresh port per test is a fresh origin: no service worker or storage from another test.
    server = WebServer(web_application(bot_app), "127.0.0.1", free_port())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def saved_in_the_bot(app: App, user_id: int, expected: set[str]) -> None:
    """Until the bot's database holds exactly this agenda (the page sends in the background)."""
    for _ in range(100):
        if await app.db.agenda.session_ids(user_id) == expected:
            return
        await asyncio.sleep(0.1)
    assert await app.db.agenda.session_ids(user_id) == expected


def page_for(driver: Any, server: WebServer) -> Page:
    return Page(driver, f"http://127.0.0.1:{server.port}")


async def test_today_now_a_star_and_the_bots_agenda(
    driver: Any, served: WebServer, bot_app: App, fake: FakeTelegram
) -> None:
    page = page_for(driver, served)
    olga = fake.add_user(OLGA["id"], "Ольга", language_code="ru")
    await page.open(signed_init_data(TOKEN, OLGA))
    await page.wait_ready()

    # Today on the bot's clock (25 June, 10:30) is selected; the plenary is on now.
    assert (
        await page.script("return document.querySelector('#days [aria-selected=true]').dataset.day")
        == "2027-06-25"
    )
    assert "Пленарное заседание" in await page.text("#nownext")
    assert await page.text("#search") is not None
    assert "Гала-концерт" in await page.text("#list")
    # Telegram's theme colours are applied.
    background = await page.script("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(16, 32, 48)"

    # A star in the page is in the bot's agenda.
    await page.click(".session[data-session='d2-gala'] .star")
    await page.wait_for(
        "return document.querySelector(\".session[data-session='d2-gala'] .star\")"
        ".getAttribute('aria-pressed') === 'true'"
    )
    await saved_in_the_bot(bot_app, OLGA["id"], {"d2-gala"})
    await olga.send("/agenda")
    agenda = await olga.wait_text("Гала-концерт")
    assert "Моё расписание" in agenda.text or "расписание" in agenda.text.lower()

    # Saved in the bot: starred in the page after a reload.
    await olga.send("/start s-plenary")
    card = await olga.wait_message()
    await olga.press("В моё расписание", message=card)
    await olga.wait_callback_answer()
    await page.reload()
    await page.wait_ready()
    await page.wait_for(
        "return document.querySelector(\".session[data-session='plenary'] .star\")"
        ".getAttribute('aria-pressed') === 'true'"
    )

    # Details: hall, map link, speakers.
    await page.click(".session[data-session='plenary'] .body")
    details = await page.text("#details")
    assert "Большой зал" in details and "Карта" in details
    map_link = await page.script("return document.querySelector('#details a').href")
    assert map_link.startswith("https://www.openstreetmap.org/")
    fake.assert_no_rejections()


async def test_search_folds_spellings_like_the_bot(driver: Any, served: WebServer) -> None:
    page = page_for(driver, served)
    await page.open(signed_init_data(TOKEN, OLGA))
    await page.wait_ready()
    words = [
        "Магілёў",
        "Могилёв",
        "Mahilyow",
        "Mogilev",
        "Брэст",
        "Гомель",
        "Homiel",
        "Віцебск",
        "Ўсход",
        "Жодзіна",
        "Łacinka",
        "шчасце",
        "пленарнае",
        "жыць",
        "Тюмень",
        "Тюмен",
        "August",
        "Аўгуст",
        "Ёлка-палка",
        "Пленарное",
    ]
    keys = await page.script("return arguments[0].map((w) => window.forumApp.searchKey(w))", words)
    assert keys == [search_key(w) for w in words]

    async def found(query: str) -> str:
        await page.script(
            "const s = document.getElementById('search'); s.value = arguments[0];"
            "s.dispatchEvent(new Event('input'));",
            query,
        )
        return await page.text("#list")

    # Belarusian, Latin and Russian spellings of one word find the same sessions.
    assert "Пленарное заседание" in await found("пленарнае")
    assert "Пленарное заседание" in await found("plenarnoe")
    tour = await found("Магілёў")
    assert tour == await found("Mogilev") and "Могил" in tour
    assert "Ничего не найдено" in await found("zzzqqq")


async def test_invalid_init_data_shows_an_error(driver: Any, served: WebServer) -> None:
    page = page_for(driver, served)
    forged = signed_init_data(TOKEN, OLGA).replace("%D0%9E", "%D0%90")  # Ольга -> Альга
    await page.open(forged)
    message = await page.wait_for(
        "const m = document.getElementById('message');return m && !m.hidden ? m.innerText : null"
    )
    assert "Не удалось подтвердить, кто вы" in message
    assert await page.script("return document.getElementById('app').hidden") is True


async def test_offline_reload_shows_the_programme_and_sends_stars_when_back(
    driver: Any, served: WebServer, bot_app: App
) -> None:
    page = page_for(driver, served)
    await page.open(signed_init_data(TOKEN, OLGA))
    await page.wait_ready()
    await page.wait_for("return navigator.serviceWorker.controller !== null")

    # The server goes away and the phone loses the network: a reload still shows the programme.
    await served.stop()
    await page.offline(True)
    try:
        await page.reload()
        await page.wait_ready()
        assert "Гала-концерт" in await page.text("#list")
        status = await page.text("#status")
        assert "Нет связи" in status and "Обновлено" in status

        # A star made offline waits...
        await page.click(".session[data-session='d2-gala'] .star")
        await page.wait_for("return document.getElementById('status').innerText.includes('1')")
        assert "Ждут отправки: 1" in await page.text("#status")
        assert await bot_app.db.agenda.session_ids(OLGA["id"]) == set()
    finally:
        await served.start()  # the same port: the same origin
        await page.offline(False)
    # ...and is sent when the connection is back.
    await saved_in_the_bot(bot_app, OLGA["id"], {"d2-gala"})
    await page.wait_for("return !document.getElementById('status').innerText.includes('Ждут')")
