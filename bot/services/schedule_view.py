"""Pure formatting of the schedule: day lists (paged), now-and-next, cards, the agenda.

Texts are HTML in the current gettext locale; every value from the program file is escaped.
Day pages are built once per program, day and locale (ScheduleView), not per update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from html import escape

from bot.i18n import _, fmt_date, fmt_day, fmt_time, fmt_zone, ngettext
from bot.keyboards.labels import fit
from bot.program.model import KIND_LABELS, Format, Program, Section, Session, SessionKind

# Room left under Telegram's 4096 characters for headers and page marks.
TEXT_BUDGET = 3600
PAGE_SESSIONS = 24  # three rows of eight numbered buttons
TITLE_IN_LIST = 110
DESCRIPTION_LIMIT = 1800
NOTICE_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Page:
    """One message of a numbered list: its text and the (number, session id) of its lines."""

    text: str
    numbered: tuple[tuple[int, str], ...]
    page: int
    pages: int
    label: str = ""  # a day's page: its part of the day, for the buttons leading to it


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def time_range(session: Session, locale: str) -> str:
    return f"{fmt_time(session.start, locale)}–{fmt_time(session.end, locale)}"


def hall_label(program: Program, venue_id: str | None, hall_id: str | None, locale: str) -> str:
    """The hall's name, else the venue's, for compact lists."""
    venue = program.venue(venue_id)
    if venue is None:
        return ""
    hall = venue.hall(hall_id)
    return (hall.name if hall else venue.name).get(locale)


def place_name(program: Program, venue_id: str | None, hall_id: str | None, locale: str) -> str:
    """Hall and building, for lists of a forum held in several buildings."""
    venue = program.venue(venue_id)
    if venue is None:
        return ""
    hall = venue.hall(hall_id)
    parts = [hall.name.get(locale)] if hall else []
    return ", ".join([*parts, venue.name.get(locale)])


def place_label(program: Program, venue_id: str | None, hall_id: str | None, locale: str) -> str:
    """Hall, venue and address, for cards."""
    venue = program.venue(venue_id)
    if venue is None:
        return ""
    name = place_name(program, venue_id, hall_id, locale)
    return f"{name}, {venue.address.get(locale)}" if venue.address else name


def format_label(value: Format) -> str:
    if value is Format.ONLINE:
        return _("online")
    if value is Format.HYBRID:
        return _("hybrid (in person and online)")
    return _("in person")


# Kinds a card does not name: a section's meeting says so by its section line.
UNNAMED_KINDS = frozenset({SessionKind.SECTION, SessionKind.OTHER})


def kind_label(kind: SessionKind) -> str:
    return _(KIND_LABELS[kind])


def section_heading(section: Section, locale: str) -> str:
    """`Section 3: Title`, or the title alone for a section without a number (plain text)."""
    title = section.title.get(locale)
    if section.number is None:
        return title
    return _("Section {number}: {title}").format(number=section.number, title=title)


def session_when(session: Session, locale: str) -> str:
    """`Thu, 25 June, 10:00–11:00`."""
    return f"{fmt_day(session.day, locale)}, {time_range(session, locale)}"


def session_line(
    program: Program,
    session: Session,
    locale: str,
    number: int | None = None,
    *,
    day: bool = False,
    title: bool = True,
    with_time: bool = True,
    with_venue: bool = False,
) -> str:
    """A session on one line, as every list, notice and answer shows it:
    `1. Thu, 25 June, 10:00–11:00 Title · Hall` — the number, the day and the title when
    asked for; a cancelled session struck through. Without the time when a heading above
    gives it (sessions sharing one); `with_venue` names the building as well as the hall
    (where the forum uses more than one)."""
    if day:
        when = session_when(session, locale)
    else:
        when = time_range(session, locale) if with_time else ""
    place = (
        place_name(program, session.venue, session.hall, locale)
        if with_venue
        else hall_label(program, session.venue, session.hall, locale)
    )
    where = f" · <i>{escape(place)}</i>" if place else ""
    prefix = f"<b>{number}.</b> " if number is not None else ""
    if not title:
        if session.cancelled:
            return "{prefix}❌ <s>{when}</s> {mark}{where}".format(
                prefix=prefix, when=when, mark=_("(cancelled)"), where=where
            )
        return f"{prefix}{when}{where}"
    name = escape(cut(session.title.get(locale), TITLE_IN_LIST))
    if session.cancelled:
        name = "❌ <s>{title}</s> {mark}".format(title=name, mark=_("(cancelled)"))
    return f"{prefix}{when} {name}{where}" if when else f"{prefix}{name}{where}"


Entry = tuple[str, str | None, int]  # line, session id (None: a heading), number


def paginate(
    header: str, entries: Sequence[Entry], empty: str = "", per_page: int = PAGE_SESSIONS
) -> list[Page]:
    """Split entries into pages within the text and button limits.

    Lines with a session id get a numbered button; lines without (day headings) are text.
    """
    pages: list[list[Entry]] = [[]]
    size, count = len(header), 0
    for line, sid, n in entries:
        full = size + len(line) + 1 > TEXT_BUDGET
        if pages[-1] and (full or (sid is not None and count >= per_page)):
            pages.append([])
            size, count = len(header), 0
        pages[-1].append((line, sid, n))
        size += len(line) + 1
        count += sid is not None
    total = len(pages)
    result = []
    for index, lines in enumerate(pages):
        body = "\n".join(line for line, _sid, _n in lines) or empty
        mark = ""
        if total > 1:
            mark = "\n\n" + _("Page {page} of {pages}").format(page=index + 1, pages=total)
        numbered = tuple((n, sid) for _line, sid, n in lines if sid is not None)
        result.append(Page(f"{header}\n\n{body}{mark}", numbered, index, total))
    return result


# ---------------------------------------------------------------- a day's page


def part_pages(
    program: Program, day: date, sessions: Sequence[Session], since: str, locale: str
) -> list[Page]:
    """A day's page limited to some of its sessions ("the evening", "after lunch"), numbered
    as on the full day's page so that the buttons open the same cards."""
    header = f"🗓 <b>{escape(fmt_day(day, locale))}</b>, {escape(since)}"
    numbers = {s.id: n for n, s in enumerate(program.sessions_on(day), 1)}
    entries = [
        (session_line(program, s, locale, numbers[s.id]), s.id, numbers[s.id])
        for s in sessions
        if s.id in numbers
    ]
    return paginate(header, entries, _("Nothing more is planned for this part of the day."))


