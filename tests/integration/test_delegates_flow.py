"""Delegates and meetings through the real dispatcher against the fake Bot API (in-process,
on the test clock): profiles, visibility, minors, requests, answers, limits, blocks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import App
from bot.keyboards.delegates import DelegCb, MeetCb, OrgDelegCb
from db.registrations import RegistrationData
from tests.delegates_helpers import datas, fill_profile, mentioned
from tests.fakeapi import FakeTelegram
from tests.fakeapi.users import FakeUser
from tests.harness import OWNER_ID, running_app

# Thursday 24 June 2027, the first forum day, early morning.
EARLY = "2027-06-24T08:00:00"


async def test_profile_listing_request_accept_and_contact(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY) as app:
        olga = fake.add_user(8101, "Olga", username="olga_mog", language_code="en")
        ivan = fake.add_user(8102, "Ivan", username="ivan_tula", language_code="en")
        await fill_profile(olga, "Mahilyow", "Olga Semenchuk", position="Culture head")
        await fill_profile(ivan, "Tula", "Ivan Petrov", position="Tourism chair")

        await ivan.send("/cities Mogilev")
        card = await ivan.wait_text("Mogilev")
        assert "Agreements" in card.text and "Agreement on cooperation in tourism" in card.text
        assert "(Mogilev — Tula)" in card.text and "(Mogilev Region — Tula Oblast)" in card.text
        await ivan.press("Delegates: Mogilev", message=card)
        listing = await ivan.wait_text("Delegates here from Mogilev")
        assert "Olga Semenchuk" in listing.text
        assert "Head of the delegation: Andrei Kovalev" in listing.text
        assert "olga_mog" not in listing.text and "8101" not in " ".join(datas(listing))
        await ivan.press("Olga Semenchuk", message=listing)
        profile = await ivan.wait_text("Olga Semenchuk")
        assert "olga_mog" not in profile.text
        await ivan.press("Ask to meet", message=profile)
        await ivan.wait_text("short note")
        await ivan.send("About joint tourist routes")
        slots = await ivan.wait_text("Times free in both agendas")
        first = slots.button_texts()[0]
        await ivan.press(first, message=slots)
        await ivan.wait_message()
        await ivan.press("Send", message=slots)
        await ivan.wait_text("Sent")

        request = await olga.wait_text("A request to meet", timeout=15)
        assert "Ivan Petrov" in request.text and "About joint tourist routes" in request.text
        assert "ivan_tula" not in request.text and not mentioned(request)
        accept = next(t for t in request.button_texts() if t.startswith("✅"))
        await olga.press(accept, message=request)
        agreed = await olga.wait_text("Meeting agreed")
        assert "ivan_tula" in agreed.text and mentioned(agreed) == {8102}

        told = await ivan.wait_text("Meeting agreed", timeout=15)
        assert "olga_mog" in told.text and mentioned(told) == {8101}

        await ivan.send("/agenda")
        agenda = await ivan.wait_text("My agenda")
        assert "meeting with Olga Semenchuk" in agenda.text

        # The reminder, on the test clock: 15 minutes before the meeting.
        app.clock.advance(timedelta(minutes=46))
        reminder = await ivan.wait_text("your meeting with Olga Semenchuk", timeout=30)
        assert "olga_mog" in reminder.text
        fake.assert_no_rejections()


async def register_minor(app: App, user_id: int) -> None:
    """A youth registration with a birth date that makes the person 15 at the forum."""
    data = RegistrationData(
        "Миша Юный", "2012-03-01", "BY", "BY-MA", "BY-MA.mogilev", "", "", "+375291234567", ""
    )
    async with app.db.transaction():
        await app.db.registrations.create(user_id, data, "guardian")


async def ask_and_send(asker: FakeUser, listing_city: str, name: str, note: str = "") -> None:
    """From the city card of `listing_city`: open `name`'s profile, ask, tick the first time."""
    await asker.send(f"/cities {listing_city}")
    card = await asker.wait_text("Agreement since")
    await asker.press(f"Delegates: {listing_city}", message=card)
    listing = await asker.wait_text("Delegates here from")
    await asker.press(name, message=listing)
    profile = await asker.wait_text(name)
    await asker.press("Ask to meet", message=profile)
    await asker.wait_text("short note")
    if note:
        await asker.send(note)
    else:
        await asker.press("Without a note")
    slots = await asker.wait_text("Times free in both agendas")
    await asker.press(slots.button_texts()[0], message=slots)
    await asker.wait_message()
    await asker.press("Send", message=slots)
    await asker.wait_text("Sent")


