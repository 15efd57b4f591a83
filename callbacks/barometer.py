"""/barometre: page builder and thin callbacks (state in the URL, computations cached)."""

from __future__ import annotations

import functools
import hashlib
import json
import re

import pandas as pd
from dash import Input, Output, State, callback, dcc, no_update

from atlas import barometer as bar
from atlas.formatting import format_number
from atlas.schema import LEVEL_LABELS_FR, MINISTRIES, THEMES
from callbacks.cache import cached
from callbacks.router import register_page
from callbacks.state import service
from layouts import barometer as ui
from layouts.charts import csv_bytes, slug

FILTERS = [Input("baro-ministry", "value"), Input("baro-theme", "value"), Input("baro-territory", "value"),
           Input("baro-start", "value"), Input("baro-end", "value")]


# ------------------------------------------------------------------ helpers


def package_token() -> str:
    """Identifies the package in cache keys (shared caches may outlive a package swap)."""
    svc = service()
    return _token(id(svc), json.dumps(svc.manifest.get("files", {}), sort_keys=True))


@functools.lru_cache(maxsize=8)
def _token(_service_id: int, files: str) -> str:
    return hashlib.sha1(files.encode()).hexdigest()[:12]


def territory_of(value: str | None) -> tuple[str, str]:
    parsed = bar.parse_territory(value)
    svc = service()
    if parsed and svc.is_known(*parsed):
        return parsed
    france = svc.codes("france")
    return ("france", france[0]) if france else ("france", "FR")


def years_span(start, end) -> tuple[int, int]:
    years = bar.package_years(service())
    start = int(start) if start is not None else years[0]
    end = int(end) if end is not None else years[-1]
    return (start, end) if start <= end else (end, start)


def commitments_source() -> str:
    title = service().manifest.get("title", "jeu de données")
    return f"engagements des ministères et indicateurs — {title}"


def indicator_source(indicator: str) -> str:
    meta = service().indicator(indicator)
    return f"{meta['source']}, millésime {meta['vintage']}"


# ------------------------------------------------------------- cached data


@cached("barometre:evaluated")
def evaluated(token: str, as_of_year: int | None) -> pd.DataFrame:
    return bar.evaluate_commitments(service(), as_of_year)


@cached("barometre:commitments")
def commitments_view(token, ministry, theme, territory, as_of_year, scope) -> pd.DataFrame:
    frame = evaluated(token, as_of_year)
    return bar.filter_commitments(frame, service(), ministry=ministry, theme=theme, territory=territory_of(territory),
                                  scope_level=None if scope in (None, "", "toutes") else scope)


@cached("barometre:map")
def map_view(token, measure, as_of_year) -> tuple[pd.DataFrame, str | None]:
    frame = evaluated(token, as_of_year)
    level = bar.map_level(service(), frame)
    if not level or not measure:
        return frame.iloc[0:0], level
    return bar.progress_by_territory(frame, measure, level), level


@cached("barometre:series")
def series_view(token, indicator, territory, start, end) -> pd.DataFrame:
    level, code = territory_of(territory)
    return bar.series_chain(service(), indicator, level, code, years=(int(start), int(end)))


@cached("barometre:summary")
def summary_view(token, territory, ministry, theme, start, end) -> pd.DataFrame:
    level, code = territory_of(territory)
    return bar.indicator_summary(service(), level, code, ministry=ministry, theme=theme, years=(int(start), int(end)))


@cached("barometre:coverage")
def coverage_view(token, territory, ministry, theme, start, end) -> pd.DataFrame:
    level, code = territory_of(territory)
    return bar.coverage_table(service(), level, code, ministry=ministry, theme=theme, years=(int(start), int(end)))


@cached("barometre:options")
def static_options(token) -> dict:
    svc = service()
    used = svc.indicators[svc.indicators["ministry"].notna()]
    levels = bar.barometer_levels(svc)
    territories = []
    for level in levels:
        names = bar.territory_names(svc, level)
        prefix = "" if level in ("france",) else f"{LEVEL_LABELS_FR[level].split(' (')[0]} — "
        for code, name in sorted(names.items(), key=lambda kv: (kv[0] if level != "qpv" else kv[1])):
            label = name if level == "france" else f"{prefix}{name} ({code})"
            territories.append({"label": label, "value": f"{level}:{code}"})
    return {
        "years": bar.package_years(svc),
        "ministries": ui.option_list(MINISTRIES, [m for m in MINISTRIES if m in set(used["ministry"])]),
        "themes": ui.option_list(THEMES, [t for t in THEMES if t in set(used["theme"])]),
        "territories": territories,
    }


# ----------------------------------------------------------- option lists


def indicator_options(ministry, theme) -> list[dict]:
    choices = bar.indicator_choices(service(), ministry, theme)
    return [{"label": f"{r.label_fr} ({bar.KIND_LABELS_FR[r.kind].lower()})", "value": r.id}
            for r in choices.itertuples(index=False)]


