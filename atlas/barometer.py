"""The barometer of public action: commitments' progress and status, result series, beneficiaries.

Pure pandas over an :class:`~atlas.service.AtlasService` (no Dash). The rules are documented in
``docs/barometer.md``; every function works on whatever levels and periods the package holds.
"""

from __future__ import annotations

import calendar
import functools
import math
from datetime import date
from urllib.parse import parse_qsl, urlencode

import numpy as np
import pandas as pd

from atlas import schema

# ------------------------------------------------------------------ statuses

ACHIEVED = "achieved"
ON_TRACK = "on_track"
LATE = "late"
NO_TARGET = "no_target"
NO_DATA = "no_data"
STATUSES = (ACHIEVED, ON_TRACK, LATE, NO_TARGET, NO_DATA)
STATUS_LABELS_FR = {
    ACHIEVED: "Cible atteinte",
    ON_TRACK: "En bonne voie",
    LATE: "En retard",
    NO_TARGET: "Sans cible",
    NO_DATA: "Sans mesure récente",
}
# Okabe–Ito colours, distinguishable by colour-blind readers; labels always accompany them.
STATUS_COLOURS = {
    ACHIEVED: "#009E73",
    ON_TRACK: "#0072B2",
    LATE: "#D55E00",
    NO_TARGET: "#8C8C8C",
    NO_DATA: "#D0D0D0",
}
# "On track" tolerates a progress this far (as a share of the whole way) behind the elapsed time.
TOLERANCE = 0.10

FREQUENCY_LABELS_FR = {"annual": "Annuelle", "quarterly": "Trimestrielle", "monthly": "Mensuelle"}
FREQUENCY_ORDER = ("annual", "quarterly", "monthly")
KIND_LABELS_FR = {"result": "Résultat", "means": "Moyens", "context": "Contexte"}


# ------------------------------------------------------------------- periods


@functools.lru_cache(maxsize=4096)
def period_end(period: str) -> date:
    """The last day a period covers: ``2024 -> 2024-12-31``, ``2024-Q2 -> 2024-06-30``, ``2024-03 -> 2024-03-31``."""
    period = str(period)
    year = int(period[:4])
    frequency = schema.period_frequency(period)
    if frequency == "quarterly":
        month = 3 * int(period[6])
    elif frequency == "monthly":
        month = int(period[5:7])
    else:
        month = 12
    return date(year, month, calendar.monthrange(year, month)[1])


@functools.lru_cache(maxsize=4096)
def period_start(period: str) -> date:
    period = str(period)
    year = int(period[:4])
    frequency = schema.period_frequency(period)
    if frequency == "quarterly":
        return date(year, 3 * int(period[6]) - 2, 1)
    if frequency == "monthly":
        return date(year, int(period[5:7]), 1)
    return date(year, 1, 1)


def parse_date(text) -> date | None:
    if text is None or (isinstance(text, float) and math.isnan(text)) or text == "":
        return None
    return date.fromisoformat(str(text)[:10])


def package_years(service) -> list[int]:
    """Every year any observation period falls in (annual, quarterly or monthly)."""
    periods = service.package.observations["period"]
    values = periods.cat.categories if hasattr(periods, "cat") else periods.unique()
    return sorted({int(str(p)[:4]) for p in values})


# ------------------------------------------------------------------ progress


def progress(baseline: float, current: float | None, target: float | None, polarity: str = "neutral") -> float | None:
    """Share of the way from baseline to target covered by the current value (1.0 = target reached).

    ``(current - baseline) / (target - baseline)``: this works for decreasing targets too (both terms
    are negative when the value falls as intended). When the target equals the baseline (keep a level),
    progress is 1.0 if the current value is at least as good as the target given the indicator's
    polarity, else 0.0.
    """
    if current is None or target is None or _missing(current) or _missing(target) or _missing(baseline):
        return None
    gap = target - baseline
    if abs(gap) < 1e-12:
        if polarity == "higher_is_better":
            return 1.0 if current >= target - 1e-9 else 0.0
        if polarity == "higher_is_worse":
            return 1.0 if current <= target + 1e-9 else 0.0
        return 1.0 if abs(current - target) < 1e-9 else 0.0
    return (current - baseline) / gap