class Mark(StrEnum):
    """Where a session of today stands, shown before its line."""

    ENDED = "✓"
    LIVE = "🔴"
    NEXT = "⏭"


Marks = Mapping[str, Mark]


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the day: sessions starting from `since` until the next part."""

    since: time
    icon: str

    def name(self) -> str:
        if self.since < time(12):
            return _("Morning")
        if self.since < time(18):
            return _("Afternoon")
        return _("Evening")


PARTS = (Part(time(0), "🌅"), Part(time(12), "☀️"), Part(time(18), "🌙"))
# Sessions on one page of a day: two rows of five number buttons at most.
DAY_PAGE = 10
# Cached day pages (days x languages x today's marks through the day) before starting afresh.
MAX_CACHED_DAYS = 500


def part_of(session: Session) -> Part:
    return [p for p in PARTS if p.since <= session.start][-1]


def day_marks(program: Program, day: date, now: datetime) -> dict[str, Mark]:
    """Today's sessions that ended, are on, or start next; nothing for other days."""
    local = now.astimezone(program.forum.tz)
    if local.date() != day:
        return {}
    marks: dict[str, Mark] = {}
    upcoming: list[Session] = []
    for s in program.sessions_on(day):
        if s.cancelled:
            continue
        if s.end_at <= local:
            marks[s.id] = Mark.ENDED
        elif s.start_at <= local:
            marks[s.id] = Mark.LIVE
        else:
            upcoming.append(s)
    if upcoming:
        first = min(s.start_at for s in upcoming)
        marks.update({s.id: Mark.NEXT for s in upcoming if s.start_at == first})
    return marks


