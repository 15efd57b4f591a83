"""Barometer result series, the indicators' dashboard and beneficiaries' coverage (pure pandas, no Dash).

The series of a territory is shown beside those of the territories containing it; coverage is
beneficiaries ÷ eligible population where the package gives both (docs/barometer.md).
"""

from __future__ import annotations

import functools

import pandas as pd

from atlas import schema
from atlas.barometer import FREQUENCY_ORDER, ancestors, is_missing, period_end
from atlas.i18n import _, indicator_label

# ------------------------------------------------------------------- series


def series_chain(service, indicator: str, level: str, code: str, frequency: str | None = None,
                 years: tuple[int, int] | None = None) -> pd.DataFrame:
    """The indicator's series for the territory and each parent that has it, long form.

    Columns: level, code, name, period, frequency, value, status, beneficiaries, eligible.
    """
    parts = []
    for lvl, c in ancestors(service, level, code):
        serie = service.series(lvl, c, indicator)
        if serie.empty:
            continue
        serie = serie.assign(level=lvl, code=c, name=service.territory_name(lvl, c) or c)
        parts.append(serie)
    cols = ["level", "code", "name", "period", "frequency", "value", "status", "beneficiaries", "eligible"]
    if not parts:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(parts, ignore_index=True)
    frame["frequency"] = frame["period"].map(lambda p: schema.period_frequency(p) or "annual")
    if frequency:
        frame = frame[frame["frequency"] == frequency]
    if years:
        year = frame["period"].str[:4].astype(int)
        frame = frame[(year >= years[0]) & (year <= years[1])]
    return frame[cols].reset_index(drop=True)


def frequencies(frame: pd.DataFrame) -> list[str]:
    present = set(frame["frequency"]) if "frequency" in frame else set()
    return [f for f in FREQUENCY_ORDER if f in present]


def trend(first: float | None, last: float | None, polarity: str) -> str:
    """French word for a change given the indicator's polarity."""
    if first is None or last is None or is_missing(first) or is_missing(last):
        return "–"
    change = last - first
    if abs(change) < 1e-9:
        return _("stable")
    if polarity == "neutral":
        return _("hausse") if change > 0 else _("baisse")
    better = change > 0 if polarity == "higher_is_better" else change < 0
    return _("amélioration") if better else _("dégradation")


def indicator_summary(service, level: str, code: str, *, ministry: str | None = None, theme: str | None = None,
                      years: tuple[int, int] | None = None, kinds: tuple[str, ...] = ("result", "means")
                      ) -> pd.DataFrame:
    """For each indicator of the filter, its first and last annual value in the period at one territory."""
    catalogue = service.indicators
    catalogue = catalogue[catalogue["kind"].isin(kinds) & catalogue["ministry"].notna()]
    if ministry:
        catalogue = catalogue[catalogue["ministry"] == ministry]
    if theme:
        catalogue = catalogue[catalogue["theme"] == theme]
    catalogue = catalogue[catalogue["id"].isin(service.indicators_at(level))]  # yearly values at this level
    rows = []
    for meta in catalogue.itertuples(index=False):
        values, _ = service.annual_table(meta.id, level)
        if values.empty or code not in values.index:
            continue
        serie = values.loc[code].dropna()
        if years:
            serie = serie[(serie.index >= years[0]) & (serie.index <= years[1])]
        if serie.empty:
            continue
        first_year, last_year = int(serie.index[0]), int(serie.index[-1])
        first, last = float(serie.iloc[0]), float(serie.iloc[-1])
        rows.append({"indicator": meta.id, "label": indicator_label(meta), "ministry": meta.ministry,
                     "theme": meta.theme, "kind": meta.kind, "unit": meta.unit, "decimals": int(meta.decimals),
                     "polarity": meta.polarity,
                     "first_year": first_year, "first_value": first, "last_year": last_year, "last_value": last,
                     "change": last - first, "trend": trend(first, last, meta.polarity), "source": meta.source,
                     "vintage": meta.vintage})
    return pd.DataFrame(rows, columns=["indicator", "label", "ministry", "theme", "kind", "unit", "decimals",
                                       "polarity", "first_year", "first_value", "last_year", "last_value",
                                       "change", "trend", "source", "vintage"])


# ------------------------------------------------------------- beneficiaries


def coverage(beneficiaries, eligible) -> float | None:
    """Beneficiaries ÷ eligible population (a share), or None when either is missing or eligible is 0."""
    if beneficiaries is None or eligible is None or is_missing(beneficiaries) or is_missing(eligible):
        return None
    eligible = float(eligible)
    if eligible <= 0:
        return None
    return float(beneficiaries) / eligible


@functools.lru_cache(maxsize=32)
def counting_indicators(service, level: str) -> frozenset[str]:
    """Indicators whose observations at ``level`` count beneficiaries or eligible people (one pass, kept)."""
    obs = service.package.observations
    counted = obs[(obs["level"] == level) & (obs["beneficiaries"].notna() | obs["eligible"].notna())]
    return frozenset(counted["indicator"].astype(str).unique())


def coverage_table(service, level: str, code: str, *, ministry: str | None = None, theme: str | None = None,
                   years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Per indicator that counts beneficiaries at this territory: each period's beneficiaries, eligible, coverage."""
    catalogue = service.indicators
    if ministry:
        catalogue = catalogue[catalogue["ministry"] == ministry]
    if theme:
        catalogue = catalogue[catalogue["theme"] == theme]
    catalogue = catalogue[catalogue["id"].isin(counting_indicators(service, level))]
    parts = []
    for meta in catalogue.itertuples(index=False):
        serie = service.series(level, code, meta.id)
        serie = serie[serie["beneficiaries"].notna() | serie["eligible"].notna()]
        if years and not serie.empty:
            year = serie["period"].str[:4].astype(int)
            serie = serie[(year >= years[0]) & (year <= years[1])]
        if serie.empty:
            continue
        parts.append(serie.assign(indicator=meta.id, label=indicator_label(meta), ministry=meta.ministry,
                                  source=meta.source, vintage=meta.vintage))
    cols = ["indicator", "label", "ministry", "period", "beneficiaries", "eligible", "coverage", "source", "vintage"]
    if not parts:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(parts, ignore_index=True)
    frame["beneficiaries"] = frame["beneficiaries"].astype("Int64")
    frame["eligible"] = frame["eligible"].astype("Int64")
    frame["coverage"] = [coverage(b, e) for b, e in zip(frame["beneficiaries"], frame["eligible"], strict=True)]
    return frame[cols].reset_index(drop=True)


def latest_coverage(table: pd.DataFrame) -> pd.DataFrame:
    """The last period of each indicator in a :func:`coverage_table`."""
    if table.empty:
        return table
    ordered = table.assign(_end=table["period"].map(period_end)).sort_values(["indicator", "_end"])
    return ordered.drop_duplicates("indicator", keep="last").drop(columns="_end").reset_index(drop=True)
