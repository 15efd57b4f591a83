"""Exact aggregates over quarters — all QPV of a département, all QPV of France — offered as extra references.

The honest rules (docs/references.md):

* Only what adds up. An indicator the catalogue declares ``aggregation = "sum"`` (a count: persons, dwellings,
  euros) is summed; one declared ``"ratio"`` is the ratio of the sums of its catalogued ``numerator`` and
  ``denominator`` counts (times ``scale``, 100 for a percentage). Anything else — a median, an index, a rate
  without its counts — has no aggregate: a mean of rates is never offered.
* Only what the package holds entirely. The manifest's ``qpv_coverage`` names the geographies (vintages) of which
  the package holds every quarter: ``"france"`` (every QPV of France: département and France aggregates) or
  ``"departements"`` (every QPV of the départements it covers: département aggregates only). Without it, none.
* Only published values. A quarter counts in a year when its value (both counts, for a ratio) is published
  (``ok`` or ``estimate``); secret or missing values are never imputed. The aggregate is offered when at least
  half of the scope's quarters count, and says « N QPV sur M » whenever some are missing; a département with a
  single quarter has none (it would be the quarter itself). An estimate among the inputs makes it an estimate.

Pure functions of an ``AtlasService``; tables are kept with the service (``service.derived``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from atlas.formatting import format_number
from atlas.i18n import _, indicator_label
from atlas.places import Place

SCOPES = ("departement", "france")
ROLE_OF_SCOPE = {"departement": "qpv_departement", "france": "qpv_france"}
AGGREGATE_ROLES = tuple(ROLE_OF_SCOPE.values())
FRANCE_KEY = "QPV"  # the code of the France-wide aggregate (it is no territory of the package)
MIN_COVERED_SHARE = 0.5
USABLE = ("ok", "estimate")


@dataclass(frozen=True)
class AggregateYear:
    value: float
    status: str  # "ok", or "estimate" when an input is an estimate
    covered: int  # quarters whose values entered the aggregate
    total: int  # quarters of the scope (same geography)
    kind: str  # "sum" or "ratio"

    @property
    def complete(self) -> bool:
        return self.covered == self.total

    @property
    def note(self) -> str:
        """« somme des 40 QPV », « somme de 38 QPV sur 40 », « rapport des sommes de 38 QPV sur 40 »."""
        if self.kind == "sum":
            text = _("somme des {total} QPV") if self.complete else _("somme de {covered} QPV sur {total}")
        else:
            text = (_("rapport des sommes des {total} QPV") if self.complete
                    else _("rapport des sommes de {covered} QPV sur {total}"))
        return text.format(covered=format_number(self.covered, 0), total=format_number(self.total, 0))


@dataclass(frozen=True)
class Recipe:
    kind: str  # "sum" or "ratio"
    numerator: str
    denominator: str | None = None
    scale: float = 1.0


def recipe(service, indicator: str) -> Recipe | None:
    """How the catalogue says an indicator aggregates, or None when it does not (the safe default)."""
    if not service.has_indicator(indicator):
        return None
    meta = service.indicator(indicator)
    kind = meta.get("aggregation")
    if kind == "sum":
        return Recipe("sum", indicator)
    if kind != "ratio":
        return None
    numerator, denominator = meta.get("numerator"), meta.get("denominator")
    if not (isinstance(numerator, str) and isinstance(denominator, str)
            and service.has_indicator(numerator) and service.has_indicator(denominator)):
        return None
    scale = meta.get("scale")
    if not isinstance(scale, int | float) or pd.isna(scale):
        scale = 100.0 if str(meta.get("unit", "")).strip().startswith("%") else 1.0
    return Recipe("ratio", numerator, denominator, float(scale))


def scopes_for(service, vintage) -> tuple[str, ...]:
    """The scopes the package can aggregate exactly for quarters of this geography (manifest ``qpv_coverage``)."""
    coverage = service.manifest.get("qpv_coverage")
    declared = coverage.get(str(vintage)) if isinstance(coverage, dict) else None
    return {"france": SCOPES, "departements": ("departement",)}.get(declared, ())


def aggregate_table(service, indicator: str, vintage: str, scope: str) -> dict[str, dict[int, AggregateYear]]:
    """``{scope code: {year: AggregateYear}}`` of the quarters of ``vintage`` (only aggregates worth offering)."""
    if not isinstance(indicator, str) or not isinstance(vintage, str) or scope not in scopes_for(service, vintage):
        return {}
    return service.derived("aggregates.table", _aggregate_table, indicator, vintage, scope, maxsize=256)


def _aggregate_table(service, indicator: str, vintage: str, scope: str) -> dict[str, dict[int, AggregateYear]]:
    how = recipe(service, indicator)
    try:
        quarters = service.territories.loc["qpv"]
    except KeyError:
        return {}
    quarters = quarters[quarters["vintage"].astype(str) == vintage]
    if how is None or quarters.empty:
        return {}
    codes = quarters["code"].astype(str).to_numpy()
    groups = (quarters["departement_code"].astype(object).to_numpy() if scope == "departement"
              else np.full(len(codes), FRANCE_KEY, dtype=object))
    numerator, numerator_status = _aligned(service, how.numerator, codes)
    usable = numerator_status
    denominator = None
    if how.kind == "ratio":
        denominator, denominator_status = _aligned(service, how.denominator, codes)
        usable = numerator_status & denominator_status
    years = sorted(set(numerator.columns) & (set(denominator.columns) if denominator is not None
                                               else set(numerator.columns)))
    estimate = _estimates(service, how, codes, years)
    totals = pd.Series(1, index=codes).groupby(groups).sum()
    out: dict[str, dict[int, AggregateYear]] = {}
    for year in years:
        counted = usable[year].to_numpy()
        frame = pd.DataFrame({"group": groups, "counted": counted,
                              "numerator": np.where(counted, numerator[year].to_numpy(dtype=float), 0.0),
                              "estimate": counted & estimate[year].to_numpy()})
        if denominator is not None:
            frame["denominator"] = np.where(counted, denominator[year].to_numpy(dtype=float), 0.0)
        sums = frame.groupby("group", dropna=True).sum()
        for code, row in sums.iterrows():
            total, covered = int(totals[code]), int(row["counted"])
            if covered == 0 or covered < MIN_COVERED_SHARE * total or (scope == "departement" and total < 2):
                continue
            if how.kind == "ratio":
                if row["denominator"] <= 0:
                    continue
                value = how.scale * row["numerator"] / row["denominator"]
            else:
                value = float(row["numerator"])
            status = "estimate" if row["estimate"] else "ok"
            out.setdefault(str(code), {})[int(year)] = AggregateYear(float(value), status, covered, total, how.kind)
    return out


def _aligned(service, indicator: str, codes: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values of the quarters (rows, in ``codes`` order) by year, and whether each is published."""
    values, status = service.annual_table(indicator, "qpv")
    if values.empty:
        empty = pd.DataFrame(index=codes)
        return empty, empty
    values = values.reindex(index=codes)
    status = status.reindex(index=codes)
    return values, (status.isin(USABLE) & values.notna())


