"""/qpv/<code>: the quarter profile. Thin glue between atlas.profile & co. and layouts.profile."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, no_update

from atlas import peers as peer_model
from atlas import profile as model
from atlas.compare import comparison_rows, search_for, trend_frame, wellbeing_side_by_side
from atlas.wellbeing import INPUTS, wellbeing_history
from callbacks.cache import cached
from callbacks.router import register_page
from callbacks.state import service
from layouts import compare as cmp
from layouts import pages
from layouts import profile as layout
from layouts.charts import csv_bytes

PEER_INDICATORS = ("taux_pauvrete", "revenu_median", "taux_chomage", "taux_emploi", "reussite_brevet",
                   "esperance_vie", "atteintes_personnes")
DEFAULT_EVOLUTION = "taux_pauvrete"
PRINT_JS = "function(n) { if (n) { window.print(); } return window.dash_clientside.no_update; }"
# Charts are laid out for the screen; before printing, narrow them to the A4 text width (≈ 700 px), after
# printing give them back their container's width. Installed once per browser tab.
PRINT_CHARTS_JS = """
function(code) {
    if (!window.atlasPrintCharts) {
        window.atlasPrintCharts = true;
        var each = function(update) {
            if (!window.Plotly) { return; }
            document.querySelectorAll('.js-plotly-plot').forEach(function(el) { window.Plotly.relayout(el, update); });
        };
        window.addEventListener('beforeprint', function() { each({width: 700}); });
        window.addEventListener('afterprint', function() { each({width: null, autosize: true}); });
    }
    return window.dash_clientside.no_update;
}
"""


@cached("profile-peers")
def peer_list(code: str) -> list[list]:
    """[[code, distance], …] of the quarter's peers (JSON-able, so the app cache can share it)."""
    found = peer_model.find_peers(peer_model.features_for(service()), code)
    return [[str(c), float(d)] for c, d in found["distance"].items()]


def evolution_parts(svc, parents: dict, indicator: str):
    keys = [(level, code) for level, code, _ in parents.values()]
    names = layout.role_names(parents)
    meta = svc.indicator(indicator)
    frame = trend_frame(svc, keys, indicator)
    return cmp.trend_figure(frame, meta, names, keys), cmp.trend_table(frame, meta, names, keys), frame


def credits_source(svc, lines: pd.DataFrame) -> str:
    title = svc.manifest.get("title", "jeu de données")
    if lines.empty:
        return title
    return f"{title}, lignes de crédits {int(lines['year'].min())}–{int(lines['year'].max())}"


def build_profile_page(svc, params: dict, search: str, today: dt.date | None = None):
    code = (params or {}).get("code", "")
    profile = model.build_profile(svc, code)
    if profile is None:
        return pages.not_found({"reason": "unknown_code", "code": code})
    parents = profile.parents
    role_keys = [(level, c) for level, c, _ in parents.values()]
    wellbeing, wellbeing_marks = wellbeing_side_by_side(svc, role_keys)

    found = peer_list(code)
    peer_codes = [c for c, _ in found]
    peer_keys = [("qpv", code)] + [("qpv", c) for c in peer_codes]
    peer_names = {("qpv", c): f"{svc.territory_name('qpv', c)} ({c})" for _, c in peer_keys}
    indicators = [i for i in PEER_INDICATORS if svc.has_indicator(i)]
    peer_rows = comparison_rows(svc, peer_keys, indicators)
    peer_wellbeing, peer_marks = wellbeing_side_by_side(svc, peer_keys)

    lines = model.credits_for(svc.package.credits, profile.territory)
    at_qpv = svc.indicators_at("qpv")
    evolution = DEFAULT_EVOLUTION if DEFAULT_EVOLUTION in at_qpv else (at_qpv or tuple(svc.indicator_ids()))[0]
    figure, table, _ = evolution_parts(svc, parents, evolution)
    compare_keys = role_keys
    return layout.profile_page(
        profile,
        geometry=model.map_geometry(svc.package.geometry, profile.territory),
        wellbeing=wellbeing, wellbeing_names=layout.role_names(parents), wellbeing_marks=wellbeing_marks,
        wellbeing_history=wellbeing_history(svc, "qpv", code),
        wellbeing_inputs={i: (svc.indicator(i)["unit"], int(svc.indicator(i)["decimals"]))
                          for i in INPUTS if svc.has_indicator(i)},
        peer_self=peer_model.describe(svc, code),
        peers=[peer_model.describe(svc, c, d) for c, d in found],
        peer_rows=peer_rows, peer_names=peer_names, peer_wellbeing=peer_wellbeing, peer_wellbeing_marks=peer_marks,
        compare_href="/comparer" + search_for(compare_keys),
        peers_compare_href="/comparer" + search_for(peer_keys[:4]),
        credit_lines=lines, credits_by_year=model.credits_by_year(lines),
        credits_by_measure=model.credits_by_measure(lines), measures=model.measures_for(svc, code),
        credits_source=credits_source(svc, lines),
        evolution_figure=figure, evolution_table=table,
        evolution_options=cmp.indicator_options(svc.indicators),
        evolution_chosen=evolution,
        sources=model.sources_used(profile), illustrative=svc.illustrative, today=today or dt.date.today(),
        dataset_title=svc.manifest.get("title", ""),
        region_name=svc.territory_name("region", profile.territory.get("region_code")) or "",
    )


