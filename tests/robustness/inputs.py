"""Hostile inputs for the robustness suite, generated deterministically from a seed.

Texts (markup, huge, control and zero-width characters, right-to-left, emoji, SQL-looking),
commands with odd arguments, files where text is expected, and forged callback data packed
by every CallbackData factory of bot/keyboards/.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram.filters.callback_data import CallbackData

import bot.keyboards.admin
import bot.keyboards.cities
import bot.keyboards.common
import bot.keyboards.delegates
import bot.keyboards.links
import bot.keyboards.program
import bot.keyboards.questions
import bot.keyboards.registration
import bot.keyboards.schedule
from tests.fakeapi import FakeUser

SEED = 20270625
KEYBOARD_MODULES = (
    bot.keyboards.admin,
    bot.keyboards.cities,
    bot.keyboards.common,
    bot.keyboards.delegates,
    bot.keyboards.links,
    bot.keyboards.program,
    bot.keyboards.questions,
    bot.keyboards.registration,
    bot.keyboards.schedule,
)

MARKUP = [
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "</i>",
    "a < b",
    "a > b & c",
    "&amp;",
    "&lt;b&gt;",
    "&#0;",
    '<a href="javascript:x">click</a>',
    '<a href="tg://user?id=1">me</a>',
    "<tg-spoiler>x",
    "<pre><code class='language-python'>x</code>",
    "*bold* _it_ `code` [link](http://x) ~~s~~ ||spoiler||",
    "<<<<>>>>",
    "<b><i></b></i>",
    "<blockquote expandable>",
]
SQL = [
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "Robert'); DROP TABLE registrations;--",
    "1; DELETE FROM deliveries",
    "%s %d {0} {name} %(x)s",
    "\\x00\\n\\r",
    "' UNION SELECT * FROM users --",
]
CONTROL = [chr(c) for c in range(0x00, 0x20)] + [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u202e",
]
RTL = [
    "مرحبا بالعالم",
    "שלום עולם",
    "\u202eevil.exe\u202c",
    "abc \u202e123 مرحبا",
    "اسم: محمد",
]
EMOJI = [
    "👍",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇧🇾🇷🇺",
    "🧑🏽‍💻",
    "❤️" * 50,
    "🙂 Минск 🙂",
]
# Inputs the registration form once got wrong (issue 10): invisible names, phones with letters,
# dates in words, formulas for the exports.
FORM = [
    "\u3164\u3164\u3164 \u3164\u3164",
    "\u115f\u1160",
    "\uffa0\uffa0 \uffa0",
    "\u2800\u2800\u2800",
    "\u0301\u0302\u0303\u0304\u0305",
    "Z\u0335\u0321\u0322\u0327\u0328a\u0336\u0337lgo",
    "\u034f\u034f\u17b4\u17b5",
    "+375 29 ABC-45-67",
    "+7 (9I2) 345-67-89",
    "tel:+375291234567",
    "375291234567",
    "0029 1234567",
    "14 марта 2010",
    "14 сакавіка 2010",
    "March 14, 2010",
    "14th of March 2010",
    "31 февраля 2010",
    "14 Smarch 2010",
    '=HYPERLINK("http://evil.example","x")',
    "-2+3+cmd|' /C calc'!A0",
    "-2+3@example.com",
    "@SUM(1+1)",
    "+1+1",
    "BY-MA",
    "BY-MA.mogilev",
    "RU-XX.nowhere",
    "Могилевская обл.",
]
PLAIN = [
    "",
    " ",
    "   \n\n\t  ",
    "Программа",
    "Кто выступает в зале 1?",
    "Иван Иванов",
    "2000-01-15",
    "31.02.2001",
    "+375291234567",
    "a@b.c",
    "yes",
    "0",
    "-1",
    "99999999999999999999999",
    "NaN",
    "None",
    "null",
    "/",
    "//",
    "@forum_test_bot",
]


def _random_text(rng: random.Random, length: int) -> str:
    pools = [MARKUP, SQL, CONTROL, RTL, EMOJI, PLAIN, FORM]
    parts: list[str] = []
    size = 0
    while size < length:
        piece = rng.choice(rng.choice(pools))
        parts.append(piece)
        size += len(piece)
    return "".join(parts)[:length]


def hostile_texts(seed: int = SEED, mixed: int = 40, controls: int = len(CONTROL)) -> list[str]:
    """Every fixed sample, long texts, and `mixed` random mixtures of them; `controls` of the
    control characters alone (a smaller run samples them)."""
    rng = random.Random(seed)
    texts = [*MARKUP, *SQL, *rng.sample(CONTROL, controls), *RTL, *EMOJI, *PLAIN, *FORM]
    texts += [
        "A" * 4096,
        "Я" * 4097,
        "<b>" * 2000,
        "&" * 5000,
        "😀" * 5000,
        _random_text(rng, 10_000),
        "\u200b" * 10_000,
        "x" * 10_000,
    ]
    texts += [_random_text(rng, rng.randint(1, 300)) for _ in range(mixed)]
    # Telegram never delivers an empty or whitespace-only message: keep them as markers only.
    return [t for t in texts if t.strip(" \n\t")]


def hostile_commands(seed: int = SEED) -> list[str]:
    """Commands with odd arguments: garbage deep links, huge and SQL-looking arguments."""
    rng = random.Random(seed + 1)
    start_payloads = [
        "",
        " ",
        "s-",
        "s-nonexistent",
        "s-" + "9" * 60,
        "x-../../etc/passwd",
        "c-'; DROP TABLE users; --",
        "reg",
        "reg-extra",
        "ci-",
        "ci-0",
        "ci-abc",
        "ci-" + "-" * 60,
        "inv-",
        "inv-forged-token",
        "inv-" + "A" * 60,
        "g-",
        "g-forged-token",
        "g-" + "A" * 60,
        "g-'; DROP TABLE registrations; --",
        "<b>x</b>",
        "\u202e" + "s-1",
        "👍",
        "s-1 s-2",
        "z" * 5000,
    ]
    commands = [f"/start {p}".rstrip() for p in start_payloads]
    commands += [
        "/cities " + "x" * 5000,
        "/cities <b>Минск</b>",
        "/checkin '; --",
        "/checkin 99999999999999999999",
        "/checkin -1",
        "/consent YM-0001",
        "/consent '; --",
        "/export csvc",
        "/export csv;",
        "/register now please",
        "/register@forum_test_bot",
        "/register@other_bot",
        "/schedule 2099-13-45",
        "/schedule ' OR 1=1",
        "/now now",
        "/sections 🙂",
        "/agenda <script>",
        "/language xx",
        "/settings " + "\u200b" * 100,
        "/help me",
        "/menu " + _random_text(rng, 200),
        "/mydata please",
        "/forget everything",
        "/nonexistent",
        "/START",
        "/sTaRt s-1",
        "/" + "a" * 40,
    ]
    return commands


@dataclass(frozen=True, slots=True)
class FileInput:
    """A non-text message: a document, a photo, a location or someone else's contact."""

    name: str
    send: Callable[[FakeUser], Any]


