"""Telegram's HTML parse_mode, reimplemented after the rules of tdlib's parser.

The point is to reject exactly what Telegram rejects (with the same wording), so a bot that
passes its tests against the fake does not break on real ``can't parse entities`` errors.
Offsets in error messages are UTF-8 byte offsets, entity offsets are UTF-16 code units,
both as in Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# tdlib treats NUL as a space, which is how its loops stop at the end of the string.
_SPACES = frozenset(" \t\r\n\v\f\0")
_MAX_CODE_POINT = 0x10FFFF


class EntityParseError(ValueError):
    """The text cannot be parsed; ``description`` is Telegram's wording after the prefix."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the plain text where the tag's content starts
    plain_index: int  # index in the plain-text buffer, for <a> without href
    expandable: bool = False
    start_byte: int = 0


@dataclass
class _State:
    source: str
    strict_entities: bool
    plain: list[str] = field(default_factory=list)
    utf16: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def append(self, text: str) -> None:
        self.plain.append(text)
        self.utf16 += utf16_len(text)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def _char(text: str, index: int) -> str:
    # Past the end reads as NUL, mirroring the C string tdlib walks over.
    return text[index] if index < len(text) else "\0"


def _decode_entity(state: _State, index: int) -> tuple[str, int] | None:
    """Decode ``&...`` at ``index``; returns (character, next index) or None if not an entity."""
    text = state.source
    end = index + 1
    if _char(text, end) == "#":
        end += 1
        value = 0
        hexadecimal = _char(text, end) in "xX"
        if hexadecimal:
            end += 1
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while _char(text, end) in digits:
            value = value * (16 if hexadecimal else 10) + int(text[end], 16)
            end += 1
            if value >= _MAX_CODE_POINT:
                return None
        if value == 0 or end - index >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        decoded = chr(value)
    else:
        while _char(text, end).isascii() and _char(text, end).isalpha():
            end += 1
        name = text[index + 1 : end]
        if name not in NAMED_ENTITIES:
            # Telegram silently keeps unknown entities such as "&nbsp;" as literal text,
            # which shows up verbatim in the chat; strict mode turns that into a test failure.
            if state.strict_entities and name and _char(text, end) == ";":
                raise EntityParseError(
                    f'Unsupported HTML entity "&{name};" at byte offset {state.byte_offset(index)}'
                )
            return None
        decoded = NAMED_ENTITIES[name]
    if _char(text, end) == ";":
        end += 1
    return decoded, end


def _read_attribute_value(state: _State, index: int, tag: str) -> tuple[str, int]:
    text = state.source
    quote = _char(text, index)
    if quote not in "'\"":
        start = index
        while _char(text, index).isascii() and (
            _char(text, index).isalnum() or _char(text, index) in ".-"
        ):
            index += 1
        if _char(text, index) not in _SPACES and _char(text, index) != ">":
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {state.byte_offset(start)}"
            )
        return text[start:index].lower(), index
    index += 1
    value_start = index
    value: list[str] = []
    while index < len(text) and text[index] != quote:
        if text[index] == "&":
            decoded = _decode_entity(state, index)
            if decoded is not None:
                value.append(decoded[0])
                index = decoded[1]
                continue
        value.append(text[index])
        index += 1
    if index >= len(text):
        raise EntityParseError(
            f"Unclosed start tag at byte offset {state.byte_offset(value_start)}"
        )
    return "".join(value), index + 1


def _parse_start_tag(state: _State, begin: int) -> tuple[_OpenTag, int]:
    text = state.source
    index = begin + 1
    while _char(text, index) not in _SPACES and _char(text, index) != ">":
        index += 1
    if index >= len(text):
        raise EntityParseError(f"Unclosed start tag at byte offset {state.byte_offset(begin)}")
    name = text[begin + 1 : index].lower()
    if name not in SUPPORTED_TAGS:
        raise EntityParseError(
            f'Unsupported start tag "{name}" at byte offset {state.byte_offset(begin)}'
        )
    argument = ""
    expandable = False
    while _char(text, index) != ">":
        while index < len(text) and text[index] in _SPACES:
            index += 1
        if _char(text, index) == ">":
            break
        attr_start = index
        while _char(text, index) not in _SPACES and _char(text, index) not in "=>":
            index += 1
        attr_name = text[attr_start:index]
        if not attr_name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{name}" at byte offset '
                f"{state.byte_offset(begin)}"
            )
        while index < len(text) and text[index] in _SPACES:
            index += 1
        if _char(text, index) != "=":
            if name == "blockquote" and attr_name == "expandable":
                expandable = True
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                f"at byte offset {state.byte_offset(begin)}"
            )
        index += 1
        while index < len(text) and text[index] in _SPACES:
            index += 1
        if index >= len(text):
            raise EntityParseError(
                f'Unclosed start tag "{name}" at byte offset {state.byte_offset(begin)}'
            )
        value, index = _read_attribute_value(state, index, name)
        if name == "a" and attr_name == "href":
            argument = value
        elif name == "code" and attr_name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif name == "span" and attr_name == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif name == "tg-emoji" and attr_name == "emoji-id":
            argument = value
    if name == "span" and argument != "spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {state.byte_offset(begin)}'
        )
    if name == "tg-emoji" and not argument.isdigit():
        raise EntityParseError(
            f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
            f"{state.byte_offset(begin)}"
        )
    tag = _OpenTag(name, argument, state.utf16, len(state.plain), expandable, begin)
    return tag, index + 1


