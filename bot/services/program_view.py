"""Texts of the organizers' programme tools: upload previews, results, refusals, audit lines.

HTML in the current gettext locale; every value from a programme file or a person is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from html import escape

from bot.i18n import _, fmt_datetime, fmt_day, ngettext
from bot.program.diff import ItemChanges, Pair, ProgramDiff
from bot.program.edits import MAX_NOTICE_LENGTH, EditKind, EditRefused, Refusal, later_in_hall
from bot.program.loader import ProgramError
from bot.program.model import Program, Session
from bot.services.live_edit import SECTION, Problem, Screen, Step, parse_day
from bot.services.program import ImportResult
from bot.services.program_ops import Preview
from bot.services.schedule_view import cut, hall_label, section_label, time_range
from db.programs import StoredProgram

LIST_LIMIT = 8  # items shown per kind of change; the rest are counted
MESSAGE_LIMIT = 3900  # under Telegram's 4096, with room for a closing line
TITLE = 70
# A file with thousands of mistakes is answered in a few messages, not in hundreds.
ERRORS_SHOWN = 60


def title_of(session: Session, locale: str) -> str:
    # Russian and Belarusian quote with «», English with “”: the translation picks.
    return _("“{title}”").format(title=escape(cut(session.title.get(locale), TITLE)))


def when_where(program: Program, session: Session, locale: str) -> str:
    """`Fri, 25 June, 10:00–12:30, Main Hall`."""
    text = f"{fmt_day(session.day, locale)}, {time_range(session, locale)}"
    hall = hall_label(program, session.venue, session.hall, locale)
    return f"{text}, {escape(hall)}" if hall else text


def counts_line(counts: dict[str, int]) -> str:
    """`2 sessions added, 1 moved, FAQ: 1 change` from the counts of a diff."""
    labels: dict[str, Callable[[int], str]] = {
        "added": lambda n: ngettext("{n} session added", "{n} sessions added", n),
        "removed": lambda n: ngettext("{n} session removed", "{n} sessions removed", n),
        "moved": lambda n: ngettext("{n} session moved", "{n} sessions moved", n),
        "renamed": lambda n: ngettext("{n} session renamed", "{n} sessions renamed", n),
        "cancelled": lambda n: ngettext("{n} session cancelled", "{n} sessions cancelled", n),
        "restored": lambda n: ngettext("{n} session restored", "{n} sessions restored", n),
        "noticed": lambda n: ngettext("{n} notice changed", "{n} notices changed", n),
        "other": lambda n: ngettext(
            "{n} session with other changes", "{n} sessions with other changes", n
        ),
        "sections": lambda n: ngettext("sections: {n} change", "sections: {n} changes", n),
        "cities": lambda n: ngettext(
            "partner cities: {n} change", "partner cities: {n} changes", n
        ),
        "faq": lambda n: ngettext("FAQ: {n} change", "FAQ: {n} changes", n),
        "forum": lambda n: _("forum details"),
        "venues": lambda n: _("venues and halls"),
        "speakers": lambda n: _("speakers"),
        "registration": lambda n: _("registration form"),
    }
    parts = [labels[key](n).format(n=n) for key, n in counts.items() if key in labels and n]
    return ", ".join(parts) if parts else _("no changes")


def notified_line(n: int) -> str:
    if n == 0:
        return _("👥 Nobody needs to be told.")
    return ngettext(
        "👥 <b>{n} person</b> will get one notice.",
        "👥 <b>{n} people</b> will get one notice each.",
        n,
    ).format(n=n)


def told_line(n: int) -> str:
    if n == 0:
        return _("Nobody needed to be told.")
    return ngettext(
        "{n} person is being told.", "{n} people are being told, one notice each.", n
    ).format(n=n)


def bulleted(lines: Sequence[str]) -> list[str]:
    shown = [f"• {line}" for line in lines[:LIST_LIMIT]]
    if len(lines) > LIST_LIMIT:
        rest = len(lines) - LIST_LIMIT
        shown.append(ngettext("…and {n} more", "…and {n} more", rest).format(n=rest))
    return shown


def block(heading: str, lines: Sequence[str]) -> list[str]:
    return ["", f"<b>{heading}</b>", *bulleted(lines)] if lines else []


def item_block(heading: str, changes: ItemChanges, name: Callable[[str], str]) -> list[str]:
    lines = [f"+ {name(i)}" for i in changes.added]
    lines += [f"− {name(i)}" for i in changes.removed]
    lines += [f"✎ {name(i)}" for i in changes.changed]
    return block(heading, lines)


def diff_lines(old: Program, new: Program, diff: ProgramDiff, locale: str) -> list[str]:
    """The changes, kind by kind, each item with what it was and what it becomes."""

    def moved(pair: Pair) -> str:
        before, after = pair
        return _("{title}: {old} → {new}").format(
            title=title_of(after, locale),
            old=when_where(old, before, locale),
            new=when_where(new, after, locale),
        )

    def renamed(pair: Pair) -> str:
        return f"{title_of(pair[0], locale)} → {title_of(pair[1], locale)}"

    def listed(program: Program, session: Session) -> str:
        return f"{title_of(session, locale)}: {when_where(program, session, locale)}"

    def noticed(pair: Pair) -> str:
        notice = pair[1].notice.get(locale)
        shown = escape(cut(notice, 120)) if notice else _("(cleared)")
        return f"{title_of(pair[1], locale)}: {shown}"

    def section_name(program: Program) -> Callable[[str], str]:
        def name(section_id: str) -> str:
            section = program.section(section_id)
            return escape(section_label(section, locale)) if section else escape(section_id)

        return name

    def pair_name(program: Program) -> Callable[[str], str]:
        def name(pair_id: str) -> str:
            pair = program.city_pair(pair_id)
            if pair is None:
                return escape(pair_id)
            return escape(f"{pair.by_city.get(locale)} — {pair.ru_city.get(locale)}")

        return name

    def faq_name(program: Program) -> Callable[[str], str]:
        def name(faq_id: str) -> str:
            entry = program.faq_entry(faq_id)
            return escape(cut(entry.question.get(locale), TITLE)) if entry else escape(faq_id)

        return name

    def either(first: Program, second: Program, make: Callable[[Program], Callable[[str], str]]):  # type: ignore[no-untyped-def]
        in_first, in_second = make(first), make(second)

        def name(item_id: str) -> str:
            return in_first(item_id) if item_id in ids(first) else in_second(item_id)

        return name

    lines: list[str] = []
    lines += block(_("Moved:"), [moved(p) for p in diff.moved])
    lines += block(_("Cancelled:"), [listed(new, a) for _b, a in diff.cancelled])
    lines += block(_("Restored:"), [listed(new, a) for _b, a in diff.restored])
    lines += block(_("Added:"), [listed(new, s) for s in diff.added])
    lines += block(_("Removed:"), [listed(old, s) for s in diff.removed])
    lines += block(_("Renamed:"), [renamed(p) for p in diff.renamed])
    lines += block(_("Notices on the cards:"), [noticed(p) for p in diff.noticed])
    lines += block(_("Other session details:"), [title_of(a, locale) for _b, a in diff.other])
    lines += item_block(_("Sections:"), diff.sections, either(new, old, section_name))
    lines += item_block(_("Partner cities:"), diff.cities, either(new, old, pair_name))
    lines += item_block(_("FAQ:"), diff.faq, either(new, old, faq_name))
    others = [
        label
        for changed, label in (
            (diff.forum, _("forum details")),
            (diff.venues, _("venues and halls")),
            (diff.speakers, _("speakers")),
            (diff.registration, _("registration form")),
        )
        if changed
    ]
    if others:
        lines += ["", _("Also changed: {parts}.").format(parts=", ".join(others))]
    return lines


def ids(program: Program) -> set[str]:
    found = {s.id for s in program.sections} | {c.id for c in program.city_pairs}
    return found | {f.id for f in program.faq}


def fit(lines: Iterable[str], tail: Sequence[str]) -> str:
    """Join lines; past Telegram's limit the details are cut at a line (each line is whole
    HTML) and the closing lines are kept."""
    text = "\n".join(lines)
    closing = "\n\n" + "\n".join(tail) if tail else ""
    if len(text) + len(closing) > MESSAGE_LIMIT:
        text = text[: text.rfind("\n", 0, MESSAGE_LIMIT - len(closing) - 2)] + "\n…"
    return text + closing


def preview_text(preview: Preview, locale: str) -> str:
    name = escape(preview.filename)
    if preview.unchanged:
        return _(
            "📄 <b>{file}</b> is the same programme as the one loaded: nothing to import."
        ).format(file=name)
    if preview.target_version is not None:
        heading = _("⏪ <b>Roll back</b> to the programme before the last import ({file})").format(
            file=name
        )
    else:
        heading = _("📄 <b>{file}</b>: the file is valid.").format(file=name)
    lines = [
        heading,
        _("Nothing has changed yet. This is what will change:"),
        counts_line(preview.diff.counts()),
        *diff_lines(preview.old, preview.new, preview.diff, locale),
    ]
    return fit(lines, [notified_line(preview.notified)])


def stored_text(result: ImportResult, what: str) -> str:
    """After a confirmed upload or rollback."""
    counts = result.diff.counts() if result.diff else {}
    return "\n".join([f"✅ <b>{what}</b>", counts_line(counts), told_line(result.notified)])


def conflict_text() -> str:
    return _(
        "⚠️ The programme was changed by someone else after this preview. Nothing was "
        "imported: send the file again to see a new preview."
    )


def errors_text(filename: str, errors: Sequence[ProgramError]) -> list[str]:
    """The errors of a refused file (the first ERRORS_SHOWN of them), in messages that fit
    Telegram's limit."""
    heading = ngettext(
        "❌ <b>{file}</b> was not imported ({n} problem); the programme is unchanged:",
        "❌ <b>{file}</b> was not imported ({n} problems); the programme is unchanged:",
        len(errors),
    ).format(file=escape(filename), n=len(errors))
    messages: list[str] = []
    current = heading
    lines = ["• " + escape(cut(error.render(_), 400)) for error in errors[:ERRORS_SHOWN]]
    if len(errors) > ERRORS_SHOWN:
        rest = len(errors) - ERRORS_SHOWN
        lines.append(ngettext("…and {n} more", "…and {n} more", rest).format(n=rest))
    for line in lines:
        if len(current) + len(line) + 1 > MESSAGE_LIMIT:
            messages.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    messages.append(current)
    return messages


