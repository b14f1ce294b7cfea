"""Texts of the program file are shown as written, never read as markup.

Organizers write titles like «R&D <pilot>»; every screen that shows program texts must escape
them, or Telegram refuses the message ("can't parse entities").
"""

from __future__ import annotations

from pathlib import Path

from bot.settings import SAMPLE_PROGRAM
from tests.fakeapi import FakeTelegram
from tests.harness import running_app

TITLE = "Секция <b>R&D</b> & «<pilot>»"


def marked_up_program(tmp_path: Path) -> Path:
    text = SAMPLE_PROGRAM.read_text(encoding="utf-8")
    text = text.replace(
        'ru: "Пленарное заседание «Города-побратимы: вместе к новым возможностям»"',
        f"ru: '{TITLE}'",
        1,
    )
    text = text.replace('ru: "Промышленная кооперация и импортозамещение"', f"ru: '{TITLE}'", 1)
    text = text.replace(
        'ru: "Да, сеть «Forum2027» без пароля на всех площадках.',
        'ru: "Да, сеть <Forum&2027> без пароля на всех площадках.',
        1,
    )
    path = tmp_path / "markup.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_program_texts_with_markup_are_escaped_everywhere(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    program = marked_up_program(tmp_path)
    async with running_app(
        fake, tmp_path, program_file=program, clock_start="2027-06-25T10:30:00"
    ) as app:
        assert app.programs.program.session("plenary").title.get("ru") == TITLE
        user = fake.add_user(7301, "Ира", language_code="ru")

        await user.send("/now")
        now = await user.wait_message()
        assert TITLE in now.text  # shown literally, not as bold

        await user.send("/schedule")
        await user.wait_message()
        await user.press("Сегодня")
        day = await user.wait_message()
        assert TITLE in day.text

        await user.send("/start s-plenary")
        card = await user.wait_message()
        assert TITLE in card.text

        await user.send("/sections")
        sections = await user.wait_message()
        assert any(TITLE in t for t in sections.button_texts()) or TITLE in sections.text

        await user.send("/start x-s1-industry")
        section = await user.wait_text("R&D")
        assert TITLE in section.text

        await user.send("Есть ли Wi-Fi?")
        answer = await user.wait_text("Forum&2027")
        assert "<Forum&2027>" in answer.text
    fake.assert_no_rejections()
