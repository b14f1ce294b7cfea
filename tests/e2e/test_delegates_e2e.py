"""The real process against the fake Bot API: two delegates of a twin-city pair find each other
from the city card, meet on acceptance only, get the meeting in their agenda, its calendar file
and a reminder on the bot's clock; visibility, minors, declines, forged buttons and /forget."""

from __future__ import annotations

from pathlib import Path

from icalendar import Calendar

from bot.keyboards.delegates import DelegCb, MeetCb
from tests.delegates_helpers import fill_profile, mentioned
from tests.e2e.registration_helpers import OPEN_CLOCK, minor_script, register, rows
from tests.fakeapi import FakeTelegram
from tests.fakeapi.users import FakeUser
from tests.harness import BotProcess, bot_env

# A few seconds before the 15-minute reminder of a meeting at 09:00 on the first forum day.
BEFORE_NINE = "2027-06-24T08:44:30"


async def open_city(user: FakeUser, city: str) -> str:
    await user.send(f"/cities {city}")
    card = await user.wait_text("Agreement since")
    await user.press(f"Delegates: {city}", message=card)
    return (await user.wait_text("Delegates here from")).text


async def ask(user: FakeUser, city: str, name: str, note: str) -> None:
    await open_city(user, city)
    await user.press(name)
    profile = await user.wait_text(name)
    await user.press("Ask to meet", message=profile)
    await user.wait_text("short note")
    await user.send(note)
    slots = await user.wait_text("Times free in both agendas")
    await user.press(slots.button_texts()[0], message=slots)
    await user.wait_message()
    await user.press("Send", message=slots)
    await user.wait_text("Sent")