def chunks(sessions: Sequence[Session], size: int) -> list[list[Session]]:
    """Pages of at most `size` sessions that keep sessions starting together on one page
    (parallel sections are compared side by side), unless more than `size` start together."""
    pages: list[list[Session]] = []
    groups: list[list[Session]] = []
    for s in sessions:
        if groups and groups[-1][0].start == s.start:
            groups[-1].append(s)
        else:
            groups.append([s])
    for group in groups:
        while group:
            room = size - len(pages[-1]) if pages else 0
            if len(group) <= room:
                pages[-1].extend(group)
                group = []
            elif len(group) <= size:
                pages.append(group)
                group = []
            else:
                pages.append(group[:size])
                group = group[size:]
    return pages


def day_lines(
    program: Program, sessions: Sequence[Session], first: int, marks: Marks, locale: str
) -> list[Entry]:
    """Numbered lines; sessions sharing a time go under one time heading."""
    entries: list[Entry] = []
    i = 0
    while i < len(sessions):
        j = i + 1
        when = (sessions[i].start, sessions[i].end)
        while j < len(sessions) and (sessions[j].start, sessions[j].end) == when:
            j += 1
        if j - i > 1:
            entries.append((f"<b>{time_range(sessions[i], locale)}</b>", None, 0))
        for k in range(i, j):
            s, n = sessions[k], first + k
            mark = marks.get(s.id)
            line = session_line(program, s, locale, n, with_time=j - i == 1)
            entries.append((f"{mark.value} {line}" if mark else line, s.id, n))
        i = j
    return entries


def page_label(part: Part, sessions: Sequence[Session], split: bool, locale: str) -> str:
    """The name of a page, for its heading and the buttons leading to it."""
    name = f"{part.icon} {part.name()}"
    return f"{name} {fmt_time(sessions[0].start, locale)}" if split else name


def marks_legend(marks: Marks) -> str:
    shown = set(marks.values())
    names = {
        Mark.ENDED: _("ended"),
        Mark.LIVE: _("on now"),
        Mark.NEXT: _("next"),
    }
    return " · ".join(f"{m.value} {names[m]}" for m in Mark if m in shown)


def day_title(day: date, today: date | None, locale: str) -> str:
    label = fmt_day(day, locale)
    return _("Today, {day}").format(day=label) if day == today else label


def day_pages(
    program: Program, day: date, locale: str, marks: Marks | None = None, today: bool = False
) -> list[Page]:
    """A day's sessions: one page if they are few, else a page per part of the day (morning,
    afternoon, evening), a crowded part cut into pages of DAY_PAGE sessions. Today's sessions
    carry their marks."""
    marks = marks or {}
    sessions = program.sessions_on(day)
    header = f"🗓 <b>{escape(day_title(day, day if today else None, locale))}</b>"
    if not sessions:
        return [Page(f"{header}\n\n{_('Nothing is planned for this day.')}", (), 0, 1)]
    if len(sessions) <= DAY_PAGE:
        parts = [(None, list(sessions))]
    else:
        by_part: dict[Part, list[Session]] = {}
        for s in sessions:
            by_part.setdefault(part_of(s), []).append(s)
        parts = [
            (part, page) for part, members in by_part.items() for page in chunks(members, DAY_PAGE)
        ]
    split = {part for part, _pg in parts if sum(1 for p, _x in parts if p == part) > 1}
    pages: list[Page] = []
    first = 1
    for index, (part, members) in enumerate(parts):
        lines = [line for line, _sid, _n in day_lines(program, members, first, marks, locale)]
        numbered = tuple((first + k, s.id) for k, s in enumerate(members))
        label = page_label(part, members, part in split, locale) if part else ""
        end = max(s.end for s in members)
        span = f"{fmt_time(members[0].start, locale)}–{fmt_time(end, locale)}"
        head = header + (f"\n<b>{escape(label)}</b> · {span}" if label else "")
        body = "\n".join(lines)
        legend = marks_legend({s.id: marks[s.id] for s in members if s.id in marks})
        foot = f"\n\n{legend}" if legend else ""
        pages.append(Page(cut_html(f"{head}\n\n{body}{foot}"), numbered, index, len(parts), label))
        first += len(members)
    return pages