def elapsed_share(baseline_date: date, target_date: date, as_of: date) -> float:
    """Share of the time between baseline and target that has elapsed at ``as_of`` (clipped to 0–1)."""
    total = (target_date - baseline_date).days
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (as_of - baseline_date).days / total))


def status(*, has_target: bool, progress_share: float | None, current_date: date | None, baseline_date: date,
           target_date: date | None, tolerance: float = TOLERANCE) -> str:
    """The documented status rules (docs/barometer.md), applied in this order."""
    if not has_target or target_date is None:
        return NO_TARGET
    if current_date is None or current_date <= baseline_date or progress_share is None:
        return NO_DATA
    if progress_share >= 1.0 - 1e-9:
        return ACHIEVED
    if current_date >= target_date:
        return LATE
    if progress_share >= elapsed_share(baseline_date, target_date, current_date) - tolerance:
        return ON_TRACK
    return LATE


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


# -------------------------------------------------------------- observations


def latest_values(obs: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Per code, the latest observation with a value (by period end, annual first on ties).

    Returns columns code, period, value, status, end (a ``date``).
    """
    cols = ["code", "period", "value", "status", "end"]
    if obs.empty:
        return pd.DataFrame(columns=cols)
    frame = obs[obs["value"].notna()][["code", "period", "value", "status"]].copy()
    frame["code"] = frame["code"].astype(str)
    frame["period"] = frame["period"].astype(str)
    frame["status"] = frame["status"].astype(str)
    # A package has a few dozen distinct periods: parse each once, not once per row.
    periods = frame["period"].unique()
    frame["end"] = frame["period"].map({p: period_end(p) for p in periods})
    if as_of is not None:
        frame = frame[frame["end"] <= as_of]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    frame["rank"] = frame["period"].map(
        {p: FREQUENCY_ORDER.index(schema.period_frequency(p) or "annual") for p in periods})
    # Latest end first; on the same end date prefer the annual value (commitments are stated yearly).
    frame = frame.sort_values(["code", "end", "rank"], ascending=[True, False, True])
    return frame.drop_duplicates("code")[cols].set_index("code", drop=False)


def evaluate_commitments(service, as_of_year: int | None = None, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Every commitment with its current value, progress, elapsed time and status.

    ``as_of_year`` limits the observations to periods ending by 31 December of that year, to show
    the barometer as it stood then. Progress is a share (1.0 = 100 %).
    """
    commitments = service.package.commitments
    columns = ["id", "ministry", "measure", "indicator", "theme", "kind", "unit", "decimals", "polarity",
               "scope_level", "scope_code", "scope_name", "baseline_date", "baseline_value", "target_date",
               "target_value", "current_period", "current_value", "current_status", "progress", "elapsed",
               "status"]
    if commitments.empty:
        return pd.DataFrame(columns=columns)
    as_of = date(int(as_of_year), 12, 31) if as_of_year else None
    rows = []
    for (indicator, level), group in commitments.groupby(["indicator", "scope_level"], sort=False):
        meta = service.indicator(indicator) if service.has_indicator(indicator) else {}
        latest = latest_values(service.observations_for(indicator, level), as_of)
        latest = dict(zip(latest["code"], latest.to_dict("records"), strict=True))
        polarity = meta.get("polarity", "neutral")
        names = territory_names(service, level)
        for row in group.itertuples(index=False):
            code = str(row.scope_code)
            baseline_date = parse_date(row.baseline_date)
            target_date = parse_date(row.target_date)
            target_value = None if _missing(row.target_value) else float(row.target_value)
            has_target = target_value is not None and target_date is not None
            current = latest.get(code)
            current_value = float(current["value"]) if current is not None else None
            current_date = current["end"] if current is not None else None
            share = progress(float(row.baseline_value), current_value, target_value, polarity) if has_target \
                else None
            if current_date is not None and current_date <= baseline_date:
                share = None  # nothing measured since the baseline
            rows.append({
                "id": row.id, "ministry": row.ministry, "measure": row.measure, "indicator": indicator,
                "theme": meta.get("theme"), "kind": meta.get("kind"), "unit": meta.get("unit", ""),
                "decimals": int(meta.get("decimals", 1)), "polarity": polarity,
                "scope_level": level, "scope_code": code,
                "scope_name": names.get(code, code),
                "baseline_date": str(row.baseline_date), "baseline_value": float(row.baseline_value),
                "target_date": str(row.target_date) if target_date else None, "target_value": target_value,
                "current_period": current["period"] if current is not None else None,
                "current_value": current_value,
                "current_status": current["status"] if current is not None else None,
                "progress": share,
                "elapsed": elapsed_share(baseline_date, target_date, current_date)
                if (target_date and current_date) else None,
                "status": status(has_target=has_target, progress_share=share, current_date=current_date,
                                 baseline_date=baseline_date, target_date=target_date, tolerance=tolerance),
            })
    return pd.DataFrame(rows, columns=columns)


# ----------------------------------------------------------------- territory


def territory_names(service, level: str) -> dict[str, str]:
    """``code -> name`` for every territory of a level."""
    terr = service.package.territories
    rows = terr[terr["level"] == level]
    return dict(zip(rows["code"].astype(str), rows["name"].astype(str), strict=True))


def ancestors(service, level: str, code: str) -> list[tuple[str, str]]:
    """The territory and its parents, finest first, down to France: [(level, code), …]."""
    row = service.territory(level, code)
    chain = [(level, code)]
    if row is None:
        return chain
    for parent in ("commune", "epci", "contrat_de_ville", "departement", "region"):
        if schema.LEVELS.index(parent) <= schema.LEVELS.index(level):
            continue
        value = row.get(f"{parent}_code")
        if isinstance(value, str) and value and service.is_known(parent, value):
            chain.append((parent, value))
    if level != "france":
        chain += [("france", c) for c in service.codes("france")]
    return chain


def within(service, scope_level: str, scope_code: str, level: str, code: str) -> bool:
    """Is territory (scope_level, scope_code) the territory (level, code) or inside it?"""
    return (level, code) in ancestors(service, scope_level, scope_code)


def filter_commitments(evaluated: pd.DataFrame, service, *, ministry: str | None = None, theme: str | None = None,
                       territory: tuple[str, str] | None = None, scope_level: str | None = None) -> pd.DataFrame:
    frame = evaluated
    if ministry:
        frame = frame[frame["ministry"] == ministry]
    if theme:
        frame = frame[frame["theme"] == theme]
    if scope_level:
        frame = frame[frame["scope_level"] == scope_level]
    if territory and territory[0] != "france":
        level, code = territory
        pairs = frame[["scope_level", "scope_code"]].drop_duplicates()
        keep = {(lvl, c) for lvl, c in pairs.itertuples(index=False) if within(service, lvl, c, level, code)}
        mask = [(lvl, c) in keep for lvl, c in zip(frame["scope_level"], frame["scope_code"], strict=True)]
        frame = frame[np.array(mask, dtype=bool)] if len(frame) else frame
    return frame.reset_index(drop=True)


def status_counts(evaluated: pd.DataFrame, by: str = "ministry") -> pd.DataFrame:
    """Number of commitments per ``by`` value and status (one column per status, in STATUSES order)."""
    if evaluated.empty:
        return pd.DataFrame(columns=[by, *STATUSES])
    counts = evaluated.groupby([by, "status"]).size().unstack(fill_value=0)
    for name in STATUSES:
        if name not in counts.columns:
            counts[name] = 0
    return counts[list(STATUSES)].reset_index()


def measures(evaluated: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """Distinct measures (ministry, indicator, measure) that have commitments at one of ``levels``."""
    frame = evaluated[evaluated["scope_level"].isin(levels)]
    out = frame.drop_duplicates(["ministry", "indicator"])[["ministry", "indicator", "measure", "theme"]]
    out = out.assign(key=out["ministry"] + ":" + out["indicator"])
    return out.reset_index(drop=True)


def progress_by_territory(evaluated: pd.DataFrame, measure_key: str, level: str) -> pd.DataFrame:
    ministry, _, indicator = measure_key.partition(":")
    frame = evaluated[(evaluated["ministry"] == ministry) & (evaluated["indicator"] == indicator)
                      & (evaluated["scope_level"] == level)]
    return frame.reset_index(drop=True)


# Progress classes for the map, with their colour (sequential blues, orange for regress).
PROGRESS_CLASSES = (
    (-math.inf, 0.0, "Recul (< 0 %)", "#D55E00"),
    (0.0, 0.5, "0 à 50 %", "#C6DBEF"),
    (0.5, 1.0, "50 à 100 %", "#6BAED6"),
    (1.0, math.inf, "Cible atteinte (≥ 100 %)", "#08519C"),
)
NO_PROGRESS_COLOUR = "#E0E0E0"


def progress_class(share: float | None) -> tuple[str, str]:
    """(label, colour) of a progress share for the map legend."""
    if share is None or _missing(share):
        return "Sans cible ou sans mesure", NO_PROGRESS_COLOUR
    for low, high, label, colour in PROGRESS_CLASSES:
        if low <= share < high:
            return label, colour
    return PROGRESS_CLASSES[-1][2], PROGRESS_CLASSES[-1][3]


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
    if first is None or last is None or _missing(first) or _missing(last):
        return "–"
    change = last - first
    if abs(change) < 1e-9:
        return "stable"
    if polarity == "neutral":
        return "hausse" if change > 0 else "baisse"
    better = change > 0 if polarity == "higher_is_better" else change < 0
    return "amélioration" if better else "dégradation"


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
        rows.append({"indicator": meta.id, "label": meta.label_fr, "ministry": meta.ministry, "theme": meta.theme,
                     "kind": meta.kind, "unit": meta.unit, "decimals": int(meta.decimals), "polarity": meta.polarity,
                     "first_year": first_year, "first_value": first, "last_year": last_year, "last_value": last,
                     "change": last - first, "trend": trend(first, last, meta.polarity), "source": meta.source,
                     "vintage": meta.vintage})
    return pd.DataFrame(rows, columns=["indicator", "label", "ministry", "theme", "kind", "unit", "decimals",
                                       "polarity", "first_year", "first_value", "last_year", "last_value",
                                       "change", "trend", "source", "vintage"])


# ------------------------------------------------------------- beneficiaries


def coverage(beneficiaries, eligible) -> float | None:
    """Beneficiaries ÷ eligible population (a share), or None when either is missing or eligible is 0."""
    if beneficiaries is None or eligible is None or _missing(beneficiaries) or _missing(eligible):
        return None
    eligible = float(eligible)
    if eligible <= 0:
        return None
    return float(beneficiaries) / eligible


def coverage_table(service, level: str, code: str, *, ministry: str | None = None, theme: str | None = None,
                   years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Per indicator that counts beneficiaries at this territory: each period's beneficiaries, eligible, coverage."""
    catalogue = service.indicators
    if ministry:
        catalogue = catalogue[catalogue["ministry"] == ministry]
    if theme:
        catalogue = catalogue[catalogue["theme"] == theme]
    parts = []
    for meta in catalogue.itertuples(index=False):
        serie = service.series(level, code, meta.id)
        serie = serie[serie["beneficiaries"].notna() | serie["eligible"].notna()]
        if years and not serie.empty:
            year = serie["period"].str[:4].astype(int)
            serie = serie[(year >= years[0]) & (year <= years[1])]
        if serie.empty:
            continue
        parts.append(serie.assign(indicator=meta.id, label=meta.label_fr, ministry=meta.ministry,
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



# --------------------------------------------------------------- URL state

FREQUENCY_URL = {"annual": "annuelle", "quarterly": "trimestrielle", "monthly": "mensuelle"}
FREQUENCY_FROM_URL = {v: k for k, v in FREQUENCY_URL.items()}
BAROMETER_LEVELS = ("france", "region", "departement", "contrat_de_ville", "epci", "commune", "qpv")


def parse_territory(value: str | None) -> tuple[str, str] | None:
    if not value or ":" not in str(value):
        return None
    level, _, code = str(value).partition(":")
    return level, code


def parse_query(search: str | None) -> dict[str, str]:
    """``'?ministere=culture&debut=2018'`` → ``{'ministere': 'culture', 'debut': '2018'}`` (last value wins)."""
    return dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=False))


def to_query(params: dict) -> str:
    """The inverse of :func:`parse_query`, skipping empty values; keeps a stable key order."""
    items = [(k, v) for k, v in params.items() if v not in (None, "", [])]
    return "?" + urlencode(items, safe=":,") if items else ""


def int_or(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def barometer_state(service, search: str | None) -> dict:
    """The page state from the query string, every value checked against the package (unknown → default)."""
    query = parse_query(search)
    years = package_years(service) or [date.today().year]
    ministry = query.get("ministere") if query.get("ministere") in schema.MINISTRIES else None
    theme = query.get("theme") if query.get("theme") in schema.THEMES else None
    territory = parse_territory(query.get("territoire"))
    if territory is None or not service.is_known(*territory):
        france = service.codes("france")
        territory = ("france", france[0]) if france else None
    start = int_or(query.get("debut"), years[0])
    end = int_or(query.get("fin"), years[-1])
    start = min(max(start, years[0]), years[-1])
    end = min(max(end, years[0]), years[-1])
    if start > end:
        start, end = end, start
    return {
        "ministry": ministry,
        "theme": theme,
        "territory": f"{territory[0]}:{territory[1]}" if territory else None,
        "start": start,
        "end": end,
        "indicator": query.get("indicateur") if service.has_indicator(query.get("indicateur", "")) else None,
        "frequency": FREQUENCY_FROM_URL.get(query.get("frequence", "")),
        "scope": query.get("echelle") if query.get("echelle") in (*schema.LEVELS, "toutes") else None,
        "measure": query.get("engagement") or None,
    }


def barometer_query(state: dict, years: list[int]) -> str:
    """The query string for a state; defaults are left out so that URLs stay short."""
    return to_query({
        "ministere": state.get("ministry"),
        "theme": state.get("theme"),
        "territoire": state.get("territory") if state.get("territory") and not str(state["territory"]).startswith(
            "france:") else None,
        "debut": state.get("start") if years and state.get("start") not in (None, years[0]) else None,
        "fin": state.get("end") if years and state.get("end") not in (None, years[-1]) else None,
        "indicateur": state.get("indicator"),
        "frequence": FREQUENCY_URL.get(state.get("frequency") or "") if state.get("frequency") != "annual" else None,
        "echelle": state.get("scope"),
        "engagement": state.get("measure"),
    })


def indicator_choices(service, ministry: str | None = None, theme: str | None = None) -> pd.DataFrame:
    """Ministry indicators (result first, then means) matching the filters."""
    frame = service.indicators
    frame = frame[frame["ministry"].notna() & frame["kind"].isin(["result", "means"])]
    if ministry:
        frame = frame[frame["ministry"] == ministry]
    if theme:
        frame = frame[frame["theme"] == theme]
    order = frame["kind"].map({"result": 0, "means": 1})
    return frame.assign(_order=order).sort_values(["_order", "ministry", "label_fr"]).drop(columns="_order")


def barometer_levels(service) -> list[str]:
    """Levels where at least one ministry indicator has observations (the territory choices)."""
    ids = list(service.indicators[service.indicators["ministry"].notna()]["id"])
    present = []
    for level in BAROMETER_LEVELS:
        if any(len(service.observations_for(i, level)) for i in ids):
            present.append(level)
    return present


def map_level(service, evaluated: pd.DataFrame) -> str | None:
    """The drawable level with the most commitments (départements in practice)."""
    drawable = [lvl for lvl in ("departement", "region", "epci", "commune", "qpv") if lvl in service.package.geometry]
    counts = evaluated["scope_level"].value_counts()
    ranked = sorted((lvl for lvl in drawable if counts.get(lvl, 0)), key=lambda lvl: -counts.get(lvl, 0))
    return ranked[0] if ranked else None
