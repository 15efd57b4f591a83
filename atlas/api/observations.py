"""Observations of the read API: one indicator's values, filtered by level, territory, period and status.

The observation table is sorted once per service by (indicator, level, code, period), so that every
indicator × level is a contiguous slice and a territory's rows inside it are found by binary search:
a request touches only the rows it can return, whatever the size of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from atlas import schema
from atlas.barometer import period_end, period_start
from atlas.service import per_package

OBSERVATION_COLUMNS = ("level", "code", "name", "indicator", "period", "value", "status", "beneficiaries",
                       "eligible")


def _lexical_ranks(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's rank in the sorted distinct texts of ``column``, and those texts."""
    if isinstance(column.dtype, pd.CategoricalDtype):  # rank the few categories, not the many rows
        texts = np.asarray([str(c) for c in column.cat.categories], dtype=object)
        order = np.argsort(texts, kind="stable")
        rank_of_category = np.empty(len(texts), dtype=np.int32)
        rank_of_category[order] = np.arange(len(texts), dtype=np.int32)
        return rank_of_category[column.cat.codes.to_numpy()], texts[order]
    ranks, texts = pd.factorize(column.astype(str), sort=True)
    return ranks.astype(np.int32), np.asarray(texts, dtype=object)


def _texts(column: pd.Series) -> np.ndarray:
    ranks, texts = _lexical_ranks(column)
    return texts[ranks]


@dataclass(frozen=True)
class SortedObservations:
    order: np.ndarray  # row positions in the package's table, sorted by (indicator, level, code, period)
    code_rank: np.ndarray  # in sorted order
    period_rank: np.ndarray
    status: np.ndarray  # in sorted order, as text
    codes: dict[str, int]  # code text -> rank
    periods: np.ndarray  # rank -> period text
    slices: dict[tuple[str, str], tuple[int, int]]  # (indicator, level) -> [start, stop)


@per_package(maxsize=2)
def sorted_observations(service) -> SortedObservations:
    obs = service.package.observations
    indicator_rank, indicators = _lexical_ranks(obs["indicator"])
    level_ids, level_texts = _lexical_ranks(obs["level"])
    ordered = service.level_order  # built-in levels and those the package declares, finest first
    level_rank = np.asarray([ordered.index(t) for t in level_texts], dtype=np.int32)[level_ids]
    code_rank, codes = _lexical_ranks(obs["code"])
    period_rank, periods = _lexical_ranks(obs["period"])
    order = np.lexsort((period_rank, code_rank, level_rank, indicator_rank))
    ind_sorted, lvl_sorted = indicator_rank[order], level_rank[order]
    boundaries = np.flatnonzero((np.diff(ind_sorted) != 0) | (np.diff(lvl_sorted) != 0)) + 1
    starts = np.concatenate([[0], boundaries]) if len(order) else np.array([], dtype=int)
    stops = np.concatenate([boundaries, [len(order)]]) if len(order) else np.array([], dtype=int)
    slices = {(str(indicators[ind_sorted[a]]), ordered[lvl_sorted[a]]): (int(a), int(b))
              for a, b in zip(starts, stops, strict=True)}
    return SortedObservations(order=order, code_rank=code_rank[order], period_rank=period_rank[order],
                              status=_texts(obs["status"])[order],
                              codes={str(c): i for i, c in enumerate(codes)}, periods=periods, slices=slices)


def observation_groups(service) -> dict[tuple[str, str], np.ndarray]:
    """``(indicator, level) -> row positions`` in the package's observation table."""
    table = sorted_observations(service)
    return {key: table.order[a:b] for key, (a, b) in table.slices.items()}


@per_package(maxsize=4)
def territory_names(service) -> dict[tuple[str, str], str]:
    terr = service.package.territories
    return dict(zip(zip(terr["level"].astype(str), terr["code"].astype(str), strict=True),
                    terr["name"].astype(str), strict=True))


def periods_between(periods: np.ndarray, start: str | None, end: str | None, frequency: str | None) -> np.ndarray:
    """Ranks of the periods lying inside ``[start of start, end of end]`` with the given frequency."""
    low = period_start(start) if start else date.min
    high = period_end(end) if end else date.max
    keep = [i for i, p in enumerate(periods)
            if (frequency is None or schema.period_frequency(p) == frequency)
            and schema.period_frequency(p) is not None and low <= period_start(p) and period_end(p) <= high]
    return np.asarray(keep, dtype=np.int32)


def select_observations(service, *, indicator: str, level: str | None, code: str | None, start: str | None,
                        end: str | None, frequency: str | None, status: str | None, limit: int,
                        offset: int) -> tuple[pd.DataFrame, int]:
    """One page of an indicator's observations in (level, code, period) order, and the number matching."""
    table = sorted_observations(service)
    levels = [level] if level else [lvl for lvl in service.level_order if (indicator, lvl) in table.slices]
    spans = []
    for lvl in levels:
        if (indicator, lvl) not in table.slices:
            continue
        a, b = table.slices[(indicator, lvl)]
        if code is not None:
            rank = table.codes.get(code)
            if rank is None:
                continue
            first = a + int(np.searchsorted(table.code_rank[a:b], rank, side="left"))
            last = a + int(np.searchsorted(table.code_rank[a:b], rank, side="right"))
            a, b = first, last
        spans.append((a, b))
    positions = np.concatenate([np.arange(a, b) for a, b in spans]) if spans else np.array([], dtype=np.int64)
    if start or end or frequency:
        positions = positions[np.isin(table.period_rank[positions],
                                      periods_between(table.periods, start, end, frequency))]
    if status:
        positions = positions[table.status[positions] == status]
    chosen = positions[offset:offset + limit]
    rows = service.package.observations.iloc[table.order[chosen]]
    return observation_frame(service, rows, indicator), len(positions)


def observation_frame(service, rows: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Observation rows with territory names, in the API's columns (built column by column)."""
    levels = rows["level"].astype(str).tolist()
    codes = rows["code"].astype(str).tolist()
    names = territory_names(service)
    return pd.DataFrame({
        "level": levels, "code": codes, "name": [names.get(key) for key in zip(levels, codes, strict=True)],
        "indicator": indicator, "period": rows["period"].astype(str).to_numpy(dtype=object),
        "value": rows["value"].astype(float).to_numpy(), "status": rows["status"].astype(str).to_numpy(dtype=object),
        "beneficiaries": rows["beneficiaries"].astype("Int64").to_numpy(),
        "eligible": rows["eligible"].astype("Int64").to_numpy(),
    }, columns=list(OBSERVATION_COLUMNS))
