"""The youth meeting registration form, and the participant's view, edit and cancel of it.

The form is one FSM state; the current question and the answers so far are in the FSM data
(plain JSON, kept in SQLite), so a restart of the bot mid-form loses nothing. Only Confirm
writes a registration.
"""

from __future__ import annotations

import html
import logging
from datetime import date
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import I18n

from bot import deeplinks
from bot.clock import Clock
from bot.i18n import _, fmt_datetime
from bot.keyboards.common import MenuCb
from bot.keyboards.registration import (
    RegCb,
    RegViewCb,
    back_text,
    cancel_confirm_keyboard,
    cancel_text,
    keep_label,
    phone_keyboard,
    registration_keyboard,
    step_keyboard,
    summary_keyboard,
)
from bot.program.model import ExtraQuestion, Program, QuestionKind, Registration
from bot.services.program import ProgramService
from bot.services.registration import (
    ORG_LIMIT,
    InvalidAnswerError,
    RegistrationService,
    age_at,
    age_day,
    answer_text,
    check_age,
    country_label,
    parse_birth_date,
    parse_email,
    parse_free_text,
    parse_name,
    parse_phone,
    parse_place,
    qr_png,
    status_label,
)
from db import Database
from db.registrations import RegistrationData, RegistrationRow
from db.users import User

logger = logging.getLogger(__name__)
router = Router(name=__name__)

BASE_STEPS = ("name", "birth", "country", "region", "city", "org", "pos", "phone", "email")
GUARDIAN_STEPS = ("gname", "gphone", "gconsent")
CONSENTS = ("consent", "gconsent")
COUNTRY_CODES = ("BY", "RU", "other")


class RegForm(StatesGroup):
    fill = State()


# ---------------------------------------------------------------------------------- steps


def region_options(country: str | None) -> list[str]:
    if country == "BY":
        return [
            _("Minsk"),
            _("Brest Region"),
            _("Vitebsk Region"),
            _("Gomel Region"),
            _("Grodno Region"),
            _("Minsk Region"),
            _("Mogilev Region"),
        ]
    if country == "RU":
        return [
            _("Moscow"),
            _("Saint Petersburg"),
            _("Moscow Region"),
            _("Smolensk Region"),
            _("Bryansk Region"),
            _("Pskov Region"),
        ]
    return []


def is_minor(reg: Registration, program: Program, answers: dict[str, Any]) -> bool:
    born = answers.get("birth")
    if not born:
        return False
    return age_at(date.fromisoformat(born), age_day(program)) < reg.adult_age


def form_steps(program: Program, answers: dict[str, Any]) -> list[str]:
    reg = program.registration
    assert reg is not None
    steps = [*BASE_STEPS, *(f"x.{q.id}" for q in reg.extra_questions), "consent"]
    if is_minor(reg, program, answers):
        steps.extend(GUARDIAN_STEPS)
    return steps


def question_of(program: Program, step: str) -> ExtraQuestion | None:
    reg = program.registration
    if reg is None or not step.startswith("x."):
        return None
    return next((q for q in reg.extra_questions if q.id == step[2:]), None)


