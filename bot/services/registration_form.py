"""The youth meeting registration form as a pure object.

`handle(form, state, event, today)` takes the form's definition (from the program), the
person's state (the current step and the answers so far, plain JSON kept in the FSM storage)
and what they did (typed, pressed, shared a contact...), and returns the new state and what
to show. No Telegram, no database, no translations: texts are msgids and codes, and the
handler renders them in the reader's language.

Every choice is stored as a code: countries `BY`/`RU`/`other`, regions and cities by their
codes from `bot.program.places`, options by their ids, yes/no and consents as `yes`/`no`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.i18n_markers import N_
from bot.program.model import ExtraQuestion, Program, QuestionKind, Registration, Text
from bot.program.places import BUILTIN, Places
from bot.services.answers import (
    ORG_LIMIT,
    Refusal,
    age_at,
    check_age,
    contact_phone,
    parse_birth_date,
    parse_email,
    parse_free_text,
    parse_name,
    parse_phone,
    parse_place,
)

NAME, BIRTH, COUNTRY, REGION, CITY = "name", "birth", "country", "region", "city"
ORG, POS, PHONE, EMAIL, CONSENT = "org", "pos", "phone", "email", "consent"
GNAME, GPHONE = "gname", "gphone"
SUMMARY = "summary"
BASE_STEPS = (NAME, BIRTH, COUNTRY, REGION, CITY, ORG, POS, PHONE, EMAIL)
GUARDIAN_STEPS = (GNAME, GPHONE)
COUNTRY_CODES = ("BY", "RU", "other")
# Answers that only make sense with the answer they follow: a new country drops the region.
DEPENDENT = {COUNTRY: (REGION, CITY), REGION: (CITY,)}
CITY_BUTTONS = 8
REGION_BUTTONS = 14
# Regions always offered as buttons for Russia, besides those the program names.
RU_CAPITALS = ("RU-MOW", "RU-SPE")


@dataclass(frozen=True, slots=True)
class Msg:
    """A text of the bot itself, translated when shown."""

    msgid: str


Label = Text | Msg


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: Label


@dataclass(frozen=True, slots=True)
class Note:
    """A remark shown above a question: why an answer was refused, or how to answer."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Typed:
    text: str


@dataclass(frozen=True, slots=True)
class Picked:
    index: int  # of the options shown with the question


@dataclass(frozen=True, slots=True)
class ContactShared:
    phone: str
    own: bool  # the sender's own contact, not someone else's


@dataclass(frozen=True, slots=True)
class Back:
    pass


@dataclass(frozen=True, slots=True)
class Keep:
    pass


@dataclass(frozen=True, slots=True)
class Skip:
    pass


@dataclass(frozen=True, slots=True)
class Cancel:
    pass


@dataclass(frozen=True, slots=True)
class Edit:
    step: str


@dataclass(frozen=True, slots=True)
class Confirm:
    pass


@dataclass(frozen=True, slots=True)
class NotText:
    """A photo, a sticker, a voice message... where the form wants text."""


Event = Typed | Picked | ContactShared | Back | Keep | Skip | Cancel | Edit | Confirm | NotText


# ---------------------------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class FormState:
    step: str
    answers: Mapping[str, Any]
    mode: str = "new"  # new, or edit (an existing registration)
    ret: bool = False  # changing one answer from the summary: back to it afterwards

    @classmethod
    def start(cls) -> FormState:
        return cls(NAME, {})

    @classmethod
    def editing(cls, answers: Mapping[str, Any]) -> FormState:
        return cls(SUMMARY, dict(answers), "edit")

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FormState | None:
        """The state kept in the FSM storage; None if it is not a form's."""
        step, answers = data.get("step"), data.get("a")
        if not isinstance(step, str) or not isinstance(answers, dict):
            return None
        return cls(step, answers, str(data.get("mode", "new")), bool(data.get("ret")))

    def to_data(self) -> dict[str, Any]:
        return {"step": self.step, "a": dict(self.answers), "mode": self.mode, "ret": self.ret}


# ---------------------------------------------------------------------------------- screens


