"""/comparer: up to four territories side by side; the selection and the indicators live in the URL.

Codes and indicator ids from the URL or the dropdown are checked against the package (exactly) and capped
before any computation.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, html, no_update

from atlas import categories
from atlas.aggregates import comparison_aggregates
from atlas.compare import comparison_rows, parse_selection, search_for, trend_frame
from atlas.csvexport import CsvTable, indicator_decimals
from atlas.embeds import compare_choices
from atlas.i18n import LANGUAGE_PARAM, SOURCE_LANGUAGE, _, language_from_query
from atlas.places import france_for
from atlas.views import CompareView, WellbeingPanel
from atlas.wellbeing import side_by_side, variant_for
from callbacks import csv_download
from callbacks.profile import PRINT_CHARTS_JS, PRINT_JS
from callbacks.router import register_page
from callbacks.state import service
from layouts import compare as layout
from layouts.embeds import choice_options

INDICATORS_PARAM = "indicateurs"
MAX_QUERY_LENGTH = 100  # characters of a territory search
MAX_ASKED = 50  # indicator ids read from a URL or a dropdown, at most


def text(value) -> str:
    """A browser value that must be a string: anything else (a list, a number, a dict) reads as empty."""
    return value if isinstance(value, str) else ""


def names_for(svc, territories) -> dict:
    return {(level, code): layout.territory_label(level, code, svc.territory_name(level, code) or code)
            for level, code in territories}


def valid_indicators(svc, asked) -> list[str]:
    """The known indicator ids among ``asked`` (exact ids, deduplicated, in order, capped)."""
    if not isinstance(asked, list | tuple):
        return []
    out = []
    for ident in asked[:MAX_ASKED]:
        if isinstance(ident, str) and svc.has_indicator(ident) and ident not in out and charted(svc, ident):
            out.append(ident)
    return out[: layout.MAX_TRENDS]


def chosen_indicators(svc, search: str | None) -> list[str]:
    """Indicators of ``&indicateurs=a,b`` when valid, else the package's default trends."""
    query = parse_qs(text(search).lstrip("?"))
    asked = [i.strip() for v in query.get(INDICATORS_PARAM, [])[:MAX_ASKED] for i in v.split(",")[:MAX_ASKED]]
    chosen = valid_indicators(svc, asked)
    if chosen or INDICATORS_PARAM in query:
        return chosen
    defaults = [i for i in svc.presentation.trends if svc.has_indicator(i) and charted(svc, i)]
    return (defaults or [i for i in svc.indicators_at("qpv") if charted(svc, i)][:4])[: layout.MAX_TRENDS]


def charted(svc, indicator: str) -> bool:
    """Whether an indicator can be drawn as curves: not a typology, whose classes are no quantities."""
    return svc.indicator(indicator)["kind"] != categories.KIND


def search_with_indicators(search: str | None, indicators: list[str]) -> str:
    """The query string with ``indicateurs`` replaced (the selection's ``codes`` kept as they are)."""
    query = parse_qs(text(search).lstrip("?"))
    codes = ",".join(query.get("codes", []))
    params = {"codes": codes} if codes else {}
    params[INDICATORS_PARAM] = ",".join(indicators)
    if language_from_query(search) != SOURCE_LANGUAGE:  # the interface language stays as it is
        params[LANGUAGE_PARAM] = language_from_query(search)
    return "?" + urlencode(params, safe=",:")


def examples(svc) -> list[tuple[str, str]]:
    """A few example comparisons, chosen deterministically from the package."""
    out = []
    rows = svc.territories.loc["qpv"] if svc.codes("qpv") else None
    quarters = sorted(rows.loc[rows["commune_code"].notna(), "code"]) if rows is not None else []
    evolution = svc.presentation.evolution
    measured = set(svc.annual_table(evolution, "qpv")[0].index) if evolution else set()
    with_values = [c for c in quarters if c in measured]  # an example with figures to compare
    if with_values or quarters:
        qpv = svc.territory("qpv", (with_values or quarters)[0])
        chain = [("qpv", qpv["code"])] + [(lvl, qpv[f"{lvl}_code"]) for lvl in ("commune", "departement")
                                          if isinstance(qpv.get(f"{lvl}_code"), str)
                                          and svc.is_known(lvl, qpv[f"{lvl}_code"])]
        france = france_for(svc, qpv)
        if france is not None:
            chain.append(("france", france.code))
        out.append((_("Le quartier {name} ({code}) et ses territoires de référence").format(
            name=qpv["name"], code=qpv["code"]),
                    "/comparer" + search_for(chain)))
    departements = sorted(svc.codes("departement"))
    if len(departements) >= 2:
        pair = [("departement", c) for c in (["75", "93"] if {"75", "93"} <= set(departements) else departements[:2])]
        label = _(" et ").join(svc.territory_name(*t) for t in pair)
        out.append((_("Deux départements : {names}").format(names=label), "/comparer" + search_for(pair)))
    return out


