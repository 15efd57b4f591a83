"""A territorial well-being index in the spirit of the UNDP Human Development Index.

Three dimensions, each scaled to [0, 1] between fixed goalposts, then combined by a
geometric mean, exactly as the HDI does (method and choices: docs/wellbeing-index.md):

- health: life expectancy at birth (``esperance_vie``), goalposts 65 and 90 years;
- education: arithmetic mean of two sub-indices, the success rate at the *brevet*
  (``reussite_brevet``, goalposts 50 and 100 %) and the share of adults without a diploma
  (``sans_diplome``), inverted: 80 % scores 0 and 0 % scores 1;
- living standard: median disposable income per consumption unit (``revenu_median``),
  log-transformed like the HDI's income, goalposts 5 000 € and 40 000 €.

Policy for incomplete inputs: the index is computed only when every input is available (status
``ok`` or ``estimate``). When an input is secret or missing, no index is computed (``index`` is
None) and the result says why; the dimension indices that can be computed are still returned so
the page can show them. An index computed from at least one estimate is flagged ``estimate``.

Pure functions; nothing here imports Dash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

METHOD_VERSION = "2024-1"
DECIMALS = 3  # as the HDI is published


@dataclass(frozen=True)
class Goalpost:
    """Fixed goalposts on the indicator's own scale: ``worst`` scores 0, ``best`` scores 1.

    For a deprivation (``sans_diplome``) the worst goalpost is the larger number, which inverts it.
    """

    indicator: str
    worst: float
    best: float
    log: bool = False
    label_fr: str = ""

    def scale(self, value: float | None) -> float | None:
        """The input on [0, 1] between the goalposts (clipped), or None when absent."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        x, lo, hi = float(value), self.worst, self.best
        if self.log:
            score = (math.log(max(x, 1e-9)) - math.log(lo)) / (math.log(hi) - math.log(lo))
        else:
            score = (x - lo) / (hi - lo)
        return min(1.0, max(0.0, score))


GOALPOSTS: dict[str, Goalpost] = {
    "esperance_vie": Goalpost("esperance_vie", 65.0, 90.0, label_fr="Espérance de vie à la naissance"),
    "reussite_brevet": Goalpost("reussite_brevet", 50.0, 100.0, label_fr="Réussite au brevet"),
    "sans_diplome": Goalpost("sans_diplome", 80.0, 0.0, label_fr="Adultes sans diplôme (score inversé)"),
    "revenu_median": Goalpost("revenu_median", 5000.0, 40000.0, log=True,
                              label_fr="Revenu médian (échelle logarithmique)"),
}
# Dimension -> its inputs; the education dimension averages its two sub-indices arithmetically.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "sante": ("esperance_vie",),
    "education": ("reussite_brevet", "sans_diplome"),
    "niveau_de_vie": ("revenu_median",),
}
DIMENSION_LABELS_FR = {
    "sante": "Santé",
    "education": "Éducation",
    "niveau_de_vie": "Niveau de vie",
}
INPUTS: tuple[str, ...] = tuple(ind for inputs in DIMENSIONS.values() for ind in inputs)
USABLE = ("ok", "estimate")
STATUS_LABELS_FR = {"secret": "secret statistique", "missing": "non disponible"}


@dataclass(frozen=True)
class WellbeingResult:
    index: float | None
    status: str  # "ok", "estimate", "secret" or "missing" (the last two: no index)
    dimensions: dict[str, float | None]
    scaled: dict[str, float | None]  # each input on [0, 1]
    inputs: dict[str, tuple[float | None, str]]
    year: int | None = None
    reasons: list[str] = field(default_factory=list)  # French, why the index is absent or flagged

    @property
    def computed(self) -> bool:
        return self.index is not None

    @property
    def partial(self) -> bool:
        """Some inputs are available but not all: the index is withheld."""
        return self.index is None and any(v is not None for v in self.dimensions.values())


def geometric_mean(values: list[float]) -> float:
    if any(v <= 0 for v in values):
        return 0.0
    return math.exp(sum(math.log(v) for v in values) / len(values))


