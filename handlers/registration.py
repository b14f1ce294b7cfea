"""The youth meeting registration form, the participant's view, edit and cancel of it, and a
parent's or guardian's consent through their own link.

The form itself is `bot.services.registration_form`: each update is parsed into an event,
handed to the form, and the screen it returns is rendered here. The form's state (the step
and the answers so far) is plain JSON in the FSM storage, so a restart loses nothing; only
Confirm writes a registration.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot import deeplinks
from bot.clock import Clock
from bot.i18n import _
from bot.keyboards.common import MenuCb, main_menu
from bot.keyboards.registration import (
    RegCb,
    RegViewCb,
    back_text,
    cancel_confirm_keyboard,
    cancel_text,
    keep_label,
    menu_keyboard,
    phone_keyboard,
    registration_keyboard,
    share_button,
    step_keyboard,
    summary_keyboard,
)
from bot.program.model import Program
from bot.services.program import ProgramService
from bot.services.registration import (
    RegistrationService,
    answers_of,
    qr_png,
    registration_data,
)
from bot.services.registration_form import (
    CONSENT,
    PHONE,
    SUMMARY,
    Back,
    Cancel,
    Cancelled,
    Confirm,
    ConsentRefused,
    ContactShared,
    Edit,
    Event,
    FormState,
    Keep,
    NotText,
    Outcome,
    Picked,
    Question,
    RegistrationForm,
    Skip,
    Submit,
    Summary,
    Typed,
    current,
    handle,
)
from bot.services.registration_view import (
    answer_text,
    answers_html,
    intro_html,
    items_of,
    label_text,
    next_steps_html,
    note_text,
    question_html,
    status_label,
    step_label,
    window_problem,
)
from db import Database
from db.registrations import RegistrationRow
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)


class RegForm(StatesGroup):
    fill = State()


def form_of(programs: ProgramService) -> RegistrationForm | None:
    program = programs.program
    if program.registration is None:
        return None
    return programs.derived(("registration-form",), lambda: RegistrationForm.from_program(program))


# ---------------------------------------------------------------------------------- texts


async def registration_card(
    db: Database, row: RegistrationRow, form: RegistrationForm, locale: str
) -> str:
    lines = [
        _("<b>Your registration {number}</b>").format(number=row.number),
        _("Registration status: {status}").format(status=status_label(row.status)),
    ]
    if row.status == "waiting":
        place = await db.registrations.waiting_place(row.id)
        lines.append(_("Your place on the waiting list: {place}").format(place=place))
    lines.append("")
    lines += answers_html(form, items_of(form, answers_of(row)), locale)
    return "\n".join(lines)


async def guardian_share(
    registrations: RegistrationService, row: RegistrationRow, program: Program, locale: str
) -> tuple[str, InlineKeyboardButton]:
    """The message a minor forwards to their parent or guardian, and its share button."""
    link = await registrations.guardian_link(row)
    reg = program.registration
    assert reg is not None
    text = _(
        "👋 Hello! {name} is filling in “{title}” and needs the consent of a parent or "
        "legal guardian. Please open this link in your Telegram, read the consent and "
        "confirm it:\n{link}"
    ).format(name=html.escape(row.full_name), title=html.escape(reg.title.get(locale)), link=link)
    plain = _("{name} asks for your consent as a parent or guardian:").format(name=row.full_name)
    return text, share_button(link, plain)


async def card_keyboard(
    registrations: RegistrationService,
    row: RegistrationRow,
    program: Program,
    clock: Clock,
    locale: str,
) -> InlineKeyboardMarkup:
    can_edit = window_problem(program, clock, locale) is None
    share = None
    if row.status == "guardian":
        _text, share = await guardian_share(registrations, row, program, locale)
    return registration_keyboard(row.status, can_edit, share)


# ---------------------------------------------------------------------------------- screens


async def show_question(message: Message, form: RegistrationForm, q: Question, locale: str) -> None:
    text = question_html(form, q, locale)
    keep = answer_text(form, q.step, q.current, locale) if q.has_current else None
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup
    if q.step == PHONE:
        markup = phone_keyboard(keep)
    else:
        markup = step_keyboard(
            q.step,
            [label_text(o.label, locale) for o in q.options],
            keep=keep,
            skip=q.can_skip,
            back=q.can_back,
            per_row=1 if q.step == CONSENT else 2,
        )
    await message.answer(text, reply_markup=markup)


async def show_summary(
    message: Message, form: RegistrationForm, screen: Summary, locale: str
) -> None:
    lines = []
    if screen.note is not None:
        lines += ["⚠️ " + html.escape(note_text(screen.note, locale)), ""]
    lines += [_("<b>Please check your answers:</b>"), ""]
    lines += answers_html(form, screen.items, locale)
    lines += ["", _("Change an answer with its button, or confirm.")]
    buttons = [(step_label(form, step, locale), step) for step, _value in screen.items]
    await message.answer("\n".join(lines), reply_markup=summary_keyboard(buttons))


async def step(
    message: Message,
    state: FSMContext,
    form: RegistrationForm,
    event: Event,
    ctx: FormContext,
) -> None:
    """One turn of the form: hand the event to it, keep its state, show its screen."""
    data = await state.get_data()
    current = FormState.from_data(data)
    if current is None:
        await form_gone(message, state)
        return
    today = ctx.clock.now().astimezone(ctx.program.forum.tz).date()
    outcome = handle(form, current, event, today)
    await show(message, state, form, outcome, data, ctx)


async def show(
    message: Message,
    state: FSMContext,
    form: RegistrationForm,
    outcome: Outcome,
    data: dict[str, Any],
    ctx: FormContext,
) -> None:
    """Keep the new state first (the person may answer the moment the question arrives),
    then show the screen."""
    screen = outcome.screen
    locale = ctx.locale
    # The phone step's reply keyboard stays on screen until a message removes it.
    phone_keyboard_shown = isinstance(screen, Question) and screen.step == PHONE
    if outcome.state is None:
        await state.clear()
    else:
        await state.set_data({**outcome.state.to_data(), "kb": phone_keyboard_shown})
    if data.get("kb") and not phone_keyboard_shown:
        await message.answer("👌", reply_markup=ReplyKeyboardRemove())
    if isinstance(screen, Question):
        await show_question(message, form, screen, locale)
    elif isinstance(screen, Summary):
        await show_summary(message, form, screen, locale)
    elif isinstance(screen, Cancelled):
        if screen.mode == "edit":
            await message.answer(_("Changes discarded. Your registration is unchanged."))
        else:
            await message.answer(
                _("The form is cancelled; nothing has been stored. Start again with /register.")
            )
    elif isinstance(screen, ConsentRefused):
        logger.info("User %s refused consent; nothing stored", ctx.user.id)
        if screen.mode == "edit":
            text = _(
                "Without the consent the changes cannot be saved. Your registration is unchanged."
            )
        else:
            text = _(
                "Without the consent to the processing of personal data we cannot register "
                "you. Nothing has been stored. You can start again at any time: /register"
            )
        await message.answer(text)
    elif isinstance(screen, Submit):
        await confirm(message, form, screen, ctx)


@dataclass(frozen=True, slots=True)
class FormContext:
    """What a turn of the form needs besides the update: taken from the handler's data."""

    user: User
    locale: str
    db: Database
    programs: ProgramService
    clock: Clock
    registrations: RegistrationService
    bot: Bot

    @classmethod
    def of(cls, data: dict[str, Any]) -> FormContext:
        return cls(*(data[name] for name in cls.__dataclass_fields__))

    @property
    def program(self) -> Program:
        return self.programs.program

    @property
    def form(self) -> RegistrationForm | None:
        return form_of(self.programs)


