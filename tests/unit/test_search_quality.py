"""The question sets: real questions about the sample programme and about a second, different
programme, answered by the real search. The figures are printed in the test run's summary, per
set, part and language, next to the goals:

    questions tuning: top-1 97.9% of 234 [ru 97.5% (121), be 100.0% (54), en 96.6% (59)]; ...

Goals (issue 11): ≥ 95% top-1 on every part and every language; no wrong card on the
must-not-answer questions; at most 2% wrong cards overall. The tuning parts must meet the
top-1 goal; a held-out part, never tuned on, must not fall below FLOOR (a regression guard) and
is reported against the goal as it is. The held-out parts were written in rounds: a round whose
misses led to a change of the ranking was moved into the tuning part and a new one written.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.search_eval import LANGS, PARTS, SETS, Report, evaluate, load_set

GOAL = 0.95
FLOOR = 0.85
WRONG_AT_MOST = 0.02


class ScoreReport:
    """Adds the score lines to pytest's terminal summary, whatever the output capture."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for line in self.lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Report:
    result = evaluate()
    lines = ["question sets (goal: top-1 ≥ 95% per part and language, 0 wrong must-not cards,"]
    lines[0] += " ≤ 2% wrong cards):"
    lines += result.lines()
    for name in sorted({s for s, _, _ in result.tallies}):
        for part in PARTS:
            for lang in LANGS:
                t = result.tally(name, part, lang)
                state = "met" if t.top1 >= GOAL else "MISSED"
                lines.append(f"  {name} {part} {lang}: top-1 {t.top1:.1%} of {t.total}: {state}")
    request.config.pluginmanager.register(ScoreReport(lines), "question-set-score")
    print("\n".join(lines))
    print("\n".join(result.misses))
    return result


def test_the_sets_are_large_enough_and_valid() -> None:
    sizes = {}
    for path in SETS:
        qs = load_set(path)
        sizes[qs.name] = len(qs.questions)
        langs = {q.lang for q in qs.questions}
        assert langs == set(LANGS), (qs.name, langs)
        assert {q.part for q in qs.questions} == set(PARTS)
        for q in qs.questions:  # every expected answer exists in its programme
            kind, _, rest = q.expected.partition(":")
            if kind == "moderators":
                kind, _, rest = rest.partition(":")
            getter = {
                "faq": qs.program.faq_entry,
                "session": qs.program.session,
                "section": qs.program.section,
                "city": qs.program.city_pair,
                "speaker": qs.program.speaker,
                "venue": qs.program.venue,
            }.get(kind)
            if getter is not None:
                assert getter(rest) is not None, q
    assert sizes["questions"] >= 250 and sizes["questions_second"] >= 100, sizes
    must_not = sum(q.must_not for p in SETS for q in load_set(p).questions)
    assert must_not >= 40


def test_tuning_parts_meet_the_goal_in_every_language(report: Report) -> None:
    for name in sorted({s for s, _, _ in report.tallies}):
        for lang in LANGS:
            tally = report.tally(name, "tuning", lang)
            assert tally.top1 >= GOAL, (name, lang, f"{tally.top1:.1%}", report.misses)


def test_held_out_parts_do_not_regress(report: Report) -> None:
    # Per part, all languages together: a held-out language has a dozen questions or fewer,
    # too few for a floor of its own (its figure is printed against the goal above).
    for name in sorted({s for s, _, _ in report.tallies}):
        tally = report.tally(name, "held_out")
        assert tally.top1 >= FLOOR, (name, f"{tally.top1:.1%}", report.misses)


def test_no_wrong_card_where_the_programme_does_not_know(report: Report) -> None:
    assert report.tally().must_not_wrong == 0, [m for m in report.misses if "expected none" in m]


def test_few_wrong_cards_overall(report: Report) -> None:
    assert report.tally().wrong <= WRONG_AT_MOST, [m for m in report.misses if "wrong" in m]
