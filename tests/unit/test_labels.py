"""Button labels: width in columns, cutting, telling repeated titles apart, rows."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton

from bot.keyboards.labels import LABEL_LIMIT, distinct, fit, pack, row_limit, unique, width


def button(text: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=text[:10] or "x")


def test_width_counts_emoji_as_two_columns() -> None:
    assert width("Menu") == 4
    assert width("☰ Menu") == 7  # symbols drawn as emoji count as two
    assert width("⚙️ Settings") == 11  # the variation selector draws nothing
    assert width("🇧🇾 Belarus") == 10  # a flag is two columns
    assert width("№ 5 — 10 мин…") == 13


def test_fit_cuts_at_a_word_and_marks_it() -> None:
    title = "Пленарное заседание «Города-побратимы: вместе к новым возможностям»"
    cut = fit(title)
    assert width(cut) <= LABEL_LIMIT and cut.endswith("…")
    assert title.startswith(cut[:-1])
    assert fit("Short title") == "Short title"
    assert fit("  spaces   inside  ") == "spaces inside"
    # A long single word is cut inside it rather than losing everything.
    assert width(fit("Х" * 80)) == LABEL_LIMIT


def test_unique_adds_detail_only_where_titles_repeat() -> None:
    labels = unique(
        [
            ("Lunch", "13:00 Lunch", "Thu 13:00 Lunch"),
            ("Lunch", "13:15 Lunch", "Fri 13:15 Lunch"),
            ("Plenary", "10:00 Plenary", "Fri 10:00 Plenary"),
            ("Registration", "08:00 Registration", "Thu 08:00 Registration"),
            ("Registration", "08:00 Registration", "Fri 08:00 Registration"),
        ]
    )
    assert labels == [
        "13:00 Lunch",
        "13:15 Lunch",
        "Plenary",
        "Thu 08:00 Registration",
        "Fri 08:00 Registration",
    ]
    # Long titles that differ only after the cut: the telling variant, else a number.
    long = "A very long round table title that only differs at the very end: "
    same = unique([(long + "sport",), (long + "sport",), (long + "culture",)])
    assert len(set(same)) == 3 and all(width(t) <= LABEL_LIMIT for t in same)
    assert same[0].endswith("(1)") and same[1].endswith("(2)")


def test_distinct_keeps_buttons_and_renames_repeats() -> None:
    buttons = distinct([button("Обед"), button("Обед"), button("Ужин")])
    assert [b.text for b in buttons] == ["Обед (1)", "Обед (2)", "Ужин"]


def test_pack_keeps_wide_labels_alone() -> None:
    rows = pack([button("Yes"), button("No"), button("Yes, delete all my data now"), button("Ok")])
    assert [[b.text for b in row] for row in rows] == [
        ["Yes", "No"],
        ["Yes, delete all my data now"],
        ["Ok"],
    ]
    rows = pack([button(f"{n} мин") for n in (5, 10, 15, 30, 60)], per_row=3)
    assert [len(row) for row in rows] == [3, 2]
    assert row_limit(1) == LABEL_LIMIT and row_limit(2) == 20 and row_limit(3) == 13
