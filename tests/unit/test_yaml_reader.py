"""libyaml reads program files at start (fast); what it reads, and what it refuses, is the same
as with the pure-Python loader, whose error messages people see."""

from __future__ import annotations

import pytest
import yaml

from bot.program.loader import ProgramInvalid, parse_program
from bot.settings import SAMPLE_PROGRAM

SAMPLE = SAMPLE_PROGRAM.read_text(encoding="utf-8")
LINE = '    ru: "Форум городов-побратимов — 2027"\n'


def variants() -> dict[str, str]:
    assert LINE in SAMPLE

    def title(value: str) -> str:
        return SAMPLE.replace(LINE, f"    ru: {value}\n", 1)

    return {
        "sample": SAMPLE,
        "escaped bell in a title": title('"Форум\\a"'),
        "raw bell": title("Форум\x07"),
        "next line char": title("Форум\x85x"),
        "emoji": title("Форум 🌍"),
        "bom": "\ufeff" + SAMPLE,
        "tab indent": SAMPLE.replace(LINE, "\t" + LINE, 1),
        "unclosed flow": title("[1, 2"),
        "alias": SAMPLE.replace(LINE, "    ru: *mogilev\n", 1),
        "unknown alias": SAMPLE.replace(LINE, "    ru: *nowhere\n", 1),
        "duplicate key": SAMPLE.replace(LINE, LINE + LINE, 1),
        "empty": "",
        "only a comment": "# nothing\n",
    }


def outcome(text: str) -> object:
    try:
        return parse_program(text, "p.yaml")
    except ProgramInvalid as exc:
        return [e.render() for e in exc.errors]


@pytest.mark.parametrize("name", list(variants()))
def test_libyaml_and_python_read_alike(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert hasattr(yaml, "CSafeLoader"), "PyYAML was built without libyaml"
    text = variants()[name]
    fast = outcome(text)
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert outcome(text) == fast