def measure_options(token, ministry, theme, as_of_year) -> list[dict]:
    frame = evaluated(token, as_of_year)
    level = bar.map_level(service(), frame)
    if not level:
        return []
    table = bar.measures(frame, (level,))
    if ministry:
        table = table[table["ministry"] == ministry]
    if theme:
        table = table[table["theme"] == theme]
    return [{"label": f"{MINISTRIES.get(r.ministry, r.ministry)} — {r.measure}", "value": r.key}
            for r in table.itertuples(index=False)]


def scope_options(token, ministry, theme, territory, as_of_year) -> list[dict]:
    frame = commitments_view(token, ministry, theme, territory, as_of_year, None)
    levels = [lvl for lvl in ("france", "region", "departement", "contrat_de_ville", "epci", "commune", "qpv")
              if lvl in set(frame["scope_level"])]
    return [{"label": "Toutes", "value": "toutes"}] + [
        {"label": LEVEL_LABELS_FR[lvl].split(" (")[0], "value": lvl} for lvl in levels]


def pick(value, options: list[dict]):
    values = [o["value"] for o in options if not o.get("disabled")]
    return value if value in values else (values[0] if values else None)


def default_scope(options: list[dict], territory: str | None):
    level = territory_of(territory)[0]
    values = [o["value"] for o in options]
    return level if level in values else "toutes"


# ------------------------------------------------------------- renderings


def render_commitments(ministry, theme, territory, end, scope):
    token = package_token()
    frame = commitments_view(token, ministry, theme, territory, end, scope)
    labels = dict(zip(service().indicators["id"], service().indicators["label_fr"], strict=True))
    counts = bar.status_counts(frame)
    return (ui.status_summary(frame), ui.status_figure(counts, commitments_source()),
            ui.commitment_rows(frame, labels), ui.status_table(counts))


def render_map(measure, end):
    """(level, hideout of colours and tooltips, caption, table): filters send colours, never geometry."""
    token = package_token()
    frame, level = map_view(token, measure, end)
    svc = service()
    if not level or level not in svc.map_levels():
        return None, {"fills": {}, "tips": {}}, "Aucun engagement territorialisé dans ce jeu de données.", None
    ministry, _, indicator = (measure or "").partition(":")
    meta = svc.indicator(indicator) if svc.has_indicator(indicator) else {"unit": "", "decimals": 1}
    unit, decimals = meta.get("unit", ""), int(meta.get("decimals", 1))
    layer = svc.static_layer(level)
    hideout = ui.choropleth_hideout(layer.codes, frame, unit, decimals)
    if frame.empty:
        caption = "Choisissez un engagement pour afficher son avancement par territoire."
    else:
        counts = frame["status"].value_counts()
        parts = [f"{format_number(int(counts[s]), 0)} {bar.STATUS_LABELS_FR[s].lower()}" for s in bar.STATUSES
                 if counts.get(s, 0)]
        caption = (f"{frame['measure'].iloc[0]} ({MINISTRIES.get(ministry, ministry)}) — "
                   f"{LEVEL_LABELS_FR[level].split(' (')[0].lower()}s : " + ", ".join(parts)
                   + f". Évaluation au 31 décembre {end} au plus tard.")
    return level, hideout, caption, ui.map_table(frame, unit, decimals)


def render_series(indicator, territory, start, end, frequency):
    """(figure, frequency options, frequency value, table, graph config)."""
    token = package_token()
    svc = service()
    if not indicator or not svc.has_indicator(indicator):
        fig = ui.empty_figure("Choisissez un indicateur.", commitments_source())
        return fig, ui.frequency_options([]), None, None, no_update
    frame = series_view(token, indicator, territory, start, end)
    available = bar.frequencies(frame)
    frequency = frequency if frequency in available else (available[0] if available else None)
    shown = frame[frame["frequency"] == frequency] if frequency else frame
    meta = svc.indicator(indicator)
    level, code = territory_of(territory)
    commitment = None
    scoped = evaluated(token, end)
    scoped = scoped[(scoped["indicator"] == indicator) & (scoped["scope_level"] == level)
                    & (scoped["scope_code"] == code)]
    if len(scoped):
        commitment = scoped.iloc[0].to_dict()
    fig = ui.series_figure(shown, meta, commitment, indicator_source(indicator))
    config = {"displaylogo": False, "locale": "fr", "modeBarButtonsToRemove": ["lasso2d", "select2d"],
              "toImageButtonOptions": {"format": "png", "filename": slug(f"serie-{indicator}-{level}-{code}"),
                                       "scale": 2}}
    return fig, ui.frequency_options(available), frequency, ui.series_table(shown, meta), config


