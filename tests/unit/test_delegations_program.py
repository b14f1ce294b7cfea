"""The programme's delegations and agreements: loading, errors by file/line/field, the cities
they name in any language, and the YAML writer's round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.program.loader import ProgramInvalid, parse_program
from bot.program.writer import program_yaml
from bot.settings import SAMPLE_PROGRAM

HEAD = """\
forum:
  title: Форум
  city: Могилёв
  start_date: 2027-06-24
  end_date: 2027-06-26
  timezone: Europe/Minsk
city_pairs:
  - id: mogilev-tula
    by_city: {ru: Могилёв, be: Магілёў, en: Mogilev}
    by_region: Могилёвская область
    ru_city: {ru: Тула, en: Tula}
    ru_subject: Тульская область
  - id: minsk-moscow
    by_city: {ru: Минск, en: Minsk}
    by_region: Минск
    ru_city: {ru: Москва, en: Moscow}
    ru_subject: Москва
  - id: minsk-spb
    by_city: {ru: Минск, en: Minsk}
    by_region: Минск
    ru_city: {ru: Санкт-Петербург, en: Saint Petersburg}
    ru_subject: Санкт-Петербург
"""


def load(extra: str):  # type: ignore[no-untyped-def]
    return parse_program(HEAD + extra, "p.yaml")


def errors(extra: str) -> list[str]:
    with pytest.raises(ProgramInvalid) as info:
        load(extra)
    return [e.render() for e in info.value.errors]


def test_delegations_name_their_city_in_any_language_and_get_ids() -> None:
    program = load(
        """\
delegations:
  - city: Mogilev
    head: {name: Андрей Ковалёв, position: председатель}
    members:
      - name: Ольга Семенчук
      - name: Ольга Семенчук
  - id: minsk
    city: минск
"""
    )
    mogilev, minsk = program.delegations
    assert mogilev.id == "mogilev" and mogilev.city == "by-mogilev-tula"
    assert [m.id for m in mogilev.members] == [
        "andrey-kovalev",
        "olga-semenchuk",
        "olga-semenchuk-2",
    ]
    assert mogilev.head is not None and mogilev.head.name.get() == "Андрей Ковалёв"
    assert minsk.city == "by-minsk-moscow" and minsk.head is None
    # Minsk, twinned twice, is one city; its partners are both Russian cities.
    partners = {c.name.get("en") for c in program.partner_cities(minsk.city)}
    assert partners == {"Moscow", "Saint Petersburg"}
    assert [c.name.get("en") for c in program.partner_cities("ru-mogilev-tula")] == ["Mogilev"]


def test_delegation_and_agreement_errors_name_line_and_field() -> None:
    found = errors(
        """\
delegations:
  - city: Казань
    members:
      - position: никто
  - id: Bad Id
    city: Тула
agreements:
  - id: one
    parties: [Могилёв]
    title: Соглашение
    date: 2027-13-01
    at_forum: может быть
  - id: one
    parties: [Могилёв, Тула]
    title: Другое
    colour: red
"""
    )
    assert found == [
        "p.yaml:24: delegations[0].city: unknown city Казань: not a city of city_pairs",
        "p.yaml:26: delegations[0].members[0].name: required field name is missing",
        "p.yaml:27: delegations[1].id: invalid id Bad Id: use 1-32 lowercase Latin letters, "
        "digits, - and _, starting with a letter or digit",
        "p.yaml:31: agreements[0].parties: an agreement needs at least two parties",
        "p.yaml:33: agreements[0].date: expected a date like 2027-06-24, got 2027-13-01",
        "p.yaml:34: agreements[0].at_forum: expected true or false, got может быть",
        "p.yaml:35: agreements[1].id: duplicate id one, already used on line 30",
        "p.yaml:38: agreements[1].colour: unknown field colour; allowed fields: id, parties, "
        "title, area, date, at_forum",
    ]


def test_agreements_load_and_everything_survives_the_yaml_writer() -> None:
    program = load(
        """\
delegations:
  - city: Тула
    head: {name: {ru: Сергей Волков, en: Sergei Volkov}}
agreements:
  - id: tourism
    parties: [Могилёв, {ru: Тула, en: Tula}]
    title: {ru: Соглашение о туризме, en: Tourism agreement}
    area: {ru: туризм, en: tourism}
    date: 2027-06-25
    at_forum: yes
  - id: old
    parties: [Могилёвская область, Тульская область]
    title: Старое соглашение
