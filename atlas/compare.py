"""Side-by-side comparison of up to four territories (pure functions, no Dash).

The selection lives in the URL: ``/comparer?codes=qpv:QN013001,commune:13055,departement:13``.
Bare QPV codes (``QN013001``) are accepted. Each indicator row marks the best and worst
territories according to the indicator's polarity; neutral indicators get no mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pandas as pd

from atlas import schema
from atlas.i18n import _, indicator_label
from atlas.values import (  # noqa: F401 - territory_table is part of this module's API
    comparable_across_territories,
    indicator_row,
    mark_best_worst,
    nearest_value,
    territory_table,
)
from atlas.wellbeing import side_by_side

MAX_TERRITORIES = 4
MAX_CODE_LENGTH = 40
MAX_TOKENS = 12  # a query string with more codes than this is cut: bounded work per request


@dataclass(frozen=True)
class Selection:
    territories: list[tuple[str, str]]  # (level, code), known ones only, in URL order
    problems: list[str] = field(default_factory=list)  # French messages about what was dropped

    @property
    def keys(self) -> list[str]:
        return [f"{level}:{code}" for level, code in self.territories]


def codes_from_search(search: str | None) -> list[str]:
    """The raw tokens of ``?codes=a,b`` (several ``codes=`` are concatenated); nothing from a non-string."""
    if not isinstance(search, str):
        return []
    query = parse_qs(search.lstrip("?"), keep_blank_values=True)
    tokens: list[str] = []
    for value in query.get("codes", []):
        tokens += [t.strip() for t in value.split(",") if t.strip()]
        if len(tokens) >= MAX_TOKENS:
            break
    return tokens[:MAX_TOKENS]


def parse_token(token: str) -> tuple[str, str] | None:
    """``'qpv:QN013001' -> ('qpv', 'QN013001')``; a bare QPV code is read as a QPV; None if malformed."""
    token = token.strip()
    if not token or len(token) > MAX_CODE_LENGTH:
        return None
    if ":" in token:
        level, _, code = token.partition(":")
        level = level.strip().lower()
        code = code.strip().upper()
        if level not in schema.LEVELS or not code:
            return None
        return level, code
    code = token.upper()
    if schema.QPV_2024_CODE.match(code) or schema.QPV_2015_CODE.match(code):
        return "qpv", code
    if code == "FR":
        return "france", "FR"
    return None


def parse_selection(search: str | None, is_known) -> Selection:
    """Known territories from the query string, deduplicated and capped, with messages for the rest."""
    territories: list[tuple[str, str]] = []
    problems: list[str] = []
    for token in codes_from_search(search):
        parsed = parse_token(token)
        shown = token[:MAX_CODE_LENGTH] + ("…" if len(token) > MAX_CODE_LENGTH else "")
        if parsed is None:
            problems.append(_("« {code} » n'est pas un code reconnu : utilisez la forme niveau:code "
                              "(par exemple commune:13055) ou un code de quartier (QN013001).").format(code=shown))
            continue
        if not is_known(*parsed):
            problems.append(_("Aucun territoire « {code} » dans ce jeu de données.").format(
                code=f"{parsed[0]}:{parsed[1]}"))
            continue
        if parsed in territories:
            continue
        if len(territories) >= MAX_TERRITORIES:
            problems.append(_("« {code} » n'a pas été ajouté : {count} territoires au plus peuvent être "
                              "comparés.").format(code=shown, count=MAX_TERRITORIES))
            continue
        territories.append(parsed)
    return Selection(territories, problems)


def search_for(territories: list[tuple[str, str]]) -> str:
    """The query string of a selection (empty when nothing is selected)."""
    if not territories:
        return ""
    return "?codes=" + ",".join(f"{level}:{code}" for level, code in territories)


def with_added(territories: list[tuple[str, str]], level: str, code: str) -> list[tuple[str, str]]:
    if (level, code) in territories:
        return list(territories)
    return [*territories, (level, code)][:MAX_TERRITORIES]


def without(territories: list[tuple[str, str]], level: str, code: str) -> list[tuple[str, str]]:
    return [t for t in territories if t != (level, code)]


# ------------------------------------------------------------------ the table


def comparison_rows(service, territories: list[tuple[str, str]], indicators: list[str] | None = None) -> pd.DataFrame:
    """One row per (indicator, territory): the value of the latest year any of them has, status and mark.

    All territories of a row are compared on the same year (``year``); a territory without a value that
    year gets its nearest published year's value (``value_year`` differs, and it is never marked). Counts
    (a number of beneficiaries grows with the territory) are never marked.
    """
    ids = indicators if indicators is not None else list(service.indicators["id"])
    rows = []
    for ind in ids:
        meta = service.indicator(ind)
        cells = {(level, code): indicator_row(service, level, code, ind) for level, code in territories}
        years = sorted({int(y) for vals, _ in cells.values() for y, v in vals.items() if pd.notna(v)})
        year = years[-1] if years else None
        picked = {key: nearest_value(vals, stats, year) for key, (vals, stats) in cells.items()}
        polarity = meta["polarity"] if comparable_across_territories(meta["unit"]) else "neutral"
        marks = mark_best_worst({k: (v if y == year else None) for k, (v, _, y) in picked.items()}, polarity)
        for (level, code), (value, status, value_year) in picked.items():
            rows.append({
                "indicator": ind, "label": indicator_label(meta), "theme": meta["theme"], "unit": meta["unit"],
                "decimals": int(meta["decimals"]), "polarity": meta["polarity"], "source": meta["source"],
                "vintage": meta["vintage"], "year": year, "level": level, "code": code, "value": value,
                "status": status, "value_year": value_year, "mark": marks[(level, code)],
            })
    return pd.DataFrame(rows)


def trend_frame(service, territories: list[tuple[str, str]], indicator: str) -> pd.DataFrame:
    """Long form ``level, code, name, year, value, status`` for a chart of one indicator.

    Years without any publication for a territory are left out (a chart steps over them); a withheld
    (secret) year stays, without value, so that the line breaks there.
    """
    rows = []
    for level, code in territories:
        values, status = indicator_row(service, level, code, indicator)
        name = service.territory_name(level, code)
        for year in values.index:
            value, stat = values[year], status[year]
            if pd.isna(value) and (pd.isna(stat) or str(stat) == "missing"):
                continue
            rows.append({"level": level, "code": code, "name": name, "year": int(year),
                         "value": None if pd.isna(value) else float(value),
                         "status": "missing" if pd.isna(stat) else str(stat)})
    return pd.DataFrame(rows, columns=["level", "code", "name", "year", "value", "status"])


def wellbeing_side_by_side(service, territories: list[tuple[str, str]], year: int | None = None) -> tuple[dict, dict]:
    """Well-being results of several territories on one common year, with best/worst marks."""
    return side_by_side(service, territories, year)