def render_summary(territory, ministry, theme, start, end):
    return ui.summary_table(summary_view(package_token(), territory, ministry, theme, start, end))


def render_coverage(territory, ministry, theme, start, end):
    table = coverage_view(package_token(), territory, ministry, theme, start, end)
    source = sources_text(table["source"], table["vintage"]) if len(table) else commitments_source()
    return ui.coverage_figure(table, source), ui.coverage_latest_table(bar.latest_coverage(table))


def sources_text(sources, vintages) -> str:
    """Distinct sources, and the span of years their vintages mention: « A ; B, millésimes 2015–2024 »."""
    years = sorted({int(y) for v in vintages for y in re.findall(r"(?:19|20)\d\d", str(v))})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    names = " ; ".join(sorted(set(map(str, sources))))
    return f"{names}, millésimes {span}" if span else names


# ------------------------------------------------------------------ builder


def build(svc, params: dict, search: str):
    """The page for ``/barometre?…``: filters from the URL, every section pre-rendered."""
    token = package_token()
    state = bar.barometer_state(svc, search)
    options = static_options(token)
    start, end = state["start"], state["end"]
    ministry, theme, territory = state["ministry"], state["theme"], state["territory"]

    scopes = scope_options(token, ministry, theme, territory, end)
    scope = state["scope"] if state["scope"] in [o["value"] for o in scopes] else default_scope(scopes, territory)
    summary, status_fig, rows, status_table = render_commitments(ministry, theme, territory, end, scope)
    commitments = ui.commitments_section(
        summary=summary, status_fig=ui.status_chart(status_fig, status_table),
        table_rows=rows, scope_options=scopes, scope_value=scope, source=commitments_source())

    measures = measure_options(token, ministry, theme, end)
    measure = pick(state["measure"], measures)
    level, hideout, caption, table = render_map(measure, end)
    shapes = svc.static_geojson(level) if level else {"type": "FeatureCollection", "features": []}
    map_block = ui.map_section(measure_options=measures, measure_value=measure, shapes=shapes, hideout=hideout,
                               level=level or "departement", table=table, caption=caption)

    indicators = indicator_options(ministry, theme)
    indicator = pick(state["indicator"], indicators)
    fig, freq_options, frequency, series_table, _config = render_series(indicator, territory, start, end,
                                                                        state["frequency"])
    series = ui.series_section(indicator_options=indicators, indicator_value=indicator,
                               frequency_options=freq_options, frequency_value=frequency,
                               chart=ui.series_chart(fig, series_table),
                               summary=render_summary(territory, ministry, theme, start, end))

    coverage_fig, coverage_table = render_coverage(territory, ministry, theme, start, end)
    coverage = ui.coverage_section(ui.coverage_chart(coverage_fig), coverage_table)
    return ui.page(filters_block=ui.filters(state, options), commitments=commitments, map_block=map_block,
                   series=series, coverage=coverage, illustrative=svc.illustrative)


register_page("barometre", build)


# ---------------------------------------------------------------- callbacks


@callback(Output("baro-url", "search"),
          *FILTERS, Input("baro-indicator", "value"), Input("baro-frequency", "value"), Input("baro-scope", "value"),
          Input("baro-measure", "value"), prevent_initial_call=True)
def sync_url(ministry, theme, territory, start, end, indicator, frequency, scope, measure):
    state = {"ministry": ministry, "theme": theme, "territory": territory, "start": start, "end": end,
             "indicator": indicator, "frequency": frequency, "scope": scope, "measure": measure}
    return bar.barometer_query(state, bar.package_years(service()))


@callback(Output("baro-indicator", "options"), Output("baro-indicator", "value"),
          Output("baro-measure", "options"), Output("baro-measure", "value"),
          Output("baro-scope", "options"), Output("baro-scope", "value"),
          Input("baro-ministry", "value"), Input("baro-theme", "value"), Input("baro-territory", "value"),
          Input("baro-end", "value"),
          State("baro-indicator", "value"), State("baro-measure", "value"), State("baro-scope", "value"),
          prevent_initial_call=True)
def update_choices(ministry, theme, territory, end, indicator, measure, scope):
    token = package_token()
    indicators = indicator_options(ministry, theme)
    measures = measure_options(token, ministry, theme, end)
    scopes = scope_options(token, ministry, theme, territory, end)
    scope = scope if scope in [o["value"] for o in scopes] else default_scope(scopes, territory)
    return indicators, pick(indicator, indicators), measures, pick(measure, measures), scopes, scope


@callback(Output("baro-status-summary", "children"), Output("baro-status-graph", "figure"),
          Output("baro-commitments-table", "data"), Output("baro-status-table", "children"),
          Input("baro-ministry", "value"), Input("baro-theme", "value"), Input("baro-territory", "value"),
          Input("baro-end", "value"), Input("baro-scope", "value"), prevent_initial_call=True)
