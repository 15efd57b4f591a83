"""The map's colours as static, immutable files: classes of every year, and the exact values of one year.

``/geo/map/<package fingerprint>/classes.json?<map parameters>`` and ``…/values.json?<…>&annee=<year>``
are fetched by assets/atlas_map.js, not carried by Dash callbacks: a change of indicator, mode or
reference sends a few hundred bytes through Dash and, at most, one compact file the browser keeps
(immutable for a year: going back to an indicator costs nothing). The parameters must be exactly
those a validated ``MapRequest`` writes (``MapRequest.query``); anything else is a 404, so no raw
value reaches a computation or a cache key.

This module registers its route on the Flask server when the callbacks are imported (see app.py's
``_register_callbacks``); ``/geo/`` is one of the app's internal prefixes, so the page router leaves it alone.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import threading
import time
from dataclasses import replace
from urllib.parse import urlencode

import dash
from flask import Response, request

from atlas.mapclasses import MapPayload, map_payload, year_values
from atlas.mapdata import MapRequest, references_for
from callbacks.cache import cached, package_fingerprint
from callbacks.state import service

log = logging.getLogger("atlas.warm")
PREFIX = "/geo/map"
MAX_QUERY_LENGTH = 400
HEADERS = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding",
           "X-Content-Type-Options": "nosniff"}


@cached("map-payload")
def payload_for(req: MapRequest) -> MapPayload:
    """Year-independent colouring (call ``classes_of``: its key ignores the year)."""
    svc = service()
    return map_payload(svc, req, svc.static_layer(req.level).codes)


def classes_of(req: MapRequest) -> MapPayload:
    return payload_for(replace(req, year=0))


@cached("map-year-values")
def values_for(req: MapRequest) -> list:
    """Exact figures of the request's year, aligned with the static geometry's features."""
    svc = service()
    return year_values(svc, req, svc.static_layer(req.level).codes)


def warm(levels: tuple[str, ...] | None = None) -> int:
    """Compute the default colouring of every indicator of the given map levels (all by default) and its gap to each
    reference, with the values of their default year.

    Meant for a background thread at start-up: the first visitor of each indicator then finds its
    classes ready instead of waiting for the package's tables to be pivoted (0.1–0.6 s each nationally).
    """
    svc = service()
    count = 0
    default_level = MapRequest.build(svc).level
    ordered = sorted(levels or tuple(svc.map_levels()), key=lambda level: level != default_level)
    for level in ordered:  # the level a visitor lands on first
        for indicator in svc.indicators_at(level):
            default = MapRequest.build(svc, indicator=indicator, level=level)
            # Its default colouring, then the gap to each reference (the mode a visitor tries next).
            colourings = [default] + [MapRequest.build(svc, indicator=indicator, level=level, mode="gap",
                                                     reference=ref.level)
                                    for ref in references_for(svc, indicator, level)]
            for req in colourings:
                classes_of(req)
                values_for(req)  # the figures of its default year, fetched by the browser right after the classes
                count += 1
                time.sleep(0)  # let a request thread take the interpreter between two colourings
    return count


def start_warming(server, levels: tuple[str, ...] | None = None) -> threading.Thread:
    """``warm`` in a daemon thread, inside ``server``'s app context (so the values land in its cache: Redis when
    the workers share one). Started by gunicorn's ``post_worker_init`` (gunicorn.conf.py) and ``python app.py``."""

    def run():
        started = time.perf_counter()
        try:
            with server.app_context():
                count = warm(levels)
        except Exception:  # warming is an optimisation: a failure must not take the worker down
            log.exception("warming the map colourings failed")
            return
        log.warning("map colourings warmed: %d in %.1f s", count, time.perf_counter() - started)

    thread = threading.Thread(target=run, name="atlas-warm-map", daemon=True)
    thread.start()
    return thread


def classes_url(req: MapRequest) -> str:
    params = {k: v for k, v in req.query().items() if k != "annee"}
    return f"{PREFIX}/{package_fingerprint()}/classes.json?{urlencode(params)}"


def values_url(req: MapRequest) -> str:
    return f"{PREFIX}/{package_fingerprint()}/values.json?{urlencode(req.query())}"


def requested_map(fingerprint: str, with_year: bool) -> MapRequest | None:
    """The request named by the URL, if it is exactly a validated request of this package."""
    if fingerprint != package_fingerprint() or len(request.query_string) > MAX_QUERY_LENGTH:
        return None
    if any(len(request.args.getlist(k)) > 1 for k in request.args):
        return None
    params = dict(request.args.items())
    if not with_year:
        if "annee" in params:
            return None
        params["annee"] = str(service().years[-1]) if service().years else "0"
    req = MapRequest.from_query(service(), params)
    expected = req.query()
    if not with_year:
        expected.pop("annee")
        params.pop("annee")
    return req if expected == params else None


def json_response(document) -> Response:
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(gzip.compress(body, compresslevel=6, mtime=0), mimetype="application/json",
                        headers={**HEADERS, "Content-Encoding": "gzip"})
    return Response(body, mimetype="application/json", headers=HEADERS)


def not_found() -> Response:
    return Response("unknown map", status=404, mimetype="text/plain")


def classes_file(fingerprint: str):
    req = requested_map(fingerprint, with_year=False)
    return not_found() if req is None else json_response(classes_of(req).classes_document())


def values_file(fingerprint: str):
    req = requested_map(fingerprint, with_year=True)
    if req is None:
        return not_found()
    return json_response({"key": req.classes_key(), "year": req.year, "values": values_for(req)})


CLASSES_RULE = f"{PREFIX}/<fingerprint>/classes.json"
VALUES_RULE = f"{PREFIX}/<fingerprint>/values.json"


def register(server) -> None:
    """Add the two routes to a Flask server (the endpoint names are the rules, as Dash's hooks name them)."""
    for rule, view in ((CLASSES_RULE, classes_file), (VALUES_RULE, values_file)):
        if rule not in server.view_functions:
            server.add_url_rule(rule, endpoint=rule, view_func=view)


# Whichever comes first: an app created after this import gets the routes through Dash's hooks;
# the app being created (app.py imports the callbacks inside create_app) gets them directly.
dash.hooks.route(CLASSES_RULE.lstrip("/"))(classes_file)
dash.hooks.route(VALUES_RULE.lstrip("/"))(values_file)
with contextlib.suppress(Exception):  # no app yet
    register(dash.get_app().server)