def _estimates(service, how: Recipe, codes: np.ndarray, years: list) -> pd.DataFrame:
    """Whether an input of each quarter and year is an estimate (the aggregate then is one too)."""
    flags = pd.DataFrame(False, index=codes, columns=years)
    for indicator in filter(None, (how.numerator, how.denominator)):
        _, status = service.annual_table(indicator, "qpv")
        if not status.empty:
            flags |= (status.reindex(index=codes, columns=years) == "estimate").fillna(False)
    return flags


# ------------------------------------------------------------------ as references


def aggregate_places(service, territory: dict) -> dict[str, Place]:
    """The aggregates a quarter can be set against, role -> Place (only scopes its geography supports)."""
    scopes = scopes_for(service, territory.get("vintage"))
    out = {}
    if "departement" in scopes:
        code = territory.get("departement_code")
        if isinstance(code, str) and service.is_known("departement", code):
            out["qpv_departement"] = Place("qpv_departement", "departement", code,
                                           service.territory_name("departement", code) or code)
    if "france" in scopes:
        out["qpv_france"] = Place("qpv_france", "france", FRANCE_KEY, _("France"))
    return out


def aggregate_series(service, place: Place, indicator: str, vintage: str) -> dict[int, AggregateYear]:
    """The aggregate of one place (a role of ``aggregate_places``) by year; empty when none is offered."""
    scope = "departement" if place.role == "qpv_departement" else "france"
    return aggregate_table(service, indicator, str(vintage), scope).get(place.code, {})