def update_commitments(ministry, theme, territory, end, scope):
    return render_commitments(ministry, theme, territory, end, scope)


@callback(Output("baro-map-layer", "hideout"), Output("baro-map-caption", "children"),
          Output("baro-map-table", "children"),
          Input("baro-measure", "value"), Input("baro-end", "value"), prevent_initial_call=True)
def update_map(measure, end):
    _level, hideout, caption, table = render_map(measure, end)
    return hideout, caption, table


@callback(Output("baro-series-graph", "figure"), Output("baro-frequency", "options"),
          Output("baro-frequency", "value"), Output("baro-series-table", "children"),
          Output("baro-series-graph", "config"),
          Input("baro-indicator", "value"), Input("baro-territory", "value"), Input("baro-start", "value"),
          Input("baro-end", "value"), Input("baro-frequency", "value"), prevent_initial_call=True)
def update_series(indicator, territory, start, end, frequency):
    start, end = years_span(start, end)
    return render_series(indicator, territory, start, end, frequency)


@callback(Output("baro-summary", "children"), Output("baro-coverage-graph", "figure"),
          Output("baro-coverage-latest", "children"),
          *FILTERS, prevent_initial_call=True)
def update_territory_sections(ministry, theme, territory, start, end):
    start, end = years_span(start, end)
    return (render_summary(territory, ministry, theme, start, end),
            *render_coverage(territory, ministry, theme, start, end))


# ---------------------------------------------------------------- downloads


def commitments_csv(ministry, theme, territory, end, scope) -> pd.DataFrame:
    frame = commitments_view(package_token(), ministry, theme, territory, end, scope)
    out = frame.drop(columns=["kind", "decimals"]).copy()
    out["status_fr"] = out["status"].map(bar.STATUS_LABELS_FR)
    return out


@callback(Output("baro-commitments-download", "data"), Input("baro-commitments-download-button", "n_clicks"),
          State("baro-ministry", "value"), State("baro-theme", "value"), State("baro-territory", "value"),
          State("baro-end", "value"), State("baro-scope", "value"), prevent_initial_call=True)
def download_commitments(n_clicks, ministry, theme, territory, end, scope):
    if not n_clicks:
        return no_update
    return dcc.send_bytes(csv_bytes(commitments_csv(ministry, theme, territory, end, scope)),
                          "engagements-barometre.csv")


@callback(Output("baro-status-download", "data"), Input("baro-status-download-button", "n_clicks"),
          State("baro-ministry", "value"), State("baro-theme", "value"), State("baro-territory", "value"),
          State("baro-end", "value"), State("baro-scope", "value"), prevent_initial_call=True)
def download_status(n_clicks, ministry, theme, territory, end, scope):
    if not n_clicks:
        return no_update
    counts = bar.status_counts(commitments_view(package_token(), ministry, theme, territory, end, scope))
    counts.insert(1, "ministry_fr", counts["ministry"].map(MINISTRIES))
    return dcc.send_bytes(csv_bytes(counts), "engagements-par-ministere.csv")


@callback(Output("baro-map-download", "data"), Input("baro-map-download-button", "n_clicks"),
          State("baro-measure", "value"), State("baro-end", "value"), prevent_initial_call=True)
def download_map(n_clicks, measure, end):
    if not n_clicks:
        return no_update
    frame, _level = map_view(package_token(), measure, end)
    return dcc.send_bytes(csv_bytes(frame.drop(columns=["kind", "decimals"])),
                          f"avancement-{slug(measure or 'engagement')}.csv")


@callback(Output("baro-series-download", "data"), Input("baro-series-download-button", "n_clicks"),
          State("baro-indicator", "value"), State("baro-territory", "value"), State("baro-start", "value"),
          State("baro-end", "value"), State("baro-frequency", "value"), prevent_initial_call=True)
def download_series(n_clicks, indicator, territory, start, end, frequency):
    if not n_clicks or not indicator:
        return no_update
    start, end = years_span(start, end)
    frame = series_view(package_token(), indicator, territory, start, end)
    if frequency:
        frame = frame[frame["frequency"] == frequency]
    return dcc.send_bytes(csv_bytes(frame.assign(indicator=indicator)), f"serie-{slug(indicator)}.csv")


@callback(Output("baro-coverage-download", "data"), Input("baro-coverage-download-button", "n_clicks"),
          State("baro-ministry", "value"), State("baro-theme", "value"), State("baro-territory", "value"),
          State("baro-start", "value"), State("baro-end", "value"), prevent_initial_call=True)
def download_coverage(n_clicks, ministry, theme, territory, start, end):
    if not n_clicks:
        return no_update
    start, end = years_span(start, end)
    frame = coverage_view(package_token(), territory, ministry, theme, start, end)
    return dcc.send_bytes(csv_bytes(frame), "couverture-dispositifs.csv")
