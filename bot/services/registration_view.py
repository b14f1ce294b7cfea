"""The youth meeting registration in the reader's language: questions, answers, statuses.

Everything here returns text for the current locale (aiogram's i18n context); values are
escaped where the result is HTML, and said so in the name (`*_html`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.clock import Clock
from bot.i18n import _, fmt_date, fmt_date_range, fmt_datetime, fmt_time, ngettext
from bot.program.model import Program, SessionKind
from bot.services.answers import phone_display
from bot.services.registration_form import (
    BIRTH,
    CITY,
    CONSENT,
    COUNTRY,
    EMAIL,
    GNAME,
    GPHONE,
    NAME,
    ORG,
    PHONE,
    POS,
    REGION,
    Label,
    Msg,
    Note,
    Question,
    RegistrationForm,
)
from db.registrations import RegistrationRow

# How the program's own question texts may already say that an answer is optional.
_OPTIONAL_WORDS = ("optional", "необязательн", "не обязательн", "неабавязков", "не абавязков")


def label_text(label: Label, locale: str) -> str:
    if isinstance(label, Msg):
        return _(label.msgid)
    return label.get(locale)


def note_text(note: Note, locale: str) -> str:
    """A refusal or a hint, translated, with dates in the reader's format (not escaped)."""
    params = {
        key: fmt_date(value, locale, "d MMMM y") if isinstance(value, date) else value
        for key, value in note.params.items()
    }
    return _(note.message).format(**params)


def country_label(code: str) -> str:
    if code == "BY":
        return _("Belarus")
    if code == "RU":
        return _("Russia")
    return _("Other country")


def status_label(status: str) -> str:
    """The status of one registration (the words agree with "registration", not a person)."""
    labels = {
        "registered": _("confirmed"),
        "guardian": _("waiting for the parent's or guardian's consent"),
        "waiting": _("on the waiting list"),
        "cancelled": _("cancelled"),
        "checked_in": _("checked in at the desk"),
    }
    return labels.get(status, status)


def status_heading(status: str) -> str:
    """A line of the organizers' counts: how many registrations have this status."""
    labels = {
        "registered": _("Confirmed"),
        "guardian": _("Waiting for a guardian"),
        "waiting": _("Waiting list"),
        "cancelled": _("Cancelled"),
        "checked_in": _("Checked in"),
    }
    return labels.get(status, status)


def step_label(form: RegistrationForm, step: str, locale: str) -> str:
    labels = {
        NAME: _("Full name"),
        BIRTH: _("Date of birth"),
        COUNTRY: _("Country"),
        REGION: _("Region"),
        CITY: _("City"),
        ORG: _("Organization or place of study"),
        POS: _("Position or course"),
        PHONE: _("Phone"),
        EMAIL: _("E-mail"),
        GNAME: _("Parent or guardian"),
        GPHONE: _("Guardian's phone"),
    }
    if step in labels:
        return labels[step]
    question = form.question(step)
    return question.text.get(locale) if question else step


def place_label(form: RegistrationForm, step: str, value: str, locale: str) -> str:
    """A region or city: its name in the reader's language when it is a code, else as typed."""
    place = form.places.region(value) if step == REGION else form.places.city(value)
    return place.name.get(locale) if place else value


def answer_text(form: RegistrationForm, step: str, value: Any, locale: str) -> str:
    """An answer as the person reads it (not escaped)."""
    if value is None:
        return _("— (skipped)")
    if step == BIRTH:
        return fmt_date(date.fromisoformat(value), locale, "d MMMM y")
    if step == COUNTRY:
        return country_label(value)
    if step in (REGION, CITY):
        return place_label(form, step, str(value), locale)
    if step in (PHONE, GPHONE):
        return phone_display(str(value))
    question = form.question(step)
    if question is not None:
        option = next((o for o in form.options(step, {}) if o.code == value), None)
        return label_text(option.label, locale) if option else str(value)
    return str(value)