def compare_view(svc, search: str | None) -> CompareView:
    selection = parse_selection(search, svc.is_known)
    territories = selection.territories
    names = names_for(svc, territories)
    chosen = chosen_indicators(svc, search)
    results, marks = side_by_side(svc, territories)
    france = france_for(svc, {})
    if france is not None:
        names.setdefault(("france", france.code), france.name)
    rows = comparison_rows(svc, territories) if territories else pd.DataFrame()
    years = ({} if rows.empty else
             {ind: int(y) for ind, y in rows.dropna(subset=["year"]).groupby("indicator")["year"].first().items()})
    aggregates, aggregate_rows = comparison_aggregates(svc, territories, years)
    return CompareView(
        territories=tuple(territories), names=names, problems=tuple(selection.problems),
        rows=rows,
        wellbeing=WellbeingPanel(variant_for(svc), results, names, marks),
        trend_frames={ind: trend_frame(svc, territories, ind) for ind in chosen} if territories else {},
        metas={ind: svc.indicator(ind) for ind in chosen},
        options=tuple(layout.indicator_options(svc.indicators[svc.indicators["kind"] != categories.KIND])),
        chosen=tuple(chosen),
        examples=tuple(examples(svc)), france=("france", france.code) if france else None,
        embeds=tuple(compare_choices(svc, territories, chosen)),
        aggregates=aggregates, aggregate_rows=aggregate_rows,
    )


def build_compare(svc, params: dict, search: str):
    """The page; its content follows later changes of the query string (see ``follow_url``)."""
    return html.Div(id="compare-root", children=compare_content(svc, search))


def compare_content(svc, search: str | None):
    return layout.compare_page(compare_view(svc, search))


register_page("comparer", build_compare)


@callback(Output("compare-root", "children"), Input("url", "search"), State("url", "pathname"),
          State("compare-state", "data"), prevent_initial_call=True)
def follow_url(search, pathname, shown=None):
    """Adding or removing a territory changes the query string: rebuild the content from it. A change the page
    made itself (the indicators it wrote back) leaves the page as it is."""
    if text(pathname).rstrip("/") != "/comparer":
        return no_update
    search = text(search)
    svc = service()
    if isinstance(shown, dict) and isinstance(shown.get("keys"), list):
        same_keys = parse_selection(search, svc.is_known).keys == shown.get("keys")
        if same_keys and chosen_indicators(svc, search) == valid_indicators(svc, shown.get("indicators")):
            return no_update
    return compare_content(svc, search)


@callback(Output("compare-search-results", "children"), Input("compare-search", "value"), State("url", "search"),
          prevent_initial_call=True)
def search_territories(query, search):
    svc = service()
    territories = parse_selection(text(search), svc.is_known).territories
    if not isinstance(query, str) or not query.strip():
        return []
    return layout.search_results(svc.search(query[:MAX_QUERY_LENGTH], limit=8), territories)


@callback(Output("embed-choices", "data", allow_duplicate=True), Output("embed-choice", "options",
                                                                       allow_duplicate=True),
          Output("embed-choice", "value", allow_duplicate=True),
          Input("compare-indicators", "value"), State("url", "search"), prevent_initial_call=True)
def embed_the_shown_charts(indicators, search):
    """« Intégrer » offers the charts of the indicators shown."""
    svc = service()
    territories = parse_selection(text(search), svc.is_known).territories
    chosen = valid_indicators(svc, indicators)
    if not territories or not chosen:
        return no_update, no_update, no_update
    choices = compare_choices(svc, territories, chosen)
    return choices, choice_options(choices), 0


@callback(Output("compare-trends", "children"), Output("compare-url", "search"), Output("compare-state", "data"),
          Input("compare-indicators", "value"), State("url", "search"), prevent_initial_call=True)
def update_trends(indicators, search):
    """The charts of the chosen indicators, and the choice written back to the URL (shareable)."""
    svc = service()
    search = text(search)
    territories = parse_selection(search, svc.is_known).territories
    chosen = valid_indicators(svc, indicators)
    if not territories:
        return [], no_update, no_update
    frames = {ind: trend_frame(svc, territories, ind) for ind in chosen}
    charts = layout.trends(frames, {ind: svc.indicator(ind) for ind in chosen}, names_for(svc, territories),
                           territories)
    state = {"keys": [f"{level}:{code}" for level, code in territories], "indicators": chosen}
    return charts, search_with_indicators(search, chosen), state


def table_csv(svc, search: str | None) -> pd.DataFrame:
    territories = parse_selection(search, svc.is_known).territories
    rows = comparison_rows(svc, territories)
    if rows.empty:
        return rows
    rows = rows.assign(name=[svc.territory_name(lvl, code) for lvl, code in zip(rows["level"], rows["code"],
                                                                              strict=True)])
    return rows[["indicator", "label", "unit", "year", "level", "code", "name", "value", "value_year", "status",
                 "mark", "polarity", "source", "vintage"]]


def comparison_csv(search) -> CsvTable:
    """The comparison table: every indicator for every chosen territory, with its mark and source."""
    svc = service()
    return CsvTable(table_csv(svc, text(search)), "atlas-qpv-comparaison", decimals=indicator_decimals(svc.indicators))


def trends_csv(indicators, search) -> CsvTable:
    """The series of the chosen indicators for the chosen territories."""
    svc = service()
    territories = parse_selection(text(search), svc.is_known).territories
    frames = [trend_frame(svc, territories, ind).assign(indicator=ind) for ind in valid_indicators(svc, indicators)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return CsvTable(frame, "atlas-qpv-comparaison-series", decimals=indicator_decimals(svc.indicators))


csv_download.register("compare-csv", [State("url", "search")], comparison_csv)
csv_download.register("compare-trends-csv", [State("compare-indicators", "value"), State("url", "search")],
                      trends_csv)


clientside_callback(PRINT_JS, Output("compare-print", "title"), Input("compare-print", "n_clicks"),
                    prevent_initial_call=True)
clientside_callback(PRINT_CHARTS_JS, Output("compare-store", "modified_timestamp"), Input("compare-store", "data"))