# ---------------------------------------------------------------- live edits


def refusal_text(refused: EditRefused, program: Program, locale: str) -> str:
    reason = refused.reason
    if reason is Refusal.CLASH:
        # The other session is where the edited one would go: its hall is the one taken.
        other = program.session(refused.params.get("other", ""))
        hall = hall_label(program, other.venue, other.hall, locale) if other else ""
        return _(
            "{hall} is taken at that time by {other} ({when}). Choose another time or hall, "
            "or delay the later sessions in the hall too."
        ).format(
            hall=escape(hall) or _("The hall"),
            other=title_of(other, locale) if other else "?",
            when=time_range(other, locale) if other else "",
        )
    texts = {
        Refusal.GONE: _("This is no longer in the programme. Open the schedule again."),
        Refusal.CANCELLED: _("The session is cancelled: restore it first."),
        Refusal.NOT_CANCELLED: _("The session is not cancelled."),
        Refusal.ALREADY_CANCELLED: _("The session is already cancelled."),
        Refusal.MIDNIGHT: _("The session would pass midnight. Choose an earlier time."),
        Refusal.OUTSIDE: _("That day is not a day of the forum."),
        Refusal.SAME: _("Nothing would change."),
        Refusal.TOO_LONG: _("The notice is too long: at most {max} characters."),
        Refusal.UNKNOWN_HALL: _("This hall is no longer in the programme. Open the list again."),
        Refusal.DELAY_RANGE: _("Give a number of minutes, not zero and at most {max}."),
        Refusal.CHANGED: _(
            "This cannot be undone any more: the session was changed again since (or the "
            "change was already undone)."
        ),
    }
    return texts[reason].format(**refused.params)