async def _stranger_contact(user: FakeUser) -> Any:
    return await user.share_contact("+79990001122")


async def _foreign_contact(user: FakeUser) -> Any:
    # A contact card of another person (another user_id), as sharing someone's card sends.
    contact = {"phone_number": "+375291112233", "first_name": "Other", "user_id": 1}
    return user._post(contact=contact)


async def _contact_without_plus(user: FakeUser) -> Any:
    # Some Telegram clients send the user's own number without "+": still international.
    return await user.share_contact(user.phone.lstrip("+"))


async def _contact_with_letters(user: FakeUser) -> Any:
    return await user.share_contact("+375 29 ABC-45-67")


FILES = [
    FileInput("document", lambda u: u.send_document("notes.txt", b"hello", "<b>caption</b>")),
    FileInput("xlsx", lambda u: u.send_document("evil.xlsx", b"PK\x03\x04garbage")),
    FileInput("photo", lambda u: u.send_photo(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "🙂")),
    FileInput("location", lambda u: u.send_location(53.9, 27.56)),
    FileInput("contact-stranger", _foreign_contact),
    FileInput("contact-other-phone", _stranger_contact),
    FileInput("contact-without-plus", _contact_without_plus),
    FileInput("contact-letters", _contact_with_letters),
]

# Odd field values for forged callback data: each must still pack within 64 bytes.
ODD_STRINGS = ["", "0", "-1", "x", "999999999", "'--", "<b>", "zz-unknown", "ЯЯ", "💥"]
ODD_INTS = [0, -1, 1, 2, 999_999_999, -(2**31), 2**53]


def callback_factories() -> list[type[CallbackData]]:
    """Every CallbackData factory defined in bot/keyboards/."""
    found: dict[str, type[CallbackData]] = {}
    for module in KEYBOARD_MODULES:
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, CallbackData)
                and obj is not CallbackData
                and obj.__module__ == module.__name__
            ):
                found[name] = obj
    return list(found.values())


def forged_callbacks(
    factory: type[CallbackData],
    seed: int = SEED,
    count: int = 8,
    strings: list[str] = ODD_STRINGS,
    ints: list[int] = ODD_INTS,
) -> list[str]:
    """`count` packed instances of `factory` with odd field values (deterministic)."""
    rng = random.Random(f"{seed}-{factory.__name__}")
    fields = factory.model_fields

    def _odd_values(annotation: Any) -> list[Any]:
        return ints if annotation is int or annotation == "int" else strings

    out: list[str] = []
    attempts = 0
    while len(out) < count and attempts < count * 20:
        attempts += 1
        values = {name: rng.choice(_odd_values(f.annotation)) for name, f in fields.items()}
        try:
            packed = factory(**values).pack()
        except ValueError:
            continue  # a separator in a value or too long: not something a button can carry
        if len(packed.encode()) <= 64 and packed not in out:
            out.append(packed)
    return out


def garbage_callbacks(seed: int = SEED) -> list[str]:
    """Raw strings that no factory packs, within Telegram's 64 bytes."""
    rng = random.Random(seed + 2)
    data = ["x", ":", "::::", "m:", "m:unknown", "ss", "ss:", "lang:xx", "set:reminder:abc"]
    data += ["oa", "o", "oreg:", "rg:pick:name:99", "rg:confirm::", "ag:page:-5", "dy:2099-01-01"]
    data += ["💥" * 16, "'; DROP TABLE users; --", "<b>x</b>", "\u202e:m:menu"]
    alphabet = "abcdefghijklmnopqrstuvwxyz:0123456789-_"
    data += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 64))) for _ in range(10)]
    return [d for d in data if len(d.encode()) <= 64]


def all_forged_callbacks(seed: int = SEED) -> list[str]:
    packed = [d for f in callback_factories() for d in forged_callbacks(f, seed)]
    return packed + garbage_callbacks(seed)