"""
    )
    tourism, old = program.agreements
    assert tourism.at_forum and tourism.signed_on and tourism.signed_on.day == 25
    assert not old.at_forum and old.signed_on is None and not old.area
    again = parse_program(program_yaml(program), "again.yaml")
    assert again == program
    assert again.delegations == program.delegations and again.agreements == program.agreements


def test_the_sample_forum_has_delegations_and_agreements() -> None:
    sample = parse_program(SAMPLE_PROGRAM.read_text(encoding="utf-8"), "sample.yaml")
    assert {d.city for d in sample.delegations} == {"by-mogilev-tula", "ru-mogilev-tula"}
    assert any(a.at_forum for a in sample.agreements)
    assert any(not a.at_forum for a in sample.agreements)
    assert parse_program(program_yaml(sample), "again.yaml") == sample


def test_a_city_key_survives_reordered_pairs() -> None:
    program = load("")
    minsk = program.city("by-minsk-moscow")
    assert minsk is not None and minsk.key == "by-minsk-moscow"
    # Stored when Minsk's first pair was minsk-spb: the same city, and both keys are its own.
    assert program.city("by-minsk-spb") == minsk
    assert set(program.city_keys("by-minsk-spb")) == {"by-minsk-moscow", "by-minsk-spb"}
    assert program.city("by-atlantis") is None and program.city("xx-minsk-spb") is None


def test_an_upload_preview_names_changed_delegations_and_agreements() -> None:
    from dataclasses import replace

    from bot.program.diff import program_diff

    sample = parse_program(SAMPLE_PROGRAM.read_text(encoding="utf-8"), "sample.yaml")
    changed = replace(sample, delegations=sample.delegations[:1], agreements=())
    diff = program_diff(sample, changed)
    assert diff.delegations and diff.agreements and not diff.unchanged
    assert diff.counts() == {"delegations": 1, "agreements": 1}


def test_which_questions_ask_the_register_of_agreements() -> None:
    from bot.services import agreements

    sample = parse_program(SAMPLE_PROGRAM.read_text(encoding="utf-8"), "sample.yaml")
    asks = agreements.asks_agreements
    for question in (
        "какие соглашения подписал Могилёв",
        "agreements on tourism",
        "пагадненні Магілёва",
        "договоры Бреста",
        "сколько соглашений подписано на форуме",
    ):
        assert asks(question), question
    for question in (
        "когда подписание соглашений о побратимстве",  # the ceremony: the schedule answers
        "signing of agreements",
        "калі падпісанне пагадненняў",
        "как договориться о встрече",
        "где зал",
    ):
        assert not asks(question), question
    ids = {a.id for a in agreements.find(sample, "какие соглашения подписал Могилёв")[0]}
    assert {"mogilev-tula-tourism", "mogilev-tula-industry", "mogilev-tula-2004"} <= ids
    assert not any(i.startswith(("brest", "vitebsk")) for i in ids)
    ids = {a.id for a in agreements.find(sample, "agreements on tourism")[0]}
    assert ids == {"mogilev-tula-tourism", "brest-ryazan-tourism"}
    assert agreements.find(sample, "agreements of Kazan")[0] == []  # a town with none
    pair = sample.city_pair("mogilev-tula")
    assert pair is not None
    assert {a.id for a in agreements.of_pair(sample, pair)} == {
        "mogilev-tula-tourism",
        "mogilev-tula-industry",
        "mogilev-tula-2004",
        "mogilev-obl-tula-obl",  # by their regions
    }


def test_agreements_of_the_second_forum_by_city_region_and_area() -> None:
    from bot.services import agreements

    second = parse_program(
        (Path(__file__).parent.parent / "data" / "second_forum.yaml").read_text(encoding="utf-8"),
        "second_forum.yaml",
    )

    def found(question: str) -> set[str]:
        return {a.id for a in agreements.find(second, question)[0]}

    assert found("agreements of Tyumen") == {"lida-tyumen-industry"}  # a Latin spelling
    assert found("соглашения Татарстана") == {"grodno-kazan-edu"}  # a region, without "Республика"
    assert found("пагадненні па турызме") == {"novogrudok-izhevsk-tourism"}
    assert found("agreements on education") == {"grodno-kazan-edu"}
    assert [a.id for a in agreements.of_pair(second, second.city_pair("grodno-kazan"))] == [  # type: ignore[arg-type]
        "grodno-kazan-edu"
    ]