def says_optional(text: str) -> bool:
    lowered = text.casefold()
    own = _("optional").casefold()
    return any(word in lowered for word in (*_OPTIONAL_WORDS, own))


def question_html(form: RegistrationForm, q: Question, locale: str) -> str:
    reg = form.reg
    title = html.escape(reg.title.get(locale))
    if q.part == "guardian":
        head = _("<b>{title}</b> · parent or guardian, question {n} of {total}")
    else:
        head = _("<b>{title}</b> · question {n} of {total}")
    head = head.format(title=title, n=q.number, total=q.total)
    body = _question_body(form, q.step, locale)
    if q.can_skip and not says_optional(body):
        body += "\n" + _("(optional)")
    parts = [head, body]
    if q.note is not None:
        parts.insert(0, "⚠️ " + html.escape(note_text(q.note, locale)))
    return "\n\n".join(parts)


def _question_body(form: RegistrationForm, step: str, locale: str) -> str:
    reg = form.reg
    texts = {
        NAME: _("Your full name (surname, first name and patronymic, if you have one):"),
        BIRTH: _("Your date of birth, e.g. 05.03.2008 or 5 March 2008:"),
        COUNTRY: _("Your country:"),
        REGION: _("Your region: choose a button or type it:"),
        CITY: _("Your city or town: choose a button or type it:"),
        ORG: _("Your organization or place of study:"),
        POS: _("Your position, or your course of study (e.g. “student, 2nd year”):"),
        PHONE: _(
            "Your phone number: press “📱 Share my contact” below, or type it with the "
            "country code, e.g. +375 29 123-45-67:"
        ),
        EMAIL: _("Your e-mail address:"),
        GNAME: _(
            "You are under {age}, so your parent or legal guardian must agree too. After you "
            "confirm the form, I will give you a link for them: they open it in their own "
            "Telegram and confirm.\n\nThe full name of your parent or guardian:"
        ).format(age=reg.adult_age),
        GPHONE: _("The phone number of your parent or guardian, with the country code:"),
    }
    if step in texts:
        return texts[step]
    if step == CONSENT:
        return "\n\n".join(
            [
                _("<b>Consent to the processing of personal data</b>"),
                html.escape(reg.consent_text.get(locale)),
                _("Do you agree? Without the consent we cannot register you."),
            ]
        )
    question = form.question(step)
    return html.escape(question.text.get(locale)) if question else ""


def intro_html(form: RegistrationForm, locale: str) -> str:
    """Said before the first question: how long the form is and what to have at hand."""
    count = len(form.main_steps)
    lines = [
        f"<b>{html.escape(form.reg.title.get(locale))}</b>",
        "",
        ngettext(
            "The form has {count} question and takes about five minutes.",
            "The form has {count} questions and takes about five minutes.",
            count,
        ).format(count=count),
        _("Have at hand: your phone number and e-mail address."),
    ]
    if form.may_need_guardian:
        lines.append(
            _(
                "If you are under {age}: the name and phone number of your parent or guardian "
                "(two more questions). They will confirm their consent in their own Telegram."
            ).format(age=form.reg.adult_age)
        )
    lines += [
        "",
        _(
            "You can go back, change any answer before confirming, or cancel; nothing is "
            "stored until you press “Confirm”."
        ),
    ]
    return "\n".join(lines)


def answers_html(
    form: RegistrationForm, items: tuple[tuple[str, Any], ...] | list[tuple[str, Any]], locale: str
) -> list[str]:
    """One "<b>Label:</b> answer" line per answer, escaped."""
    lines = []
    for step, value in items:
        label = html.escape(step_label(form, step, locale))
        lines.append(f"<b>{label}:</b> {html.escape(answer_text(form, step, value, locale))}")
    return lines


def items_of(form: RegistrationForm, answers: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(s, answers.get(s)) for s in form.steps(answers) if s != CONSENT]


# ---------------------------------------------------------------------------------- around the form


