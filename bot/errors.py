"""Errors the entry points report to the person running the bot."""


class SetupError(Exception):
    """A problem the person running the bot can fix; shown as one line, exit code 2."""
