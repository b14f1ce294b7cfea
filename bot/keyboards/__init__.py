"""Keyboards and CallbackData factories, one module per feature, all in this package.

Prefixes are short because callback data may hold at most 64 bytes; a unit test checks that
no two factories share a prefix.
"""
