"""Shared steps of the session tests (issue 15): a card opened, a question asked, a list read."""

from __future__ import annotations

from tests.fakeapi import FakeUser
from tests.fakeapi.models import FakeMessage

# The plenary runs 10:00-12:30 on 25 June 2027 (Europe/Minsk) in the sample programme.
DURING_PLENARY = "2027-06-25T10:30:00"


async def open_card(user: FakeUser, session_id: str = "plenary") -> FakeMessage:
    await user.send(f"/start s-{session_id}")
    return await user.wait_message(lambda m: bool(m.buttons()))


async def ask(user: FakeUser, text: str, anonymous: bool = False) -> FakeMessage:
    """Ask from the session card; returns the bot's answer (the edited choice message)."""
    card = await open_card(user)
    await user.press("❓", message=card)
    await user.wait_message()
    await user.send(text)
    choice = await user.wait_message(lambda m: bool(m.buttons()))
    await user.press((1, 0) if anonymous else (0, 0), message=choice)
    return await user.wait_message(lambda m: m.message_id == choice.message_id)


def vote_data(message: FakeMessage) -> dict[str, str]:
    """The vote buttons of a question list: button text -> callback data."""
    return {
        b["text"]: b["callback_data"]
        for row in message.buttons()
        for b in row
        if b.get("callback_data", "").startswith("sq:v:")
    }
