"""The atlas map page: controls, choropleth, legend, definition, widest gaps and table alternative."""

from __future__ import annotations

import dash_leaflet as dl
from dash import dash_table, dcc, html

from atlas.formatting import format_value
from atlas.mapdata import MODES, OPERATIONS, REFERENCES, SCHEMES, MapRequest, class_labels, gap_unit
from atlas.schema import LEVEL_LABELS_FR, MINISTRIES, THEMES

FRANCE_VIEW = {"center": [46.6, 2.4], "zoom": 6}
BASEMAPS = {
    "aucun": None,
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "© contributeurs d'OpenStreetMap"),
}
GEO_PREFIX = "/geo/"
# Quick views: metropolitan France and the five overseas départements, which a national view cannot show.
QUICK_VIEWS = (("FR", "France métropolitaine"), ("971", "Guadeloupe"), ("972", "Martinique"), ("973", "Guyane"),
               ("974", "La Réunion"), ("976", "Mayotte"))


def geometry_url(layer) -> str:
    return f"{GEO_PREFIX}{layer.filename}"


def indicator_options(indicators, theme: str | None = None, ministry: str | None = None,
                      available: tuple[str, ...] | None = None) -> list[dict]:
    """Indicators the map can show at the chosen level, narrowed by theme and ministry."""
    frame = indicators if available is None else indicators[indicators["id"].isin(available)]
    if theme:
        frame = frame[frame["theme"] == theme]
    if ministry:
        frame = frame[frame["ministry"] == ministry]
    return [{"label": f"{row.label_fr} ({THEMES.get(row.theme, row.theme)})", "value": row.id}
            for row in frame.sort_values(["theme", "label_fr"]).itertuples()]


def legend(payload: dict) -> html.Div:
    year = payload["year"]
    breaks = payload["breaks"] if payload["breaks"] is not None else payload["breaks_by_year"].get(str(year), [])
    labels = class_labels(breaks, payload["unit"], payload["decimals"])
    colors = payload["colors"][: len(labels)]
    if payload["mode"] == "gap":
        ref = REFERENCES.get(payload["reference"], "")
        op = "rapport" if payload["operation"] == "ratio" else "différence"
        title = f"Écart à {ref} ({op}) — {payload['label']}, {year}"
        note = ("Bleu : plus favorable que la référence ; rouge : moins favorable. "
                + ("Un rapport de 1 signifie aucun écart." if payload["operation"] == "ratio"
                   else "0 signifie aucun écart."))
    else:
        title = f"{payload['label']} — {year}"
        note = {
            "higher_is_worse": "Couleurs foncées : situations les plus défavorables (une valeur élevée est "
                               "défavorable pour cet indicateur).",
            "higher_is_better": "Couleurs foncées : situations les plus défavorables (une valeur faible est "
                                "défavorable pour cet indicateur).",
            "neutral": "Couleurs foncées : valeurs les plus élevées (indicateur de contexte, sans sens "
                       "favorable ou défavorable).",
        }[payload["polarity"]]
    rows = [html.Li([html.Span(className="swatch", style={"background": color}), label])
            for color, label in zip(colors, labels, strict=False)]
    rows.append(html.Li([html.Span(className="swatch swatch-secret",
                                   style={"background": payload["secret_color"]}),
                         "Secret statistique (population trop faible pour publier)"]))
    rows.append(html.Li([html.Span(className="swatch swatch-missing",
                                   style={"background": payload["missing_color"]}), "Non disponible"]))
    return html.Div([
        html.H2(title, className="legend-title"),
        html.Ul(rows, className="legend-classes"),
        html.P(note, className="legend-note"),
    ])


def indicator_note(meta: dict) -> html.Div:
    return html.Div(className="indicator-note", children=[
        html.H2("Définition et source"),
        html.P(meta["definition"]),
        html.P([html.Strong("Source : "), meta["source"], " — ", html.Strong("millésime : "), meta["vintage"],
                " — ", html.Strong("licence : "), meta["licence"]]),
        html.P([html.Strong("Comparabilité : "), meta["comparability"]]) if meta.get("comparability") else None,
    ])