def edit_summary(kind: EditKind, program: Program, target: str, locale: str) -> str:
    """`«Plenary session»: delayed`, after the edit, from the edited programme."""
    session = program.session(target)
    section = program.section(target)
    if session is None and section is not None:
        name = escape(section_label(section, locale))
        hall = hall_label(program, section.venue, section.hall, locale)
        text = _("Section {section} and its sessions now meet in {hall}.").format(
            section=name, hall=escape(hall)
        )
        return _("Undone.") + " " + text if kind is EditKind.UNDO else text
    if session is None:
        return _("The programme is changed.")
    title = title_of(session, locale)
    where = when_where(program, session, locale)
    texts = {
        EditKind.MOVE: _("{title} now takes place {where}."),
        EditKind.HALL: _("{title} now takes place {where}."),
        EditKind.DELAY: _("{title} now takes place {where}."),
        EditKind.CANCEL: _("{title} is cancelled."),
        EditKind.RESTORE: _("{title} takes place again: {where}."),
        EditKind.NOTICE: _("The notice of {title} is set."),
        EditKind.UNDO: _("Undone. {title}: {where}."),
    }
    if kind is EditKind.NOTICE and not session.notice:
        return _("The notice of {title} is removed.").format(title=title)
    return texts[kind].format(title=title, where=where)


