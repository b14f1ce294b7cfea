"""Free-text answers through the real dispatcher against the fake Bot API: "did you mean",
a city that is not a partner, a moment answered with the schedule's own screen, a speaker
card, a venue pin, and an inbox answer saved as FAQ reaching the next asker."""

from __future__ import annotations

from pathlib import Path

from bot.keyboards.common import MenuCb
from bot.keyboards.links import SectionCb
from bot.keyboards.questions import AskCb, InboxCb
from bot.settings import SAMPLE_PROGRAM
from tests.fakeapi import FakeTelegram
from tests.harness import OWNER_ID, running_app

# Friday 25 June 2027, during the plenary session of the sample forum.
DURING_PLENARY = "2027-06-25T10:30:00"


def datas(message: object) -> list[str]:
    return [b.get("callback_data", "") for row in message.buttons() for b in row]  # type: ignore[attr-defined]


async def test_did_you_mean_offers_the_candidates_as_buttons(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=DURING_PLENARY):
        anna = fake.add_user(7401, "Anna", language_code="en")
        # Two sections share both words: the bot must not pick one with confidence.
        await anna.send("industrial cooperation section")
        offer = await anna.wait_message()
        assert "Did you mean" in offer.text
        buttons = datas(offer)
        assert SectionCb(id="s1-industry").pack() in buttons
        assert SectionCb(id="s2-agro").pack() in buttons
        assert any(d.startswith(AskCb.__prefix__) for d in buttons)  # none fits: organizers
        assert all(len(d.encode()) <= 64 for d in buttons)
        # The button shows the title as far as a phone does ("Industrial cooperation…").
        await anna.press("Industrial cooperation", message=offer)
        card = await anna.wait_message()
        assert "Industrial cooperation and import substitution" in card.text
        assert "Pavel Grinevich" in card.text  # the section card with its moderators
        fake.assert_no_rejections()


async def test_a_city_that_is_not_a_partner_is_named_as_such(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=DURING_PLENARY):
        ira = fake.add_user(7402, "Ира", language_code="ru")
        await ira.send("побратимы Казани")
        answer = await ira.wait_message()
        assert "Казани" in answer.text and "не входит в число городов-партнёров" in answer.text
        assert MenuCb(action="cities").pack() in datas(answer)
        # A partner city by a Belarusian spelling with a typo still gets its card.
        await ira.send("пабрацімы Магілёу")
        card = await ira.wait_message()
        assert "Тула" in card.text and "Могилёв" in card.text
        fake.assert_no_rejections()


async def test_what_is_on_now_in_words_gives_the_now_screen(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=DURING_PLENARY):
        oleg = fake.add_user(7403, "Олег", language_code="ru")
        await oleg.send("/now")
        by_command = await oleg.wait_message()
        await oleg.send("что сейчас идёт?")
        by_words = await oleg.wait_message()
        assert "Пленарное заседание" in by_words.text
        assert by_words.text.split("\n")[1:] == by_command.text.split("\n")[1:]
        assert datas(by_words) == datas(by_command)

        ales = fake.add_user(7404, "Алесь", language_code="be")
        await ales.send("праграма на суботу")
        day = await ales.wait_message()
        # The day's first part, with a button to each other part (as the day buttons give).
        assert "26 чэрвеня" in day.text and "🌅 Раніца" in day.text
        await ales.press("☀️ Дзень ▶", message=day)
        afternoon = await ales.wait_text("☀️ Дзень")
        assert "Падвядзенне вынікаў форуму" in afternoon.text
        await ales.send("што будзе ўвечары")
        evening = await ales.wait_message()
        assert "Гала-канцэрт" in evening.text and "Секцыя 1" not in evening.text
        fake.assert_no_rejections()


