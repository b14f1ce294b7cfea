"""Steps of the delegates' feature shared by the integration and end-to-end tests."""

from __future__ import annotations

from tests.fakeapi.users import FakeUser

VISIBILITY_BUTTONS = {
    "none": "Nobody",
    "partners": "Delegates of my partner cities",
    "all": "All delegates",
}


async def fill_profile(
    user: FakeUser,
    city: str,
    name: str,
    organization: str = "City Council",
    position: str = "Deputy",
    visibility: str = "partners",
    area: str | None = "industry",
) -> None:
    """Fill the delegate profile through /delegate in English, up to «Profile saved»."""
    await user.send("/delegate")
    await user.wait_text("Delegates")
    await user.press("Fill my delegate profile")
    await user.wait_text("18 or older")
    await user.press("Yes, I am 18 or older")
    await user.wait_text("Which city")
    await user.send(city)
    await user.wait_text("Your name")
    await user.send(name)
    await user.wait_text("Your organization")
    await user.send(organization)
    await user.wait_text("Your position")
    await user.send(position)
    areas = await user.wait_text("areas of interest")
    if area:
        await user.press(area, message=areas)
        await user.wait_message()
    await user.press("Done", message=areas)
    langs = await user.wait_text("Languages you speak")
    await user.press("English", message=langs)
    await user.wait_message()
    await user.press("Done", message=langs)
    await user.wait_text("Who may see")
    await user.press(VISIBILITY_BUTTONS[visibility])
    await user.wait_text("Your delegate profile")
    await user.press("Save the profile")
    await user.wait_text("Profile saved")


def datas(message: object) -> list[str]:
    return [b.get("callback_data", "") for row in message.buttons() for b in row]  # type: ignore[attr-defined]


def mentioned(message: object) -> set[int]:
    """The Telegram ids the message links to (text_mention entities: tg://user?id= links)."""
    entities = [*message.entities, *message.caption_entities]  # type: ignore[attr-defined]
    return {e["user"]["id"] for e in entities if e.get("type") == "text_mention"}
