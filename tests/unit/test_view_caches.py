"""What the schedule shows is built once and shared, and is what building it anew would give:
"now and next" once a minute, keyboards once per locale and content."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import create_i18n, in_locale
from bot.keyboards.schedule import day_page_keyboard, titled_sessions_keyboard
from bot.services.schedule_view import ScheduleView, day_marks, day_pages, now_and_next
from tests.schedule_helpers import sample

MINSK = ZoneInfo("Europe/Minsk")
I18N = create_i18n("ru")


def test_now_and_next_is_the_same_for_every_second_of_a_minute() -> None:
    program = sample()
    view = ScheduleView(program)
    start = datetime(2027, 6, 24, 8, 0, tzinfo=MINSK)
    with in_locale(I18N, "en"):
        # Every 37 seconds over three forum days: across starts, ends and the night.
        moment = start
        while moment < start + timedelta(days=3):
            assert view.now_and_next(program, moment, "en") == now_and_next(program, moment, "en")
            moment += timedelta(seconds=37)
        first = view.now_and_next(program, start + timedelta(seconds=5), "en")
        assert view.now_and_next(program, start + timedelta(seconds=59), "en") is first
        later = view.now_and_next(program, start + timedelta(minutes=1), "en")
        assert later is not first


def test_a_new_program_is_not_answered_from_the_old_one() -> None:
    old, new = sample(), sample()
    view = ScheduleView(old)
    moment = datetime(2027, 6, 25, 10, 30, tzinfo=MINSK)
    with in_locale(I18N, "ru"):
        answer = view.now_and_next(old, moment, "ru")
        assert view.now_and_next(new, moment, "ru") is not answer


def test_keyboards_are_built_once_per_locale() -> None:
    program = sample()
    view = ScheduleView(program)
    day = date(2027, 6, 25)
    moment = datetime(2027, 6, 25, 10, 30, tzinfo=MINSK)
    with in_locale(I18N, "ru"):
        pages, index = view.day_pages(program, day, "ru", moment)
        assert view.day_pages(program, day, "ru", moment + timedelta(seconds=1))[0] is pages
        assert pages == tuple(day_pages(program, day, "ru", day_marks(program, day, moment), True))
        ru = day_page_keyboard(day, pages, index)
        assert day_page_keyboard(day, pages, index) is ru
        labels = (("plenary", ("Пленарное", "10:00 Пленарное", "Пт 10:00 Пленарное")),)
        now = titled_sessions_keyboard(labels, "n")
        assert titled_sessions_keyboard(labels, "n") is now
    with in_locale(I18N, "en"):
        en = day_page_keyboard(day, pages, index)
        assert en is not ru
        assert en.inline_keyboard[0] == ru.inline_keyboard[0]  # the numbers
        assert en.inline_keyboard[-1][-1].text != ru.inline_keyboard[-1][-1].text  # "Menu"
        assert titled_sessions_keyboard(labels, "n") is not now
