"""Telegram bot for the Belarus–Russia interregional forums."""

__version__ = "0.1.0"
