"""The delegate profile form as a pure object, free meeting slots, and who may see whom."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.program.loader import parse_program
from bot.program.model import ForumCity
from bot.services import delegate_form as df
from bot.services.delegates import may_see
from bot.services.meetings import busy_sessions, free_slots
from bot.settings import SAMPLE_PROGRAM
from db.delegates import Profile

PROGRAM = parse_program(SAMPLE_PROGRAM.read_text(encoding="utf-8"), "sample.yaml")
MINSK = ZoneInfo("Europe/Minsk")


def find(query: str) -> list[ForumCity]:
    found = PROGRAM.city_named(query)
    if found:
        return [found]
    if query == "Минск?":  # an ambiguous name: two cities offered
        return [PROGRAM.cities()["by-minsk-moscow"], PROGRAM.cities()["ru-minsk-moscow"]]
    return []


FORM = df.DelegateForm.from_program(PROGRAM, find)


def run(*events: df.Event, state: df.FormState | None = None) -> df.Outcome:
    outcome = df.current(FORM, state or df.FormState.start())
    for event in events:
        assert outcome.state is not None, outcome
        outcome = df.handle(FORM, outcome.state, event)
    return outcome


def test_a_whole_profile_with_codes_not_labels() -> None:
    outcome = run(
        df.Picked(0),
        df.Typed("Могилёв"),
        df.Typed("  Ольга   Семенчук "),
        df.Typed("Горисполком"),
        df.Skip(),
        df.Picked(0),
        df.Picked(1),
        df.Picked(0),  # untick the first again
        df.Done(),
        df.Done(),
        df.Picked(2),
        df.Confirm(),
    )
    assert isinstance(outcome.screen, df.Submit)
    answers = outcome.screen.answers
    assert answers[df.CITY] == "by-mogilev-tula"
    assert answers[df.NAME] == "Ольга Семенчук"
    assert answers[df.POS] == ""
    codes = list(df.program_areas(PROGRAM))
    assert answers[df.AREAS] == [codes[1]]
    assert answers[df.LANGS] == [] and answers[df.VISIBILITY] == "all"


def test_a_minor_stops_at_the_first_question_and_nothing_is_kept() -> None:
    outcome = run(df.Picked(1))
    assert outcome.state is None and isinstance(outcome.screen, df.NotAdult)


def test_bad_answers_are_refused_with_a_note_and_change_nothing() -> None:
    outcome = run(df.Picked(0), df.Typed("Атлантида"))
    assert isinstance(outcome.screen, df.Question) and outcome.screen.step == df.CITY
    assert outcome.screen.note and "Атлантида" in str(outcome.screen.note.params["query"])
    outcome = run(df.Picked(0), df.Typed("Минск?"))
    assert isinstance(outcome.screen, df.Question) and len(outcome.screen.options) == 2
    assert outcome.state is not None
    outcome = df.handle(FORM, outcome.state, df.Picked(1))
    assert outcome.state is not None and outcome.state.answers[df.CITY] == "ru-minsk-moscow"
    outcome = df.handle(FORM, outcome.state, df.Typed("x" * 200))
    assert isinstance(outcome.screen, df.Question) and outcome.screen.step == df.NAME
    assert outcome.screen.note is not None and df.NAME not in outcome.state.answers  # type: ignore[union-attr]
    outcome = df.handle(FORM, outcome.state, df.Picked(5))  # type: ignore[arg-type]
    assert isinstance(outcome.screen, df.Question) and outcome.screen.note is not None


def test_editing_one_answer_goes_back_to_the_summary() -> None:
    answers = {
        df.ADULT: "yes",
        df.CITY: "ru-mogilev-tula",
        df.NAME: "Иван",
        df.ORG: "",
        df.POS: "",
        df.AREAS: [],
        df.LANGS: ["ru"],
        df.VISIBILITY: "partners",
    }
    outcome = run(df.Edit(df.VISIBILITY), df.Picked(0), state=df.FormState.editing(answers))
    assert isinstance(outcome.screen, df.Summary)
    assert outcome.screen.answers[df.VISIBILITY] == "none"
    restored = df.FormState.from_data(outcome.state.to_data())  # type: ignore[union-attr]
    assert restored == outcome.state
    assert df.FormState.from_data({"step": "nonsense", "a": {}}) is None


def test_prefilled_answers_are_skipped() -> None:
    outcome = run(
        df.Picked(0), state=df.FormState.start({df.CITY: "by-mogilev-tula", df.NAME: "A"})
    )
    assert isinstance(outcome.screen, df.Question) and outcome.screen.step == df.ORG


def test_free_slots_skip_saved_sessions_the_past_and_breaks_are_free() -> None:
    day = PROGRAM.forum.days[1]
    now = datetime.combine(day, datetime.min.time(), MINSK).replace(hour=9, minute=50)
    plenary = [s for s in PROGRAM.sessions if s.day == day and s.kind.value == "plenary"]
    assert plenary
    busy = busy_sessions(PROGRAM, {plenary[0].id})
    slots = free_slots(PROGRAM, now, busy, limit=40)
    assert slots[0] >= now + timedelta(minutes=5)
    for slot in slots:
        assert not any(s < slot + timedelta(minutes=30) and slot < e for s, e in busy)
        assert slot.astimezone(MINSK).date() in PROGRAM.forum.days
    after = free_slots(PROGRAM, datetime(2030, 1, 1, tzinfo=MINSK), [])
    assert after == []


def profile(user_id: int, city: str, visibility: str) -> Profile:
    return Profile(user_id, user_id, city, "N", "", "", (), (), visibility, None, "", "")


def test_visibility_partners_all_nobody() -> None:
    mogilev, tula, vitebsk = "by-mogilev-tula", "ru-mogilev-tula", "by-vitebsk-smolensk"
    olga = profile(1, mogilev, "partners")
    ivan = profile(2, tula, "all")
    vera = profile(3, vitebsk, "partners")
    assert may_see(PROGRAM, ivan, olga)  # Tula is Mogilev's partner
    assert not may_see(PROGRAM, vera, olga)  # Vitebsk is not
    assert may_see(PROGRAM, vera, ivan)  # Ivan shows himself to all delegates
    assert not may_see(PROGRAM, None, ivan)  # only delegates see delegates
    assert not may_see(PROGRAM, ivan, profile(4, mogilev, "none"))
    assert not may_see(PROGRAM, olga, olga)


def test_long_texts_are_cut_between_lines_never_inside_a_tag() -> None:
    from bot.services.agreements import fit

    lines = [f"<b>{'x' * 90}</b>" for _ in range(100)]
    text = fit(lines, 3800)
    assert len(text) <= 3800 and text.endswith("\n…")
    assert text.count("<b>") == text.count("</b>")
    assert fit(["a", "b"]) == "a\nb"
