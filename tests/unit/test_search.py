"""The search pipeline: spellings of a city meet, the index follows a new program."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.program.loader import parse_program
from bot.program.model import Program, Text
from bot.services.search import THRESHOLD, SearchIndex, SearchService, city_partners, keys

SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "program" / "sample_forum.yaml"


@pytest.fixture(scope="module")
def program() -> Program:
    return parse_program(SAMPLE.read_text(encoding="utf-8"), str(SAMPLE))


@pytest.mark.parametrize(
    "spellings",
    [
        ("Могилёв", "могилев", "МОГИЛЁВА", "Магілёў", "Mogilev"),
        ("Гомель", "Гомеля", "Gomel"),
        ("Брест", "Бресте", "Брэст", "Brest"),
    ],
)
def test_spellings_of_a_city_find_the_same_partners(
    program: Program, spellings: tuple[str, ...]
) -> None:
    index = SearchIndex(program)
    found = {tuple(p.id for p in city_partners(program, index.search(s))) for s in spellings}
    assert len(found) == 1 and () not in found, found


def test_question_words_are_not_keys() -> None:
    assert keys("где и когда") == []
    assert keys("дзе і калі") == []
    assert keys("where is the") == []


@pytest.mark.parametrize(
    ("query", "pair"),
    [
        ("Mahiliou", "mogilev-tula"),
        ("Homiel", "gomel-bryansk"),
        ("Hrodna", "grodno-kaliningrad"),
        ("Vitebsk", "vitebsk-smolensk"),
        ("с Тулой", "mogilev-tula"),
        ("Смоленк", "vitebsk-smolensk"),
        ("Могилев", "mogilev-tula"),
        ("Магилёв", "mogilev-tula"),
    ],
)
def test_city_spellings_and_typos_find_the_pair(program: Program, query: str, pair: str) -> None:
    hits = SearchIndex(program).search(query, kinds=("city",))
    assert hits and hits[0].score >= THRESHOLD
    assert pair in {p.id for p in city_partners(program, hits)}


def test_a_city_with_two_twins_shows_both(program: Program) -> None:
    hits = SearchIndex(program).search("Минск")
    assert {p.id for p in city_partners(program, hits)} == {"minsk-moscow", "minsk-spb"}


def test_kinds_filter(program: Program) -> None:
    hits = SearchIndex(program).search("пленарное заседание Могилёв", kinds=("city",))
    assert hits and all(h.kind == "city" for h in hits)


async def test_the_index_follows_a_reloaded_program(program: Program) -> None:
    service = SearchService(program)
    assert not service.search("Зеленоград") or service.search("Зеленоград")[0].kind != "city"
    pair = dataclasses.replace(
        program.city_pairs[0],
        id="minsk-zelenograd",
        ru_city=Text({"ru": "Зеленоград", "en": "Zelenograd"}),
        aliases=(),
    )
    changed = dataclasses.replace(program, city_pairs=(*program.city_pairs, pair))
    await service.reload(changed)
    hits = service.search("Зеленограда")
    assert hits[0].key == "city:minsk-zelenograd"
