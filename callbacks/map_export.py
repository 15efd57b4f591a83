"""``/download/carte.png`` and ``/download/carte.svg``: the current map as a file to publish or print.

The parameters must be exactly those a validated ``MapRequest`` writes (as for the colour files,
callbacks/map_files.py): an unknown indicator or level is a 404, anything else that is not a canonical map
address a 400, before any computation. The colouring is the screen's own (``classes_of``, cached), the
page is drawn by atlas/mapexport.py. Exports are cached per package, parameters, format and day (the page
carries the export date); at most ``CONCURRENT_EXPORTS`` are drawn at once per worker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import threading

import dash
from dash import ClientsideFunction, Input, Output, clientside_callback
from flask import Response, request

from atlas.i18n import LANGUAGE_PARAM, _
from atlas.mapdata import MapRequest
from atlas.mapexport import EXPORT_PATH, FORMATS, build_scene, export_filename, parse_view, view_text
from atlas.mapexport_render import render_png, render_svg
from callbacks.cache import cached
from callbacks.map_files import MAX_QUERY_LENGTH, classes_of
from callbacks.state import service

PARAMETERS = frozenset({"indicateur", "niveau", "annee", "mode", "classes", "fixes", "reference", "operation"})
VIEW_PARAMETER = "emprise"
CONCURRENT_EXPORTS = 2
WAIT_SECONDS = 30
_drawing = threading.BoundedSemaphore(CONCURRENT_EXPORTS)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _refusal(status: int, message: str) -> Response:
    return Response(message, status=status, mimetype="text/plain", headers={"X-Content-Type-Options": "nosniff"})


def requested_export() -> tuple[MapRequest, tuple | None] | Response:
    """The map (and view) named by the address, or the refusal to send (400 or 404) when it is not canonical."""
    if len(request.query_string) > MAX_QUERY_LENGTH:
        return _refusal(400, _("Adresse de carte trop longue."))
    if any(len(request.args.getlist(k)) > 1 for k in request.args) or \
            not set(request.args) <= PARAMETERS | {VIEW_PARAMETER, LANGUAGE_PARAM}:
        return _refusal(400, _("Paramètres de carte invalides."))
    svc = service()
    params = dict(request.args.items())
    params.pop(LANGUAGE_PARAM, None)  # the language of the legend (set for the request by app.py), not of the map
    view = None
    if VIEW_PARAMETER in params:
        view = parse_view(params.pop(VIEW_PARAMETER))
        if view is None:
            return _refusal(400, _("Étendue de carte invalide."))
    if "indicateur" in params and not svc.has_indicator(params["indicateur"]):
        return _refusal(404, _("Indicateur inconnu."))
    if "niveau" in params and params["niveau"] not in svc.map_levels():
        return _refusal(404, _("Échelle de carte inconnue."))
    req = MapRequest.from_query(svc, params)
    if req.query() != params:
        return _refusal(400, _("Paramètres de carte invalides : utilisez les liens de téléchargement de la carte."))
    return req, view


@cached("map-export")
def export_bytes(query: dict, fmt: str, day: str, view: str | None = None) -> bytes:
    """The file (an SVG is kept gzipped) of a canonical map query, drawn at most ``CONCURRENT_EXPORTS`` at once."""
    svc = service()
    req = MapRequest.from_query(svc, query)
    if not _drawing.acquire(timeout=WAIT_SECONDS):
        raise TimeoutError("too many map exports at once")
    try:
        scene = build_scene(svc, req, classes_of(req), dt.date.fromisoformat(day), parse_view(view))
        if fmt == "svg":
            return gzip.compress(render_svg(scene), compresslevel=6, mtime=0)
        return render_png(scene)
    finally:
        _drawing.release()


def export_file(fmt: str):
    requested = requested_export()
    if isinstance(requested, Response):
        return requested
    req, view = requested
    try:
        body = export_bytes(req.query(), fmt, today().isoformat(), view_text(view) if view else None)
    except TimeoutError:
        return _refusal(503, _("Trop d'exports de carte en cours : réessayez dans un instant."))
    headers = {"Content-Disposition": f'attachment; filename="{export_filename(req, fmt, view)}"',
               "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if fmt == "png":
        return Response(body, mimetype="image/png", headers=headers)
    headers["Vary"] = "Accept-Encoding"
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(body, mimetype="image/svg+xml", headers={**headers, "Content-Encoding": "gzip"})
    return Response(gzip.decompress(body), mimetype="image/svg+xml", headers=headers)


def png_file():
    return export_file("png")


def svg_file():
    return export_file("svg")


RULES = {f"{EXPORT_PATH}.{fmt}": view for fmt, view in zip(FORMATS, (png_file, svg_file), strict=True)}


# The download links follow the map's parameters, as the address does, and its view once zoomed in.
clientside_callback(
    ClientsideFunction("atlas", "mapExportLinks"),
    Output("map-export-png", "href"),
    Output("map-export-svg", "href"),
    Input("map-query", "data"),
    Input("atlas-map", "center"),
    Input("atlas-map", "zoom"),
)


def register(server) -> None:
    for rule, view in RULES.items():
        if rule not in server.view_functions:
            server.add_url_rule(rule, endpoint=rule, view_func=view)


# As callbacks/map_files.py: an app created after this import gets the routes through Dash's hooks, the app
# being created gets them directly.
for _rule, _view in RULES.items():
    dash.hooks.route(_rule.lstrip("/"))(_view)
with contextlib.suppress(Exception):  # no app yet
    register(dash.get_app().server)
