"""/credits: page builder and thin callbacks (state in the URL, aggregations cached).

Every value a browser sends goes through :func:`filters_of` / :func:`leverage_of` first: only values
the package offers reach a computation or a cache key.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import pandas as pd
from dash import Input, Output, State, callback, ctx
from dash.exceptions import MissingCallbackContextException

from atlas import barometer as bar
from atlas import credits as cr
from atlas import credits_state as st
from atlas import leverage as lv
from atlas.csvexport import CsvTable, indicator_decimals
from atlas.formatting import format_euros, format_number
from atlas.i18n import _, indicator_label, ngettext
from atlas.schema import FUNDERS, ministry_label
from atlas.themes import labels as theme_labels
from callbacks import csv_download
from callbacks.barometer import map_geometry, package_token, sources_text
from callbacks.cache import cached, package_fingerprint
from callbacks.figures import figure_update, figure_updates
from callbacks.router import register_page
from callbacks.state import service
from layouts import credits as ui
from layouts import credits_leverage as leverage_ui
from layouts.charts import slug
from layouts.widgets import empty_figure, level_name, level_plural, note_outputs

PAGE_SIZE = 15
FILTERS = [Input("cred-start", "value"), Input("cred-end", "value"), Input("cred-programme", "value"),
           Input("cred-ministry", "value"), Input("cred-theme", "value"), Input("cred-territory", "value"),
           Input("cred-carrier", "value")]
FILTER_STATES = [State(i.component_id, i.component_property) for i in FILTERS]
EMPTY_COLLECTION = {"type": "FeatureCollection", "features": []}
MAP_FILES = "/geo/credits"  # served by callbacks/credits_map.py


# ------------------------------------------------------------------ helpers


@functools.lru_cache(maxsize=2)
def _prepared(token: str) -> pd.DataFrame:
    return cr.prepare(service().package.credits)


def lines() -> pd.DataFrame:
    """The package's credit lines with exact cents, prepared once per package."""
    return _prepared(package_token())


def years_of() -> list[int]:
    values = lines()["year"]
    return list(range(int(values.min()), int(values.max()) + 1)) if len(values) else []


@functools.lru_cache(maxsize=2)
def _choices(token: str) -> st.CreditsChoices:
    svc = service()
    frame = lines()
    years = tuple(years_of())
    pairs = lv.candidates(svc, frame, (years[0], years[-1])) if years else {}
    catalogue = list(svc.indicators["id"])
    level, indicator = lv.default_pair(pairs, catalogue)
    present = set(svc.package.territories["level"])
    funders, themes = set(frame["ministry"]), set(frame["theme"])
    return st.CreditsChoices(
        years=years,
        programmes=tuple(frame.groupby("programme")["cents"].sum().sort_values(ascending=False).index),
        funders=tuple(f for f in FUNDERS if f in funders),
        themes=tuple(t for t in theme_labels() if t in themes),
        levels=tuple(lvl for lvl in st.TERRITORY_LEVELS if lvl in present),
        leverage_levels=tuple(lvl for lvl in lv.leverage_levels(svc) if lvl in {p[0] for p in pairs})
        or tuple(lv.leverage_levels(svc)),
        leverage_indicators=tuple(i for i in catalogue if i in {p[1] for p in pairs}),
        default_level=level or next(iter(lv.leverage_levels(svc)), None),
        default_indicator=indicator,
    )


def choices() -> st.CreditsChoices:
    """What the served package offers, computed once per package."""
    return _choices(package_token())


def filters_of(start=None, end=None, programmes=None, ministries=None, themes=None, territory=None,
               carrier=None) -> st.CreditsFilters:
    """Hostile callback values → the validated selection (unknown values become the defaults)."""
    return st.clean_filters(choices(), service().is_known, start=start, end=end, programmes=programmes,
                            ministries=ministries, themes=themes, territory=territory, carrier=carrier)


def leverage_of(level, indicator) -> st.LeverageChoice:
    return st.clean_leverage(choices(), level, indicator)


