"""Callbacks of the map page. Geometry never travels here: only values, classes and palettes.

Every raw value (URL parameter or control) becomes a validated ``MapRequest`` first (atlas/mapdata.py);
caches are keyed by that request, whose every field is a known id of the package.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update, set_props

from atlas import settings
from atlas.feedback import feedback_href
from atlas.i18n import _, indicator_label
from atlas.levels import label as level_label
from atlas.mapclasses import MapPayload, widest_gaps
from atlas.mapdata import SCHEMES, MapRequest, parse_search, references_for
from callbacks.cache import cached, pure_response
from callbacks.map_files import classes_of, classes_url, values_url
from callbacks.state import feedback_url, service
from layouts import map as layout
from layouts.map_legend import comparison_note, indicator_note, legend, widest_gaps_list

DEFAULT_BASEMAP = settings.value("ATLAS_BASEMAP")
# Above this many polygons a layer is drawn on a canvas, and communes are not drawn behind the quarters.
CANVAS_FEATURES = 3000


# ------------------------------------------------------------------ validated inputs


def request_from_controls(indicator, level, year, mode, reference, operation, scheme, fixed) -> MapRequest:
    """The controls' raw values, checked against the package (anything unknown becomes the default)."""
    return MapRequest.build(service(), indicator=indicator, level=level, year=year, mode=mode, reference=reference,
                            operation=operation, scheme=scheme, fixed=isinstance(fixed, list) and "fixed" in fixed)


def basemap_from(value) -> str:
    return value if isinstance(value, str) and value in layout.BASEMAPS else "aucun"


def parse_view(value: str | None) -> dict:
    try:
        lat, lon, zoom = (float(x) for x in (value or "")[:64].split(","))
        if -90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= zoom <= 18:
            return {"center": [lat, lon], "zoom": int(zoom)}
    except ValueError:
        pass
    return dict(layout.FRANCE_VIEW)


def map_layers(level: str) -> layout.MapLayers:
    svc = service()
    levels = svc.map_levels()
    big = len(svc.static_layer(level).codes) > CANVAS_FEATURES
    background = None
    if level == "qpv" and "commune" in levels and len(svc.static_layer("commune").codes) <= CANVAS_FEATURES:
        background = layout.geometry_url(svc.static_layer("commune"))
    outlines = layout.geometry_url(svc.static_layer("departement")) if "departement" in levels else None
    return layout.MapLayers(choropleth=layout.geometry_url(svc.static_layer(level)), background=background,
                            outlines=outlines, canvas=big)


def geometry_preload(args) -> str | None:
    """A ``Link`` header for the map page: the browser starts downloading the geometry files the map will ask for
    while it is still loading Dash's scripts, instead of after the page is built (≈ 1.5 s later). The level comes
    from the validated request (``niveau`` of the address), so the header names only files the page will use."""
    if len(str(args)) > 2000:
        return None
    layers = map_layers(MapRequest.from_query(service(), {k: args.get(k) for k in ("niveau", "indicateur")}).level)
    urls = [u for u in (layers.choropleth, layers.outlines, layers.background) if u]
    return ", ".join(f"<{url}>; rel=preload; as=fetch; crossorigin" for url in urls) or None


def install_geometry_preload(server) -> None:
    """Add ``geometry_preload`` to the HTML answer of the map page (``GET /``)."""
    from flask import request

    @server.after_request
    def preload_geometry(response):
        if request.method == "GET" and request.path == "/" and response.status_code == 200 \
                and response.mimetype == "text/html":
            links = geometry_preload(request.args)
            if links:
                response.headers.add("Link", links)
        return response


def browser_state(request: MapRequest, payload: MapPayload, url: str, references: tuple) -> dict:
    """What assets/atlas_map.js applies in place; it fetches the classes and values files it names.

    ``gap_reference`` is the reference a switch to gap mode would use for this indicator and level (the first of
    its ``references``): the browser prefetches that colouring's classes while the server answers.
    """
    return {"view": payload.browser_view(url), "year": request.year, "classes_url": classes_url(request),
            "values_url": values_url(request), "gap_reference": references[0].level if references else None}


@cached("map-widest-gaps")
def widest_gaps_for(request: MapRequest):
    svc = service()
    return widest_gaps(svc, request, svc.static_layer(request.level).codes)


