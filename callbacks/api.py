"""The read API's HTTP layer: a Flask blueprint under ``/api/v1/`` (registered by ``app.create_app``).

Thin by design: validate the query (:mod:`atlas.api.params`), answer ``304`` when the client already has
this representation (the ETag depends only on the package and the validated query, so it is known before
any computation), run the endpoint's handler, serialise JSON or CSV. Every answer under ``/api/`` is JSON
(errors included, in French and English) except CSV pages, the OpenAPI page and the human page ``/api``.
CORS: any origin may read (GET/HEAD); nothing else is accepted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re

from flask import Blueprint, Response, request

from atlas.api import catalogue, openapi
from atlas.api.endpoints import ENDPOINTS, Answer, Endpoint
from atlas.api.output import dumps, flatten, frame_to_csv, page, page_link, to_csv
from atlas.api.params import ApiError, check_json_limit, parse_query
from callbacks.state import service
from layouts.api_page import api_page

PREFIX = "/api/v1"
READ_METHODS = ("GET", "HEAD")
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
CACHE_CONTROL = "public, max-age=300"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, X-Total-Count",
}
log = logging.getLogger(__name__)
blueprint = Blueprint("api", __name__)


def fingerprint(svc) -> str:
    """The package's identity (its files' checksums), cached on the service."""
    cached = getattr(svc, "_api_fingerprint", None)
    if cached is None:
        files = json.dumps(svc.manifest.get("files", {}), sort_keys=True)
        cached = hashlib.sha256(files.encode()).hexdigest()[:16]
        svc._api_fingerprint = cached
    return cached


def etag_for(svc, values: dict, representation: str) -> str:
    normalised = json.dumps({"path": request.path, "values": values, "as": representation}, sort_keys=True,
                            default=str)
    return hashlib.sha256(f"{fingerprint(svc)}|{normalised}".encode()).hexdigest()[:32]


def json_response(payload, status: int = 200, mimetype: str = "application/json", headers=None) -> Response:
    return Response(dumps(payload), status=status, mimetype=mimetype, headers=headers)


def error_response(error: ApiError, headers=None) -> Response:
    return json_response(error.body(), status=error.status, headers=headers)


def method_refused() -> Response | None:
    """OPTIONS (CORS preflight) and unsupported methods, answered before any work."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": "GET, HEAD, OPTIONS", "Access-Control-Allow-Methods": "GET, HEAD",
                                             "Access-Control-Allow-Headers": "Accept, If-None-Match",
                                             "Access-Control-Max-Age": "86400"})
    if request.method not in READ_METHODS:
        error = ApiError(405, "method_not_allowed", "Cette API est en lecture seule : seules GET et HEAD sont "
                                                    "acceptées.", "This API is read-only: only GET and HEAD are "
                                                                  "accepted.")
        return error_response(error, headers={"Allow": "GET, HEAD, OPTIONS"})
    return None


def representation(values: dict) -> str:
    chosen = values.pop("format", None)
    if chosen:
        return chosen
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"], default="application/json")
    return "csv" if best == "text/csv" else "json"


def not_modified(etag: str) -> bool:
    """The client holds this representation (flask-compress sends gzipped bodies with the tag ``…:gzip``)."""
    tags = request.if_none_match
    return tags.star_tag or tags.contains(etag) or tags.contains(f"{etag}:gzip")


