"""The house style of every text in the catalogs, so that new strings keep it:

- Russian and Belarusian quote with «ёлочки», English with “curly quotes”; no straight "..."
  and no other language's quotes.
- Belarusian writes its apostrophe as ’ (U+2019), not ' (аб’ява, з’езд, сям’я).
- The youth meeting is «моладзевая сустрэча» in Belarusian, never «маладзёжная».
- No word of the other language inside a Russian or Belarusian text (letters that only the
  other language has).
- A person's name is not put where the language would decline it ("в пути к {name}").
- Minutes are words («15 мин», «15 хв», "15 min"), not a prime sign; numbers of things are
  «№» in Russian and Belarusian, "#" only in English.

English texts are the msgids unless the English catalog overrides them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[2] / "locales"
TAG = re.compile(r"<[^>]*>")  # HTML attributes keep their straight quotes
QUOTES = {
    "ru": ("«", "»"),
    "be": ("«", "»"),
    "en": ("“", "”"),
}
FOREIGN_QUOTES = {"ru": '“”„"', "be": '“”„"', "en": '«»„"'}
# Letters only Russian has (in a Belarusian text) and only Belarusian has (in a Russian one).
OTHER_LETTERS = {"be": "иИщЩъЪ", "ru": "іІўЎ"}
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")
# A person's name right after a preposition that governs an oblique case ("к {name}").
PERSON = r"\{(?:name|person|guardian|username|asker)\}"
NAME_AFTER = {
    "ru": re.compile(rf"(?<!\w)(к|ко|у|для|от|с|со|о|об|про|без|при|по)\s+{PERSON}", re.I),
    "be": re.compile(rf"(?<!\w)(да|у|ў|для|ад|з|са|аб|пра|без|пры|па|к)\s+{PERSON}", re.I),
}


def texts(lang: str) -> list[tuple[str, str]]:
    """(msgid, text a reader sees) for every message and plural form of a catalog."""
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for n, string in enumerate(strings):
            shown = string or (ids[min(n, len(ids) - 1)] if lang == "en" else "")
            if shown:
                found.append((ids[0], TAG.sub("", shown)))
    return found


def problems(lang: str, entries: list[tuple[str, str]]) -> list[str]:
    """What is out of style in (msgid, shown text) entries of one language."""
    opening, closing = QUOTES[lang]
    found = []
    for msgid, text in entries:
        where = f"{lang} catalog, msgid {msgid!r}:\n    {text!r}\n    "
        wrong = sorted({c for c in text if c in FOREIGN_QUOTES[lang]})
        if wrong:
            found.append(
                where + f"uses {' '.join(wrong)} as quotes; {lang} quotes with "
                f"{opening}…{closing}" + (" (change the msgid in the code)" if lang == "en" else "")
            )
        if text.count(opening) != text.count(closing):
            found.append(
                where + f"opens {opening} and closes {closing} a different number of times"
            )
        if lang == "be" and "'" in text:
            found.append(where + "writes the apostrophe as ' ; Belarusian writes ’ (U+2019)")
        if lang in OTHER_LETTERS and (
            letters := sorted(set(OTHER_LETTERS[lang]) & set(PLACEHOLDER.sub("", text)))
        ):
            found.append(
                where + f"has {' '.join(letters)}, letters {lang} does not have: a word of "
                "the other language slipped in"
            )
        if lang == "be" and re.search(r"маладзёжн", text, re.IGNORECASE):
            found.append(where + "says «маладзёжн…»; the term is «моладзевая сустрэча»")
        if lang in NAME_AFTER and (m := NAME_AFTER[lang].search(text)):
            found.append(
                where + f"puts a name after «{m.group(1)}», where the language would decline "
                "it; rephrase so that the name stays in the nominative (e.g. «Получатель: {name}»)"
            )
        if "′" in text:
            found.append(where + "writes minutes with a prime sign ′; write them as a word")
        if lang in ("ru", "be") and re.search(r"#\s?\{|#\d", text):
            found.append(where + "numbers with #; Russian and Belarusian write №")
    return found


@pytest.mark.parametrize("lang", ["ru", "be", "en"])
def test_catalog_keeps_the_house_style(lang: str) -> None:
    found = problems(lang, texts(lang))
    assert not found, (
        f"{len(found)} text(s) out of the house style (see this file's docstring):\n"
        + "\n".join(found)
    )


def test_the_check_names_each_mistake() -> None:
    def flagged(lang: str, text: str) -> str:
        return "\n".join(problems(lang, [("msgid", text)]))

    assert 'uses " as quotes' in flagged("ru", 'Нажмите "Старт"')
    assert "uses « » as quotes" in flagged("en", "Press «Start»")
    assert "different number of times" in flagged("be", "Націсніце «Старт")
    assert "apostrophe" in flagged("be", "аб'ява")
    assert "моладзевая сустрэча" in flagged("be", "маладзёжная сустрэча")
    assert "letters be does not have" in flagged("be", "Пришлите версию")
    assert "letters ru does not have" in flagged("ru", "Дашліце")
    assert "prime sign" in flagged("ru", "15′")
    assert "nominative" in flagged("ru", "Ответ уже в пути к {name}.")
    assert "nominative" in flagged("be", "Адказ ужо ў дарозе да {name}.")
    assert not flagged("ru", "Ответ отправлен. Получатель: {name}.")
    assert "write №" in flagged("ru", "Объявление #{id}") + flagged("be", "Аб’ява #5")
    assert not flagged("be", "Аб’ява №{id}: «Старт»") and not flagged("en", "Press “Start”")
