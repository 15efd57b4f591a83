"""Atlas QPV — the Dash application.

Run ``make run`` (or ``python app.py``); ``gunicorn app:server`` serves it too. Every setting is an
environment variable declared in ``atlas/settings.py`` (table in the README), read once here.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import logging
import pkgutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dash
from flask import Response, jsonify, request

import hardening
from atlas import i18n
from atlas import settings as atlas_settings
from atlas.package import PackageError, load_package
from atlas.routes import resolve
from atlas.service import AtlasService
from callbacks import state
from layouts.shell import app_frame

ROOT = Path(__file__).resolve().parent
# Paths served by Dash or Flask themselves, never by the page router.
INTERNAL_PREFIXES = ("/_dash", "/_reload-hash", "/_favicon", "/assets/", "/geo/", "/healthz", "/download/",
                     "/api/", "/embed/")
# Requests a page makes for itself: they are in the language of the page (its address, sent as Referer).
PAGE_OWN_REQUESTS = ("/_dash", "/download/", "/geo/")
log = logging.getLogger("atlas")


def load_service(data_dir: Path) -> AtlasService:
    """The package's service, or a stop with one line naming the file, row and column at fault."""
    try:
        return AtlasService(load_package(data_dir))
    except PackageError as exc:
        first = exc.problems[0] if exc.problems else "unknown problem"
        more = f" (and {len(exc.problems) - 1} more problem(s): python -m atlas validate {data_dir})" \
            if len(exc.problems) > 1 else ""
        print(f"atlas: cannot serve the data package {data_dir}: {first}{more}", file=sys.stderr, flush=True)
        raise SystemExit(3) from None  # gunicorn's "worker failed to boot": it stops instead of respawning


