"""aiogram's keyboard builder without its deep copies.

aiogram's builder deep-copies the whole markup on every `add` and on `as_markup`: a keyboard of
n buttons costs n deep copies of pydantic models, the largest share of a card's or a day list's
time in the update benchmark. The buttons are never changed after they are made, so copying the
rows is enough.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton
from aiogram.utils import keyboard


class InlineKeyboardBuilder(keyboard.InlineKeyboardBuilder):
    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]
