"""Callbacks of the map page. Geometry never travels here: only values, classes and palettes."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlencode

import pandas as pd
from dash import ALL, Input, Output, Patch, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.dash_table.Format import Format, Group, Scheme

from atlas.mapdata import (
    MapRequest,
    map_classes,
    query_from_request,
    request_from_query,
    shown_year,
    widest_gaps,
    year_values,
)
from callbacks.cache import cached
from callbacks.router import register_page
from callbacks.state import service
from layouts import map as layout
from layouts.charts import csv_bytes

DEFAULT_BASEMAP = os.environ.get("ATLAS_BASEMAP", "osm")


def parse_search(search: str | None) -> dict:
    return {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}


def geometry_urls() -> dict[str, str]:
    svc = service()
    return {level: layout.geometry_url(svc.static_layer(level)) for level in svc.map_levels()}


def parse_view(value: str | None) -> dict:
    try:
        lat, lon, zoom = (float(x) for x in (value or "").split(","))
        if -90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= zoom <= 18:
            return {"center": [lat, lon], "zoom": int(zoom)}
    except ValueError:
        pass
    return dict(layout.FRANCE_VIEW)


@cached("map-classes")
def classes_for(indicator, level, mode, reference, operation, scheme, fixed) -> dict:
    """Year-independent part of the hideout, shared by every year of the same map."""
    svc = service()
    request = MapRequest(indicator, level, mode, reference, operation, scheme, bool(fixed))
    return map_classes(svc, request, svc.static_layer(request.normalised(svc).level).codes)


@cached("map-payload")
def payload_for(indicator, level, mode, reference, operation, scheme, fixed, year) -> dict:
    classes = classes_for(indicator, level, mode, reference, operation, scheme, fixed)
    year = shown_year(classes, int(year))
    return {**classes, "year": year, "values": values_for(indicator, level, mode, reference, operation, year),
            "values_year": year}


@cached("map-year-values")
def values_for(indicator, level, mode, reference, operation, year) -> list:
    svc = service()
    request = MapRequest(indicator, level, mode, reference, operation)
    return year_values(svc, request, svc.static_layer(request.normalised(svc).level).codes, int(year))


def build_page(svc, params: dict, search: str):
    query = parse_search(search)
    request, year = request_from_query(query, svc)
    payload = payload_for(request.indicator, request.level, request.mode, request.reference, request.operation,
                          request.scheme, request.fixed, year)
    basemap = query.get("fond", DEFAULT_BASEMAP)
    page = layout.map_page(
        indicators=svc.indicators, levels=svc.map_levels(), years=svc.years, request=request, year=year,
        geometry=geometry_urls(), view=parse_view(query.get("vue")),
        basemap=basemap if basemap in layout.BASEMAPS else "aucun", payload=payload,
        meta=svc.indicator(request.indicator), gaps=gaps_block(svc, request, payload["year"]),
        available=svc.indicators_at(request.level),
    )
    return page


def gaps_block(svc, request: MapRequest, year: int):
    if request.mode != "gap":
        return html.Div()
    return layout.widest_gaps_list(widest_gaps(svc, request, year), svc.indicator(request.indicator), request, year)


register_page("carte", build_page)


# ------------------------------------------------------------------ callbacks


@callback(
    Output("map-indicator", "options"),
    Output("map-indicator", "value", allow_duplicate=True),
    Input("map-theme", "value"),
    Input("map-ministry", "value"),
    Input("map-level", "value"),
    State("map-indicator", "value"),
    prevent_initial_call=True,
)
def filter_indicators(theme, ministry, level, current):
    svc = service()
    options = layout.indicator_options(svc.indicators, theme, ministry, svc.indicators_at(level))
    values = [o["value"] for o in options]
    if not values:
        return options, no_update
    return options, current if current in values else values[0]


@callback(
    Output("map-choropleth", "hideout"),
    Output("map-choropleth", "url"),
    Output("map-communes", "url"),
    Output("map-legend", "children"),
    Output("map-indicator-note", "children"),
    Output("map-gaps", "children"),
    Output("map-query", "data"),
    Output("map-gap-options", "hidden"),
    Output("map-mode", "options"),
    Input("map-indicator", "value"),
    Input("map-level", "value"),
    Input("map-mode", "value"),
    Input("map-reference", "value"),
    Input("map-operation", "value"),
    Input("map-scheme", "value"),
    Input("map-fixed", "value"),
    Input("map-basemap", "value"),
    State("map-year", "value"),
    prevent_initial_call=True,
)
def update_map(indicator, level, mode, reference, operation, scheme, fixed, basemap, year):
    return map_outputs(indicator, level, mode, reference, operation, scheme, bool(fixed), basemap, year)


def map_outputs(indicator, level, mode, reference, operation, scheme, fixed, basemap, year):
    """Everything that changes with the indicator or options (plain function for tests)."""
    svc = service()
    request = MapRequest(indicator, level, mode, reference, operation, scheme, fixed).normalised(svc)
    payload = payload_for(request.indicator, request.level, request.mode, request.reference, request.operation,
                          request.scheme, request.fixed, year)
    urls = geometry_urls()
    meta = svc.indicator(request.indicator)
    gaps = gaps_block(svc, request, payload["year"])
    query = query_from_request(request, payload["year"])
    if basemap and basemap != DEFAULT_BASEMAP:
        query["fond"] = basemap
    mode_options = [{"label": v, "value": k, "disabled": k == "gap" and request.level != "qpv"}
                    for k, v in layout.MODES.items()]
    return (payload, urls[request.level], urls.get("commune") if request.level == "qpv" else None,
            layout.legend(payload), layout.indicator_note(meta), gaps, urlencode(query),
            request.mode != "gap", mode_options)


# Instant re-colouring: the year only changes the hideout, in the browser.
clientside_callback(
    "function(year, hideout) { return window.dash_clientside.atlasMap.withYear(year, hideout, 'map-choropleth'); }",
    Output("map-choropleth", "hideout", allow_duplicate=True),
    Input("map-year", "value"),
    State("map-choropleth", "hideout"),
    prevent_initial_call=True,
)


@callback(
    Output("map-choropleth", "hideout", allow_duplicate=True),
    Output("map-legend", "children", allow_duplicate=True),
    Output("map-gaps", "children", allow_duplicate=True),
    Output("map-query", "data", allow_duplicate=True),
    Input("map-year", "value"),
    State("map-indicator", "value"),
    State("map-level", "value"),
    State("map-mode", "value"),
    State("map-reference", "value"),
    State("map-operation", "value"),
    State("map-scheme", "value"),
    State("map-fixed", "value"),
    State("map-query", "data"),
    prevent_initial_call=True,
)
def update_year(year, indicator, level, mode, reference, operation, scheme, fixed, query):
    return year_outputs(year, indicator, level, mode, reference, operation, scheme, bool(fixed), query)


def year_outputs(year, indicator, level, mode, reference, operation, scheme, fixed, query):
    """After the instant re-colouring: exact values for tooltips, and the legend when classes vary by year."""
    svc = service()
    request = MapRequest(indicator, level, mode, reference, operation, scheme, fixed).normalised(svc)
    patch = Patch()
    patch["values"] = values_for(request.indicator, request.level, request.mode, request.reference,
                                 request.operation, year)
    patch["values_year"] = year
    patch["year"] = year  # the browser already shows this year; keep the prop in step
    # The legend's title carries the year (and its breaks may vary by year): rebuilt from cached classes.
    classes = classes_for(request.indicator, request.level, request.mode, request.reference, request.operation,
                          request.scheme, request.fixed)
    legend = layout.legend({**classes, "year": year})
    gaps = gaps_block(svc, request, year) if request.mode == "gap" else no_update
    params = parse_search(query)
    params["annee"] = str(year)
    return patch, legend, gaps, urlencode(params)


clientside_callback(
    "function(n, years, current) { return window.dash_clientside.atlasMap.play(n, years, current); }",
    Output("map-year", "value"),
    Input("map-play-timer", "n_intervals"),
    State("map-years", "data"),
    State("map-year", "value"),
    prevent_initial_call=True,
)

clientside_callback(
    "function(n, disabled) { return window.dash_clientside.atlasMap.togglePlay(n, disabled); }",
    Output("map-play-timer", "disabled"),
    Output("map-play", "children"),
    Output("map-play", "aria-pressed"),
    Input("map-play", "n_clicks"),
    State("map-play-timer", "disabled"),
    prevent_initial_call=True,
)

clientside_callback(
    "function(click, level) { return window.dash_clientside.atlasMap.openFeature(click, level); }",
    Output("url", "pathname", allow_duplicate=True),
    Output("url", "search", allow_duplicate=True),
    Input("map-choropleth", "clickData"),
    State("map-level", "value"),
    prevent_initial_call=True,
)

clientside_callback(
    "function(query, center, zoom) { return window.dash_clientside.atlasMap.queryToSearch(query, center, zoom); }",
    Output("url", "search", allow_duplicate=True),
    Input("map-query", "data"),
    State("atlas-map", "center"),
    State("atlas-map", "zoom"),
    prevent_initial_call=True,
)

clientside_callback(
    "function(center, zoom) { return window.dash_clientside.atlasMap.viewToUrl(center, zoom); }",
    Output("map-query", "modified_timestamp"),
    Input("atlas-map", "center"),
    Input("atlas-map", "zoom"),
    prevent_initial_call=True,
)


@callback(
    Output("map-tiles", "url"),
    Output("map-tiles", "attribution"),
    Output("map-tiles", "opacity"),
    Input("map-basemap", "value"),
    prevent_initial_call=True,
)
def switch_basemap(basemap):
    tile = layout.BASEMAPS.get(basemap)
    return (tile[0], tile[1], 1) if tile else ("", "", 0)


CONTROLS = ("map-indicator", "map-level", "map-mode", "map-reference", "map-operation", "map-scheme", "map-fixed",
            "map-year")


@callback(
    [Output(c, "value", allow_duplicate=True) for c in CONTROLS],
    Input("url", "search"),
    State("url", "pathname"),
    [State(c, "value") for c in CONTROLS],
    prevent_initial_call=True,
)
def restore_from_url(search, pathname, *current):
    return controls_from_search(search, pathname, current)


def controls_from_search(search, pathname, current) -> list:
    """Back and forward buttons: the controls follow the address (only those that differ)."""
    if (pathname or "/") != "/":
        return [no_update] * len(CONTROLS)
    request, year = request_from_query(parse_search(search), service())
    wanted = (request.indicator, request.level, request.mode, request.reference, request.operation, request.scheme,
              ["fixed"] if request.fixed else [], year)
    return [w if w != c else no_update for w, c in zip(wanted, current, strict=True)]


# ---------------------------------------------------------------- search


@callback(
    Output("map-search-results", "children"),
    Input("map-search", "value"),
    prevent_initial_call=True,
)
def search_places(query):
    return search_result_items(query)


def search_result_items(query: str | None) -> list:
    hits = service().search(query or "", limit=8)
    return [html.Li(html.Button(hit.label, id={"type": "map-hit", "level": hit.level, "code": hit.code},
                                className="search-hit", n_clicks=0)) for hit in hits]


@callback(
    Output("atlas-map", "viewport", allow_duplicate=True),
    Input({"type": "map-quick-view", "code": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def quick_view(clicks):
    if not any(clicks or []):
        return no_update
    return quick_viewport(ctx.triggered_id["code"])


def quick_viewport(code: str):
    if code == "FR":
        return {"center": layout.FRANCE_VIEW["center"], "zoom": layout.FRANCE_VIEW["zoom"], "transition": "flyTo"}
    return viewport_for("departement", code)


@callback(
    Output("atlas-map", "viewport"),
    Output("map-search-results", "children", allow_duplicate=True),
    Input({"type": "map-hit", "level": ALL, "code": ALL}, "n_clicks"),
    Input("map-search", "n_submit"),
    State("map-search", "value"),
    prevent_initial_call=True,
)
def zoom_to_place(clicks, submitted, query):
    trigger = ctx.triggered_id
    svc = service()
    if isinstance(trigger, dict):
        if not any(clicks):
            return no_update, no_update
        level, code = trigger["level"], trigger["code"]
    else:
        hits = svc.search(query or "", limit=1)
        if not hits:
            return no_update, no_update
        level, code = hits[0].level, hits[0].code
    return viewport_for(level, code), []


def viewport_for(level: str, code: str) -> dict | type(no_update):
    bounds = service().bounds_of(level, code)
    if bounds is None:
        return no_update
    return {"bounds": bounds, "transition": "flyToBounds"}


# ---------------------------------------------------------------- table


def table_frame(indicator, level, mode, reference, operation, year) -> tuple[pd.DataFrame, dict]:
    """What the map shows, as rows: the accessible alternative and the CSV export."""
    svc = service()
    request = MapRequest(indicator, level, mode, reference, operation).normalised(svc)
    meta = svc.indicator(request.indicator)
    values, status = svc.annual_table(request.indicator, request.level)
    terr = svc.territories.loc[request.level].set_index("code")
    codes = list(svc.static_layer(request.level).codes)
    frame = pd.DataFrame({"code": codes})
    frame["territoire"] = frame["code"].map(terr["name"])
    if request.level == "qpv":
        communes = svc.territories.loc["commune"].set_index("code")["name"]
        frame["commune"] = frame["code"].map(terr["commune_code"]).map(communes)
    if "departement_code" in terr.columns:
        frame["departement"] = frame["code"].map(terr["departement_code"])
    column = values[year] if year in getattr(values, "columns", []) else pd.Series(dtype=float)
    frame["valeur"] = frame["code"].map(column)
    frame["statut"] = frame["code"].map(status[year] if year in getattr(status, "columns", []) else pd.Series(
        dtype=str)).fillna("missing")
    if request.mode == "gap":
        shown = year_values(svc, request, tuple(codes), year)
        frame["ecart"] = shown
    frame["rang"] = frame["valeur"].rank(ascending=False, method="min").astype("Int64")
    frame["annee"] = year
    frame["unite"] = meta["unit"]
    frame["source"] = meta["source"]
    frame["millesime"] = meta["vintage"]
    frame["statut"] = frame["statut"].map({"ok": "publiée", "estimate": "estimation", "secret": "secret statistique",
                                           "missing": "non disponible"})
    return frame, meta


@callback(
    Output("map-table-wrap", "hidden"),
    Output("map-table-toggle", "children"),
    Output("map-table-toggle", "aria-expanded"),
    Input("map-table-toggle", "n_clicks"),
    prevent_initial_call=True,
)
def toggle_table(n_clicks):
    shown = bool(n_clicks % 2)
    return not shown, "Masquer le tableau" if shown else "Afficher le tableau", "true" if shown else "false"


@callback(
    Output("map-table", "data"),
    Output("map-table", "columns"),
    Input("map-table-wrap", "hidden"),
    Input("map-choropleth", "hideout"),
    prevent_initial_call=True,
)
def fill_table(hidden, hideout):
    if hidden or not hideout:
        return no_update, no_update
    frame, meta = table_frame(hideout["indicator"], hideout["level"], hideout["mode"], hideout.get("reference"),
                              hideout.get("operation"), hideout["year"])
    number = Format(precision=int(meta["decimals"]), scheme=Scheme.fixed, group=Group.yes, groups=3,
                    group_delimiter="\u202f", decimal_delimiter=",")
    labels = {"territoire": "Territoire", "code": "Code", "commune": "Commune", "departement": "Département",
              "valeur": f"Valeur ({meta['unit']})", "ecart": "Écart", "rang": "Rang", "statut": "Statut"}
    columns = []
    for key, label in labels.items():
        if key not in frame.columns:
            continue
        column = {"name": label, "id": key}
        if key in ("valeur", "ecart", "rang"):
            column.update(type="numeric", format=number if key != "rang" else Format(precision=0,
                                                                                     scheme=Scheme.fixed))
        columns.append(column)
    records = frame[[c["id"] for c in columns]].astype(object).where(frame[[c["id"] for c in columns]].notna(), None)
    return records.to_dict("records"), columns


@callback(
    Output("map-csv", "data"),
    Input("map-csv-button", "n_clicks"),
    State("map-choropleth", "hideout"),
    prevent_initial_call=True,
)
def download_csv(n_clicks, hideout):
    frame, _meta = table_frame(hideout["indicator"], hideout["level"], hideout["mode"], hideout.get("reference"),
                               hideout.get("operation"), hideout["year"])
    name = f"atlas-qpv_{hideout['indicator']}_{hideout['level']}_{hideout['year']}.csv"
    return dcc.send_bytes(csv_bytes(frame), name)
