"""The Données page: every figure downloadable, with source, licence and vintage."""

from __future__ import annotations

from dash import dash_table, html

from atlas.formatting import format_number
from atlas.schema import LEVEL_LABELS_FR, MINISTRIES, THEMES


def data_page(manifest: dict, exports, indicators, map_levels: list[str]) -> html.Div:
    files = [
        html.Tr([
            html.Td([html.Strong(e.title), html.Br(), html.Span(e.description, className="muted")]),
            html.Td(format_number(e.rows, 0), className="num"),
            html.Td([html.A("CSV", href=f"/download/{e.name}.csv", download=""), " · ",
                     html.A("Parquet", href=f"/download/{e.name}.parquet", download="")]),
        ])
        for e in exports
    ]
    geometry = [html.Li(html.A(f"Contours — {LEVEL_LABELS_FR[level]} (GeoJSON, WGS84, simplifiés)",
                               href=f"/download/geometry/{level}.geojson", download=""))
                for level in map_levels]
    catalogue = indicators.assign(
        theme_label=indicators["theme"].map(THEMES),
        ministry_label=indicators["ministry"].map(MINISTRIES).fillna("—"),
        csv="[CSV](/download/indicateur/" + indicators["id"] + ".csv)",
    )
    return html.Div(className="data-page", children=[
        html.H1("Données ouvertes"),
        html.P(["Toutes les données de l'atlas sont téléchargeables, sous ", html.Strong("Licence Ouverte 2.0"),
                " sauf mention contraire, avec leur source et leur millésime. Les valeurs couvertes par le secret "
                "statistique sont vides, avec le statut « secret »."]),
        html.P("Attention : ce jeu de données est illustratif, il ne décrit aucun territoire réel."
               if manifest.get("illustrative") else "", className="about-illustrative"),
        html.H2("Tables du jeu de données"),
        html.Table(className="data-table", children=[
            html.Thead(html.Tr([html.Th("Table"), html.Th("Lignes", className="num"), html.Th("Formats")])),
            html.Tbody(files),
        ]),
        html.P([html.A("Manifeste (sources, licences, sommes de contrôle)", href="/download/manifest.json",
                       download=""), " — le modèle de données est décrit dans docs/data-package.md."]),
        html.H2("Contours"),
        html.Ul(geometry),
        html.H2("Un indicateur à la fois"),
        html.P("Chaque fichier contient l'indicateur à tous les échelons et toutes les périodes, avec le nom des "
               "territoires, l'unité, la source, le millésime et la licence."),
        dash_table.DataTable(
            id="data-catalogue",
            data=catalogue[["label_fr", "theme_label", "ministry_label", "unit", "source", "vintage", "csv"]]
            .to_dict("records"),
            columns=[
                {"name": "Indicateur", "id": "label_fr"}, {"name": "Thème", "id": "theme_label"},
                {"name": "Ministère", "id": "ministry_label"}, {"name": "Unité", "id": "unit"},
                {"name": "Source", "id": "source"}, {"name": "Millésime", "id": "vintage"},
                {"name": "Télécharger", "id": "csv", "presentation": "markdown"},
            ],
            sort_action="native", filter_action="native", page_size=60, markdown_options={"link_target": "_self"},
            style_cell={"fontFamily": "inherit", "fontSize": "0.9rem", "textAlign": "left", "whiteSpace": "normal",
                        "height": "auto", "padding": "4px 8px"},
            style_header={"fontWeight": "bold", "backgroundColor": "#f0f0f0"},
        ),
    ])