def edit_done_text(kind: EditKind, result: ImportResult, target: str, locale: str) -> str:
    assert result.program is not None
    lines = ["✅ " + edit_summary(kind, result.program, target, locale)]
    if result.diff is not None and result.diff.counts():
        lines.append(counts_line(result.diff.counts()))
    lines.append(told_line(result.notified))
    return "\n".join(lines)


def edit_conflict_text() -> str:
    return _(
        "⚠️ The programme was changed meanwhile (an import or another organizer's edit). "
        "Nothing was changed: open the card again and repeat the edit."
    )


# ---------------------------------------------------------------- the edit dialogue


def hall_button_labels(
    program: Program, venue_id: str, hall_id: str, locale: str
) -> tuple[str, ...]:
    """A hall's button labels from short to telling: the hall; the hall and its venue (for
    halls of the same name in two venues)."""
    venue = program.venue(venue_id)
    hall = venue.hall(hall_id) if venue else None
    if venue is None or hall is None:
        return (hall_id,)
    return hall.name.get(locale), f"{hall.name.get(locale)} · {venue.name.get(locale)}"


def session_heading(program: Program, session: Session, locale: str) -> list[str]:
    lines = [f"<b>{title_of(session, locale)}</b>", "🕒 " + when_where(program, session, locale)]
    if session.cancelled:
        lines.append("❌ " + _("Cancelled"))
    if session.notice:
        lines.append("📢 " + escape(session.notice.get(locale)))
    return lines


