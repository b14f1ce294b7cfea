"""The search pipeline: spellings of a city meet, the index follows a new program."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.program.loader import parse_program
from bot.program.model import Program, Text
from bot.services.search import (
    THRESHOLD,
    Answerer,
    SearchIndex,
    SearchService,
    city_partners,
    keys,
    question_keywords,
    sessions_in,
    word_key,
)

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


# ---------------------------------------------------------------- answers (issue 11)

NOW = datetime(2027, 6, 25, 10, 30, tzinfo=ZoneInfo("Europe/Minsk"))


@pytest.fixture(scope="module")
def answerer(program: Program) -> Answerer:
    return Answerer(SearchIndex(program))


def test_a_typo_never_beats_an_exact_word_of_another_meaning(answerer: Answerer) -> None:
    closing = answerer.answer("когда закрытие", NOW)
    assert closing.kind == "card" and closing.hits[0].key == "session:d3-results"
    opening = answerer.answer("когда открытие молодёжного форума", NOW)
    assert opening.first is not None and opening.first.key == "session:d1-youth-open"
    address = answerer.answer("адрес университета", NOW)
    assert address.kind == "card" and address.hits[0].key == "venue:university"
    # "адрес" is not read as "дресс-код", "закрытие" not as "открытие".
    assert "faq:dress-code" not in {h.key for h in address.hits}
    assert "session:plenary" not in {h.key for h in closing.hits}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("when is the plenary session", "session:plenary"),
        ("the closing session", "session:d3-results"),
        ("во сколько обед", "faq:lunch"),  # the FAQ entry, not one of the three lunches
    ],
)
def test_confident_cards(answerer: Answerer, question: str, expected: str) -> None:
    outcome = answerer.answer(question, NOW)
    assert outcome.kind == "card" and outcome.hits[0].key == expected, outcome


def test_a_match_resting_on_a_typo_is_offered_not_stated(answerer: Answerer) -> None:
    outcome = answerer.answer("what's the weather tomorrow", NOW)
    assert outcome.kind != "card"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Тюмен", "not_partner"),  # soft sign dropped, and not a partner of this forum
        ("Тюмень", "not_partner"),
        ("Смоленнск", "city:vitebsk-smolensk"),  # a doubled letter
        ("Смоленс", "city:vitebsk-smolensk"),  # a missing last letter
        ("Могилев", "city:mogilev-tula"),  # е for ё
        ("Магілёу", "city:mogilev-tula"),  # у for ў
        ("Магилев", "city:mogilev-tula"),  # и for і
        ("Mahilioŭ", "city:mogilev-tula"),
        ("Mogilev", "city:mogilev-tula"),
        ("Mogilyov", "city:mogilev-tula"),
        ("Mahiliou", "city:mogilev-tula"),
    ],
)
def test_common_misspellings_of_a_city(answerer: Answerer, question: str, expected: str) -> None:
    outcome = answerer.answer(question, NOW)
    if expected == "not_partner":
        assert outcome.kind == "not_partner" and outcome.city.startswith("Тюмен")
    else:
        assert outcome.kind == "card", outcome
        pairs = {outcome.hits[0].id} | {
            p.id for p in city_partners(answerer.program, list(outcome.hits))
        }
        assert expected.partition(":")[2] in pairs


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("калі пленарнае пасяджэнне", "session:plenary"),
        ("пленарным пасяджэнні", "session:plenary"),
        ("моладзевыя дэбаты", "session:d2-youth-debate"),
        ("дзе секцыя па адукацыі", "section:s3-youth"),
        ("секцыі аховы здароўя", "section:s5-health"),
        ("пабрацімы Полацка", "city:polotsk-vnovgorod"),
        ("дзе прыпаркавацца", "faq:parking"),
    ],
)
def test_belarusian_forms_meet_the_programmes_words(
    answerer: Answerer, question: str, expected: str
) -> None:
    outcome = answerer.answer(question, NOW)
    assert outcome.first is not None and outcome.first.key == expected, outcome


def test_belarusian_endings_fold_onto_one_key() -> None:
    assert len({word_key(w) for w in ("пленарнае", "пленарнага", "пленарнаму")}) == 1
    assert len({word_key(w) for w in ("моладзевай", "моладзевая", "моладзевы")}) == 1


@pytest.mark.parametrize(
    ("question", "day", "part"),
    [
        ("программа на завтра", "2027-06-26", ""),
        ("праграма на пятніцу", "2027-06-25", ""),
        ("schedule for 24 June", "2027-06-24", ""),
        ("28 июня", "2027-06-28", ""),
        ("что будет вечером", "2027-06-25", "evening"),
        ("пасля абеду", "2027-06-25", "after_lunch"),
        ("programme of the last day", "2027-06-26", ""),
    ],
)
def test_moments_in_words(answerer: Answerer, question: str, day: str, part: str) -> None:
    outcome = answerer.answer(question, NOW)
    assert outcome.kind == "moment" and outcome.moment is not None, outcome
    assert str(outcome.moment.day) == day and outcome.moment.part == part


def test_the_evening_is_the_evening_sessions(program: Program) -> None:
    evening = sessions_in(program, date(2027, 6, 25), "evening")
    assert {s.id for s in evening} == {"d2-youth-debate", "d2-boat", "d2-bike", "d2-gala"}


def test_a_town_inside_a_longer_question_is_not_taken_for_a_city(answerer: Answerer) -> None:
    outcome = answerer.answer("выезд в горки в академию", NOW)
    assert outcome.kind != "not_partner"


def test_question_keywords_keep_the_askers_words() -> None:
    assert question_keywords("Можно ли прийти с собакой на форум?") == ["собакой"]


def test_where_is_a_hall_offers_its_venue_first_in_every_language() -> None:
    """ "где", "дзе", "where" are stopwords; the question must still read as "where": every
    hall of both test programmes, asked for by name, offers the venue that has it first (a card,
    or the first of the choices), never another card."""
    from tests.search_eval import SETS, load_set

    asked = 0
    for path in SETS:
        qs = load_set(path)
        answerer = qs.answerer()
        for venue in qs.program.venues:
            for hall in venue.halls:
                for lang, prefix in (("ru", "где "), ("be", "дзе "), ("en", "where is the ")):
                    outcome = answerer.answer(prefix + hall.name.get(lang), qs.now)
                    asked += 1
                    assert outcome.first is not None, (hall.name.get(lang), outcome)
                    assert outcome.first.key == f"venue:{venue.id}", (hall.name.get(lang), outcome)
    assert asked > 30
