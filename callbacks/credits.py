"""/credits: page builder and thin callbacks (state in the URL, aggregations cached)."""

from __future__ import annotations

import math

import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, no_update
from dash.exceptions import MissingCallbackContextException

from atlas import barometer as bar
from atlas import credits as cr
from atlas import leverage as lv
from atlas.formatting import format_euros, format_number
from atlas.schema import FUNDERS, LEVEL_LABELS_FR, THEMES
from callbacks.barometer import package_token, sources_text
from callbacks.cache import cached
from callbacks.router import register_page
from callbacks.state import service
from layouts import barometer as bui
from layouts import credits as ui
from layouts.charts import csv_bytes, slug

PAGE_SIZE = 15
FILTERS = [Input("cred-start", "value"), Input("cred-end", "value"), Input("cred-programme", "value"),
           Input("cred-ministry", "value"), Input("cred-theme", "value"), Input("cred-territory", "value"),
           Input("cred-carrier", "value")]
FILTER_STATES = [State(i.component_id, i.component_property) for i in FILTERS]
SORTABLE = {"year": "year", "programme": "programme", "ministry_fr": "ministry", "theme_fr": "theme",
            "label": "label", "carrier": "carrier", "territory": "code", "amount_eur": "cents",
            "beneficiaries": "beneficiaries"}

_PREPARED: dict[int, tuple[object, pd.DataFrame]] = {}


# ------------------------------------------------------------------ helpers


def lines() -> pd.DataFrame:
    """The package's credit lines with exact cents, prepared once per package."""
    package = service().package
    hit = _PREPARED.get(id(package))
    if hit is None or hit[0] is not package:
        _PREPARED.clear()
        hit = (package, cr.prepare(package.credits))
        _PREPARED[id(package)] = hit
    return hit[1]


def years_of() -> list[int]:
    values = lines()["year"]
    return list(range(int(values.min()), int(values.max()) + 1)) if len(values) else []


def normalised(start, end, programmes, ministries, themes, territory, carrier) -> dict:
    years = years_of()
    start = int(start) if start is not None else (years[0] if years else 0)
    end = int(end) if end is not None else (years[-1] if years else 0)
    if start > end:
        start, end = end, start
    parsed = bar.parse_territory(territory)
    if parsed and (parsed[0] == "france" or not service().is_known(*parsed)):
        parsed = None
    return {"years": [start, end], "programmes": sorted(programmes or []), "ministries": sorted(ministries or []),
            "themes": sorted(themes or []), "territory": list(parsed) if parsed else None,
            "carrier": (carrier or "").strip() or None}


def select(filters: dict) -> pd.DataFrame:
    return cr.filter_lines(lines(), service().package.territories, years=tuple(filters["years"]),
                           programmes=filters["programmes"], ministries=filters["ministries"],
                           themes=filters["themes"],
                           territory=tuple(filters["territory"]) if filters["territory"] else None,
                           carrier=filters["carrier"])


def credits_source() -> str:
    manifest = service().manifest
    return f"crédits — {manifest.get('title', 'jeu de données')} (généré le {manifest.get('generated_at', '')[:10]})"


def names_by_key() -> dict:
    terr = service().package.territories
    return dict(zip(zip(terr["level"].astype(str), terr["code"].astype(str), strict=True), terr["name"],
                    strict=True))


def map_level() -> str:
    present = set(service().package.territories["level"])
    return "departement" if "departement" in present else "region"


# ------------------------------------------------------------ cached data


@cached("credits:summary")
def summary(token: str, filters: dict) -> dict:
    """Everything the page shows about a selection, small enough to cache."""
    svc = service()
    selected = select(filters)
    territories = svc.package.territories
    level = map_level()
    return {
        "totals": cr.totals(selected, territories),
        "share": cr.p147_share(lines(), filters["years"][1]) if cr.STATE_BUDGET_NET_EXPENDITURE_EUR else None,
        "by_year_funder": cr.breakdown(selected, ["year", "ministry"]),
        "by_programme": cr.breakdown(selected, "programme"),
        "by_theme": cr.breakdown(selected, "theme"),
        "carriers": cr.top_carriers(selected, 15),
        "by_territory": cr.by_territory(selected, territories, level).assign(
            name=lambda f: f["code"].map(bar.territory_names(svc, level))),
        "points": cr.points_geojson(cr.located_points(selected)),
        "symbols": cr.symbols_geojson(cr.unlocated_by_territory(selected, territories)),
        "located_lines": int(selected["lon"].notna().sum()),
        "lines": len(selected),
    }