def step_label(program: Program, step: str, locale: str) -> str:
    labels = {
        "name": _("Full name"),
        "birth": _("Date of birth"),
        "country": _("Country"),
        "region": _("Region"),
        "city": _("City"),
        "org": _("Organization or place of study"),
        "pos": _("Position or course"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "gname": _("Parent or guardian"),
        "gphone": _("Guardian's phone"),
    }
    if step in labels:
        return labels[step]
    question = question_of(program, step)
    return question.text.get(locale) if question else step


def shown_answer(program: Program, step: str, value: Any, locale: str) -> str:
    """An answer as the person reads it (not escaped)."""
    if value is None:
        return _("— (skipped)")
    if step == "birth":
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    if step == "country":
        return country_label(value)
    if step.startswith("x."):
        return answer_text(program, step[2:], value, locale)
    if step in ("region", "city"):
        return place_label(program, step, str(value), locale)
    return str(value)


def canonical_options(program: Program, step: str, answers: dict[str, Any]) -> list[str]:
    """The options as stored: in the forum's language, so that organizers' counts by region do
    not split one region by the language of each reader."""
    default = program.forum.default_language
    with I18n.get_current().use_locale(default):
        return choice_options(program, step, answers, default)


def place_label(program: Program, step: str, value: str, locale: str) -> str:
    """A region or city picked from the buttons, in the reader's language; typed ones as typed."""
    for country in COUNTRY_CODES:  # the regions offered depend on the country
        canonical = canonical_options(program, step, {"country": country})
        if value in canonical:
            return choice_options(program, step, {"country": country}, locale)[
                canonical.index(value)
            ]
    return value


def choice_options(program: Program, step: str, answers: dict[str, Any], locale: str) -> list[str]:
    if step == "country":
        return [country_label(c) for c in COUNTRY_CODES]
    if step == "region":
        return region_options(answers.get("country"))
    if step == "city":
        reg = program.registration
        return [c.get(locale) for c in reg.known_cities] if reg else []
    if step in CONSENTS:
        return [_("✅ I agree"), _("❌ I do not agree")]
    question = question_of(program, step)
    if question is not None and question.kind == QuestionKind.CHOICE:
        return [o.label.get(locale) for o in question.options]
    if question is not None and question.kind == QuestionKind.YES_NO:
        return [_("Yes"), _("No")]
    return []


def question_text(program: Program, step: str, data: dict[str, Any], locale: str) -> str:
    reg = program.registration
    assert reg is not None
    steps = form_steps(program, data["a"])
    position = steps.index(step) + 1 if step in steps else len(steps)
    head = _("<b>{title}</b> · question {n} of {total}").format(
        title=html.escape(reg.title.get(locale)), n=position, total=len(steps)
    )
    texts = {
        "name": _("Your full name (surname, first name and patronymic, if you have one):"),
        "birth": _("Your date of birth, e.g. 05.03.2008:"),
        "country": _("Your country:"),
        "region": _("Your region: choose a button or type it:"),
        "city": _("Your city or town: choose a button or type it:"),
        "org": _("Your organization or place of study:"),
        "pos": _("Your position, or your course of study (e.g. “student, 2nd year”):"),
        "phone": _(
            "Your phone number: press “📱 Share my contact” below, or type it with the "
            "country code, e.g. +375 29 123-45-67:"
        ),
        "email": _("Your e-mail address:"),
        "gname": _(
            "You are under {age}, so we also need the consent of your parent or legal "
            "guardian.\n\nThe full name of your parent or guardian:"
        ).format(age=reg.adult_age),
        "gphone": _("The phone number of your parent or guardian, with the country code:"),
    }
    if step in texts:
        body = texts[step]
    elif step == "consent":
        body = "\n\n".join(
            [
                _("<b>Consent to the processing of personal data</b>"),
                html.escape(reg.consent_text.get(locale)),
                _("Do you agree? Without the consent we cannot register you."),
            ]
        )
    elif step == "gconsent":
        body = "\n\n".join(
            [
                _("<b>Consent of the parent or legal guardian</b>"),
                html.escape(reg.guardian_consent_text.get(locale)),
                _("Does your parent or guardian agree? Please answer together with them."),
            ]
        )
    else:
        question = question_of(program, step)
        body = html.escape(question.text.get(locale)) if question else ""
        if question is not None and not question.required:
            body += "\n" + _("(optional)")
    return f"{head}\n\n{body}"


def skippable(program: Program, step: str) -> bool:
    question = question_of(program, step)
    return question is not None and not question.required


# ---------------------------------------------------------------------------------- asking


async def drop_reply_keyboard(message: Message, data: dict[str, Any], state: FSMContext) -> None:
    """The phone step's reply keyboard stays on screen until a message removes it."""
    if data.get("kb"):
        data["kb"] = False
        await state.update_data(kb=False)
        await message.answer("👌", reply_markup=ReplyKeyboardRemove())


async def ask(
    message: Message, state: FSMContext, program: Program, locale: str, note: str = ""
) -> None:
    """Send the current question (or the summary) with its buttons."""
    data = await state.get_data()
    step = data["step"]
    if step == "summary":
        await drop_reply_keyboard(message, data, state)
        await show_summary(message, program, data, locale, note)
        return
    text = question_text(program, step, data, locale)
    if note:
        text = f"{note}\n\n{text}"
    current = data["a"].get(step) if step in data["a"] else None
    keep = None
    if current is not None and step not in CONSENTS:
        keep = shown_answer(program, step, current, locale)
    first = form_steps(program, data["a"]).index(step) == 0 if not data.get("ret") else False
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup
    if step == "phone":
        markup = phone_keyboard(keep)
        await state.update_data(kb=True)
    else:
        await drop_reply_keyboard(message, data, state)
        options = choice_options(program, step, data["a"], locale)
        markup = step_keyboard(
            step,
            options,
            keep=keep,
            skip=skippable(program, step),
            back=not first,
            per_row=1 if step in CONSENTS else 2,
        )
    await message.answer(text, reply_markup=markup)


async def show_summary(
    message: Message, program: Program, data: dict[str, Any], locale: str, note: str = ""
) -> None:
    answers = data["a"]
    lines = [note, ""] if note else []
    lines.append(_("<b>Please check your answers:</b>"))
    lines.append("")
    items = []
    for step in form_steps(program, answers):
        if step in CONSENTS:
            continue
        label = step_label(program, step, locale)
        value = shown_answer(program, step, answers.get(step), locale)
        lines.append(f"<b>{html.escape(label)}:</b> {html.escape(value)}")
        items.append((label, step))
    lines.append("")
    lines.append(_("Change an answer with its button, or confirm."))
    await message.answer("\n".join(lines), reply_markup=summary_keyboard(items))


async def next_step(
    message: Message, state: FSMContext, program: Program, locale: str, done: str
) -> None:
    """After an answer: the next question, or back to the summary when changing one answer."""
    data = await state.get_data()
    steps = form_steps(program, data["a"])
    missing = [s for s in steps if s not in data["a"]]
    if data.get("ret") or done not in steps:
        target = missing[0] if missing else "summary"
    else:
        index = steps.index(done)
        target = steps[index + 1] if index + 1 < len(steps) else "summary"
        if target == "summary" and missing:
            target = missing[0]
    await state.update_data(step=target)
    await ask(message, state, program, locale)


async def save_answer(
    message: Message, state: FSMContext, program: Program, locale: str, step: str, value: Any
) -> None:
    data = await state.get_data()
    answers = dict(data["a"])
    answers[step] = value
    if step == "country" and data["a"].get("country") != value:
        answers.pop("region", None)  # a region of the other country makes no sense
    await state.update_data(a=answers)
    await next_step(message, state, program, locale, step)


async def refuse_consent(message: Message, state: FSMContext, user: User) -> None:
    data = await state.get_data()
    await drop_reply_keyboard(message, data, state)
    await state.clear()
    logger.info("User %s refused consent; nothing stored", user.id)
    if data.get("mode") == "edit":
        text = _("Without the consent the changes cannot be saved. Your registration is unchanged.")
    else:
        text = _(
            "Without the consent to the processing of personal data we cannot register you. "
            "Nothing has been stored. You can start again at any time: /register"
        )
    await message.answer(text)


async def cancel_form(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await drop_reply_keyboard(message, data, state)
    await state.clear()
    if data.get("mode") == "edit":
        await message.answer(_("Changes discarded. Your registration is unchanged."))
    else:
        await message.answer(
            _("The form is cancelled; nothing has been stored. Start again with /register.")
        )


# ---------------------------------------------------------------------------------- entry


def window_problem(reg: Registration, clock: Clock, locale: str) -> str | None:
    now = clock.now()
    if now < reg.opens_at:
        return _("Registration opens on {when}.").format(
            when=fmt_datetime(reg.opens_at.astimezone(reg.opens_at.tzinfo), locale)
        )
    if now > reg.closes_at:
        return _("Registration closed on {when}.").format(
            when=fmt_datetime(reg.closes_at.astimezone(reg.closes_at.tzinfo), locale)
        )
    return None


async def registration_card(
    db: Database, row: RegistrationRow, program: Program, locale: str
) -> str:
    lines = [
        _("<b>Your registration {number}</b>").format(number=row.number),
        _("Status: {status}").format(status=status_label(row.status)),
    ]
    if row.status == "waiting":
        place = await db.registrations.waiting_place(row.id)
        lines.append(_("Your place on the waiting list: {place}").format(place=place))
    lines.append("")
    answers = answers_of(row)
    for step in form_steps(program, answers):
        if step in CONSENTS:
            continue
        label = step_label(program, step, locale)
        value = shown_answer(program, step, answers.get(step), locale)
        lines.append(f"<b>{html.escape(label)}:</b> {html.escape(value)}")
    return "\n".join(lines)


def answers_of(row: RegistrationRow) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "name": row.full_name,
        "birth": row.birth_date,
        "country": row.country,
        "region": row.region,
        "city": row.city,
        "org": row.organization,
        "pos": row.position,
        "phone": row.phone,
        "email": row.email,
        "consent": "yes",
    }
    for key, value in row.answers.items():
        answers[f"x.{key}"] = value
    if row.guardian_name:
        answers["gname"] = row.guardian_name
        answers["gphone"] = row.guardian_phone
        answers["gconsent"] = "yes" if row.guardian_consent_at else None
    return answers


async def open_registration(
    message: Message,
    state: FSMContext,
    user: User,
    locale: str,
    db: Database,
    programs: ProgramService,
    clock: Clock,
) -> None:
    program = programs.program
    reg = program.registration
    if reg is None:
        await message.answer(_("There is no youth meeting registration at this forum."))
        return
    if await state.get_state() == RegForm.fill.state:
        await message.answer(_("Let us continue your form where you left off."))
        await ask(message, state, program, locale)
        return
    row = await db.registrations.by_user(user.id)
    if row is not None and row.status != "cancelled":
        can_edit = window_problem(reg, clock, locale) is None
        await message.answer(
            await registration_card(db, row, program, locale),
            reply_markup=registration_keyboard(row.status, can_edit),
        )
        return
    problem = window_problem(reg, clock, locale)
    if problem:
        await message.answer(problem)
        return
    await state.set_state(RegForm.fill)
    await state.set_data({"step": "name", "a": {}, "mode": "new"})
    await ask(message, state, program, locale)


@router.message(CommandStart(deep_link=True, magic=F.args == "reg"))
@router.message(Command("register"))
async def register_command(
    message: Message,
    state: FSMContext,
    user: User,
    locale: str,
    db: Database,
    programs: ProgramService,
    clock: Clock,
) -> None:
    await open_registration(message, state, user, locale, db, programs, clock)


@router.callback_query(MenuCb.filter(F.action == "register"))
async def register_button(
    callback: CallbackQuery,
    state: FSMContext,
    user: User,
    locale: str,
    db: Database,
    programs: ProgramService,
    clock: Clock,
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await open_registration(callback.message, state, user, locale, db, programs, clock)


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("ci-")))
async def checkin_link_refused(message: Message, command: CommandObject) -> None:
    """Organizers' check-in links are handled before this router; anyone else is refused."""
    logger.warning("User %s opened check-in link %r", message.chat.id, command.args)
    await message.answer(_("This is for the forum organizers only."))


