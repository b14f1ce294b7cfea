"""An unexpected error reaches the log with its traceback and the person as one polite line."""

from __future__ import annotations

import logging

import pytest
from aiogram import Router
from aiogram.types import CallbackQuery

from bot.app import App
from bot.keyboards.common import MenuCb
from tests.fakeapi import FakeTelegram


async def test_a_failing_button_is_logged_and_apologised_for(
    app: App, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Router(name="broken-for-test")

    @broken.callback_query(MenuCb.filter())
    async def fails_after_answering(callback: CallbackQuery) -> None:
        await callback.answer()
        raise RuntimeError("boom")

    # Put the failing router first so that it sees the button before the real ones.
    app.dp.sub_routers.insert(0, broken)
    broken._parent_router = app.dp
    try:
        user = fake.add_user(7101, "Err", language_code="en")
        await user.send("/start")
        menu = await user.wait_message()
        with caplog.at_level(logging.ERROR):
            await user.press_data(MenuCb(action="help").pack(), menu.message_id)
            apology = await user.wait_text("something went wrong")
    finally:
        app.dp.sub_routers.remove(broken)
    assert "Traceback" not in apology.text and "boom" not in apology.text
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)
    fake.assert_no_rejections()
