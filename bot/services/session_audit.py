"""The audit log's words for the session features' actions (moderators and organizers)."""

from __future__ import annotations

from html import escape

from bot.i18n import _


def describe_session_action(action: str, details: str, subject: str) -> str | None:
    """`details` are codes: "#<id> <session> ...". None: not a session action."""
    parts = details.split()
    ref = escape(parts[0].lstrip("#")) if parts else ""
    session = escape(parts[1]) if len(parts) > 1 else escape(details)
    texts = {
        "session.question.answered": _(
            "marked question #{ref} in {session} answered (author: {person})"
        ),
        "session.question.hidden": _("hid question #{ref} in {session} (author: {person})"),
        "session.question.pinned": _("pinned question #{ref} in {session} (author: {person})"),
        "session.question.unpinned": _("unpinned question #{ref} in {session} (author: {person})"),
        "session.question.shown": _("showed held question #{ref} in {session} (author: {person})"),
        "session.question.muted": _(
            "closed questions in {session} to the author of question #{ref}: {person}"
        ),
        "session.poll": _("sent poll #{ref} in {session}"),
        "session.poll_export": _("exported the results of poll #{ref} ({session})"),
        "session.material": _("attached material #{ref} to {session}"),
        "session.feedback_export": _("exported the comments on the sessions"),
        "session.survey_export": _("exported the survey's answers"),
    }
    if action == "session.invite":
        return _("created a speaker's invite link for {session}").format(session=escape(details))
    if action == "session.moderator":
        return _("gave a speaker moderation of {session} by an invite link: {person}").format(
            person=subject, session=escape(details)
        )
    text = texts.get(action)
    if text is None:
        return None
    return text.format(ref=ref, person=subject, session=session)