async def test_visibility_nobody_partners_and_minors_are_respected(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY) as app:
        olga = fake.add_user(8201, "Olga", language_code="en")
        nina = fake.add_user(8202, "Nina", language_code="en")
        ivan = fake.add_user(8203, "Ivan", language_code="en")
        vera = fake.add_user(8204, "Vera", language_code="en")
        misha = fake.add_user(8205, "Misha", language_code="en")
        anon = fake.add_user(8206, "Anon", language_code="en")
        await fill_profile(olga, "Mogilev", "Olga Semenchuk", visibility="partners")
        await fill_profile(nina, "Могилев", "Nina Hidden", visibility="none")
        await fill_profile(ivan, "Tula", "Ivan Petrov")
        await fill_profile(vera, "Vitebsk", "Vera Vitebsk")
        # Misha filled a profile, then registered for the youth meeting as a minor.
        await fill_profile(misha, "Mahilyow", "Misha Young", visibility="all")
        await register_minor(app, misha.id)

        await ivan.send("/cities Mogilev")
        card = await ivan.wait_text("Agreement since")
        await ivan.press("Delegates: Mogilev", message=card)
        listing = await ivan.wait_text("Delegates here from Mogilev")
        assert "Olga Semenchuk" in listing.text
        assert "Nina Hidden" not in listing.text and "Misha Young" not in listing.text

        # Vitebsk is not Mogilev's partner: Olga's "partner cities" profile is not shown.
        await vera.send("/cities Mogilev")
        card = await vera.wait_text("Agreement since")
        await vera.press("Delegates: Mogilev", message=card)
        listing = await vera.wait_text("Delegates here from Mogilev")
        assert "Olga Semenchuk" not in listing.text and "Misha Young" not in listing.text
        assert "No profile of this city is visible to you yet" in listing.text

        # Without a profile: only the head of the delegation, and how to see more.
        await anon.send("/cities Mogilev")
        card = await anon.wait_text("Agreement since")
        await anon.press("Delegates: Mogilev", message=card)
        listing = await anon.wait_text("Delegates here from Mogilev")
        assert "Andrei Kovalev" in listing.text and "Olga" not in listing.text
        assert "Fill my delegate profile" in " ".join(listing.button_texts())

        # A forged "open profile" button for hidden or minor profiles shows nothing.
        hidden = await app.db.delegates.profile_of(nina.id)
        minor = await app.db.delegates.profile_of(misha.id)
        assert hidden and minor
        for pid in (hidden.id, minor.id):
            await ivan.press_data(DelegCb(action="prof", id=pid).pack())
            assert "not available" in (await ivan.wait_callback_answer())["text"]
            await ivan.press_data(MeetCb(action="ask", id=pid).pack())
            assert "not available" in (await ivan.wait_callback_answer())["text"]

        # The minor cannot open the form again, nor ask anyone to meet.
        await misha.send("/delegate")
        await misha.wait_text("Your delegate profile")
        await misha.press("Change my profile")
        await misha.wait_text("adults only")
        olga_profile = await app.db.delegates.profile_of(olga.id)
        assert olga_profile
        await misha.press_data(MeetCb(action="ask", id=olga_profile.id).pack())
        assert "not available" in (await misha.wait_callback_answer())["text"]
        fake.assert_no_rejections()


async def test_declined_reveals_nothing_and_forged_buttons_reveal_no_contact(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY) as app:
        olga = fake.add_user(8301, "Olga", username="olga_secret", language_code="en")
        ivan = fake.add_user(8302, "Ivan", username="ivan_secret", language_code="en")
        eve = fake.add_user(8303, "Eve", username="eve", language_code="en")
        await fill_profile(olga, "Mogilev", "Olga Semenchuk")
        await fill_profile(ivan, "Tula", "Ivan Petrov")
        await fill_profile(eve, "Tula", "Eve Nosy", visibility="all")
        await ask_and_send(ivan, "Mogilev", "Olga Semenchuk", "Hello")
        request = await olga.wait_text("A request to meet", timeout=15)
        (meeting,) = await app.db.delegates.meetings_of(ivan.id)

        # Forged answers: the asker cannot accept his own request; Eve is no party at all.
        for who in (ivan, eve):
            for data in (
                MeetCb(action="acc", id=meeting.id, n=0).pack(),
                MeetCb(action="ics", id=meeting.id).pack(),
                MeetCb(action="open", id=meeting.id).pack(),
                MeetCb(action="dec", id=meeting.id).pack(),
                MeetCb(action="other", id=meeting.id).pack(),
            ):
                if who is ivan and data.startswith("mt:open"):
                    continue  # his own request: he may open it (without a contact)
                await who.press_data(data)
                answer = await who.wait_callback_answer()
                assert answer.get("show_alert"), (data, answer)
        assert (await app.db.delegates.meeting(meeting.id)).status == "open"  # type: ignore[union-attr]

        await olga.press("Decline", message=request)
        await olga.wait_text("Declined")
        told = await ivan.wait_text("declined the request", timeout=15)
        assert "olga_secret" not in told.text and not mentioned(told)

        # After the decline, the old accept button (its keyboard is gone) does nothing.
        await olga.press_data(MeetCb(action="acc", id=meeting.id, n=0).pack(), request.message_id)
        assert "closed" in (await olga.wait_callback_answer())["text"]
        for user in (ivan, eve):
            for message in user.messages:
                assert "olga_secret" not in (message.text or "")
                assert olga.id not in mentioned(message)
        for message in olga.messages:
            assert "ivan_secret" not in (message.text or "") and ivan.id not in mentioned(message)
        fake.assert_no_rejections()


