"""Delegates: /delegate (the profile form), city lists from the city card, profiles, asking to
meet, answering requests, /meetings, and `/start dm-<token>` (claiming a delegation entry)."""

from __future__ import annotations

import logging
from datetime import datetime
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.i18n import _, language_name
from bot.i18n_markers import N_
from bot.keyboards.delegates import (
    DelegCb,
    DelegFormCb,
    MeetCb,
    agreed_keyboard,
    form_keyboard,
    listing_keyboard,
    meetings_keyboard,
    note_keyboard,
    own_profile_keyboard,
    profile_keyboard,
    slots_keyboard,
    summary_keyboard,
    waiting_keyboard,
)
from bot.program.model import Program, Text
from bot.services import delegate_form as df
from bot.services.agreements import fit
from bot.services.delegates import (
    DelegateService,
    answers_of,
    areas_label,
    city_name,
    is_minor,
    languages_label,
    listing_text,
    profile_card,
    profile_data,
    visibility_label,
    who_line,
)
from bot.services.meetings import (
    MAX_PROPOSED,
    NOTE_LIMIT,
    SLOT_MINUTES,
    MeetingService,
    Refusal,
    meeting_calendar,
    parse_moment,
    slot_label,
)
from bot.services.program import ProgramService
from db import Database
from db.delegates import ACCEPTED, Meeting
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)


class DelegateStates(StatesGroup):
    form = State()
    note = State()
    slots = State()


def stale() -> str:
    return _("This button is out of date.")


# ---------------------------------------------------------------------------------- the form

STEP_PROMPTS = {
    df.ADULT: N_("Delegate profiles are for adults. Are you 18 or older?"),
    df.CITY: N_("Which city's delegation are you in? Type the city's name, in any spelling."),
    df.NAME: N_("Your name, as other delegates should see it:"),
    df.ORG: N_("Your organization:"),
    df.POS: N_("Your position:"),
    df.AREAS: N_("Your areas of interest (choose any, then “Done”):"),
    df.LANGS: N_("Languages you speak (choose any, then “Done”):"),
    df.VISIBILITY: N_("Who may see your profile?"),
}
STEP_LABELS = {
    df.CITY: N_("City"),
    df.NAME: N_("Name"),
    df.ORG: N_("Organization"),
    df.POS: N_("Position"),
    df.AREAS: N_("Areas of interest"),
    df.LANGS: N_("Languages"),
    df.VISIBILITY: N_("Visibility"),
}


def _label(value: Text | df.LanguageLabel | str, locale: str) -> str:
    if isinstance(value, df.LanguageLabel):
        return language_name(value.code, title=True)
    return value.get(locale) if isinstance(value, Text) else _(value)


def form_of(delegates: DelegateService, programs: ProgramService) -> df.DelegateForm:
    program = programs.program
    return programs.derived(
        ("delegate-form",), lambda: df.DelegateForm.from_program(program, delegates.find)
    )


def answer_text(program: Program, step: str, value: Any, locale: str) -> str:
    if step == df.CITY:
        return escape(city_name(program, str(value), locale))
    if step == df.AREAS:
        return areas_label(program, list(value or ()), locale) or "—"
    if step == df.LANGS:
        return languages_label(list(value or ())) or "—"
    if step == df.VISIBILITY:
        return visibility_label(str(value))
    return escape(str(value)) if value else "—"


