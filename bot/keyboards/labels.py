"""Button labels that fit a phone: short, unique on one keyboard, long ones alone in a row.

A phone held upright shows about 30 characters across one full-width button, and about half of
that in each of two buttons sharing a row; longer texts are cut by Telegram with no way for the
person to read the rest. Width is counted in columns: an emoji takes two.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

from aiogram.types import InlineKeyboardButton

# Columns a full-width button shows on a phone.
LABEL_LIMIT = 30
# Columns of one row: n buttons in a row get ROW_WIDTH // n columns each.
ROW_WIDTH = 40
ELLIPSIS = "…"
# A cut goes back to the end of a word if that drops at most this many characters.
WORD_CUT = 8


def char_width(char: str) -> int:
    code = ord(char)
    if unicodedata.combining(char) or code in (0x200D, 0xFE0E, 0xFE0F):
        return 0  # joiners and variation selectors draw nothing by themselves
    if 0x1F1E6 <= code <= 0x1F1FF:
        return 1  # a flag is two regional indicators, two columns in all
    if unicodedata.east_asian_width(char) in ("W", "F") or code >= 0x1F000:
        return 2
    if unicodedata.category(char) == "So" and code >= 0x2190:
        return 2  # symbols drawn as emoji: ☀ ☰ ⭐ ⏱ ✅ ...
    return 1


def width(text: str) -> int:
    """Columns the text takes on a button."""
    return sum(char_width(c) for c in text)


def row_limit(buttons_in_row: int) -> int:
    """The widest label allowed in a row of this many buttons."""
    return LABEL_LIMIT if buttons_in_row <= 1 else ROW_WIDTH // buttons_in_row


def fit(text: str, limit: int = LABEL_LIMIT) -> str:
    """The text, cut at a word where possible and ended with "…" if it is too wide."""
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    room = limit - width(ELLIPSIS)
    cut, used = [], 0
    for char in text:
        used += char_width(char)
        if used > room:
            break
        cut.append(char)
    head = "".join(cut)
    word_end = head.rstrip().rfind(" ")
    if word_end > 0 and len(head) - word_end <= WORD_CUT:  # at a word, unless it loses much
        head = head[:word_end]
    return head.rstrip(" ,.;:—–-«(") + ELLIPSIS


def unique(variants: Sequence[Sequence[str]], limit: int = LABEL_LIMIT) -> list[str]:
    """One label per item, no two alike on one keyboard.

    Each item gives its labels from the shortest to the most telling (e.g. the title, then the
    time and title, then the day, time and title); an item takes a longer one only while its
    label is shared with another item. Labels still alike get a number.
    """
    fitted = [[fit(v, limit) for v in item] or [""] for item in variants]
    level = [0] * len(fitted)
    while True:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, item in enumerate(fitted):
            groups[item[level[i]]].append(i)
        moved = False
        for members in groups.values():
            if len(members) < 2:
                continue
            for i in members:
                if level[i] + 1 < len(fitted[i]):
                    level[i] += 1
                    moved = True
        if not moved:
            break
    labels = [item[level[i]] for i, item in enumerate(fitted)]
    counts: dict[str, int] = defaultdict(int)
    for label in labels:
        counts[label] += 1
    seen: dict[str, int] = defaultdict(int)
    result = []
    for i, label in enumerate(labels):
        if counts[label] > 1:
            # Detail did not tell them apart: the short label with a number reads better.
            seen[label] += 1
            suffix = f" ({seen[label]})"
            label = fit(variants[i][0] if variants[i] else "", limit - width(suffix)) + suffix
        result.append(label)
    return result


def pack(
    buttons: Iterable[InlineKeyboardButton], per_row: int = 2
) -> list[list[InlineKeyboardButton]]:
    """Rows of up to `per_row` buttons, in order; a label too wide to share stays alone."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        row = rows[-1] if rows else None
        if row is not None and len(row) < per_row:
            widest = max(width(b.text) for b in [*row, button])
            if widest <= row_limit(len(row) + 1):
                row.append(button)
                continue
        rows.append([button])
    return rows


def distinct(buttons: Sequence[InlineKeyboardButton]) -> list[InlineKeyboardButton]:
    """The buttons with no two labels alike: a repeated label gets a number."""
    texts = unique([[b.text] for b in buttons])
    return [
        b if b.text == text else b.model_copy(update={"text": text})
        for b, text in zip(buttons, texts, strict=True)
    ]
