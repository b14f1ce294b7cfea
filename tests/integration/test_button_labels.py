"""Every keyboard the bot builds fits a phone, in every language: labels at most LABEL_LIMIT
columns, a label too wide to share its row alone in it, no two labels alike on one keyboard.

A crawler talks to the real application through the fake Bot API as a participant and as an
organizer would: it sends every command and free-text questions made of the programme's own
names, then presses every button it has not pressed yet, breadth first; then, with the clock
moved to the registration weeks, it walks the registration form. The programmes are the
sample and a copy with every name made very long and titles that repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.keyboards.admin import ComposeCb
from bot.keyboards.labels import LABEL_LIMIT, fit, row_limit, width
from bot.program.loader import parse_program
from bot.program.model import Program
from tests.e2e.registration_helpers import OPEN_CLOCK
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import OWNER_ID, running_app
from tests.robustness.support import Probe, walk_registration
from tests.schedule_helpers import long_titles_text, sample_text, write

# During the forum's second day: now and next, today's marks, every screen of the schedule.
FORUM_DAY = "2027-06-25T10:30"
COMMANDS = (
    "/start", "/help", "/schedule", "/now", "/sections", "/cities", "/agenda", "/settings",
    "/language", "/register", "/mydata", "/forget",
)  # fmt: skip
ORGANIZER_COMMANDS = ("/admin", "/inbox", "/stats", "/announcements", "/team", "/audit")
# Buttons the crawler never presses: they send to everyone or take a role away, and another
# language's button (the crawl of each language stays in it).
DO_NOT_PRESS = (
    "oc:send",
    "oc:sched",
    "oc:test",
    "on:",
    "ot:rm",
    "lang:",
    "ou:",
    "op:ok",
    "op:rbok",
)
# Steps of a live edit that change the programme (their keyboards are seen, not pressed).
EDIT_APPLIES = frozenset({"h", "ds", "cxy", "rs", "ntc"})
# A crawl stops after this many presses (the whole sample takes a few hundred).
MAX_PRESSES = 1500


@dataclass
class Finding:
    """Where a keyboard was seen, for a message that says what to fix."""

    language: str
    screen: str  # the first line of the message the keyboard came with
    rows: list[list[str]]

    def where(self) -> str:
        layout = " | ".join("  ".join(f"[{t}]" for t in row) for row in self.rows)
        return f"{self.language}: under «{self.screen}»: {layout}"


@dataclass
class Crawl:
    app: App
    fake: FakeTelegram
    program: Program
    user: FakeUser
    language: str
    pressed: set[str] = field(default_factory=set)
    queue: list[tuple[int, str]] = field(default_factory=list)
    keyboards: list[Finding] = field(default_factory=list)
    seen: set[tuple[tuple[str, ...], ...]] = field(default_factory=set)

    async def settle(self) -> None:
        """Until every update sent so far is handled (the bot's answers are all in)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while self.fake._updates or self.app.dp._handle_update_tasks:
            assert loop.time() < deadline, "the bot did not finish handling the updates"
            await asyncio.sleep(0.002)

    def collect(self, cursor: int) -> None:
        for kind, message in self.user.chat.events[cursor:]:
            if kind == "delete" or not message.reply_markup:
                continue
            rows = [[b["text"] for b in row] for row in message.buttons()]
            key = tuple(tuple(row) for row in rows)
            screen = (message.content or "").split("\n", 1)[0][:60]
            if key not in self.seen:
                self.seen.add(key)
                self.keyboards.append(Finding(self.language, screen, rows))
            for row in message.buttons():
                for button in row:
                    data = button.get("callback_data")
                    if data and self.wanted(data):
                        self.queue.append((message.message_id, data))

    def wanted(self, data: str) -> bool:
        if data == f"lang:{self.language}":
            return data not in self.pressed
        if data.startswith(DO_NOT_PRESS):
            return False
        parts = data.split(":")
        if parts[0] == "oe" and len(parts) > 3 and parts[3] in EDIT_APPLIES:
            return False
        return normal(data, self.program) not in self.pressed

    async def step(self, action: Any) -> None:
        cursor = len(self.user.chat.events)
        await action
        await self.settle()
        self.collect(cursor)

    async def run(self, texts: Iterable[str]) -> None:
        for text in texts:
            await self.step(self.user.send(text))
        presses = 0
        while self.queue and presses < MAX_PRESSES:
            message_id, data = self.queue.pop(0)
            if not self.wanted(data):
                continue
            self.pressed.add(normal(data, self.program))
            presses += 1
            await self.step(self.user.press_data(data, message_id))
        assert presses < MAX_PRESSES, "the crawl did not end: a keyboard keeps making new data"


def normal(data: str, program: Program) -> str:
    """Buttons that lead to the same keyboard count as one: a session's card whichever list
    it was opened from ("back"); adding, removing, the calendar file and the map of any session
    (their keyboards hold no names); subscribing to any section; a region's page whichever of
    its city pairs names it; any reminder choice."""
    parts = data.split(":")
    if parts[0] == "ss" and len(parts) > 2:
        return f"ss:{parts[1]}:open" if parts[2] == "open" else f"ss:*:{parts[2]}"
    if parts[0] == "sc" and len(parts) > 2 and parts[2] != "open":
        return f"sc:*:{parts[2]}"
    if parts[0] == "cr" and len(parts) == 4 and (pair := program.city_pair(parts[2])):
        region = (pair.by_region if parts[1] == "by" else pair.ru_subject).get("ru")
        return f"cr:{parts[1]}:{region}:{parts[3]}"
    if parts[0] == "set" and len(parts) > 1 and parts[1] == "reminder":
        return "set:reminder:*" if parts[2] != "0" else data
    return data


def questions(program: Program, language: str) -> list[str]:
    """Free texts whose answers carry buttons: the programme's own names."""
    texts = [s.title.get(language) for s in program.sessions[::4]]
    texts += [s.title.get(language) for s in program.sections[::2]]
    texts += [q.question.get(language) for q in program.faq[::3]]
    texts += [p.by_city.get(language) for p in program.city_pairs[::6]]
    texts += [p.name.get(language) for p in program.speakers[::8]]
    return list(dict.fromkeys(t for t in texts if t))


@contextlib.asynccontextmanager
async def crawled_app(tmp_path: Path, program_text: str) -> AsyncIterator[tuple[App, FakeTelegram]]:
    # No global rate limit: the crawl is one person pressing fast, not a broadcast.
    fake = FakeTelegram(global_rate=None)
    await fake.start()
    try:
        path = write(tmp_path, "program.yaml", program_text)
        async with running_app(fake, tmp_path, program_file=path, clock_start=FORUM_DAY) as app:
            yield app, fake
    finally:
        await fake.stop()


async def crawl_all(app: App, fake: FakeTelegram, program: Program) -> list[Finding]:
    participants = []
    for n, language in enumerate(("ru", "be", "en")):
        user = fake.add_user(8100 + n, "Crawler", language_code=language)
        texts = [*COMMANDS, *questions(program, language), "/cities Брест"]
        participants.append((Crawl(app, fake, program, user, language), texts))
    # The three participants at once (as people do).
    await asyncio.gather(*(crawl.run(texts) for crawl, texts in participants))
    organizers = []
    owner = fake.add_user(OWNER_ID, "Owner")
    for crawl, _texts in participants:
        # The owner in each language: what a participant sees was pressed already.
        organizer = Crawl(app, fake, program, owner, crawl.language, set(crawl.pressed))
        await organizer.step(owner.send("/language"))
        await organizer.step(owner.press_data(f"lang:{crawl.language}"))
        # Besides the commands: a session's and a section's card with their Edit buttons (the
        # participant opened them, but without those).
        session = next(s for s in program.sessions if s.section)
        await organizer.run(
            [
                *ORGANIZER_COMMANDS,
                f"/start s-{session.id}",
                f"/start x-{session.section}",
            ]
        )
        # The composer, with a draft for everyone: its language, urgency and audience buttons.
        await organizer.step(owner.send("/announce"))
        await organizer.step(owner.send("Проверка"))
        await organizer.step(owner.press_data(ComposeCb(action="aud", value="all").pack()))
        await organizer.run(())
        organizers.append(organizer)
    form = await crawl_form(app, fake, program)
    fake.assert_no_rejections()
    return [finding for crawl in (*(c for c, _t in participants), *organizers, form)
            for finding in crawl.keyboards]  # fmt: skip


async def crawl_form(app: App, fake: FakeTelegram, program: Program) -> Crawl:
    """The registration form, open a month before the forum: walked in English as a minor
    (every step, the guardian's too), then every button of its summary pressed."""
    app.clock.offset += datetime.fromisoformat(OPEN_CLOCK).replace(
        tzinfo=program.forum.tz
    ) - datetime.fromisoformat(FORUM_DAY).replace(tzinfo=program.forum.tz)
    user = fake.add_user(8200, "Anna", language_code="en", phone="+375291234567")
    crawl = Crawl(app, fake, program, user, "en")
    await walk_registration(Probe(fake, app), user)
    await crawl.settle()
    crawl.collect(0)
    await crawl.run(())
    return crawl


def problems(findings: list[Finding]) -> list[str]:
    found = []
    for finding in findings:
        labels = [t for row in finding.rows for t in row]
        for text in labels:
            if width(text) > LABEL_LIMIT:
                found.append(
                    f"label «{text}» is {width(text)} columns, over {LABEL_LIMIT} "
                    f"(cut it with bot.keyboards.labels.fit): {finding.where()}"
                )
        for row in finding.rows:
            if len(row) > 1:
                wide = [t for t in row if width(t) > row_limit(len(row))]
                if wide:
                    found.append(
                        f"labels {wide} are too wide to share a row of {len(row)} "
                        f"(at most {row_limit(len(row))} columns each; lay rows out with "
                        f"bot.keyboards.labels.pack): {finding.where()}"
                    )
        repeated = sorted({t for t in labels if labels.count(t) > 1})
        if repeated:
            found.append(
                f"labels {repeated} appear twice on one keyboard (make them tell apart, e.g. "
                f"bot.keyboards.labels.unique): {finding.where()}"
            )
    return found


@pytest.mark.parametrize("programme", ["sample", "long titles"])
async def test_every_keyboard_fits_a_phone(tmp_path: Path, programme: str) -> None:
    text = sample_text() if programme == "sample" else long_titles_text()
    program = parse_program(text, "program.yaml")
    async with crawled_app(tmp_path, text) as (app, fake):
        findings = await crawl_all(app, fake, program)
    languages = {f.language for f in findings}
    assert languages == {"ru", "be", "en"}
    # The crawl reached the screens that show the programme's own names on buttons.
    shown = {t for f in findings for row in f.rows for t in row}
    assert len(findings) > 60, len(findings)
    assert any("🇧🇾" in t for t in shown) and any("▶" in t for t in shown)
    # ... and the organizers' screens: the composer's languages, a live edit's steps, halls.
    assert {"➕ Белорусский", "➕ Belarusian", "⏱ Delay", "+15 min"} <= shown
    assert "Only this session" in shown
    halls = [fit(h.name.get("en")) for venue in program.venues for h in venue.halls]
    assert any(label in shown for label in halls)
    found = problems(findings)
    assert not found, "\n".join(found[:40]) + (
        f"\n… {len(found)} in all" if len(found) > 40 else ""
    )