def widest_gaps_list(frame, meta: dict, request: MapRequest, year: int) -> html.Div:
    if request.mode != "gap":
        return html.Div()
    ratio = request.operation == "ratio"
    items = []
    for row in frame.itertuples():
        gap = format_value(row.gap, "", 2) if ratio else format_value(row.gap, gap_unit(meta["unit"], request),
                                                                      int(meta["decimals"]), signed=True)
        items.append(html.Li([
            dcc.Link(f"{row.name} ({row.code})", href=f"/qpv/{row.code}"), " : ",
            format_value(row.value, meta["unit"], int(meta["decimals"])), " contre ",
            format_value(row.reference, meta["unit"], int(meta["decimals"])), f" — écart {gap}",
        ]))
    return html.Div(className="widest-gaps", children=[
        html.H2(f"Les écarts les plus défavorables à {REFERENCES[request.reference]} ({year})"),
        html.Ol(items),
    ])


def map_page(*, indicators, levels: list[str], years: list[int], request: MapRequest, year: int,
             geometry: dict[str, str], view: dict, basemap: str, payload: dict, meta: dict, gaps=None,
             theme: str | None = None, ministry: str | None = None,
             available: tuple[str, ...] | None = None) -> html.Div:
    """The whole page; ``geometry`` maps each level to its static file URL."""
    tile = BASEMAPS.get(basemap)
    overlays = []
    if "departement" in geometry:
        overlays.append(dl.GeoJSON(id="map-departements", url=geometry["departement"],
                                   style={"variable": "atlasMap.outline"}, interactive=False))
    return html.Div(className="map-page", children=[
        html.H1("Carte des inégalités territoriales"),
        html.Div(className="map-layout", children=[
            html.Section(className="map-controls", **{"aria-label": "Choix de l'indicateur et de l'affichage"},
                         children=[
                html.Div(className="search", children=[
                    html.Label("Rechercher un quartier, une commune ou un code", htmlFor="map-search"),
                    dcc.Input(id="map-search", type="search", placeholder="ex. Roubaix, QN059…",
                              autoComplete="off", className="search-input", debounce=0.2),
                    html.Ul(id="map-search-results", className="search-results", role="listbox"),
                ]),
                html.Label("Thème", htmlFor="map-theme"),
                dcc.Dropdown(id="map-theme", options=[{"label": v, "value": k} for k, v in THEMES.items()],
                             value=theme, placeholder="Tous les thèmes", clearable=True),
                html.Label("Ministère", htmlFor="map-ministry"),
                dcc.Dropdown(id="map-ministry", options=[{"label": v, "value": k} for k, v in MINISTRIES.items()],
                             value=ministry, placeholder="Tous les ministères", clearable=True),
                html.Label("Indicateur", htmlFor="map-indicator"),
                dcc.Dropdown(id="map-indicator", options=indicator_options(indicators, theme, ministry, available),
                             value=request.indicator, clearable=False),
                html.Fieldset([
                    html.Legend("Échelle"),
                    dcc.RadioItems(id="map-level", value=request.level, className="radio-list",
                                   options=[{"label": LEVEL_LABELS_FR[lvl], "value": lvl} for lvl in levels]),
                ]),
                html.Fieldset([
                    html.Legend("Mode"),
                    dcc.RadioItems(id="map-mode", value=request.mode, className="radio-list",
                                   options=[{"label": v, "value": k, "disabled": k == "gap" and request.level != "qpv"}
                                            for k, v in MODES.items()]),
                    html.Div(id="map-gap-options", hidden=request.mode != "gap", children=[
                        html.Label("Écart du quartier à", htmlFor="map-reference"),
                        dcc.Dropdown(id="map-reference", value=request.reference, clearable=False,
                                     options=[{"label": v, "value": k} for k, v in REFERENCES.items()]),
                        dcc.RadioItems(id="map-operation", value=request.operation, className="radio-list",
                                       options=[{"label": f"en {v}", "value": k} for k, v in OPERATIONS.items()]),
                    ]),
                ]),
                html.Fieldset([
                    html.Legend("Classes"),
                    dcc.RadioItems(id="map-scheme", value=request.scheme, className="radio-list",
                                   options=[{"label": v, "value": k} for k, v in SCHEMES.items()]),
                    dcc.Checklist(id="map-fixed", value=["fixed"] if request.fixed else [],
                                  options=[{"label": "Seuils identiques pour toutes les années", "value": "fixed"}]),
                ]),
                html.Fieldset([
                    html.Legend("Fond de carte"),
                    dcc.RadioItems(id="map-basemap", value=basemap, className="radio-list",
                                   options=[{"label": "Aucun", "value": "aucun"},
                                            {"label": "OpenStreetMap", "value": "osm"}]),
                ]),
            ]),
            html.Section(className="map-main", children=[
                html.Div(className="year-bar", children=[
                    html.Button("▶ Lecture", id="map-play", className="button button-secondary", n_clicks=0,
                                **{"aria-pressed": "false"}),
                    html.Div(className="year-slider", children=[
                        dcc.Slider(id="map-year", min=years[0], max=years[-1], step=1, value=year,
                                   marks={y: str(y) for y in years}, included=False, updatemode="drag"),
                    ]),
                    dcc.Interval(id="map-play-timer", interval=1200, disabled=True),
                    dcc.Store(id="map-years", data=years),
                ]),
                dl.Map(
                    id="atlas-map", center=view["center"], zoom=view["zoom"], minZoom=3, maxZoom=16,
                    style={"height": "68vh", "minHeight": "420px"}, preferCanvas=False,
                    children=[
                        dl.TileLayer(id="map-tiles", url=tile[0] if tile else "", attribution=tile[1] if tile else "",
                                     opacity=1 if tile else 0),
                        dl.Pane(name="communes", style={"zIndex": 380}, children=[
                            dl.GeoJSON(id="map-communes", url=geometry.get("commune") if request.level == "qpv"
                                       else None, style={"variable": "atlasMap.background"}, interactive=False),
                        ]),
                        dl.Pane(name="choropleth", style={"zIndex": 400}, children=[
                            dl.GeoJSON(id="map-choropleth", url=geometry[request.level], hideout=payload,
                                       style={"variable": "atlasMap.style"},
                                       onEachFeature={"variable": "atlasMap.onEachFeature"}),
                        ]),
                        dl.Pane(name="outlines", style={"zIndex": 420, "pointerEvents": "none"}, children=overlays),
                        dl.ScaleControl(position="bottomleft", imperial=False),
                    ],
                ),
                html.Nav(className="quick-views", **{"aria-label": "Aller à"}, children=[
                    html.Span("Aller à : "),
                    *[html.Button(label, id={"type": "map-quick-view", "code": code}, n_clicks=0,
                                  className="search-hit") for code, label in QUICK_VIEWS],
                ]),
                html.Div(id="map-legend", className="map-legend", children=legend(payload), **{"aria-live": "polite"}),
                html.Div(id="map-gaps", children=gaps),
                html.Div(id="map-indicator-note", children=indicator_note(meta)),
                html.Section(className="map-table", children=[
                    html.H2("Tableau des valeurs affichées"),
                    html.P("Alternative accessible à la carte : toutes les valeurs, triables (cliquez un en-tête "
                           "de colonne) et téléchargeables."),
                    html.Div(className="button-row", children=[
                        html.Button("Afficher le tableau", id="map-table-toggle", n_clicks=0,
                                    className="button button-secondary", **{"aria-expanded": "false",
                                                                            "aria-controls": "map-table-wrap"}),
                        html.Button("Télécharger en CSV", id="map-csv-button", n_clicks=0,
                                    className="button button-secondary"),
                        dcc.Download(id="map-csv"),
                    ]),
                    html.Div(id="map-table-wrap", hidden=True, children=[
                        dash_table.DataTable(
                            id="map-table", sort_action="native", page_size=25, page_action="native",
                            style_table={"overflowX": "auto"},
                            style_cell={"fontFamily": "inherit", "fontSize": "0.9rem", "padding": "4px 8px",
                                        "textAlign": "left"},
                            style_header={"fontWeight": "bold", "backgroundColor": "#f0f0f0"},
                        ),
                    ]),
                ]),
            ]),
        ]),
        dcc.Store(id="map-query"),
    ])