def current_page(pages: Sequence[Page], marks: Marks) -> int:
    """The page to open today: the one with what is on now, else what starts next, else the
    last (the day is over); the first on other days."""
    if not marks:
        return 0
    for wanted in (Mark.LIVE, Mark.NEXT):
        for page in pages:
            if any(marks.get(sid) is wanted for _n, sid in page.numbered):
                return page.page
    return len(pages) - 1


def forum_days(program: Program) -> list[date]:
    """The forum days in date order (the buttons mark today)."""
    return list(program.forum.days)


def schedule_intro(program: Program, locale: str) -> str:
    forum = program.forum
    moment = datetime.combine(forum.start_date, time(12), forum.tz)
    return "\n".join(
        [
            f"🗓 <b>{escape(forum.title.get(locale))}</b>",
            _("Choose a day. Times are local: {zone}.").format(
                zone=escape(fmt_zone(forum.timezone, locale, moment))
            ),
        ]
    )


def session_labels(session: Session, locale: str) -> tuple[str, str, str]:
    """A session's button labels from short to telling: title; time and title; day, time and
    title (for titles that repeat: three lunches, a registration every morning)."""
    title = session.title.get(locale)
    start = fmt_time(session.start, locale)
    return title, f"{start} {title}", f"{short_day(session.day, locale)} {start} {title}"


def short_day(day: date, locale: str) -> str:
    """A day as few characters tell it on a button: the weekday (a forum is shorter than a
    week)."""
    return fmt_date(day, locale, "EEE")


def venues_in_use(program: Program) -> int:
    return len({s.venue for s in program.sessions if s.venue})


# ---------------------------------------------------------------- now and next


def now_and_next(program: Program, now: datetime, locale: str) -> tuple[str, list[Session]]:
    """What is on now and what starts next, with clear answers before, between and after."""
    tz = program.forum.tz
    local = now.astimezone(tz)
    today = local.date()
    live = [s for s in program.sessions if not s.cancelled]
    running = [s for s in live if s.start_at <= local < s.end_at]
    upcoming = [s for s in live if s.start_at > local]
    following: list[Session] = []
    if upcoming:
        first = min(s.start_at for s in upcoming)
        following = [s for s in upcoming if s.start_at == first]
    lines = ["⏱ <b>{now}</b>".format(now=_("Now: {time}").format(time=fmt_time(local, locale)))]
    if not running and not following:
        lines.append(_("The forum is over. Thank you for taking part!"))
        return "\n".join(lines), []
    if today < program.forum.start_date:
        days = (program.forum.start_date - today).days
        lines.append(
            ngettext(
                "The forum starts on {date}, in {n} day.",
                "The forum starts on {date}, in {n} days.",
                days,
            ).format(date=fmt_date(program.forum.start_date, locale), n=days)
        )
    several = venues_in_use(program) > 1  # then "which hall" needs "in which building"
    if running:
        lines += ["", "<b>{}</b>".format(_("On now:"))]
        lines += [session_line(program, s, locale, None, with_venue=several) for s in running]
    elif today >= program.forum.start_date:
        lines.append(_("Nothing is on right now."))
    if following:
        next_day = following[0].day
        start = fmt_time(following[0].start, locale)
        if next_day == today:
            heading = _("Next, at {time}:").format(time=start)
        elif (next_day - today).days == 1:
            heading = _("Tomorrow starts at {time}:").format(time=start)
        else:
            heading = _("Next, on {date} at {time}:").format(
                date=fmt_date(next_day, locale), time=start
            )
        lines += ["", f"<b>{heading}</b>"]
        lines += [session_line(program, s, locale, None, with_venue=several) for s in following]
    return "\n".join(lines), running + following


# ---------------------------------------------------------------- cards