def wellbeing_index(inputs: dict[str, tuple[float | None, str]], year: int | None = None) -> WellbeingResult:
    """The index from ``{indicator: (value, status)}``; absent indicators count as missing."""
    clean: dict[str, tuple[float | None, str]] = {}
    for indicator in INPUTS:
        value, status = inputs.get(indicator, (None, "missing"))
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = None
            if status in USABLE:
                status = "missing"
        clean[indicator] = (value, status)

    scaled = {ind: (GOALPOSTS[ind].scale(v) if s in USABLE else None) for ind, (v, s) in clean.items()}
    dimensions: dict[str, float | None] = {}
    for dim, members in DIMENSIONS.items():
        parts = [scaled[m] for m in members]
        dimensions[dim] = None if any(p is None for p in parts) else sum(parts) / len(parts)

    statuses = [s for _, s in clean.values()]
    reasons = [f"{GOALPOSTS[ind].label_fr} : {STATUS_LABELS_FR.get(s, s)}"
               for ind, (_, s) in clean.items() if s not in USABLE]
    if "secret" in statuses or "missing" in statuses:
        status = "secret" if "secret" in statuses else "missing"
        return WellbeingResult(None, status, dimensions, scaled, clean, year, reasons)
    index = geometric_mean(list(dimensions.values()))
    status = "estimate" if "estimate" in statuses else "ok"
    if status == "estimate":
        reasons = [f"{GOALPOSTS[ind].label_fr} : estimation" for ind, (_, s) in clean.items() if s == "estimate"]
    return WellbeingResult(index, status, dimensions, scaled, clean, year, reasons)


# ----------------------------------------------------------------- with a service


def inputs_for(service, level: str, code: str, year: int) -> dict[str, tuple[float | None, str]]:
    """The index inputs of one territory for one year, read through an AtlasService."""
    from atlas.compare import territory_table

    values, status = territory_table(service, level, code)
    out: dict[str, tuple[float | None, str]] = {}
    for ind in INPUTS:
        if values.empty or ind not in values.index or year not in values.columns:
            out[ind] = (None, "missing")
            continue
        value, stat = values.at[ind, year], status.at[ind, year]
        out[ind] = (None if pd.isna(value) else float(value), "missing" if pd.isna(stat) else str(stat))
    return out


def wellbeing_for(service, level: str, code: str, year: int) -> WellbeingResult:
    return wellbeing_index(inputs_for(service, level, code, year), year)


def wellbeing_history(service, level: str, code: str) -> list[WellbeingResult]:
    """One result per year of the package, oldest first."""
    return [wellbeing_for(service, level, code, year) for year in service.years]


def latest_wellbeing(history: list[WellbeingResult]) -> WellbeingResult | None:
    """The latest year with an index; else the latest year's (partial) result."""
    computed = [r for r in history if r.computed]
    if computed:
        return computed[-1]
    return history[-1] if history else None


def wellbeing_table(service, level: str, year: int) -> pd.DataFrame:
    """Vectorised index for every territory of a level: columns index, status and one per dimension."""
    values: dict[str, pd.Series] = {}
    statuses: dict[str, pd.Series] = {}
    codes: pd.Index = pd.Index(service.codes(level))
    for ind in INPUTS:
        table, status = service.annual_table(ind, level) if service.has_indicator(ind) else (pd.DataFrame(),) * 2
        if table.empty or year not in table.columns:
            values[ind] = pd.Series(np.nan, index=codes)
            statuses[ind] = pd.Series("missing", index=codes)
            continue
        values[ind] = table[year].reindex(codes)
        statuses[ind] = status[year].reindex(codes).fillna("missing").astype(str)
    out = pd.DataFrame(index=codes)
    scaled = {}
    for ind in INPUTS:
        usable = statuses[ind].isin(USABLE) & values[ind].notna()
        goal = GOALPOSTS[ind]
        x = values[ind].astype(float)
        if goal.log:
            span = math.log(goal.best) - math.log(goal.worst)
            s = (np.log(x.clip(lower=1e-9)) - math.log(goal.worst)) / span
        else:
            s = (x - goal.worst) / (goal.best - goal.worst)
        scaled[ind] = s.clip(0.0, 1.0).where(usable)
    for dim, members in DIMENSIONS.items():
        out[dim] = sum(scaled[m] for m in members) / len(members)
    dims = out[list(DIMENSIONS)]
    positive = (dims > 0).all(axis=1)
    index = np.exp(np.log(dims.where(dims > 0)).mean(axis=1)).where(positive, 0.0).where(dims.notna().all(axis=1))
    stat = pd.DataFrame(statuses)
    out["status"] = np.select(
        [stat.eq("secret").any(axis=1), (~stat.isin(USABLE)).any(axis=1) | index.isna(),
         stat.eq("estimate").any(axis=1)],
        ["secret", "missing", "estimate"], default="ok")
    out["index"] = index.where(out["status"].isin(USABLE))
    out.index.name = "code"
    return out