async def confirm(
    message: Message, form: RegistrationForm, screen: Submit, ctx: FormContext
) -> None:
    program, locale = ctx.program, ctx.locale
    problem = window_problem(program, ctx.clock, locale)
    if problem:
        await message.answer(problem, reply_markup=menu_keyboard())
        return
    data = registration_data(form, screen.answers)
    done = await ctx.registrations.submit(
        ctx.user.id, data, form.reg.capacity, screen.mode, screen.minor
    )
    row = done.row
    if done.result in ("exists", "updated"):
        if done.result == "exists":  # a second Confirm, or the form filled in twice
            head = _("You are already registered: your number is <b>{number}</b>.")
        else:
            head = _("✅ Your changes are saved.")
        await message.answer(head.format(number=row.number))
        keyboard = await card_keyboard(ctx.registrations, row, program, ctx.clock, locale)
        await message.answer(
            await registration_card(ctx.db, row, form, locale), reply_markup=keyboard
        )
        if done.result == "updated" and row.status == "guardian":
            await ask_guardian(message, ctx, row)
        return
    if row.status == "guardian":
        await ask_guardian(message, ctx, row)
        return
    if row.status == "waiting":
        place = await ctx.db.registrations.waiting_place(row.id)
        await message.answer(
            _(
                "All places are taken, so you are on the <b>waiting list</b>, place {place}. "
                "Your number is <b>{number}</b>. If someone cancels, I will let you know."
            ).format(place=place, number=row.number)
        )
        await message.answer(
            next_steps_html(program, ctx.clock, locale),
            reply_markup=main_menu(ctx.user.is_organizer),
        )
        return
    await message.answer(
        _(
            "✅ Your registration for the youth meeting is confirmed! "
            "Your number is <b>{number}</b>."
        ).format(number=row.number)
    )
    await send_qr(message, ctx.bot, row)
    await message.answer(
        next_steps_html(program, ctx.clock, locale), reply_markup=main_menu(ctx.user.is_organizer)
    )