# ---------------------------------------------------------------------------------- answers


def pick_by_text(options: list[str], text: str) -> int | None:
    wanted = text.strip().casefold()
    for index, label in enumerate(options):
        if label.strip().casefold() == wanted:
            return index
    return None


def parse_typed(
    program: Program, step: str, text: str, answers: dict[str, Any], clock: Clock, locale: str
) -> Any:
    """The answer for a typed text, or InvalidAnswerError with the reason."""
    reg = program.registration
    assert reg is not None
    if step in ("name", "gname"):
        return parse_name(text)
    if step == "birth":
        today = clock.now().astimezone(program.forum.tz).date()
        born = parse_birth_date(text, today)
        check_age(born, reg, age_day(program), locale)
        return born.isoformat()
    if step in ("region", "city"):
        return parse_place(text)
    if step in ("org", "pos"):
        return parse_place(text, ORG_LIMIT)
    if step == "phone":
        return parse_phone(text, answers.get("country"))
    if step == "gphone":
        phone = parse_phone(text, answers.get("country"))
        if phone == answers.get("phone"):
            raise InvalidAnswerError(
                _("This is your own number; we need your parent's or guardian's.")
            )
        return phone
    if step == "email":
        return parse_email(text)
    question = question_of(program, step)
    if question is not None and question.kind == QuestionKind.TEXT:
        return parse_free_text(text, question.max_length)
    raise InvalidAnswerError(_("Please choose one of the buttons."))


