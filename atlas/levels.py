"""Territory levels: the built-in ones and those a package declares (zones d'emploi, bassins de vie…).

A package may declare extra levels in its manifest (``"levels": [...]``, written by the ingestion from a
configuration's ``[[levels]]``): each has an id, a French label (singular and plural), an optional pattern its
codes follow and the built-in levels its territories may name as parents. Pages and the API then show the
level under its own name, and it sits in the order of levels (finest first) just before its finest parent.

Labels are looked up by level id from functions that have no package at hand (a widget's title): declared
levels are registered here when a package is served (:func:`register`). A declared id is the package's own
vocabulary, so two packages of one process declaring the same id are expected to mean the same zoning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atlas import schema
from atlas.declarations import checked_entries, require_text
from atlas.i18n import N_, _, current_language

MANIFEST_KEY = "levels"
DECLARATION_KEYS = {"id", "label", "plural", "label_en", "code_pattern", "parents", "phrase"}
# Levels a declared one may name as parents: those the territories table has a column for.
PARENT_LEVELS = ("commune", "epci", "contrat_de_ville", "departement", "region")

BUILTIN_PLURALS_FR = {"qpv": N_("quartiers prioritaires"), "commune": N_("communes"), "epci": N_("intercommunalités"),
                      "contrat_de_ville": N_("contrats de ville"), "departement": N_("départements"),
                      "region": N_("régions"), "france": N_("France")}


@dataclass(frozen=True)
class DeclaredLevel:
    id: str
    label: str  # « Zone d'emploi »
    plural: str  # « zones d'emploi » (lower case, for running text)
    parents: tuple[str, ...] = ()
    code_pattern: str | None = None
    label_en: str | None = None
    phrase: str | None = None  # how a sentence names a territory's own one: « sa zone d'emploi »

    @property
    def reference_phrase(self) -> str:
        """« Écart à sa zone d'emploi »: the declared phrase, else a neutral one (French genders vary)."""
        return self.phrase or _("son territoire de niveau « {label} »").format(label=self.label)

    def to_manifest(self) -> dict:
        entry = {"id": self.id, "label": self.label, "plural": self.plural, "parents": list(self.parents)}
        entry.update({k: v for k, v in (("code_pattern", self.code_pattern), ("label_en", self.label_en),
                                        ("phrase", self.phrase)) if v})
        return entry


def declaration_problems(entries, where: str = MANIFEST_KEY) -> list[str]:
    """What is wrong with a list of level declarations (from a configuration or a manifest)."""
    problems: list[str] = []
    for place, entry in checked_entries(entries, where, DECLARATION_KEYS, schema.LEVELS, "level", "zone_emploi",
                                        problems):
        for key in ("label", "plural"):
            require_text(entry, place, key, "the French name, e.g. « Zone d'emploi », « zones d'emploi »", problems)
        parents = entry.get("parents", [])
        if not isinstance(parents, list) or any(p not in PARENT_LEVELS for p in parents):
            problems.append(f"{place}: 'parents' must list levels among {', '.join(PARENT_LEVELS)}")
        pattern = entry.get("code_pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                problems.append(f"{place}: 'code_pattern' is not a regular expression ({exc})")
    return problems


def declared_levels(manifest: dict | None) -> tuple[DeclaredLevel, ...]:
    """The levels a manifest declares (assumed checked by :func:`declaration_problems`)."""
    entries = (manifest or {}).get(MANIFEST_KEY) or []
    return tuple(DeclaredLevel(id=e["id"], label=e["label"].strip(), plural=e["plural"].strip(),
                               parents=tuple(e.get("parents", [])), code_pattern=e.get("code_pattern"),
                               label_en=e.get("label_en"), phrase=e.get("phrase"))
                 for e in entries if isinstance(e, dict))


def ordered_levels(declared: tuple[DeclaredLevel, ...]) -> tuple[str, ...]:
    """Every level, finest first: a declared level just before its finest parent (else before France)."""
    order = list(schema.LEVELS)
    for level in declared:
        finest = min((order.index(p) for p in level.parents), default=order.index("france"))
        order.insert(finest, level.id)
    return tuple(order)


def level_ids(manifest: dict | None) -> tuple[str, ...]:
    return ordered_levels(declared_levels(manifest))


_registered: dict[str, DeclaredLevel] = {}


def register(manifest: dict | None) -> None:
    """Make a served package's declared levels known to :func:`label`, :func:`name` and :func:`plural`."""
    for level in declared_levels(manifest):
        _registered[level.id] = level


def label(level: str) -> str:
    """« Quartier prioritaire (QPV) », « Zone d'emploi »…, in the visitor's language; an unknown id is shown as it is.

    A declared level reads in English under its ``label_en`` when the package gives one (else its French label)."""
    if level in schema.LEVEL_LABELS_FR:
        return _(schema.LEVEL_LABELS_FR[level])
    declared = _registered.get(level)
    if declared is None:
        return str(level)
    return declared.label_en if declared.label_en and current_language() == "en" else declared.label


def name(level: str) -> str:
    """The label without its abbreviation: « Quartier prioritaire », « Intercommunalité »."""
    return label(level).split(" (")[0]


def plural(level: str) -> str:
    """« départements », « zones d'emploi »… (lower case, for running text)."""
    if level in BUILTIN_PLURALS_FR:
        return _(BUILTIN_PLURALS_FR[level])
    declared = _registered.get(level)
    return declared.plural if declared else str(level)


def code_problems(declared: tuple[DeclaredLevel, ...], levels, codes) -> list[tuple[int, str]]:
    """(row index, message) of codes that do not follow their declared level's pattern."""
    patterns = {d.id: re.compile(d.code_pattern) for d in declared if d.code_pattern}
    return [(i, f"code {code!r} does not follow the pattern {patterns[lvl].pattern} of level '{lvl}'")
            for i, (lvl, code) in enumerate(zip(levels, codes, strict=True))
            if lvl in patterns and isinstance(code, str) and not patterns[lvl].fullmatch(code)]
