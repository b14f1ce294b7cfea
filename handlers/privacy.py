"""/mydata shows everything the bot stores about the person; /forget deletes it."""

from __future__ import annotations

import html
import json
import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.i18n import _
from bot.keyboards.registration import PrivacyCb, forget_keyboard
from bot.services.program import ProgramService
from bot.services.registration import RegistrationService
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)

MESSAGE_LIMIT = 3800  # below 4096, leaving room for the markup of the titles
MAX_PAGES = 3  # longer than this: one .json file instead of a stream of messages


def kind_title(kind: str) -> str:
    titles = {
        "user": _("Your profile"),
        "registration": _("Youth meeting registration"),
        "agenda": _("Your agenda"),
        "sections": _("Followed sections"),
        "questions": _("Your questions"),
    }
    return titles.get(kind, kind)


def render_value(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "—" if value is None or value == "" else str(value)


def render(found: dict[str, list[dict[str, object]]]) -> list[str]:
    """Blocks of text, one per stored row, every value escaped."""
    blocks = []
    for kind, rows in found.items():
        if not rows:
            continue
        for row in rows:
            lines = [f"<b>{html.escape(kind_title(kind))}</b>"]
            lines += [f"{html.escape(k)}: {html.escape(render_value(v))}" for k, v in row.items()]
            blocks.append("\n".join(lines))
    return blocks


def pages(blocks: list[str]) -> list[str]:
    result: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > MESSAGE_LIMIT:
            return []  # a single row too long for a message: the caller sends a file
        if current and len(current) + len(block) + 2 > MESSAGE_LIMIT:
            result.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        result.append(current)
    return result


@router.message(Command("mydata"))
async def mydata(message: Message, db: Database, user: User) -> None:
    found = await db.personal_data(user.id)
    blocks = render(found)
    head = _("This is everything the bot stores about you. Delete it with /forget.")
    split = pages(blocks)
    if split and len(split) <= MAX_PAGES:
        await message.answer(head)
        for page in split:
            await message.answer(page)
        return
    data = json.dumps(found, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(data, filename="my-data.json"), caption=head[:1024]
    )


@router.message(Command("forget"))
async def forget(message: Message) -> None:
    await message.answer(
        _(
            "Delete everything the bot stores about you: your settings, your saved sessions, "
            "your questions and your youth meeting registration (it will be cancelled)? "
            "Only anonymous counts are kept. This cannot be undone."
        ),
        reply_markup=forget_keyboard(),
    )


@router.callback_query(PrivacyCb.filter())
async def forget_answer(
    callback: CallbackQuery,
    callback_data: PrivacyCb,
    db: Database,
    user: User,
    state: FSMContext,
    registrations: RegistrationService,
    programs: ProgramService,
) -> None:
    message = callback.message
    if callback_data.action not in ("yes", "no") or not isinstance(message, Message):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "no":
        await message.edit_text(_("Nothing was deleted."))
        return
    await state.clear()
    async with db.transaction():
        await db.forget_user(user.id)
    logger.info("User %s had their personal data deleted", user.id)
    reg = programs.program.registration
    if reg is not None:
        # A forgotten participant frees their place for the waiting list.
        await registrations.promote(reg.capacity)
    await message.edit_text(
        _("Done: everything the bot stored about you is deleted. Goodbye, or /start again.")
    )