def gaps_block(request: MapRequest, payload: MapPayload):
    if payload.reference is None:
        return None
    unit = str(service().indicator(request.indicator)["unit"])
    return widest_gaps_list(widest_gaps_for(request), payload, request.year, unit)


def page_content(request: MapRequest, view: dict, basemap: str) -> layout.MapPageContent:
    svc = service()
    payload = classes_of(request)
    layers = map_layers(request.level)
    references = references_for(svc, request.indicator, request.level)
    return layout.MapPageContent(
        request=request, payload=payload, state=browser_state(request, payload, layers.choropleth, references),
        layers=layers,
        indicator_options=layout.indicator_options(svc.indicators, available=svc.indicators_at(request.level)),
        levels=svc.map_levels(), years=svc.years, references=references,
        meta=svc.indicator(request.indicator), view=view, basemap=basemap, gaps=gaps_block(request, payload),
        report=map_report(request))


def map_report(request: MapRequest) -> str | None:
    """« Signaler une erreur » under the indicator note: the map's own path and state (never the Host header:
    page answers are shared by every visitor), its level, indicator and year."""
    svc = service()
    meta = svc.indicator(request.indicator)
    return feedback_href(feedback_url(), "/?" + urlencode(request.query()),
                         _("Carte — {level}").format(level=level_label(request.level)),
                         f"{indicator_label(meta)} ({request.indicator})", request.year)


def build_page(svc, params: dict, search: str):
    query = parse_search(search)
    request = MapRequest.from_query(svc, query)
    return layout.map_page(page_content(request, parse_view(query.get("vue")),
                                        basemap_from(query.get("fond", DEFAULT_BASEMAP))))



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
    level = level if isinstance(level, str) and level in svc.map_levels() else None
    request = MapRequest.build(svc, level=level, indicator=current)
    options = layout.indicator_options(svc.indicators, theme if isinstance(theme, str) else None,
                                       ministry if isinstance(ministry, str) else None,
                                       svc.indicators_at(request.level))
    values = [o["value"] for o in options]
    if not values:
        return options, no_update
    return options, current if current in values else values[0]


# The controls that choose a colouring, in the order of ``request_from_controls`` (the year apart): the map's
# callback and the browser's prefetch of the colour file read the same ones.
COLOURING_CONTROLS = [Input("map-indicator", "value"), Input("map-level", "value"), Input("map-mode", "value"),
                      Input("map-reference", "value"), Input("map-operation", "value"), Input("map-scheme", "value"),
                      Input("map-fixed", "value")]


@callback(
    Output("map-state", "data"),
    Output("map-choropleth", "url"),
    Output("map-choropleth", "hideout"),
    Output("map-communes", "url"),
    Output("map-legend", "children"),
    Output("map-comparison-note", "children"),
    Output("map-indicator-note", "children"),
    Output("map-gaps", "children"),
    Output("map-query", "data"),
    Output("map-gap-options", "hidden"),
    Output("map-mode", "options"),
    Output("map-reference", "options"),
    Output("map-class-options", "hidden"),
    *COLOURING_CONTROLS,
    Input("map-basemap", "value"),
    State("map-year", "value"),
    State("map-choropleth", "url"),
    prevent_initial_call=True,
)
@pure_response
def update_map(indicator, level, mode, reference, operation, scheme, fixed, basemap, year, current_url):
    request = request_from_controls(indicator, level, year, mode, reference, operation, scheme, fixed)
    for component, props in control_corrections(request, mode, reference).items():
        set_props(component, props)
    return map_outputs(request, basemap_from(basemap), current_url)


def control_corrections(request: MapRequest, wanted_mode, wanted_reference) -> dict[str, dict]:
    """The controls whose value the validated request changed (a gap asked for an indicator without reference,
    an unknown reference), with the value to show.

    They are sent as side updates (``set_props``), not as declared outputs: a declared output that is also an input
    of the browser's prefetch of the colour file (``mapPrefetch``) makes Dash hold that prefetch until this
    callback has answered, which is the round trip it exists to overlap.
    """
    corrections = {}
    if wanted_mode != request.mode:
        corrections["map-mode"] = {"value": request.mode}
    if request.reference is not None and wanted_reference != request.reference:
        corrections["map-reference"] = {"value": request.reference}
    return corrections


