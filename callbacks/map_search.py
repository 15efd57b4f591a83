"""Finding a place on the map: search box, its results, quick views of France and the overseas départements."""

from __future__ import annotations

from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from atlas.mapdata import MAX_SEARCH_LENGTH
from callbacks.cache import pure_response
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
@pure_response
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
    """Bounds of a known territory: its polygon; without one (a 2024 quarter, an EPCI), its centre, its
    commune's polygon, or the polygons of the communes it groups."""
    svc = service()
    if not isinstance(level, str) or not isinstance(code, str) or not svc.is_known(level, code):
        return no_update
    bounds = svc.bounds_of(level, code) or bounds_without_geometry(svc, level, code)
    return no_update if bounds is None else {"bounds": bounds, "transition": "flyToBounds"}


def bounds_without_geometry(svc, level: str, code: str):
    row = svc.territory(level, code) or {}
    lat, lon = row.get("lat"), row.get("lon")
    if isinstance(lat, float | int) and isinstance(lon, float | int) and lat == lat and lon == lon:
        return [[lat - 0.02, lon - 0.03], [lat + 0.02, lon + 0.03]]
    commune = row.get("commune_code")
    if isinstance(commune, str) and commune and svc.bounds_of("commune", commune):
        return svc.bounds_of("commune", commune)
    column = f"{level}_code"
    for member_level in ("commune", "qpv"):  # the drawn territories it groups (e.g. an EPCI's quarters)
        frame = svc.package.geometry.get(member_level)
        if frame is None or member_level not in svc.levels():
            continue
        members = svc.territories.loc[member_level]
        if column not in members.columns:
            continue
        inside = frame[frame["code"].isin(members.loc[members[column] == code, "code"])]
        if not inside.empty:
            minx, miny, maxx, maxy = (float(v) for v in inside.total_bounds)
            return [[miny - 0.01, minx - 0.01], [maxy + 0.01, maxx + 0.01]]
    return None