def people_lines(program: Program, refs: Iterable[str], locale: str) -> list[str]:
    """Speakers or moderators: entries with their position, plain names as given."""
    lines = []
    for ref in refs:
        person = program.person(ref)
        about = ", ".join(p.get(locale) for p in (person.position, person.organization) if p)
        name = f"<b>{escape(person.name.get(locale))}</b>"
        lines.append(f"• {name} — {escape(about)}" if about else f"• {name}")
    return lines


def notice_line(session: Session, locale: str) -> str:
    """The organizers' notice of a session ("starts 15 minutes late"): on its card and in the
    change notices."""
    return f"📢 <b>{escape(cut(session.notice.get(locale), NOTICE_LIMIT))}</b>"


def session_head(program: Program, session: Session, locale: str) -> list[str]:
    """The top of a session's card: title, cancelled or not, the organizers' notice, when,
    where (with the address)."""
    lines = [f"<b>{escape(session.title.get(locale))}</b>"]
    if session.kind not in UNNAMED_KINDS:
        lines.append(f"🏷 <i>{escape(kind_label(session.kind))}</i>")
    if session.cancelled:
        lines.append("❌ <b>{}</b>".format(_("Cancelled")))
    if session.notice:
        lines.append(notice_line(session, locale))
    lines.append("🕒 " + session_when(session, locale))
    place = place_label(program, session.venue, session.hall, locale)
    if place:
        lines.append("📍 " + escape(place))
    return lines


def session_card(program: Program, session: Session, locale: str) -> str:
    lines = session_head(program, session, locale)
    fmt = _("Format: {format}").format(format=format_label(session.format))
    if session.stream_link:
        fmt += " — " + '<a href="{url}">{label}</a>'.format(
            url=escape(session.stream_link), label=_("stream")
        )
    lines.append("🎥 " + fmt if session.format is not Format.IN_PERSON else "👥 " + fmt)
    section = program.section(session.section)
    if section:
        lines.append("🧩 " + escape(section_heading(section, locale)))
    speakers = people_lines(program, session.speakers, locale)
    if speakers:
        lines += ["", "<b>{}</b>".format(_("Speakers:")), *speakers]
    # A section's moderators who also speak at this session are listed once, as speakers.
    chairs = [ref for ref in session.moderators if ref not in session.speakers]
    moderators = people_lines(program, chairs, locale)
    if moderators:
        lines += ["", "<b>{}</b>".format(_("Moderators:")), *moderators]
    # The section's moderators lead its meetings too unless the session names its own.
    led = [m for m in section.moderators if m not in session.moderators] if section else []
    section_moderators = people_lines(program, led, locale)
    if section_moderators:
        lines += ["", "<b>{}</b>".format(_("Section moderators:")), *section_moderators]
    if session.description:
        lines += ["", escape(cut(session.description.get(locale), DESCRIPTION_LIMIT))]
    return cut_html("\n".join(lines))


def cut_html(text: str) -> str:
    """Cards are built from bounded parts; this guards an absurd program file."""
    return text if len(text) <= 4000 else text[:3990].rsplit("\n", 1)[0]


def sections_text(program: Program, locale: str) -> str:
    """The heading, and every section's whole title (the buttons may show them cut)."""
    if not program.sections:
        return _("There are no thematic sections in the programme.")
    lines = [
        "🧩 <b>{}</b>".format(_("Thematic sections")),
        "",
        *(escape(section_name(s, locale)) for s in program.sections),
        "",
        _("Choose a section to see where and when it meets."),
    ]
    return "\n".join(lines)


def section_name(section: Section, locale: str) -> str:
    """A section's number and title ("3. Education…"); the title alone without a number."""
    title = section.title.get(locale)
    return f"{section.number}. {title}" if section.number is not None else title


def section_label(section: Section, locale: str) -> str:
    """The section's name as a button shows it."""
    return fit(section_name(section, locale))