def map_outputs(request: MapRequest, basemap: str, current_url: str | None):
    """Everything that changes with the indicator or options (a plain function, for tests).

    Colours travel in ``map-state`` and are applied to the polygons already drawn; the geometry URL
    and the hideout change only with the level (a new hideout or URL re-creates every layer).
    """
    svc = service()
    payload = classes_of(request)
    layers = map_layers(request.level)
    same_level = current_url == layers.choropleth
    references = references_for(svc, request.indicator, request.level)
    query = request.query()
    if basemap != DEFAULT_BASEMAP:
        query["fond"] = basemap
    return (
        browser_state(request, payload, layers.choropleth, references),
        no_update if same_level else layers.choropleth,
        no_update if same_level else layers.hideout(),
        no_update if same_level else layers.background,
        legend(payload, request.year),
        comparison_note(payload, request.year, SCHEMES[request.scheme], request.fixed),
        indicator_note(svc.indicator(request.indicator), map_report(request)),
        gaps_block(request, payload),
        urlencode(query),
        request.mode != "gap",
        layout.mode_options(references, payload.categorical),
        layout.reference_options(references),
        payload.categorical,
    )


# Instant re-colouring: the browser restyles the drawn polygons from the classes it already has.
clientside_callback(
    ClientsideFunction("atlas", "mapWithYear"),
    Output("map-painted", "data", allow_duplicate=True),
    Input("map-year", "value"),
    prevent_initial_call=True,
)

# The classes file the server's answer will name, fetched beside that answer rather than after it.
clientside_callback(
    ClientsideFunction("atlas", "mapPrefetch"),
    Output("map-painted", "data", allow_duplicate=True),
    *COLOURING_CONTROLS,
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("atlas", "mapPaint"),
    Output("map-painted", "data"),
    Input("map-state", "data"),
)


@callback(
    Output("map-legend", "children", allow_duplicate=True),
    Output("map-comparison-note", "children", allow_duplicate=True),
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
@pure_response
def update_year(year, indicator, level, mode, reference, operation, scheme, fixed, query):
    request = request_from_controls(indicator, level, year, mode, reference, operation, scheme, fixed)
    return year_outputs(request, query)


def year_outputs(request: MapRequest, query: str | None):
    """After the instant re-colouring in the browser: legend, notes, widest gaps and address of the year.

    The exact values of the year (tooltips, ranks) are a file the browser fetches itself.
    """
    payload = classes_of(request)
    params = {k: v for k, v in parse_search(query).items() if k in ("fond",)}
    params.update(request.query())
    gaps = gaps_block(request, payload) if payload.reference is not None else no_update
    return (legend(payload, request.year),
            comparison_note(payload, request.year, SCHEMES[request.scheme], request.fixed), gaps, urlencode(params))


clientside_callback(
    ClientsideFunction("atlas", "mapPlay"),
    Output("map-year", "value"),
    Input("map-play-timer", "n_intervals"),
    State("map-years", "data"),
    State("map-year", "value"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("atlas", "mapTogglePlay"),
    Output("map-play-timer", "disabled"),
    Output("map-play", "children"),
    Output("map-play", "aria-pressed"),
    Input("map-play", "n_clicks"),
    State("map-play-timer", "disabled"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("atlas", "mapOpenFeature"),
    Output("url", "pathname", allow_duplicate=True),
    Output("url", "search", allow_duplicate=True),
    Input("map-choropleth", "clickData"),
    State("map-level", "value"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("atlas", "mapQueryToSearch"),
    Output("url", "search", allow_duplicate=True),
    Input("map-query", "data"),
    State("atlas-map", "center"),
    State("atlas-map", "zoom"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("atlas", "mapViewToUrl"),
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
    tile = layout.BASEMAPS.get(basemap_from(basemap))
    return (tile[0], _(tile[1]), 1) if tile else ("", "", 0)


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
    request = MapRequest.from_query(service(), parse_search(search))
    wanted = (request.indicator, request.level, request.mode, request.reference, request.operation, request.scheme,
              ["fixed"] if request.fixed else [], request.year)
    return [no_update if w == c or (w is None and name == "map-reference") else w
            for name, w, c in zip(CONTROLS, wanted, current, strict=True)]
