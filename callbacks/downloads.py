"""Open data: the Données page and the download routes (plain Flask, no callback needed)."""

from __future__ import annotations

import hashlib

import dash
from flask import Response, abort, current_app, send_file

from atlas import opendata, schema
from atlas.api import catalogue
from atlas.csvexport import DEFAULT_VALUE_DECIMALS, FRENCH, MACHINE, CsvTable, indicator_decimals
from callbacks.state import service
from layouts.opendata import Access, data_page

TABLE_NAMES = frozenset(t.name for t in schema.TABLES)


def access_of(svc) -> Access:
    """Each table's API address and licences (with their IRIs), for the Données page."""
    def linked(names):
        return tuple((name, catalogue.licence_iri(name)) for name in names)

    return Access(api={t.name: catalogue.api_equivalent(svc, t.name) for t in schema.TABLES},
                  licences={t.name: linked(catalogue.table_licences(svc, t.name)) for t in schema.TABLES},
                  package_licences=linked(catalogue.licences(svc.manifest)))


def build_data_page(svc, params: dict, search: str):
    return data_page(svc.manifest, opendata.exports(svc), svc.indicators, svc.map_levels(), access_of(svc))


def export_store() -> opendata.ExportStore:
    directory = current_app.config.get("ATLAS_EXPORT_DIR")
    return service().derived("opendata:export-store", lambda svc: opendata.ExportStore(svc.fingerprint, directory),
                             maxsize=1)


def _send_csv(path, name: str, form: str):
    return send_file(path, mimetype="text/csv", as_attachment=True,
                     download_name=f"atlas-qpv_{name}" + ("_tableur.csv" if form == FRENCH else ".csv"),
                     conditional=True, max_age=3600)


def table_csv(name: str, form: str):
    """One table of the package; ``form`` is already one of FORMS (the route decides)."""
    if name not in TABLE_NAMES:
        abort(404)
    svc = service()
    path = export_store().csv(name, lambda: CsvTable(svc.package.table(name), name,
                                                     decimals=indicator_decimals(svc.indicators)), form)
    return _send_csv(path, name, form)


def indicator_csv(indicator: str, form: str):
    svc = service()
    if not svc.has_indicator(indicator):
        abort(404)
    stem = "indicateur-" + hashlib.sha256(indicator.encode()).hexdigest()[:16]  # ids never become paths
    decimals = indicator_decimals(svc.indicators).get(indicator, DEFAULT_VALUE_DECIMALS)
    path = export_store().csv(stem, lambda: CsvTable(opendata.indicator_csv(svc, indicator), stem, decimals=decimals),
                              form)
    return _send_csv(path, indicator, form)


def register_routes(server) -> None:
    # The machine form keeps the historical addresses (scripts and the DCAT catalogue use them); the French
    # spreadsheet form lives under /download/tableur/.
    @server.route("/download/<name>.csv", defaults={"form": MACHINE})
    @server.route("/download/tableur/<name>.csv", defaults={"form": FRENCH})
    def download_table_csv(name: str, form: str):
        return table_csv(name, form)

    @server.route("/download/indicateur/<indicator>.csv", defaults={"form": MACHINE})
    @server.route("/download/tableur/indicateur/<indicator>.csv", defaults={"form": FRENCH})
    def download_indicator(indicator: str, form: str):
        return indicator_csv(indicator, form)

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

    @server.route("/download/geometry/<level>.geojson")
    def download_geometry(level: str):
        import gzip

        svc = service()
        if level not in svc.map_levels():
            abort(404)
        return Response(gzip.decompress(svc.static_layer(level).gzipped), mimetype="application/geo+json",
                        headers={"Content-Disposition": f'attachment; filename="atlas-qpv_{level}.geojson"'})


register_routes(dash.get_app().server)
