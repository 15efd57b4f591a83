"""Side-by-side comparison of up to four territories (pure functions, no Dash).

The selection lives in the URL: ``/comparer?codes=qpv:QN013001,commune:13055,departement:13``.
Bare QPV codes (``QN013001``) are accepted. Each indicator row marks the best and worst
territories according to the indicator's polarity; neutral indicators get no mark.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pandas as pd

from atlas import schema

MAX_TERRITORIES = 4
MAX_CODE_LENGTH = 40


@dataclass(frozen=True)
class Selection:
    territories: list[tuple[str, str]]  # (level, code), known ones only, in URL order
    problems: list[str] = field(default_factory=list)  # French messages about what was dropped

    @property
    def keys(self) -> list[str]:
        return [f"{level}:{code}" for level, code in self.territories]


def codes_from_search(search: str | None) -> list[str]:
    """The raw tokens of ``?codes=a,b`` (several ``codes=`` are concatenated)."""
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    tokens: list[str] = []
    for value in query.get("codes", []):
        tokens += [t.strip() for t in value.split(",") if t.strip()]
    return tokens


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
            problems.append(f"« {shown} » n'est pas un code reconnu : utilisez la forme niveau:code "
                            "(par exemple commune:13055) ou un code de quartier (QN013001).")
            continue
        if not is_known(*parsed):
            problems.append(f"Aucun territoire « {parsed[0]}:{parsed[1]} » dans ce jeu de données.")
            continue
        if parsed in territories:
            continue
        if len(territories) >= MAX_TERRITORIES:
            problems.append(f"« {shown} » n'a pas été ajouté : {MAX_TERRITORIES} territoires au plus "
                            "peuvent être comparés.")
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


# --------------------------------------------------------------------- marks


def _is_number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def mark_best_worst(values: dict, polarity: str) -> dict:
    """``{key: value}`` -> ``{key: 'best' | 'worst' | None}``.

    Neutral indicators, fewer than two values, or all values equal: no mark. Ties share the mark.
    """
    marks = dict.fromkeys(values)
    present = {k: float(v) for k, v in values.items() if _is_number(v)}
    if polarity not in ("higher_is_better", "higher_is_worse") or len(present) < 2:
        return marks
    high, low = max(present.values()), min(present.values())
    if high == low:
        return marks
    best, worst = (high, low) if polarity == "higher_is_better" else (low, high)
    for key, value in present.items():
        if value == best:
            marks[key] = "best"
        elif value == worst:
            marks[key] = "worst"
    return marks


# ------------------------------------------------------- one territory's values


@functools.lru_cache(maxsize=4)
def _rows_by_territory(service) -> dict:
    """Row positions of each territory's observations (one groupby per service, ~0.1 s)."""
    obs = service.package.observations
    return obs.groupby(["level", "code"], observed=True, sort=False).indices


@functools.lru_cache(maxsize=1024)
def territory_table(service, level: str, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values and statuses of every annual indicator of one territory: indicator × year (read-only).

    Much cheaper than ``service.annual_table`` when only a few territories are needed: it pivots
    ~500 rows instead of a whole level.
    """
    rows = _rows_by_territory(service).get((level, code))
    if rows is None or len(rows) == 0:
        return pd.DataFrame(), pd.DataFrame()
    obs = service.package.observations.iloc[rows]
    period = obs["period"].astype(str).to_numpy()
    annual = pd.Series(period).str.len().to_numpy() == 4
    frame = pd.DataFrame({
        "indicator": obs["indicator"].astype(str).to_numpy()[annual],
        "year": pd.Series(period[annual]).astype(int).to_numpy(),
        "value": obs["value"].to_numpy()[annual],
        "status": obs["status"].astype(str).to_numpy()[annual],
    })
    return (frame.pivot(index="indicator", columns="year", values="value"),
            frame.pivot(index="indicator", columns="year", values="status"))


def indicator_row(service, level: str, code: str, indicator: str) -> tuple[pd.Series, pd.Series]:
    """One indicator of one territory over the years: (values, statuses), indexed by year."""
    values, status = territory_table(service, level, code)
    if values.empty or indicator not in values.index:
        return pd.Series(dtype=float), pd.Series(dtype=object)
    return values.loc[indicator], status.loc[indicator]


# ------------------------------------------------------------------ the table


def comparison_rows(service, territories: list[tuple[str, str]], indicators: list[str] | None = None) -> pd.DataFrame:
    """One row per (indicator, territory): the value of the latest year any of them has, status and mark.

    All territories of a row are compared on the same year.
    """
    ids = indicators if indicators is not None else list(service.indicators["id"])
    rows = []
    for ind in ids:
        meta = service.indicator(ind)
        cells = {(level, code): indicator_row(service, level, code, ind) for level, code in territories}
        years = sorted({int(y) for vals, _ in cells.values() for y, v in vals.items() if pd.notna(v)})
        year = years[-1] if years else None
        picked = {}
        for key, (vals, stats) in cells.items():
            if year is None or year not in vals.index:
                picked[key] = (None, "missing")
                continue
            value = vals.get(year)
            status = stats.get(year)
            picked[key] = (None if pd.isna(value) else float(value), "missing" if pd.isna(status) else str(status))
        marks = mark_best_worst({k: v for k, (v, _) in picked.items()}, meta["polarity"])
        for (level, code), (value, status) in picked.items():
            rows.append({
                "indicator": ind, "label": meta["label_fr"], "theme": meta["theme"], "unit": meta["unit"],
                "decimals": int(meta["decimals"]), "polarity": meta["polarity"], "source": meta["source"],
                "vintage": meta["vintage"], "year": year, "level": level, "code": code, "value": value,
                "status": status, "mark": marks[(level, code)],
            })
    return pd.DataFrame(rows)


def trend_frame(service, territories: list[tuple[str, str]], indicator: str) -> pd.DataFrame:
    """Long form ``level, code, name, year, value, status`` for a chart of one indicator."""
    rows = []
    for level, code in territories:
        values, status = indicator_row(service, level, code, indicator)
        name = service.territory_name(level, code)
        for year in values.index:
            value, stat = values[year], status[year]
            rows.append({"level": level, "code": code, "name": name, "year": int(year),
                         "value": None if pd.isna(value) else float(value),
                         "status": "missing" if pd.isna(stat) else str(stat)})
    return pd.DataFrame(rows, columns=["level", "code", "name", "year", "value", "status"])


def wellbeing_side_by_side(service, territories: list[tuple[str, str]], year: int | None = None) -> tuple[dict, dict]:
    """Well-being results of several territories on one common year, with best/worst marks.

    Without ``year``: the latest year where the first territory has an index, else where any has one.
    """
    from atlas.wellbeing import wellbeing_for

    if not territories:
        return {}, {}
    years = list(reversed(service.years))
    if year is None:
        first = territories[0]
        year = next((y for y in years if wellbeing_for(service, *first, y).computed), None)
        if year is None:
            year = next((y for y in years if any(wellbeing_for(service, *t, y).computed for t in territories[1:])),
                        years[0] if years else None)
    results = {t: wellbeing_for(service, t[0], t[1], year) for t in territories}
    marks = mark_best_worst({t: r.index for t, r in results.items()}, "higher_is_better")
    return results, marks
