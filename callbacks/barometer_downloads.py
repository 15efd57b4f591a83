"""/barometre's CSV downloads: the same validated filters as the page, formula cells neutralised.

Each download is one button ``baro-<name>-download-button`` and one ``dcc.Download`` ``baro-<name>-download``; its
filters are read from the page's controls ``baro-<field>`` and validated like the page's (``filters_of``).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from dash import Input, Output, State, callback, dcc, no_update

from atlas import barometer as bar
from atlas import barometer_state as st
from atlas.schema import MINISTRIES
from callbacks.barometer import commitments_view, coverage_view, filters_of, map_view, package_token, series_view
from layouts.charts import csv_bytes, slug

CsvFile = tuple[pd.DataFrame, str]  # the table and its file name


def send_csv(frame: pd.DataFrame, filename: str) -> dict:
    """A CSV download whose text cells cannot run as spreadsheet formulas."""
    return dcc.send_bytes(csv_bytes(frame), filename)  # csv_bytes neutralises formula cells


def csv_download(name: str, fields: tuple[str, ...], build: Callable[[st.BarometerFilters], CsvFile | None]):
    """Register the download ``name``: on a click, ``build`` the file from the validated ``fields`` (None: nothing
    to send). The returned function is the callback, callable as ``download(n_clicks, *values of fields)``."""

    @callback(Output(f"baro-{name}-download", "data"), Input(f"baro-{name}-download-button", "n_clicks"),
              *(State(f"baro-{field}", "value") for field in fields), prevent_initial_call=True)
    def download(n_clicks, *values):
        if not n_clicks:
            return no_update
        made = build(filters_of(**dict(zip(fields, values, strict=True))))
        return no_update if made is None else send_csv(*made)

    return download


def commitments_csv(filters: st.BarometerFilters) -> pd.DataFrame:
    frame = commitments_view(package_token(), filters.ministry, filters.theme, filters.territory_value, filters.end,
                             filters.scope)
    out = frame.drop(columns=["kind", "decimals"]).copy()
    out["status_fr"] = out["status"].map(bar.STATUS_LABELS_FR)
    return out


def status_csv(filters: st.BarometerFilters) -> CsvFile:
    counts = bar.status_counts(commitments_view(package_token(), filters.ministry, filters.theme,
                                                filters.territory_value, filters.end, filters.scope))
    counts.insert(1, "ministry_fr", counts["ministry"].map(MINISTRIES))
    return counts, "engagements-par-ministere.csv"


def map_csv(filters: st.BarometerFilters) -> CsvFile | None:
    if not filters.measure:
        return None
    frame = map_view(package_token(), filters.measure, filters.end)
    return frame.drop(columns=["kind", "decimals"]), f"avancement-{slug(filters.measure)}.csv"


def series_csv(filters: st.BarometerFilters) -> CsvFile | None:
    if not filters.indicator:
        return None
    frame = series_view(package_token(), filters.indicator, filters.territory_value, filters.start, filters.end)
    if filters.frequency:
        frame = frame[frame["frequency"] == filters.frequency]
    return frame.assign(indicator=filters.indicator), f"serie-{slug(filters.indicator)}.csv"


def coverage_csv(filters: st.BarometerFilters) -> CsvFile:
    frame = coverage_view(package_token(), filters.territory_value, filters.ministry, filters.theme, filters.start,
                          filters.end)
    return frame, "couverture-dispositifs.csv"


COMMITMENT_FILTERS = ("ministry", "theme", "territory", "end", "scope")
download_commitments = csv_download("commitments", COMMITMENT_FILTERS,
                                    lambda filters: (commitments_csv(filters), "engagements-barometre.csv"))
download_status = csv_download("status", COMMITMENT_FILTERS, status_csv)
download_map = csv_download("map", ("measure", "end"), map_csv)
download_series = csv_download("series", ("indicator", "territory", "start", "end", "frequency"), series_csv)
download_coverage = csv_download("coverage", ("ministry", "theme", "territory", "start", "end"), coverage_csv)