async def test_other_times_then_accept_block_and_the_request_limit(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY) as app:
        olga = fake.add_user(8401, "Olga", language_code="en")
        ivan = fake.add_user(8402, "Ivan", language_code="en")
        petr = fake.add_user(8403, "Petr", language_code="en")
        await fill_profile(olga, "Mogilev", "Olga Semenchuk")
        await fill_profile(ivan, "Tula", "Ivan Petrov")
        await fill_profile(petr, "Tula", "Petr Pushy")

        await ask_and_send(ivan, "Mogilev", "Olga Semenchuk")
        request = await olga.wait_text("A request to meet", timeout=15)
        await olga.press("Other times", message=request)
        slots = await olga.wait_text("Times free in both agendas")
        assert slots.button_texts()[0] not in request.button_texts()
        await olga.press((1, 0), message=slots)
        await olga.wait_message()
        await olga.press("Send", message=slots)
        await olga.wait_text("Sent")
        counter = await ivan.wait_text("Other times proposed", timeout=15)
        accept = next(t for t in counter.button_texts() if t.startswith("✅"))
        await ivan.press(accept, message=counter)
        agreed = await ivan.wait_text("Meeting agreed")
        assert olga.id in mentioned(agreed)
        told = await olga.wait_text("Meeting agreed", timeout=15)
        assert ivan.id in mentioned(told)
        await olga.press("Add to calendar", message=told)
        ics = await olga.wait_message(lambda m: m.document is not None)
        assert b"BEGIN:VEVENT" in (ics.document_bytes or b"") and b"Ivan Petrov" in (
            ics.document_bytes or b""
        )

        # Petr asks; Olga blocks him: he hears a decline, and can no longer find or ask her.
        await ask_and_send(petr, "Mogilev", "Olga Semenchuk")
        request = await olga.wait_text("A request to meet", timeout=15)
        await olga.press("Block this person", message=request)
        await olga.wait_text("Blocked")
        await petr.wait_text("declined the request", timeout=15)
        olga_profile = await app.db.delegates.profile_of(olga.id)
        assert olga_profile
        await petr.press_data(MeetCb(action="ask", id=olga_profile.id).pack())
        assert "not available" in (await petr.wait_callback_answer())["text"]

        # Ten open requests are the most a person may have.
        for n in range(10):
            async with app.db.transaction():
                await app.db.delegates.add_meeting(
                    petr.id, 990000 + n, "ru-mogilev-tula", "by-mogilev-tula", "", ["x"], 30
                )
        ivan_profile = await app.db.delegates.profile_of(ivan.id)
        assert ivan_profile
        await fill_profile(fake.add_user(8404, "Ira", language_code="en"), "Mogilev", "Ira M")
        ira_profile = await app.db.delegates.profile_of(8404)
        assert ira_profile
        await petr.press_data(MeetCb(action="ask", id=ira_profile.id).pack())
        assert "10 open requests" in (await petr.wait_callback_answer())["text"]
        fake.assert_no_rejections()


