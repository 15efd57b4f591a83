"""/barometre's CSV downloads: the same validated filters as the page, in both CSV forms (atlas/csvexport.py)."""

from __future__ import annotations

from dash import State

from atlas import barometer as bar
from atlas import barometer_state as st
from atlas.csvexport import CsvTable, indicator_decimals
from atlas.schema import MINISTRIES
from callbacks import csv_download
from callbacks.barometer import commitments_view, coverage_view, filters_of, map_view, package_token, series_view
from callbacks.state import service
from layouts.charts import slug


def _decimals() -> dict[str, int]:
    return indicator_decimals(service().indicators)


def commitments_frame(filters: st.BarometerFilters):
    frame = commitments_view(package_token(), filters.ministry, filters.theme, filters.territory_value, filters.end,
                             filters.scope)
    out = frame.drop(columns=["kind", "decimals"]).copy()
    out["status_label"] = out["status"].map(bar.STATUS_LABELS_FR)
    return out


def commitments_csv(ministry, theme, territory, end, scope) -> CsvTable:
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, end=end, scope=scope)
    return CsvTable(commitments_frame(filters), "engagements-barometre", decimals=_decimals())


def status_csv(ministry, theme, territory, end, scope) -> CsvTable:
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, end=end, scope=scope)
    counts = bar.status_counts(commitments_view(package_token(), filters.ministry, filters.theme,
                                                filters.territory_value, filters.end, filters.scope))
    counts.insert(1, "ministry_label", counts["ministry"].map(MINISTRIES))
    return CsvTable(counts, "engagements-par-ministere")


def map_csv(measure, end) -> CsvTable | None:
    filters = filters_of(measure=measure, end=end)
    if not filters.measure:
        return None
    frame = map_view(package_token(), filters.measure, filters.end)
    return CsvTable(frame.drop(columns=["kind", "decimals"]), f"avancement-{slug(filters.measure)}",
                    decimals=_decimals())


def series_csv(indicator, territory, start, end, frequency) -> CsvTable | None:
    filters = filters_of(indicator=indicator, territory=territory, start=start, end=end, frequency=frequency)
    if not filters.indicator:
        return None
    frame = series_view(package_token(), filters.indicator, filters.territory_value, filters.start, filters.end)
    if filters.frequency:
        frame = frame[frame["frequency"] == filters.frequency]
    return CsvTable(frame.assign(indicator=filters.indicator), f"serie-{slug(filters.indicator)}",
                    decimals=_decimals())


def coverage_csv(ministry, theme, territory, start, end) -> CsvTable:
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, start=start, end=end)
    frame = coverage_view(package_token(), filters.territory_value, filters.ministry, filters.theme, filters.start,
                          filters.end)
    return CsvTable(frame, "couverture-dispositifs")


def _states(*names: str) -> list[State]:
    return [State(f"baro-{name}", "value") for name in names]


csv_download.register("baro-commitments-download", _states("ministry", "theme", "territory", "end", "scope"),
                      commitments_csv)
csv_download.register("baro-status-download", _states("ministry", "theme", "territory", "end", "scope"), status_csv)
csv_download.register("baro-map-download", _states("measure", "end"), map_csv)
csv_download.register("baro-series-download", _states("indicator", "territory", "start", "end", "frequency"),
                      series_csv)
csv_download.register("baro-coverage-download", _states("ministry", "theme", "territory", "start", "end"),
                      coverage_csv)
