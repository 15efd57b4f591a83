"""Leverage view: credits per QPV inhabitant against the change in a result indicator, per territory.

A descriptive quadrant around the medians of the territories shown — it shows where spending and
results diverge, never why: correlation is not causation (docs/barometer.md). No Dash here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas import credits as cr
from atlas import schema
from atlas.i18n import N_, _

CAVEAT_FR = N_("Ce graphique rapproche deux mesures sans établir de lien de cause à effet : une corrélation n'est "
             "pas une causalité. Les crédits vont souvent là où les difficultés sont les plus fortes, les "
             "résultats dépendent de bien d'autres facteurs (conjoncture, démographie, autres politiques) et "
             "peuvent se manifester avec retard.")

QUADRANTS = ("more_better", "more_worse", "less_better", "less_worse")


def quadrant_labels(polarity: str) -> dict[str, str]:
    """The quadrants' names in the visitor's language."""
    if polarity == "neutral":
        up, down = _("hausse plus forte"), _("hausse plus faible")
    else:
        up, down = _("évolution plus favorable"), _("évolution moins favorable")
    return {
        "more_better": _("Plus de crédits, {change}").format(change=up),
        "more_worse": _("Plus de crédits, {change}").format(change=down),
        "less_better": _("Moins de crédits, {change}").format(change=up),
        "less_worse": _("Moins de crédits, {change}").format(change=down),
    }


def leverage_levels(service) -> list[str]:
    """Levels that contain QPV and where credits can be attached (the QPV level itself is too fine)."""
    present = set(service.package.territories["level"])
    return [lvl for lvl in ("contrat_de_ville", "epci", "commune", "departement", "region") if lvl in present]


def indicator_change(service, indicator: str, level: str, start_year: int, end_year: int) -> pd.DataFrame:
    """Per territory of ``level``: the annual value at the first and last year of the period that it has."""
    values, _ = service.annual_table(indicator, level)
    cols = ["code", "start_year", "start_value", "end_year", "end_value", "change"]
    if values.empty:
        return pd.DataFrame(columns=cols)
    years = [y for y in values.columns if start_year <= int(y) <= end_year]
    if len(years) < 2:
        return pd.DataFrame(columns=cols)
    window = values[years]
    first_year = window.notna().idxmax(axis=1)
    last_year = window.notna().iloc[:, ::-1].idxmax(axis=1)
    has_two = window.notna().sum(axis=1) >= 2
    rows = []
    for code in window.index[has_two.to_numpy()]:
        fy, ly = int(first_year[code]), int(last_year[code])
        sv, ev = float(window.at[code, fy]), float(window.at[code, ly])
        rows.append({"code": str(code), "start_year": fy, "start_value": sv, "end_year": ly, "end_value": ev,
                     "change": ev - sv})
    return pd.DataFrame(rows, columns=cols)


def leverage_table(service, lines: pd.DataFrame, indicator: str, level: str, years: tuple[int, int]) -> pd.DataFrame:
    """One row per territory with credits per QPV inhabitant over the period, the indicator's change and the
    quadrant around the medians of the territories shown.

    ``lines`` are prepared credit lines (:func:`atlas.credits.prepare`), already filtered.
    """
    territories = service.package.territories
    cols = ["code", "name", "cents", "amount_eur", "qpv_population", "per_inhabitant", "start_year", "start_value",
            "end_year", "end_value", "change", "improvement", "quadrant"]
    money = cr.by_territory(lines, territories, level)
    change = indicator_change(service, indicator, level, int(years[0]), int(years[1]))
    if money.empty or change.empty:
        return pd.DataFrame(columns=cols)
    frame = money.merge(change, on="code", how="inner")
    frame = frame[frame["per_inhabitant"].notna()].copy()
    if frame.empty:
        return pd.DataFrame(columns=cols)
    polarity = service.indicator(indicator)["polarity"] if service.has_indicator(indicator) else "neutral"
    sign = -1.0 if polarity == "higher_is_worse" else 1.0
    frame["improvement"] = frame["change"] * sign  # > 0 means better (or up, for a neutral indicator)
    x_median = float(frame["per_inhabitant"].median())
    y_median = float(frame["improvement"].median())
    more = frame["per_inhabitant"] >= x_median
    better = frame["improvement"] >= y_median
    frame["quadrant"] = np.select([more & better, more & ~better, ~more & better],
                                  ["more_better", "more_worse", "less_better"], "less_worse")
    frame["name"] = [service.territory_name(level, c) or c for c in frame["code"]]
    frame.attrs.update(x_median=x_median, y_median=y_median, polarity=polarity)
    return frame[cols].sort_values("per_inhabitant", ascending=False).reset_index(drop=True)


def medians(table: pd.DataFrame) -> tuple[float | None, float | None]:
    """Median credits per inhabitant and median change (raw, in the indicator's unit)."""
    if table.empty:
        return None, None
    return float(table["per_inhabitant"].median()), float(table["change"].median())


def quadrant_counts(table: pd.DataFrame) -> dict[str, int]:
    counts = table["quadrant"].value_counts() if not table.empty else pd.Series(dtype=int)
    return {q: int(counts.get(q, 0)) for q in QUADRANTS}


def candidates(service, lines: pd.DataFrame, years: tuple[int, int]) -> dict[tuple[str, str], int]:
    """``(level, indicator) -> number of territories the view would draw``: territories with credits, QPV
    inhabitants and at least two yearly values of the result indicator within ``years``.

    One pass over the yearly observations of result indicators, so that the page can offer (and open on)
    only pairs that have data in this package."""
    territories = service.package.territories
    funded: dict[str, set[str]] = {}
    # A line counts for its territory and the coarser ones: levels finer than every line hold none.
    finest = min((schema.LEVELS.index(str(lvl)) for lvl in set(lines["level"]) if lvl in schema.LEVELS), default=0)
    for level in (lvl for lvl in leverage_levels(service) if schema.LEVELS.index(lvl) >= finest):
        money = cr.by_territory(lines, territories, level)
        codes = set(money.loc[money["qpv_population"] > 0, "code"])
        if codes:
            funded[level] = codes
    catalogue = service.indicators
    result = set(catalogue.loc[catalogue["kind"] == "result", "id"])
    obs = service.package.observations
    obs = obs[obs["level"].isin(list(funded)) & obs["indicator"].isin(list(result)) & obs["value"].notna()]
    period = obs["period"].astype(str)
    obs = obs[period.str.len().eq(4).to_numpy()]
    year = obs["period"].astype(str).astype(int)
    obs = obs[((year >= int(years[0])) & (year <= int(years[1]))).to_numpy()]
    if obs.empty:
        return {}
    frame = pd.DataFrame({"level": obs["level"].astype(str).to_numpy(), "indicator": obs["indicator"].astype(str)
                          .to_numpy(), "code": obs["code"].astype(str).to_numpy(),
                          "period": obs["period"].astype(str).to_numpy()})
    spans = frame.groupby(["level", "indicator", "code"]).size()
    spans = spans[spans >= 2].reset_index()
    out = {}
    for (level, indicator), group in spans.groupby(["level", "indicator"]):
        count = len(set(group["code"]) & funded.get(level, set()))
        if count >= 2:
            out[(str(level), str(indicator))] = count
    return out


def default_pair(pairs: dict[tuple[str, str], int], catalogue_order: list[str]) -> tuple[str | None, str | None]:
    """The pair drawing the most territories (the coarser level, then catalogue order, on ties)."""
    if not pairs:
        return None, None
    levels = ("departement", "region", "contrat_de_ville", "epci", "commune")
    rank = {ind: i for i, ind in enumerate(catalogue_order)}
    best = max(pairs, key=lambda p: (pairs[p], -levels.index(p[0]) if p[0] in levels else -9,
                                     -rank.get(p[1], 10**6)))
    return best
