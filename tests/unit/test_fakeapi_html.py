"""Telegram HTML parse_mode rules as implemented by the fake Bot API server."""

from __future__ import annotations

import pytest

from tests.fakeapi import EntityParseError, parse_html, utf16_len
from tests.fakeapi.markup import validate_reply_markup
from tests.fakeapi.models import ApiError


def entity(kind: str, offset: int, length: int, **extra: object) -> dict[str, object]:
    return {"type": kind, "offset": offset, "length": length, **extra}


@pytest.mark.parametrize(
    ("source", "plain", "entities"),
    [
        ("plain text", "plain text", []),
        ("<b>bold</b> <strong>s</strong>", "bold s", [entity("bold", 0, 4), entity("bold", 5, 1)]),
        ("<i>i</i><em>e</em>", "ie", [entity("italic", 0, 1), entity("italic", 1, 1)]),
        ("<u>u</u><ins>n</ins>", "un", [entity("underline", 0, 1), entity("underline", 1, 1)]),
        (
            "<s>a</s><strike>b</strike><del>c</del>",
            "abc",
            [entity("strikethrough", i, 1) for i in range(3)],
        ),
        (
            '<tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span>',
            "xy",
            [entity("spoiler", 0, 1), entity("spoiler", 1, 1)],
        ),
        (
            '<a href="https://example.org/?a=1&amp;b=2">link</a>',
            "link",
            [entity("text_url", 0, 4, url="https://example.org/?a=1&b=2")],
        ),
        ("<code>x = 1</code>", "x = 1", [entity("code", 0, 5)]),
        ("<pre>block</pre>", "block", [entity("pre", 0, 5)]),
        (
            '<pre><code class="language-python">print(1)</code></pre>',
            "print(1)",
            [entity("pre", 0, 8, language="python")],
        ),
        ("<blockquote>q</blockquote>", "q", [entity("blockquote", 0, 1)]),
        (
            "<blockquote expandable>long</blockquote>",
            "long",
            [entity("expandable_blockquote", 0, 4)],
        ),
        (
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [entity("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286")],
        ),
        ("&lt;tag&gt; &amp; &quot;q&quot;", '<tag> & "q"', []),
        ("&#1041;&#x410;", "БА", []),
        ("a & b", "a & b", []),
        ("AT&T", "AT&T", []),
        ("<b></b>empty", "empty", []),
        ("<B>upper</B>", "upper", [entity("bold", 0, 5)]),
    ],
)
def test_parses_supported_markup(source: str, plain: str, entities: list[dict]) -> None:
    assert parse_html(source) == (plain, entities)


def test_offsets_are_utf16_code_units() -> None:
    # The emoji is one code point but two UTF-16 units; Cyrillic letters are one unit each.
    text, entities = parse_html("😀 <b>Форум</b> 😀<i>x</i>")
    assert text == "😀 Форум 😀x"
    assert entities == [entity("bold", 3, 5), entity("italic", 11, 1)]
    assert utf16_len(text) == 12


def test_nested_entities_are_sorted_outer_first() -> None:
    _, entities = parse_html("<b>a<i>b</i></b>")
    assert entities == [entity("bold", 0, 2), entity("italic", 1, 1)]


def test_link_without_href_uses_its_text_and_user_links_become_mentions() -> None:
    _, entities = parse_html('<a href="tg://user?id=42">Alesia</a>')
    assert entities[0]["type"] == "text_mention"
    assert entities[0]["user"]["id"] == 42
    _, entities = parse_html('<a href="javascript:alert(1)">x</a>')
    assert entities == []  # Telegram silently drops links it does not accept


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("Привет <p>", 'Unsupported start tag "p" at byte offset 13'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("I <3 you", 'Unsupported start tag "3" at byte offset 2'),
        ("x <3", "Unclosed start tag at byte offset 2"),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 9"),
    ],
)
def test_rejects_what_telegram_rejects(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert caught.value.description == error


def test_unknown_entity_is_literal_when_not_strict() -> None:
    assert parse_html("a&nbsp;b", strict_entities=False) == ("a&nbsp;b", [])


def _button(**fields: object) -> dict[str, object]:
    return {"inline_keyboard": [[{"text": "B", **fields}]]}


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        (_button(callback_data="x" * 65), "Bad Request: BUTTON_DATA_INVALID"),
        (_button(callback_data="я" * 33), "Bad Request: BUTTON_DATA_INVALID"),
        (_button(callback_data=""), "Bad Request: BUTTON_DATA_INVALID"),
        (_button(url="example.org"), "Bad Request: BUTTON_URL_INVALID"),
        (_button(), "Bad Request: text buttons are unallowed in the inline keyboard"),
        (
            {"inline_keyboard": [[{"text": "x", "callback_data": "a"}] * 9]},
            "Bad Request: reply markup is too long",
        ),
        (
            {"inline_keyboard": [[{"text": "x", "callback_data": "a"}] * 5] * 21},
            "Bad Request: reply markup is too long",
        ),
        ({"something": True}, "Bad Request: can't parse reply keyboard markup JSON object"),
    ],
)
def test_reply_markup_rules(markup: dict, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        validate_reply_markup(markup)
    assert caught.value.description == error


def test_accepts_valid_keyboards() -> None:
    inline = _button(callback_data="я" * 32)
    assert validate_reply_markup(inline) == inline
    assert validate_reply_markup(_button(url="tg://resolve?domain=x")) is not None
    reply = {"keyboard": [[{"text": "Phone", "request_contact": True}]], "resize_keyboard": True}
    assert validate_reply_markup(reply) == reply
    assert validate_reply_markup({"remove_keyboard": True}) == {"remove_keyboard": True}
    assert validate_reply_markup({"force_reply": True}) == {"force_reply": True}
