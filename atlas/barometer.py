"""The barometer of public action: commitments' progress and status, result series, beneficiaries.

Pure pandas over an :class:`~atlas.service.AtlasService` (no Dash). The rules are documented in
``docs/barometer.md``; every function works on whatever levels and periods the package holds.
"""

from __future__ import annotations

import calendar
import functools
import math
from datetime import date

import numpy as np
import pandas as pd

from atlas import schema
from atlas.i18n import N_, _
from atlas.places import france_codes_of

# ------------------------------------------------------------------ statuses

ACHIEVED = "achieved"
ON_TRACK = "on_track"
LATE = "late"
NO_TARGET = "no_target"
NO_DATA = "no_data"
STATUSES = (ACHIEVED, ON_TRACK, LATE, NO_TARGET, NO_DATA)
STATUS_LABELS_FR = {  # French source: status_label() gives them in the visitor's language
    ACHIEVED: N_("Cible atteinte"),
    ON_TRACK: N_("En bonne voie"),
    LATE: N_("En retard"),
    NO_TARGET: N_("Sans cible"),
    NO_DATA: N_("Sans mesure récente"),
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

FREQUENCY_LABELS_FR = {"annual": N_("Annuelle"), "quarterly": N_("Trimestrielle"), "monthly": N_("Mensuelle")}
FREQUENCY_ORDER = ("annual", "quarterly", "monthly")
KIND_LABELS_FR = {"result": N_("Résultat"), "means": N_("Moyens"), "context": N_("Contexte"),
                  "category": N_("Typologie")}


def status_label(status: str) -> str:
    return _(STATUS_LABELS_FR.get(status, status))


def frequency_label(frequency: str) -> str:
    return _(FREQUENCY_LABELS_FR.get(frequency, frequency))


def kind_label(kind: str) -> str:
    return _(KIND_LABELS_FR.get(kind, kind))


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
    if current is None or target is None or is_missing(current) or is_missing(target) or is_missing(baseline):
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


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


# -------------------------------------------------------------- observations


def latest_values(obs: pd.DataFrame, as_of: date | None = None, keys: tuple[str, ...] = ("code",)) -> pd.DataFrame:
    """Per ``keys`` (the code, by default), the latest observation with a value (by period end, annual first
    on ties).

    Returns columns ``*keys``, period, value, status, end (a ``date``); indexed by code when keyed by code.
    """
    cols = [*keys, "period", "value", "status", "end"]
    if obs.empty:
        return pd.DataFrame(columns=cols)
    frame = obs[obs["value"].notna()][[*keys, "period", "value", "status"]]
    # A package has a few dozen distinct periods: parse each once, not once per row.
    period = pd.Categorical(frame["period"].astype(str))
    ends = np.array([period_end(p) for p in period.categories] + [None], dtype=object)
    ranks = np.array([FREQUENCY_ORDER.index(schema.period_frequency(p) or "annual") for p in period.categories] + [0])
    frame = frame.assign(period=np.asarray(period.categories, dtype=object)[period.codes], end=ends[period.codes],
                         rank=ranks[period.codes])
    if as_of is not None:
        frame = frame[frame["end"] <= as_of]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    for column in (*keys, "status"):
        frame[column] = frame[column].astype(str)
    # Latest end first; on the same end date prefer the annual value (commitments are stated yearly).
    frame = frame.sort_values([*keys, "end", "rank"], ascending=[*(True,) * len(keys), False, True])
    latest = frame.drop_duplicates(list(keys))[cols]
    return latest.set_index("code", drop=False) if keys == ("code",) else latest.reset_index(drop=True)


COMMITMENT_COLUMNS = ["id", "ministry", "measure", "indicator", "theme", "kind", "unit", "decimals", "polarity",
                      "scope_level", "scope_code", "scope_name", "baseline_date", "baseline_value", "target_date",
                      "target_value", "frequency", "current_period", "current_value", "current_status", "progress",
                      "elapsed", "status"]


def evaluate_commitments(service, as_of_year: int | None = None, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Every commitment with its current value, progress, elapsed time and status.

    ``as_of_year`` limits the observations to periods ending by 31 December of that year, to show
    the barometer as it stood then. Progress is a share (1.0 = 100 %). The latest values of every
    commitment are found in one pass over their observations (a national package has ~5,000).
    """
    commitments = service.package.commitments
    if commitments.empty:
        return pd.DataFrame(columns=COMMITMENT_COLUMNS)
    as_of = date(int(as_of_year), 12, 31) if as_of_year else None
    pairs = commitments[["indicator", "scope_level"]].astype(str).drop_duplicates()
    observed = [service.observations_for(i, lvl) for i, lvl in pairs.itertuples(index=False)]
    observed = [o for o in observed if len(o)]
    latest = latest_values(pd.concat(observed), as_of, keys=("indicator", "level", "code")) if observed else \
        pd.DataFrame(columns=["indicator", "level", "code", "period", "value", "status", "end"])
    current_of = {(i, lvl, c): (p, v, st, e) for i, lvl, c, p, v, st, e in latest.itertuples(index=False)}
    metas = {i: (service.indicator(i) if service.has_indicator(i) else {}) for i in pairs["indicator"].unique()}
    names = {lvl: territory_names(service, lvl) for lvl in pairs["scope_level"].unique()}
    dates: dict = {}

    def day(text):
        if text not in dates:
            dates[text] = parse_date(text)
        return dates[text]

    rows = []
    for row in commitments.itertuples(index=False):
        indicator, level, code = str(row.indicator), str(row.scope_level), str(row.scope_code)
        meta = metas[indicator]
        polarity = meta.get("polarity", "neutral")
        baseline_date, target_date = day(row.baseline_date), day(row.target_date)
        target_value = None if is_missing(row.target_value) else float(row.target_value)
        has_target = target_value is not None and target_date is not None
        period, current_value, current_status, current_date = current_of.get((indicator, level, code),
                                                                             (None, None, None, None))
        current_value = None if current_value is None else float(current_value)
        share = progress(float(row.baseline_value), current_value, target_value, polarity) if has_target else None
        if current_date is not None and current_date <= baseline_date:
            share = None  # nothing measured since the baseline
        rows.append({
            "id": row.id, "ministry": row.ministry, "measure": row.measure, "indicator": indicator,
            "theme": meta.get("theme"), "kind": meta.get("kind"), "unit": meta.get("unit", ""),
            "decimals": int(meta.get("decimals", 1)), "polarity": polarity,
            "scope_level": level, "scope_code": code, "scope_name": names[level].get(code, code),
            "baseline_date": str(row.baseline_date), "baseline_value": float(row.baseline_value),
            "target_date": str(row.target_date) if target_date else None, "target_value": target_value,
            "frequency": (schema.period_frequency(period) or "annual") if period else "annual",
            "current_period": period, "current_value": current_value, "current_status": current_status,
            "progress": share,
            "elapsed": elapsed_share(baseline_date, target_date, current_date)
            if (target_date and current_date) else None,
            "status": status(has_target=has_target, progress_share=share, current_date=current_date,
                             baseline_date=baseline_date, target_date=target_date, tolerance=tolerance),
        })
    return pd.DataFrame(rows, columns=COMMITMENT_COLUMNS)


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
    if level != "france":  # France métropolitaine contains no overseas territory
        chain += [("france", c) for c in france_codes_of(service, {**row, "level": level, "code": code})]
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
    ministry, _sep, indicator = measure_key.partition(":")
    frame = evaluated[(evaluated["ministry"] == ministry) & (evaluated["indicator"] == indicator)
                      & (evaluated["scope_level"] == level)]
    return frame.reset_index(drop=True)


# Progress classes for the map, with their colour (sequential blues, orange for regress).
PROGRESS_CLASSES = (
    (-math.inf, 0.0, N_("Recul (< 0 %)"), "#D55E00"),
    (0.0, 0.5, N_("0 à 50 %"), "#C6DBEF"),
    (0.5, 1.0, N_("50 à 100 %"), "#6BAED6"),
    (1.0, math.inf, N_("Cible atteinte (≥ 100 %)"), "#08519C"),
)
NO_PROGRESS_COLOUR = "#E0E0E0"


def progress_class(share: float | None) -> tuple[str, str]:
    """(label, colour) of a progress share for the map legend (the label in the visitor's language)."""
    if share is None or is_missing(share):
        return _("Sans cible ou sans mesure"), NO_PROGRESS_COLOUR
    for low, high, label, colour in PROGRESS_CLASSES:
        if low <= share < high:
            return _(label), colour
    return _(PROGRESS_CLASSES[-1][2]), PROGRESS_CLASSES[-1][3]