register_page("qpv", build_profile_page)


@callback(Output("profile-evolution-graph", "figure"), Output("profile-evolution-table", "children"),
          Input("profile-evolution-indicator", "value"), State("profile-code", "data"), prevent_initial_call=True)
def update_evolution(indicator, code):
    svc = service()
    territory = svc.territory("qpv", code or "")
    if territory is None or not indicator or not svc.has_indicator(indicator):
        return no_update, no_update
    figure, table, _ = evolution_parts(svc, model.parents_of(svc, territory), indicator)
    return figure, table


@callback(Output("profile-evolution-csv", "data"), Input("profile-evolution-csv-button", "n_clicks"),
          State("profile-evolution-indicator", "value"), State("profile-code", "data"), prevent_initial_call=True)
def download_evolution(n_clicks, indicator, code):
    svc = service()
    territory = svc.territory("qpv", code or "")
    if not n_clicks or territory is None or not svc.has_indicator(indicator or ""):
        return no_update
    parents = model.parents_of(svc, territory)
    frame = trend_frame(svc, [(lvl, c) for lvl, c, _ in parents.values()], indicator)
    meta = svc.indicator(indicator)
    frame = frame.assign(indicator=indicator, unit=meta["unit"], source=meta["source"], vintage=meta["vintage"])
    return dcc.send_bytes(csv_bytes(frame), f"atlas-qpv-{code}-{indicator}.csv")


@callback(Output("profile-csv", "data"), Input("profile-csv-button", "n_clicks"), State("profile-code", "data"),
          prevent_initial_call=True)
def download_profile(n_clicks, code):
    svc = service()
    profile = model.build_profile(svc, code or "")
    if not n_clicks or profile is None:
        return no_update
    return dcc.send_bytes(csv_bytes(model.profile_frame(svc, profile)), f"atlas-qpv-{code}-chiffres-cles.csv")


@callback(Output("profile-credits-csv", "data"), Input("profile-credits-csv-button", "n_clicks"),
          State("profile-code", "data"), prevent_initial_call=True)
def download_credits(n_clicks, code):
    svc = service()
    territory = svc.territory("qpv", code or "")
    if not n_clicks or territory is None:
        return no_update
    lines = model.credits_for(svc.package.credits, territory)
    lines = lines.assign(scope_label=lines["scope"].map(dict(model.CREDIT_SCOPES)))
    return dcc.send_bytes(csv_bytes(lines), f"atlas-qpv-{code}-credits.csv")


clientside_callback(PRINT_JS, Output("profile-print-done", "title"), Input("profile-print", "n_clicks"),
                    prevent_initial_call=True)

clientside_callback(PRINT_CHARTS_JS, Output("profile-code", "modified_timestamp"), Input("profile-code", "data"))