def contacts_html(program: Program, locale: str) -> str:
    """How to reach the organizers, from the program (empty if it says nothing)."""
    forum = program.forum
    parts = [html.escape(forum.contacts.get(locale))] if forum.contacts else []
    if forum.website:
        parts.append(html.escape(forum.website))
    if not parts:
        return ""
    return _("Questions to the organizers: {contacts}").format(contacts="\n".join(parts))


def window_problem(program: Program, clock: Clock, locale: str) -> str | None:
    """Why the registration cannot be filled in now, with its dates and whom to ask."""
    reg = program.registration
    assert reg is not None
    now = clock.now()
    opens = fmt_datetime(reg.opens_at, locale)
    closes = fmt_datetime(reg.closes_at, locale)
    if now < reg.opens_at:
        text = _("Registration opens on {opens} and closes on {closes}.").format(
            opens=opens, closes=closes
        )
    elif now > reg.closes_at:
        text = _("Registration closed on {closes}; it was open from {opens}.").format(
            opens=opens, closes=closes
        )
    else:
        return None
    contacts = contacts_html(program, locale)
    return f"{text}\n\n{contacts}" if contacts else text


def next_steps_html(program: Program, clock: Clock, locale: str) -> str:
    """What happens after registering: when and where to come, and the QR code at the desk."""
    forum = program.forum
    desks = [
        s
        for s in program.sessions
        if s.kind == SessionKind.REGISTRATION and not s.cancelled and s.end_at > clock.now()
    ]
    lines = [_("<b>What happens next</b>")]
    if desks:
        desk = desks[0]
        venue = program.venue(desk.venue)
        hall = venue.hall(desk.hall) if venue else None
        where = ", ".join(
            html.escape(t.get(locale))
            for t in (venue.name if venue else None, hall.name if hall else None)
            if t
        )
        address = html.escape(venue.address.get(locale)) if venue else ""
        lines.append(
            _("Come to the registration desk on {day}, {start}–{end}: {where}.").format(
                day=fmt_date(desk.day, locale, "d MMMM"),
                start=fmt_time(desk.start_at, locale),
                end=fmt_time(desk.end_at, locale),
                where=", ".join(p for p in (where, address) if p),
            )
        )
    lines.append(
        _("The forum: {dates}, {city}.").format(
            dates=fmt_date_range(forum.start_date, forum.end_date, locale),
            city=html.escape(forum.city.get(locale)),
        )
    )
    lines.append(
        _(
            "At the desk, show your QR code (below, and always under /register); the "
            "organizers will scan it. I will remind you of anything that changes."
        )
    )
    contacts = contacts_html(program, locale)
    if contacts:
        lines.append(contacts)
    return "\n".join(lines)


def guardian_consent_html(row: RegistrationRow, program: Program, locale: str) -> str:
    reg = program.registration
    assert reg is not None
    forum = program.forum
    born = fmt_date(date.fromisoformat(row.birth_date), locale, "d MMMM y")
    lines = [
        _("<b>Consent of a parent or legal guardian</b>"),
        "",
        _(
            "{name} (born {born}) is filling in “{title}” ({dates}, {city}) and has "
            "named you, {guardian}, as their parent or legal guardian."
        ).format(
            name=html.escape(row.full_name),
            born=born,
            title=html.escape(reg.title.get(locale)),
            dates=fmt_date_range(forum.start_date, forum.end_date, locale),
            city=html.escape(forum.city.get(locale)),
            guardian=html.escape(row.guardian_name or ""),
        ),
        "",
        html.escape(reg.guardian_consent_text.get(locale)),
        "",
        _("Do you agree? The registration is complete only with your consent."),
    ]
    contacts = contacts_html(program, locale)
    if contacts:
        lines += ["", contacts]
    return "\n".join(lines)


def link_gone_text() -> str:
    return _(
        "This link is no longer valid: the consent has already been given, or the "
        "registration was cancelled or changed. Ask for a new link if needed."
    )
