"""What the server does around every request: security headers, size limits, real 404s, bounded logs.

Content-Security-Policy (via flask-talisman): scripts only from the app itself plus the SHA-256 hashes of the
inline scripts Dash writes into its index page (the renderer bootstrap ``var renderer = new DashRenderer();``
and the inline clientside callbacks, from ``app.csp_hashes()``). Dash's config block is JSON
(``type="application/json"``), which CSP does not execute. Styles need ``'unsafe-inline'``: Plotly and Leaflet
insert ``<style>`` elements and style attributes at run time. Images may come from the basemap's tile server.
``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` everywhere except under ``EMBED_PREFIXES`` (the ``/embed/``
routes), which allow the origins of ``ATLAS_FRAME_ANCESTORS`` (``*`` by default) and send no X-Frame-Options.
"""

from __future__ import annotations

import logging

from flask import Response, request
from flask_talisman import Talisman
from werkzeug.exceptions import NotFound
from werkzeug.serving import WSGIRequestHandler

EMBED_PREFIXES: list[str] = ["/embed/"]  # pages that may be framed by other sites (see allow_framing)
TILE_SOURCES = ["https://tile.openstreetmap.org"]
# Prefixes whose unknown sub-paths must answer 404, never Dash's index page.
OWNED_PREFIXES = ("/geo/", "/download/", "/assets/", "/_dash-component-suites/", "/_dash-", "/api/", "/embed/")


def allow_framing(prefix: str) -> None:
    """Let pages under ``prefix`` be framed by ``ATLAS_FRAME_ANCESTORS`` (for embeds)."""
    if prefix not in EMBED_PREFIXES:
        EMBED_PREFIXES.append(prefix)


def content_security_policy(script_hashes: list[str]) -> dict:
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *TILE_SOURCES],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "worker-src": ["'self'", "blob:"],
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def install_security_headers(app, frame_ancestors: list[str]) -> Talisman:
    """Headers from flask-talisman; call after every callback is registered (the hashes cover them)."""
    policy = content_security_policy(list(dict.fromkeys(app.csp_hashes())))
    talisman = Talisman(
        app.server,
        force_https=False,  # TLS ends at the reverse proxy; HSTS is its job too
        strict_transport_security=False,
        session_cookie_secure=False,
        frame_options="DENY",
        content_security_policy=policy,
        content_security_policy_nonce_in=[],
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
        x_content_type_options=True,
    )
    embed_policy = "; ".join(
        f"{k} {' '.join(v) if isinstance(v, list) else v}"
        for k, v in {**policy, "frame-ancestors": " ".join(frame_ancestors) or "'none'"}.items())

    def finish_headers(response: Response) -> Response:
        if any(request.path.startswith(p) for p in EMBED_PREFIXES):
            response.headers["Content-Security-Policy"] = embed_policy
            if frame_ancestors:
                response.headers.pop("X-Frame-Options", None)
        response.headers.pop("Server", None)
        if response.status_code == 200:
            response.headers.update(static_cache_headers(request.path, request.args))
        return response

    # Flask runs after-request functions in reverse order of registration: first in the list runs last, after
    # Talisman has written its headers (registered after it, this would run first and be overwritten).
    app.server.after_request_funcs.setdefault(None, []).insert(0, finish_headers)
    return talisman


def static_cache_headers(path: str, args) -> dict[str, str]:
    """How long a browser may keep a static file without asking again.

    Dash names assets with their modification time (``?m=``), so such a URL never changes content: kept for a year,
    like Dash's own component suites. The favicon's ``?v=`` is Dash's version, not the file's: kept a day. Without
    these headers the browser asked again on every page, and fetched the 15 KB favicon on every history change
    (each map change writes the address).
    """
    if path.startswith("/assets/") and args.get("m"):
        return {"Cache-Control": "public, max-age=31536000, immutable"}
    if path == "/_favicon.ico":
        return {"Cache-Control": "public, max-age=86400"}
    return {}


def install_real_404s(app, owned_prefixes=OWNED_PREFIXES) -> None:
    """Unknown paths under the server's own prefixes answer 404 instead of Dash's index page or a 500."""
    server = app.server
    catchall = app.config.routes_pathname_prefix + "<path:path>"

    @server.before_request
    def refuse_unknown_internal_paths():
        rule = request.url_rule
        if request.path.startswith(owned_prefixes) and (rule is None or rule.rule == catchall):
            return Response("introuvable", status=404, mimetype="text/plain")
        return None

    for rule in server.url_map.iter_rules():
        if "_dash-component-suites" in rule.rule:
            server.view_functions[rule.endpoint] = _not_found_on_error(server.view_functions[rule.endpoint])


