"""What a person sees in the registration form, through the real dispatcher and handlers:
the questions said up front and counted steadily, choices that follow the chosen country and
region, answers read as people write them, neutral words, what happens after Confirm, and a
closed registration that is no dead end."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiogram.fsm.storage.base import StorageKey

from tests.e2e.registration_helpers import (
    OPEN_CLOCK,
    PACE,
    adult_script,
    answer_form,
    at_step,
    minor_script,
    register,
)
from tests.fakeapi import FakeTelegram, FakeUser
from tests.harness import running_app

RU_CITIES = ("Tula", "Smolensk", "Pskov", "Bryansk", "Тула", "Смоленск")


def questions(user: FakeUser) -> list[str]:
    """The form's questions the user got, each from its header line on."""
    found = []
    for m in user.messages:
        text = m.text or ""
        if m.from_bot and " · " in text:
            found.append(text[text.rfind("\n", 0, text.index(" · ")) + 1 :])
    return found


async def test_the_form_says_its_length_up_front_and_counts_steadily(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK) as app:
        kid = fake.add_user(751000001, "Kid", language_code="en", phone="+375291110001")
        await kid.send("/register")
        intro = await kid.wait_text("The form has")
        assert "The form has 13 questions" in intro.text
        assert "Have at hand: your phone number and e-mail address." in intro.text
        assert "If you are under 18: the name and phone number of your parent" in intro.text

        # Hostile and natural answers on the way.
        await answer_form(kid, [("name", "\u3164\u3164\u3164 \u3164")])
        assert "with letters" in (await at_step(kid, "name")).text
        await asyncio.sleep(PACE)
        await kid.send("Kira Young")
        await answer_form(kid, [("birth", "March 14, 2011"), ("country", ("press", "Belarus"))])
        region = await at_step(kid, "region")
        assert len(region.button_texts()) == 7 + 2  # the seven regions, Back and Cancel
        await asyncio.sleep(PACE)
        await kid.press("Mogilev Region", message=region)
        city = await at_step(kid, "city")
        offered = city.button_texts()
        assert {"Mogilev", "Babruysk"} <= set(offered)
        assert not set(offered) & set(RU_CITIES)
        await asyncio.sleep(PACE)
        await kid.press("Mogilev", message=city)
        await answer_form(
            kid,
            [("org", "School 1"), ("pos", "pupil"), ("phone", "+375 29 ABC-45-67")],
        )
        refused = await at_step(kid, "phone")
        assert "no letters" in refused.text
        await asyncio.sleep(PACE)
        await kid.share_contact("79123456789")  # some clients send it without "+"
        script = minor_script("Kira Young", "Maria Young", "+375291234500")[8:]
        await answer_form(kid, script)
        summary = await at_step(kid, "summary")
        assert "Date of birth: 14 March 2011" in summary.text
        assert "Phone: +7 912 345-67-89" in summary.text
        assert "City: Mogilev" in summary.text

        asked = questions(kid)
        main = [t for t in asked if "parent or guardian, question" not in t]
        assert main and all(" of 13" in t.split("\n")[0] for t in main), main
        guardian = [t.split("\n")[0] for t in asked if "parent or guardian, question" in t]
        assert [g.split(" · ")[1] for g in guardian] == [
            "parent or guardian, question 1 of 2",
            "parent or guardian, question 2 of 2",
        ]
        optional = next(t for t in asked if "experience" in t)
        assert optional.lower().count("optional") == 1, optional

        row_key = StorageKey(bot_id=app.bot.id, chat_id=kid.id, user_id=kid.id)
        data = await app.dp.storage.get_data(row_key)
        assert data["a"]["region"] == "BY-MA" and data["a"]["city"] == "BY-MA.mogilev"
        assert data["a"]["phone"] == "+79123456789"
    fake.assert_no_rejections()


