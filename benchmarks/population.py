"""A populated database for the benchmarks: 20,000 users and 5,000 youth meeting registrations,
written through the same migrations, program import and repositories as the bot's."""

from __future__ import annotations

import random
from pathlib import Path

from bot.services.program import ProgramService
from bot.settings import SAMPLE_PROGRAM
from db import Database
from db.registrations import RegistrationData

FIRST_USER = 100_000
SURNAMES = ("Иванов", "Ковалёв", "Петренко", "Смирнов", "Новік", "Кузнецов", "Лукашевич")
FIRST_NAMES = ("Анна", "Дмитрий", "Алеся", "Мария", "Павел", "Ягор", "Ольга", "Никита")
PLACES = {
    "BY": (
        ("BY-MA", "BY-MA.mogilev"),
        ("BY-HM", "BY-HM.minsk"),
        ("BY-HO", "BY-HO.gomel"),
    ),
    "RU": (("RU-TUL", "RU-TUL.tula"), ("RU-SMO", "RU-SMO.smolensk"), ("RU-MOW", "RU-MOW.moscow")),
}
SECTIONS = ("industry", "agro", "education", "culture", "digital")


def registration(rng: random.Random, n: int) -> RegistrationData:
    """Answers as the form stores them: E.164 phone, ISO date, place codes, extra answers by
    id."""
    country = rng.choice(("BY", "RU"))
    region, city = rng.choice(PLACES[country])
    year = rng.randint(1992, 2012)
    minor = year > 2009
    phone = f"+37529{1_000_000 + n:07d}" if country == "BY" else f"+7915{1_000_000 + n:07d}"
    answers: dict[str, object] = {
        "section": rng.choice(SECTIONS),
        "accommodation": rng.choice(("yes", "no")),
    }
    if rng.random() < 0.4:
        answers["experience"] = "Участвовал в проекте «Города-побратимы» в 2025 году"
    return RegistrationData(
        full_name=f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}",
        birth_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        country=country,
        region=region,
        city=city,
        organization=rng.choice(("БГУ", "СмолГУ", "МГУ им. Кулешова", "Тульский политех")),
        position=rng.choice(("студент, 2 курс", "инженер", "школьник, 10 класс")),
        phone=phone,
        email=f"participant{n}@example.org",
        answers=answers,
        guardian_name=f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}" if minor else None,
        guardian_phone=f"+37533{1_000_000 + n:07d}" if minor else None,
        guardian_consent=minor,
    )


async def populate_database(path: Path, users: int, registrations: int, seed: int = 1) -> None:
    """`users` participants, the first `registrations` of them registered (some waiting,
    checked in or cancelled, as after weeks of registration)."""
    rng = random.Random(seed)
    db = await Database.open(path)
    try:
        await ProgramService(db).import_file(SAMPLE_PROGRAM)
        people = [
            (
                FIRST_USER + i,
                rng.choice(FIRST_NAMES),
                f"user{i}" if rng.random() < 0.6 else None,
                rng.choice(("ru", "ru", "be", "en", None)),
            )
            for i in range(users)
        ]
        statuses = ("registered",) * 12 + ("checked_in",) * 4 + ("waiting", "cancelled")
        forms = [
            (FIRST_USER + i, registration(rng, i), rng.choice(statuses))
            for i in range(min(registrations, users))
        ]
        async with db.transaction():
            await db.users.add_many(people)
            await db.registrations.add_many(forms)
    finally:
        await db.close()
