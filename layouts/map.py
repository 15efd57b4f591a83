"""The atlas map page: controls, choropleth, legend, notes, widest gaps and the table alternative."""

from __future__ import annotations

from dataclasses import dataclass, field

import dash_leaflet as dl
import pandas as pd
from dash import dash_table, dcc, html

from atlas.embeds import map_choices
from atlas.i18n import N_, _, indicator_label
from atlas.levels import label as level_label
from atlas.mapclasses import MapPayload
from atlas.mapdata import MODES, OPERATIONS, SCHEMES, MapRequest, Reference
from atlas.mapexport import export_href
from atlas.schema import MINISTRIES, ministry_label
from atlas.themes import label as theme_label
from atlas.themes import labels as theme_labels
from layouts.charts import csv_downloads
from layouts.client_text import dropdown_labels
from layouts.embeds import embed_dialog
from layouts.map_legend import comparison_note, indicator_note, legend

FRANCE_VIEW = {"center": [46.6, 2.4], "zoom": 6}
BASEMAPS = {
    "aucun": None,
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            N_("© contributeurs d'OpenStreetMap")),
}
GEO_PREFIX = "/geo/"
# Quick views: metropolitan France and the five overseas départements, which a national view cannot show.
QUICK_VIEWS = (("FR", N_("France métropolitaine")), ("971", "Guadeloupe"), ("972", "Martinique"),
               ("973", N_("Guyane")), ("974", N_("La Réunion")), ("976", "Mayotte"))


def geometry_url(layer) -> str:
    return f"{GEO_PREFIX}{layer.filename}"


@dataclass(frozen=True)
class MapLayers:
    """The static geometry files of the page and how the choropleth draws them."""
    choropleth: str
    background: str | None = None  # communes behind the quarters, when the package has few enough
    outlines: str | None = None  # départements
    canvas: bool = False  # large layers are drawn on a canvas (one element instead of one per polygon)

    def hideout(self) -> dict:
        """Constant for a level: colours never travel through it (a new hideout re-creates every layer)."""
        return {"canvas": self.canvas}


@dataclass(frozen=True)
class MapPageContent:
    """Everything the map page shows, computed once per page build from a validated request."""
    request: MapRequest
    payload: MapPayload
    state: dict  # the browser's colouring state (see assets/atlas_map.js)
    layers: MapLayers
    indicator_options: list[dict]
    levels: list[str]
    years: list[int]
    references: tuple[Reference, ...]
    meta: dict
    view: dict = field(default_factory=lambda: dict(FRANCE_VIEW))
    basemap: str = "aucun"
    gaps: object = None
    report: str | None = None  # « Signaler une erreur » under the indicator note (None: reporting is off)


def indicator_options(indicators: pd.DataFrame, theme: str | None = None, ministry: str | None = None,
                      available: tuple[str, ...] | None = None) -> list[dict]:
    """Indicators the map can show at the chosen level, narrowed by theme and ministry."""
    frame = indicators if available is None else indicators[indicators["id"].isin(available)]
    if theme:
        frame = frame[frame["theme"] == theme]
    if ministry:
        frame = frame[frame["ministry"] == ministry]
    rows = sorted(frame.itertuples(), key=lambda row: (row.theme, indicator_label(row).casefold()))
    return [{"label": f"{indicator_label(row)} ({theme_label(row.theme)})", "value": row.id} for row in rows]


def reference_options(references: tuple[Reference, ...]) -> list[dict]:
    return [{"label": r.phrase[0].upper() + r.phrase[1:], "value": r.level} for r in references]


def mode_options(references: tuple[Reference, ...], categorical: bool = False) -> list[dict]:
    """Gap mode only where a reference has values for the indicator (never for a typology)."""
    why = _("sans objet pour une typologie") if categorical else _("aucune référence publiée")
    return [{"label": _(label) if key != "gap" or references else _("{mode} ({why})").format(mode=_(label), why=why),
             "value": key, "disabled": key == "gap" and not references} for key, label in MODES.items()]


