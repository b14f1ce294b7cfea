"""The registration form as a pure object: every step, back, keep, skip, edit, the minor's
branch and every refusal, without Telegram or a database (the whole module runs in well
under a second)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.program.loader import parse_program
from bot.services.registration_form import (
    Back,
    Cancel,
    Cancelled,
    Confirm,
    ConsentRefused,
    ContactShared,
    Edit,
    Event,
    FormState,
    Keep,
    NotText,
    Outcome,
    Picked,
    Question,
    RegistrationForm,
    Skip,
    Submit,
    Summary,
    Typed,
    current,
    handle,
)
from bot.settings import SAMPLE_PROGRAM

TODAY = date(2027, 6, 1)
ADULT_PHONE = "+375291234567"


@pytest.fixture(scope="module")
def form() -> RegistrationForm:
    return RegistrationForm.from_program(parse_program(SAMPLE_PROGRAM.read_text("utf-8"), "sample"))


def pick(form: RegistrationForm, state: FormState, code: str) -> Event:
    """The button that carries `code` on the current question."""
    codes = [o.code for o in form.options(state.step, state.answers)]
    assert code in codes, (state.step, code, codes)
    return Picked(codes.index(code))


def run(form: RegistrationForm, state: FormState, *events: Event) -> Outcome:
    outcome = Outcome(state, current(form, state).screen)
    for event in events:
        assert outcome.state is not None, outcome.screen
        outcome = handle(form, outcome.state, event, TODAY)
    return outcome


def at(outcome: Outcome) -> str:
    assert outcome.state is not None, outcome.screen
    return outcome.state.step


def note(outcome: Outcome) -> str:
    screen = outcome.screen
    assert isinstance(screen, Question | Summary) and screen.note is not None, screen
    return screen.note.message


def fill(form: RegistrationForm, birth: str = "15.01.2000", **over: Event) -> Outcome:
    """An adult from Belarus answers every question up to the summary (or `over` a step)."""
    state = FormState.start()
    answers: dict[str, Any] = {
        "name": Typed("Anna Smith"),
        "birth": Typed(birth),
        "country": "BY",
        "region": "BY-MA",
        "city": "BY-MA.mogilev",
        "org": Typed("Gymnasium No. 1"),
        "pos": Typed("student"),
        "phone": Typed(ADULT_PHONE),
        "email": Typed("anna@example.org"),
        "x.section": "digital",
        "x.accommodation": "yes",
        "x.experience": Skip(),
        "consent": "yes",
        "gname": Typed("Maria Smith"),
        "gphone": Typed("+79123456789"),
    }
    answers.update(over)
    outcome = current(form, state)
    while isinstance(outcome.screen, Question) and outcome.screen.note is None:
        assert outcome.state is not None
        step = outcome.state.step
        answer = answers[step]
        event = pick(form, outcome.state, answer) if isinstance(answer, str) else answer
        outcome = handle(form, outcome.state, event, TODAY)
    return outcome  # the summary, the end, or the first refusal


def test_the_engine_needs_no_aiogram_and_no_database() -> None:
    code = (
        "import sys, bot.services.registration_form; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('aiogram', 'aiosqlite', 'db')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_adult_answers_every_step_and_every_choice_is_stored_as_a_code(
    form: RegistrationForm,
) -> None:
    outcome = fill(form)
    assert isinstance(outcome.screen, Summary)
    assert [s for s, _v in outcome.screen.items][:3] == ["name", "birth", "country"]
    done = run(form, outcome.state, Confirm())  # type: ignore[arg-type]
    assert done.state is None and isinstance(done.screen, Submit)
    assert done.screen.answers == {
        "name": "Anna Smith",
        "birth": "2000-01-15",
        "country": "BY",
        "region": "BY-MA",
        "city": "BY-MA.mogilev",
        "org": "Gymnasium No. 1",
        "pos": "student",
        "phone": ADULT_PHONE,
        "email": "anna@example.org",
        "x.section": "digital",
        "x.accommodation": "yes",
        "x.experience": None,
        "consent": "yes",
    }
    assert done.screen.minor is False and done.screen.mode == "new"


def test_the_counter_is_steady_and_the_guardian_questions_are_counted_apart(
    form: RegistrationForm,
) -> None:
    seen: list[tuple[str, str, int, int]] = []
    state = FormState.start()
    outcome = current(form, state)
    script = [
        Typed("Anna Smith"),
        Typed("05.03.2010"),  # a minor: the guardian part appears, the main count stays
        "BY",
        "BY-MA",
        "BY-MA.mogilev",
        Typed("School"),
        Typed("pupil"),
        Typed(ADULT_PHONE),
        Typed("a@example.org"),
        "agro",
        "no",
        Skip(),
        "yes",
        Typed("Maria Smith"),
        Typed("+79123456789"),
    ]
    for answer in script:
        assert isinstance(outcome.screen, Question) and outcome.state is not None
        q = outcome.screen
        seen.append((q.step, q.part, q.number, q.total))
        event = pick(form, outcome.state, answer) if isinstance(answer, str) else answer
        outcome = handle(form, outcome.state, event, TODAY)
    main = [s for s in seen if s[1] == "main"]
    assert [n for _s, _p, n, _t in main] == list(range(1, 14))
    assert {t for _s, _p, _n, t in main} == {13}
    assert [s for s in seen if s[1] == "guardian"] == [
        ("gname", "guardian", 1, 2),
        ("gphone", "guardian", 2, 2),
    ]
    assert isinstance(outcome.screen, Summary)
    done = run(form, outcome.state, Confirm())  # type: ignore[arg-type]
    assert isinstance(done.screen, Submit) and done.screen.minor
    assert done.screen.answers["gname"] == "Maria Smith"
    assert done.screen.answers["gphone"] == "+79123456789"


def test_a_guardian_phone_equal_to_ones_own_is_refused(form: RegistrationForm) -> None:
    outcome = fill(form, birth="05.03.2010", gphone=Typed(ADULT_PHONE))
    assert at(outcome) == "gphone"
    assert "your own number" in note(outcome)


def test_back_goes_one_step_back_and_not_before_the_first(form: RegistrationForm) -> None:
    first = current(form, FormState.start())
    assert isinstance(first.screen, Question) and not first.screen.can_back
    again = run(form, FormState.start(), Back())
    assert at(again) == "name" and note(again) == "This is the first question."
    outcome = run(form, FormState.start(), Typed("Anna Smith"), Typed("1.2.2001"), Back())
    assert at(outcome) == "birth"
    assert isinstance(outcome.screen, Question) and outcome.screen.has_current
    assert outcome.screen.current == "2001-02-01"
    kept = run(form, outcome.state, Keep())  # type: ignore[arg-type]
    assert at(kept) == "country"


def test_keep_without_an_answer_and_skip_on_a_required_question_change_nothing(
    form: RegistrationForm,
) -> None:
    state = FormState("email", {"name": "A B"})
    for event in (Keep(), Skip()):
        outcome = run(form, state, event)
        assert at(outcome) == "email" and outcome.state.answers == state.answers  # type: ignore[union-attr]


def test_only_an_optional_question_can_be_skipped(form: RegistrationForm) -> None:
    outcome = fill(form, **{"x.experience": Typed("Volunteer, 2025")})
    assert isinstance(outcome.screen, Summary)
    assert ("x.experience", "Volunteer, 2025") in outcome.screen.items
    question = run(form, FormState("x.experience", {}))
    assert isinstance(question.screen, Question) and question.screen.can_skip
    required = run(form, FormState("x.section", {}))
    assert isinstance(required.screen, Question) and not required.screen.can_skip


def test_changing_one_answer_from_the_summary_returns_to_it(form: RegistrationForm) -> None:
    summary = fill(form)
    assert summary.state is not None
    editing = run(form, summary.state, Edit("email"))
    assert at(editing) == "email" and editing.state.ret  # type: ignore[union-attr]
    done = run(form, editing.state, Typed("new@example.org"))  # type: ignore[arg-type]
    assert isinstance(done.screen, Summary)
    assert ("email", "new@example.org") in done.screen.items
    back = run(form, editing.state, Back())  # type: ignore[arg-type]
    assert isinstance(back.screen, Summary)
    # The consent cannot be "edited" away, nor a step that does not exist.
    for target in ("consent", "nonsense", "gname"):
        assert isinstance(run(form, summary.state, Edit(target)).screen, Summary)


def test_a_new_country_asks_region_and_city_again(form: RegistrationForm) -> None:
    summary = fill(form)
    outcome = run(form, summary.state, Edit("country"))  # type: ignore[arg-type]
    outcome = run(form, outcome.state, pick(form, outcome.state, "RU"))  # type: ignore[arg-type]
    assert at(outcome) == "region"
    assert "region" not in outcome.state.answers and "city" not in outcome.state.answers  # type: ignore[union-attr]
    outcome = run(form, outcome.state, pick(form, outcome.state, "RU-TUL"))  # type: ignore[arg-type]
    assert at(outcome) == "city"
    assert [o.code for o in outcome.screen.options] == ["RU-TUL.tula"]  # type: ignore[union-attr]
    outcome = run(form, outcome.state, Picked(0))  # type: ignore[arg-type]
    assert isinstance(outcome.screen, Summary)
    assert ("city", "RU-TUL.tula") in outcome.screen.items
    # The same country again keeps the region and the city.
    same = run(form, summary.state, Edit("country"))  # type: ignore[arg-type]
    same = run(form, same.state, pick(form, same.state, "BY"))  # type: ignore[arg-type]
    assert isinstance(same.screen, Summary) and ("region", "BY-MA") in same.screen.items


def test_cities_follow_the_chosen_country_and_region(form: RegistrationForm) -> None:
    mogilev = form.options("city", {"country": "BY", "region": "BY-MA"})
    codes = [o.code for o in mogilev]
    assert codes and all(c.startswith("BY-MA.") for c in codes)
    assert "BY-MA.mogilev" in codes and "BY-MA.bobruisk" in codes
    for region in ("BY-HM", "BY-BR", "BY-VI", "BY-HO", "BY-HR", "BY-MI"):
        cities = form.options("city", {"country": "BY", "region": region})
        assert cities and all(o.code.startswith(region + ".") for o in cities), region
    smolensk = form.options("city", {"country": "RU", "region": "RU-SMO"})
    assert next(o.code for o in smolensk) == "RU-SMO.smolensk"
    # Regions follow the country: Belarus offers its seven, Russia its own.
    assert {o.code[:2] for o in form.options("region", {"country": "BY"})} == {"BY"}
    assert len(form.options("region", {"country": "BY"})) == 7
    assert {o.code[:2] for o in form.options("region", {"country": "RU"})} == {"RU"}
    assert form.options("region", {"country": "other"}) == ()
    # A region of the other country (left from an older answer) offers no cities.
    assert form.options("city", {"country": "RU", "region": "BY-MA"}) == ()


def test_typed_places_become_codes_when_the_bot_knows_them(form: RegistrationForm) -> None:
    state = FormState("region", {"country": "BY"})
    for typed in ("Могилевская обл.", "Mogilev region", "магілёўская вобласць", "Могилёвская"):
        outcome = run(form, state, Typed(typed))
        assert outcome.state.answers["region"] == "BY-MA", typed  # type: ignore[union-attr]
    unknown = run(form, state, Typed("Атлантида"))
    assert unknown.state.answers["region"] == "Атлантида"  # type: ignore[union-attr]
    # "Минск" is the city region (not the Minsk Region) and is not a Russian region.
    assert run(form, state, Typed("Минск")).state.answers["region"] == "BY-HM"  # type: ignore[union-attr]
    ru = run(form, FormState("region", {"country": "RU"}), Typed("Минск"))
    assert ru.state.answers["region"] == "Минск"  # type: ignore[union-attr]

    city = FormState("city", {"country": "BY", "region": "BY-MA"})
    assert run(form, city, Typed("Бабруйск")).state.answers["city"] == "BY-MA.bobruisk"  # type: ignore[union-attr]
    # A city of another region is kept as typed, never turned into that region's code.
    assert run(form, city, Typed("Тула")).state.answers["city"] == "Тула"  # type: ignore[union-attr]


def test_another_country_types_its_region_and_city(form: RegistrationForm) -> None:
    outcome = fill(form, country="other", region=Typed("Île-de-France"), city=Typed("Paris"))
    assert isinstance(outcome.screen, Summary)
    assert ("region", "Île-de-France") in outcome.screen.items
    assert ("city", "Paris") in outcome.screen.items


def test_refusing_the_consent_ends_the_form(form: RegistrationForm) -> None:
    outcome = fill(form, consent="no")
    assert outcome.state is None and outcome.screen == ConsentRefused("new")
    typed = run(form, FormState("consent", {}), Typed("yes I agree"))
    assert at(typed) == "consent" and note(typed) == "Please answer with the buttons."


def test_cancel_ends_the_form_at_any_step(form: RegistrationForm) -> None:
    for step in ("name", "phone", "consent", "summary"):
        outcome = run(form, FormState(step, {"name": "A B"}, "edit"), Cancel())
        assert outcome.state is None and outcome.screen == Cancelled("edit")


def test_confirm_with_a_missing_answer_asks_it(form: RegistrationForm) -> None:
    summary = fill(form)
    assert summary.state is not None
    answers = dict(summary.state.answers)
    del answers["email"]
    outcome = run(form, replace(summary.state, answers=answers), Confirm())
    assert at(outcome) == "email" and outcome.state.ret  # type: ignore[union-attr]
    done = run(form, outcome.state, Typed("a@example.org"))  # type: ignore[arg-type]
    assert isinstance(done.screen, Summary)


def test_an_older_age_drops_the_guardian_questions(form: RegistrationForm) -> None:
    minor = fill(form, birth="05.03.2010")
    assert isinstance(minor.screen, Summary)
    assert {s for s, _v in minor.screen.items} >= {"gname", "gphone"}
    edit = run(form, minor.state, Edit("birth"), Typed("05.03.2000"))  # type: ignore[arg-type]
    assert isinstance(edit.screen, Summary)
    assert not {s for s, _v in edit.screen.items} & {"gname", "gphone"}
    done = run(form, edit.state, Confirm())  # type: ignore[arg-type]
    assert isinstance(done.screen, Submit) and not done.screen.minor
    assert "gname" not in done.screen.answers
    # Younger again: the guardian questions are asked before the summary.
    younger = run(form, edit.state, Edit("birth"), Typed("05.03.2010"))  # type: ignore[arg-type]
    assert isinstance(younger.screen, Summary)  # kept from before
    fresh = fill(form)
    younger = run(form, fresh.state, Edit("birth"), Typed("05.03.2010"))  # type: ignore[arg-type]
    assert at(younger) == "gname"


REFUSALS = [
    ("name", Typed("x"), "with letters"),
    ("name", Typed("\u3164\u3164\u3164 \u3164\u3164"), "with letters"),  # Hangul fillers
    ("name", Typed("\u200b\u200b\u200c\u200d"), "with letters"),  # zero-width
    ("name", Typed("\u2800\u2800\u2800"), "with letters"),  # braille blank
    ("name", Typed("\u0301\u0302\u0303\u0304"), "with letters"),  # only combining marks
    ("name", Typed("Z\u0335\u0321\u0322\u0327a\u0336lgo"), "with letters"),  # decorations
    ("name", Typed("A" * 101), "too long"),
    ("gname", Typed("\u115f\u1160"), "with letters"),
    ("birth", Typed("31.02.2009"), "could not read"),
    ("birth", Typed("someday"), "could not read"),
    ("birth", Typed("14 Smarch 2010"), "could not read"),
    ("birth", Typed("05.03.2020"), "at least {min_age}"),
    ("birth", Typed("05.03.1980"), "up to {max_age}"),
    ("birth", Typed("01.01.2030"), "in the future"),
    ("birth", Typed("01.01.1850"), "year of birth"),
    ("region", Typed("\u3164\u3164"), "letters or digits"),
    ("city", Typed("\u2800"), "letters or digits"),
    ("org", Typed("x" * 201), "too long"),
    ("phone", Typed("+375 29 ABC-45-67"), "no letters"),
    ("phone", Typed("+375 29 123-45-6"), "valid phone number"),
    ("phone", Typed("12345"), "valid phone number"),
    ("phone", Typed("+375 29 123 45 67; DROP"), "no letters"),
    ("phone", ContactShared("+375291234567", own=False), "your own contact"),
    ("gphone", Typed("+7 (9I2) 345-67-89"), "no letters"),
    ("email", Typed("anna@@example"), "e-mail address"),
    ("email", Typed("a" * 250 + "@example.org"), "too long"),
    ("name", ContactShared("+375291234567", own=True), "question below"),
    ("country", Typed("Belarus please"), "choose one of the buttons"),
    ("x.section", Typed("digital"), "choose one of the buttons"),
    ("x.accommodation", Picked(5), "choose one of the buttons"),
    ("x.experience", Typed(" \u200b "), "answer is empty"),
    ("x.experience", Typed("x" * 1001), "too long"),
    ("name", NotText(), "text message"),
]


@pytest.mark.parametrize(("step", "event", "reason"), REFUSALS)
def test_every_refusal_keeps_the_step_and_the_answers(
    form: RegistrationForm, step: str, event: Event, reason: str
) -> None:
    answers = {"name": "Anna Smith", "birth": "2010-03-05", "country": "BY", "phone": ADULT_PHONE}
    state = FormState(step, answers)
    outcome = handle(form, state, event, TODAY)
    assert outcome.state == state
    assert reason in note(outcome)


def test_typed_words_and_contacts_the_form_reads(form: RegistrationForm) -> None:
    birth = FormState("birth", {})
    for typed in ("14 марта 2010", "14 сакавіка 2010", "March 14, 2010", "14.3.2010"):
        assert run(form, birth, Typed(typed)).state.answers["birth"] == "2010-03-14", typed  # type: ignore[union-attr]
    # A contact's number is international even without "+": never a local Belarusian one.
    phone = FormState("phone", {"country": "BY"})
    shared = run(form, phone, ContactShared("79123456789", own=True))
    assert shared.state.answers["phone"] == "+79123456789"  # type: ignore[union-attr]
    typed = run(form, phone, Typed("8 029 123-45-67"))
    assert typed.state.answers["phone"] == "+375291234567"  # type: ignore[union-attr]


def test_the_state_survives_json_and_an_old_step_moves_on(form: RegistrationForm) -> None:
    state = FormState("email", {"name": "A B"}, "edit", True)
    assert FormState.from_data(state.to_data()) == state
    assert FormState.from_data({"step": 3}) is None
    assert FormState.from_data({}) is None
    # Saved by the previous version: the minor pressed a "guardian consent" button.
    summary = fill(form, birth="05.03.2010")
    old = replace(summary.state, step="gconsent")  # type: ignore[type-var]
    assert isinstance(current(form, old).screen, Summary)
    assert isinstance(handle(form, old, Typed("yes"), TODAY).screen, Summary)


def test_labels_saved_by_the_old_form_are_confirmed_as_codes(form: RegistrationForm) -> None:
    summary = fill(form)
    assert summary.state is not None
    old = dict(summary.state.answers, region="Могилёвская область", city="Бобруйск")
    done = run(form, replace(summary.state, answers=old), Confirm())
    assert isinstance(done.screen, Submit)
    assert (done.screen.answers["region"], done.screen.answers["city"]) == (
        "BY-MA",
        "BY-MA.bobruisk",
    )


def test_a_summary_answers_only_its_buttons(form: RegistrationForm) -> None:
    summary = fill(form)
    for event in (Typed("hello"), NotText(), Picked(0), Keep(), Back()):
        outcome = run(form, summary.state, event)  # type: ignore[arg-type]
        assert (
            isinstance(outcome.screen, Summary) and note(outcome) == "Please use the buttons below."
        )
