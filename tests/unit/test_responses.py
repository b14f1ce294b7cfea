"""The bot's session keeps aiogram's response models built across garbage collections."""

from __future__ import annotations

import gc

import pytest
from pydantic._internal import _generics

from bot.app import create_bot
from bot.offline import OfflineSession
from bot.settings import Settings


async def test_response_models_are_not_rebuilt_after_a_collection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    create = _generics.create_generic_submodel

    def counting(name: str, *args: object, **kwargs: object) -> object:
        built.append(name)
        return create(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_generics, "create_generic_submodel", counting)
    settings = Settings(_env_file=None, bot_token="1:keep")  # type: ignore[call-arg]
    bot = create_bot(settings, session=OfflineSession())
    for _ in range(3):
        await bot.send_message(1, "hello")
        await bot.answer_callback_query("1")
        gc.collect()
    # Each model at most once (not at all if this process had it alive already).
    assert len(built) == len(set(built)) <= 2, built
