"""Which indicators each page features, as data.

A package may declare the roles of its indicators in ``manifest.json`` under ``presentation``
(written by an ingestion configuration's ``[manifest.presentation]`` table or by the demo generator):

```json
"presentation": {
  "map": {"indicator": "poverty-rate-id", "level": "qpv"},
  "overview": ["poverty-rate-id", "median-income-id"],
  "sections": [{"id": "revenus", "title": "Pauvreté et revenus", "indicators": ["poverty-rate-id"]}],
  "trends": ["poverty-rate-id"],
  "evolution": "poverty-rate-id",
  "peers": {"housing": "part-logements-sociaux"},
  "wellbeing": {"income": "median-income-id"}
}
```

Every key is optional. What is absent is derived from the catalogue and the observations, so any
package features its own indicators without a line of code: featuring an indicator is data only.
Roles with a fixed meaning (the well-being index's inputs, whose goalposts are in years, % or €, and the
peers' social-housing share) are derived, when undeclared, from the catalogue's French labels and units
(``ROLE_PATTERNS``): a package whose indicators are named otherwise declares them.
Declared ids must exist in the catalogue (``presentation_problems`` reports those that do not, so a
package that names a missing indicator is refused at load time).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from atlas import schema, themes

MANIFEST_KEY = "presentation"
FIGURES_PER_SECTION = 3
OVERVIEW_SIZE = 5
TRENDS_SIZE = 4
# Result indicators tell most about a quarter; then the means put in place; context last.
KIND_ORDER = {"result": 0, "means": 1, "context": 2, "category": 3}
# Role -> (pattern the folded French label must match from its start, what the unit must contain). Only
# roles whose meaning is unambiguous in French statistics; the first matching quarter-level indicator wins.
ROLE_PATTERNS: dict[str, dict[str, tuple[str, str]]] = {
    "wellbeing": {
        "health": (r"esperance de vie a la naissance", ""),
        "education_success": (r"taux de reussite (au|a l'examen du) (diplome national du )?brevet", "%"),
        "education_deprivation": (r"part des .*sans diplome", "%"),
        "income": (r"revenu disponible median", "€"),
    },
    "peers": {"housing": (r"part (des|de) logements sociaux( (dans|parmi) .*)?$", "%")},
}


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Presentation:
    map_indicator: str | None
    map_level: str | None
    overview: tuple[str, ...]
    sections: tuple[Section, ...]
    trends: tuple[str, ...]
    evolution: str | None
    peers: Mapping[str, str] = field(default_factory=dict)  # role -> indicator (e.g. "housing")
    wellbeing: Mapping[str, str] = field(default_factory=dict)  # input role -> indicator
    declared: frozenset[str] = frozenset()  # the keys the package declared (the rest were derived)

    def is_declared(self, key: str) -> bool:
        return key in self.declared


def presentation_problems(manifest: Mapping, indicator_ids: Iterable[str]) -> list[str]:
    """Messages for every declared id that is not in the catalogue, or a malformed entry."""
    declared = manifest.get(MANIFEST_KEY)
    if declared is None:
        return []
    if not isinstance(declared, Mapping):
        return [f"'{MANIFEST_KEY}' must be an object"]
    known = set(indicator_ids)
    problems = []
    for where, ident in _declared_ids(declared):
        if not isinstance(ident, str) or ident not in known:
            problems.append(f"'{MANIFEST_KEY}.{where}' names {ident!r}, which is not in the indicator catalogue")
    level = (declared.get("map") or {}).get("level") if isinstance(declared.get("map"), Mapping) else None
    if level is not None and level not in schema.MAP_LEVELS:
        problems.append(f"'{MANIFEST_KEY}.map.level' is {level!r}; expected one of {', '.join(schema.MAP_LEVELS)}")
    return problems


def _declared_ids(declared: Mapping) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    map_entry = declared.get("map")
    if isinstance(map_entry, Mapping) and "indicator" in map_entry:
        found.append(("map.indicator", map_entry["indicator"]))
    for key in ("overview", "trends"):
        found += [(f"{key}[{i}]", v) for i, v in enumerate(_as_list(declared.get(key)))]
    if declared.get("evolution") is not None:
        found.append(("evolution", declared["evolution"]))
    for i, section in enumerate(_as_list(declared.get("sections"))):
        indicators = section.get("indicators") if isinstance(section, Mapping) else section
        found += [(f"sections[{i}].indicators[{j}]", v) for j, v in enumerate(_as_list(indicators))]
    for key in ("peers", "wellbeing"):
        entry = declared.get(key)
        if isinstance(entry, Mapping):
            found += [(f"{key}.{role}", v) for role, v in entry.items()]
    return found


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def indicators_with_annual_values(observations: pd.DataFrame, level: str) -> set[str]:
    """Indicators observed at ``level`` for at least one year (what a map or a key figure can show)."""
    if observations.empty:
        return set()
    at_level = observations[(observations["level"].astype(str) == level)
                            & (observations["period"].astype(str).str.len() == 4)]
    return set(at_level["indicator"].astype(str).unique())


def build_presentation(manifest: Mapping, indicators: pd.DataFrame, observations: pd.DataFrame,
                       map_levels: Iterable[str]) -> Presentation:
    """The package's declared roles, completed by defaults derived from its catalogue and values."""
    declared = manifest.get(MANIFEST_KEY) or {}
    if not isinstance(declared, Mapping):
        declared = {}
    catalogue = indicators.reset_index(drop=True)
    order = {ident: i for i, ident in enumerate(catalogue["id"])}
    quarter_ids = indicators_with_annual_values(observations, "qpv")

    def ranked(ids: Iterable[str]) -> list[str]:
        rows = catalogue[catalogue["id"].isin(set(ids))]
        key = rows["kind"].map(KIND_ORDER).fillna(3) * 10_000 + rows["id"].map(order)
        return list(rows.assign(_key=key).sort_values("_key")["id"])

    # The built-in map levels, finest first, then those the package declares (zones d'emploi…).
    levels = [lvl for lvl in schema.MAP_LEVELS if lvl in set(map_levels)] + \
        [lvl for lvl in map_levels if lvl not in schema.LEVELS]
    map_entry = declared.get("map") if isinstance(declared.get("map"), Mapping) else {}
    map_level = map_entry.get("level") or (levels[0] if levels else None)
    mappable = indicators_with_annual_values(observations, map_level) if map_level else set()
    map_indicator = map_entry.get("indicator")
    if map_indicator is None:
        candidates = ranked(mappable)
        oriented = [i for i in candidates if _polarity(catalogue, i) != "neutral"]
        map_indicator = (oriented or candidates or [None])[0]

    titles = themes.themes_of(manifest)  # built-in themes, then those the package declares
    sections = tuple(_declared_sections(declared, titles)) or \
        tuple(_derived_sections(catalogue, quarter_ids, ranked, titles))
    overview = tuple(_as_list(declared.get("overview"))) or \
        tuple(_one_per_theme(catalogue, quarter_ids, ranked, titles))
    trends = tuple(_as_list(declared.get("trends"))) or overview[:TRENDS_SIZE]
    # Curves need quantities: a typology (kind « category ») is never the evolution chart's default.
    curves = quarter_ids - set(catalogue.loc[catalogue["kind"] == "category", "id"])
    evolution = declared.get("evolution") or (map_indicator if map_indicator in curves else
                                              (overview[0] if overview else None))
    return Presentation(
        map_indicator=map_indicator,
        map_level=map_level,
        overview=overview,
        sections=sections,
        trends=trends,
        evolution=evolution,
        peers=dict(declared.get("peers") or _matching_roles(catalogue, quarter_ids, ROLE_PATTERNS["peers"])),
        wellbeing=dict(declared.get("wellbeing")
                       or _matching_roles(catalogue, quarter_ids, ROLE_PATTERNS["wellbeing"])),
        declared=frozenset(declared),
    )


