"""A territorial well-being index in the spirit of the UNDP Human Development Index.

Three dimensions, each scaled to [0, 1] between fixed goalposts, then combined by a
geometric mean, exactly as the HDI does (method and choices: docs/wellbeing-index.md). The inputs are
*roles*, which the package maps to its own indicators (``service.presentation.wellbeing``):

- health: life expectancy at birth (role ``health``), goalposts 65 and 90 years;
- education: arithmetic mean of two sub-indices, the success rate at the *brevet*
  (``education_success``, goalposts 50 and 100 %) and the share of adults without a diploma
  (``education_deprivation``), inverted: 80 % scores 0 and 0 % scores 1;
- living standard: median disposable income per consumption unit (``income``),
  log-transformed like the HDI's income, goalposts 5 000 € and 40 000 €.

Variant: a dimension whose inputs the package does not hold at all (e.g. no life expectancy in the
national package) is left out for every territory, and the result is then a **reduced index**, named as
such (``Variant``); it is comparable between territories of the same package, never with the full index.

Policy for incomplete inputs: within the variant, the index is computed only when every input is
available (status ``ok`` or ``estimate``). When an input is secret or missing, no index is computed
(``index`` is None) and the result says why; the dimension indices that can be computed are still
returned so the page can show them. An index computed from at least one estimate is flagged ``estimate``.

Pure functions; nothing here imports Dash.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from atlas.i18n import N_, _, ngettext
from atlas.schema import UNAVAILABLE_STATUS_LABELS_FR
from atlas.values import mark_best_worst, territory_table

METHOD_VERSION = "2026-1"
DECIMALS = 3  # as the HDI is published


@dataclass(frozen=True)
class Goalpost:
    """Fixed goalposts on the indicator's own scale: ``worst`` scores 0, ``best`` scores 1.

    For a deprivation (the share without a diploma) the worst goalpost is the larger number, which inverts it.
    """

    role: str
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


# Goalposts are keyed by role: they fix the meaning (and unit) the package's indicator must have.
GOALPOSTS: dict[str, Goalpost] = {
    "health": Goalpost("health", 65.0, 90.0, label_fr=N_("Espérance de vie à la naissance")),
    "education_success": Goalpost("education_success", 50.0, 100.0, label_fr=N_("Réussite au brevet")),
    "education_deprivation": Goalpost("education_deprivation", 80.0, 0.0,
                                      label_fr=N_("Adultes sans diplôme (score inversé)")),
    "income": Goalpost("income", 5000.0, 40000.0, log=True, label_fr=N_("Revenu médian (échelle logarithmique)")),
}
# Dimension -> its input roles; the education dimension averages its two sub-indices arithmetically.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "sante": ("health",),
    "education": ("education_success", "education_deprivation"),
    "niveau_de_vie": ("income",),
}
DIMENSION_LABELS_FR = {  # French source (translated with _() where shown)
    "sante": N_("Santé"),
    "education": N_("Éducation"),
    "niveau_de_vie": N_("Niveau de vie"),
}
ROLES: tuple[str, ...] = tuple(role for roles in DIMENSIONS.values() for role in roles)
USABLE = ("ok", "estimate")
STATUS_LABELS_FR = UNAVAILABLE_STATUS_LABELS_FR


@dataclass(frozen=True)
class Variant:
    """Which dimensions the package can compute, and what the index is then called."""

    dimensions: tuple[str, ...]
    inputs: Mapping[str, str]  # role -> the package's indicator id, for the dimensions kept
    absent: tuple[str, ...] = ()  # roles the package does not hold (so their dimension is left out)

    @property
    def reduced(self) -> bool:
        return tuple(self.dimensions) != tuple(DIMENSIONS)

    @property
    def available(self) -> bool:
        return bool(self.dimensions)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(role for dim in self.dimensions for role in DIMENSIONS[dim])

    @property
    def name(self) -> str:
        """The index's name in the current language (« Indice de bien-être réduit (santé seule) »)."""
        if not self.reduced:
            return _("Indice de bien-être territorial")
        kept = [_(DIMENSION_LABELS_FR[d]).lower() for d in self.dimensions]
        joined = _(" et ").join([", ".join(kept[:-1]), kept[-1]]) if len(kept) > 1 else "".join(kept)
        return ngettext("Indice de bien-être réduit ({dimensions} seule)",
                        "Indice de bien-être réduit ({dimensions} seuls)", len(kept)).format(dimensions=joined)

    @property
    def absent_labels(self) -> list[str]:
        return [_(GOALPOSTS[role].label_fr).split(" (")[0] for role in self.absent]