async def show_screen(
    message: Message,
    outcome: df.Outcome,
    program: Program,
    state: FSMContext,
    locale: str,
    edit: bool = False,
) -> df.Screen:
    """Keep the state and show the screen (the handler does what a Submit asks)."""
    if outcome.state is None:
        await state.clear()
    else:
        await state.set_state(DelegateStates.form)
        await state.update_data(form=outcome.state.to_data())
    screen = outcome.screen
    if isinstance(screen, df.Question):
        lines = [
            _("✍️ <b>Delegate profile</b>, step {n} of {total}").format(
                n=screen.number, total=screen.total
            ),
            "",
        ]
        if screen.note is not None:
            lines.append("⚠️ " + escape(_(screen.note.message).format(**screen.note.params)))
        lines.append(_(STEP_PROMPTS[screen.step]))
        has_current = screen.current not in (None, "", []) and not screen.multiple
        if has_current and screen.step != df.ADULT:
            lines.append(
                _("Now: {value}").format(
                    value=answer_text(program, screen.step, screen.current, locale)
                )
            )
        options = [(_label(o.label, locale), o.selected) for o in screen.options]
        markup = form_keyboard(
            options, screen.multiple, screen.can_skip, has_current and screen.step != df.ADULT
        )
        text = "\n".join(lines)
        if edit:
            await message.edit_text(text, reply_markup=markup)
        else:
            await message.answer(text, reply_markup=markup)
    elif isinstance(screen, df.Summary):
        lines = [_("✍️ <b>Your delegate profile</b>"), ""]
        if screen.note is not None:
            lines.append("⚠️ " + escape(_(screen.note.message).format(**screen.note.params)))
        for step, msgid in STEP_LABELS.items():
            value = answer_text(program, step, screen.answers.get(step), locale)
            lines.append(f"{_(msgid)}: {value}")
        lines += ["", _("Your Telegram contact is never shown in the profile.")]
        steps = [(s, _(m)) for s, m in STEP_LABELS.items()]
        await message.answer("\n".join(lines), reply_markup=summary_keyboard(steps))
    elif isinstance(screen, df.Cancelled):
        await message.answer(_("The profile was not changed."))
    elif isinstance(screen, df.NotAdult):
        await message.answer(_("Sorry, delegate profiles are for adults only. Nothing was stored."))
    return screen


async def start_form(
    message: Message,
    user: User,
    db: Database,
    programs: ProgramService,
    delegates: DelegateService,
    state: FSMContext,
    locale: str,
    prefill: dict[str, object] | None = None,
    member: str | None = None,
) -> None:
    program = programs.program
    if await is_minor(db, program, user.id):
        await message.answer(_("Sorry, delegate profiles are for adults only. Nothing was stored."))
        return
    form = form_of(delegates, programs)
    await state.set_data({"member": member} if member else {})
    profile = await db.delegates.profile_of(user.id)
    if profile is not None and prefill is None:
        outcome = df.summary(form, df.FormState.editing(answers_of(profile)))
    else:
        outcome = df.current(form, df.FormState.start(prefill))
    await show_screen(message, outcome, program, state, locale)


async def form_event(
    message: Message,
    event: df.Event,
    user: User,
    db: Database,
    programs: ProgramService,
    delegates: DelegateService,
    state: FSMContext,
    locale: str,
    edit: bool = False,
) -> None:
    data = await state.get_data()
    form_state = df.FormState.from_data(data.get("form") or {})
    if form_state is None:
        await state.clear()
        await message.answer(_("This form is out of date. Start again: /delegate"))
        return
    program = programs.program
    outcome = df.handle(form_of(delegates, programs), form_state, event)
    member = data.get("member")
    screen = await show_screen(message, outcome, program, state, locale, edit)
    if isinstance(screen, df.Submit):
        if await is_minor(db, program, user.id):
            await message.answer(
                _("Sorry, delegate profiles are for adults only. Nothing was stored.")
            )
            return
        async with db.transaction():
            profile = await db.delegates.save_profile(
                user.id, profile_data(dict(screen.answers), member if member else None)
            )
        logger.info("Delegate profile saved for %s", user.id)
        await message.answer(
            "\n".join([_("✅ Profile saved."), "", profile_card(program, profile, locale, True)]),
            reply_markup=own_profile_keyboard(True),
        )


@router.message(Command("delegate"))
async def delegate_command(
    message: Message, user: User, db: Database, programs: ProgramService, locale: str
) -> None:
    await show_own(message, user, db, programs.program, locale)


async def show_own(
    message: Message, user: User, db: Database, program: Program, locale: str
) -> None:
    profile = await db.delegates.profile_of(user.id)
    if profile is None:
        text = _(
            "🤝 <b>Delegates</b>\nFill a short profile (city, organization, position, areas of "
            "interest, languages) and choose who may see it: then you can find the delegates "
            "of your partner cities on the city cards and ask them to meet. Your Telegram "
            "contact is shown to someone only when you accept a meeting with them."
        )
    else:
        text = "\n".join(
            [_("<b>Your delegate profile</b>"), profile_card(program, profile, locale, True)]
        )
    await message.answer(text, reply_markup=own_profile_keyboard(profile is not None))


@router.message(DelegateStates.form, F.text, ~F.text.startswith("/"))
async def form_typed(
    message: Message,
    user: User,
    db: Database,
    programs: ProgramService,
    delegates: DelegateService,
    state: FSMContext,
    locale: str,
) -> None:
    await form_event(
        message, df.Typed(message.text or ""), user, db, programs, delegates, state, locale
    )