def section_card(program: Program, section: Section, locale: str) -> tuple[str, list[Session]]:
    sessions = list(program.sessions_of_section(section.id))
    lines = [f"🧩 <b>{escape(section_heading(section, locale))}</b>"]
    place = place_label(program, section.venue, section.hall, locale)
    if place:
        lines.append("📍 " + escape(place))
    fmt = _("Format: {format}").format(format=format_label(section.format))
    if section.link:
        fmt += " — " + '<a href="{url}">{label}</a>'.format(
            url=escape(section.link), label=_("stream")
        )
    lines.append(fmt)
    if section.description:
        lines += ["", escape(cut(section.description.get(locale), DESCRIPTION_LIMIT))]
    moderators = people_lines(program, section.moderators, locale)
    if moderators:
        lines += ["", "<b>{}</b>".format(_("Moderators:")), *moderators]
    if sessions:
        lines += ["", "<b>{}</b>".format(_("When:"))]
        shown_day: date | None = None
        for n, s in enumerate(sessions[:PAGE_SESSIONS], 1):
            if s.day != shown_day:
                shown_day = s.day
                lines.append(f"<i>{escape(fmt_day(s.day, locale))}</i>")
            lines.append(session_line(program, s, locale, n))
    return cut_html("\n".join(lines)), sessions[:PAGE_SESSIONS]


# ---------------------------------------------------------------- agenda


def overlapping(sessions: Sequence[Session]) -> set[str]:
    """Ids of saved sessions that overlap in time with another saved one (cancelled ignored)."""
    live = sorted((s for s in sessions if not s.cancelled), key=lambda s: s.start_at)
    found: set[str] = set()
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            if b.start_at >= a.end_at:
                break
            found.update((a.id, b.id))
    return found


def agenda_pages(program: Program, session_ids: Iterable[str], locale: str) -> list[Page]:
    sessions = sorted(
        (s for sid in set(session_ids) if (s := program.session(sid)) is not None),
        key=lambda s: (s.start_at, s.end_at, s.id),
    )
    header = "⭐ <b>{}</b>".format(_("My agenda"))
    if not sessions:
        empty = _("Nothing saved yet. Open a session in the schedule and press “Add to my agenda”.")
        return [Page(f"{header}\n\n{escape(empty)}", (), 0, 1)]
    clash = overlapping(sessions)
    entries: list[Entry] = []
    current: date | None = None
    for n, s in enumerate(sessions, 1):
        if s.day != current:
            current = s.day
            gap = "\n" if entries else ""
            entries.append((f"{gap}<b>{escape(fmt_day(s.day, locale))}</b>", None, 0))
        line = session_line(program, s, locale, n)
        if s.id in clash:
            line += " ⚠️ " + _("overlaps")
        entries.append((line, s.id, n))
    pages = paginate(header, entries, per_page=DAY_PAGE)  # a phone screen: two rows of numbers
    if clash:
        note = "\n\n⚠️ " + _("Some saved sessions overlap in time.")
        pages = [Page(p.text + note, p.numbered, p.page, p.pages) for p in pages]
    return pages


@dataclass(slots=True)
class ScheduleView:
    """Day pages per (day, locale, today's marks) for the current program; cleared when the
    program changes. Marks change only when a session starts or ends, so pages are reused."""

    program: Program
    _days: dict[tuple[date, str, bool, tuple[tuple[str, Mark], ...]], list[Page]] = field(
        default_factory=dict
    )

    def day_pages(
        self, program: Program, day: date, locale: str, now: datetime
    ) -> tuple[list[Page], int]:
        """The day's pages and the one to open first (today: the one with "now")."""
        if program is not self.program:  # another import landed before the reload hook ran
            self.program, self._days = program, {}
        today = now.astimezone(self.program.forum.tz).date() == day
        marks = day_marks(self.program, day, now)
        key = (day, locale, today, tuple(sorted(marks.items())))
        pages = self._days.get(key)
        if pages is None:
            if len(self._days) > MAX_CACHED_DAYS:
                self._days.clear()
            pages = self._days[key] = day_pages(self.program, day, locale, marks, today)
        return pages, current_page(pages, marks)

    async def reload(self, program: Program) -> None:
        self.program = program
        self._days = {}
