"""Atlas QPV — the Dash application.

Run ``make run`` (or ``python app.py``); ``gunicorn app:server`` serves it too.
``ATLAS_DATA_DIR`` selects the data package (the embedded ``data/`` by default),
``ATLAS_DEBUG=1`` turns on Dash's developer tools.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import os
import pkgutil
from pathlib import Path

import dash
from flask import Response, jsonify, request

from atlas.package import DEFAULT_DATA_DIR, load_package
from atlas.routes import resolve
from atlas.service import AtlasService
from callbacks import state
from layouts.shell import app_frame

ROOT = Path(__file__).resolve().parent
# Paths served by Dash or Flask themselves, never by the page router.
INTERNAL_PREFIXES = ("/_dash", "/_reload-hash", "/_favicon", "/assets/", "/geo/", "/healthz", "/download/",
                     "/api/")


def create_app(data_dir: str | Path | None = None) -> dash.Dash:
    data_dir = Path(data_dir or os.environ.get("ATLAS_DATA_DIR") or DEFAULT_DATA_DIR)
    service = AtlasService(load_package(data_dir))
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
    app.index_string = app.index_string.replace("<html>", '<html lang="fr">')
    app.layout = app_frame(service.manifest)
    server = app.server

    _register_callbacks()
    server.register_blueprint(importlib.import_module("callbacks.api").blueprint)  # the read API, /api/v1/
    from callbacks.cache import init_cache

    init_cache(server)

    @server.before_request
    def answer_unknown_pages_with_404():
        path = request.path
        if request.method != "GET" or path.startswith(INTERNAL_PREFIXES):
            return None
        route = resolve(path, lambda code: service.is_known("qpv", code))
        if not route.found:
            return Response(app.index(), status=404, mimetype="text/html")
        return None

    @server.route("/geo/<name>")
    def static_geometry(name: str):
        """Versioned geometry: immutable, cached by browsers for a year, sent gzipped."""
        level, _, rest = name.partition(".")
        version = rest.removesuffix(".geojson")
        if level not in service.map_levels():
            return Response("unknown level", status=404)
        layer = service.static_layer(level)
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
        return jsonify(status="ok", package=service.manifest.get("title"), illustrative=service.illustrative,
                       observations=len(service.package.observations))

    return app


def _register_callbacks() -> None:
    """Import every module of ``callbacks/``: each registers its callbacks and pages on import."""
    import callbacks

    for module in sorted(pkgutil.iter_modules(callbacks.__path__), key=lambda m: m.name):
        importlib.import_module(f"callbacks.{module.name}")


app = create_app()
server = app.server


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the Atlas QPV")
    parser.add_argument("--host", default=os.environ.get("ATLAS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ATLAS_PORT", "8050")))
    parser.add_argument("--debug", action="store_true", default=os.environ.get("ATLAS_DEBUG") == "1",
                        help="enable Dash developer tools (off by default)")
    args = parser.parse_args()
    app.run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
