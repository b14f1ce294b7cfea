"""The audit log's words for the session features' actions (moderators and organizers)."""

from __future__ import annotations

from html import escape

from bot.i18n import _


def describe_session_action(action: str, details: str, subject: str) -> str | None:
    """`details` are codes: "#<id> <session> ...". None: not a session action."""
    parts = details.split()
    ref = escape(parts[0]) if parts else ""
    session = escape(parts[1]) if len(parts) > 1 else escape(details)
    texts = {
        "session.question.answered": _("marked question {ref} of {person} in {session} answered"),
        "session.question.hidden": _("hid question {ref} of {person} in {session}"),
        "session.question.pinned": _("pinned question {ref} of {person} in {session}"),
        "session.question.unpinned": _("unpinned question {ref} of {person} in {session}"),
        "session.question.shown": _("showed held question {ref} of {person} in {session}"),
        "session.question.muted": _("muted {person} in {session} (question {ref})"),
        "session.poll": _("sent poll {ref} in {session}"),
        "session.poll_export": _("exported the results of poll {ref} ({session})"),
        "session.material": _("attached material {ref} to {session}"),
        "session.feedback_export": _("exported the comments on the sessions"),
        "session.survey_export": _("exported the survey's answers"),
    }
    if action == "session.invite":
        return _("created a speaker's invite link for {session}").format(session=escape(details))
    if action == "session.moderator":
        return _("{person} became a moderator of {session} by an invite link").format(
            person=subject, session=escape(details)
        )
    text = texts.get(action)
    if text is None:
        return None
    return text.format(ref=ref, person=subject, session=session)