@cached("credits:page")
def lines_page(token: str, filters: dict, sort_by: list, page: int, page_size: int) -> tuple[list[dict], int]:
    selected = select(filters)
    if sort_by:
        column = SORTABLE.get(sort_by[0].get("column_id"), "cents")
        selected = selected.sort_values([column, "id"], ascending=[sort_by[0].get("direction") == "asc", True],
                                        na_position="last", kind="stable")
    else:
        selected = selected.sort_values(["year", "cents"], ascending=[False, False], kind="stable")
    count = max(1, math.ceil(len(selected) / page_size))
    page = min(max(0, int(page or 0)), count - 1)
    chunk = selected.iloc[page * page_size:(page + 1) * page_size]
    return ui.lines_rows(chunk, names_by_key()), count


@cached("credits:leverage")
def leverage_view(token: str, filters: dict, level: str, indicator: str) -> pd.DataFrame:
    return lv.leverage_table(service(), select(filters), indicator, level, tuple(filters["years"]))


@cached("credits:options")
def static_options(token: str) -> dict:
    svc = service()
    frame = lines()
    programmes = frame.groupby("programme")["cents"].sum().sort_values(ascending=False).index.tolist()
    present_funders, present_themes = set(frame["ministry"].unique()), set(frame["theme"].unique())
    funders = [f for f in FUNDERS if f in present_funders]
    themes = [t for t in THEMES if t in present_themes]
    territories = []
    for level in ("france", "region", "departement", "contrat_de_ville"):
        names = bar.territory_names(svc, level)
        prefix = "" if level == "france" else f"{ui.level_name(level)} — "
        for code, name in sorted(names.items()):
            territories.append({"label": name if level == "france" else f"{prefix}{name} ({code})",
                                "value": f"{level}:{code}"})
    result = svc.indicators[svc.indicators["kind"] == "result"]
    return {
        "years": years_of(),
        "programmes": [{"label": cr.programme_label(p), "value": p} for p in programmes],
        "ministries": [{"label": FUNDERS[f], "value": f} for f in funders],
        "themes": [{"label": THEMES[t], "value": t} for t in themes],
        "territories": territories,
        "levels": [{"label": LEVEL_LABELS_FR[lvl].split(" (")[0] + "s", "value": lvl}
                   for lvl in lv.leverage_levels(svc)],
        "indicators": [{"label": r.label_fr, "value": r.id} for r in result.itertuples(index=False)],
    }


# ------------------------------------------------------------- renderings


def render_summary(filters: dict):
    """(kpis, trend fig, trend table, programme fig, table, theme fig, table, carriers fig, table,
    points, symbols, map caption, map table, lines caption)."""
    data = summary(package_token(), filters)
    source = credits_source()
    years = tuple(filters["years"])
    programmes = {p: cr.programme_label(p) for p in data["by_programme"]["programme"]}
    level = map_level()
    caption = (f"{format_number(data['lines'], 0)} lignes, dont {format_number(data['located_lines'], 0)} "
               f"géolocalisées ; {format_number(len(data['symbols']['features']), 0)} territoires de rattachement "
               "pour les autres.")
    total = format_euros(float(data["totals"]["amount_eur"]))
    return (
        ui.kpi_cards(data["totals"], data["share"], years),
        ui.trend_figure(data["by_year_funder"], source), ui.trend_table(data["by_year_funder"]),
        ui.bar_figure(data["by_programme"], "programme", programmes, "Crédits par programme", source),
        ui.breakdown_table(data["by_programme"], "programme", programmes, "Crédits par programme"),
        ui.bar_figure(data["by_theme"], "theme", THEMES, "Crédits par thème", source, colour=ui.PALETTE[2]),
        ui.breakdown_table(data["by_theme"], "theme", THEMES, "Crédits par thème"),
        ui.bar_figure(data["carriers"], "carrier", {}, "Les 15 porteurs recevant le plus de crédits", source,
                      colour=ui.PALETTE[4]),
        ui.breakdown_table(data["carriers"], "carrier", {}, "Crédits par porteur"),
        data["points"], data["symbols"], caption, ui.territory_table(data["by_territory"], level),
        f"{format_number(data['lines'], 0)} lignes pour {total}.",
    )


