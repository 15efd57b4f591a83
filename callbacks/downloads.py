"""Open data: the Données page and the download routes (plain Flask, no callback needed)."""

from __future__ import annotations

import hashlib

import dash
from flask import Response, abort, current_app, send_file

from atlas import opendata, schema
from callbacks.state import service
from layouts.opendata import data_page

TABLE_NAMES = frozenset(t.name for t in schema.TABLES)


def build_data_page(svc, params: dict, search: str):
    return data_page(svc.manifest, opendata.exports(svc), svc.indicators, svc.map_levels())


def export_store() -> opendata.ExportStore:
    directory = current_app.config.get("ATLAS_EXPORT_DIR")
    return service().derived("opendata:export-store", lambda svc: opendata.ExportStore(svc.fingerprint, directory),
                             maxsize=1)


def _send_csv(path, name: str):
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=f"atlas-qpv_{name}.csv",
                     conditional=True, max_age=3600)


def register_routes(server) -> None:
    @server.route("/download/<name>.csv")
    def download_table_csv(name: str):
        if name not in TABLE_NAMES:
            abort(404)
        path = export_store().csv(name, lambda: service().package.table(name))
        return _send_csv(path, name)

    @server.route("/download/<name>.parquet")
    def download_table_parquet(name: str):
        if name not in TABLE_NAMES or service().package.root is None:
            abort(404)
        return send_file(service().package.root / f"{name}.parquet", as_attachment=True,
                         download_name=f"atlas-qpv_{name}.parquet")

    @server.route("/download/manifest.json")
    def download_manifest():
        if service().package.root is None:
            abort(404)
        return send_file(service().package.root / schema.MANIFEST, as_attachment=True,
                         download_name="atlas-qpv_manifest.json")

    @server.route("/download/indicateur/<indicator>.csv")
    def download_indicator(indicator: str):
        svc = service()
        if not svc.has_indicator(indicator):
            abort(404)
        stem = "indicateur-" + hashlib.sha256(indicator.encode()).hexdigest()[:16]  # ids never become paths
        path = export_store().csv(stem, lambda: opendata.indicator_csv(svc, indicator))
        return _send_csv(path, indicator)

    @server.route("/download/geometry/<level>.geojson")
    def download_geometry(level: str):
        import gzip

        svc = service()
        if level not in svc.map_levels():
            abort(404)
        return Response(gzip.decompress(svc.static_layer(level).gzipped), mimetype="application/geo+json",
                        headers={"Content-Disposition": f'attachment; filename="atlas-qpv_{level}.geojson"'})


register_routes(dash.get_app().server)
