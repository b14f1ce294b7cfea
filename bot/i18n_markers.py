"""A marker for texts translated later, where the reader's language is not known yet."""


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark `message` for extraction; it is translated with `_()` when shown."""
    return message