async def apply_pick(
    message: Message, state: FSMContext, program: Program, locale: str, user: User, index: int
) -> None:
    data = await state.get_data()
    step = data["step"]
    options = choice_options(program, step, data["a"], locale)
    if not 0 <= index < len(options):
        await ask(message, state, program, locale, _("Please choose one of the buttons."))
        return
    if step in CONSENTS:
        if index != 0:
            await refuse_consent(message, state, user)
            return
        await save_answer(message, state, program, locale, step, "yes")
        return
    question = question_of(program, step)
    value: Any
    if step == "country":
        value = COUNTRY_CODES[index]
    elif question is not None and question.kind == QuestionKind.CHOICE:
        value = question.options[index].id
    elif question is not None and question.kind == QuestionKind.YES_NO:
        value = "yes" if index == 0 else "no"
    else:
        value = canonical_options(program, step, data["a"])[index]
    await save_answer(message, state, program, locale, step, value)


async def go_back(message: Message, state: FSMContext, program: Program, locale: str) -> None:
    data = await state.get_data()
    if data.get("ret"):
        await state.update_data(step="summary")
    else:
        steps = form_steps(program, data["a"])
        index = steps.index(data["step"]) if data["step"] in steps else 0
        if index == 0:
            await ask(message, state, program, locale, _("This is the first question."))
            return
        await state.update_data(step=steps[index - 1])
    await ask(message, state, program, locale)


