"""A git merge driver for gettext catalogs: merges by message, not by line.

Location comments (`#: bot/app.py:68`) move with every code change, so two branches that each
add strings conflict line by line although their messages do not. This driver keeps every
message of both sides; where both changed the same message differently, ours wins and the
conflict is printed. Run `python scripts/i18n.py update` afterwards to refresh the locations.

Registered (once per clone) with:
    git config merge.po.driver "python3 scripts/po_merge.py %O %A %B"
and `.gitattributes`: `*.po merge=po` and `*.pot merge=po`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def _read(path: str) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f)


def _key(message) -> object:  # type: ignore[no-untyped-def]
    return (message.id, message.context)


def merge(base: Catalog, ours: Catalog, theirs: Catalog) -> tuple[Catalog, list[str]]:
    base_msgs = {_key(m): m for m in base if m.id}
    ours_msgs = {_key(m): m for m in ours if m.id}
    conflicts: list[str] = []
    for message in theirs:
        if not message.id:
            continue
        key = _key(message)
        mine = ours_msgs.get(key)
        if mine is None:
            if key not in base_msgs:  # added by them
                ours[message.id] = message
                ours_msgs[key] = message
            continue  # deleted by us: stays deleted
        old = base_msgs.get(key)
        old_string = old.string if old else None
        if message.string == mine.string or message.string == old_string:
            continue
        if mine.string == old_string or not mine.string:
            mine.string = message.string
            mine.flags = message.flags
        else:
            conflicts.append(f"{message.id!r}: kept ours {mine.string!r} over {message.string!r}")
        mine.locations = sorted(set(mine.locations) | set(message.locations))
    theirs_keys = {_key(m) for m in theirs if m.id}
    for key, old in base_msgs.items():
        mine = ours_msgs.get(key)
        if key not in theirs_keys and mine is not None and mine.string == old.string:
            ours.delete(mine.id, context=mine.context)
    return ours, conflicts


def main() -> int:
    base_path, ours_path, theirs_path = sys.argv[1:4]
    merged, conflicts = merge(_read(base_path), _read(ours_path), _read(theirs_path))
    for line in conflicts:
        print(f"po_merge: {ours_path}: {line}", file=sys.stderr)
    with Path(ours_path).open("wb") as f:
        write_po(f, merged, width=0, sort_by_file=True, include_previous=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