async def test_mydata_shows_and_forget_removes_profile_and_requests(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY) as app:
        olga = fake.add_user(8501, "Olga", language_code="en")
        ivan = fake.add_user(8502, "Ivan", language_code="en")
        await fill_profile(olga, "Mogilev", "Olga Semenchuk")
        await fill_profile(ivan, "Tula", "Ivan Petrov", organization="Tula Arms Plant")
        await ask_and_send(ivan, "Mogilev", "Olga Semenchuk", "About arms")
        await olga.wait_text("A request to meet", timeout=15)

        await ivan.send("/mydata")
        mydata = await ivan.wait_text("everything the bot stores")
        assert "Your delegate profile" in mydata.text and "Tula Arms Plant" in mydata.text
        assert "Your meetings and requests" in mydata.text and "open request" in mydata.text

        await ivan.send("/forget")
        await ivan.wait_text("delegate profile")
        await ivan.press("Yes")
        await ivan.wait_text("Done: everything")
        assert await app.db.delegates.profile_of(ivan.id) is None
        assert await app.db.delegates.meetings_of(olga.id) == []
        await olga.send("/meetings")
        assert "No meetings yet" in (await olga.wait_message()).text
        fake.assert_no_rejections()


async def test_claim_link_prefills_the_profile_and_organizers_see_counts(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY) as app:
        owner = fake.add_user(OWNER_ID, "Boss", language_code="en")
        await owner.send("/delegations")
        overview = await owner.wait_text("Delegations")
        assert "Mogilev: 3 members, 0 linked to a profile" in overview.text
        assert "tourism: 2" in overview.text  # agreements signed at this forum by area
        await owner.press("Mogilev", message=overview)
        members = await owner.wait_text("Delegation of Mogilev")
        assert "Andrei Kovalev (head)" in members.text
        await owner.press("Link for Olga Semenchuk", message=members)
        link = await owner.wait_text("One-time link for Olga Semenchuk")
        token = link.text.split("start=dm-")[1].split()[0]

        olga = fake.add_user(8601, "Olga", language_code="en")
        await olga.send(f"/start dm-{token}")
        await olga.wait_text("listed you in the delegation")
        await olga.wait_text("18 or older")
        await olga.press("Yes, I am 18 or older")
        await olga.wait_text("Your organization")  # city, name and position are filled in
        await olga.send("Mogilev City Executive Committee")
        areas = await olga.wait_text("areas of interest")
        await olga.press("Done", message=areas)
        langs = await olga.wait_text("Languages you speak")
        await olga.press("Done", message=langs)
        await olga.wait_text("Who may see")
        await olga.press("All delegates")
        summary = await olga.wait_text("Your delegate profile")
        assert "Head of the Culture Department" in summary.text
        await olga.press("Save the profile")
        await olga.wait_text("Profile saved")
        profile = await app.db.delegates.profile_of(olga.id)
        assert profile and profile.member == "mogilev/olga-semenchuk"
        assert profile.city == "by-mogilev-tula"

        eve = fake.add_user(8602, "Eve", language_code="en")
        await eve.send(f"/start dm-{token}")
        assert "out of date" in (await eve.wait_message()).text

        ivan = fake.add_user(8603, "Ivan", language_code="en")
        await fill_profile(ivan, "Tula", "Ivan Petrov")
        await ask_and_send(ivan, "Mogilev", "Olga Semenchuk")
        request = await olga.wait_text("A request to meet", timeout=15)
        await olga.press((0, 0), message=request)
        await olga.wait_text("Meeting agreed")
        await owner.send("/delegations")
        overview = await owner.wait_text("Delegations")
        assert "Mogilev: 3 members, 1 linked to a profile" in overview.text
        assert "Mogilev — Tula: 1 / 0" in overview.text
        assert "Ivan" not in overview.text and "Olga" not in overview.text

        # A participant is refused the organizers' command and buttons.
        await ivan.send("/delegations")
        assert "Delegations" not in (await ivan.wait_message()).text
        await ivan.press_data(OrgDelegCb(action="claim", key="mogilev", n=1).pack())
        await ivan.wait_callback_answer()
        assert await app.db.delegates.claim(token) is None
        fake.assert_no_rejections()


async def test_agreements_are_found_in_free_text(fake: FakeTelegram, tmp_path: Path) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY):
        ira = fake.add_user(8701, "Ира", language_code="ru")
        await ira.send("какие соглашения подписал Могилёв")
        answer = await ira.wait_message()
        assert "Соглашение о сотрудничестве в сфере туризма" in answer.text
        assert "Брест" not in answer.text
        tom = fake.add_user(8702, "Tom", language_code="en")
        await tom.send("agreements on tourism")
        answer = await tom.wait_message()
        assert "Agreement on cooperation in tourism" in answer.text
        assert "Plan of joint tourist routes" in answer.text
        assert "Industrial cooperation" not in answer.text
        await tom.send("signing of agreements")
        answer = await tom.wait_message()
        assert "Agreements found" not in answer.text  # the signing ceremony's card instead
        fake.assert_no_rejections()