FULL = Variant(tuple(DIMENSIONS), {role: role for role in ROLES})


def variant_for(service) -> Variant:
    """The dimensions whose every input the package maps to an indicator with quarter values."""
    declared = service.presentation.wellbeing
    at_qpv = set(service.indicators_at("qpv"))
    present = {role: ind for role, ind in declared.items() if role in GOALPOSTS and ind in at_qpv}
    dims = tuple(dim for dim, roles in DIMENSIONS.items() if all(r in present for r in roles))
    kept = {role: present[role] for dim in dims for role in DIMENSIONS[dim]}
    absent = tuple(role for role in ROLES if role not in present)
    return Variant(dims, kept, absent)


@dataclass(frozen=True)
class WellbeingResult:
    index: float | None
    status: str  # "ok", "estimate", "secret" or "missing" (the last two: no index)
    dimensions: dict[str, float | None]  # the variant's dimensions only
    scaled: dict[str, float | None]  # each input role on [0, 1]
    inputs: dict[str, tuple[float | None, str]]  # role -> (value, status)
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


def wellbeing_index(inputs: Mapping[str, tuple[float | None, str]], year: int | None = None,
                    dimensions: tuple[str, ...] = tuple(DIMENSIONS)) -> WellbeingResult:
    """The index from ``{role: (value, status)}`` over ``dimensions``; absent roles count as missing."""
    roles = [role for dim in dimensions for role in DIMENSIONS[dim]]
    clean: dict[str, tuple[float | None, str]] = {}
    for role in roles:
        value, status = inputs.get(role, (None, "missing"))
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = None
            if status in USABLE:
                status = "missing"
        clean[role] = (value, status)

    scaled = {role: (GOALPOSTS[role].scale(v) if s in USABLE else None) for role, (v, s) in clean.items()}
    dims: dict[str, float | None] = {}
    for dim in dimensions:
        parts = [scaled[m] for m in DIMENSIONS[dim]]
        dims[dim] = None if any(p is None for p in parts) else sum(parts) / len(parts)

    statuses = [s for _value, s in clean.values()]
    reasons = [_("{input} : {status}").format(input=_(GOALPOSTS[role].label_fr), status=_(STATUS_LABELS_FR.get(s, s)))
               for role, (_value, s) in clean.items() if s not in USABLE]
    if not dimensions or "secret" in statuses or "missing" in statuses:
        status = "secret" if "secret" in statuses else "missing"
        return WellbeingResult(None, status, dims, scaled, clean, year, reasons)
    index = geometric_mean(list(dims.values()))
    status = "estimate" if "estimate" in statuses else "ok"
    if status == "estimate":
        reasons = [_("{input} : estimation").format(input=_(GOALPOSTS[role].label_fr))
                   for role, (_value, s) in clean.items() if s == "estimate"]
    return WellbeingResult(index, status, dims, scaled, clean, year, reasons)


# ----------------------------------------------------------------- with a service


def inputs_for(service, level: str, code: str, year: int, variant: Variant | None = None
               ) -> dict[str, tuple[float | None, str]]:
    """The index inputs (by role) of one territory for one year, read through an AtlasService."""
    variant = variant or variant_for(service)
    values, status = territory_table(service, level, code)
    out: dict[str, tuple[float | None, str]] = {}
    for role, ind in variant.inputs.items():
        if values.empty or ind not in values.index or year not in values.columns:
            out[role] = (None, "missing")
            continue
        value, stat = values.at[ind, year], status.at[ind, year]
        out[role] = (None if pd.isna(value) else float(value), "missing" if pd.isna(stat) else str(stat))
    return out


