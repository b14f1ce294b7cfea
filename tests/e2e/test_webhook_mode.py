"""The real process in webhook mode: Telegram (the fake) posts updates to the bot's server.

The same conversations run in both modes (one process per mode for the module); forged
requests without the secret token are refused; a stop lets updates under way finish.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import BotProcess, bot_env, free_port, webhook_env

pytestmark = pytest.mark.asyncio(loop_scope="module")

MODES = ("polling", "webhook")
MINI_APP = "https://forum.example.test/app/"


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=MODES)
async def mode_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    """A fake Telegram and one real bot process in polling or webhook mode."""
    fake = FakeTelegram()
    await fake.start()
    tmp = tmp_path_factory.mktemp(request.param)
    # Both have a public Mini App address: the menu button and "Full schedule" open it, and
    # the polling process starts the web server for it. The webhook process also logs JSON
    # lines, as it would for a log collector in production.
    port = free_port()
    extra = {"WEB_APP_URL": MINI_APP, "WEB_PORT": str(port)}
    if request.param == "webhook":
        extra |= {**webhook_env(port), "LOG_FORMAT": "json"}
    process = BotProcess(fake, bot_env(fake, tmp, **extra), tmp / "bot.log")
    try:
        await process.start()
        yield process
        assert await process.stop() == 0  # SIGTERM: the web server, then the bot, stop cleanly
        assert "Stopped cleanly" in process.log()
    finally:
        if process.proc and process.proc.poll() is None:
            await process.stop()
        await fake.stop()
    process.assert_clean_log()


async def test_healthz_and_the_log_format(mode_bot: BotProcess) -> None:
    lines = [line for line in mode_bot.log().splitlines() if line.strip()]
    assert any("Running as @forum_test_bot" in line for line in lines)
    if mode_bot.webhook:
        entries = [json.loads(line) for line in lines]  # every line is one JSON object
        assert {"time", "level", "logger", "message"} <= entries[0].keys()
    else:
        assert all(not line.startswith("{") for line in lines)
    port = mode_bot.env["WEB_PORT"]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
            report = await response.json()
            assert response.status == 200
    assert report["mode"] == ("webhook" if mode_bot.webhook else "polling")
    assert report["database"]["ok"] is True
    assert report["queue"]["engine_running"] is True


def agenda_rows(process: BotProcess, user_id: int) -> set[str]:
    with sqlite3.connect(process.env["DATABASE_PATH"]) as conn:
        rows = conn.execute("SELECT session_id FROM agenda WHERE user_id = ?", (user_id,))
        return {r[0] for r in rows}


async def test_greeting_and_language_switch(mode_bot: BotProcess) -> None:
    fake = mode_bot.fake
    alesia = fake.add_user(7101, "Алеся", language_code="be")
    await alesia.send("/start")
    greeting = await alesia.wait_message()
    assert "Прывітанне, Алеся!" in greeting.text
    await alesia.send("/language")
    await alesia.wait_message()
    await alesia.press("English")
    done = await alesia.wait_text("Done")
    assert "Schedule" in " ".join(done.button_texts())
    fake.assert_no_rejections()


async def test_schedule_card_and_agenda(mode_bot: BotProcess) -> None:
    fake = mode_bot.fake
    ivan = fake.add_user(7102, "Ivan", language_code="en")
    await ivan.send("/schedule")
    days = await ivan.wait_message()
    web_apps = [b["web_app"]["url"] for row in days.buttons() for b in row if "web_app" in b]
    assert web_apps == [MINI_APP]
    await ivan.press((0, 0))  # the first day
    page = await ivan.wait_message()
    await ivan.press("1", message=page)
    card = await ivan.wait_message()
    title = card.text.splitlines()[0]
    await ivan.press("Add to my agenda", message=card)
    assert "Added to your agenda" in (await ivan.wait_callback_answer())["text"]
    await ivan.send("/agenda")
    agenda = await ivan.wait_text("My agenda")
    assert title in agenda.text
    assert len(agenda_rows(mode_bot, 7102)) == 1
    assert days.buttons()
    fake.assert_no_rejections()


async def test_free_text_question(mode_bot: BotProcess) -> None:
    fake = mode_bot.fake
    olga = fake.add_user(7103, "Ольга", language_code="ru")
    await olga.send("где пообедать?")
    answer = await olga.wait_message()
    assert "обед" in answer.text.lower()
    fake.assert_no_rejections()


async def test_menu_button_and_the_webhook_with_the_dispatchers_update_types(
    mode_bot: BotProcess,
) -> None:
    fake = mode_bot.fake
    assert fake.default_menu_button == {
        "type": "web_app",
        "text": "Программа",
        "web_app": {"url": MINI_APP},
    }
    if not mode_bot.webhook:
        assert fake.webhook.hook is None and fake.requests("setWebhook") == []
        assert fake.requests("deleteWebhook")  # a webhook left from webhook mode would block
        return
    call = fake.requests("setWebhook")[-1]
    assert call.params["url"] == mode_bot.env["WEBHOOK_URL"]
    assert call.params["secret_token"] == mode_bot.env["WEBHOOK_SECRET"]
    allowed = set(call.params["allowed_updates"])
    # The features handle these; nothing else is asked for.
    assert {"message", "callback_query", "my_chat_member"} <= allowed
    assert "channel_post" not in allowed and "poll" not in allowed
    assert fake.requests("getUpdates") == []


async def forge(process: BotProcess, victim: FakeUser) -> None:
    """Post a /start from `victim` to the webhook without and with a wrong secret: 401s."""
    forged = {
        "update_id": 999_001,
        "message": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": victim.id, "type": "private", "first_name": "x"},
            "from": victim.as_dict(),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            url = process.env["WEBHOOK_URL"]
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 401


async def test_forged_requests_are_refused_and_a_stop_finishes_the_updates_under_way(
    tmp_path: Path,
) -> None:
    fake = FakeTelegram()
    await fake.start()
    process = BotProcess(
        fake, bot_env(fake, tmp_path, **webhook_env(free_port())), tmp_path / "bot.log"
    )
    try:
        await process.start()
        victim = fake.add_user(7104, "Target", language_code="en")
        await forge(process, victim)
        await victim.expect_silence(1.0)
        assert victim.messages == []
        with sqlite3.connect(process.env["DATABASE_PATH"]) as conn:
            sql = "SELECT count(*) FROM users WHERE id = ?"
            assert conn.execute(sql, (victim.id,)).fetchone()[0] == 0
        assert "Refused a webhook request" in process.log()

        # Telegram got its 200s (the updates left its queue) before the bot answered: the
        # stop waits for the answers instead of losing them.
        fake.send_latency = 1.5
        people = [fake.add_user(7200 + i, f"P{i}", language_code="en") for i in range(5)]
        for person in people:
            await person.send("/help")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while len([p for p in fake.webhook.posted if p.status == 200]) < len(people):
            assert loop.time() < deadline, fake.webhook.posted
            await asyncio.sleep(0.05)
        assert all(fake.sent_count(p.id) == 0 for p in people)  # still being answered
        assert await process.stop() == 0
        assert [fake.sent_count(p.id) for p in people] == [1] * len(people)
        assert "Stopped cleanly" in process.log()
    finally:
        if process.proc and process.proc.poll() is None:
            await process.stop()
        await fake.stop()
    assert "Traceback" not in process.log()
