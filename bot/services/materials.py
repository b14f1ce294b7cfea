"""Materials of sessions and sections: files kept by Telegram's file_id with their name and
size, and links; people who saved a session hear once when materials come after it ended."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from babel.numbers import format_decimal

from bot.clock import Clock
from bot.i18n import _, ngettext
from bot.keyboards.session_live import LiveCb
from bot.program.model import Program, ProgramMaterial, Section, Session
from bot.services.audit import audit
from bot.services.notify import Notifier, Payload, text_payload
from bot.services.schedule_view import cut, section_label
from db import Database
from db.session_extras import Material

logger = logging.getLogger(__name__)

TITLE_MAX = 200
URL = re.compile(r"^(?:(?P<title>.{1,200}?)\s+[—–-]\s+)?(?P<url>https?://[^\s<>\"']{3,2000})$")


def parse_link(text: str) -> tuple[str, str] | None:
    """ "https://…" or "Title — https://…": (title, url), or None."""
    match = URL.match(" ".join(text.split()))
    if match is None:
        return None
    url = match["url"]
    title = (match["title"] or "").strip() or url.split("://", 1)[1].rstrip("/")
    return cut(title, TITLE_MAX), url


def size_label(size: int | None, locale: str) -> str:
    if not size:
        return ""
    if size < 1024 * 1024:
        return _("{n} KB").format(n=format_decimal(max(1, round(size / 1024)), locale=locale))
    return _("{n} MB").format(n=format_decimal(round(size / 1024 / 1024, 1), locale=locale))


def material_label(material: Material, locale: str) -> str:
    size = size_label(material.file_size, locale)
    return f"📄 {cut(material.title, 48)}" + (f" ({size})" if size else "")


SHOWN_MAX = 20  # materials one message lists (and buttons it offers): well within 4096


def shown_part(
    linked: Sequence[ProgramMaterial], materials: list[Material]
) -> tuple[list[ProgramMaterial], list[Material], int]:
    """The links and materials one message shows, and how many are left out."""
    links = list(linked[:SHOWN_MAX])
    own = materials[: SHOWN_MAX - len(links)]
    return links, own, len(linked) + len(materials) - len(links) - len(own)


def more_line(hidden: int) -> list[str]:
    if hidden <= 0:
        return []
    return [ngettext("…and {n} more", "…and {n} more", hidden).format(n=hidden)]


def materials_text(
    session: Session,
    materials: list[Material],
    locale: str,
    linked: Sequence[ProgramMaterial] = (),
) -> str:
    """The bot's materials, then the programme file's links (`linked`)."""
    linked, materials, hidden = shown_part(linked, materials)
    lines = [
        _("📎 <b>Materials</b>"),
        f"<i>{escape(cut(session.title.get(locale), 150))}</i>",
        "",
    ]
    if not materials and not linked:
        lines.append(_("No materials yet."))
    for link in linked:
        where = " " + _("(section)") if link.section else ""
        lines.append(
            f'🔗 <a href="{escape(link.url)}">{escape(cut(link.title.get(locale), 150))}</a>{where}'
        )
    for m in materials:
        where = " " + _("(section)") if m.section_id else ""
        if m.kind == "link":
            lines.append(
                '🔗 <a href="{url}">{title}</a>{where}'.format(
                    url=escape(m.url or ""), title=escape(cut(m.title, 150)), where=where
                )
            )
        else:
            lines.append(escape(material_label(m, locale)) + where)
    lines += more_line(hidden)
    if any(m.kind == "file" for m in materials):
        lines += ["", _("Press a file to receive it.")]
    return "\n".join(lines)


def notice_payload(session: Session, locale: str) -> Payload:
    text = _(
        "📎 New materials for “{title}”, which you saved: presentations, documents or links."
    ).format(title=escape(cut(session.title.get(locale), 150)))
    button = InlineKeyboardButton(
        text=_("📎 Open the materials"), callback_data=LiveCb(action="mat", id=session.id).pack()
    )
    return text_payload(text, InlineKeyboardMarkup(inline_keyboard=[[button]]))


@dataclass(frozen=True, slots=True)
class Target:
    """What materials are attached to: a session, or a section (for all its sessions)."""

    session_id: str | None
    section_id: str | None
    # Sessions whose savers hear once of materials added after the session ended.
    sessions: tuple[Session, ...]

    @classmethod
    def of_session(cls, session: Session) -> Target:
        return cls(session.id, None, (session,))

    @classmethod
    def of_section(cls, program: Program, section: Section) -> Target:
        return cls(None, section.id, program.sessions_of_section(section.id))

    @property
    def code(self) -> str:
        return self.session_id or f"x:{self.section_id}"


def section_materials_text(
    section: Section,
    materials: list[Material],
    locale: str,
    linked: Sequence[ProgramMaterial] = (),
) -> str:
    linked, materials, hidden = shown_part(linked, materials)
    lines = [
        _("📎 <b>Materials</b>"),
        f"<i>{escape(cut(section_label(section, locale), 150))}</i>",
        "",
    ]
    if not materials and not linked:
        lines.append(_("No materials yet."))
    for link in linked:
        lines.append(
            f'🔗 <a href="{escape(link.url)}">{escape(cut(link.title.get(locale), 150))}</a>'
        )
    for m in materials:
        if m.kind == "link":
            lines.append(
                '🔗 <a href="{url}">{title}</a>'.format(
                    url=escape(m.url or ""), title=escape(cut(m.title, 150))
                )
            )
        else:
            lines.append(escape(material_label(m, locale)))
    lines += more_line(hidden)
    if any(m.kind == "file" for m in materials):
        lines += ["", _("Press a file to receive it.")]
    return "\n".join(lines)


class MaterialService:
    def __init__(self, db: Database, clock: Clock, notifier: Notifier) -> None:
        self.db = db
        self.clock = clock
        self.notifier = notifier

    async def add(
        self,
        target: Target,
        actor: int,
        *,
        title: str,
        file_id: str | None = None,
        file_size: int | None = None,
        url: str | None = None,
    ) -> int:
        """Attach a file or a link to a session or a section; audited; the people who saved
        a session that has ended are told (once per person and session)."""
        kind = "file" if file_id else "link"
        async with self.db.transaction():
            material_id = await self.db.materials.add(
                session_id=target.session_id,
                section_id=target.section_id,
                kind=kind,
                title=cut(title, TITLE_MAX),
                file_id=file_id,
                file_size=file_size,
                url=url,
                added_by=actor,
            )
            await audit(self.db, actor, "session.material", f"#{material_id} {target.code} {kind}")
            now = self.clock.now()
            for session in target.sessions:
                if now >= session.end_at and not session.cancelled:
                    await self._tell_savers(session)
        return material_id

    async def _tell_savers(self, session: Session) -> None:
        readers = await self.db.agenda.recipients(await self.db.agenda.savers(session.id))
        items = [
            self.notifier.message(
                uid,
                reader,
                "materials",
                lambda locale: notice_payload(session, locale),
                ref=session.id,
                key=f"mat:{session.id}:{uid}",
            )
            for uid, reader in readers.items()
        ]
        await self.notifier.queue(items)