async def ask_guardian(message: Message, ctx: FormContext, row: RegistrationRow) -> None:
    """A minor's last step: a link for the parent or guardian, who confirms in their Telegram."""
    await message.answer(
        _(
            "📨 Almost done! Your registration <b>{number}</b> is complete once your parent or "
            "guardian gives their consent. Forward them the next message, or press “Send to my "
            "parent or guardian”: they open the link in their own Telegram and confirm. If "
            "nothing happens within a day, I will remind you."
        ).format(number=row.number),
        reply_markup=main_menu(ctx.user.is_organizer),
    )
    text, share = await guardian_share(ctx.registrations, row, ctx.program, ctx.locale)
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[share]]))


async def send_qr(message: Message, bot: Bot, row: RegistrationRow) -> None:
    me = await bot.me()
    link = deeplinks.url(me.username or "", "checkin", row.number)
    photo = BufferedInputFile(qr_png(link), filename=f"{row.number}.png")
    await message.answer_photo(
        photo,
        caption=_("Your check-in QR code, {number}: show it at the registration desk.").format(
            number=row.number
        ),
    )


# ---------------------------------------------------------------------------------- entry


async def open_registration(
    message: Message,
    state: FSMContext,
    form: RegistrationForm | None,
    ctx: FormContext,
) -> None:
    locale = ctx.locale
    if form is None:
        await message.answer(_("There is no youth meeting registration at this forum."))
        return
    if await state.get_state() == RegForm.fill.state:
        data = await state.get_data()
        resumed = FormState.from_data(data)
        if resumed is not None:
            await message.answer(_("Let us continue your form where you left off."))
            await show(message, state, form, current(form, resumed), data, ctx)
            return
    row = await ctx.db.registrations.by_user(ctx.user.id)
    if row is not None and row.status != "cancelled":
        keyboard = await card_keyboard(ctx.registrations, row, ctx.program, ctx.clock, locale)
        await message.answer(
            await registration_card(ctx.db, row, form, locale), reply_markup=keyboard
        )
        return
    problem = window_problem(ctx.program, ctx.clock, locale)
    if problem:
        await message.answer(problem, reply_markup=menu_keyboard())
        return
    await state.set_state(RegForm.fill)
    await message.answer(intro_html(form, locale))
    await show(message, state, form, current(form, FormState.start()), {}, ctx)


@router.message(CommandStart(deep_link=True, magic=F.args == "reg"))
@router.message(Command("register"))
async def register_command(message: Message, state: FSMContext, **data: Any) -> None:
    ctx = FormContext.of(data)
    await open_registration(message, state, ctx.form, ctx)


@router.callback_query(MenuCb.filter(F.action == "register"))
async def register_button(callback: CallbackQuery, state: FSMContext, **data: Any) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        ctx = FormContext.of(data)
        await open_registration(callback.message, state, ctx.form, ctx)


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("ci-")))
async def checkin_link_refused(message: Message, command: CommandObject) -> None:
    """Organizers' check-in links are handled before this router; anyone else is refused."""
    logger.warning("User %s opened check-in link %r", message.chat.id, command.args)
    await message.answer(_("This is for the forum organizers only."))


# ---------------------------------------------------------------------------------- answers


def typed_event(form: RegistrationForm, state: FormState, text: str, locale: str) -> Event:
    """A typed text: a reply-keyboard button, an option's label, or an answer."""
    if text == back_text():
        return Back()
    if text == cancel_text():
        return Cancel()
    if state.step == SUMMARY:
        return Typed(text)
    value = state.answers.get(state.step)
    if value is not None and text == keep_label(answer_text(form, state.step, value, locale)):
        return Keep()
    wanted = text.strip().casefold()
    for index, option in enumerate(form.options(state.step, state.answers)):
        if label_text(option.label, locale).strip().casefold() == wanted:
            return Picked(index)
    return Typed(text)


