"""Latency of free-text answers on a program ten times the sample's size.

    python benchmarks/answers.py [--runs 3]

Builds, in memory, the sample program grown to the issue's 10× sizes (400 sessions, 50 sections,
300 city pairs, 150 FAQ entries; the added ones generated from varied topics, formats and real
town names), indexes it once, then times the search for every question of
tests/data/questions.yaml and prints p50 / p95 / max in milliseconds. Goal: p95 under 10 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
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

# The "ten times the sample": sessions, sections, city pairs, FAQ entries.
SIZES = {"sessions": 400, "sections": 50, "city_pairs": 300, "faq": 150}

# Vocabulary of the generated entries, so that the index grows as a real program's would
# (new words, not the sample's titles with a number appended).
FORMATS = (
    ("Круглый стол", "Round table"),
    ("Панельная дискуссия", "Panel discussion"),
    ("Мастер-класс", "Workshop"),
    ("Стратегическая сессия", "Strategy session"),
    ("Презентация проектов", "Project showcase"),
    ("Семинар", "Seminar"),
    ("Деловая встреча", "Business meeting"),
    ("Открытый диалог", "Open dialogue"),
)
TOPICS = (
    ("экспорт молочной продукции", "dairy exports"),
    ("цифровизация ЖКХ", "digital housing services"),
    ("льноводство и переработка льна", "flax growing and processing"),
    ("медицинский туризм", "medical tourism"),
    ("подготовка инженерных кадров", "training engineers"),
    ("логистика и транспортные коридоры", "logistics and transport corridors"),
    ("школьные обмены", "school exchanges"),
    ("историческая память", "historical memory"),
    ("волонтёрство", "volunteering"),
    ("кооперация в машиностроении", "engineering cooperation"),
    ("энергосбережение", "energy saving"),
    ("сельский туризм и агроусадьбы", "rural tourism and farm stays"),
    ("малый и средний бизнес", "small and medium business"),
    ("молодёжное предпринимательство", "youth entrepreneurship"),
    ("библиотеки и музеи", "libraries and museums"),
    ("спортивные соревнования", "sports competitions"),
    ("экология малых рек", "ecology of small rivers"),
    ("лесное хозяйство", "forestry"),
    ("беспилотные технологии в АПК", "drones in agriculture"),
    ("городская среда и благоустройство", "urban environment"),
    ("умные остановки и транспорт", "smart transit"),
    ("телемедицина", "telemedicine"),
    ("профориентация школьников", "career guidance for pupils"),
    ("народные ремёсла", "folk crafts"),
    ("фестивали и гастроли", "festivals and tours"),
)
BY_TOWNS = (
    "Барановичи",
    "Пинск",
    "Орша",
    "Мозырь",
    "Солигорск",
    "Новополоцк",
    "Лида",
    "Молодечно",
    "Полоцк",
    "Жлобин",
    "Светлогорск",
    "Речица",
    "Слуцк",
    "Жодино",
    "Кобрин",
    "Слоним",
    "Волковыск",
    "Калинковичи",
    "Сморгонь",
    "Рогачёв",
    "Осиповичи",
    "Горки",
    "Новогрудок",
    "Берёзовка",
    "Дзержинск",
    "Несвиж",
    "Поставы",
    "Глубокое",
    "Кричев",
    "Климовичи",
)
RU_TOWNS = (
    "Кострома",
    "Ярославль",
    "Владимир",
    "Рязань",
    "Калуга",
    "Орёл",
    "Курск",
    "Белгород",
    "Липецк",
    "Тамбов",
    "Воронеж",
    "Тверь",
    "Великие Луки",
    "Ржев",
    "Новгород",
    "Вологда",
    "Череповец",
    "Киров",
    "Пенза",
    "Саранск",
    "Ульяновск",
    "Чебоксары",
    "Йошкар-Ола",
    "Казань",
    "Уфа",
    "Оренбург",
    "Самара",
    "Тольятти",
    "Саратов",
    "Волгоград",
    "Астрахань",
    "Элиста",
)
FAQ_TEMPLATES = (
    ("Где {0}?", "Where is {0}?"),
    ("Как попасть на {0}?", "How do I get to {0}?"),
    ("Во сколько начинается {0}?", "When does {0} start?"),
    ("Нужна ли запись на {0}?", "Do I need to sign up for {0}?"),
)
FAQ_PLACES = (
    ("пресс-центр", "the press centre"),
    ("гардероб", "the cloakroom"),
    ("выставка предприятий", "the companies' exhibition"),
    ("концерт мастеров искусств", "the gala concert"),
    ("экскурсия по Могилёву", "the Mogilev tour"),
    ("ярмарка ремёсел", "the crafts fair"),
    ("зона коворкинга", "the coworking area"),
    ("детская комната", "the children's room"),
    ("пункт выдачи сувениров", "the souvenir desk"),
    ("молодёжный квиз", "the youth quiz"),
    ("фотозона", "the photo corner"),
    ("стойка информации", "the information desk"),
    ("бизнес-завтрак", "the business breakfast"),
    ("спортивный праздник", "the sports festival"),
    ("кинопоказ", "the film screening"),
    ("волонтёрский штаб", "the volunteers' office"),
    ("зарядка для телефона", "the phone charging point"),
    ("конференц-зал Б", "conference hall B"),
    ("автобус до гостиницы", "the hotel bus"),
    ("торжественный приём", "the official reception"),
    ("подписание соглашений", "the signing of agreements"),
    ("медиашкола", "the media school"),
    ("выставка книг", "the book exhibition"),
    ("кофе-брейк", "the coffee break"),
    ("ночная экскурсия", "the night tour"),
    ("молодёжная дискотека", "the youth party"),
    ("стенд Тульской области", "the Tula Region stand"),
    ("стенд Могилёвской области", "the Mogilev Region stand"),
    ("пункт обмена валют", "the currency exchange"),
    ("бюро переводчиков", "the interpreters' desk"),
    ("мастерская гончаров", "the pottery workshop"),
    ("выставка беспилотников", "the drone exhibition"),
    ("лекторий", "the lecture hall"),
)


def text(ru: str, en: str) -> Text:
    return Text({"ru": ru, "en": en}, "ru")


def scaled(program: Program, seed: int = 6) -> Program:
    """The sample program grown to SIZES with generated, varied entries."""
    rng = random.Random(seed)
    sections = list(program.sections)
    for n in range(len(sections), SIZES["sections"]):
        ru, en = TOPICS[n % len(TOPICS)]
        fmt_ru, fmt_en = FORMATS[n % len(FORMATS)]
        sections.append(
            dataclasses.replace(
                rng.choice(program.sections),
                id=f"g{n}",
                number=n + 1,
                title=text(f"{fmt_ru}: {ru}", f"{fmt_en}: {en}"),
                keywords=tuple(ru.split()[:2]),
            )
        )
    sessions = list(program.sessions)
    for n in range(len(sessions), SIZES["sessions"]):
        ru, en = rng.choice(TOPICS)
        fmt_ru, fmt_en = rng.choice(FORMATS)
        town = rng.choice(BY_TOWNS + RU_TOWNS)
        sessions.append(
            dataclasses.replace(
                rng.choice(program.sessions),
                id=f"gs{n}",
                title=text(f"{fmt_ru} «{ru}»: опыт города {town}", f"{fmt_en} on {en}: {town}"),
                section=rng.choice(sections).id,
                keywords=(town,),
            )
        )
    pairs = list(program.city_pairs)
    combos = [(b, r) for b in BY_TOWNS for r in RU_TOWNS]
    rng.shuffle(combos)
    for n, (by, ru) in enumerate(combos[: SIZES["city_pairs"] - len(pairs)]):
        template = rng.choice(program.city_pairs)
        pairs.append(
            dataclasses.replace(
                template,
                id=f"gp{n}",
                by_city=text(by, by),
                ru_city=text(ru, ru),
                year=rng.randint(1995, 2025),
                aliases=(),
            )
        )
    faq = list(program.faq)
    for n in range(len(faq), SIZES["faq"]):
        (q_ru, q_en), (p_ru, p_en) = FAQ_TEMPLATES[n % 4], FAQ_PLACES[n % len(FAQ_PLACES)]
        faq.append(
            dataclasses.replace(
                rng.choice(program.faq),
                id=f"gf{n}",
                question=text(q_ru.format(p_ru), q_en.format(p_en)),
                keywords=tuple(p_ru.split()[:2]),
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


def run(runs: int = 3) -> dict[str, float]:
    sample = ROOT / "bot" / "program" / "sample_forum.yaml"
    program = scaled(parse_program(sample.read_text(encoding="utf-8"), str(sample)))
    started = time.perf_counter()
    index = SearchIndex(program)
    built = time.perf_counter() - started
    data = yaml.safe_load((ROOT / "tests" / "data" / "questions.yaml").read_text("utf-8"))
    questions = [item["q"] for item in data["questions"]] + data["unanswerable"]
    timings: list[float] = []
    for _ in range(runs):
        for question in questions:
            t0 = time.perf_counter()
            index.search(question)
            timings.append((time.perf_counter() - t0) * 1000)
    return {
        "sessions": len(program.sessions),
        "sections": len(program.sections),
        "pairs": len(program.city_pairs),
        "faq": len(program.faq),
        "keys": len(index.vocabulary),
        "built_ms": built * 1000,
        "queries": len(timings),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
    }


def report(r: dict[str, float]) -> list[tuple[str, str, str, str]]:
    size = (
        f"{int(r['sessions'])} sessions, {int(r['sections'])} sections, "
        f"{int(r['pairs'])} city pairs, {int(r['faq'])} FAQ"
    )
    return [
        (
            f"free-text answer latency, ms ({size}; {int(r['queries'])} queries)",
            f"p50 {r['p50']:.2f}, p95 {r['p95']:.2f}, max {r['max']:.2f}",
            f"index of {int(r['keys'])} keys built in {r['built_ms']:.0f} ms",
            f"p95 {'<' if r['p95'] < 10 else '≥'} 10 ms: {'met' if r['p95'] < 10 else 'MISSED'}",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="passes over the question set")
    args = parser.parse_args()
    for row in report(run(args.runs)):
        print(" | ".join(row))


if __name__ == "__main__":
    main()