async def test_meetings_list_withdraw_cancel_and_agenda_calendar_in_russian(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY) as app:
        olga = fake.add_user(8801, "Olga", language_code="en")
        ivan = fake.add_user(8802, "Ivan", language_code="en")
        await fill_profile(olga, "Mogilev", "Olga Semenchuk")
        await fill_profile(ivan, "Tula", "Ivan Petrov")

        # Ivan withdraws his request from /meetings; Olga is told.
        await ask_and_send(ivan, "Mogilev", "Olga Semenchuk")
        await olga.wait_text("A request to meet", timeout=15)
        await ivan.send("/meetings")
        listing = await ivan.wait_text("My meetings")
        assert "waiting for their answer" in listing.text
        await ivan.press("Olga Semenchuk", message=listing)
        waiting = await ivan.wait_text("Your request, waiting for an answer")
        await ivan.press("Withdraw the request", message=waiting)
        await ivan.wait_text("withdrawn")
        await olga.wait_text("withdrew the request", timeout=15)

        # Asked again and accepted; then the agenda's calendar holds the meeting, and Olga
        # cancels it from /meetings.
        await ask_and_send(ivan, "Mogilev", "Olga Semenchuk")
        request = await olga.wait_text("A request to meet", timeout=15)
        await olga.press((0, 0), message=request)
        await olga.wait_text("Meeting agreed")
        await ivan.wait_text("Meeting agreed", timeout=15)
        await ivan.send("/agenda")
        agenda = await ivan.wait_text("My agenda")
        assert "meeting with Olga Semenchuk" in agenda.text
        await ivan.send("/meetings")
        listing = await ivan.wait_text("My meetings")
        assert "agreed" in listing.text
        await olga.send("/meetings")
        mine = await olga.wait_text("My meetings")
        await olga.press("Ivan Petrov", message=mine)
        opened = await olga.wait_text("Meeting agreed")
        assert ivan.id in mentioned(opened)
        await olga.press("Cancel the meeting", message=opened)
        await olga.wait_text("cancelled")
        await ivan.wait_text("Olga Semenchuk cancelled your meeting", timeout=15)
        assert await app.db.delegates.meetings_of(ivan.id) == []

        # The same screens in Russian and Belarusian.
        lena = fake.add_user(8803, "Лена", language_code="ru")
        await lena.send("/delegate")
        intro = await lena.wait_text("Делегаты")
        await lena.press("Заполнить профиль делегата", message=intro)
        await lena.wait_text("Вам уже исполнилось 18?")
        await lena.press("Нет")
        await lena.wait_text("только для взрослых")
        assert await app.db.delegates.profile_of(lena.id) is None
        ales = fake.add_user(8804, "Алесь", language_code="be")
        await ales.send("/cities Магілёў")
        card = await ales.wait_text("Пагадненні")
        assert "падпісана на гэтым форуме" in card.text
        await ales.press("Дэлегаты: Магілёў", message=card)
        listing = await ales.wait_text("Дэлегаты на форуме: Магілёў")
        assert "Кіраўнік дэлегацыі: Андрэй Кавалёў" in listing.text
        assert "У дэлегацыі 3 чалавекі." in listing.text
        fake.assert_no_rejections()


async def test_two_meetings_at_one_time_are_refused(fake: FakeTelegram, tmp_path: Path) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY):
        olga = fake.add_user(8901, "Olga", language_code="en")
        ivan = fake.add_user(8902, "Ivan", language_code="en")
        petr = fake.add_user(8903, "Petr", language_code="en")
        await fill_profile(olga, "Mogilev", "Olga Semenchuk")
        await fill_profile(ivan, "Tula", "Ivan Petrov")
        await fill_profile(petr, "Tula", "Petr Tulsky")
        await ask_and_send(ivan, "Mogilev", "Olga Semenchuk")
        first = await olga.wait_text("A request to meet", timeout=15)
        await ask_and_send(petr, "Mogilev", "Olga Semenchuk")
        second = await olga.wait_text("A request to meet", timeout=15)
        assert first.button_texts()[0] == second.button_texts()[0]  # the same first time
        await olga.press((0, 0), message=first)
        await olga.wait_text("Meeting agreed")
        await olga.press((0, 0), message=second)
        answer = await olga.wait_callback_answer()
        assert "another meeting then" in answer["text"]
        fake.assert_no_rejections()