def wellbeing_for(service, level: str, code: str, year: int, variant: Variant | None = None) -> WellbeingResult:
    variant = variant or variant_for(service)
    return wellbeing_index(inputs_for(service, level, code, year, variant), year, variant.dimensions)


def wellbeing_history(service, level: str, code: str) -> list[WellbeingResult]:
    """One result per year of the package, oldest first."""
    variant = variant_for(service)
    return [wellbeing_for(service, level, code, year, variant) for year in service.years]


def latest_wellbeing(history: list[WellbeingResult]) -> WellbeingResult | None:
    """The latest year with an index; else the latest year's (partial) result."""
    computed = [r for r in history if r.computed]
    if computed:
        return computed[-1]
    return history[-1] if history else None


def side_by_side(service, territories: list[tuple[str, str]], year: int | None = None) -> tuple[dict, dict]:
    """Well-being results of several territories on one common year, with best/worst marks.

    Without ``year``: the latest year where the first territory has an index, else where any has one. A
    territory without an index that year gets its nearest computed year instead (never marked).
    """
    variant = variant_for(service)
    if not territories or not variant.available:
        return {}, {}
    years = list(reversed(service.years))

    def result(territory, y):
        return wellbeing_for(service, territory[0], territory[1], y, variant)

    if year is None:
        year = next((y for y in years if result(territories[0], y).computed), None)
        if year is None:
            year = next((y for y in years if any(result(t, y).computed for t in territories[1:])),
                        years[0] if years else None)
    if year is None:
        return {}, {}
    results = {t: result(t, year) for t in territories}
    # A territory without an index that year shows its nearest computed year (its row says which), unmarked.
    by_distance = sorted(years, key=lambda y: (abs(y - year), y))
    for territory, found in results.items():
        if not found.computed:
            nearest = next((r for r in (result(territory, y) for y in by_distance[1:]) if r.computed), None)
            results[territory] = nearest or found
    marks = mark_best_worst({t: (r.index if r.year == year else None) for t, r in results.items()},
                            "higher_is_better")
    return results, marks


def wellbeing_table(service, level: str, year: int) -> pd.DataFrame:
    """Vectorised index for every territory of a level: columns index, status and one per dimension."""
    variant = variant_for(service)
    values: dict[str, pd.Series] = {}
    statuses: dict[str, pd.Series] = {}
    codes: pd.Index = pd.Index(service.codes(level))
    for role, ind in variant.inputs.items():
        table, status = service.annual_table(ind, level)
        if table.empty or year not in table.columns:
            values[role] = pd.Series(np.nan, index=codes)
            statuses[role] = pd.Series("missing", index=codes)
            continue
        values[role] = table[year].reindex(codes)
        statuses[role] = status[year].reindex(codes).fillna("missing").astype(str)
    out = pd.DataFrame(index=codes)
    out.index.name = "code"
    if not variant.available:
        return out.assign(status="missing", index=np.nan)
    scaled = {}
    for role in variant.roles:
        usable = statuses[role].isin(USABLE) & values[role].notna()
        goal = GOALPOSTS[role]
        x = values[role].astype(float)
        if goal.log:
            span = math.log(goal.best) - math.log(goal.worst)
            s = (np.log(x.clip(lower=1e-9)) - math.log(goal.worst)) / span
        else:
            s = (x - goal.worst) / (goal.best - goal.worst)
        scaled[role] = s.clip(0.0, 1.0).where(usable)
    for dim in variant.dimensions:
        members = DIMENSIONS[dim]
        out[dim] = sum(scaled[m] for m in members) / len(members)
    dims = out[list(variant.dimensions)]
    positive = (dims > 0).all(axis=1)
    index = np.exp(np.log(dims.where(dims > 0)).mean(axis=1)).where(positive, 0.0).where(dims.notna().all(axis=1))
    stat = pd.DataFrame(statuses)[list(variant.roles)]
    out["status"] = np.select(
        [stat.eq("secret").any(axis=1), (~stat.isin(USABLE)).any(axis=1) | index.isna(),
         stat.eq("estimate").any(axis=1)],
        ["secret", "missing", "estimate"], default="ok")
    out["index"] = index.where(out["status"].isin(USABLE))
    return out