def render_leverage(filters: dict, level: str | None, indicator: str | None):
    svc = service()
    if not level or not indicator or not svc.has_indicator(indicator):
        fig = bui.empty_figure("Choisissez un niveau et un indicateur.", credits_source())
        return None, fig, None
    table = leverage_view(package_token(), filters, level, indicator)
    meta = svc.indicator(indicator)
    source = f"{credits_source()} ; {sources_text([meta['source']], [meta['vintage']])}"
    fig = ui.leverage_figure(table, meta, level, tuple(filters["years"]), source)
    return ui.quadrant_summary(lv.quadrant_counts(table), meta["polarity"]), fig, ui.leverage_table(table, meta)


# ------------------------------------------------------------------ builder


def build(svc, params: dict, search: str):
    token = package_token()
    options = static_options(token)
    state = cr.credits_state(
        search, years=options["years"], programmes=[o["value"] for o in options["programmes"]],
        funders=[o["value"] for o in options["ministries"]], themes=[o["value"] for o in options["themes"]],
        is_known=svc.is_known, leverage_levels=[o["value"] for o in options["levels"]],
        result_indicators=[o["value"] for o in options["indicators"]])
    state["territory"] = state["territory"] or next((o["value"] for o in options["territories"]), None)
    filters = normalised(state["start"], state["end"], state["programmes"], state["ministries"], state["themes"],
                         state["territory"], state["carrier"])
    (kpis, trend_fig, trend_table, prog_fig, prog_table, theme_fig, theme_table, carrier_fig, carrier_table,
     points, symbols, map_caption, map_table, lines_caption) = render_summary(filters)
    charts = ui.charts_section(
        trend=ui.chart("cred-trend-graph", trend_fig, trend_table, filename="credits-par-annee",
                       description="Barres empilées des crédits par année et par financeur ; voir le tableau."),
        programmes=ui.chart("cred-programme-graph", prog_fig, prog_table, filename="credits-par-programme",
                            description="Crédits par programme ; voir le tableau."),
        themes=ui.chart("cred-theme-graph", theme_fig, theme_table, filename="credits-par-theme",
                        description="Crédits par thème ; voir le tableau."),
        carriers=ui.chart("cred-carriers-graph", carrier_fig, carrier_table, filename="principaux-porteurs",
                          description="Les quinze porteurs recevant le plus de crédits ; voir le tableau."),
    )
    # The outline comes with the page, from the atlas's compact static geometry.
    outline = svc.static_geojson(map_level()) if map_level() in svc.map_levels() else {
        "type": "FeatureCollection", "features": []}
    map_block = ui.map_section(outline=outline, points=points, symbols=symbols, caption=map_caption, table=map_table)
    rows, count = lines_page(token, filters, [], 0, PAGE_SIZE)
    lines_block = ui.lines_section(rows, count, PAGE_SIZE, lines_caption)
    summary_block, lev_fig, lev_table = render_leverage(filters, state["level"], state["indicator"])
    leverage = ui.leverage_section(level_options=options["levels"], level=state["level"],
                                   indicator_options=options["indicators"], indicator=state["indicator"],
                                   summary=summary_block, fig=lev_fig, table=lev_table)
    return ui.page(filters_block=ui.filters(state, options), kpis=kpis, charts=charts, map_block=map_block,
                   lines=lines_block, leverage=leverage, illustrative=svc.illustrative)


register_page("credits", build)


# ---------------------------------------------------------------- callbacks


def triggered_id():
    """The id of the input that fired the callback (None when called as a plain function)."""
    try:
        return ctx.triggered_id
    except MissingCallbackContextException:
        return None


def defaults() -> tuple[str | None, str | None]:
    options = static_options(package_token())
    levels = [o["value"] for o in options["levels"]]
    indicators = [o["value"] for o in options["indicators"]]
    level = "departement" if "departement" in levels else (levels[0] if levels else None)
    indicator = "taux_chomage" if "taux_chomage" in indicators else (indicators[0] if indicators else None)
    return level, indicator


@callback(Output("cred-url", "search"), *FILTERS, Input("cred-leverage-level", "value"),
          Input("cred-leverage-indicator", "value"), prevent_initial_call=True)
