"""The Données page: every figure downloadable, with source, licence and vintage, and its API equivalent."""

from __future__ import annotations

from dataclasses import dataclass, field

from dash import dash_table, html

from atlas.formatting import format_number
from atlas.i18n import N_, _, indicator_label
from atlas.levels import label as level_label
from atlas.schema import MINISTRIES, ministry_label
from atlas.themes import label as theme_label_of
from layouts.french_ui import table_filter_options


@dataclass(frozen=True)
class Access:
    """Beyond the files: each table's read-API address and licences (name, IRI or None)."""

    api: dict[str, str] = field(default_factory=dict)  # table -> /api/v1/… address
    licences: dict[str, tuple[tuple[str, str | None], ...]] = field(default_factory=dict)  # table -> licences
    package_licences: tuple[tuple[str, str | None], ...] = ()


API_NOTES = {"observations": N_(" (un indicateur par requête ; voir le tableau des indicateurs)")}


def licence_links(licences) -> list:
    """« Licence Ouverte / Etalab 2.0 » linked to its text when known; « non précisée » when absent."""
    if not licences:
        return [_("non précisée")]
    out: list = []
    for i, (name, iri) in enumerate(licences):
        out += ([_(" ; ")] if i else []) + [html.A(name, href=iri, rel="license") if iri else name]
    return out


def _file_row(export, access: Access) -> html.Tr:
    api = access.api.get(export.name)
    return html.Tr([
        html.Td([html.Strong(_(export.title)), html.Br(), html.Span(_(export.description), className="muted")]),
        html.Td(format_number(export.rows, 0), className="num"),
        html.Td([html.A(_("CSV (tableur, format français)"), href=f"/download/tableur/{export.name}.csv",
                        download="", className="csv-french"), " · ",
                 html.A(_("CSV (machine)"), href=f"/download/{export.name}.csv", download="",
                        className="csv-machine"), " · ",
                 html.A("Parquet", href=f"/download/{export.name}.parquet", download="")]),
        html.Td([html.A("API (JSON, CSV)", href=api, className="api-link"),
                 _(API_NOTES[export.name]) if export.name in API_NOTES else ""]
                if api else "—"),
        html.Td(licence_links(access.licences.get(export.name, access.package_licences)), className="licence"),
    ])


def data_page(manifest: dict, exports, indicators, map_levels: list[str], access: Access | None = None) -> html.Div:
    access = access or Access()
    files = [_file_row(e, access) for e in exports]
    geometry = [html.Li(html.A(_("Contours — {level} (GeoJSON, WGS84, simplifiés)").format(level=level_label(level)),
                               href=f"/download/geometry/{level}.geojson", download=""))
                for level in map_levels]
    catalogue = indicators.assign(
        theme_label=indicators["theme"].map(theme_label_of),
        ministry_label=indicators["ministry"].map(lambda m: ministry_label(m) if m in MINISTRIES else None).fillna("—"),
        csv="[" + _("CSV (tableur, format français)") + "](/download/tableur/indicateur/" + indicators["id"]
            + ".csv) · [" + _("CSV (machine)") + "](/download/indicateur/" + indicators["id"]
            + ".csv) · [API](/api/v1/observations?indicator=" + indicators["id"] + ")",
        licence_text=(indicators["licence"].fillna(_("non précisée")) if "licence" in indicators
                      else _("non précisée")),
    )
    return html.Div(className="data-page", children=[
        html.H1(_("Données ouvertes")),
        html.P([_("Toutes les données de l'atlas sont téléchargeables, sous "), html.Strong("Licence Ouverte 2.0"),
                _(" sauf mention contraire, avec leur source et leur millésime. Les valeurs couvertes par le secret "
                  "statistique sont vides, avec le statut « secret ».")]),
        html.P(_("Attention : ce jeu de données est illustratif, il ne décrit aucun territoire réel.")
               if manifest.get("illustrative") else "", className="about-illustrative"),
        html.H2(_("Tables du jeu de données")),
        html.P(_("Chaque fichier CSV existe sous deux formes : « tableur, format français » (séparateur « ; », "
                 "virgule décimale, en-têtes en français avec leur unité, valeurs arrondies comme dans l'atlas) "
                 "pour Excel ou LibreOffice, et « machine » (séparateur « , », point décimal, en-têtes stables, "
                 "pleine précision) pour les programmes. Les CSV de l'API sont sous la forme « machine ».")),
        html.Table(className="data-table", children=[
            html.Thead(html.Tr([html.Th(_("Table")), html.Th(_("Lignes"), className="num"),
                                html.Th(_("Fichiers")),
                                html.Th(_("Équivalent dans l'API")), html.Th(_("Licence"))])),
            html.Tbody(files),
        ]),
        html.P([html.A(_("Manifeste (sources, licences, sommes de contrôle)"), href="/download/manifest.json",
                       download=""), _(" — le modèle de données est décrit dans docs/data-package.md.")]),
        html.H2(_("Pour les catalogues et les programmes")),
        html.Ul([
            html.Li([html.A(_("Catalogue DCAT (JSON-LD)"), href="/api/v1/catalog.jsonld", className="dcat-link"),
                     _(" : titre, licences, sources, couverture temporelle et spatiale et adresse de chaque fichier, "
                       "moissonnable par les catalogues de données ouvertes (data.gouv.fr).")]),
            html.Li([html.A(_("API de lecture"), href="/api"), _(
                " : territoires, indicateurs, observations, engagements et crédits en JSON ou CSV, décrits par un "),
                html.A(_("document OpenAPI"), href="/api/v1/openapi.json"), "."]),
        ]),
        html.H2(_("Contours")),
        html.P([_("Licence : "), *licence_links(access.package_licences), "."]),
        html.Ul(geometry),
        html.H2(_("Un indicateur à la fois")),
        html.P(_("Chaque fichier contient l'indicateur à tous les échelons et toutes les périodes, avec le nom des "
                 "territoires, l'unité, la source, le millésime et la licence.")),
        dash_table.DataTable(
            id="data-catalogue",
            data=catalogue.assign(label=[indicator_label(row) for row in catalogue.itertuples(index=False)])[
                ["label", "theme_label", "ministry_label", "unit", "source", "vintage", "licence_text",
                 "csv"]].to_dict("records"),
            columns=[
                {"name": _("Indicateur"), "id": "label"}, {"name": _("Thème"), "id": "theme_label"},
                {"name": _("Ministère"), "id": "ministry_label"}, {"name": _("Unité"), "id": "unit"},
                {"name": _("Source"), "id": "source"}, {"name": _("Millésime"), "id": "vintage"},
                {"name": _("Licence"), "id": "licence_text"},
                {"name": _("Télécharger"), "id": "csv", "presentation": "markdown"},
            ],
            sort_action="native", filter_action="native", filter_options=table_filter_options(), page_size=60,
            markdown_options={"link_target": "_self"},
            style_cell={"fontFamily": "inherit", "fontSize": "0.9rem", "textAlign": "left", "whiteSpace": "normal",
                        "height": "auto", "padding": "4px 8px"},
            style_header={"fontWeight": "bold", "backgroundColor": "#f0f0f0"},
        ),
    ])
