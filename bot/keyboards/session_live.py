"""Keyboards of the session's live features: questions and votes, the moderator view, polls,
ratings and materials (issue 15)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _, ngettext
from bot.keyboards.builder import InlineKeyboardBuilder
from bot.keyboards.labels import fit, unique
from bot.keyboards.links import SectionCb, session_link

ROW = 8


class LiveCb(CallbackData, prefix="sl"):
    """A session's live features: ask, list (questions), mod (moderator view), poll (new
    poll), mat (materials), addm (add a material), inv (a moderator invite link); with a
    section's id: xmat (its materials), addx (add one to it)."""

    action: str
    id: str


class QuestionCb(CallbackData, prefix="sq"):
    """A question: v (vote), a (answered), h (hide), p / u (pin / unpin), m (mute its author
    for the session), s (show a held question)."""

    action: str
    id: int


class AskCb(CallbackData, prefix="sk"):
    """The question being asked: named, anon (send it), cancel."""

    action: str


class PollCb(CallbackData, prefix="sp"):
    """A poll: go (send the draft), cancel (the draft), res (results), csv (export)."""

    action: str
    id: int = 0


class RateCb(CallbackData, prefix="sr"):
    """A rating of a session: value 1-5, or 0 to add a comment."""

    id: str
    value: int


class MaterialCb(CallbackData, prefix="sm"):
    """A material: get (the file), done (stop adding)."""

    action: str
    id: int = 0


class FeedbackAdminCb(CallbackData, prefix="of"):
    """Organizers' feedback: csv (comments export), survey (the survey's answers)."""

    action: str


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def card_rows(
    session_id: str, ask_open: bool, moderator: bool, materials: int
) -> list[list[InlineKeyboardButton]]:
    """The rows a session card gets from the live features."""
    rows: list[list[InlineKeyboardButton]] = []
    if ask_open:
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("❓ Ask a question"),
                    callback_data=LiveCb(action="ask", id=session_id).pack(),
                ),
                InlineKeyboardButton(
                    text=_("💬 Questions"),
                    callback_data=LiveCb(action="list", id=session_id).pack(),
                ),
            ]
        )
    row = []
    if materials:
        row.append(
            InlineKeyboardButton(
                text=_("📎 Materials ({count})").format(count=materials),
                callback_data=LiveCb(action="mat", id=session_id).pack(),
            )
        )
    if moderator:
        row.append(
            InlineKeyboardButton(
                text=_("🛡 Moderate"), callback_data=LiveCb(action="mod", id=session_id).pack()
            )
        )
    if row:
        rows.append(row)
    return rows


def question_list_keyboard(
    session_id: str, numbered: Sequence[tuple[int, int, bool]], ask_open: bool
) -> InlineKeyboardMarkup:
    """numbered: (number, question id, voted by the reader); a vote button on each."""
    b = InlineKeyboardBuilder()
    buttons = [
        InlineKeyboardButton(
            text=("✔ " if voted else "👍 ") + str(n),
            callback_data=QuestionCb(action="v", id=qid).pack(),
        )
        for n, qid, voted in numbered
    ]
    for start in range(0, len(buttons), ROW):
        b.row(*buttons[start : start + ROW])
    if ask_open:
        b.row(
            InlineKeyboardButton(
                text=_("❓ Ask a question"),
                callback_data=LiveCb(action="ask", id=session_id).pack(),
            )
        )
    b.row(InlineKeyboardButton(text=_("◀ Session"), callback_data=session_link(session_id)))
    return b.as_markup()


def moderator_keyboard(
    session_id: str, numbered: Sequence[tuple[int, int, str, bool]], organizer: bool
) -> InlineKeyboardMarkup:
    """numbered: (number, question id, status, pinned); a row of actions per question."""
    b = InlineKeyboardBuilder()
    for n, qid, status, pinned in numbered:
        # Four to a row: short labels (the legend under the list explains them).
        row = []
        if status == "held":
            row.append(button(f"{n} 👁", QuestionCb(action="s", id=qid)))
        elif status == "open":
            row.append(button(f"{n} ✅", QuestionCb(action="a", id=qid)))
        row.append(button(f"{n} 🙈", QuestionCb(action="h", id=qid)))
        if status != "held":
            action = "u" if pinned else "p"
            row.append(
                button(f"{n} 📍" if pinned else f"{n} 📌", QuestionCb(action=action, id=qid))
            )
        row.append(button(f"{n} 🔇", QuestionCb(action="m", id=qid)))
        b.row(*row)
    b.row(
        InlineKeyboardButton(
            text=_("📊 New poll"), callback_data=LiveCb(action="poll", id=session_id).pack()
        ),
        InlineKeyboardButton(
            text=_("📎 Add material"), callback_data=LiveCb(action="addm", id=session_id).pack()
        ),
    )
    if organizer:
        b.row(
            InlineKeyboardButton(
                text=_("🔗 Invite link for a speaker"),
                callback_data=LiveCb(action="inv", id=session_id).pack(),
            )
        )
    b.row(InlineKeyboardButton(text=_("◀ Session"), callback_data=session_link(session_id)))
    return b.as_markup()


