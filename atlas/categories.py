"""Categorical indicators: a typology (density grid, urban status…) whose values are classes, not amounts.

An indicator of kind ``category`` lists its classes in the catalogue's ``classes`` column (JSON text, in
display order): ``[{"code": "1", "label": "Commune densément peuplée", "colour": "#4e79a7"}, …]``. An
observation stores the class's position in that list (1, 2, …) as its value: one small number per row,
whatever the length of the labels. Pages show the class label, the map one colour per class; sums, gaps,
ranks and curves, which mean nothing for a class, are not offered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

KIND = "category"
# Qualitative, colour-blind-aware (Tableau 10 without its grey, then Okabe-Ito): neighbours differ in hue and
# lightness, none is white (« sans valeur ») nor the grey of statistical secrecy.
QUALITATIVE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
               "#9c755f", "#0072b2", "#d55e00", "#009e73")
# One character per class on the map (the classes string); « s » and « - » mean secret and no value.
CLASS_CHARS = "0123456789ABCDEFGHIJKLMNOPQR"
MAX_CLASSES = len(CLASS_CHARS)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Category:
    code: str  # as the publisher writes it (after the configuration's ``map``)
    label: str
    colour: str


def problems(entries) -> list[str]:
    """What is wrong with a list of class declarations (a configuration's, or a package's once parsed)."""
    if not isinstance(entries, list) or not entries:
        return ["'classes' must be a non-empty list of { code, label } (optional colour)"]
    found, codes = [], set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not str(entry.get("code", "")).strip() or \
                not str(entry.get("label", "")).strip():
            found.append(f"classes[{i}]: needs a 'code' and a 'label'")
            continue
        unknown = set(entry) - {"code", "label", "colour"}
        if unknown:
            found.append(f"classes[{i}]: unknown key(s) {', '.join(sorted(unknown))} (code, label, colour)")
        code = str(entry["code"]).strip()
        if code in codes:
            found.append(f"classes[{i}]: code '{code}' is listed twice")
        codes.add(code)
        if "colour" in entry and not COLOUR.match(str(entry["colour"])):
            found.append(f"classes[{i}]: colour must be written #rrggbb")
    if len(entries) > MAX_CLASSES:
        found.append(f"at most {MAX_CLASSES} classes")
    elif len(entries) > len(QUALITATIVE) and not all(isinstance(e, dict) and "colour" in e for e in entries):
        found.append(f"more than {len(QUALITATIVE)} classes: give each its 'colour'")
    return found


def normalise(entries: list[dict]) -> list[dict]:
    """Declared classes with text codes and a colour each (the palette's, in order, when none is given)."""
    return [{"code": str(e["code"]).strip(), "label": str(e["label"]).strip(),
             "colour": str(e.get("colour") or QUALITATIVE[i % len(QUALITATIVE)]).lower()}
            for i, e in enumerate(entries)]


def to_json(entries: list[dict]) -> str:
    return json.dumps(normalise(entries), ensure_ascii=False, separators=(",", ":"))


def parse(text) -> tuple[Category, ...]:
    """The classes of a catalogue row (its ``classes`` cell); empty for a numeric indicator."""
    if not isinstance(text, str) or not text.strip():
        return ()
    try:
        entries = json.loads(text)
    except json.JSONDecodeError:
        return ()
    if problems(entries):
        return ()
    return tuple(Category(e["code"], e["label"], e["colour"]) for e in normalise(entries))


def of(meta: dict) -> tuple[Category, ...]:
    """The classes of an indicator (its catalogue row as a dict); empty when it is not categorical."""
    return parse(meta.get("classes")) if meta.get("kind") == KIND else ()


def label_of(classes: tuple[Category, ...], value) -> str | None:
    """The label of a stored value (a class position, 1-based); None when it names no class."""
    try:
        position = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if position != value or not 1 <= position <= len(classes):
        return None
    return classes[position - 1].label