# ------------------------------------------------------------------ on the map


def covered_vintages(service, scope: str) -> tuple[str, ...]:
    """The quarter geographies whose ``scope`` aggregates the package can compute."""
    coverage = service.manifest.get("qpv_coverage")
    return tuple(str(v) for v in (coverage or {}) if scope in scopes_for(service, v)) \
        if isinstance(coverage, dict) else ()


def map_years(service, indicator: str, scope: str) -> dict[int, tuple[int, int]]:
    """Years with an aggregate of ``scope``, and for each (quarters whose values entered an aggregate, quarters of
    the geographies in all — those of a département left without an aggregate included)."""
    covered: dict[int, int] = {}
    total = 0
    for vintage in covered_vintages(service, scope):
        quarters = service.territories.loc["qpv"]
        total += int((quarters["vintage"].astype(str) == vintage).sum())
        for by_year in aggregate_table(service, indicator, vintage, scope).values():
            for year, aggregate in by_year.items():
                covered[year] = covered.get(year, 0) + aggregate.covered
    return {year: (covered[year], total) for year in sorted(covered)}


def map_reference_matrix(service, indicator: str, scope: str, codes: list[str],
                         used: dict[int, int | None]) -> pd.DataFrame:
    """For each mapped quarter (rows) and year shown (columns), the aggregate of its scope in the year ``used``
    stands for (NaN for a quarter of a geography the package does not hold entirely)."""
    frame = pd.DataFrame(np.nan, index=codes, columns=list(used))
    try:
        quarters = service.territories.loc["qpv"].set_index("code").reindex(codes)
    except KeyError:
        return frame
    for vintage in covered_vintages(service, scope):
        table = aggregate_table(service, indicator, vintage, scope)
        mine = (quarters["vintage"].astype(str) == vintage).to_numpy()
        keys = (quarters["departement_code"].to_numpy() if scope == "departement"
                else np.full(len(codes), FRANCE_KEY, dtype=object))
        for year, ref_year in used.items():
            if ref_year is None:
                continue
            column = [table.get(key, {}).get(ref_year) if own else None for key, own in zip(keys, mine, strict=True)]
            values = np.array([a.value if a is not None else np.nan for a in column], dtype=float)
            frame[year] = np.where(mine, values, frame[year].to_numpy())
    return frame


# ------------------------------------------------------------------ on the comparison page


def comparison_aggregates(service, territories, years: dict[str, int | None]) -> tuple[tuple[Place, ...], pd.DataFrame]:
    """The aggregates of the quarters compared (their départements', France's) and one row per (indicator, place):
    the value of the indicator's comparison year (``years``), else of the nearest year with an aggregate."""
    places: dict[tuple[str, str], tuple[Place, str]] = {}
    for level, code in territories:
        territory = service.territory(level, code) if level == "qpv" else None
        if territory is None:
            continue
        for place in aggregate_places(service, territory).values():
            places.setdefault((place.role, place.code), (place, str(territory.get("vintage") or "")))
    ordered = sorted(places.values(), key=lambda pv: (pv[0].role == "qpv_france", pv[0].name))
    rows = []
    for indicator in service.indicators["id"]:
        if recipe(service, indicator) is None:
            continue
        meta = service.indicator(indicator)
        for place, vintage in ordered:
            by_year = aggregate_series(service, place, indicator, vintage)
            if not by_year:
                continue
            wanted = years.get(indicator) or max(by_year)
            found = min(by_year, key=lambda y: (abs(y - wanted), y))
            aggregate = by_year[found]
            rows.append({"indicator": indicator, "label": indicator_label(meta), "unit": meta["unit"],
                         "decimals": int(meta["decimals"]), "year": wanted, "value_year": found,
                         "role": place.role, "code": place.code, "value": aggregate.value,
                         "status": aggregate.status, "note": aggregate.note})
    shown = {(r["role"], r["code"]) for r in rows}
    return tuple(p for p, _ in ordered if (p.role, p.code) in shown), pd.DataFrame(rows)
