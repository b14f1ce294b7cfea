"""The whole programme from the bot: an organizer sends a programme file, sees what would
change, and imports it with Confirm (or drops it with Cancel); owners roll back the last import.
(A participant's document falls through to handlers/fallback.py, which declines it kindly.)"""

from __future__ import annotations

import io
import logging
from pathlib import PurePath

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Document, Message
from aiogram.utils.markdown import html_decoration as hd

from bot.filters import IsOwner, organizer_only
from bot.i18n import _
from bot.keyboards.admin import AdminCb
from bot.keyboards.program import (
    ProgramCb,
    preview_keyboard,
    program_menu_keyboard,
    rollback_keyboard,
)
from bot.program.files import MAX_FILE_BYTES, WORKBOOK_SUFFIXES, YAML_SUFFIXES
from bot.program.loader import ProgramInvalid
from bot.services.program import ImportResult, ProgramService
from bot.services.program_ops import ProgramOps
from bot.services.program_view import (
    conflict_text,
    errors_text,
    preview_text,
    status_text,
    stored_text,
)
from db import Database
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)
organizer_only(router)


def out_of_date() -> str:
    return _("This preview is out of date. Send the file again.")


# ---------------------------------------------------------------- the programme screen


async def send_status(
    message: Message, db: Database, programs: ProgramService, user: User, locale: str
) -> None:
    stored = await db.programs.current()
    latest = await db.programs.latest_import()
    text = status_text(stored, latest, programs.program.forum.tz, locale)
    await message.answer(text, reply_markup=program_menu_keyboard(user.is_owner))


@router.message(Command("program"))
async def program_command(
    message: Message, db: Database, programs: ProgramService, user: User, locale: str
) -> None:
    await send_status(message, db, programs, user, locale)


@router.callback_query(AdminCb.filter(F.action == "prog"))
async def program_button(
    callback: CallbackQuery, db: Database, programs: ProgramService, user: User, locale: str
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await send_status(callback.message, db, programs, user, locale)


# ---------------------------------------------------------------- uploads


def base_name(filename: str) -> str:
    """The bare file name: an uploaded name is not a path, whatever it contains."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    return name[:120] or "program"


def refusal_before_download(document: Document, name: str) -> str | None:
    """What is wrong with a document that is not worth downloading."""
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        return _("❌ {file} is larger than {max} MB: this cannot be a programme file.").format(
            file=hd.quote(name), max=MAX_FILE_BYTES // (1024 * 1024)
        )
    if not name.lower().endswith(WORKBOOK_SUFFIXES + YAML_SUFFIXES):
        return _(
            "❌ {file} is not a programme file. Send the programme as a .yaml file or an "
            "Excel workbook (.xlsx)."
        ).format(file=hd.quote(name))
    return None


@router.message(F.document, StateFilter(None))
async def upload(
    message: Message, bot: Bot, user: User, program_ops: ProgramOps, locale: str
) -> None:
    document = message.document
    assert document is not None
    name = base_name(document.file_name or "")
    refusal = refusal_before_download(document, name)
    if refusal is not None:
        await message.answer(refusal)
        return
    buffer = io.BytesIO()
    try:
        await bot.download(document, destination=buffer)
    except TelegramBadRequest as exc:
        logger.warning("Could not download %s: %s", name, exc)
        await message.answer(
            _("❌ Telegram did not give me the file {file}. Please send it again.").format(
                file=hd.quote(name)
            )
        )
        return
    try:
        preview = await program_ops.preview_upload(user.id, buffer.getvalue(), name)
    except ProgramInvalid as exc:
        for part in errors_text(name, exc.errors):
            await message.answer(part)
        return
    markup = preview_keyboard(preview.draft_id) if preview.draft_id is not None else None
    await message.answer(preview_text(preview, locale), reply_markup=markup)


async def drop_buttons(callback: CallbackQuery) -> None:
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest as exc:  # the buttons were already removed
            logger.info("Could not remove the buttons: %s", exc)


async def report(callback: CallbackQuery, result: ImportResult | None, done: str) -> None:
    """The outcome of a confirmed import or rollback, as a new message."""
    if result is None:
        await callback.answer(out_of_date(), show_alert=True)
        return
    await callback.answer()
    await drop_buttons(callback)
    if not isinstance(callback.message, Message):
        return
    if result.conflict:
        await callback.message.answer(conflict_text())
    elif not result.changed:
        await callback.message.answer(_("The programme was already the same: nothing changed."))
    else:
        await callback.message.answer(stored_text(result, done))


@router.callback_query(ProgramCb.filter(F.action == "ok"))
async def confirm(
    callback: CallbackQuery, callback_data: ProgramCb, user: User, program_ops: ProgramOps
) -> None:
    result = await program_ops.confirm_upload(user.id, callback_data.id)
    await report(callback, result, _("The programme is imported."))


@router.callback_query(ProgramCb.filter(F.action == "no"))
async def cancel(
    callback: CallbackQuery, callback_data: ProgramCb, user: User, program_ops: ProgramOps
) -> None:
    if not await program_ops.cancel_upload(user.id, callback_data.id):
        await callback.answer(out_of_date(), show_alert=True)
        return
    await callback.answer(_("Cancelled: nothing was changed."))
    await drop_buttons(callback)
    if isinstance(callback.message, Message):
        await callback.message.answer(_("Cancelled: nothing was changed."))


# ---------------------------------------------------------------- rollback


# A rollback is an owner's: an organizer's press falls through to handlers/access.py.
@router.callback_query(ProgramCb.filter(F.action == "rb"), IsOwner())
async def rollback_preview(callback: CallbackQuery, program_ops: ProgramOps, locale: str) -> None:
    preview = await program_ops.rollback_preview()
    if preview is None:
        await callback.answer(
            _("There is no earlier programme to roll back to: only one file was imported."),
            show_alert=True,
        )
        return
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    assert preview.target_version is not None
    markup = (
        None
        if preview.unchanged
        else rollback_keyboard(preview.target_version, preview.base_version)
    )
    await callback.message.answer(preview_text(preview, locale), reply_markup=markup)


@router.callback_query(ProgramCb.filter(F.action == "rbok"), IsOwner())
async def rollback(
    callback: CallbackQuery, callback_data: ProgramCb, user: User, program_ops: ProgramOps
) -> None:
    result = await program_ops.rollback(user.id, callback_data.id, callback_data.base)
    await report(callback, result, _("The programme is rolled back."))


@router.callback_query(ProgramCb.filter(F.action == "rbno"))
async def rollback_cancelled(callback: CallbackQuery) -> None:
    await callback.answer(_("Cancelled: nothing was changed."))
    await drop_buttons(callback)
