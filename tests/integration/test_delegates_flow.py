"""Delegates and meetings through the real dispatcher against the fake Bot API (in-process,
on the test clock): profiles, visibility, minors, requests, answers, limits, blocks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.delegates_helpers import datas, fill_profile, mentioned
from tests.fakeapi import FakeTelegram
from tests.harness import running_app

# Thursday 24 June 2027, the first forum day, early morning.
EARLY = "2027-06-24T08:00:00"


async def test_profile_listing_request_accept_and_contact(fake: FakeTelegram, tmp_path: Path) -> None:
    async with running_app(fake, tmp_path, clock_start=EARLY) as app:
        olga = fake.add_user(8101, "Olga", username="olga_mog", language_code="en")
        ivan = fake.add_user(8102, "Ivan", username="ivan_tula", language_code="en")
        await fill_profile(olga, "Mahilyow", "Olga Semenchuk", position="Culture head")
        await fill_profile(ivan, "Tula", "Ivan Petrov", position="Tourism chair")

        await ivan.send("/cities Mogilev")
        card = await ivan.wait_text("Mogilev")
        assert "Agreements" in card.text and "Agreement on cooperation in tourism" in card.text
        assert "(Mogilev — Tula)" in card.text and "(Mogilev Region — Tula Oblast)" in card.text
        await ivan.press("Delegates from Mogilev", message=card)
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
