"""Where the bot's translations are, and compiling them (babel only: setup.py imports this).

An installed package carries its compiled catalogs in `bot/locales/`, built into the wheel by
setup.py; it never writes there. Run from the source tree (a checkout, an editable install),
the bot compiles the `.po` files of `locales/` next to them when they are newer.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

logger = logging.getLogger(__name__)

DOMAIN = "messages"
PACKAGE_DIR = Path(__file__).resolve().parent
# Compiled catalogs inside an installed package (wheel).
PACKAGED = PACKAGE_DIR / "locales"
# The translators' `.po` files, beside the package in the source tree.
SOURCES = PACKAGE_DIR.parent / "locales"


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile each `<lang>/LC_MESSAGES/messages.po` of `source` into the same place under
    `target`, unless that `.mo` is newer; returns the `.mo` files written."""
    written = []
    for po_path in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a process starting meanwhile never reads half a file.
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        partial.replace(mo_path)
        written.append(mo_path)
        logger.debug("Compiled %s", mo_path)
    return written


def catalog_dir() -> Path:
    """The folder of compiled catalogs this bot reads."""
    if any(PACKAGED.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
        return PACKAGED
    if any(SOURCES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        compile_catalogs(SOURCES, SOURCES)
        return SOURCES
    raise FileNotFoundError(
        f"no translations: neither compiled catalogs in {PACKAGED} nor sources in {SOURCES}"
    )
