"""Keyboards and CallbackData factories, one module per feature, all in this package.

Prefixes are short because callback data may hold at most 64 bytes; a unit test checks that
no two factories share a prefix.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from aiogram.utils.i18n import I18n

P = ParamSpec("P")
R = TypeVar("R")


def per_locale(func: Callable[P, R]) -> Callable[P, R]:
    """Cache a keyboard by the reader's locale and the arguments.

    Building markup through pydantic costs milliseconds, and the menus are the same for every
    reader of one language; the cached objects are shared, so callers must not mutate them.
    """

    @functools.lru_cache(maxsize=512)
    def cached(locale: str, *args: object, **kwargs: object) -> R:
        return func(*args, **kwargs)  # type: ignore[arg-type]

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return cached(I18n.get_current().current_locale, *args, **kwargs)

    return wrapper