def select(key: dict) -> pd.DataFrame:
    return cr.filter_lines(lines(), service().package.territories, years=tuple(key["years"]),
                           programmes=key["programmes"], ministries=key["ministries"], themes=key["themes"],
                           territory=tuple(key["territory"]) if key["territory"] else None, carrier=key["carrier"])


def credits_source() -> str:
    manifest = service().manifest
    return _("crédits — {dataset} (généré le {date})").format(dataset=manifest.get("title") or _("jeu de données"),
                                                               date=manifest.get("generated_at", "")[:10])


def names_of(chunk: pd.DataFrame) -> dict:
    """``(level, code) -> name`` for the territories of a page of lines (a few, not the 40,000)."""
    svc = service()
    pairs = set(zip(chunk["level"], chunk["code"], strict=True))
    return {(lvl, code): svc.territory_name(lvl, code) or code for lvl, code in pairs}


def map_query(filters: st.CreditsFilters) -> str:
    """The canonical query of a selection's map files (the leverage choice does not change them)."""
    offered = choices()
    return st.to_query(filters, st.clean_leverage(offered, None, None), offered)


def map_layer_url(kind: str, filters: st.CreditsFilters) -> str:
    """Where the credit map's layer of ``kind`` (points, symbols) fetches its GeoJSON for a selection."""
    return f"{MAP_FILES}/{package_fingerprint()}/{kind}.json{map_query(filters)}"


def map_level() -> str:
    return "departement" if "departement" in choices().levels else "region"


# ------------------------------------------------------------ cached data
# Arguments are validated values only: a key can never hold a value the package lacks.