async def test_russian_and_belarusian_readers_get_neutral_words_and_dates_in_words(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK) as app:
        cases = [
            ("ru", "14 марта 2000", "Беларусь", "Могилёвская область", "Даю согласие"),
            ("be", "14 сакавіка 2000", "Беларусь", "Магілёўская вобласць", "Даю згоду"),
        ]
        for i, (lang, birth, country, region, agree) in enumerate(cases):
            anna = fake.add_user(752000001 + i, "Анна", language_code=lang)
            script = adult_script(
                "Анна Ковалёва",
                f"anna{i}@example.org",
                birth=birth,
                country=("press", country),
                region=("press", region),
                city="Могилёв",
                **{
                    "x.section": ("pick", 0),
                    "x.accommodation": ("pick", 1),
                    "x.experience": "Волонтёрский проект (необязательно — пишу)",
                    "consent": ("press", agree),
                },
            )
            first = await register(anna, script)
            assert "✅" in first.text
            await asyncio.sleep(PACE)
            await anna.send("/register")
            card = await anna.wait_message(lambda m: "YM-" in (m.text or ""))
            row = await app.db.registrations.by_user(anna.id)
            assert row is not None and row.birth_date == "2000-03-14"
            assert (row.region, row.city) == ("BY-MA", "BY-MA.mogilev")
            said = "\n".join(
                "\n".join([m.text or m.caption or "", *m.button_texts()])
                for m in anna.messages
                if m.from_bot
            )
            for gendered in ("(а)", "(на)", "(ая)", "ый(", "зарегистрирован(", "зарэгістраван"):
                assert gendered not in said, (lang, gendered)
            status = {
                "ru": "Статус регистрации: подтверждено",
                "be": "Статус рэгістрацыі: пацверджана",
            }
            assert status[lang] in card.text
    fake.assert_no_rejections()


async def test_after_confirm_what_happens_next_and_a_second_confirm(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=OPEN_CLOCK) as app:
        ann = fake.add_user(753000001, "Ann", language_code="en")
        await ann.send("/register")
        await answer_form(ann, adult_script("Ann Lee", "ann@example.org"))
        summary = await at_step(ann, "summary")
        key = StorageKey(bot_id=app.bot.id, chat_id=ann.id, user_id=ann.id)
        state, data = await app.dp.storage.get_state(key), await app.dp.storage.get_data(key)
        await asyncio.sleep(PACE)
        await ann.press("Confirm", message=summary)
        done = await ann.wait_text("is confirmed")
        number = done.text.split("number is ")[1].rstrip(".")
        qr = await ann.wait_message(lambda m: m.photo_bytes is not None)
        assert number in qr.content
        after = await ann.wait_text("What happens next")
        assert "Come to the registration desk on 24 June, 08:00–10:00" in after.text
        assert "Palace of Culture" in after.text or "Дворец культуры" in after.text
        assert "show your QR code" in after.text and "Organizing committee" in after.text
        assert "🗓 Schedule" in after.button_texts()  # the menu, not a dead end

        # A second Confirm (a double tap that raced the first) stores nothing new.
        await app.dp.storage.set_state(key, state)
        await app.dp.storage.set_data(key, data)
        await asyncio.sleep(PACE)
        await ann.press("Confirm", message=summary)
        again = await ann.wait_text("already registered")
        assert number in again.text
        assert not [m for m in ann.messages if "changes are saved" in (m.text or "")]
        assert len(await app.db.registrations.all()) == 1
    fake.assert_no_rejections()


async def test_a_closed_registration_gives_its_dates_and_whom_to_ask(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start="2027-06-21T10:00") as app:
        late = fake.add_user(754000001, "Late", language_code="en")
        await late.send("/register")
        closed = await late.wait_text("Registration closed")
        assert "20 June 2027, 18:00" in closed.text and "1 May 2027, 09:00" in closed.text
        assert "Questions to the organizers" in closed.text and "forum@example.org" in closed.text
        assert "☰ Menu" in closed.button_texts()
        assert await app.db.registrations.all() == []
    async with running_app(fake, tmp_path, clock_start="2027-04-01T10:00"):
        early = fake.add_user(754000002, "Early", language_code="ru")
        await early.send("/register")
        soon = await early.wait_text("Регистрация откроется")
        assert "1 мая 2027" in soon.text and "20 июня 2027" in soon.text
    fake.assert_no_rejections()