def _link_entity(url: str, offset: int, length: int) -> dict[str, Any] | None:
    user_prefix = "tg://user?id="
    if url.startswith(user_prefix) and url[len(user_prefix) :].isdigit():
        user = {"id": int(url[len(user_prefix) :]), "is_bot": False, "first_name": ""}
        return {"type": "text_mention", "offset": offset, "length": length, "user": user}
    lowered = url.lower()
    if "://" not in lowered:
        # Telegram accepts bare domains in href and prepends the scheme itself.
        if not url or " " in url or "." not in url:
            return None
        url = "http://" + url
    elif not lowered.startswith(("http://", "https://", "tg://", "ton://")):
        # Telegram drops links with other schemes without an error, so do we.
        return None
    return {"type": "text_url", "offset": offset, "length": length, "url": url}


def _close_tag(state: _State, tag: _OpenTag) -> None:
    length = state.utf16 - tag.offset
    if length <= 0:
        return
    offset = tag.offset
    entities = state.entities
    if tag.name in SIMPLE_TAG_TYPES:
        entities.append({"type": SIMPLE_TAG_TYPES[tag.name], "offset": offset, "length": length})
    elif tag.name == "a":
        url = tag.argument or "".join(state.plain[tag.plain_index :])
        link = _link_entity(url, offset, length)
        if link is not None:
            entities.append(link)
    elif tag.name == "tg-emoji":
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": tag.argument,
            }
        )
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.expandable else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif tag.name == "pre":
        last = entities[-1] if entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if last and last["type"] == "code" and same_span:
            # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
            language = last.pop("language", "")
            last["type"] = "pre"
            if language:
                last["language"] = language
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag.name == "code":
        last = entities[-1] if entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if last and last["type"] == "pre" and same_span and tag.argument:
            last["language"] = tag.argument
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if tag.argument:
                entity["language"] = tag.argument
            entities.append(entity)


def _parse_end_tag(state: _State, begin: int, stack: list[_OpenTag]) -> int:
    text = state.source
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {state.byte_offset(begin)}")
    index = begin + 2
    while _char(text, index) not in _SPACES and _char(text, index) != ">":
        index += 1
    end_name = text[begin + 2 : index]
    while index < len(text) and text[index] in _SPACES:
        index += 1
    if _char(text, index) != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {state.byte_offset(begin)}")
    tag = stack[-1]
    if end_name and end_name.lower() != tag.name:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {state.byte_offset(begin)}, "
            f'expected "</{tag.name}>", found "</{end_name}>"'
        )
    _close_tag(state, tag)
    stack.pop()
    return index + 1


def _sort_key(entity: dict[str, Any]) -> tuple[int, int]:
    return entity["offset"], -entity["length"]


def parse_html(text: str, *, strict_entities: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, Bot API MessageEntity dicts).

    Raises EntityParseError with the part of Telegram's message after
    "Bad Request: can't parse entities: ".
    """
    state = _State(text, strict_entities)
    stack: list[_OpenTag] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "&":
            decoded = _decode_entity(state, index)
            if decoded is not None:
                state.append(decoded[0])
                index = decoded[1]
                continue
        if char != "<":
            state.append(char)
            index += 1
            continue
        if _char(text, index + 1) == "/":
            index = _parse_end_tag(state, index, stack)
        else:
            tag, index = _parse_start_tag(state, index)
            stack.append(tag)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(state.plain), sorted(state.entities, key=_sort_key)