@router.message(DelegateStates.form, ~F.text)
async def form_not_text(message: Message, state: FSMContext) -> None:
    await message.answer(_("Please type the answer or use the buttons."))


@router.callback_query(DelegFormCb.filter())
async def form_button(
    callback: CallbackQuery,
    callback_data: DelegFormCb,
    user: User,
    db: Database,
    programs: ProgramService,
    delegates: DelegateService,
    state: FSMContext,
    locale: str,
) -> None:
    message = callback.message
    if not isinstance(message, Message) or await state.get_state() != DelegateStates.form.state:
        await callback.answer(stale(), show_alert=True)
        return
    events: dict[str, df.Event] = {
        "done": df.Done(),
        "skip": df.Skip(),
        "keep": df.Keep(),
        "cancel": df.Cancel(),
        "confirm": df.Confirm(),
    }
    action = callback_data.action
    if action == "pick":
        event: df.Event = df.Picked(callback_data.n)
    elif action == "edit":
        event = df.Edit(callback_data.step)
    elif action in events:
        event = events[action]
    else:
        await callback.answer(stale(), show_alert=True)
        return
    await callback.answer()
    # A tick in a multiple choice changes the same message; everything else answers anew.
    data = await state.get_data()
    current = df.FormState.from_data(data.get("form") or {})
    edit = action == "pick" and current is not None and current.step in (df.AREAS, df.LANGS)
    await form_event(message, event, user, db, programs, delegates, state, locale, edit)


@router.callback_query(DelegCb.filter(F.action.in_({"edit", "me", "meetings"})))
async def own_buttons(
    callback: CallbackQuery,
    callback_data: DelegCb,
    user: User,
    db: Database,
    programs: ProgramService,
    delegates: DelegateService,
    state: FSMContext,
    locale: str,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(stale(), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "edit":
        await start_form(message, user, db, programs, delegates, state, locale)
    elif callback_data.action == "meetings":
        await send_meetings(message, user, db, programs.program, locale)
    else:
        await show_own(message, user, db, programs.program, locale)


# ---------------------------------------------------------------------------------- claims


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("dm-")))
async def claim_link(
    message: Message,
    command: CommandObject,
    user: User,
    db: Database,
    programs: ProgramService,
    delegates: DelegateService,
    state: FSMContext,
    locale: str,
) -> None:
    token = (command.args or "")[3:]
    member = await db.delegates.claim(token) if token else None
    prefill = delegates.prefill(member, locale) if member else None
    if member is None or prefill is None:
        await message.answer(_("This link is out of date or not valid."))
        return
    taken = await db.delegates.by_member(member)
    if taken is not None and taken.user_id != user.id:
        await message.answer(_("This link is out of date or not valid."))
        return
    async with db.transaction():
        if not await db.delegates.use_claim(token, user.id):
            await message.answer(_("This link is out of date or not valid."))
            return
    await message.answer(
        _("Welcome! The organizers listed you in the delegation: check your profile.")
    )
    await start_form(message, user, db, programs, delegates, state, locale, prefill, member)


# ---------------------------------------------------------------------------------- finding


@router.callback_query(DelegCb.filter(F.action == "city"))
async def city_delegates(
    callback: CallbackQuery,
    callback_data: DelegCb,
    user: User,
    db: Database,
    programs: ProgramService,
    delegates: DelegateService,
    locale: str,
) -> None:
    message = callback.message
    listing = await delegates.listing(user.id, callback_data.key)
    if listing is None or not isinstance(message, Message):
        await callback.answer(stale(), show_alert=True)
        return
    await callback.answer()
    program = programs.program
    has_profile = await db.delegates.profile_of(user.id) is not None
    buttons = [
        (f"{p.name}" + (f" — {p.position}" if p.position else ""), p.id) for p in listing.profiles
    ]
    await message.answer(
        listing_text(program, listing, has_profile, locale),
        reply_markup=listing_keyboard(buttons, has_profile),
    )


@router.callback_query(DelegCb.filter(F.action == "prof"))
async def open_profile(
    callback: CallbackQuery,
    callback_data: DelegCb,
    user: User,
    db: Database,
    programs: ProgramService,
    delegates: DelegateService,
    locale: str,
) -> None:
    message = callback.message
    mine = await db.delegates.profile_of(user.id)
    target = await db.delegates.profile(callback_data.id)
    if (
        not isinstance(message, Message)
        or target is None
        or not await delegates.visible(mine, target)
    ):
        await callback.answer(_("This profile is not available."), show_alert=True)
        return
    await callback.answer()
    await message.answer(
        profile_card(programs.program, target, locale), reply_markup=profile_keyboard(target.id)
    )


