"""Pure parts of the session features: polls as typed (one or several languages), links in
questions, material links, list order and fingerprints, the ask window, survey answers, the
programme file's materials and survey, and the repositories' once-only rules."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.program.loader import ProgramInvalid
from bot.program.model import QuestionKind
from bot.services.materials import parse_link
from bot.services.polls import parse_poll, version_for
from bot.services.session_questions import ASK_BEFORE, ask_open, fingerprint, has_link, ordered
from bot.services.survey import check_answer, next_question
from bot.settings import SAMPLE_PROGRAM
from db import Database
from db.session_questions import SessionQuestion
from tests.schedule_helpers import program_of

FULL = Path(__file__).parents[1] / "data" / "full_program.yaml"


def test_a_poll_in_one_language() -> None:
    assert parse_poll("Which topic?\nTransport\n\n Energy ") == {
        "": ("Which topic?", ["Transport", "Energy"])
    }
    assert parse_poll("") == "question"
    assert parse_poll("Q?\nOnly one") == "few"
    assert parse_poll("Q?\n" + "\n".join(str(i) for i in range(11))) == "many"
    assert parse_poll("Q?\nA\n" + "x" * 101) == "long"
    assert parse_poll("Q?\nYes\nyes") == "same"
    assert parse_poll("x" * 301 + "\nA\nB") == "question"


def test_a_poll_in_several_languages() -> None:
    versions = parse_poll("[ru] Какая тема?\nТранспорт\nЭнергетика\n[EN]\nWhich topic?\nA\nB")
    assert versions == {
        "ru": ("Какая тема?", ["Транспорт", "Энергетика"]),
        "en": ("Which topic?", ["A", "B"]),
    }
    assert isinstance(versions, dict)
    assert version_for(versions, "en", "ru") == ("Which topic?", ["A", "B"])
    assert version_for(versions, "be", "ru")[0] == "Какая тема?"  # the forum's language
    assert parse_poll("[ru] Q?\nA\nB\n[ru] Q?\nA\nB") == "twice"
    assert parse_poll("[ru] Q?\nA\nB\n[en] Q?\nA\nB\nC") == "mismatch"
    assert parse_poll("Q?\nA\n[en] Q?\nA\nB") == "question"


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("What about roads?", False),
        ("See https://spam.example", True),
        ("visit www.example.com", True),
        ("join t.me/somechannel", True),
        ("read forum.by today", True),
        ("сайт форум.рф", True),
        ("Q about 2.5 million roubles", False),
    ],
)
def test_questions_with_links_are_held(text: str, held: bool) -> None:
    assert has_link(text) is held


def test_material_links() -> None:
    assert parse_link("https://example.org/a?b=1") == (
        "example.org/a?b=1",
        "https://example.org/a?b=1",
    )
    assert parse_link("Slides — https://example.org/s.pdf") == (
        "Slides",
        "https://example.org/s.pdf",
    )
    assert parse_link("not a link") is None
    assert parse_link("javascript:alert(1)") is None
    assert parse_link('https://x.org/"onclick') is None


def question(qid: int, votes: int, status: str = "open", pinned: bool = False) -> SessionQuestion:
    return SessionQuestion(qid, "s", 1, f"q{qid}", False, status, pinned, "", votes, "A")


def test_list_order_pinned_then_votes_then_answered() -> None:
    found = ordered(
        [question(1, 5, "answered"), question(2, 1), question(3, 3), question(4, 0, pinned=True)]
    )
    assert [q.id for q in found] == [4, 3, 2, 1]
    assert [q.id for q in ordered([question(2, 1), question(1, 1)])] == [1, 2]  # older first


def test_fingerprints_tell_a_change() -> None:
    assert fingerprint("a", None) == fingerprint("a", None)
    assert fingerprint("a", None) != fingerprint("b", None)


def test_the_ask_window() -> None:
    session = program_of(SAMPLE_PROGRAM).session("plenary")
    assert session is not None
    assert not ask_open(session, session.start_at - ASK_BEFORE - timedelta(seconds=1))
    assert ask_open(session, session.start_at - ASK_BEFORE)
    assert ask_open(session, session.end_at)
    assert not ask_open(session, session.end_at + timedelta(seconds=1))
    assert not ask_open(dataclasses.replace(session, cancelled=True), session.start_at)


def test_survey_answers_and_order() -> None:
    full = program_of(FULL)
    overall, again, wish = full.survey
    assert overall.kind is QuestionKind.CHOICE and [o.id for o in overall.options] == [
        "1",
        "2",
        "3",
    ]
    assert check_answer(overall, "2") == "2" and check_answer(overall, "4") is None
    assert check_answer(again, "yes") == "yes" and check_answer(again, "maybe") is None
    assert check_answer(wish, "x" * 301) is None and check_answer(wish, " ok ") == "ok"
    assert next_question(full.survey, {}) == 0
    assert next_question(full.survey, {"overall": "1"}) == 1
    assert next_question(full.survey, {"overall": "1"}, after=1) == 2  # 1 was skipped
    assert next_question(full.survey, {"overall": "1", "wish": "x"}, after=1) is None
    assert [m.session or m.section for m in full.materials] == ["opening", "culture"]


BASE = SAMPLE_PROGRAM.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "materials:\n  - {session: plenary, section: s1-industry, title: T, url: https://e.org}\n",
            "a material belongs to a session or to a section",
        ),
        ("materials:\n  - {title: T, url: https://e.org}\n", "a material belongs"),
        ("materials:\n  - {session: nope, title: T, url: https://e.org}\n", "unknown session nope"),
        ("materials:\n  - {section: s1-industry, title: T, url: ftp://e.org}\n", "url"),
        ("survey:\n  - {id: a, text: T, kind: choice, options: [One]}\n", "2 to 10 options"),
        ("survey:\n  - {id: a, text: T, kind: text, options: [A, B]}\n", "only allowed for choice"),
        (
            "survey:\n  - {id: a, text: T, kind: text}\n  - {id: a, text: U, kind: text}\n",
            "duplicate id a",
        ),
    ],
)
def test_bad_materials_and_survey_are_refused(extra: str, message: str) -> None:
    from bot.program.loader import parse_program

    with pytest.raises(ProgramInvalid) as info:
        parse_program(BASE + "\n" + extra, "p.yaml")
    assert message in str(info.value)


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    return await Database.open(tmp_path / "t.sqlite3")


async def test_votes_mutes_and_invites_are_once_only(db: Database) -> None:
    now = datetime(2027, 6, 25, 8, 0, tzinfo=UTC)
    repo = db.session_questions
    async with db.transaction():
        qid = await repo.add("plenary", 1, "Q?", False, "open", now)
        assert await repo.vote(qid, 2) and not await repo.vote(qid, 2)
        assert await repo.mute("plenary", 1, 9) and not await repo.mute("plenary", 1, 9)
        await repo.create_invite("tok", "plenary", 9, now + timedelta(days=1))
        assert await repo.use_invite("tok", 5, now) == ("plenary", 9)
        assert await repo.use_invite("tok", 6, now) is None
        await repo.create_invite("old", "plenary", 9, now - timedelta(seconds=1))
        assert await repo.use_invite("old", 6, now) is None
        assert await db.feedback.rate("plenary", 2, 4) and not await db.feedback.rate(
            "plenary", 2, 1
        )
        assert await db.feedback.comment("plenary", 2, "ok")
        assert not await db.feedback.comment("plenary", 2, "again")
    assert (await repo.get(qid)).votes == 1  # type: ignore[union-attr]
    async with db.transaction():
        await db.forget_user(2)
    assert (await repo.get(qid)).votes == 0  # type: ignore[union-attr]
    assert await db.feedback.of_user(2) == []
    await db.close()


def test_long_feedback_splits_into_messages_and_materials_are_capped() -> None:
    from bot.services.feedback import split_lines
    from bot.services.materials import SHOWN_MAX, shown_part

    parts = split_lines([f"line {i} " + "x" * 90 for i in range(200)])
    assert len(parts) > 1 and all(len(p) <= 3800 for p in parts)
    assert sum(p.count("\n") + 1 for p in parts) == 200
    links = [object()] * 5
    materials = [object()] * 30
    shown_links, shown_own, hidden = shown_part(links, materials)  # type: ignore[arg-type]
    assert len(shown_links) + len(shown_own) == SHOWN_MAX and hidden == 15


@pytest.mark.parametrize("lang", ["ru", "be", "en"])
def test_session_keyboards_fit_a_phone(lang: str) -> None:
    """Every keyboard of the session features, filled to the brim, fits the label rules of
    bot/keyboards/labels.py in each language (the crawler sees them only half filled)."""
    from bot.i18n import create_i18n, in_locale
    from bot.keyboards import session_live as kb
    from bot.keyboards.labels import row_limit, width

    i18n = create_i18n("ru")
    with i18n.context(), in_locale(i18n, lang):
        keyboards = [
            kb.question_list_keyboard("plenary", [(n, n, n % 2 == 0) for n in range(1, 11)], True),
            kb.moderator_keyboard(
                "plenary",
                [(n, n, ("held", "open", "answered")[n % 3], n % 2 == 0) for n in range(1, 11)],
                True,
            ),
            kb.ask_keyboard("Александра-Виктория Константинопольская-Безымянная"),
            kb.poll_confirm_keyboard(12345),
            kb.poll_results_keyboard(7),
            kb.rating_keyboard("plenary"),
            kb.comment_keyboard("plenary"),
            kb.materials_keyboard(
                "plenary", [(i, "📄 " + "Презентация доклада " * 3) for i in range(5)]
            ),
            kb.section_materials_keyboard("s1-industry", [(1, "📄 a.pdf"), (2, "📄 a.pdf")]),
            kb.material_done_keyboard("plenary"),
            kb.material_done_keyboard(None, "s1-industry"),
            kb.feedback_admin_keyboard(True, True),
            kb.survey_invite_keyboard(),
            kb.survey_question_keyboard(0, "choice", [("1", "Очень " * 12), ("2", "Да")], False),
            kb.survey_question_keyboard(1, "yes_no", [], False),
            kb.InlineKeyboardMarkup(inline_keyboard=kb.card_rows("plenary", True, True, 123)),
            kb.InlineKeyboardMarkup(inline_keyboard=kb.section_rows("s1-industry", True, 123)),
        ]
        for markup in keyboards:
            assert markup is not None
            texts = [b.text for row in markup.inline_keyboard for b in row]
            assert len(texts) == len(set(texts)), texts
            for row in markup.inline_keyboard:
                for b in row:
                    assert width(b.text) <= row_limit(len(row)), (b.text, len(row))
                    assert len((b.callback_data or "").encode()) <= 64
