"""Indicator themes: the built-in ones (:data:`atlas.schema.THEMES`) and those a package declares.

A configuration's ``[[themes]]`` (``{ id = "mobilite", label = "Mobilité et transports" }``) are written to the
manifest (``"themes": [...]``); the package may then file indicators and credits under them, and pages list
them after the built-in themes, under their own labels. As for levels (:mod:`atlas.levels`), labels are
looked up by id from code that has no package at hand, so a served package registers its themes here.
"""

from __future__ import annotations

from atlas import schema
from atlas.declarations import checked_entries, require_text
from atlas.i18n import _

MANIFEST_KEY = "themes"


def declaration_problems(entries, where: str = MANIFEST_KEY) -> list[str]:
    problems: list[str] = []
    for place, entry in checked_entries(entries, where, ("id", "label"), schema.THEMES, "theme", "mobilite",
                                        problems):
        require_text(entry, place, "label", "the French title, e.g. « Mobilité et transports »", problems)
    return problems


def declared_themes(manifest: dict | None) -> dict[str, str]:
    """id -> label of the themes a manifest declares (assumed checked by :func:`declaration_problems`)."""
    entries = (manifest or {}).get(MANIFEST_KEY) or []
    return {e["id"]: e["label"].strip() for e in entries if isinstance(e, dict)}


def themes_of(manifest: dict | None) -> dict[str, str]:
    """Every theme of a package, id -> label: the built-in ones first."""
    return {**schema.THEMES, **declared_themes(manifest)}


_registered: dict[str, str] = {}


def register(manifest: dict | None) -> None:
    """Make a served package's declared themes known to :func:`label` and :func:`labels`."""
    _registered.update(declared_themes(manifest))


def labels() -> dict[str, str]:
    """The built-in themes (in the visitor's language), then those of the packages served."""
    return {**{theme: _(text) for theme, text in schema.THEMES.items()}, **_registered}


def label(theme) -> str:
    """« Revenus et pauvreté », « Mobilité et transports »…; an unknown id is shown as it is."""
    return labels().get(theme, str(theme))