@router.message(StateFilter(RegForm.fill), F.contact)
async def contact_answer(
    message: Message, state: FSMContext, programs: ProgramService, locale: str
) -> None:
    data = await state.get_data()
    program = programs.program
    contact = message.contact
    if data.get("step") != "phone" or contact is None:
        await ask(message, state, program, locale, _("Please answer the question below."))
        return
    if message.from_user is None or contact.user_id != message.from_user.id:
        await ask(
            message,
            state,
            program,
            locale,
            _("Please share your own contact with the button, or type your number."),
        )
        return
    try:
        phone = parse_phone(contact.phone_number, data["a"].get("country"))
    except InvalidAnswerError as problem:
        await ask(message, state, program, locale, str(problem))
        return
    await save_answer(message, state, program, locale, "phone", phone)


@router.message(StateFilter(RegForm.fill), F.text, ~F.text.startswith("/"))
async def text_answer(
    message: Message,
    state: FSMContext,
    programs: ProgramService,
    locale: str,
    clock: Clock,
    user: User,
) -> None:
    data = await state.get_data()
    program = programs.program
    if program.registration is None or "step" not in data:
        await state.clear()
        await message.answer(_("The registration form is no longer available."))
        return
    step = data["step"]
    text = message.text or ""
    if step == "summary":
        await ask(message, state, program, locale, _("Please use the buttons below."))
        return
    # The phone step's reply keyboard sends its buttons as text.
    if text == back_text():
        await go_back(message, state, program, locale)
        return
    if text == cancel_text():
        await cancel_form(message, state)
        return
    current = data["a"].get(step)
    if current is not None and text == keep_label(shown_answer(program, step, current, locale)):
        await next_step(message, state, program, locale, step)
        return
    options = choice_options(program, step, data["a"], locale)
    index = pick_by_text(options, text) if options else None
    if index is not None:
        await apply_pick(message, state, program, locale, user, index)
        return
    if step in CONSENTS:
        await ask(message, state, program, locale, _("Please answer with the buttons."))
        return
    try:
        value = parse_typed(program, step, text, data["a"], clock, locale)
    except InvalidAnswerError as problem:
        await ask(message, state, program, locale, "⚠️ " + str(problem))
        return
    await save_answer(message, state, program, locale, step, value)


@router.message(StateFilter(RegForm.fill), ~F.text)
async def not_text_answer(
    message: Message, state: FSMContext, programs: ProgramService, locale: str
) -> None:
    await ask(message, state, programs.program, locale, _("Please answer with a text message."))


@router.callback_query(RegCb.filter())
async def form_button(
    callback: CallbackQuery,
    callback_data: RegCb,
    state: FSMContext,
    programs: ProgramService,
    locale: str,
    user: User,
    db: Database,
    clock: Clock,
    registrations: RegistrationService,
    bot: Bot,
) -> None:
    data = await state.get_data()
    program = programs.program
    message = callback.message
    if (
        await state.get_state() != RegForm.fill.state
        or data.get("step") != callback_data.step
        or not isinstance(message, Message)
        or program.registration is None
    ):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    await callback.answer()
    action = callback_data.action
    step = data["step"]
    if action == "cancel":
        await cancel_form(message, state)
    elif action == "back":
        await go_back(message, state, program, locale)
    elif action == "pick" and callback_data.value.isdigit():
        await apply_pick(message, state, program, locale, user, int(callback_data.value))
    elif action == "keep" and data["a"].get(step) is not None:
        await next_step(message, state, program, locale, step)
    elif action == "skip" and skippable(program, step):
        await save_answer(message, state, program, locale, step, None)
    elif action == "edit" and step == "summary":
        if callback_data.value not in form_steps(program, data["a"]):
            await ask(message, state, program, locale)
            return
        await state.update_data(step=callback_data.value, ret=True)
        await ask(message, state, program, locale)
    elif action == "confirm" and step == "summary":
        await confirm(message, state, program, locale, user, db, clock, registrations, bot)
    else:
        await ask(message, state, program, locale)