def map_controls(content: MapPageContent) -> html.Section:
    request = content.request
    return html.Section(className="map-controls", **{"aria-label": _("Choix de l'indicateur et de l'affichage")},
                        children=[
        html.Div(className="search", children=[
            html.Label(_("Rechercher un quartier, une commune ou un code"), htmlFor="map-search"),
            dcc.Input(id="map-search", type="search", placeholder=_("ex. Roubaix, QN059…"), autoComplete="off",
                      className="search-input", debounce=0.2, maxLength=80),
            html.Ul(id="map-search-results", className="search-results"),
        ]),
        html.Label(_("Thème"), htmlFor="map-theme"),
        dcc.Dropdown(id="map-theme", options=[{"label": v, "value": k} for k, v in theme_labels().items()],
                     placeholder=_("Tous les thèmes"), clearable=True, labels=dropdown_labels()),
        html.Label(_("Ministère"), htmlFor="map-ministry"),
        dcc.Dropdown(id="map-ministry", options=[{"label": ministry_label(k), "value": k} for k in MINISTRIES],
                     placeholder=_("Tous les ministères"), clearable=True, labels=dropdown_labels()),
        html.Label(_("Indicateur"), htmlFor="map-indicator"),
        dcc.Dropdown(id="map-indicator", options=content.indicator_options, value=request.indicator,
                     clearable=False, labels=dropdown_labels(_("Aucun indicateur trouvé"))),
        html.Fieldset([
            html.Legend(_("Échelle")),
            dcc.RadioItems(id="map-level", value=request.level, className="radio-list",
                           options=[{"label": level_label(lvl), "value": lvl} for lvl in content.levels]),
        ]),
        html.Fieldset([
            html.Legend(_("Mode")),
            dcc.RadioItems(id="map-mode", value=request.mode, className="radio-list",
                           options=mode_options(content.references, content.payload.categorical)),
            html.Div(id="map-gap-options", hidden=request.mode != "gap", children=[
                html.Label(_("Écart à"), htmlFor="map-reference"),
                dcc.Dropdown(id="map-reference", value=request.reference, clearable=False,
                             options=reference_options(content.references), labels=dropdown_labels()),
                dcc.RadioItems(id="map-operation", value=request.operation, className="radio-list",
                               options=[{"label": _("en {operation}").format(operation=_(v)), "value": k}
                                        for k, v in OPERATIONS.items()]),
            ]),
        ]),
        # A typology is coloured by its own classes: no class scheme to choose.
        html.Fieldset(id="map-class-options", hidden=content.payload.categorical, children=[
            html.Legend(_("Classes")),
            dcc.RadioItems(id="map-scheme", value=request.scheme, className="radio-list",
                           options=[{"label": _(v), "value": k} for k, v in SCHEMES.items()]),
            dcc.Checklist(id="map-fixed", value=["fixed"] if request.fixed else [],
                          options=[{"label": _("Seuils identiques pour toutes les années"), "value": "fixed"}]),
        ]),
        html.Fieldset([
            html.Legend(_("Fond de carte")),
            dcc.RadioItems(id="map-basemap", value=content.basemap, className="radio-list",
                           options=[{"label": _("Aucun"), "value": "aucun"},
                                    {"label": "OpenStreetMap", "value": "osm"}]),
        ]),
    ])


def leaflet_map(content: MapPageContent) -> dl.Map:
    layers, tile = content.layers, BASEMAPS.get(content.basemap)
    overlays = [dl.GeoJSON(id="map-departements", url=layers.outlines, style={"variable": "atlasMap.outline"},
                           interactive=False)] if layers.outlines else []
    return dl.Map(
        id="atlas-map", center=content.view["center"], zoom=content.view["zoom"], minZoom=3, maxZoom=16,
        style={"height": "68vh", "minHeight": "420px"},
        children=[
            dl.TileLayer(id="map-tiles", url=tile[0] if tile else "", attribution=_(tile[1]) if tile else "",
                         opacity=1 if tile else 0),
            dl.Pane(name="communes", style={"zIndex": 380}, children=[
                dl.GeoJSON(id="map-communes", url=layers.background, hideout={"canvas": True},
                           style={"variable": "atlasMap.background"}, interactive=False),
            ]),
            dl.Pane(name="choropleth", style={"zIndex": 400}, children=[
                dl.GeoJSON(id="map-choropleth", url=layers.choropleth, hideout=layers.hideout(),
                           style={"variable": "atlasMap.style"}, onEachFeature={"variable": "atlasMap.onEachFeature"}),
            ]),
            dl.Pane(name="outlines", style={"zIndex": 420, "pointerEvents": "none"}, children=overlays),
            dl.ScaleControl(position="bottomleft", imperial=False),
        ],
    )


