"""The programme file's materials and end-of-forum survey in-process: the links show on the
card and in the materials; the survey is offered once when the last session has ended (not
to people with feedback off), walked with a choice, a yes/no, a skip and a text; organizers
see the counts and export the answers; /mydata shows the answers and /forget deletes them."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.keyboards.session_live import LiveCb
from bot.services.survey import forum_over_at
from bot.settings import SAMPLE_PROGRAM
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, running_app
from tests.integration.test_program_upload import join, save
from tests.session_helpers import open_card

EXTRA = """
materials:
  - session: plenary
    title: {ru: "Презентация пленарного", en: "Plenary slides"}
    url: https://example.org/slides/plenary.pdf?a=1&b=2
  - section: s1-industry
    title: {ru: "Доклады секции", en: "Section papers"}
    url: https://example.org/s1

survey:
  - id: overall
    text: {ru: "Как вам форум?", en: "How was the forum?"}
    kind: choice
    required: true
    options: [{ru: Отлично, en: Excellent}, {ru: Хорошо, en: Good}]
  - id: again
    text: {ru: "Приедете снова?", en: "Will you come again?"}
    kind: yes_no
  - id: food
    text: {ru: "Как кормили?", en: "How was the food?"}
    kind: text
  - id: wish
    text: {ru: "Что улучшить?", en: "What <should> we improve?"}
    kind: text
    max_length: 30
"""


@pytest.fixture
async def survey_app(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[App]:
    program = tmp_path / "program.yaml"
    program.write_text(SAMPLE_PROGRAM.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    fake.global_rate = None
    async with running_app(
        fake, tmp_path, send_rate=1000, clock_start="2027-06-26T10:00", program_file=program
    ) as app:
        yield app


def rows(app: App, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(app.settings.database_path) as conn:
        return conn.execute(sql).fetchall()


async def test_programme_links_show_on_the_card(fake: FakeTelegram, survey_app: App) -> None:
    ann = await join(fake, 7701, "Ann")
    card = await open_card(ann, "plenary")
    assert "📎 Materials (1)" in card.button_texts()
    await ann.press("📎 Materials (1)", message=card)
    listing = await ann.wait_text("Plenary slides")
    assert listing.entities[-1]["url"] == "https://example.org/slides/plenary.pdf?a=1&b=2"
    section_session = next(
        s.id for s in survey_app.programs.program.sessions if s.section == "s1-industry"
    )
    card = await open_card(ann, section_session)
    assert "📎 Materials (1)" in card.button_texts()

    # An organizer adds a file to the section from its card; a participant cannot.
    await ann.press_data(LiveCb(action="addx", id="s1-industry").pack(), card.message_id)
    assert "organizers only" in (await ann.wait_callback_answer())["text"]
    owner = await join(fake, OWNER_ID, "Olga")
    await owner.send("/start x-s1-industry")
    section_card = await owner.wait_message(lambda m: bool(m.buttons()))
    await owner.press("📎 Add material", message=section_card)
    await owner.wait_text("for the section")
    await owner.send_document("industry.pptx", b"PK slides")
    await owner.wait_text("industry.pptx")
    await owner.press("Done", message=owner.last_message)
    card = await open_card(ann, section_session)
    assert "📎 Materials (2)" in card.button_texts()
    await ann.send("/start x-s1-industry")
    section_card = await ann.wait_message(lambda m: bool(m.buttons()))
    assert "📎 Add material" not in section_card.button_texts()
    await ann.press("📎 Materials (2)", message=section_card)
    listing = await ann.wait_text("Section papers")
    await ann.press("industry.pptx", message=listing)
    got = await ann.wait_message(lambda m: m.document is not None)
    assert got.document_bytes == b"PK slides"
    fake.assert_no_rejections()


async def test_the_survey_once_after_the_forum(fake: FakeTelegram, survey_app: App) -> None:
    ann = await join(fake, 7711, "Ann")
    bob = await join(fake, 7712, "Bob")
    carl = await join(fake, 7713, "Carl")  # saved nothing: not asked
    await save(ann, "plenary")
    await save(bob, "plenary")
    await bob.send("/settings")
    await bob.press("Feedback requests: on", message=await bob.wait_message())
    await bob.wait_message(lambda m: "Feedback requests: off" in " ".join(m.button_texts()))

    service = survey_app.dp["session_survey"]
    assert await service.offer() == 0  # the forum is not over
    over = forum_over_at(survey_app.programs.program)
    assert over is not None
    survey_app.clock.advance(over - survey_app.clock.now() + timedelta(minutes=1))
    invite = await ann.wait_text("short questions", timeout=15)
    assert await service.offer() == 0  # once

    await ann.press("Answer the survey", message=invite)
    first = await ann.wait_text("How was the forum?")
    assert "Skip" not in " ".join(first.button_texts())  # required
    await ann.press("Good", message=first)
    second = await ann.wait_text("come again")
    await ann.press("Yes", message=second)
    third = await ann.wait_text("food")
    await ann.press("Skip", message=third)
    fourth = await ann.wait_text("What <should>")
    await ann.send("x" * 31)
    await ann.wait_text("limit is 30")
    await ann.send("=More <coffee>")
    await ann.wait_text("Your answers are saved")
    assert fourth is not None
    assert sorted(rows(survey_app, "SELECT question_id, answer FROM survey_answers")) == [
        ("again", "yes"),
        ("overall", "2"),
        ("wish", "=More <coffee>"),
    ]
    await ann.press("Answer the survey", message=invite)
    again = await ann.wait_text("food")  # only the skipped one is left
    assert "Skip" in " ".join(again.button_texts())

    assert not [m for m in bob.messages if m.from_bot and "short questions" in (m.text or "")]
    assert not [m for m in carl.messages if m.from_bot and "short questions" in (m.text or "")]

    owner = await join(fake, OWNER_ID, "Olga")
    await owner.send("/feedback")
    summary = await owner.wait_text("Survey")
    assert "Good — 1" in summary.text and "yes — 1, no — 0" in summary.text
    await owner.press("Export the survey", message=summary)
    export = await owner.wait_message(lambda m: m.document is not None)
    text = export.document_bytes.decode("utf-8-sig")
    assert "How was the forum?;Good;" in text and "'=More <coffee>" in text

    await ann.send("/mydata")
    data = await ann.wait_text("survey answers")
    assert "More &lt;coffee&gt;" not in data.text and "More <coffee>" in data.text
    await ann.send("/forget")
    await ann.press("Yes", message=await ann.wait_message())
    await ann.wait_text("deleted")
    assert rows(survey_app, "SELECT count(*) FROM survey_answers") == [(0,)]
    fake.assert_no_rejections()