def install_callback_request_check(app) -> None:
    """A callback request whose shape does not match a declared callback answers 400, before Dash parses it.

    Dash trusts the body's structure (output known, as many inputs and states as declared, each an
    ``{id, property, value}`` object): anything else raised inside Dash and answered 500.
    """
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"

    @app.server.before_request
    def refuse_malformed_callback_requests():
        if request.method != "POST" or request.path != endpoint:
            return None
        problem = callback_request_problem(app.callback_map, request.get_json(silent=True))
        if problem:
            return Response(f"requête de callback invalide : {problem}", status=400, mimetype="text/plain")
        return None


def _entry_ok(entry) -> bool:
    def single(item) -> bool:
        return isinstance(item, dict) and isinstance(item.get("property"), str) and "id" in item \
            and isinstance(item["id"], str | dict)

    return single(entry) or (isinstance(entry, list) and all(single(item) for item in entry))


def callback_request_problem(callback_map: dict, body) -> str | None:
    """Why ``body`` is not a well-formed request for one of ``callback_map``'s callbacks (None when it is)."""
    if not isinstance(body, dict):
        return "corps JSON attendu"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "sortie inconnue"
    declared = callback_map[output]
    for key, expected in (("inputs", len(declared["inputs"])), ("state", len(declared["state"]))):
        entries = body.get(key, [] if key == "state" else None)
        if not isinstance(entries, list) or len(entries) != expected or not all(_entry_ok(e) for e in entries):
            return f"« {key} » ne correspond pas au callback"
    outputs = body.get("outputs")
    expected = declared["output"] if isinstance(declared["output"], list | tuple) else [declared["output"]]
    multi = output.startswith("..") and output.endswith("..")
    given = outputs if multi else [outputs]
    if not isinstance(given, list) or len(given) != len(expected) or not all(_entry_ok(o) for o in given):
        return "« outputs » ne correspond pas au callback"
    for spec, item in zip(expected, given, strict=True):  # plain ids must be the declared ones
        if isinstance(spec.component_id, str) and (not isinstance(item, dict) or item["id"] != spec.component_id):
            return "« outputs » ne correspond pas au callback"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "« changedPropIds » invalide"
    return None


def _not_found_on_error(view):
    """Dash raises (→ 500) for a component file it does not know; that is a 404."""
    from dash.exceptions import DependencyException

    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except (DependencyException, FileNotFoundError, IsADirectoryError, KeyError, ValueError) as exc:
            raise NotFound() from exc

    wrapped.__name__ = getattr(view, "__name__", "component_suites")
    return wrapped


class TruncatingFilter(logging.Filter):
    """Cuts every log record to ``limit`` characters: a 20 MB body or URL never becomes 40 MB of log."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > self.limit:
            record.msg = message[:self.limit] + f"… [{len(message) - self.limit} characters cut]"
            record.args = None
        if record.exc_info and not record.exc_text:  # format once here, so the traceback can be bounded too
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and len(record.exc_text) > 4 * self.limit:
            record.exc_text = record.exc_text[:4 * self.limit] + "… [cut]"
        return True


LOGGERS = ("", "werkzeug", "gunicorn.error", "gunicorn.access", "dash", "dash.dash", "atlas", "atlas.cache")


def bound_logs(limit: int, *extra_loggers: str) -> None:
    """Install the truncating filter on the loggers that write requests and errors, and on their handlers.

    The app's own logger ("atlas") gets a handler when the server configured none, so that its few lines
    (cache outage, recovery) carry time, process and level like gunicorn's.
    """
    atlas = logging.getLogger("atlas")
    if not atlas.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"))
        atlas.addHandler(handler)
        atlas.setLevel(logging.INFO)
    log_filter = TruncatingFilter(limit)
    for name in (*LOGGERS, *extra_loggers):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TruncatingFilter) for f in logger.filters):
            logger.addFilter(log_filter)
        for handler in logger.handlers:
            if not any(isinstance(f, TruncatingFilter) for f in handler.filters):
                handler.addFilter(log_filter)


class QuietRequestHandler(WSGIRequestHandler):
    """``python app.py``'s server without its version banner (``Server: Werkzeug/x Python/y``)."""

    def version_string(self) -> str:
        return "atlas-qpv"