@dataclass(frozen=True, slots=True)
class Question:
    step: str
    part: str  # main, or guardian (the questions about a parent, for minors)
    number: int
    total: int
    options: tuple[Choice, ...]
    current: Any  # the answer given before, offered as "Keep"
    has_current: bool
    can_skip: bool
    can_back: bool
    note: Note | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    items: tuple[tuple[str, Any], ...]  # (step, answer), in the form's order
    note: Note | None = None


@dataclass(frozen=True, slots=True)
class Submit:
    """Confirmed: the answers are complete; the handler stores them."""

    answers: Mapping[str, Any]
    mode: str
    minor: bool


@dataclass(frozen=True, slots=True)
class Cancelled:
    mode: str


@dataclass(frozen=True, slots=True)
class ConsentRefused:
    mode: str


Screen = Question | Summary | Submit | Cancelled | ConsentRefused


@dataclass(frozen=True, slots=True)
class Outcome:
    state: FormState | None  # None: the form is over, forget the state
    screen: Screen


# ---------------------------------------------------------------------------------- the form


@dataclass(frozen=True, slots=True)
class RegistrationForm:
    """What the program's registration section asks, and the places it offers."""

    reg: Registration
    age_day: date
    places: Places
    featured: Mapping[str, tuple[str, ...]]  # country -> region codes offered as buttons

    @classmethod
    def from_program(cls, program: Program) -> RegistrationForm:
        reg = program.registration
        assert reg is not None
        places = BUILTIN.with_cities(reg.known_cities)
        named: list[str] = []
        for city in reg.known_cities:
            if city.region:
                named.append(city.region)
        for pair in program.city_pairs:
            for spelling in pair.ru_subject.all():
                region = places.find_region(spelling, "RU")
                if region is not None:
                    named.append(region.code)
                    break
        featured = {
            "BY": tuple(r.code for r in places.regions_of("BY")),
            "RU": tuple(dict.fromkeys([*RU_CAPITALS, *(c for c in named if c[:2] == "RU")]))[
                :REGION_BUTTONS
            ],
        }
        age_day = reg.age_on or program.forum.start_date
        return cls(reg, age_day, places, featured)

    # -- steps -----------------------------------------------------------------------------

    @property
    def main_steps(self) -> tuple[str, ...]:
        """The questions everyone answers; their number never changes."""
        return (*BASE_STEPS, *(f"x.{q.id}" for q in self.reg.extra_questions), CONSENT)

    @property
    def may_need_guardian(self) -> bool:
        return self.reg.min_age < self.reg.adult_age

    def is_minor(self, answers: Mapping[str, Any]) -> bool:
        born = answers.get(BIRTH)
        if not born:
            return False
        return age_at(date.fromisoformat(born), self.age_day) < self.reg.adult_age

    def steps(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        extra = GUARDIAN_STEPS if self.is_minor(answers) else ()
        return (*self.main_steps, *extra)

    def question(self, step: str) -> ExtraQuestion | None:
        if not step.startswith("x."):
            return None
        return next((q for q in self.reg.extra_questions if q.id == step[2:]), None)

    def skippable(self, step: str) -> bool:
        question = self.question(step)
        return question is not None and not question.required

    def position(self, step: str) -> tuple[str, int, int]:
        """(part, number, total): guardian questions are counted apart, so the main count
        stays the same for everyone."""
        if step in GUARDIAN_STEPS:
            return "guardian", GUARDIAN_STEPS.index(step) + 1, len(GUARDIAN_STEPS)
        main = self.main_steps
        return "main", (main.index(step) + 1 if step in main else len(main)), len(main)

    # -- options ---------------------------------------------------------------------------

    def options(self, step: str, answers: Mapping[str, Any]) -> tuple[Choice, ...]:
        if step == COUNTRY:
            return (
                Choice("BY", Msg(N_("Belarus"))),
                Choice("RU", Msg(N_("Russia"))),
                Choice("other", Msg(N_("Other country"))),
            )
        if step == REGION:
            codes = self.featured.get(str(answers.get(COUNTRY)), ())
            regions = [self.places.region(code) for code in codes]
            return tuple(Choice(r.code, r.name) for r in regions if r is not None)
        if step == CITY:
            cities = self.places.cities_of(self.known_region(answers))
            return tuple(Choice(c.code, c.name) for c in cities[:CITY_BUTTONS])
        if step == CONSENT:
            return (
                Choice("yes", Msg(N_("✅ I agree"))),
                Choice("no", Msg(N_("❌ I do not agree"))),
            )
        question = self.question(step)
        if question is not None and question.kind == QuestionKind.CHOICE:
            return tuple(Choice(o.id, o.label) for o in question.options)
        if question is not None and question.kind == QuestionKind.YES_NO:
            return (Choice("yes", Msg(N_("Yes"))), Choice("no", Msg(N_("No"))))
        return ()

    def known_region(self, answers: Mapping[str, Any]) -> str | None:
        """The region's code, if the person chose one the bot knows (None: typed or none)."""
        region = self.places.region(answers.get(REGION))
        if region is None or region.country != answers.get(COUNTRY):
            return None
        return region.code

    def buttons_only(self, step: str) -> bool:
        """Steps answered only by a button (typing a label is matched by the handler)."""
        question = self.question(step)
        return step in (COUNTRY, CONSENT) or (
            question is not None and question.kind != QuestionKind.TEXT
        )

    # -- typed answers ---------------------------------------------------------------------

    def parse(self, step: str, text: str, answers: Mapping[str, Any], today: date) -> Any:
        """The answer for a typed text; raises Refusal with the reason."""
        if step in (NAME, GNAME):
            return parse_name(text)
        if step == BIRTH:
            born = parse_birth_date(text, today)
            check_age(born, self.reg, self.age_day)
            return born.isoformat()
        if step == REGION:
            region = self.places.find_region(text, str(answers.get(COUNTRY)))
            return region.code if region else parse_place(text)
        if step == CITY:
            city = self.places.find_city(text, self.known_region(answers))
            return city.code if city else parse_place(text)
        if step in (ORG, POS):
            return parse_place(text, ORG_LIMIT)
        if step == PHONE:
            return parse_phone(text, answers.get(COUNTRY))
        if step == GPHONE:
            return self.guardian_phone(parse_phone(text, answers.get(COUNTRY)), answers)
        if step == EMAIL:
            return parse_email(text)
        question = self.question(step)
        if question is not None and question.kind == QuestionKind.TEXT:
            return parse_free_text(text, question.max_length)
        raise Refusal(N_("Please choose one of the buttons."))

    def with_codes(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Answers with a region or city kept as a label (by an older version of the form)
        turned into codes where the label names a known place."""
        fixed = dict(answers)
        region, city = fixed.get(REGION), fixed.get(CITY)
        if isinstance(region, str) and self.places.region(region) is None:
            found = self.places.find_region(region, str(fixed.get(COUNTRY)))
            fixed[REGION] = found.code if found else region
        if isinstance(city, str) and self.places.city(city) is None:
            place = self.places.find_city(city, self.known_region(fixed))
            fixed[CITY] = place.code if place else city
        return fixed

    @staticmethod
    def guardian_phone(phone: str, answers: Mapping[str, Any]) -> str:
        if phone == answers.get(PHONE):
            raise Refusal(N_("This is your own number; we need your parent's or guardian's."))
        return phone


# ---------------------------------------------------------------------------------- handle


def handle(form: RegistrationForm, state: FormState, event: Event, today: date) -> Outcome:
    """The next state and screen after one thing the person did."""
    if isinstance(event, Cancel):
        return Outcome(None, Cancelled(state.mode))
    if state.step == SUMMARY:
        return _on_summary(form, state, event)
    if state.step not in form.steps(state.answers):
        # The program changed under an open form, or the age no longer asks this step.
        return _advance(form, replace(state, ret=True), state.step)
    answers = state.answers
    step = state.step
    if isinstance(event, Back):
        if state.ret:
            return summary(form, replace(state, step=SUMMARY, ret=False))
        steps = form.steps(answers)
        index = steps.index(step)
        if index == 0:
            return ask(form, state, Note(N_("This is the first question.")))
        return ask(form, replace(state, step=steps[index - 1]))
    if isinstance(event, Keep):
        if answers.get(step) is None:
            return ask(form, state)
        return _advance(form, state, step)
    if isinstance(event, Skip):
        if not form.skippable(step):
            return ask(form, state)
        return _save(form, state, None)
    if isinstance(event, Picked):
        return _pick(form, state, event.index)
    if isinstance(event, ContactShared):
        if step != PHONE:
            return ask(form, state, Note(N_("Please answer the question below.")))
        if not event.own:
            note = N_("Please share your own contact with the button, or type your number.")
            return ask(form, state, Note(note))
        return _typed(form, state, lambda: contact_phone(event.phone))
    if isinstance(event, Typed):
        if form.buttons_only(step):
            message = N_("Please answer with the buttons.") if step == CONSENT else None
            return ask(form, state, Note(message or N_("Please choose one of the buttons.")))
        return _typed(form, state, lambda: form.parse(step, event.text, answers, today))
    if isinstance(event, NotText):
        return ask(form, state, Note(N_("Please answer with a text message.")))
    return ask(form, state)  # Edit or Confirm from an old summary


def current(form: RegistrationForm, state: FormState) -> Outcome:
    """The screen the person is on, shown again (after /register mid-form, or a restart)."""
    if state.step == SUMMARY:
        return summary(form, state)
    if state.step not in form.steps(state.answers):
        return _advance(form, replace(state, ret=True), state.step)
    return ask(form, state)


def _typed(form: RegistrationForm, state: FormState, read: Any) -> Outcome:
    try:
        value = read()
    except Refusal as refusal:
        return ask(form, state, Note(refusal.message, refusal.params))
    return _save(form, state, value)


def _pick(form: RegistrationForm, state: FormState, index: int) -> Outcome:
    options = form.options(state.step, state.answers)
    if not 0 <= index < len(options):
        return ask(form, state, Note(N_("Please choose one of the buttons.")))
    code = options[index].code
    if state.step == CONSENT and code != "yes":
        return Outcome(None, ConsentRefused(state.mode))
    return _save(form, state, code)


def _save(form: RegistrationForm, state: FormState, value: Any) -> Outcome:
    answers = dict(state.answers)
    step = state.step
    if step in DEPENDENT and answers.get(step) != value:
        for dependent in DEPENDENT[step]:
            answers.pop(dependent, None)
    answers[step] = value
    return _advance(form, replace(state, answers=answers), step)


def _advance(form: RegistrationForm, state: FormState, done: str) -> Outcome:
    """After an answer: the next question; or the first one missing when changing one answer
    from the summary, or the summary when nothing is missing."""
    steps = form.steps(state.answers)
    missing = [s for s in steps if s not in state.answers]
    if state.ret or done not in steps:
        target = missing[0] if missing else SUMMARY
    else:
        index = steps.index(done)
        target = steps[index + 1] if index + 1 < len(steps) else SUMMARY
        if target == SUMMARY and missing:
            target = missing[0]
    if target == SUMMARY:
        return summary(form, replace(state, step=SUMMARY, ret=False))
    return ask(form, replace(state, step=target))


def _on_summary(form: RegistrationForm, state: FormState, event: Event) -> Outcome:
    steps = form.steps(state.answers)
    if isinstance(event, Edit):
        if event.step not in steps or event.step == CONSENT:
            return summary(form, state)
        return ask(form, replace(state, step=event.step, ret=True))
    if isinstance(event, Confirm):
        missing = [s for s in steps if s not in state.answers]
        if missing:
            return ask(form, replace(state, step=missing[0], ret=True))
        answers = form.with_codes({s: state.answers[s] for s in steps})
        return Outcome(None, Submit(answers, state.mode, form.is_minor(answers)))
    return summary(form, state, Note(N_("Please use the buttons below.")))


def ask(form: RegistrationForm, state: FormState, note: Note | None = None) -> Outcome:
    step = state.step
    part, number, total = form.position(step)
    steps = form.steps(state.answers)
    first = not state.ret and steps.index(step) == 0
    has_current = step in state.answers and step != CONSENT
    question = Question(
        step=step,
        part=part,
        number=number,
        total=total,
        options=form.options(step, state.answers),
        current=state.answers.get(step) if has_current else None,
        has_current=has_current and state.answers.get(step) is not None,
        can_skip=form.skippable(step),
        can_back=not first,
        note=note,
    )
    return Outcome(state, question)


def summary(form: RegistrationForm, state: FormState, note: Note | None = None) -> Outcome:
    items = tuple(
        (step, state.answers.get(step)) for step in form.steps(state.answers) if step != CONSENT
    )
    return Outcome(replace(state, step=SUMMARY, ret=False), Summary(items, note))
