"""The delegate's profile form as a pure object: (form, state, event) -> (new state, screen).

No Telegram, no database, no translations: texts are msgids, answers are codes (a city key of
the programme, area codes, language codes, a visibility code); the handler renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.i18n_markers import N_
from bot.program.loader import slug
from bot.program.model import ForumCity, Program, Text

ADULT, CITY, NAME, ORG, POS, AREAS, LANGS, VISIBILITY = (
    "adult",
    "city",
    "name",
    "org",
    "pos",
    "areas",
    "langs",
    "visibility",
)
SUMMARY = "summary"
STEPS = (ADULT, CITY, NAME, ORG, POS, AREAS, LANGS, VISIBILITY)
OPTIONAL = (ORG, POS, AREAS, LANGS)
VISIBILITIES = ("none", "partners", "all")
VISIBILITY_LABELS = {
    "none": N_("Nobody (hidden)"),
    "partners": N_("Delegates of my partner cities"),
    "all": N_("All delegates"),
}
# Languages a delegate may speak, by ISO 639-1 code (named by babel in the reader's language).
LANGUAGE_CODES = ("ru", "be", "en", "de", "fr", "zh", "pl", "uk", "kk", "hy")


@dataclass(frozen=True, slots=True)
class LanguageLabel:
    """A language by its code: shown by its name in the reader's language."""

    code: str


NAME_LIMIT, TEXT_LIMIT = 80, 120
MAX_CITY_CHOICES = 6


def program_areas(program: Program) -> dict[str, Text]:
    """The areas of cooperation of the city pairs, by a code made from the default name."""
    lang = program.forum.default_language
    found: dict[str, Text] = {}
    for pair in program.city_pairs:
        for area in pair.areas:
            found.setdefault(slug(area.get(lang)), area)
    return found


# ---------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Typed:
    text: str


@dataclass(frozen=True, slots=True)
class Picked:
    index: int


@dataclass(frozen=True, slots=True)
class Done:
    """Finished a multiple choice (areas, languages)."""


@dataclass(frozen=True, slots=True)
class Skip:
    pass


@dataclass(frozen=True, slots=True)
class Keep:
    pass


@dataclass(frozen=True, slots=True)
class Cancel:
    pass


@dataclass(frozen=True, slots=True)
class Confirm:
    pass


@dataclass(frozen=True, slots=True)
class Edit:
    step: str


Event = Typed | Picked | Done | Skip | Keep | Cancel | Confirm | Edit


# ---------------------------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class FormState:
    step: str
    answers: Mapping[str, Any]
    choices: tuple[str, ...] = ()  # city keys offered after an ambiguous name
    ret: bool = False  # changing one answer from the summary

    @classmethod
    def start(cls, prefill: Mapping[str, Any] | None = None) -> FormState:
        return cls(ADULT, dict(prefill or {}))

    @classmethod
    def editing(cls, answers: Mapping[str, Any]) -> FormState:
        return cls(SUMMARY, dict(answers))

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FormState | None:
        step, answers = data.get("step"), data.get("a")
        if step not in (*STEPS, SUMMARY) or not isinstance(answers, dict):
            return None
        choices = data.get("c") or ()
        return cls(str(step), answers, tuple(str(c) for c in choices), bool(data.get("ret")))

    def to_data(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "a": dict(self.answers),
            "c": list(self.choices),
            "ret": self.ret,
        }


# ---------------------------------------------------------------------------------- screens


@dataclass(frozen=True, slots=True)
class Note:
    message: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    label: Text | LanguageLabel | str  # a programme text, a language, or a msgid
    selected: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    step: str
    number: int
    total: int
    options: tuple[Option, ...]
    multiple: bool
    current: Any
    can_skip: bool
    note: Note | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    answers: Mapping[str, Any]
    note: Note | None = None


@dataclass(frozen=True, slots=True)
class Submit:
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Cancelled:
    pass


@dataclass(frozen=True, slots=True)
class NotAdult:
    pass


Screen = Question | Summary | Submit | Cancelled | NotAdult


@dataclass(frozen=True, slots=True)
class Outcome:
    state: FormState | None
    screen: Screen


# ---------------------------------------------------------------------------------- the form


@dataclass(frozen=True, slots=True)
class DelegateForm:
    """The programme's cities and areas; `find` turns a typed name into candidate cities."""

    cities: Mapping[str, ForumCity]
    areas: Mapping[str, Text]
    find: Callable[[str], Sequence[ForumCity]]

    @classmethod
    def from_program(
        cls, program: Program, find: Callable[[str], Sequence[ForumCity]]
    ) -> DelegateForm:
        return cls(program.cities(), program_areas(program), find)

    def options(self, state: FormState) -> tuple[Option, ...]:
        step, answers = state.step, state.answers
        if step == ADULT:
            return (Option("yes", N_("Yes, I am 18 or older")), Option("no", N_("No")))
        if step == CITY:
            return tuple(Option(k, self.cities[k].name) for k in state.choices if k in self.cities)
        if step == AREAS:
            chosen = set(answers.get(AREAS) or ())
            return tuple(Option(c, t, c in chosen) for c, t in self.areas.items())
        if step == LANGS:
            chosen = set(answers.get(LANGS) or ())
            return tuple(Option(c, LanguageLabel(c), c in chosen) for c in LANGUAGE_CODES)
        if step == VISIBILITY:
            return tuple(
                Option(c, VISIBILITY_LABELS[c], answers.get(VISIBILITY) == c) for c in VISIBILITIES
            )
        return ()


