"""The update mix of the update-handling benchmark: what people do with the bot, by weight.

Weights follow a day of the forum's last registration week in the hall and on the way to it:
mostly the schedule, session cards and menus, a fair share of free-text questions, some saved
sessions and registration answers, a few cities and settings. Every callback is packed by the
bot's own CallbackData factories with ids of the sample program, so each update takes the same
path as a real press (no "out of date" answers, which would measure the error path).

Registration is a dialogue: each registrant goes through the real form, one answer per update,
from /register to the confirmation, with many registrants at different steps at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.keyboards.cities import CitiesCb, CityRegionCb
from bot.keyboards.common import MenuCb
from bot.keyboards.links import CityCb, SectionCb, SessionCb
from bot.keyboards.registration import RegCb
from bot.keyboards.schedule import AgendaCb, DayCb, day_back
from bot.program.loader import parse_program
from bot.program.model import Program
from bot.settings import SAMPLE_PROGRAM

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "questions.yaml"
# The registrants' ids are apart from the browsing users': a person in the middle of the form
# answers the form, so a question typed by them would be read as a form answer.
FIRST_REGISTRANT = 500_000
# How many people are in the middle of the form at once.
FORM_IN_PROGRESS = 12

Payload = dict[str, Any]
# (the update factory, the mix, a user id) -> an update payload
Maker = Callable[[Any, "Mix", int], Payload]


@dataclass
class Registrant:
    uid: int
    steps: list[tuple[str, str, str]]  # (kind, step, value): "text"/"pick"/"skip"/"confirm"
    done: int = 0


@dataclass
class Mix:
    """The sample program's ids and questions, and the registrants' progress through the form."""

    program: Program
    rng: random.Random
    questions: list[str]
    registrants: list[Registrant] = field(default_factory=list)
    next_registrant: int = FIRST_REGISTRANT

    @classmethod
    def load(cls, seed: int) -> Mix:
        program = parse_program(SAMPLE_PROGRAM.read_text(encoding="utf-8"), str(SAMPLE_PROGRAM))
        data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
        # Both parts, the must-not-answer questions included (expected: none / not_partner).
        questions = [item["q"] for part in ("tuning", "held_out") for item in data[part]]
        return cls(program, random.Random(seed), questions)

    def pick(self, values: Any) -> Any:
        return self.rng.choice(list(values))

    def day(self) -> str:
        return self.pick(self.program.forum.days).strftime("%Y%m%d")


def start(f: Any, mix: Mix, uid: int) -> Payload:
    return f.message(uid, "/start")


def help_(f: Any, mix: Mix, uid: int) -> Payload:
    return f.message(uid, "/help")


def menu(f: Any, mix: Mix, uid: int) -> Payload:
    """The ☰ Menu button under nearly every answer."""
    return f.callback(uid, MenuCb(action="menu").pack())


def schedule_days(f: Any, mix: Mix, uid: int) -> Payload:
    """The day list, by the menu button or the command."""
    if mix.rng.random() < 0.7:
        return f.callback(uid, MenuCb(action="schedule").pack())
    return f.message(uid, "/schedule")


def day_page(f: Any, mix: Mix, uid: int) -> Payload:
    return f.callback(uid, DayCb(day=mix.day()).pack())


def now_next(f: Any, mix: Mix, uid: int) -> Payload:
    return f.callback(uid, MenuCb(action="now").pack())


def session_card(f: Any, mix: Mix, uid: int) -> Payload:
    """A session opened from its day's list, as the numbered buttons there do."""
    session = mix.pick(mix.program.sessions)
    back = day_back(session.start_at.date(), 0)
    return f.callback(uid, SessionCb(id=session.id, back=back).pack())


def agenda_add(f: Any, mix: Mix, uid: int) -> Payload:
    """⭐ on a card: the real callback, which also queues the reminders."""
    session = mix.pick(s for s in mix.program.sessions if not s.cancelled)
    action = "add" if mix.rng.random() < 0.85 else "del"
    return f.callback(uid, SessionCb(id=session.id, action=action, back="").pack())


def my_agenda(f: Any, mix: Mix, uid: int) -> Payload:
    if mix.rng.random() < 0.5:
        return f.callback(uid, MenuCb(action="agenda").pack())
    return f.callback(uid, AgendaCb(action="page", page=0).pack())