async def test_where_a_speaker_speaks_gives_their_card(fake: FakeTelegram, tmp_path: Path) -> None:
    async with running_app(fake, tmp_path, clock_start=DURING_PLENARY):
        tom = fake.add_user(7405, "Tom", language_code="en")
        await tom.send("where does Grinevich speak")
        card = await tom.wait_message()
        assert "Pavel Grinevich" in card.text
        assert "Chief Executive Officer" in card.text and "Dnieper Machine Tool Plant" in card.text
        assert "Meeting of the Twin Cities Business Council" in card.text
        assert "Moderates the sections" in card.text
        assert "Industrial cooperation and import substitution" in card.text

        await tom.send("who moderates the healthcare section")
        moderators = await tom.wait_message()
        assert "Igor Kuznetsov" in moderators.text and "Elena Petrova" in moderators.text

        await tom.send("address of the university")
        venue = await tom.wait_text("1 Kosmonavtov St")
        pin = await tom.wait_message(lambda m: m.venue is not None)
        assert pin.venue is not None and abs(pin.venue["location"]["latitude"] - 53.8865) < 1e-6
        assert venue.text
        fake.assert_no_rejections()


async def test_an_inbox_answer_saved_as_faq_answers_the_next_asker(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=DURING_PLENARY) as app:
        owner = fake.add_user(OWNER_ID, "Owner", language_code="en")
        await owner.send("/start")
        await owner.wait_message()
        mia = fake.add_user(7406, "Mia", language_code="en")
        await mia.send("are dogs allowed at the forum?")
        await mia.wait_text("did not find")
        await mia.press("Send to the organizers")
        await mia.wait_text("sent to the organizers")
        notice = await owner.wait_text("dog")
        await owner.press("Answer", message=notice)
        await owner.wait_text("Write your answer")
        await owner.send("Dogs on a lead are welcome everywhere except the Main Hall.")
        done = await owner.wait_text("on its way")
        await owner.press("Save as an FAQ answer", message=done)
        await owner.wait_text("Saved as an FAQ answer")
        async with app.db.transaction():
            saved = await app.db.faq.all()
        assert [e.answer for e in saved] == [
            {"en": "Dogs on a lead are welcome everywhere except the Main Hall."}
        ]
        assert "dogs" in saved[0].keywords

        # Saving twice (an old button pressed again) does nothing more.
        await owner.press_data(
            InboxCb(action="faq", id=saved[0].question_id or 0).pack(), done.message_id
        )
        assert "already saved" in (await owner.wait_callback_answer())["text"]
        # A participant forging the organizers' button is refused.
        await mia.press_data(InboxCb(action="faq", id=1).pack())
        assert "organizers only" in (await mia.wait_callback_answer())["text"]

        # Its Belarusian version, added later, reaches Belarusian readers.
        await owner.press("➕ Belarusian")
        await owner.wait_text("Write the question in Belarusian")
        await owner.send("Ці можна прыйсці з сабакам?")
        await owner.wait_text("Now the answer")
        await owner.send("Сабакі на павадку — так, акрамя Вялікай залы.")
        versions = await owner.wait_text("now has its version in Belarusian")
        assert [t for t in versions.button_texts() if "Russian" in t]
        async with app.db.transaction():
            entry = await app.db.faq.get(saved[0].id)
        assert entry is not None and set(entry.answer) == {"en", "be"}
        yas = fake.add_user(7408, "Ясь", language_code="be")
        await yas.send("а з сабакам можна?")
        assert "акрамя Вялікай залы" in (await yas.wait_text("Сабакі")).text

        leo = fake.add_user(7407, "Leo", language_code="en")
        await leo.send("is it ok to come with a dog?")
        answer = await leo.wait_text("Dogs on a lead")
        assert "Main Hall" in answer.text

        # A new programme import keeps the saved entry.
        source = SAMPLE_PROGRAM.read_text(encoding="utf-8").replace("Forum2027", "Forum2028")
        result = await app.programs.import_text(source, "new.yaml")
        assert result.ok and result.changed
        assert app.programs.program.faq_entry(saved[0].id) is not None
        await leo.send("dog allowed?")
        assert "Main Hall" in (await leo.wait_text("Dogs on a lead")).text
        fake.assert_no_rejections()
