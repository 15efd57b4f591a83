"""Vocabulary a package adds to the built-in one (levels, themes): the checks every declaration shares.

A declaration is a list of tables, each with a short ``id`` not already defined and its own keys; what each
kind of declaration checks beyond that lives with it (:mod:`atlas.levels`, :mod:`atlas.themes`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

DECLARED_ID = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


def checked_entries(entries, where: str, keys: Collection[str], builtin: Collection[str], what: str,
                    example: str, problems: list[str]) -> Iterator[tuple[str, dict]]:
    """Each table of ``entries`` with its place (« levels[0] »), after the shared checks, whose messages are
    appended to ``problems``: a list of tables, known keys, a new short ``id``."""
    if entries is None:
        return
    if not isinstance(entries, list):
        problems.append(f"'{where}' must be a list of tables ({', '.join(sorted(keys))})")
        return
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        place = f"{where}[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{place}: must be a table ({', '.join(sorted(keys))})")
            continue
        problems += [f"{place}: unknown key '{k}' (expected one of {', '.join(sorted(keys))})"
                     for k in sorted(set(entry) - set(keys))]
        ident = entry.get("id")
        if not isinstance(ident, str) or not DECLARED_ID.match(ident):
            problems.append(f"{place}: 'id' must be a short lower-case identifier (a-z, 0-9, _), e.g. '{example}'")
        elif ident in builtin or ident in seen:
            problems.append(f"{place}: {what} '{ident}' is already defined")
        seen.add(ident)
        yield place, entry


def require_text(entry: dict, place: str, key: str, hint: str, problems: list[str]) -> None:
    if not isinstance(entry.get(key), str) or not entry[key].strip():
        problems.append(f"{place}: '{key}' is required ({hint})")