def question(f: Any, mix: Mix, uid: int) -> Payload:
    """A question in the person's own words (FAQ, sessions, speakers, cities; some unanswerable)."""
    return f.message(uid, mix.pick(mix.questions))


def sections(f: Any, mix: Mix, uid: int) -> Payload:
    return f.callback(uid, MenuCb(action="sections").pack())


def section_card(f: Any, mix: Mix, uid: int) -> Payload:
    return f.callback(uid, SectionCb(id=mix.pick(mix.program.sections).id).pack())


def cities(f: Any, mix: Mix, uid: int) -> Payload:
    """The partner cities, one level of the browse at a time."""
    pair = mix.pick(mix.program.city_pairs)
    side = mix.pick(("by", "ru"))
    level = mix.rng.randrange(4)
    if level == 0:
        data = MenuCb(action="cities").pack()
    elif level == 1:
        data = CitiesCb(side=side).pack()
    elif level == 2:
        data = CityRegionCb(side=side, pair=pair.id).pack()
    else:
        data = CityCb(id=pair.id).pack()
    return f.callback(uid, data)


def settings(f: Any, mix: Mix, uid: int) -> Payload:
    return f.callback(uid, MenuCb(action="settings").pack())


# ------------------------------------------------------------------------------ registration

NAMES = (
    "Иванова Анна Сергеевна",
    "Петров Дмитрий Олегович",
    "Кавалёва Алеся Уладзіміраўна",
    "Smirnova Maria",
    "Сидоренко Павел Николаевич",
    "Ткачук Ягор Андрэевіч",
)
ORGS = ("МГУ имени А. А. Кулешова", "БГУ", "СмолГУ", "Тульский политех", "ОАО «Белшина»")
POSITIONS = ("студент, 2 курс", "инженер", "магистрант", "специалист по молодёжной политике")
BY_CITIES = ("Могилёв", "Бобруйск", "Минск", "Гомель")
RU_CITIES = ("Тула", "Смоленск", "Брянск", "Псков")


def form_script(mix: Mix, uid: int) -> list[tuple[str, str, str]]:
    """The answers of one adult registrant, as the form asks for them."""
    rng = mix.rng
    belarus = rng.random() < 0.5
    birth = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1993, 2007)}"
    phone = (
        f"+375 29 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        if belarus
        else f"+7 915 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    )
    experience = (
        ("skip", "x.experience", "")
        if rng.random() < 0.6
        else ("text", "x.experience", "Волонтёр проекта «Города-побратимы», 2025–2026")
    )
    return [
        ("text", "", "/register"),
        ("text", "name", rng.choice(NAMES)),
        ("text", "birth", birth),
        ("pick", "country", "0" if belarus else "1"),
        ("pick", "region", str(rng.randrange(1, 6))),
        ("text", "city", rng.choice(BY_CITIES if belarus else RU_CITIES)),
        ("text", "org", rng.choice(ORGS)),
        ("text", "pos", rng.choice(POSITIONS)),
        ("text", "phone", phone),
        ("text", "email", f"participant{uid}@example.org"),
        ("pick", "x.section", str(rng.randrange(5))),
        ("pick", "x.accommodation", str(rng.randrange(2))),
        experience,
        ("pick", "consent", "0"),
        ("confirm", "summary", ""),
    ]


def registration_step(f: Any, mix: Mix, uid: int) -> Payload:
    """The next answer of someone filling in the form (a newcomer starts with /register)."""
    if len(mix.registrants) < FORM_IN_PROGRESS:
        new_uid = mix.next_registrant
        mix.next_registrant += 1
        mix.registrants.append(Registrant(new_uid, form_script(mix, new_uid)))
    person = mix.pick(mix.registrants)
    kind, step, value = person.steps[person.done]
    person.done += 1
    if person.done == len(person.steps):
        mix.registrants.remove(person)
    if kind == "text":
        return f.message(person.uid, value)
    action = "pick" if kind == "pick" else kind
    return f.callback(person.uid, RegCb(action=action, step=step, value=value).pack())


MIX: list[tuple[Maker, int]] = [
    (start, 6),
    (menu, 8),
    (schedule_days, 10),
    (day_page, 12),
    (now_next, 4),
    (session_card, 16),
    (agenda_add, 7),
    (my_agenda, 3),
    (question, 12),
    (registration_step, 10),
    (sections, 3),
    (section_card, 4),
    (cities, 6),
    (settings, 2),
    (help_, 2),
]