def ask_keyboard(name: str) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=fit(_("Ask as {name}").format(name=name)),
            callback_data=AskCb(action="named").pack(),
        )
    )
    b.row(
        InlineKeyboardButton(text=_("Ask anonymously"), callback_data=AskCb(action="anon").pack())
    )
    b.row(InlineKeyboardButton(text=_("Cancel"), callback_data=AskCb(action="cancel").pack()))
    return b.as_markup()


def poll_confirm_keyboard(count: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=ngettext("Send to {n} person", "Send to {n} people", count).format(n=count),
            callback_data=PollCb(action="go").pack(),
        )
    )
    b.row(InlineKeyboardButton(text=_("Cancel"), callback_data=PollCb(action="cancel").pack()))
    return b.as_markup()


def poll_results_keyboard(poll_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("📥 Export CSV"), callback_data=PollCb(action="csv", id=poll_id).pack()
        )
    )
    return b.as_markup()


def rating_keyboard(session_id: str) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        *[
            InlineKeyboardButton(
                text="⭐" * 1 + str(value), callback_data=RateCb(id=session_id, value=value).pack()
            )
            for value in range(1, 6)
        ]
    )
    return b.as_markup()


def comment_keyboard(session_id: str) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("💬 Add a comment"), callback_data=RateCb(id=session_id, value=0).pack()
        )
    )
    return b.as_markup()


def materials_keyboard(session_id: str, files: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """files: (material id, label): a button sends the file."""
    b = InlineKeyboardBuilder()
    labels = unique([[label] for _id, label in files])
    for (material_id, _label), text in zip(files, labels, strict=True):
        b.row(button(text, MaterialCb(action="get", id=material_id)))
    b.row(InlineKeyboardButton(text=_("◀ Session"), callback_data=session_link(session_id)))
    return b.as_markup()


def material_done_keyboard(
    session_id: str | None, section_id: str | None = None
) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(InlineKeyboardButton(text=_("Done"), callback_data=MaterialCb(action="done").pack()))
    if session_id:
        b.row(InlineKeyboardButton(text=_("◀ Session"), callback_data=session_link(session_id)))
    elif section_id:
        b.row(
            InlineKeyboardButton(text=_("◀ Section"), callback_data=SectionCb(id=section_id).pack())
        )
    return b.as_markup()


def section_rows(
    section_id: str, organizer: bool, materials: int
) -> list[list[InlineKeyboardButton]]:
    """The rows a section card gets: its materials, and adding one for organizers."""
    row = []
    if materials:
        row.append(
            InlineKeyboardButton(
                text=_("📎 Materials ({count})").format(count=materials),
                callback_data=LiveCb(action="xmat", id=section_id).pack(),
            )
        )
    if organizer:
        row.append(
            InlineKeyboardButton(
                text=_("📎 Add material"),
                callback_data=LiveCb(action="addx", id=section_id).pack(),
            )
        )
    return [row] if row else []


def section_materials_keyboard(
    section_id: str, files: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    labels = unique([[label] for _id, label in files])
    for (material_id, _label), text in zip(files, labels, strict=True):
        b.row(button(text, MaterialCb(action="get", id=material_id)))
    b.row(InlineKeyboardButton(text=_("◀ Section"), callback_data=SectionCb(id=section_id).pack()))
    return b.as_markup()


def feedback_admin_keyboard(comments: bool, survey: bool) -> InlineKeyboardMarkup | None:
    b = InlineKeyboardBuilder()
    if comments:
        b.row(
            InlineKeyboardButton(
                text=_("📥 Export comments (CSV)"),
                callback_data=FeedbackAdminCb(action="csv").pack(),
            )
        )
    if survey:
        b.row(
            InlineKeyboardButton(
                text=_("📥 Export the survey (CSV)"),
                callback_data=FeedbackAdminCb(action="survey").pack(),
            )
        )
    markup = b.as_markup()
    return markup if markup.inline_keyboard else None


class SurveyCb(CallbackData, prefix="sv"):
    """The end-of-forum survey: start, ans (question index, value: an option id, yes, no),
    skip (question index)."""

    action: str
    q: int = 0
    value: str = ""


def survey_invite_keyboard() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.row(
        InlineKeyboardButton(
            text=_("📝 Answer the survey"), callback_data=SurveyCb(action="start").pack()
        )
    )
    return b.as_markup()


def survey_question_keyboard(
    index: int, kind: str, options: Sequence[tuple[str, str]], required: bool
) -> InlineKeyboardMarkup | None:
    """options: (option id, label) of a choice question."""
    b = InlineKeyboardBuilder()
    labels = unique([[label] for _id, label in options])
    for (option_id, _label), text in zip(options, labels, strict=True):
        b.row(button(text, SurveyCb(action="ans", q=index, value=option_id)))
    if kind == "yes_no":
        b.row(
            InlineKeyboardButton(
                text=_("Yes"), callback_data=SurveyCb(action="ans", q=index, value="yes").pack()
            ),
            InlineKeyboardButton(
                text=_("No"), callback_data=SurveyCb(action="ans", q=index, value="no").pack()
            ),
        )
    if not required:
        b.row(
            InlineKeyboardButton(
                text=_("Skip ▶"), callback_data=SurveyCb(action="skip", q=index).pack()
            )
        )
    markup = b.as_markup()
    return markup if markup.inline_keyboard else None