def cached_headers(etag: str) -> dict:
    return {"ETag": f'"{etag}"', "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}


def revalidate(etag: str) -> tuple[dict, Response | None]:
    """The caching headers of ``etag``, and the 304 to send when the client already holds that representation."""
    headers = cached_headers(etag)
    return headers, Response(status=304, headers=headers) if not_modified(etag) else None


def serve(endpoint: Endpoint, path_args: dict) -> Response:
    refused = method_refused()
    if refused is not None:
        return refused
    svc = service()
    try:
        values = {name: param.parse(path_args[name]) for name, param in endpoint.path_params.items()}
        values.update(parse_query(request.args, endpoint.query(svc), request.query_string))
        as_ = representation(values) if endpoint.csv else "json"
        check_json_limit(values, as_)
        if endpoint.check is not None:
            endpoint.check(svc, values)
        headers, unchanged = revalidate(etag_for(svc, values, as_))
        if unchanged is not None:
            return unchanged
        answer = endpoint.handler(svc, values)
    except ApiError as error:
        return error_response(error)
    return render(answer, values, as_, headers, endpoint)


def render(answer: Answer, values: dict, as_: str, headers: dict, endpoint: Endpoint) -> Response:
    if not answer.is_list:
        return json_response(answer.payload, headers=headers)
    headers = {**headers, "X-Total-Count": str(answer.total)}
    query = {k: v for k, v in values.items() if k in request.args}
    if "format" in request.args:
        query["format"] = as_
    has_next = values["offset"] + values["limit"] < answer.total
    if as_ == "csv":
        if has_next:
            headers["Link"] = f'<{page_link(request.path, query, values["offset"] + values["limit"])}>; rel="next"'
        name = endpoint.path.strip("/").split("/")[0]
        headers["Content-Disposition"] = f'inline; filename="atlas-qpv_{name}.csv"'
        text = frame_to_csv(answer.frame[list(answer.columns)]) if answer.frame is not None else \
            to_csv(flatten(answer.items), answer.columns)
        return Response(text, mimetype="text/csv", headers=headers)
    body = page(answer.json_items(), total=answer.total, limit=values["limit"], offset=values["offset"],
                path=request.path, query=query, **answer.payload)
    if body["next"]:
        headers["Link"] = f'<{body["next"]}>; rel="next"'
    return json_response(body, headers=headers)


def _view(endpoint: Endpoint):
    def view(**path_args):
        return serve(endpoint, path_args)

    view.__name__ = endpoint.operation_id
    return view


for _endpoint in ENDPOINTS:
    blueprint.add_url_rule(PREFIX + re.sub(r"{(\w+)}", r"<\1>", _endpoint.path), _endpoint.operation_id,
                           _view(_endpoint), methods=ALL_METHODS, provide_automatic_options=False)


def static_document(build, mimetype: str = "application/json") -> Response:
    """Documents that depend on the package only (index, OpenAPI, catalogue): ETag from the fingerprint."""
    refused = method_refused()
    if refused is not None:
        return refused
    svc = service()
    if request.args:
        return error_response(ApiError(400, "unknown_parameter", "Cette adresse n'accepte aucun paramètre.",
                                       "This address accepts no parameter."))
    headers, unchanged = revalidate(etag_for(svc, {"root": request.url_root}, mimetype))
    if unchanged is not None:
        return unchanged
    return json_response(build(svc), mimetype=mimetype, headers=headers)


def base_url() -> str:
    return request.url_root.rstrip("/")


@blueprint.route(PREFIX, methods=ALL_METHODS, provide_automatic_options=False)
@blueprint.route(PREFIX + "/", methods=ALL_METHODS, provide_automatic_options=False)
def index():
    return static_document(lambda svc: openapi.index(svc))


@blueprint.route(PREFIX + "/openapi.json", methods=ALL_METHODS, provide_automatic_options=False)
def openapi_document():
    return static_document(lambda svc: openapi.document(svc, base_url()))


@blueprint.route(PREFIX + "/catalog.jsonld", methods=ALL_METHODS, provide_automatic_options=False)
def catalog():
    return static_document(lambda svc: catalogue.catalog(svc, base_url()), mimetype="application/ld+json")


@blueprint.route("/api/<path:rest>", methods=ALL_METHODS, provide_automatic_options=False)
def unknown(rest: str):
    """Unknown addresses under /api/ answer a JSON 404 (never the app's HTML page)."""
    return error_response(ApiError(404, "not_found", "Adresse inconnue dans l'API ; la liste est sur /api/v1/.",
                                   "Unknown API address; see /api/v1/ for the list."))


@blueprint.route("/api", methods=["GET", "HEAD"])
@blueprint.route("/api/", methods=["GET", "HEAD"])
def human_page():
    return Response(api_page(base_url(), service()), mimetype="text/html", headers={"Cache-Control": CACHE_CONTROL})


def _bare_api_path():
    """``/api`` (no slash) is this blueprint's page, but the app's unknown-page guard only skips ``/api/…``:
    answer it before that guard runs."""
    if request.path == "/api" and request.method in READ_METHODS:
        return human_page()
    return None


@blueprint.record_once
def _serve_bare_path_first(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _bare_api_path)


@blueprint.after_request
def cross_origin(response: Response) -> Response:
    """Any origin may read the API; JSON and CSV are never sniffed as HTML."""
    if request.path.startswith("/api/v1") and request.method in (*READ_METHODS, "OPTIONS"):
        response.headers.update(CORS_HEADERS)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@blueprint.errorhandler(Exception)
def unexpected(error: Exception):
    """A bug must still answer JSON (and be logged), never the HTML error page."""
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        return error_response(ApiError(error.code or 500, "http_error", error.name, error.name))
    log.exception("API error on %s", request.path)
    return error_response(ApiError(500, "internal_error", "Erreur interne ; elle a été journalisée.",
                                   "Internal error; it has been logged."))