# ---------------------------------------------------------------------------------- asking


def _slot_texts(program: Program, iso: list[str], locale: str) -> list[str]:
    return [slot_label(program, parse_moment(s), locale, SLOT_MINUTES) for s in iso]


@router.callback_query(MeetCb.filter(F.action == "ask"))
async def ask_to_meet(
    callback: CallbackQuery,
    callback_data: MeetCb,
    user: User,
    meetings: MeetingService,
    state: FSMContext,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(stale(), show_alert=True)
        return
    checked = await meetings.may_ask(user.id, callback_data.id)
    if isinstance(checked, Refusal):
        await callback.answer(checked.text(), show_alert=True)
        return
    await callback.answer()
    await state.set_state(DelegateStates.note)
    await state.set_data({"pid": callback_data.id})
    await message.answer(
        _(
            "Write a short note: who you are and what you would like to discuss (up to {limit} "
            "characters)."
        ).format(limit=NOTE_LIMIT),
        reply_markup=note_keyboard(callback_data.id),
    )


async def offer_slots(
    message: Message,
    user: User,
    meetings: MeetingService,
    state: FSMContext,
    locale: str,
    pid: int,
    note: str,
) -> None:
    checked = await meetings.may_ask(user.id, pid)
    if isinstance(checked, Refusal):
        await state.clear()
        await message.answer(checked.text())
        return
    _mine, target = checked
    slots = await meetings.common_slots(user.id, target.user_id)
    if not slots:
        await state.clear()
        await message.answer(_("There is no free time left in both agendas during the forum."))
        return
    iso = [s.isoformat() for s in slots]
    await state.set_state(DelegateStates.slots)
    await state.set_data({"pid": pid, "note": note, "slots": iso, "chosen": []})
    program = meetings.programs.program
    await message.answer(
        _("Times free in both agendas. Choose up to {count}, then “Send”:").format(
            count=MAX_PROPOSED
        ),
        reply_markup=slots_keyboard("slot", pid, _slot_texts(program, iso, locale), []),
    )


@router.message(DelegateStates.note, F.text, ~F.text.startswith("/"))
async def note_typed(
    message: Message, user: User, meetings: MeetingService, state: FSMContext, locale: str
) -> None:
    text = " ".join((message.text or "").split())
    if len(text) > NOTE_LIMIT:
        await message.answer(
            _("Please keep the note under {limit} characters.").format(limit=NOTE_LIMIT)
        )
        return
    pid = int((await state.get_data()).get("pid") or 0)
    await offer_slots(message, user, meetings, state, locale, pid, text)


@router.callback_query(MeetCb.filter(F.action == "nonote"))
async def no_note(
    callback: CallbackQuery,
    callback_data: MeetCb,
    user: User,
    meetings: MeetingService,
    state: FSMContext,
    locale: str,
) -> None:
    data = await state.get_data()
    message = callback.message
    if (
        not isinstance(message, Message)
        or await state.get_state() != DelegateStates.note.state
        or data.get("pid") != callback_data.id
    ):
        await callback.answer(stale(), show_alert=True)
        return
    await callback.answer()
    await offer_slots(message, user, meetings, state, locale, callback_data.id, "")


@router.callback_query(MeetCb.filter(F.action.in_({"slot", "oslot"})))
async def tick_slot(
    callback: CallbackQuery,
    callback_data: MeetCb,
    meetings: MeetingService,
    state: FSMContext,
    locale: str,
) -> None:
    data = await state.get_data()
    key = "pid" if callback_data.action == "slot" else "mid"
    message = callback.message
    slots = list(data.get("slots") or [])
    if (
        not isinstance(message, Message)
        or await state.get_state() != DelegateStates.slots.state
        or data.get(key) != callback_data.id
        or not 0 <= callback_data.n < len(slots)
    ):
        await callback.answer(stale(), show_alert=True)
        return
    chosen = list(data.get("chosen") or [])
    if callback_data.n in chosen:
        chosen.remove(callback_data.n)
    elif len(chosen) >= MAX_PROPOSED:
        await callback.answer(_("Up to {count} times.").format(count=MAX_PROPOSED), show_alert=True)
        return
    else:
        chosen.append(callback_data.n)
    await callback.answer()
    await state.update_data(chosen=sorted(chosen))
    program = meetings.programs.program
    await message.edit_reply_markup(
        reply_markup=slots_keyboard(
            callback_data.action, callback_data.id, _slot_texts(program, slots, locale), chosen
        )
    )


def _chosen_moments(data: dict[str, Any]) -> list[datetime]:
    slots = list(data.get("slots") or [])
    return [parse_moment(slots[n]) for n in data.get("chosen") or [] if 0 <= n < len(slots)]


@router.callback_query(MeetCb.filter(F.action.in_({"send", "osend"})))
async def send_request(
    callback: CallbackQuery,
    callback_data: MeetCb,
    user: User,
    meetings: MeetingService,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    key = "pid" if callback_data.action == "send" else "mid"
    message = callback.message
    if (
        not isinstance(message, Message)
        or await state.get_state() != DelegateStates.slots.state
        or data.get(key) != callback_data.id
    ):
        await callback.answer(stale(), show_alert=True)
        return
    moments = _chosen_moments(data)
    if not moments:
        await callback.answer(_("Choose at least one time."), show_alert=True)
        return
    if callback_data.action == "send":
        done = await meetings.request(
            user.id, callback_data.id, str(data.get("note") or ""), moments
        )
    else:
        done = await meetings.propose(user, callback_data.id, moments)
    if isinstance(done, Refusal):
        await callback.answer(done.text(), show_alert=True)
        return
    await callback.answer()
    await state.clear()
    await message.edit_text(
        _("📨 Sent. You will hear here when they answer; your open requests: /meetings")
    )


@router.callback_query(MeetCb.filter(F.action == "abort"))
async def abort(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(_("Cancelled: nothing was sent."))


# ---------------------------------------------------------------------------------- answering


@router.callback_query(MeetCb.filter(F.action == "acc"))
async def accept(
    callback: CallbackQuery,
    callback_data: MeetCb,
    bot: Bot,
    user: User,
    meetings: MeetingService,
    locale: str,
) -> None:
    message = callback.message
    done = await meetings.accept(user, callback_data.id, callback_data.n)
    if isinstance(done, Refusal):
        await callback.answer(done.text(), show_alert=True)
        return
    await callback.answer(_("Accepted."))
    context = await meetings.context_for(done, user.id)
    text, markup = meetings.accepted_view(meetings.programs.program, done, context, locale)
    await bot.send_message(user.id, text, reply_markup=markup)
    if isinstance(message, Message):
        await message.edit_reply_markup(reply_markup=None)


@router.callback_query(MeetCb.filter(F.action == "other"))
async def other_times(
    callback: CallbackQuery,
    callback_data: MeetCb,
    user: User,
    db: Database,
    meetings: MeetingService,
    state: FSMContext,
    locale: str,
) -> None:
    message = callback.message
    meeting = await db.delegates.meeting(callback_data.id)
    if (
        not isinstance(message, Message)
        or meeting is None
        or meeting.status != "open"
        or meeting.answerer() != user.id
    ):
        await callback.answer(stale(), show_alert=True)
        return
    slots = await meetings.common_slots(user.id, meeting.other(user.id))
    proposed = {parse_moment(s) for s in meeting.slots}
    slots = [s for s in slots if s not in proposed]
    if not slots:
        await callback.answer(
            _("There is no free time left in both agendas during the forum."), show_alert=True
        )
        return
    await callback.answer()
    iso = [s.isoformat() for s in slots]
    await state.set_state(DelegateStates.slots)
    await state.set_data({"mid": meeting.id, "slots": iso, "chosen": []})
    program = meetings.programs.program
    await message.answer(
        _("Times free in both agendas. Choose up to {count}, then “Send”:").format(
            count=MAX_PROPOSED
        ),
        reply_markup=slots_keyboard("oslot", meeting.id, _slot_texts(program, iso, locale), []),
    )


@router.callback_query(MeetCb.filter(F.action.in_({"dec", "wd", "block", "cancel"})))
async def close_meeting(
    callback: CallbackQuery,
    callback_data: MeetCb,
    bot: Bot,
    user: User,
    meetings: MeetingService,
) -> None:
    how = {"dec": "decline", "wd": "withdraw", "block": "block", "cancel": "cancel"}[
        callback_data.action
    ]
    done = await meetings.close(user, callback_data.id, how)
    message = callback.message
    if isinstance(done, Refusal):
        await callback.answer(done.text(), show_alert=True)
        return
    await callback.answer()
    texts = {
        "decline": _("Declined. They are told, and see nothing more about you."),
        "withdraw": _("The request is withdrawn."),
        "block": _("Blocked: this person can no longer see your profile or ask you to meet."),
        "cancel": _("The meeting is cancelled; they are told."),
    }
    if isinstance(message, Message):
        await message.edit_reply_markup(reply_markup=None)
    await bot.send_message(user.id, texts[how])


@router.callback_query(MeetCb.filter(F.action == "ics"))
async def meeting_ics(
    callback: CallbackQuery,
    callback_data: MeetCb,
    user: User,
    db: Database,
    meetings: MeetingService,
    locale: str,
) -> None:
    meeting = await db.delegates.meeting(callback_data.id)
    message = callback.message
    if (
        meeting is None
        or not meeting.has(user.id)
        or meeting.status != ACCEPTED
        or not isinstance(message, Message)
    ):
        await callback.answer(stale(), show_alert=True)
        return
    await callback.answer()
    context = await meetings.context_for(meeting, user.id)
    data = meeting_calendar(
        meetings.programs.program, [(meeting, str(context["name"]))], locale, meetings.clock.now()
    )
    await message.answer_document(
        BufferedInputFile(data, f"meeting-{meeting.id}.ics"),
        caption=_("The meeting as a calendar file."),
    )


# ---------------------------------------------------------------------------------- /meetings


async def send_meetings(
    message: Message, user: User, db: Database, program: Program, locale: str
) -> None:
    found = await db.delegates.meetings_of(user.id)
    if not found:
        await message.answer(_("No meetings yet. Find delegates on a partner city's card: /cities"))
        return
    lines = [_("🤝 <b>My meetings</b>"), ""]
    buttons: list[tuple[str, int]] = []
    for m in found:
        other = await db.delegates.profile_of(m.other(user.id))
        name = other.name if other else "—"
        if m.status == ACCEPTED and m.start_at:
            when = slot_label(program, parse_moment(m.start_at), locale, m.minutes)
            state = _("agreed")
        else:
            when = ", ".join(_slot_texts(program, list(m.slots), locale)[:1]) or "—"
            state = (
                _("waiting for your answer")
                if m.answerer() == user.id
                else _("waiting for their answer")
            )
        lines.append(f"• {escape(when)} — {escape(name)} ({state})")
        buttons.append((f"{name} — {state}", m.id))
    await message.answer(fit(lines), reply_markup=meetings_keyboard(buttons[:40]))


@router.message(Command("meetings"))
async def meetings_command(
    message: Message, user: User, db: Database, programs: ProgramService, locale: str
) -> None:
    await send_meetings(message, user, db, programs.program, locale)


@router.callback_query(MeetCb.filter(F.action == "open"))
async def open_meeting(
    callback: CallbackQuery,
    callback_data: MeetCb,
    user: User,
    db: Database,
    meetings: MeetingService,
    locale: str,
) -> None:
    meeting = await db.delegates.meeting(callback_data.id)
    message = callback.message
    if (
        meeting is None
        or not meeting.has(user.id)
        or meeting.status not in ("open", ACCEPTED)
        or not isinstance(message, Message)
    ):
        await callback.answer(stale(), show_alert=True)
        return
    await callback.answer()
    program = meetings.programs.program
    if meeting.status == ACCEPTED:
        context = await meetings.context_for(meeting, user.id)
        text, _markup = meetings.accepted_view(program, meeting, context, locale)
        await message.answer(text, reply_markup=agreed_keyboard(meeting.id))
        return
    await send_open(message, meeting, user, db, meetings, locale)


async def send_open(
    message: Message,
    meeting: Meeting,
    user: User,
    db: Database,
    meetings: MeetingService,
    locale: str,
) -> None:
    program = meetings.programs.program
    if meeting.answerer() == user.id:
        asker = await db.delegates.profile_of(meeting.other(user.id))
        text, markup = meetings.request_view(program, meeting, asker, locale)
        await message.answer(text, reply_markup=markup)
        return
    other = await db.delegates.profile_of(meeting.other(user.id))
    lines = [
        _("📨 <b>Your request, waiting for an answer</b>"),
        "👤 " + (who_line(program, other, locale) if other else "—"),
        "",
        _("Proposed times:"),
        *("• " + t for t in _slot_texts(program, list(meeting.slots), locale)),
    ]
    await message.answer("\n".join(lines), reply_markup=waiting_keyboard(meeting.id))


@router.callback_query(DelegCb.filter())
@router.callback_query(MeetCb.filter())
@router.callback_query(DelegFormCb.filter())
async def stale_button(callback: CallbackQuery) -> None:
    await callback.answer(stale(), show_alert=True)
