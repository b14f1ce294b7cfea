"""The program writer: what it writes, the loader reads back into an equal Program."""

from __future__ import annotations

import textwrap

from bot.program.loader import parse_program
from bot.program.model import Program
from bot.program.writer import program_yaml
from tests.schedule_helpers import sample, sample_text

ODD = textwrap.dedent(
    """\
    forum:
      title: {en: "yes", ru: "null"}
      city: "10:00"
      start_date: 2027-06-24
      end_date: 2027-06-25
      timezone: Europe/Moscow
      default_language: en
    venues:
      - id: v
        name: "#1: the 'hall' — «зал» ✨"
        address: "line one\\nline two"
        latitude: -0.5
        longitude: 180
        halls: [{id: h, name: "~"}]
    speakers:
      - {id: p, name: "Ann [chair]", organization: {en: "A & B", be: "А і Б"}}
    sections:
      - {id: s, number: 7, title: "S", format: online, link: "https://x.example/a?b=1#c",
         moderators: [p], venue: v, hall: h, keywords: ["key: word"]}
    sessions:
      - id: b
        day: 2027-06-25
        start: "9:05"
        end: "23:59"
        title: {en: "Late", ru: "Поздно"}
        section: s
        venue: v
        hall: h
        speakers: [p]
        format: hybrid
        stream_link: http://x.example
        main: true
        notice: {en: "starts 15 minutes late", ru: "начало на 15 минут позже"}
      - id: a
        day: 2027-06-24
        start: "00:00"
        end: "01:00"
        title: "@early"
        kind: excursion
        cancelled: true
    city_pairs:
      - {id: c, by_city: A, by_region: B, ru_city: C, ru_subject: D, year: 1999,
         areas: [x, {en: y, ru: у}], aliases: [Aa]}
    faq:
      - {id: f, question: "Q?", answer: "- not a list", sessions: [a], sections: [s], cities: [c]}
    registration:
      title: R
      opens: 2027-05-01 09:00:30
      closes: 2027-06-20 18:00
      capacity: 5
      min_age: 20
      max_age: 30
      adult_age: 19
      consent_text: "true"
      age_on: 2027-06-01
      extra_questions:
        - {id: q1, text: Q1, kind: choice, options: [{id: o1, label: O1}, {id: o2, label: O2}]}
        - {id: q2, text: Q2, kind: text, required: false, max_length: 40}
      known_cities: [Minsk, {en: Tula, ru: Тула}]
    """
)


def round_trip(program: Program) -> Program:
    return parse_program(program_yaml(program), "dumped.yaml")


def test_the_sample_survives_a_round_trip() -> None:
    program = sample()
    again = round_trip(program)
    assert again == program
    for part in ("forum", "venues", "speakers", "sections", "sessions", "faq", "registration"):
        assert getattr(again, part) == getattr(program, part), part
    # Written again, the text is the same: a stored edit does not drift from one to the next.
    assert program_yaml(again) == program_yaml(program)


def test_odd_values_and_every_optional_field_survive() -> None:
    program = parse_program(ODD, "odd.yaml")
    again = round_trip(program)
    assert again == program
    assert again.forum.title.get("en") == "yes" and again.forum.city.get() == "10:00"
    session = again.session("b")
    assert session is not None and session.notice.get("ru") == "начало на 15 минут позже"
    assert again.registration is not None and again.registration.opens_at.second == 30
    assert again.venues[0].address.get() == "line one\nline two"


def test_the_sample_text_itself_is_not_what_is_written() -> None:
    """The writer makes its own text (no comments, anchors resolved): it is not a copy."""
    written = program_yaml(sample())
    assert written != sample_text()
    assert "&mogilev" not in written and "Могилёв" in written
