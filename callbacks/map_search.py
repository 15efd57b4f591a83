"""Finding a place on the map: search box, its results, quick views of France and the overseas départements."""

from __future__ import annotations

from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from atlas.mapdata import MAX_SEARCH_LENGTH
from callbacks.state import service
from layouts import map as layout

MAX_SEARCH_WORDS = 6
QUICK_VIEW_CODES = {code for code, _label in layout.QUICK_VIEWS}


def bounded_query(query) -> str:
    """The search text, cut to a length and a number of words that keep each request's work small."""
    if not isinstance(query, str):
        return ""
    return " ".join(query[:MAX_SEARCH_LENGTH].split()[:MAX_SEARCH_WORDS])


@callback(
    Output("map-search-results", "children"),
    Input("map-search", "value"),
    prevent_initial_call=True,
)
def search_places(query):
    return search_result_items(query)


def search_result_items(query) -> list:
    hits = service().search(bounded_query(query), limit=8)
    return [html.Li(html.Button(hit.label, id={"type": "map-hit", "level": hit.level, "code": hit.code},
                                className="search-hit", n_clicks=0)) for hit in hits]


@callback(
    Output("atlas-map", "viewport", allow_duplicate=True),
    Input({"type": "map-quick-view", "code": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def quick_view(clicks):
    trigger = ctx.triggered_id
    if not any(c for c in (clicks or []) if isinstance(c, int)) or not isinstance(trigger, dict):
        return no_update
    return quick_viewport(trigger.get("code"))


def quick_viewport(code):
    if not isinstance(code, str) or code not in QUICK_VIEW_CODES:
        return no_update
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
        if not any(c for c in (clicks or []) if isinstance(c, int)):
            return no_update, no_update
        level, code = trigger.get("level"), trigger.get("code")
    else:
        hits = svc.search(bounded_query(query), limit=1)
        if not hits:
            return no_update, no_update
        level, code = hits[0].level, hits[0].code
    return viewport_for(level, code), []


def viewport_for(level, code):
    """Bounds of a known territory: its polygon, else (no geometry, e.g. a 2024 quarter) around its centre."""
    svc = service()
    if not isinstance(level, str) or not isinstance(code, str) or not svc.is_known(level, code):
        return no_update
    bounds = svc.bounds_of(level, code)
    if bounds is None:
        row = svc.territory(level, code) or {}
        lat, lon = row.get("lat"), row.get("lon")
        if not isinstance(lat, float | int) or not isinstance(lon, float | int) or lat != lat or lon != lon:
            return no_update
        bounds = [[lat - 0.02, lon - 0.03], [lat + 0.02, lon + 0.03]]
    return {"bounds": bounds, "transition": "flyToBounds"}