def table_section() -> html.Section:
    return html.Section(className="map-table", id="map-table-section", children=[
        html.H2(_("Tableau des valeurs affichées")),
        html.P(_("Alternative accessible à la carte : tous les territoires cartographiés, avec un lien vers leur "
                 "page, triables (cliquez un en-tête de colonne) et téléchargeables.")),
        html.Div(className="button-row", children=[
            html.Button(_("Afficher le tableau"), id="map-table-toggle", n_clicks=0,
                        className="button button-secondary",
                        **{"aria-expanded": "false", "aria-controls": "map-table-wrap"}),
            csv_downloads("map-csv", _("Télécharger le tableau")),
        ]),
        html.Div(id="map-table-wrap", hidden=True, children=[
            dash_table.DataTable(
                id="map-table", sort_action="native", page_size=50, page_action="native",
                markdown_options={"link_target": "_self"}, style_table={"overflowX": "auto"},
                style_cell={"fontFamily": "inherit", "fontSize": "0.9rem", "padding": "4px 8px", "textAlign": "left"},
                style_header={"fontWeight": "bold", "backgroundColor": "#f0f0f0"},
            ),
        ]),
    ])


def export_links(request: MapRequest) -> html.Div:
    """Downloads of the map as shown (links follow the map's state: assets/atlas_clientside.js)."""
    return html.Div(className="map-export button-row", children=[
        html.A(_("Télécharger la carte (PNG)"), id="map-export-png", href=export_href(request, "png"), download="",
               className="button button-secondary"),
        html.A(_("Télécharger la carte (SVG)"), id="map-export-svg", href=export_href(request, "svg"), download="",
               className="button button-secondary"),
    ])


def map_page(content: MapPageContent) -> html.Div:
    """The whole page. The map is one tab stop, preceded by a link that skips it."""
    years = content.years
    payload, year = content.payload, content.request.year
    return html.Div(className="map-page", children=[
        html.H1(_("Carte des inégalités territoriales")),
        html.Div(className="map-layout", children=[
            map_controls(content),
            html.Section(className="map-main", children=[
                html.Div(className="year-bar", children=[
                    html.Button(_("▶ Lecture"), id="map-play", className="button button-secondary", n_clicks=0,
                                **{"aria-pressed": "false"}),
                    html.Div(className="year-slider", children=[
                        dcc.Slider(id="map-year", min=years[0], max=years[-1], step=1, value=year,
                                   marks={y: str(y) for y in years}, included=False, updatemode="drag"),
                    ]),
                    dcc.Interval(id="map-play-timer", interval=1200, disabled=True),
                    dcc.Store(id="map-years", data=years),
                ]),
                html.A(_("Passer la carte"), href="#map-after", className="skip-link skip-map"),
                html.Div(className="map-frame", role="region",
                         **{"aria-label": _("Carte (utilisez le tableau ci-dessous pour une lecture au clavier)")},
                         children=leaflet_map(content)),
                html.Div(id="map-after", tabIndex="-1", className="map-after", children=[
                    html.Nav(className="quick-views", **{"aria-label": _("Aller à")}, children=[
                        html.Span(_("Aller à : ")),
                        *[html.Button(_(label), id={"type": "map-quick-view", "code": code}, n_clicks=0,
                                      className="search-hit") for code, label in QUICK_VIEWS],
                    ]),
                ]),
                html.Div(id="map-legend", className="map-legend", children=legend(payload, year),
                         **{"aria-live": "polite"}),
                html.Div(id="map-comparison-note", children=comparison_note(
                    payload, year, SCHEMES[content.request.scheme], content.request.fixed)),
                html.Div(id="map-gaps", children=content.gaps),
                html.Div(id="map-indicator-note", children=indicator_note(content.meta, content.report)),
                export_links(content.request),
                html.Div(className="map-share", children=embed_dialog(map_choices())),
                table_section(),
            ]),
        ]),
        dcc.Store(id="map-query"),
        dcc.Store(id="map-state", data=content.state),
        dcc.Store(id="map-painted"),
    ])
