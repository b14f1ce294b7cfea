"""Simulated Telegram users that talk to the bot through a FakeTelegram server.

Every call that produces an update is ``async`` so tests read like a conversation::

    await alice.send("/start")
    msg = await alice.wait_message()
    await alice.press("Программа")
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .models import FakeMessage

if TYPE_CHECKING:
    from .server import CallbackQuery, ChatState, FakeTelegram

ButtonRef = str | tuple[int, int]
MessageRef = FakeMessage | int | None

# A plausible default for request_location buttons: the forum city.
DEFAULT_LOCATION = (53.9006, 27.5590)


class FakeUser:
    """A private-chat user; create with ``FakeTelegram.add_user``."""

    def __init__(
        self,
        server: FakeTelegram,
        *,
        id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone: str | None = None,
    ) -> None:
        self.server = server
        self.id = id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.phone = phone or f"+37529{id % 10_000_000:07d}"
        self.started = True
        self.blocked = False
        self._cursor = 0
        self._last_callback: CallbackQuery | None = None
        self._hidden_keyboard: int | None = None
        self._poll_votes: dict[str, list[int]] = {}

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    def as_dict(self) -> dict[str, Any]:
        """The Bot API User object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    @property
    def chat(self) -> ChatState:
        return self.server.chats[self.id]

    # ------------------------------------------------------------------ blocking

    def block(self) -> None:
        """Block the bot: sends now get 403, and the bot gets a my_chat_member update."""
        if not self.blocked:
            self.blocked = True
            self._member_update("member", "kicked")

    def unblock(self) -> None:
        if self.blocked:
            self.blocked = False
            self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.server.bot_user}
            if status == "kicked":
                data["until_date"] = 0
            return data

        payload = {
            "chat": self.chat.chat,
            "from": self.as_dict(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self.server.enqueue_update("my_chat_member", payload)

    # ------------------------------------------------------------------ sending

    def _post(self, **fields: Any) -> dict[str, Any]:
        # Writing to a bot you blocked, or never started, starts/unblocks it as in Telegram.
        self.started = True
        if self.blocked:
            self.unblock()
        message = self.server.new_message(self.chat, from_bot=False, **fields)
        return self.server.enqueue_update("message", self.server.message_dict(message))

    async def send(self, text: str, *, reply_to: MessageRef = None) -> dict[str, Any]:
        """Send a text message; a leading /command gets its bot_command entity."""
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append({"type": "bot_command", "offset": 0, "length": len(command)})
        reply_id = reply_to.message_id if isinstance(reply_to, FakeMessage) else reply_to
        return self._post(text=text, entities=entities, reply_to_message_id=reply_id)

    async def share_contact(self, phone: str | None = None) -> dict[str, Any]:
        """Share the user's own contact, as a request_contact button does."""
        contact = {
            "phone_number": phone or self.phone,
            "first_name": self.first_name,
            "user_id": self.id,
        }
        if self.last_name:
            contact["last_name"] = self.last_name
        return self._post(contact=contact)

    async def send_document(
        self,
        filename: str,
        content: bytes,
        caption: str | None = None,
        *,
        mime_type: str | None = None,
    ) -> dict[str, Any]:
        stored = self.server.store_file(content, filename, kind="document")
        if mime_type:
            stored.mime_type = mime_type
        return self._post(document=stored, caption=caption)

    async def send_photo(
        self, content: bytes, caption: str | None = None, *, filename: str = "photo.jpg"
    ) -> dict[str, Any]:
        stored = self.server.store_file(content, filename, kind="photo")
        return self._post(photo=stored, caption=caption)

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return self._post(location={"latitude": latitude, "longitude": longitude})

    async def forward_from(
        self, other: FakeUser, text: str, *, hidden: bool = False
    ) -> dict[str, Any]:
        """Forward a text written by ``other``; ``hidden`` mimics their privacy setting."""
        date = int(time.time()) - 60
        if hidden:
            origin = {"type": "hidden_user", "sender_user_name": other.first_name, "date": date}
        else:
            origin = {"type": "user", "sender_user": other.as_dict(), "date": date}
        return self._post(text=text, forward_origin=origin)

    async def answer_poll(self, message: FakeMessage, option_ids: list[int]) -> dict[str, Any]:
        """Vote in a poll the bot sent (an empty list takes the vote back). As in Telegram,
        the bot hears of it (a poll_answer update) only if the poll is not anonymous."""
        stored = self.chat.messages.get(message.message_id)
        poll = stored.extra.get("poll") if stored is not None else None
        if stored is None or poll is None:
            raise AssertionError(f"{self!r}: message #{message.message_id} has no poll")
        if poll["is_closed"]:
            raise AssertionError(f"{self!r}: the poll is closed")
        options = poll["options"]
        if any(not 0 <= i < len(options) for i in option_ids) or (
            len(option_ids) > 1 and not poll["allows_multiple_answers"]
        ):
            raise AssertionError(f"{self!r}: no such choice {option_ids} in the poll")
        previous = self._poll_votes.get(poll["id"], [])
        for i in previous:
            options[i]["voter_count"] -= 1
        for i in option_ids:
            options[i]["voter_count"] += 1
        poll["total_voter_count"] += (1 if option_ids else 0) - (1 if previous else 0)
        self._poll_votes[poll["id"]] = list(option_ids)
        if poll["is_anonymous"]:
            return {}
        payload = {
            "poll_id": poll["id"],
            "user": self.as_dict(),
            "option_ids": list(option_ids),
            "option_persistent_ids": [options[i]["persistent_id"] for i in option_ids],
        }
        return self.server.enqueue_update("poll_answer", payload)

    # ------------------------------------------------------------------ buttons

    async def press(self, button: ButtonRef, *, message: MessageRef = None) -> dict[str, Any]:
        """Press an inline button (by text, exact or substring, or (row, col)) or a reply
        keyboard button. Inline buttons are looked up on ``message`` or on the latest bot
        message with an inline keyboard."""
        target = self._resolve_message(message) if message is not None else None
        inline_message = target or self._latest(lambda m: _has(m, "inline_keyboard"))
        if inline_message is not None:
            found = _find_button(inline_message.buttons(), button)
            if found is not None:
                return await self._press_inline(inline_message, found)
        keyboard_message = None if target else self._active_reply_keyboard()
        if keyboard_message is not None:
            found = _find_button(keyboard_message.buttons(), button)
            if found is not None:
                return await self._press_reply(keyboard_message, found)
        available = [m.button_texts() for m in (inline_message, keyboard_message) if m]
        raise AssertionError(
            f"{self!r}: no button {button!r}; buttons on screen: {available}\n{self.transcript()}"
        )

    async def press_data(self, data: str, message_id: int | None = None) -> dict[str, Any]:
        """Send a callback query with arbitrary (possibly forged) data."""
        message = self._resolve_message(message_id) if message_id else self.last_message
        if message is None:
            raise AssertionError(f"{self!r}: no bot message to attach a callback query to")
        return self._callback(message, data)

    async def _press_inline(self, message: FakeMessage, button: dict[str, Any]) -> dict[str, Any]:
        data = button.get("callback_data")
        if data is None:
            kind = next((k for k in button if k != "text"), "?")
            raise AssertionError(f"button {button['text']!r} is a {kind} button, not pressable")
        return self._callback(message, data)

    def _callback(self, message: FakeMessage, data: str) -> dict[str, Any]:
        self.started = True
        query = self.server.new_callback(self.id, message, data)
        self._last_callback = query
        payload = {
            "id": query.id,
            "from": self.as_dict(),
            "message": self.server.message_dict(message),
            "chat_instance": f"-{self.id * 7919}",
            "data": data,
        }
        return self.server.enqueue_update("callback_query", payload)

    async def _press_reply(self, message: FakeMessage, button: dict[str, Any]) -> dict[str, Any]:
        if (message.reply_markup or {}).get("one_time_keyboard"):
            self._hidden_keyboard = message.message_id
        if button.get("request_contact"):
            return await self.share_contact()
        if button.get("request_location"):
            return await self.send_location(*DEFAULT_LOCATION)
        return await self.send(button["text"])

    def _active_reply_keyboard(self) -> FakeMessage | None:
        latest = self._latest(lambda m: _has(m, "keyboard") or _has(m, "remove_keyboard"))
        if latest is None or not _has(latest, "keyboard"):
            return None
        return None if latest.message_id == self._hidden_keyboard else latest

    def _resolve_message(self, ref: MessageRef) -> FakeMessage:
        message_id = ref.message_id if isinstance(ref, FakeMessage) else ref
        message = self.chat.messages.get(message_id or 0)
        if message is None:
            raise AssertionError(f"{self!r}: no message #{message_id} in the chat")
        return message

    def _latest(self, predicate: Callable[[FakeMessage], bool]) -> FakeMessage | None:
        for message in reversed(self.chat.messages.values()):
            if message.from_bot and not message.deleted and predicate(message):
                return message
        return None

    # ------------------------------------------------------------------ reading

    @property
    def last_message(self) -> FakeMessage | None:
        """The latest bot message in this chat that is not deleted (current state)."""
        return self._latest(lambda m: True)

    @property
    def messages(self) -> list[FakeMessage]:
        return self.server.messages(self.id)

    def skip_pending(self) -> None:
        """Mark everything the bot did so far as consumed."""
        self._cursor = len(self.chat.events)

    async def wait_message(
        self,
        predicate: Callable[[FakeMessage], bool] | None = None,
        timeout: float = 10,
    ) -> FakeMessage:
        """The next new bot message or edit (a snapshot) after the last consumed one.

        Non-matching events are consumed too; deletions are skipped.
        """
        deadline = time.monotonic() + timeout
        while True:
            events = self.chat.events
            while self._cursor < len(events):
                kind, message = events[self._cursor]
                self._cursor += 1
                if kind != "delete" and (predicate is None or predicate(message)):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                wanted = "" if predicate is None else " matching the predicate"
                raise AssertionError(
                    f"{self!r}: no new bot message{wanted} within {timeout}s\n"
                    f"{self.transcript()}\n{self._rejections_hint()}"
                )
            await self.server.wait_changed(remaining)

    async def wait_text(self, substring: str, timeout: float = 10) -> FakeMessage:
        """The next bot message (or edit) whose text or caption contains ``substring``."""
        try:
            return await self.wait_message(lambda m: substring in m.content, timeout)
        except AssertionError as error:
            raise AssertionError(f"waiting for {substring!r}: {error}") from None

    async def expect_silence(self, seconds: float = 0.5) -> None:
        """Assert that the bot sends and edits nothing here for ``seconds``."""
        start = self._cursor
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            await self.server.wait_changed(remaining)
        fresh = [m for kind, m in self.chat.events[start:] if kind != "delete"]
        if fresh:
            lines = "\n".join(m.describe() for m in fresh)
            raise AssertionError(f"{self!r}: expected silence, the bot sent:\n{lines}")

    async def wait_callback_answer(self, timeout: float = 10) -> dict[str, Any]:
        """The answerCallbackQuery parameters for the last pressed button."""
        query = self._last_callback
        if query is None:
            raise AssertionError(f"{self!r}: no button was pressed")
        deadline = time.monotonic() + timeout
        while query.answer is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"{self!r}: callback query {query.data!r} was not answered within "
                    f"{timeout}s (the button keeps spinning)\n{self._rejections_hint()}"
                )
            await self.server.wait_changed(remaining)
        return query.answer

    def transcript(self) -> str:
        """The whole chat, oldest first, one message per line."""
        lines = [m.describe() for m in self.server.messages(self.id, include_user=True)]
        body = "\n".join(f"  {line}" for line in lines) or "  (empty)"
        return f"--- chat with {self.first_name} ({self.id}) ---\n{body}"

    def _rejections_hint(self) -> str:
        rejected = [r for r in self.server.errors() if _chat_of(r.params) == self.id]
        if not rejected:
            return ""
        return "failed requests in this chat:\n" + "\n".join(f"  {r}" for r in rejected)


def _has(message: FakeMessage, key: str) -> bool:
    return bool(message.reply_markup and message.reply_markup.get(key))


def _chat_of(params: dict[str, Any]) -> int | None:
    try:
        return int(params.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _find_button(rows: list[list[dict[str, Any]]], ref: ButtonRef) -> dict[str, Any] | None:
    if isinstance(ref, tuple):
        row, col = ref
        try:
            return rows[row][col]
        except IndexError:
            return None
    flat = [button for row in rows for button in row]
    exact = [b for b in flat if b["text"] == ref]
    if exact:
        return exact[0]
    partial = [b for b in flat if ref in b["text"]]
    if len(partial) > 1:
        texts = [b["text"] for b in partial]
        raise AssertionError(f"button {ref!r} is ambiguous: {texts}")
    return partial[0] if partial else None