@cached("credits:summary")
def summary(token: str, key: dict) -> dict:
    """Everything the page shows about a selection, small enough to cache."""
    svc = service()
    selected = select(key)
    territories = svc.package.territories
    level = map_level()
    return {
        "totals": cr.totals(selected, territories),
        "share": cr.p147_share(lines(), key["years"][1]) if cr.STATE_BUDGET_NET_EXPENDITURE_EUR else None,
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


@cached("credits:size")
def selection_size(token: str, key: dict) -> int:
    return len(select(key))


@cached("credits:page")
def lines_page(token: str, key: dict, sort: list | None, page: int) -> tuple[list[dict], int]:
    """One page of the lines table; ``sort`` is a validated ``[column, direction]`` or None."""
    selected = select(key)
    if sort:
        column = st.SORTABLE[sort[0]]
        selected = selected.sort_values([column, "id"], ascending=[sort[1] == "asc", True], na_position="last",
                                        kind="stable")
    else:
        selected = selected.sort_values(["year", "cents"], ascending=[False, False], kind="stable")
    count = max(1, math.ceil(len(selected) / PAGE_SIZE))
    page = min(page, count - 1)
    chunk = selected.iloc[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    return ui.lines_rows(chunk, names_of(chunk)), count


@cached("credits:leverage")
def leverage_view(token: str, key: dict, level: str, indicator: str) -> pd.DataFrame:
    return lv.leverage_table(service(), select(key), indicator, level, tuple(key["years"]))


@cached("credits:options")
def static_options(token: str) -> dict:
    svc = service()
    offered = choices()
    territories = []
    for level in offered.levels:
        names = bar.territory_names(svc, level)
        prefix = "" if level == "france" else f"{level_name(level)} — "
        for code, name in sorted(names.items()):
            territories.append({"label": name if level == "france" else f"{prefix}{name} ({code})",
                                "value": f"{level}:{code}"})
    labels = {row.id: indicator_label(row) for row in svc.indicators.itertuples(index=False)}
    return {
        "years": list(offered.years),
        "programmes": [{"label": cr.programme_label(p), "value": p} for p in offered.programmes],
        "ministries": [{"label": ministry_label(f), "value": f} for f in offered.funders],
        "themes": [{"label": theme_labels()[t], "value": t} for t in offered.themes],
        "territories": territories,
        "levels": [{"label": level_plural(lvl).capitalize(), "value": lvl} for lvl in offered.leverage_levels],
        "indicators": [{"label": labels[i], "value": i} for i in offered.leverage_indicators],
    }


# ------------------------------------------------------------- renderings


@dataclass(frozen=True)
class SummaryView:
    """Everything the filters change above the lines table."""

    kpis: object
    trend: tuple  # (figure, table)
    programmes: tuple
    themes: tuple
    carriers: tuple
    points: str  # the addresses the map layers fetch (callbacks/credits_map.py)
    symbols: str
    map_caption: str
    map_table: object
    lines_caption: str

    def outputs(self) -> tuple:
        return (self.kpis, *self.trend, *self.programmes, *self.themes, *self.carriers, self.points, self.symbols,
                self.map_caption, self.map_table, self.lines_caption)


def render_summary(filters: st.CreditsFilters) -> SummaryView:
    return summary_view(package_token(), filters.key())


@cached("credits:summary-view")
def summary_view(token: str, key: dict) -> SummaryView:
    """The rendered figures and tables of a selection (building Plotly figures costs more than the sums)."""
    filters = st.CreditsFilters(start=key["years"][0], end=key["years"][1], programmes=tuple(key["programmes"]),
                                ministries=tuple(key["ministries"]), themes=tuple(key["themes"]),
                                territory=tuple(key["territory"]) if key["territory"] else None,
                                carrier=key["carrier"])
    data = summary(token, key)
    source = credits_source()
    programmes = {p: cr.programme_label(p) for p in data["by_programme"]["programme"]}
    level = map_level()
    located = data["located_lines"]
    located_text = (_("{count} géolocalisées").format(count=format_number(located, 0)) if located
                    else _("aucune avec des coordonnées propres"))
    caption = _("{lines} lignes, dont {located} ; {territories} territoires de rattachement pour les autres.").format(
        lines=format_number(data["lines"], 0), located=located_text,
        territories=format_number(len(data["symbols"]["features"]), 0))
    total = format_euros(float(data["totals"]["amount_eur"]))
    # Figures are kept as plain dicts: a cached Plotly object takes longer to unpickle than to rebuild.
    return SummaryView(
        kpis=ui.kpi_cards(data["totals"], data["share"], filters.years),
        trend=(ui.trend_figure(data["by_year_funder"], source).to_dict(), ui.trend_table(data["by_year_funder"])),
        programmes=(ui.bar_figure(data["by_programme"], "programme", programmes, _("Crédits par programme"), source)
                    .to_dict(),
                    ui.breakdown_table(data["by_programme"], "programme", programmes, _("Crédits par programme"),
                                       _("Programme"))),
        themes=(ui.bar_figure(data["by_theme"], "theme", theme_labels(), _("Crédits par thème"), source,
                              colour=ui.PALETTE[2]).to_dict(),
                ui.breakdown_table(data["by_theme"], "theme", theme_labels(), _("Crédits par thème"), _("Thème"))),
        carriers=(ui.bar_figure(data["carriers"], "carrier", {}, _("Les 15 porteurs recevant le plus de crédits"),
                                source, colour=ui.PALETTE[4]).to_dict(),
                  ui.breakdown_table(data["carriers"], "carrier", {}, _("Crédits par porteur"), _("Porteur"))),
        points=map_layer_url("points", filters), symbols=map_layer_url("symbols", filters), map_caption=caption,
        map_table=ui.territory_table(data["by_territory"], level),
        lines_caption=ngettext("{count} ligne pour {amount}.", "{count} lignes pour {amount}.", data["lines"]).format(
            count=format_number(data["lines"], 0), amount=total),
    )


def render_leverage(filters: st.CreditsFilters, choice: st.LeverageChoice) -> tuple:
    """(quadrant summary, figure, table, note): cached rendered, the figure as a plain dict."""
    if not choice.level or not choice.indicator:
        return None, empty_figure(_(leverage_ui.LEVERAGE_NONE), credits_source()), None, _(leverage_ui.LEVERAGE_NONE)
    return leverage_render(package_token(), filters.key(), choice.level, choice.indicator)


@cached("credits:leverage-view")
def leverage_render(token: str, key: dict, level: str, indicator: str) -> tuple:
    table = leverage_view(token, key, level, indicator)
    meta = service().indicator(indicator)
    years = tuple(key["years"])
    source = f"{credits_source()} ; {sources_text([meta['source']], [meta['vintage']])}"
    fig = leverage_ui.leverage_figure(table, meta, level, years, source).to_dict()
    note = None if len(table) else _(
        "Pas assez de territoires ({territories}) avec des crédits, des habitants de QPV connus et deux valeurs "
        "annuelles de « {indicator} » entre {start} et {end} : choisissez un autre indicateur, une autre échelle ou "
        "une période plus longue.").format(territories=level_plural(level), indicator=indicator_label(meta),
                                          start=years[0], end=years[1])
    return (leverage_ui.quadrant_summary(lv.quadrant_counts(table), meta["polarity"]) if len(table) else None, fig,
            leverage_ui.leverage_table(table, meta), note)


# ------------------------------------------------------------------ builder


def build(svc, params: dict, search: str):
    token = package_token()
    offered = choices()
    options = static_options(token)
    filters, choice = st.state_from_query(offered, svc.is_known, search)
    view = render_summary(filters)
    charts = ui.charts_section(
        trend=ui.chart("cred-trend-graph", *view.trend, filename="credits-par-annee",
                       description=_("Barres empilées des crédits par année et par financeur ; voir le tableau.")),
        programmes=ui.chart("cred-programme-graph", *view.programmes, filename="credits-par-programme",
                            description=_("Crédits par programme ; voir le tableau.")),
        themes=ui.chart("cred-theme-graph", *view.themes, filename="credits-par-theme",
                        description=_("Crédits par thème ; voir le tableau.")),
        carriers=ui.chart("cred-carriers-graph", *view.carriers, filename="principaux-porteurs",
                          description=_("Les quinze porteurs recevant le plus de crédits ; voir le tableau.")),
    )
    # The outline comes with the page, from the atlas's compact static geometry.
    outline = map_geometry(map_level())
    map_block = ui.map_section(outline=outline, points=view.points, symbols=view.symbols, caption=view.map_caption,
                               table=view.map_table)
    rows, count = lines_page(token, filters.key(), None, 0)
    lines_block = ui.lines_section(rows, count, PAGE_SIZE, view.lines_caption)
    summary_block, lev_fig, lev_table, lev_note = render_leverage(filters, choice)
    leverage = leverage_ui.leverage_section(level_options=options["levels"], level=choice.level,
                                   indicator_options=options["indicators"], indicator=choice.indicator,
                                   summary=summary_block, fig=lev_fig, table=lev_table, note=lev_note)
    territory = f"{filters.territory[0]}:{filters.territory[1]}" if filters.territory else next(
        (o["value"] for o in options["territories"]), None)
    state = {"start": filters.start, "end": filters.end, "programmes": list(filters.programmes),
             "ministries": list(filters.ministries), "themes": list(filters.themes), "territory": territory,
             "carrier": filters.carrier}
    return ui.page(filters_block=ui.filters(state, options), kpis=view.kpis, charts=charts, map_block=map_block,
                   lines=lines_block, leverage=leverage, illustrative=svc.illustrative)


register_page("credits", build)


# ---------------------------------------------------------------- callbacks


def triggered_id():
    """The id of the input that fired the callback (None when called as a plain function)."""
    try:
        return ctx.triggered_id
    except MissingCallbackContextException:
        return None


@callback(Output("cred-url", "search"), *FILTERS, Input("cred-leverage-level", "value"),
          Input("cred-leverage-indicator", "value"), prevent_initial_call=True)
def sync_url(start, end, programmes, ministries, themes, territory, carrier, level, indicator):
    filters = filters_of(start, end, programmes, ministries, themes, territory, carrier)
    return st.to_query(filters, leverage_of(level, indicator), choices())


@callback(Output("cred-kpis", "children"),
          Output("cred-trend-graph", "figure"), Output("cred-trend-table", "children"),
          Output("cred-programme-graph", "figure"), Output("cred-programme-table", "children"),
          Output("cred-theme-graph", "figure"), Output("cred-theme-table", "children"),
          Output("cred-carriers-graph", "figure"), Output("cred-carriers-table", "children"),
          Output("cred-map-points", "url"), Output("cred-map-symbols", "url"),
          Output("cred-map-caption", "children"), Output("cred-map-table", "children"),
          Output("cred-lines-caption", "children"),
          *FILTERS, prevent_initial_call=True)
def update_summary(*values):
    return figure_updates(render_summary(filters_of(*values)).outputs())


@callback(Output("cred-lines-table", "data"), Output("cred-lines-table", "page_count"),
          Output("cred-lines-table", "page_current"),
          Input("cred-lines-table", "page_current"), Input("cred-lines-table", "sort_by"), *FILTERS,
          prevent_initial_call=True)
def update_lines(page, sort_by, *values):
    sort, page = st.sort_and_page(sort_by, page)
    if triggered_id() not in (None, "cred-lines-table"):
        page = 0  # a new selection starts on its first page
    key = filters_of(*values).key()
    # Clamp the page to the selection's pages *before* it enters a cache key (bounded variants).
    page = min(page, max(0, math.ceil(selection_size(package_token(), key) / PAGE_SIZE) - 1))
    rows, count = lines_page(package_token(), key, list(sort) if sort else None, page)
    return rows, count, page


@callback(Output("cred-leverage-summary", "children"), Output("cred-leverage-graph", "figure"),
          Output("cred-leverage-table", "children"), Output("cred-leverage-slot-note", "children"),
          Output("cred-leverage-slot-note", "hidden"), Output("cred-leverage-slot-chart", "hidden"),
          Input("cred-leverage-level", "value"), Input("cred-leverage-indicator", "value"), *FILTERS,
          prevent_initial_call=True)
def update_leverage(level, indicator, *values):
    summary_block, fig, table, note = render_leverage(filters_of(*values), leverage_of(level, indicator))
    return summary_block, figure_update(fig), table, *note_outputs(note)


# ---------------------------------------------------------------- downloads


def summary_csv(key: str, stem: str, values) -> CsvTable:
    """One of the page's summaries (a chart's data), with French labels beside the codes."""
    frame = summary(package_token(), filters_of(*values).key())[key].drop(columns=["cents"], errors="ignore")
    if "ministry" in frame:
        frame["ministry_label"] = frame["ministry"].map(FUNDERS)
    if "programme" in frame:
        frame["programme_label"] = frame["programme"].map(cr.programme_label)
    if "theme" in frame:
        frame["theme_label"] = frame["theme"].map(theme_labels())
    return CsvTable(frame, stem)


for _key, _graph, _stem in (("by_year_funder", "cred-trend", "credits-par-annee-et-financeur"),
                            ("by_programme", "cred-programme", "credits-par-programme"),
                            ("by_theme", "cred-theme", "credits-par-theme"),
                            ("carriers", "cred-carriers", "principaux-porteurs"),
                            ("by_territory", "cred-map", "credits-par-territoire")):
    csv_download.register(f"{_graph}-download", list(FILTER_STATES),
                          lambda *values, key=_key, stem=_stem: summary_csv(key, stem, values))


def lines_csv(*values) -> CsvTable:
    """Every credit line the filters select."""
    return CsvTable(select(filters_of(*values).key()).drop(columns=["cents"]), "lignes-de-credits")


def leverage_csv(level, indicator, *values) -> CsvTable | None:
    """Credits per inhabitant against the indicator's change, one row per territory."""
    choice = leverage_of(level, indicator)
    if not choice.level or not choice.indicator:
        return None
    frame = leverage_view(package_token(), filters_of(*values).key(), choice.level, choice.indicator)
    return CsvTable(frame.drop(columns=["cents"], errors="ignore").assign(indicator=choice.indicator,
                                                                          level=choice.level),
                    f"credits-et-resultats-{slug(choice.indicator)}-{choice.level}",
                    decimals=indicator_decimals(service().indicators))


csv_download.register("cred-lines-download", list(FILTER_STATES), lines_csv)
csv_download.register("cred-leverage-download", [State("cred-leverage-level", "value"),
                                                  State("cred-leverage-indicator", "value"), *FILTER_STATES],
                      leverage_csv)
