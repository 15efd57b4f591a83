"""The barometer's progress map: colours and text-only tooltips per territory, legend, table alternative."""

from __future__ import annotations

import dash_leaflet as dl
import pandas as pd
from dash import html

from atlas import barometer as bar
from atlas.i18n import _
from layouts.charts import csv_downloads
from layouts.widgets import MAP_CENTER, dropdown, fmt, fmt_share, html_table, labelled, level_plural


def choropleth_hideout(codes, frame: pd.DataFrame, unit: str, decimals: int) -> dict:
    """Fill colour and French tooltip per territory code; the shapes come once from the static geometry."""
    by_code = {r.scope_code: r for r in frame.itertuples(index=False)}
    fills, tips = {}, {}
    for code in codes:
        row = by_code.get(code)
        share = None if row is None or row.progress is None or pd.isna(row.progress) else float(row.progress)
        _label, colour = bar.progress_class(share)
        fills[code] = colour
        if row is not None:
            tips[code] = _("{name} ({code}) — {status} ; avancement {progress} ; actuel {current}, cible "
                           "{target}").format(name=row.scope_name, code=code, status=bar.status_label(row.status),
                                              progress=fmt_share(share),
                                              current=fmt(row.current_value, unit, decimals),
                                              target=fmt(row.target_value, unit, decimals))
    return {"fills": fills, "tips": tips}


def progress_legend() -> html.Ul:
    items = [(_(label), colour) for _low, _high, label, colour in bar.PROGRESS_CLASSES]
    items.append(bar.progress_class(None))  # the class of territories without target or measure
    return html.Ul(className="baro-legend", children=[
        html.Li([html.Span(className="swatch", style={"background": colour}), label]) for label, colour in items
    ])


def progress_map(geometry: dict, hideout: dict, level: str) -> html.Div:
    """``geometry`` is ``{"data": …}`` or ``{"url": …}`` (see :func:`layouts.widgets.geometry_source`);
    changing the commitment only sends new colours and texts (hideout)."""
    return html.Div(className="map-wrap", children=[
        dl.Map(id="baro-map", center=MAP_CENTER, zoom=5.5, zoomSnap=0.25, style={"height": "480px"},
               attributionControl=True, keyboard=True, children=[
                   dl.GeoJSON(id="baro-map-layer", **geometry, hideout=hideout,
                              style={"variable": "atlasBarometer.choroplethStyle"},
                              onEachFeature={"variable": "atlasBarometer.onEachFeature"},
                              hoverStyle={"variable": "atlasBarometer.hoverStyle"},
                              attribution=_("Contours : {territories} (jeu de données)").format(
                                  territories=level_plural(level))),
               ]),
    ])


def map_table(frame: pd.DataFrame, unit: str, decimals: int) -> html.Table:
    rows = [{"territoire": f"{r.scope_name} ({r.scope_code})", "reference": fmt(r.baseline_value, unit, decimals),
             "actuel": fmt(r.current_value, unit, decimals), "cible": fmt(r.target_value, unit, decimals),
             "avancement": fmt_share(r.progress), "statut": bar.status_label(r.status)}
            for r in frame.sort_values("scope_code").itertuples(index=False)]
    return html_table([("territoire", _("Territoire")), ("reference", _("Référence")), ("actuel", _("Actuel")),
                       ("cible", _("Cible")), ("avancement", _("Avancement")), ("statut", _("Statut"))], rows,
                      _("Avancement de l'engagement par territoire (alternative à la carte)"),
                      numeric={"reference", "actuel", "cible", "avancement"})


def map_section(*, measure_options, measure_value, geometry, hideout, level, table, caption) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "baro-map-title"}, children=[
        html.H2(_("Carte de l'avancement par territoire"), id="baro-map-title"),
        labelled(_("Engagement représenté"), dropdown("baro-measure", measure_options, measure_value, clearable=False,
                                                   placeholder=_("Choisir un engagement")), "baro-measure"),
        html.P(caption, id="baro-map-caption", className="muted"),
        progress_legend(),
        progress_map(geometry, hideout, level),
        html.P(_("Les territoires d'outre-mer figurent dans le tableau ci-dessous."), className="muted"),
        html.Details(className="table-alternative", open=False, children=[
            html.Summary(_("Tableau de la carte (accessible au clavier et aux lecteurs d'écran)")),
            html.Div(id="baro-map-table", children=table),
        ]),
        html.Div(className="chart-actions", children=[
            csv_downloads("baro-map-download", _("Télécharger les données de la carte")),
        ]),
    ])

