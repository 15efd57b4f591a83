"""Open data: the Données page and the download routes (plain Flask, no callback needed)."""

from __future__ import annotations

import dash
from flask import Response, abort, send_file

from atlas import opendata, schema
from callbacks.router import register_page
from callbacks.state import service
from layouts.opendata import data_page


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="atlas-qpv_{name}"'}


def register_routes(server) -> None:
    @server.route("/download/<name>.csv")
    def download_table_csv(name: str):
        if name not in {t.name for t in schema.TABLES}:
            abort(404)
        frame = service().package.table(name)
        return Response(opendata.csv_chunks(frame), mimetype="text/csv", headers=_attachment(f"{name}.csv"))

    @server.route("/download/<name>.parquet")
    def download_table_parquet(name: str):
        if name not in {t.name for t in schema.TABLES} or service().package.root is None:
            abort(404)
        return send_file(service().package.root / f"{name}.parquet", as_attachment=True,
                         download_name=f"atlas-qpv_{name}.parquet")

    @server.route("/download/manifest.json")
    def download_manifest():
        return send_file(service().package.root / schema.MANIFEST, as_attachment=True,
                         download_name="atlas-qpv_manifest.json")

    @server.route("/download/indicateur/<indicator>.csv")
    def download_indicator(indicator: str):
        svc = service()
        if not svc.has_indicator(indicator):
            abort(404)
        frame = opendata.indicator_csv(svc, indicator)
        return Response(opendata.csv_chunks(frame), mimetype="text/csv", headers=_attachment(f"{indicator}.csv"))

    @server.route("/download/geometry/<level>.geojson")
    def download_geometry(level: str):
        svc = service()
        if level not in svc.map_levels():
            abort(404)
        import gzip

        return Response(gzip.decompress(svc.static_layer(level).gzipped), mimetype="application/geo+json",
                        headers=_attachment(f"{level}.geojson"))


register_page("donnees", lambda svc, params, search: data_page(svc.manifest, opendata.exports(svc), svc.indicators,
                                                                svc.map_levels()))
register_routes(dash.get_app().server)
