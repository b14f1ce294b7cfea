"""The translation workflow in one place.

    python scripts/i18n.py extract   # code -> locales/messages.pot
    python scripts/i18n.py update    # extract, then merge new msgids into every messages.po
    python scripts/i18n.py compile   # .po -> .mo (the bot also does this at start)
    python scripts/i18n.py check     # every msgid translated in ru and be, placeholders kept

Add a language: `pybabel init -i locales/messages.pot -d locales -D messages -l xx`, translate
`locales/xx/LC_MESSAGES/messages.po`, and add "xx" to LANGUAGES in bot/program/model.py.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
KEYWORDS = ["_", "__", "N_", "gettext", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2"]
MUST_TRANSLATE = ("ru", "be")
SOURCES = ("bot", "handlers", "db")
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")


def pybabel(*args: str) -> None:
    os.chdir(ROOT)  # so that the catalogs name source files by their relative paths
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    keywords = [arg for kw in KEYWORDS for arg in ("-k", kw)]
    pybabel(
        "extract",
        "-F",
        str(ROOT / "pyproject.toml"),
        "--no-default-keywords",
        *keywords,
        "--sort-by-file",
        "--no-wrap",
        "--project",
        "forum-bot",
        "-o",
        str(POT),
        *SOURCES,
    )


def update() -> None:
    with (LOCALES / ".update.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # several people may run this at once
        extract()
        for lang in ("ru", "be", "en"):
            po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                pybabel("init", "-i", str(POT), "-d", str(LOCALES), "-D", "messages", "-l", lang)
            else:
                pybabel(
                    "update",
                    "-i",
                    str(POT),
                    "-d",
                    str(LOCALES),
                    "-D",
                    "messages",
                    "-l",
                    lang,
                    "--no-wrap",
                    "--ignore-obsolete",
                    "--no-fuzzy-matching",
                )


def compile_all() -> None:
    sys.path.insert(0, str(ROOT))
    from bot.catalogs import compile_catalogs

    compile_catalogs(LOCALES, LOCALES)


def problems() -> list[str]:
    """Untranslated or fuzzy entries, and translations that lost or invented a placeholder."""
    found = []
    for lang in MUST_TRANSLATE:
        po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strs = message.string if isinstance(message.string, tuple) else (message.string,)
            where = f"{lang}: {ids[0]!r}"
            if message.fuzzy or not all(strs):
                found.append(f"{where}: not translated")
                continue
            wanted = set(PLACEHOLDER.findall(ids[-1]))
            for text in strs:
                if set(PLACEHOLDER.findall(text)) != wanted:
                    found.append(f"{where}: placeholders {sorted(wanted)} became {text!r}")
    return found


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        issues = problems()
        print("\n".join(issues) or "all messages translated")
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