async def test_twin_city_delegates_meet_only_on_acceptance(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # Before the forum, while registration is open: a minor fills a delegate profile, then
    # registers for the youth meeting as a minor.
    env = bot_env(fake, tmp_path, clock_start=OPEN_CLOCK)
    bot = BotProcess(fake, env, tmp_path / "bot.log")
    await bot.start()
    try:
        misha = fake.add_user(741000105, "Misha", language_code="en")
        await fill_profile(misha, "Mogilev", "Misha Young", visibility="all")
        await register(misha, minor_script("Misha Young", "Maria Guardian", "+79123456789"))
    finally:
        await bot.stop()

    env = bot_env(fake, tmp_path, clock_start=BEFORE_NINE)
    bot = BotProcess(fake, env, tmp_path / "bot.log")
    await bot.start()
    try:
        olga = fake.add_user(9101, "Olga", username="olga_mogilev", language_code="en")
        ivan = fake.add_user(9102, "Ivan", username="ivan_tula", language_code="en")
        vera = fake.add_user(9103, "Vera", username="vera_vitebsk", language_code="en")
        petr = fake.add_user(9104, "Petr", username="petr_tula", language_code="en")
        await fill_profile(olga, "Mahilyow", "Olga Semenchuk", visibility="partners")
        await fill_profile(ivan, "Тула", "Ivan Petrov", visibility="partners")
        await fill_profile(vera, "Vitebsk", "Vera Vitebsk", visibility="all")
        await fill_profile(petr, "Tula", "Petr Pushy")

        # Visibility: Vitebsk is not Mogilev's partner; the minor is never listed.
        seen_by_vera = await open_city(vera, "Mogilev")
        assert "Olga Semenchuk" not in seen_by_vera and "Misha" not in seen_by_vera
        seen_by_ivan = await open_city(ivan, "Mogilev")
        assert "Olga Semenchuk" in seen_by_ivan and "Misha" not in seen_by_ivan
        assert "Andrei Kovalev" in seen_by_ivan  # the head of the delegation
        assert "olga_mogilev" not in seen_by_ivan

        # Ivan asks; Olga sees the request without his contact, and accepts.
        await ivan.press("Olga Semenchuk")
        profile = await ivan.wait_text("Olga Semenchuk")
        assert not mentioned(profile) and "olga_mogilev" not in profile.text
        await ivan.press("Ask to meet", message=profile)
        await ivan.wait_text("short note")
        await ivan.send("Joint tourist routes <b>2028</b>")
        slots = await ivan.wait_text("Times free in both agendas")
        assert slots.button_texts()[0].endswith("09:00–09:30")
        await ivan.press(slots.button_texts()[0], message=slots)
        await ivan.wait_message()
        await ivan.press("Send", message=slots)
        await ivan.wait_text("Sent")
        request = await olga.wait_text("A request to meet", timeout=15)
        assert "Joint tourist routes <b>2028</b>" in request.text  # escaped, shown as typed
        assert "ivan_tula" not in request.text and not mentioned(request)

        # Forged buttons: a third person cannot accept, open or export the meeting.
        meeting_id = int(
            rows(Path(env["DATABASE_PATH"]), "SELECT max(id) AS id FROM meetings")[0]["id"]
        )
        for data in (
            MeetCb(action="acc", id=meeting_id, n=0).pack(),
            MeetCb(action="open", id=meeting_id).pack(),
            MeetCb(action="ics", id=meeting_id).pack(),
        ):
            await vera.press_data(data)
            assert (await vera.wait_callback_answer()).get("show_alert")
        await ivan.press_data(MeetCb(action="acc", id=meeting_id, n=0).pack())
        assert (await ivan.wait_callback_answer()).get("show_alert")

        await olga.press(request.button_texts()[0], message=request)
        agreed = await olga.wait_text("Meeting agreed")
        assert mentioned(agreed) == {ivan.id} and "@ivan_tula" in agreed.text
        told = await ivan.wait_text("Meeting agreed", timeout=15)
        assert mentioned(told) == {olga.id} and "@olga_mogilev" in told.text

        # In the agenda, as a calendar file, and a reminder before it (the bot's clock).
        await ivan.send("/agenda")
        agenda = await ivan.wait_text("My agenda")
        assert "09:00–09:30 — meeting with Olga Semenchuk" in agenda.text
        await ivan.press("Add to calendar", message=told)
        document = await ivan.wait_message(lambda m: m.document is not None)
        (event,) = Calendar.from_ical(document.document_bytes).walk("VEVENT")
        assert "Olga Semenchuk" in str(event["SUMMARY"])
        assert event.decoded("DTSTART").hour == 9
        for user in (ivan, olga):
            reminder = await user.wait_text("your meeting with", timeout=45)
            other = olga if user is ivan else ivan
            assert other.id in mentioned(reminder)

        # A declined request reveals nothing.
        await ask(petr, "Mogilev", "Olga Semenchuk", "Hello")
        second = await olga.wait_text("A request to meet", timeout=15)
        await olga.press("Decline", message=second)
        await olga.wait_text("Declined")
        declined = await petr.wait_text("declined the request", timeout=15)
        assert not mentioned(declined)
        for message in petr.messages:
            assert "olga_mogilev" not in (message.text or "") and olga.id not in mentioned(message)
        for message in vera.messages:
            assert "olga_mogilev" not in (message.text or "") and olga.id not in mentioned(message)
        # A forged "open profile" for the minor's profile shows nothing.
        minor_id = rows(
            Path(env["DATABASE_PATH"]),
            "SELECT id FROM delegate_profiles WHERE user_id = ?",
            (misha.id,),
        )[0]["id"]
        await ivan.press_data(DelegCb(action="prof", id=minor_id).pack())
        assert "not available" in (await ivan.wait_callback_answer())["text"]

        # /forget removes Petr's profile and his open requests.
        await ask(petr, "Mogilev", "Olga Semenchuk", "Once more")
        await olga.wait_text("A request to meet", timeout=15)
        await petr.send("/forget")
        await petr.wait_text("delegate profile")
        await petr.press("Yes")
        await petr.wait_text("Done: everything")
        db_path = Path(env["DATABASE_PATH"])
        assert rows(db_path, "SELECT * FROM delegate_profiles WHERE user_id = ?", (petr.id,)) == []
        sql = "SELECT * FROM meetings WHERE requester = ? OR invitee = ?"
        assert rows(db_path, sql, (petr.id, petr.id)) == []
        # Nothing of him is left in the file, Olga's copies of his requests included.
        stored = db_path.read_bytes() + Path(f"{db_path}-wal").read_bytes()
        for trace in ("Petr Pushy", "Once more"):
            assert trace.encode() not in stored, trace
        fake.assert_no_rejections()
    finally:
        await bot.stop()
    bot.assert_clean_log()