def form_data(program: Program, answers: dict[str, Any]) -> RegistrationData:
    reg = program.registration
    assert reg is not None
    minor = is_minor(reg, program, answers)
    return RegistrationData(
        full_name=answers["name"],
        birth_date=answers["birth"],
        country=answers["country"],
        region=answers["region"],
        city=answers["city"],
        organization=answers["org"],
        position=answers["pos"],
        phone=answers["phone"],
        email=answers["email"],
        answers={q.id: answers.get(f"x.{q.id}") for q in reg.extra_questions},
        guardian_name=answers.get("gname") if minor else None,
        guardian_phone=answers.get("gphone") if minor else None,
        guardian_consent=minor and answers.get("gconsent") == "yes",
    )


async def confirm(
    message: Message,
    state: FSMContext,
    program: Program,
    locale: str,
    user: User,
    db: Database,
    clock: Clock,
    registrations: RegistrationService,
    bot: Bot,
) -> None:
    data = await state.get_data()
    reg = program.registration
    assert reg is not None
    steps = form_steps(program, data["a"])
    missing = [s for s in steps if s not in data["a"]]
    if missing:
        await state.update_data(step=missing[0], ret=True)
        await ask(message, state, program, locale)
        return
    problem = window_problem(reg, clock, locale)
    if problem:
        await state.clear()
        await message.answer(problem)
        return
    row, created = await registrations.submit(user.id, form_data(program, data["a"]), reg.capacity)
    await state.clear()
    if not created:
        await message.answer(_("✅ Your changes are saved."))
        await message.answer(
            await registration_card(db, row, program, locale),
            reply_markup=registration_keyboard(row.status, True),
        )
        return
    if row.status == "waiting":
        place = await db.registrations.waiting_place(row.id)
        await message.answer(
            _(
                "All places are taken, so you are on the <b>waiting list</b>, place {place}. "
                "Your number is <b>{number}</b>. If someone cancels, I will let you know."
            ).format(place=place, number=row.number)
        )
        return
    await message.answer(
        _("✅ You are registered for the youth meeting! Your number is <b>{number}</b>.").format(
            number=row.number
        )
    )
    await send_qr(message, bot, row)


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


# ---------------------------------------------------------------------------------- own view


@router.callback_query(RegViewCb.filter())
async def registration_button(
    callback: CallbackQuery,
    callback_data: RegViewCb,
    state: FSMContext,
    user: User,
    locale: str,
    db: Database,
    programs: ProgramService,
    clock: Clock,
    registrations: RegistrationService,
    bot: Bot,
) -> None:
    program = programs.program
    reg = program.registration
    row = await db.registrations.by_user(user.id)
    message = callback.message
    if reg is None or row is None or row.status == "cancelled" or not isinstance(message, Message):
        await callback.answer(_("This button is out of date."), show_alert=True)
        return
    action = callback_data.action
    if action == "qr" and row.status == "registered":
        await callback.answer()
        await send_qr(message, bot, row)
    elif action == "edit" and row.status in ("registered", "waiting"):
        problem = window_problem(reg, clock, locale)
        if problem:
            await callback.answer(problem, show_alert=True)
            return
        await callback.answer()
        await state.set_state(RegForm.fill)
        await state.set_data({"step": "summary", "a": answers_of(row), "mode": "edit"})
        await ask(message, state, program, locale)
    elif action == "cancel" and row.status in ("registered", "waiting"):
        await callback.answer()
        await message.answer(
            _("Cancel your registration {number}? Your place goes to the next person.").format(
                number=row.number
            ),
            reply_markup=cancel_confirm_keyboard(),
        )
    elif action == "cancel_yes":
        cancelled = await registrations.cancel(user.id, reg.capacity)
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