def screen_text(program: Program, screen: Screen, locale: str) -> str:
    if screen.step is Step.CLOSED:
        return _("Closed; nothing was changed.")
    if screen.kind == SECTION:
        section = program.section(screen.target)
        name = escape(section_label(section, locale)) if section else ""
        return _("🏛 Section {section}: to which hall do all its sessions move?").format(
            section=name
        )
    session = program.session(screen.target)
    if session is None:
        return _("This is no longer in the programme. Open the schedule again.")
    head = session_heading(program, session, locale)
    title = title_of(session, locale)
    minutes = int((session.end_at - session.start_at).total_seconds() // 60)
    texts = {
        Step.MENU: _(
            "✏️ What changes? Whoever saved the session or follows its section gets one notice."
        ),
        Step.DAYS: _("🕒 To which day?"),
        Step.HALLS: _("🏛 To which hall?"),
        Step.DELAY: _("⏱ By how many minutes is it delayed?"),
        Step.MINUTES: _("⏱ Send the number of minutes, e.g. 25 (a minus starts it earlier: -10)."),
        Step.CANCEL: _("❌ Cancel {title}? Whoever saved it will be told.").format(title=title),
        Step.NOTICE: _(
            "📢 Send a short notice for the card, e.g. “Starts 15 minutes late” (at most "
            "{max} characters). Whoever saved the session will be told."
        ).format(max=MAX_NOTICE_LENGTH),
    }
    if screen.step is Step.TIME:
        day = parse_day(screen.day)
        text = ngettext(
            "🕒 {day}: send the new start time, e.g. 14:30. It keeps its length of {n} minute.",
            "🕒 {day}: send the new start time, e.g. 14:30. It keeps its length of {n} minutes.",
            minutes,
        ).format(day=fmt_day(day, locale) if day else "", n=minutes)
    elif screen.step is Step.SCOPE:
        later = len(later_in_hall(program, session))
        hall = escape(hall_label(program, session.venue, session.hall, locale))
        text = ngettext(
            "⏱ {delay}: and the {n} later session in {hall} that day too?",
            "⏱ {delay}: and the {n} later sessions in {hall} that day too?",
            later,
        ).format(delay=delay_label(screen.minutes), n=later, hall=hall)
    else:
        text = texts[screen.step]
    return "\n".join([*head, "", text])


def delay_label(minutes: int) -> str:
    if minutes < 0:
        return ngettext("{n} minute earlier", "{n} minutes earlier", -minutes).format(n=-minutes)
    return ngettext("{n} minute later", "{n} minutes later", minutes).format(n=minutes)


def problem_text(problem: Problem) -> str:
    texts = {
        Problem.STALE: _("This button is out of date. Open the card again."),
        Problem.BAD_TIME: _("Send the time like 14:30."),
        Problem.BAD_MINUTES: _("Send a number of minutes like 15 (at most 720)."),
        Problem.EMPTY: _("The notice is empty. Send its text."),
    }
    return texts[problem]


def status_text(
    stored: StoredProgram | None,
    latest_import: StoredProgram | None,
    tz: tzinfo,
    locale: str,
) -> str:
    lines = [_("🗂 <b>Programme</b>")]
    if stored is not None:
        when = fmt_datetime(datetime.fromisoformat(stored.loaded_at).astimezone(tz), locale)
        lines.append(_("Version {version}, stored {when}.").format(version=stored.id, when=when))
    if latest_import is not None:
        when = fmt_datetime(datetime.fromisoformat(latest_import.loaded_at).astimezone(tz), locale)
        lines.append(
            _("Last imported file: {file} ({when}).").format(
                file=escape(latest_import.filename), when=when
            )
        )
    lines += [
        "",
        _(
            "To update the whole programme, send me the programme file (.yaml or .xlsx) as a "
            "document: I check it and show what would change before anything changes."
        ),
        _("To change one session, open its card and press ✏️ Edit."),
    ]
    return "\n".join(lines)


def program_audit_text(action: str, details: dict[str, object], edit: int | None) -> str:
    """A programme entry of the audit log in words: what kind of change, from which file or of
    which session, the counts and how many people were told."""
    parts = []
    file = details.get("file")
    if isinstance(file, str):
        parts.append(escape(file))
    if details.get("origin") == "cli":
        parts.append(_("from the command line"))
    target = details.get("target")
    if isinstance(target, str):
        parts.append(escape(target))
    counts = details.get("counts")
    if isinstance(counts, dict):
        parts.append(counts_line(counts))
    notified = details.get("notified")
    if isinstance(notified, int):
        parts.append(ngettext("{n} person told", "{n} people told", notified).format(n=notified))
    what = "; ".join(parts)
    if action == "program.edit" and details.get("kind") == "undo":
        return _("undid a live edit (#{id}): {what}").format(id=edit, what=what)
    if action == "program.edit":
        return _("edited the programme live (#{id}): {what}").format(id=edit, what=what)
    if action == "program.rollback":
        return _("rolled the programme back: {what}").format(what=what)
    return _("imported the programme: {what}").format(what=what)
