"""/comparer: up to four territories side by side; the selection lives in the URL."""

from __future__ import annotations

from urllib.parse import parse_qs

import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from atlas.compare import comparison_rows, parse_selection, search_for, trend_frame, wellbeing_side_by_side
from callbacks.profile import PRINT_CHARTS_JS, PRINT_JS
from callbacks.router import register_page
from callbacks.state import service
from layouts import compare as layout
from layouts.charts import csv_bytes

DEFAULT_TRENDS = ("taux_pauvrete", "taux_chomage", "reussite_brevet", "esperance_vie")


def names_for(svc, territories) -> dict:
    return {(level, code): layout.territory_label(level, code, svc.territory_name(level, code) or code)
            for level, code in territories}


def chosen_indicators(svc, search: str | None) -> list[str]:
    """Indicators of ``&indicateurs=a,b`` when valid, else the defaults present in the package."""
    query = parse_qs((search or "").lstrip("?"))
    asked = [i for v in query.get("indicateurs", []) for i in v.split(",") if svc.has_indicator(i.strip())]
    # Defaults: the usual headline indicators, or else the first ones measured for quarters.
    chosen = asked or [i for i in DEFAULT_TRENDS if svc.has_indicator(i)] or list(svc.indicators_at("qpv")[:4])
    return chosen[: layout.MAX_TRENDS]


def examples(svc) -> list[tuple[str, str]]:
    """A few example comparisons, chosen deterministically from the package."""
    out = []
    codes = svc.codes("qpv")
    if codes:
        qpv = svc.territory("qpv", sorted(codes)[0])
        chain = [("qpv", qpv["code"])] + [(lvl, qpv[f"{lvl}_code"]) for lvl in ("commune", "departement")
                                          if isinstance(qpv.get(f"{lvl}_code"), str)]
        if svc.is_known("france", "FR"):
            chain.append(("france", "FR"))
        out.append((f"Le quartier {qpv['name']} ({qpv['code']}), sa commune, son département et la France",
                    "/comparer" + search_for(chain)))
    departements = sorted(svc.codes("departement"))
    if len(departements) >= 2:
        pair = [("departement", c) for c in (["75", "93"] if {"75", "93"} <= set(departements) else departements[:2])]
        label = " et ".join(svc.territory_name(*t) for t in pair)
        out.append((f"Deux départements : {label}", "/comparer" + search_for(pair)))
    return out


def build_compare(svc, params: dict, search: str):
    """The page; its content follows later changes of the query string (see ``follow_url``)."""
    return html.Div(id="compare-root", children=compare_content(svc, search))


def compare_content(svc, search: str | None):
    selection = parse_selection(search, svc.is_known)
    territories = selection.territories
    names = names_for(svc, territories)
    chosen = chosen_indicators(svc, search)
    rows = comparison_rows(svc, territories) if territories else pd.DataFrame()
    wellbeing, marks = wellbeing_side_by_side(svc, territories)
    frames = {ind: trend_frame(svc, territories, ind) for ind in chosen} if territories else {}
    metas = {ind: svc.indicator(ind) for ind in chosen}
    return layout.compare_page(
        territories=territories, names=names, problems=selection.problems, rows=rows, wellbeing=wellbeing,
        wellbeing_marks=marks, trend_frames=frames, metas=metas, options=layout.indicator_options(svc.indicators),
        chosen=chosen, examples=examples(svc), france_available=svc.is_known("france", "FR"),
    )


register_page("comparer", build_compare)


@callback(Output("compare-root", "children"), Input("url", "search"), State("url", "pathname"),
          prevent_initial_call=True)
def follow_url(search, pathname):
    """Adding or removing a territory only changes the query string: rebuild the content from it."""
    if (pathname or "").rstrip("/") != "/comparer":
        return no_update
    return compare_content(service(), search)


@callback(Output("compare-search-results", "children"), Input("compare-search", "value"), State("url", "search"),
          prevent_initial_call=True)
def search_territories(query, search):
    svc = service()
    territories = parse_selection(search, svc.is_known).territories
    if not (query or "").strip():
        return []
    return layout.search_results(svc.search(query, limit=8), territories)


@callback(Output("compare-trends", "children"), Input("compare-indicators", "value"), State("url", "search"),
          prevent_initial_call=True)
def update_trends(indicators, search):
    svc = service()
    territories = parse_selection(search, svc.is_known).territories
    chosen = [i for i in (indicators or []) if svc.has_indicator(i)][: layout.MAX_TRENDS]
    if not territories:
        return []
    frames = {ind: trend_frame(svc, territories, ind) for ind in chosen}
    return layout.trends(frames, {ind: svc.indicator(ind) for ind in chosen}, names_for(svc, territories),
                         territories)


def table_csv(svc, search: str | None) -> pd.DataFrame:
    territories = parse_selection(search, svc.is_known).territories
    rows = comparison_rows(svc, territories)
    if rows.empty:
        return rows
    rows = rows.assign(name=[svc.territory_name(lvl, code) for lvl, code in zip(rows["level"], rows["code"],
                                                                              strict=True)])
    mark_fr = {"best": "meilleur", "worst": "moins bon"}
    rows["mark"] = rows["mark"].map(mark_fr)
    return rows[["indicator", "label", "unit", "year", "level", "code", "name", "value", "status", "mark",
                 "polarity", "source", "vintage"]]


@callback(Output("compare-csv", "data"), Input("compare-csv-button", "n_clicks"), State("url", "search"),
          prevent_initial_call=True)
def download_table(n_clicks, search):
    if not n_clicks:
        return no_update
    frame = table_csv(service(), search)
    return dcc.send_bytes(csv_bytes(frame), "atlas-qpv-comparaison.csv")


@callback(Output("compare-trends-csv", "data"), Input("compare-trends-csv-button", "n_clicks"),
          State("compare-indicators", "value"), State("url", "search"), prevent_initial_call=True)
def download_trends(n_clicks, indicators, search):
    if not n_clicks:
        return no_update
    svc = service()
    territories = parse_selection(search, svc.is_known).territories
    frames = [trend_frame(svc, territories, ind).assign(indicator=ind)
              for ind in (indicators or []) if svc.has_indicator(ind)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return dcc.send_bytes(csv_bytes(frame), "atlas-qpv-comparaison-series.csv")


clientside_callback(PRINT_JS, Output("compare-print", "title"), Input("compare-print", "n_clicks"),
                    prevent_initial_call=True)
clientside_callback(PRINT_CHARTS_JS, Output("compare-store", "modified_timestamp"), Input("compare-store", "data"))