def button_event(callback_data: RegCb) -> Event | None:
    action, value = callback_data.action, callback_data.value
    if action == "pick" and value.isdigit():
        return Picked(int(value))
    events: dict[str, Event] = {
        "keep": Keep(),
        "skip": Skip(),
        "back": Back(),
        "cancel": Cancel(),
        "confirm": Confirm(),
        "edit": Edit(value),
    }
    return events.get(action)


async def form_gone(message: Message, state: FSMContext) -> None:
    """The program no longer has a registration, or the saved state is not a form's."""
    await state.clear()
    await message.answer(_("The registration form is no longer available."))


@router.message(StateFilter(RegForm.fill), F.contact)
async def contact_answer(message: Message, state: FSMContext, **data: Any) -> None:
    ctx = FormContext.of(data)
    form, contact = ctx.form, message.contact
    if form is None or contact is None:
        await form_gone(message, state)
        return
    own = message.from_user is not None and contact.user_id == message.from_user.id
    await step(message, state, form, ContactShared(contact.phone_number, own), ctx)


@router.message(StateFilter(RegForm.fill), F.text, ~F.text.startswith("/"))
async def text_answer(message: Message, state: FSMContext, **data: Any) -> None:
    ctx = FormContext.of(data)
    form = ctx.form
    current_state = FormState.from_data(await state.get_data())
    if form is None or current_state is None:
        await form_gone(message, state)
        return
    event = typed_event(form, current_state, message.text or "", ctx.locale)
    await step(message, state, form, event, ctx)


@router.message(StateFilter(RegForm.fill), ~F.text)
async def not_text_answer(message: Message, state: FSMContext, **data: Any) -> None:
    ctx = FormContext.of(data)
    if ctx.form is None:
        await form_gone(message, state)
        return
    await step(message, state, ctx.form, NotText(), ctx)


@router.callback_query(RegCb.filter())
async def form_button(
    callback: CallbackQuery, callback_data: RegCb, state: FSMContext, **data: Any
) -> None:
    ctx = FormContext.of(data)
    form = ctx.form
    message = callback.message
    event = button_event(callback_data)
    if (
        await state.get_state() != RegForm.fill.state
        or (await state.get_data()).get("step") != callback_data.step
        or not isinstance(message, Message)
        or form is None
        or event is None
    ):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    await step(message, state, form, event, ctx)


# ---------------------------------------------------------------------------------- own view


@router.callback_query(RegViewCb.filter())
async def registration_button(
    callback: CallbackQuery, callback_data: RegViewCb, state: FSMContext, **data: Any
) -> None:
    ctx = FormContext.of(data)
    form = ctx.form
    row = await ctx.db.registrations.by_user(ctx.user.id)
    message = callback.message
    active = ("registered", "waiting", "guardian")
    if form is None or row is None or row.status == "cancelled" or not isinstance(message, Message):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    action = callback_data.action
    if action == "qr" and row.status == "registered":
        await callback.answer()
        await send_qr(message, ctx.bot, row)
    elif action == "edit" and row.status in active:
        problem = window_problem(ctx.program, ctx.clock, ctx.locale)
        if problem:
            await callback.answer(
                _("Registration is closed; answers cannot be changed now."), show_alert=True
            )
            return
        await callback.answer()
        await state.set_state(RegForm.fill)
        await show(message, state, form, current(form, FormState.editing(answers_of(row))), {}, ctx)
    elif action == "cancel" and row.status in active:
        await callback.answer()
        await message.answer(
            _("Cancel your registration {number}? Your place goes to the next person.").format(
                number=row.number
            ),
            reply_markup=cancel_confirm_keyboard(),
        )
    elif action == "cancel_yes":
        cancelled = await ctx.registrations.cancel(ctx.user.id, form.reg.capacity)
        if cancelled is None:
            await callback.answer(_("This button is out of date."), show_alert=True)
            return
        await callback.answer()
        await message.edit_text(
            _(
                "Your registration {number} is cancelled. You can register again with /register."
            ).format(number=cancelled.number)
        )
    elif action == "cancel_no":
        await callback.answer()
        await message.edit_text(_("Your registration is kept."))
    else:
        await callback.answer(_("This button is out of date."), show_alert=True)