def create_app(data_dir: str | Path | None = None, settings=None) -> dash.Dash:
    settings = settings if settings is not None else atlas_settings.load()
    data_dir = Path(data_dir or settings["ATLAS_DATA_DIR"])
    hardening.bound_logs(settings["ATLAS_LOG_LINE_CHARS"])
    service = load_service(data_dir)
    state.set_service(service)
    for level in service.map_levels():  # encode the static geometry once, before the first visitor
        service.static_layer(level)

    app = dash.Dash(
        __name__,
        title="Atlas QPV",
        assets_folder=str(ROOT / "assets"),
        suppress_callback_exceptions=True,
        update_title=None,
        compress=True,  # callback responses gzipped: values travel in a few kilobytes
    )
    # The page's language (French unless ?lang=en); Dash's scripts sit in a plain block, not in a second
    # <footer> (a duplicate contentinfo landmark).
    app.index_string = (app.index_string.replace("<html>", '<html lang="fr">')
                        .replace("<footer>", '<div class="dash-scripts">').replace("</footer>", "</div>"))
    interpolate_french_index = app.interpolate_index

    def interpolate_index(**kwargs):
        html_text = interpolate_french_index(**kwargs)
        return html_text.replace('<html lang="fr">', f'<html lang="{i18n.current_language()}">', 1)

    app.interpolate_index = interpolate_index
    app.layout = lambda: app_frame(service.manifest)  # per visit: the frame is in the visitor's language
    server = app.server
    server.config.update(MAX_CONTENT_LENGTH=settings["ATLAS_MAX_REQUEST_BYTES"],
                         ATLAS_EXPORT_DIR=settings["ATLAS_EXPORT_DIR"], ATLAS_BASEMAP=settings["ATLAS_BASEMAP"],
                         ATLAS_FEEDBACK_URL=settings["ATLAS_FEEDBACK_URL"])
    hardening.bound_logs(settings["ATLAS_LOG_LINE_CHARS"], server.logger.name)

    _register_callbacks()
    server.register_blueprint(importlib.import_module("callbacks.api").blueprint)  # the read API, /api/v1/
    importlib.import_module("callbacks.embeds").install_embed_routes(app)  # /embed/…, for other sites' iframes
    from callbacks.cache import init_cache, install_response_cache, probe
    from callbacks.router import PURE_OUTPUTS

    init_cache(server, settings)
    importlib.import_module("callbacks.map").install_geometry_preload(server)
    install_response_cache(server, app.config.routes_pathname_prefix + "_dash-update-component", PURE_OUTPUTS,
                           app.callback_map)

    @server.before_request
    def answer_unknown_pages_with_404():
        path = request.path
        if request.method != "GET" or path.startswith(INTERNAL_PREFIXES):
            return None
        route = resolve(path, is_known=state.service().is_known)
        if not route.found:
            return Response(app.index(), status=404, mimetype="text/html")
        return None

    @server.route("/geo/<name>")
    def static_geometry(name: str):
        """Versioned geometry: immutable, cached by browsers for a year, sent gzipped."""
        svc = state.service()
        level, _, rest = name.partition(".")
        version = rest.removesuffix(".geojson")
        if level not in svc.map_levels():
            return Response("unknown level", status=404)
        layer = svc.static_layer(level)
        if version != layer.version:
            return Response("unknown version", status=404)
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{layer.version}"',
                   "Vary": "Accept-Encoding"}
        if request.headers.get("If-None-Match") == f'"{layer.version}"':
            return Response(status=304, headers=headers)
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            return Response(layer.gzipped, mimetype="application/geo+json",
                            headers={**headers, "Content-Encoding": "gzip"})
        return Response(gzip.decompress(layer.gzipped), mimetype="application/geo+json", headers=headers)

    @server.route("/healthz")
    def healthz():
        """The page service's health (always 200 while it serves) and the cache's (``ok`` or ``degraded``)."""
        svc = state.service()
        return jsonify(status="ok", cache=probe(), package=svc.manifest.get("title"), fingerprint=svc.fingerprint,
                       illustrative=svc.illustrative, observations=len(svc.package.observations))

    app._setup_server()  # collect the callbacks' inline scripts now, so the CSP can hash them
    hardening.install_security_headers(app, settings["ATLAS_FRAME_ANCESTORS"])
    hardening.install_real_404s(app)
    hardening.install_callback_request_check(app)
    # Before every other hook (the API's bare /api page and the response cache answer early): all of them run
    # in the request's language.
    server.before_request_funcs.setdefault(None, []).insert(0, set_request_language)
    return app


def set_request_language() -> None:
    """Every request runs in one language: a page's from its ``?lang=``; the page's own requests (callbacks,
    layout, downloads), which carry no ``lang``, from the address of the page that sent them (Referer)."""
    if i18n.LANGUAGE_PARAM in request.args:
        i18n.set_language(request.args.get(i18n.LANGUAGE_PARAM))
    elif request.path.startswith(PAGE_OWN_REQUESTS) and request.referrer:
        i18n.set_language(i18n.language_from_query(urlsplit(request.referrer[:4000]).query))
    else:
        i18n.set_language(i18n.SOURCE_LANGUAGE)


def _register_callbacks() -> None:
    """Import every module of ``callbacks/``: each registers its callbacks and pages on import."""
    import callbacks

    for module in sorted(pkgutil.iter_modules(callbacks.__path__), key=lambda m: m.name):
        importlib.import_module(f"callbacks.{module.name}")


app = create_app()
server = app.server


def main() -> None:
    settings = atlas_settings.load()
    parser = argparse.ArgumentParser(description="Serve the Atlas QPV")
    parser.add_argument("--host", default=settings["ATLAS_HOST"])
    parser.add_argument("--port", type=int, default=settings["ATLAS_PORT"])
    parser.add_argument("--debug", action="store_true", default=settings["ATLAS_DEBUG"],
                        help="enable Dash developer tools (off by default)")
    args = parser.parse_args()
    from callbacks.map_files import start_warming

    start_warming(server)  # the first visitor of each indicator then finds its colours computed
    app.run(host=args.host, port=args.port, debug=args.debug, request_handler=hardening.QuietRequestHandler)


if __name__ == "__main__":
    main()
