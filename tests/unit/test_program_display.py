"""How the format's extensions show: kind labels, notices, a section's moderators on its
sessions' cards, plain-name speakers, and no "Section N" for a section without a number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.i18n import create_i18n, in_locale
from bot.program.model import KIND_LABELS, Program, SessionKind
from bot.services.schedule_view import section_card, section_label, session_card
from bot.services.search import Hit, SearchIndex
from bot.settings import SAMPLE_PROGRAM
from handlers.questions import render
from tests.schedule_helpers import program_of

FULL = Path(__file__).parents[1] / "data" / "full_program.yaml"
I18N = create_i18n("ru")


@pytest.fixture(scope="module")
def full() -> Program:
    return program_of(FULL)


@pytest.fixture
def en() -> Iterator[str]:
    with in_locale(I18N, "en"):
        yield "en"


def card(program: Program, session_id: str, locale: str) -> str:
    session = program.session(session_id)
    assert session is not None
    return session_card(program, session, locale)


def test_every_kind_has_a_label_in_every_language() -> None:
    assert set(KIND_LABELS) == set(SessionKind)
    for locale in ("ru", "be"):
        with in_locale(I18N, locale):
            for kind, label in KIND_LABELS.items():
                assert I18N.gettext(label) != label, (locale, kind)


def test_card_names_the_kind_and_the_notice(full: Program, en: str) -> None:
    text = card(full, "opening", en)
    assert "🏷 <i>Opening ceremony</i>" in text
    assert "📢 <b>Starts 15 minutes late</b>" in text
    assert "<b>Аляксандр Лукін</b>" in text  # a speaker given by name
    assert "<b>Hanna Novik</b> — Chair, Гродзенскі аблвыканкам" in text
    with in_locale(I18N, "be"):
        assert "🏷 <i>Круглы стол</i>" in card(full, "trade-1", "be")
    assert "🏷" not in card(full, "misc", en)  # "other" says nothing


def test_card_shows_the_section_moderators_and_place(full: Program, en: str) -> None:
    text = card(full, "trade-1", en)
    assert "<b>Moderators:</b>" in text
    assert "<b>Hanna Novik</b>" in text and "<b>Пётр Пятроў</b>" in text
    assert "Big Hall, Grodno Arena" in text
    assert "🧩 Section 2: Trade" in text
    assert "Moderators" not in card(full, "trade-2", en)  # "-": none
    # a moderator who also speaks is listed once
    sample = program_of(SAMPLE_PROGRAM)
    text = card(sample, "d2-s2", en)
    assert text.count("Sergei Yakubovich") == 1 and "Moderators" not in text


def test_a_section_without_a_number_is_never_section_n(full: Program, en: str) -> None:
    culture = full.section("culture")
    assert culture is not None
    assert "🧩 Культура без нумара" in card(full, "concert", en)
    assert "Section" not in card(full, "concert", en)
    assert section_label(culture, en) == "Культура без нумара"
    text, _sessions = section_card(full, culture, en)
    assert text.startswith("🧩 <b>Культура без нумара</b>")
    rendered = render(full, Hit("section", "culture", 1.0), en)
    assert rendered is not None and rendered[0].startswith("<b>Культура без нумара</b>")
    assert "None" not in text + rendered[0]
    trade = full.section("trade")
    assert trade is not None and section_label(trade, en) == "2. Trade"


def test_plain_names_are_found_by_search(full: Program) -> None:
    hits = SearchIndex(full).search("Лукін", limit=3)
    assert hits and hits[0].kind == "session" and hits[0].id == "opening"