def handle(form: DelegateForm, state: FormState, event: Event) -> Outcome:
    if isinstance(event, Cancel):
        return Outcome(None, Cancelled())
    if state.step == SUMMARY:
        return _on_summary(form, state, event)
    step = state.step
    if isinstance(event, Keep) and step in state.answers:
        return _advance(form, state)
    if isinstance(event, Skip) and step in OPTIONAL:
        empty: Any = [] if step in (AREAS, LANGS) else ""
        return _advance(form, _with(state, step, empty))
    if step == ADULT:
        if isinstance(event, Picked) and event.index in (0, 1):
            if event.index == 1:
                return Outcome(None, NotAdult())
            return _advance(form, _with(state, ADULT, "yes"))
        return ask(form, state, Note(N_("Please answer with a button.")))
    if step == CITY:
        return _city(form, state, event)
    if step in (NAME, ORG, POS):
        if not isinstance(event, Typed):
            return ask(form, state, Note(N_("Please type the answer.")))
        text = " ".join(event.text.split())
        limit = NAME_LIMIT if step == NAME else TEXT_LIMIT
        if len(text) < 2:
            return ask(form, state, Note(N_("That is too short.")))
        if len(text) > limit:
            note = Note(N_("Please keep it under {limit} characters."), {"limit": limit})
            return ask(form, state, note)
        return _advance(form, _with(state, step, text))
    if step in (AREAS, LANGS):
        codes = [o.code for o in form.options(state)]
        if isinstance(event, Picked) and 0 <= event.index < len(codes):
            chosen = list(state.answers.get(step) or [])
            code = codes[event.index]
            chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
            return ask(form, _with(state, step, [c for c in codes if c in chosen]))
        if isinstance(event, Done):
            return _advance(form, _with(state, step, list(state.answers.get(step) or [])))
        return ask(form, state, Note(N_("Choose with the buttons, then press “Done”.")))
    if step == VISIBILITY:
        if isinstance(event, Picked) and 0 <= event.index < len(VISIBILITIES):
            return _advance(form, _with(state, VISIBILITY, VISIBILITIES[event.index]))
        return ask(form, state, Note(N_("Please answer with a button.")))
    return ask(form, state)


def _city(form: DelegateForm, state: FormState, event: Event) -> Outcome:
    if isinstance(event, Picked):
        if 0 <= event.index < len(state.choices) and state.choices[event.index] in form.cities:
            return _advance(
                form, replace(_with(state, CITY, state.choices[event.index]), choices=())
            )
        return ask(form, state, Note(N_("Please answer with a button.")))
    if not isinstance(event, Typed) or not event.text.strip():
        return ask(form, state, Note(N_("Please type the name of your city.")))
    found = [c for c in form.find(event.text.strip()[:100]) if c.key in form.cities]
    found = list({c.key: c for c in found}.values())[:MAX_CITY_CHOICES]
    if len(found) == 1:
        return _advance(form, replace(_with(state, CITY, found[0].key), choices=()))
    if not found:
        note = Note(
            N_("I know no partner city called “{query}”. Type it again, in any spelling."),
            {"query": event.text.strip()[:100]},
        )
        return ask(form, replace(state, choices=()), note)
    return ask(form, replace(state, choices=tuple(c.key for c in found)), Note(N_("Which one?")))


def _with(state: FormState, step: str, value: Any) -> FormState:
    return replace(state, answers={**state.answers, step: value})


def _advance(form: DelegateForm, state: FormState) -> Outcome:
    """The next unanswered step; back to the summary when one answer was changed."""
    if state.ret:
        return summary(form, replace(state, step=SUMMARY, ret=False))
    for step in STEPS:
        if step not in state.answers:
            return ask(form, replace(state, step=step))
    return summary(form, replace(state, step=SUMMARY))


def _on_summary(form: DelegateForm, state: FormState, event: Event) -> Outcome:
    if isinstance(event, Confirm):
        missing = [s for s in STEPS if s not in state.answers]
        if missing:
            return ask(form, replace(state, step=missing[0]))
        return Outcome(None, Submit(dict(state.answers)))
    if isinstance(event, Edit) and event.step in STEPS and event.step != ADULT:
        return ask(form, replace(state, step=event.step, ret=True, choices=()))
    return summary(form, state, Note(N_("Confirm the profile, or change an answer.")))


def ask(form: DelegateForm, state: FormState, note: Note | None = None) -> Outcome:
    step = state.step
    if step == SUMMARY:
        return summary(form, state, note)
    question = Question(
        step=step,
        number=STEPS.index(step) + 1,
        total=len(STEPS),
        options=form.options(state),
        multiple=step in (AREAS, LANGS),
        current=state.answers.get(step),
        can_skip=step in OPTIONAL,
        note=note,
    )
    return Outcome(state, question)


def summary(form: DelegateForm, state: FormState, note: Note | None = None) -> Outcome:
    return Outcome(state, Summary(dict(state.answers), note))


def current(form: DelegateForm, state: FormState) -> Outcome:
    return ask(form, state)
