"""Latency of free-text answers on a program ten times the sample's size.

    python benchmarks/answers.py [--runs 3]

Builds, in memory, a program with 10× the sample's sessions, sections, city pairs and FAQ
(copies with distinct ids and numbered titles), indexes it once, then times the search for
every question of tests/data/questions.yaml and prints p50 / p95 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.program.loader import parse_program  # noqa: E402
from bot.program.model import Program, Text  # noqa: E402
from bot.services.search import SearchIndex  # noqa: E402

SCALE = 10


def numbered(text: Text, n: int) -> Text:
    return Text({lang: f"{value} {n}" for lang, value in text.values.items()}, text.default)


def scaled(program: Program, times: int = SCALE) -> Program:
    """Copies of every session, section, city pair and FAQ entry, `times` in all."""
    sessions, sections, pairs, faq = [], [], [], []
    for n in range(times):
        suffix = "" if n == 0 else f"-{n}"
        for section in program.sections:
            sections.append(
                dataclasses.replace(
                    section,
                    id=section.id + suffix,
                    number=section.number + 10 * n,
                    title=section.title if n == 0 else numbered(section.title, n),
                )
            )
        for session in program.sessions:
            sessions.append(
                dataclasses.replace(
                    session,
                    id=session.id + suffix,
                    title=session.title if n == 0 else numbered(session.title, n),
                    section=(session.section + suffix) if session.section else None,
                )
            )
        for pair in program.city_pairs:
            pairs.append(
                dataclasses.replace(
                    pair,
                    id=pair.id + suffix,
                    ru_city=pair.ru_city if n == 0 else numbered(pair.ru_city, n),
                )
            )
        for entry in program.faq:
            faq.append(
                dataclasses.replace(
                    entry,
                    id=entry.id + suffix,
                    question=entry.question if n == 0 else numbered(entry.question, n),
                )
            )
    return dataclasses.replace(
        program,
        sessions=tuple(sessions),
        sections=tuple(sections),
        city_pairs=tuple(pairs),
        faq=tuple(faq),
        _index={},
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="passes over the question set")
    args = parser.parse_args()
    sample = ROOT / "bot" / "program" / "sample_forum.yaml"
    program = scaled(parse_program(sample.read_text(encoding="utf-8"), str(sample)))
    started = time.perf_counter()
    index = SearchIndex(program)
    built = time.perf_counter() - started
    data = yaml.safe_load((ROOT / "tests" / "data" / "questions.yaml").read_text("utf-8"))
    questions = [item["q"] for item in data["questions"]] + data["unanswerable"]
    timings: list[float] = []
    first_pass: list[float] = []
    for run in range(args.runs):
        for question in questions:
            t0 = time.perf_counter()
            index.search(question)
            elapsed = (time.perf_counter() - t0) * 1000
            timings.append(elapsed)
            if run == 0:
                first_pass.append(elapsed)
    print(
        f"program: {len(program.sessions)} sessions, {len(program.sections)} sections, "
        f"{len(program.city_pairs)} city pairs, {len(program.faq)} FAQ; "
        f"index: {len(index.vocabulary)} keys, built in {built * 1000:.0f} ms"
    )
    print(
        f"first pass (cold caches): p50 {statistics.median(first_pass):.2f} ms, "
        f"p95 {percentile(first_pass, 0.95):.2f} ms, max {max(first_pass):.2f} ms"
    )
    print(
        f"all {len(timings)} queries: p50 {statistics.median(timings):.2f} ms, "
        f"p95 {percentile(timings, 0.95):.2f} ms, max {max(timings):.2f} ms"
    )


if __name__ == "__main__":
    main()
