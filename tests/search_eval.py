"""Scoring the free-text answers against question sets; shared by the quality test and
`benchmarks/answers.py`.

A question set (tests/data/questions*.yaml) names its program and the forum-local moment the
questions are asked at, then lists `tuning` and `held_out` questions: {q, lang, expected}.
`expected` is what a person should get:

- `faq:<id>`, `session:<id>`, `section:<id>`, `speaker:<id>`, `venue:<id>`, `city:<pair id>`
  (for a city in several pairs, any of them): that card;
- `moderators:<section|session>:<id>`: the moderators of that section or session;
- `now`: the now-and-next screen; `day:<yyyy-mm-dd>[:<part>]`: that day's page (a part of it);
- `not_partner`: "this city is not among the partner cities";
- `none`: no card at all (the program does not know): "not found" or "did you mean".

`not_partner` and `none` are the must-not-answer questions: a card there is a wrong card.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.program.loader import parse_program
from bot.program.model import Program
from bot.services.search import Answerer, Hit, Outcome, SearchIndex, city_partners

ROOT = Path(__file__).resolve().parent.parent
SETS = (
    ROOT / "tests" / "data" / "questions.yaml",
    ROOT / "tests" / "data" / "questions_second.yaml",
)
PARTS = ("tuning", "held_out")
LANGS = ("ru", "be", "en")
MUST_NOT = ("none", "not_partner")


@dataclass(frozen=True, slots=True)
class Question:
    q: str
    lang: str
    expected: str
    part: str

    @property
    def must_not(self) -> bool:
        return self.expected in MUST_NOT


@dataclass(slots=True)
class QuestionSet:
    name: str
    program: Program
    now: datetime
    questions: list[Question]

    def answerer(self) -> Answerer:
        return Answerer(SearchIndex(self.program))


def load_set(path: Path) -> QuestionSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    program_path = ROOT / data["program"]
    program = parse_program(program_path.read_text(encoding="utf-8"), str(program_path))
    now = datetime.fromisoformat(str(data["now"])).replace(tzinfo=program.forum.tz)
    questions = [
        Question(str(item["q"]), item["lang"], str(item["expected"]), part)
        for part in PARTS
        for item in data.get(part) or []
    ]
    return QuestionSet(path.stem, program, now, questions)


def _shows(program: Program, hit: Hit, expected: str) -> bool:
    if hit.key == expected:
        return True
    kind, _, item = expected.partition(":")
    return kind == "city" == hit.kind and item in {p.id for p in city_partners(program, [hit])} | {
        p.id for p in _same_city(program, hit.id)
    }


def _same_city(program: Program, pair_id: str) -> list[Any]:
    from bot.services.cities import same_city_pairs

    pair = program.city_pair(pair_id)
    return same_city_pairs(program, pair) if pair else []


def verdict(program: Program, outcome: Outcome, expected: str) -> str:
    """right (the first thing offered is the expected one, as a card or screen),
    offered (a "did you mean" with the expected one among the choices, or no card where none
    was expected), missed (no answer, nothing wrong said), wrong (a wrong card or screen)."""
    kind = outcome.kind
    if expected in MUST_NOT:
        if kind == expected or (expected == "none" and kind == "none"):
            return "right"
        if kind in ("none", "choices", "not_partner"):
            return "offered"
        return "wrong"
    if kind == "none":
        return "missed"
    if kind == "choices":
        matches = [_shows(program, h, expected) for h in outcome.hits]
        if matches and matches[0]:
            return "first_choice"
        return "offered" if any(matches) else "missed"
    if kind == "card":
        return "right" if _shows(program, outcome.hits[0], expected) else "wrong"
    if kind == "moderators":
        return "right" if f"moderators:{outcome.hits[0].key}" == expected else "wrong"
    if kind == "moment":
        moment = outcome.moment
        assert moment is not None
        got = (
            "now"
            if moment.now
            else f"day:{moment.day}" + (f":{moment.part}" if moment.part else "")
        )
        return "right" if got == expected else "wrong"
    if kind == "not_partner":
        return "wrong"
    raise AssertionError(kind)


def describe(outcome: Outcome) -> str:
    if outcome.kind == "moment" and outcome.moment:
        m = outcome.moment
        return "moment:" + ("now" if m.now else f"{m.day}:{m.part}")
    hits = ", ".join(f"{h.key}={h.score:.2f}" for h in outcome.hits)
    return f"{outcome.kind}({hits}{', ' + outcome.city if outcome.city else ''})"


@dataclass(slots=True)
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    total: int = 0
    must_not: int = 0
    must_not_wrong: int = 0

    def add(self, question: Question, result: str) -> None:
        self.counts[result] += 1
        self.total += 1
        if question.must_not:
            self.must_not += 1
            self.must_not_wrong += result == "wrong"

    @property
    def top1(self) -> float:
        """The first thing offered is right: a right card or screen, or the first choice."""
        return (self.counts["right"] + self.counts["first_choice"]) / max(1, self.total)

    @property
    def wrong(self) -> float:
        return self.counts["wrong"] / max(1, self.total)


@dataclass(slots=True)
class Report:
    tallies: dict[tuple[str, str, str], Tally]  # (set, part, lang)
    misses: list[str]

    def tally(
        self, set_name: str | None = None, part: str | None = None, lang: str | None = None
    ) -> Tally:
        merged = Tally()
        for (s, p, lang_), t in self.tallies.items():
            if (set_name or s) == s and (part or p) == p and (lang or lang_) == lang_:
                merged.counts.update(t.counts)
                merged.total += t.total
                merged.must_not += t.must_not
                merged.must_not_wrong += t.must_not_wrong
        return merged

    def lines(self) -> list[str]:
        out = []
        names = sorted({s for s, _, _ in self.tallies})
        for name in names:
            for part in PARTS:
                cells = []
                for lang in LANGS:
                    t = self.tally(name, part, lang)
                    cells.append(f"{lang} {t.top1:.1%} ({t.total})")
                t = self.tally(name, part)
                out.append(
                    f"{name} {part}: top-1 {t.top1:.1%} of {t.total} [{', '.join(cells)}]; "
                    f"right cards {t.counts['right']}, first choice {t.counts['first_choice']}, "
                    f"offered {t.counts['offered']}, missed {t.counts['missed']}, "
                    f"wrong {t.counts['wrong']} ({t.wrong:.1%}); must-not-answer "
                    f"{t.must_not}, wrong cards {t.must_not_wrong}"
                )
        t = self.tally()
        out.append(
            f"all: {t.total} questions, top-1 {t.top1:.1%}, wrong cards {t.counts['wrong']} "
            f"({t.wrong:.1%}), must-not-answer {t.must_not} with {t.must_not_wrong} wrong cards"
        )
        return out


def evaluate(sets: list[QuestionSet] | None = None) -> Report:
    sets = sets if sets is not None else [load_set(p) for p in SETS]
    tallies: dict[tuple[str, str, str], Tally] = {}
    misses = []
    for qs in sets:
        answerer = qs.answerer()
        for question in qs.questions:
            outcome = answerer.answer(question.q, qs.now)
            result = verdict(qs.program, outcome, question.expected)
            tallies.setdefault((qs.name, question.part, question.lang), Tally()).add(
                question, result
            )
            if result not in ("right",):
                misses.append(
                    f"[{qs.name}/{question.part}/{question.lang}] {result}: {question.q!r} "
                    f"expected {question.expected}, got {describe(outcome)}"
                )
    return Report(tallies, misses)
