"""/barometre's CSV downloads: the same validated filters as the page, formula cells neutralised."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, callback, dcc, no_update

from atlas import barometer as bar
from atlas import barometer_state as st
from atlas.schema import MINISTRIES
from callbacks.barometer import commitments_view, coverage_view, filters_of, map_view, package_token, series_view
from layouts.charts import csv_bytes, slug


def send_csv(frame: pd.DataFrame, filename: str) -> dict:
    """A CSV download whose text cells cannot run as spreadsheet formulas."""
    return dcc.send_bytes(csv_bytes(frame), filename)  # csv_bytes neutralises formula cells


def commitments_csv(filters: st.BarometerFilters) -> pd.DataFrame:
    frame = commitments_view(package_token(), filters.ministry, filters.theme, filters.territory_value, filters.end,
                             filters.scope)
    out = frame.drop(columns=["kind", "decimals"]).copy()
    out["status_fr"] = out["status"].map(bar.STATUS_LABELS_FR)
    return out


@callback(Output("baro-commitments-download", "data"), Input("baro-commitments-download-button", "n_clicks"),
          State("baro-ministry", "value"), State("baro-theme", "value"), State("baro-territory", "value"),
          State("baro-end", "value"), State("baro-scope", "value"), prevent_initial_call=True)
def download_commitments(n_clicks, ministry, theme, territory, end, scope):
    if not n_clicks:
        return no_update
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, end=end, scope=scope)
    return send_csv(commitments_csv(filters), "engagements-barometre.csv")


@callback(Output("baro-status-download", "data"), Input("baro-status-download-button", "n_clicks"),
          State("baro-ministry", "value"), State("baro-theme", "value"), State("baro-territory", "value"),
          State("baro-end", "value"), State("baro-scope", "value"), prevent_initial_call=True)
def download_status(n_clicks, ministry, theme, territory, end, scope):
    if not n_clicks:
        return no_update
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, end=end, scope=scope)
    counts = bar.status_counts(commitments_view(package_token(), filters.ministry, filters.theme,
                                                filters.territory_value, filters.end, filters.scope))
    counts.insert(1, "ministry_fr", counts["ministry"].map(MINISTRIES))
    return send_csv(counts, "engagements-par-ministere.csv")


@callback(Output("baro-map-download", "data"), Input("baro-map-download-button", "n_clicks"),
          State("baro-measure", "value"), State("baro-end", "value"), prevent_initial_call=True)
def download_map(n_clicks, measure, end):
    filters = filters_of(measure=measure, end=end)
    if not n_clicks or not filters.measure:
        return no_update
    frame = map_view(package_token(), filters.measure, filters.end)
    return send_csv(frame.drop(columns=["kind", "decimals"]), f"avancement-{slug(filters.measure)}.csv")


@callback(Output("baro-series-download", "data"), Input("baro-series-download-button", "n_clicks"),
          State("baro-indicator", "value"), State("baro-territory", "value"), State("baro-start", "value"),
          State("baro-end", "value"), State("baro-frequency", "value"), prevent_initial_call=True)
def download_series(n_clicks, indicator, territory, start, end, frequency):
    filters = filters_of(indicator=indicator, territory=territory, start=start, end=end, frequency=frequency)
    if not n_clicks or not filters.indicator:
        return no_update
    frame = series_view(package_token(), filters.indicator, filters.territory_value, filters.start, filters.end)
    if filters.frequency:
        frame = frame[frame["frequency"] == filters.frequency]
    return send_csv(frame.assign(indicator=filters.indicator), f"serie-{slug(filters.indicator)}.csv")


@callback(Output("baro-coverage-download", "data"), Input("baro-coverage-download-button", "n_clicks"),
          State("baro-ministry", "value"), State("baro-theme", "value"), State("baro-territory", "value"),
          State("baro-start", "value"), State("baro-end", "value"), prevent_initial_call=True)
def download_coverage(n_clicks, ministry, theme, territory, start, end):
    if not n_clicks:
        return no_update
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, start=start, end=end)
    frame = coverage_view(package_token(), filters.territory_value, filters.ministry, filters.theme, filters.start,
                          filters.end)
    return send_csv(frame, "couverture-dispositifs.csv")

