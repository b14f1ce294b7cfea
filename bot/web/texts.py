"""The Mini App's texts, from the bot's gettext catalogs so translations stay in locales/."""

from __future__ import annotations

from bot.i18n import _
from bot.program.model import SessionKind


def kind_label(kind: SessionKind) -> str:
    labels = {
        SessionKind.PLENARY: _("Plenary session"),
        SessionKind.SECTION: _("Section session"),
        SessionKind.YOUTH: _("Youth programme"),
        SessionKind.BUSINESS: _("Business programme"),
        SessionKind.SIGNING: _("Signing ceremony"),
        SessionKind.EXCURSION: _("Excursion"),
        SessionKind.CULTURE: _("Culture"),
        SessionKind.REGISTRATION: _("Registration"),
        SessionKind.BREAK: _("Break"),
        SessionKind.PRESS: _("Press"),
        SessionKind.OTHER: _("Other"),
    }
    return labels[kind]


def page_texts() -> dict[str, str]:
    """Every text the page shows, in the current locale; {placeholders} are filled by the page."""
    return {
        "title": _("Full schedule"),
        "now": _("Now"),
        "next": _("Next"),
        "nothing_now": _("Nothing is on right now."),
        "search": _("Search: title, speaker, hall…"),
        "all_sections": _("All sections"),
        "all_venues": _("All venues"),
        "all_kinds": _("All kinds"),
        "only_saved": _("⭐ Only my agenda"),
        "no_results": _("No sessions match."),
        "save": _("⭐ Save to my agenda"),
        "unsave": _("Remove from my agenda"),
        "cancelled": _("Cancelled"),
        "speakers": _("Speakers:"),
        "moderators": _("Moderators:"),
        "map": _("Map"),
        "stream": _("stream"),
        "close": _("Close"),
        "section": _("Section {number}: {title}"),
        "updated": _("Updated {when}"),
        "offline": _("Offline: showing the saved copy."),
        "pending": _("Waiting to be sent: {count}"),
        "auth_error": _(
            "This page could not confirm who you are. Open it again from the bot in Telegram."
        ),
        "load_error": _("The schedule could not be loaded. Check the connection and try again."),
        "retry": _("Try again"),
        "save_error": _("Could not save: {reason}"),
    }
