"""What the organizer reads about a broadcast: progress that only grows, the report in words,
the price of a paid broadcast, and pickers that fit a phone."""

from __future__ import annotations

import pytest

from bot.i18n import create_i18n, in_locale, language_name
from bot.keyboards.admin import (
    audiences_keyboard,
    choices_keyboard,
    draft_keyboard,
    progress_keyboard,
)
from bot.services.broadcast import (
    Progress,
    Tally,
    duration,
    paid_stars,
    progress_text,
    report_text,
)

I18N = create_i18n("en")


def test_progress_only_grows() -> None:
    progress = Progress(message_id=1)
    total = 200
    seen = []
    # Before the total is known, during sending, after a Stop and a resume of the rest (the
    # cancelled rows are queued again): the share answered for never goes back.
    for tally, known in [
        (Tally(), 0),
        (Tally(delivered=20, left=180), total),
        (Tally(delivered=60, blocked=2, failed=1, cancelled=137), total),
        (Tally(delivered=60, blocked=2, failed=1, left=137), total),
        (Tally(delivered=59, blocked=2, failed=1, left=138), total),  # counts read mid-update
        (Tally(delivered=197, blocked=2, failed=1), total),
    ]:
        seen.append(progress.percent(tally, known))
    assert seen == [0, 10, 31, 31, 31, 100]


def test_progress_is_not_100_until_everyone_is_answered_for() -> None:
    assert Progress(1).percent(Tally(delivered=999, left=1), 1000) == 99


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            [
                "Delivered to 117 people.",
                "3 people have blocked the bot.",
                "Could not deliver to 1 person.",
                "40 messages were cancelled and not sent.",
                "It took 1 minute 42 seconds.",
            ],
        ),
        (
            "ru",
            [
                "Доставлено 117 получателям.",
                "Бот заблокирован у 3 получателей.",
                "Не удалось доставить 1 получателю.",
                "40 сообщений отменено и не отправлено.",
                "Время рассылки: 1 минута 42 секунды.",
            ],
        ),
        (
            "be",
            [
                "Дастаўлена 117 атрымальнікам.",
                "Бот заблакаваны ў 3 атрымальнікаў.",
                "Не ўдалося даставіць 1 атрымальніку.",
                "40 паведамленняў адменена і не адпраўлена.",
                "Час рассылкі: 1 хвіліна 42 секунды.",
            ],
        ),
    ],
)
def test_the_report_says_each_outcome_in_words(locale: str, expected: list[str]) -> None:
    tally = Tally(delivered=117, blocked=3, failed=1, cancelled=40)
    with in_locale(I18N, locale):
        text = report_text(7, tally, took=102, stopped=True)
    lines = text.split("\n")
    assert "7" in lines[0] and lines[0].startswith("<b>⏹")
    assert lines[1:] == expected


def test_a_clean_report_says_nothing_went_wrong() -> None:
    with in_locale(I18N, "en"):
        text = report_text(3, Tally(delivered=1), took=0, stopped=False)
    assert text.split("\n")[1:] == [
        "Delivered to 1 person.",
        "Nobody has blocked the bot.",
        "No delivery failed.",
        "Nothing was cancelled.",
        "It took 0 seconds.",
    ]


def test_paused_progress_says_so_and_offers_resume() -> None:
    with in_locale(I18N, "en"):
        text = progress_text(4, Tally(delivered=60, left=140), 30, rate=0.0, paused=True)
        markup = progress_keyboard(4, "paused")
        sending = progress_keyboard(4, "sending")
        stopped = progress_keyboard(4, "stopped", has_rest=True)
        done = progress_keyboard(4, "done")
    assert text.startswith("⏸ Announcement #4 is paused\n▓▓▓░░░░░░░ 30%")
    assert "Nothing more is sent until you resume it." in text
    assert markup is not None and [b.text for b in markup.inline_keyboard[0]] == [
        "▶️ Resume",
        "⏹ Stop",
    ]
    assert sending is not None and [b.text for b in sending.inline_keyboard[0]] == [
        "⏸ Pause",
        "⏹ Stop",
    ]
    assert stopped is not None and stopped.inline_keyboard[0][0].text == "▶️ Send the rest"
    assert done is None


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (102, "1 minute 42 seconds"),
        (3600, "1 hour"),
        (7500, "2 hours 5 minutes"),
    ],
)
def test_durations_in_words(seconds: int, words: str) -> None:
    with in_locale(I18N, "en"):
        assert duration(seconds) == words


@pytest.mark.parametrize(
    ("recipients", "rate", "stars"),
    [
        (0, 900, 0.0),
        (30, 900, 0.0),  # all within the free 30 of the first second
        (31, 900, 0.1),
        (301, 300, 27.1),  # one second: 30 free, 271 paid
        (3000, 900, 290.0),  # 3.3 s: 100 free
        (3000, 30, 0.0),  # at the free pace nothing is paid
    ],
)
def test_paid_broadcast_price(recipients: int, rate: float, stars: float) -> None:
    assert paid_stars(recipients, rate) == stars


def rows(markup) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[b.text for b in row] for row in markup.inline_keyboard]


def test_pickers_give_a_long_label_a_row_of_its_own() -> None:
    labels = [
        ("sec", "Subscribers of a section"),
        ("all", "Everyone"),
        ("lang", "By language"),
        ("country", "Youth meeting participants by country"),
        ("youth", "Youth"),
    ]
    with in_locale(I18N, "en"):
        audiences = rows(audiences_keyboard(labels))
    assert audiences == [
        ["Subscribers of a section"],
        ["Everyone", "By language"],
        ["Youth meeting participants by…"],
        ["Youth"],
        ["✖️ Cancel"],
    ]
    choices = [
        ("s1", "Industrial cooperation and import substitution in machine building"),
        ("s2", "Agro"),
        ("s3", "IT"),
        ("s4", "Education and youth exchanges"),
    ]
    with in_locale(I18N, "en"):
        picked = rows(choices_keyboard(choices))
    assert picked[:3] == [
        ["1. Industrial cooperation and…"],
        ["2. Agro", "3. IT"],
        ["4. Education and youth…"],
    ]
    for row in picked:
        assert all(len(text) <= 30 for text in row)
        assert len(row) == 1 or all(len(text) <= 15 for text in row)


@pytest.mark.parametrize(
    ("locale", "sentence", "button"),
    [
        ("ru", "белорусский", "➕ Белорусский"),
        ("be", "беларуская", "➕ Беларуская"),
        ("en", "Belarusian", "➕ Belarusian"),
    ],
)
def test_a_language_is_named_in_the_readers_language(
    locale: str, sentence: str, button: str
) -> None:
    with in_locale(I18N, locale):
        assert language_name("be") == sentence
        buttons = draft_keyboard(["ru"], urgent=False).inline_keyboard
    assert button in [b.text for row in buttons for b in row]