def _polarity(catalogue: pd.DataFrame, ident: str) -> str:
    rows = catalogue.loc[catalogue["id"] == ident, "polarity"]
    return str(rows.iloc[0]) if len(rows) else "neutral"


def _declared_sections(declared: Mapping, titles: Mapping[str, str]) -> list[Section]:
    sections = []
    for i, entry in enumerate(_as_list(declared.get("sections"))):
        if not isinstance(entry, Mapping):
            continue
        ident = str(entry.get("id") or f"section-{i + 1}")
        title = str(entry.get("title") or titles.get(ident, ident))
        sections.append(Section(ident, title, tuple(_as_list(entry.get("indicators")))))
    return sections


def _derived_sections(catalogue: pd.DataFrame, quarter_ids: set[str], ranked,
                      titles: Mapping[str, str]) -> list[Section]:
    """One section per theme that has quarter-level values, in the schema's theme order."""
    sections = []
    for theme, title in titles.items():
        ids = ranked(catalogue.loc[(catalogue["theme"] == theme) & catalogue["id"].isin(quarter_ids), "id"])
        if ids:
            sections.append(Section(theme, title, tuple(ids[:FIGURES_PER_SECTION])))
    return sections


def _one_per_theme(catalogue: pd.DataFrame, quarter_ids: set[str], ranked, titles: Mapping[str, str]) -> list[str]:
    """The best-ranked oriented quarter-level indicator of each theme; when themes are fewer than
    OVERVIEW_SIZE (a package with few sources), the next oriented *result* indicators fill the overview."""
    picks = []
    for theme in titles:
        ids = ranked(catalogue.loc[(catalogue["theme"] == theme) & catalogue["id"].isin(quarter_ids), "id"])
        oriented = [i for i in ids if _polarity(catalogue, i) != "neutral"]
        if oriented:
            picks.append(oriented[0])
    results = set(catalogue.loc[catalogue["kind"] == "result", "id"])
    picks += [i for i in ranked(quarter_ids)
              if i in results and i not in picks and _polarity(catalogue, i) != "neutral"]
    return picks[:OVERVIEW_SIZE]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _matching_roles(catalogue: pd.DataFrame, quarter_ids: set[str],
                    patterns: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Role -> the first quarter-level indicator whose label and unit match the role's pattern."""
    if "label_fr" not in catalogue.columns:
        return {}
    units = catalogue["unit"] if "unit" in catalogue.columns else pd.Series("", index=catalogue.index)
    rows = [(ident, _fold(label), str(unit))
            for ident, label, unit in zip(catalogue["id"], catalogue["label_fr"], units, strict=True)
            if ident in quarter_ids]
    found = {}
    for role, (pattern, unit) in patterns.items():
        match = next((ident for ident, label, u in rows if re.match(pattern, label) and unit in u), None)
        if match is not None:
            found[role] = match
    return found