def sync_url(start, end, programmes, ministries, themes, territory, carrier, level, indicator):
    default_level, default_indicator = defaults()
    state = {"start": start, "end": end, "programmes": programmes, "ministries": ministries, "themes": themes,
             "territory": territory, "carrier": carrier, "level": level, "indicator": indicator}
    return cr.credits_query(state, years_of(), default_level=default_level, default_indicator=default_indicator)


@callback(Output("cred-kpis", "children"),
          Output("cred-trend-graph", "figure"), Output("cred-trend-table", "children"),
          Output("cred-programme-graph", "figure"), Output("cred-programme-table", "children"),
          Output("cred-theme-graph", "figure"), Output("cred-theme-table", "children"),
          Output("cred-carriers-graph", "figure"), Output("cred-carriers-table", "children"),
          Output("cred-map-points", "data"), Output("cred-map-symbols", "data"),
          Output("cred-map-caption", "children"), Output("cred-map-table", "children"),
          Output("cred-lines-caption", "children"),
          *FILTERS, prevent_initial_call=True)
def update_summary(*values):
    return render_summary(normalised(*values))


@callback(Output("cred-lines-table", "data"), Output("cred-lines-table", "page_count"),
          Output("cred-lines-table", "page_current"),
          Input("cred-lines-table", "page_current"), Input("cred-lines-table", "sort_by"), *FILTERS,
          prevent_initial_call=True)
def update_lines(page, sort_by, *values):
    filters_changed = triggered_id() not in (None, "cred-lines-table")
    page = 0 if filters_changed else (page or 0)
    rows, count = lines_page(package_token(), normalised(*values), sort_by or [], page, PAGE_SIZE)
    return rows, count, min(page, count - 1)


@callback(Output("cred-leverage-summary", "children"), Output("cred-leverage-graph", "figure"),
          Output("cred-leverage-table", "children"),
          Input("cred-leverage-level", "value"), Input("cred-leverage-indicator", "value"), *FILTERS,
          prevent_initial_call=True)
def update_leverage(level, indicator, *values):
    return render_leverage(normalised(*values), level, indicator)


# ---------------------------------------------------------------- downloads


def _download(n_clicks, values, key: str, filename: str):
    if not n_clicks:
        return no_update
    data = summary(package_token(), normalised(*values))
    frame = data[key].copy()
    if "ministry" in frame:
        frame["ministry_fr"] = frame["ministry"].map(FUNDERS)
    if "programme" in frame:
        frame["programme_fr"] = frame["programme"].map(cr.programme_label)
    if "theme" in frame:
        frame["theme_fr"] = frame["theme"].map(THEMES)
    return dcc.send_bytes(csv_bytes(frame), filename)


for _key, _graph, _name in (("by_year_funder", "cred-trend", "credits-par-annee-et-financeur.csv"),
                            ("by_programme", "cred-programme", "credits-par-programme.csv"),
                            ("by_theme", "cred-theme", "credits-par-theme.csv"),
                            ("carriers", "cred-carriers", "principaux-porteurs.csv"),
                            ("by_territory", "cred-map", "credits-par-territoire.csv")):
    def _make(key=_key, name=_name):
        def download(n_clicks, *values):
            return _download(n_clicks, values, key, name)
        download.__name__ = f"download_{key}"
        return download

    callback(Output(f"{_graph}-download", "data"), Input(f"{_graph}-download-button", "n_clicks"), *FILTER_STATES,
             prevent_initial_call=True)(_make())


@callback(Output("cred-lines-download", "data"), Input("cred-lines-download-button", "n_clicks"), *FILTER_STATES,
          prevent_initial_call=True)
def download_lines(n_clicks, *values):
    if not n_clicks:
        return no_update
    frame = select(normalised(*values)).drop(columns=["cents"])
    return dcc.send_bytes(csv_bytes(frame), "lignes-de-credits.csv")


@callback(Output("cred-leverage-download", "data"), Input("cred-leverage-download-button", "n_clicks"),
          State("cred-leverage-level", "value"), State("cred-leverage-indicator", "value"), *FILTER_STATES,
          prevent_initial_call=True)
def download_leverage(n_clicks, level, indicator, *values):
    if not n_clicks or not level or not indicator:
        return no_update
    frame = leverage_view(package_token(), normalised(*values), level, indicator)
    return dcc.send_bytes(csv_bytes(frame.assign(indicator=indicator, level=level)),
                          f"credits-et-resultats-{slug(indicator)}-{level}.csv")
