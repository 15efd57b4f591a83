"""One territory's annual values, and best/worst marks: the shared ground of the profile, the comparison
and the well-being index (kept apart so that none of them imports another to read values).
"""

from __future__ import annotations

import math

import pandas as pd


def _group_rows(service) -> dict:
    """Row positions of each territory's observations (one groupby per package, ~0.1 s)."""
    obs = service.package.observations
    return obs.groupby(["level", "code"], observed=True, sort=False).indices


def territory_table(service, level: str, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values and statuses of every annual indicator of one territory: indicator × year (read-only).

    Much cheaper than ``service.annual_table`` when only a few territories are needed: it pivots
    ~500 rows instead of a whole level. Kept with the service (``service.derived``).
    """
    if not isinstance(level, str) or not isinstance(code, str):
        return pd.DataFrame(), pd.DataFrame()
    return service.derived("values.territory_table", _territory_table, level, code, maxsize=1024)


def _territory_table(service, level: str, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = service.derived("values.rows_by_territory", _group_rows, maxsize=1).get((level, code))
    if rows is None or len(rows) == 0:
        return pd.DataFrame(), pd.DataFrame()
    obs = service.package.observations.iloc[rows]
    period = obs["period"].astype(str).to_numpy()
    annual = pd.Series(period).str.len().to_numpy() == 4
    if not annual.any():
        return pd.DataFrame(), pd.DataFrame()
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


def is_number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def mark_best_worst(values: dict, polarity: str) -> dict:
    """``{key: value}`` -> ``{key: 'best' | 'worst' | None}``.

    Neutral indicators, fewer than two values, or all values equal: no mark. Ties share the mark.
    """
    marks = dict.fromkeys(values)
    present = {k: float(v) for k, v in values.items() if is_number(v)}
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


USABLE = ("ok", "estimate")


def nearest_value(values: pd.Series, statuses: pd.Series, year: int | None) -> tuple[float | None, str, int | None]:
    """(value, status, its year) for ``year``: that year's value when usable, else the value of the nearest
    published year (the earlier one on a tie), else that year's secret, else (None, "missing", None)."""
    if year is None:
        return None, "missing", None
    secret = False
    if year in values.index:
        value, status = values[year], statuses[year]
        status = "missing" if pd.isna(status) else str(status)
        if pd.notna(value) and status in USABLE:
            return float(value), status, year
        secret = status == "secret"
    published = [(abs(int(y) - year), int(y)) for y in values.index
                 if pd.notna(values[y]) and str(statuses[y]) in USABLE]
    if not published:
        return (None, "secret", year) if secret else (None, "missing", None)
    _, nearest = min(published)
    return float(values[nearest]), str(statuses[nearest]), nearest


# Units of a level, a rate or an average, whose values can be set side by side across territories of any
# size; a count (« bénéficiaires », « logements ») grows with the territory and is never ranked or "gapped".
_COMPARABLE_UNITS = ("", "ratio", "indice", "rapport", "années", "ans")


def comparable_across_territories(unit) -> bool:
    text = str(unit or "").strip().lower()
    return (text in _COMPARABLE_UNITS or "%" in text or "€" in text or " pour " in f" {text} "
            or text.startswith(("indice", "mois", "jours", "taux", "part")) or " par " in f" {text} ")
