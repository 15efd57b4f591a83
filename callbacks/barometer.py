"""/barometre: page builder and thin callbacks (state in the URL, computations cached).

Every value a browser sends goes through :func:`filters_of` first: only values the package offers
reach a computation or a cache key (docs/barometer.md, « Hostile input »).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

import pandas as pd
from dash import Input, Output, State, callback, no_update

from atlas import barometer as bar
from atlas import barometer_series as series
from atlas import barometer_state as st
from atlas import inputs
from atlas.formatting import format_date, format_number
from atlas.i18n import _, indicator_label
from atlas.schema import MINISTRIES, ministry_label
from atlas.themes import labels as theme_labels
from callbacks.cache import cached, package_fingerprint
from callbacks.figures import figure_update
from callbacks.router import register_page
from callbacks.state import service
from layouts import barometer as ui
from layouts import barometer_map as map_ui
from layouts.charts import plotly_locale, slug
from layouts.widgets import geometry_source, level_name, level_plural, note_outputs, option_list

FILTERS = [Input("baro-ministry", "value"), Input("baro-theme", "value"), Input("baro-territory", "value"),
           Input("baro-start", "value"), Input("baro-end", "value")]
EMPTY_COLLECTION = {"type": "FeatureCollection", "features": []}
# Levels listed in full in the territory dropdown; finer ones (35,000 communes…) are found by typing.
LISTED_LEVELS = ("france", "region", "departement", "contrat_de_ville")
SEARCH_LIMIT = 20


def package_token() -> str:
    """The package's fingerprint: part of every cache key (shared caches may outlive a package swap)."""
    return package_fingerprint()


@functools.lru_cache(maxsize=4)
def _choices(token: str) -> st.BarometerChoices:
    return st.barometer_choices(service())


def choices() -> st.BarometerChoices:
    """What the served package offers, computed once per package."""
    return _choices(package_token())


def filters_of(**values) -> st.BarometerFilters:
    """Hostile callback values → the validated page state (unknown values become the defaults)."""
    return st.clean_filters(service(), choices(), **values)


def map_geometry(level: str | None) -> dict:
    """The static geometry of a level for a page map (embedded when small, else its /geo/ address)."""
    svc = service()
    if not level or level not in svc.map_levels():
        return {"data": EMPTY_COLLECTION}
    return geometry_source(svc.static_layer(level), lambda: svc.static_geojson(level))


def commitments_source() -> str:
    title = service().manifest.get("title") or _("jeu de données")
    return _("engagements des ministères et indicateurs — {dataset}").format(dataset=title)


def indicator_source(indicator: str) -> str:
    meta = service().indicator(indicator)
    return _("{source}, millésime {vintage}").format(source=meta["source"], vintage=meta["vintage"])


def sources_text(sources, vintages) -> str:
    """Distinct sources, and the span of years their vintages mention: « A ; B, millésimes 2015–2024 »."""
    years = sorted({int(y) for v in vintages for y in re.findall(r"(?:19|20)\d\d", str(v))})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    names = _(" ; ").join(sorted(set(map(str, sources))))
    return _("{sources}, millésimes {span}").format(sources=names, span=span) if span else names


# ------------------------------------------------------------- cached data
# Arguments are validated values only (see filters_of): a key can never hold a value the package lacks.


@cached("barometre:evaluated")
def evaluated(token: str, as_of_year: int) -> pd.DataFrame:
    return bar.evaluate_commitments(service(), as_of_year)


@cached("barometre:commitments")
def commitments_view(token, ministry, theme, territory: str, as_of_year: int, scope) -> pd.DataFrame:
    svc = service()
    level, _sep, code = territory.partition(":")
    return bar.filter_commitments(evaluated(token, as_of_year), svc, ministry=ministry, theme=theme,
                                  territory=(level, code), scope_level=None if scope in (None, st.ALL_SCOPES)
                                  else scope)


@cached("barometre:map")
def map_view(token, measure, as_of_year: int) -> pd.DataFrame:
    level = choices().map_level
    frame = evaluated(token, as_of_year)
    if not level or not measure:
        return frame.iloc[0:0]
    return bar.progress_by_territory(frame, measure, level)


@cached("barometre:series")
def series_view(token, indicator, territory: str, start: int, end: int) -> pd.DataFrame:
    level, _sep, code = territory.partition(":")
    return series.series_chain(service(), indicator, level, code, years=(start, end))


@cached("barometre:summary")
def summary_view(token, territory: str, ministry, theme, start: int, end: int) -> pd.DataFrame:
    level, _sep, code = territory.partition(":")
    return series.indicator_summary(service(), level, code, ministry=ministry, theme=theme, years=(start, end))


@cached("barometre:coverage")
def coverage_view(token, territory: str, ministry, theme, start: int, end: int) -> pd.DataFrame:
    level, _sep, code = territory.partition(":")
    return series.coverage_table(service(), level, code, ministry=ministry, theme=theme, years=(start, end))


@cached("barometre:options")
def static_options(token) -> dict:
    svc = service()
    offered = choices()
    territories = []
    for level in (lvl for lvl in offered.levels if lvl in LISTED_LEVELS):
        names = bar.territory_names(svc, level)
        prefix = "" if level == "france" else f"{level_name(level)} — "
        for code, name in sorted(names.items(), key=lambda kv: (kv[0] if level != "qpv" else kv[1])):
            label = name if level == "france" else f"{prefix}{name} ({code})"
            territories.append({"label": label, "value": f"{level}:{code}"})
    return {
        "years": list(offered.years),
        "ministries": option_list(MINISTRIES, list(offered.ministries)),
        "themes": option_list(theme_labels(), list(offered.themes)),
        "territories": territories,
    }


# ----------------------------------------------------------- option lists


def territory_label(level: str, code: str) -> str:
    name = service().territory_name(level, code) or code
    return name if level == "france" else f"{level_name(level)} — {name} ({code})"


def territory_options(search, value) -> list[dict]:
    """The listed territories, the chosen one, and — for two typed characters or more — the finer territories
    (communes, quartiers…) whose name matches, at most ``SEARCH_LIMIT`` of them."""
    offered = choices()
    options = list(static_options(package_token())["territories"])
    listed = {o["value"] for o in options}
    chosen = filters_of(territory=value).territory_value
    extra = [] if chosen in listed else [chosen]
    finer = tuple(lvl for lvl in offered.levels if lvl not in LISTED_LEVELS)
    text = inputs.clean_text(search, limit=40)
    if finer and text and len(text) >= 2:
        extra += [f"{hit.level}:{hit.code}" for hit in service().search(text, limit=SEARCH_LIMIT, levels=finer)]
    seen = set(listed)
    for item in extra:
        if item not in seen:
            seen.add(item)
            level, _sep, code = item.partition(":")
            options.append({"label": territory_label(level, code), "value": item})
    return options


def indicator_options(ministry, theme) -> list[dict]:
    frame = st.indicator_choices(service(), ministry, theme)
    return [{"label": f"{indicator_label(r)} ({bar.kind_label(r.kind).lower()})", "value": r.id}
            for r in frame.itertuples(index=False)]


def measure_options(token, ministry, theme, as_of_year: int) -> list[dict]:
    level = choices().map_level
    if not level:
        return []
    table = bar.measures(evaluated(token, as_of_year), (level,))
    if ministry:
        table = table[table["ministry"] == ministry]
    if theme:
        table = table[table["theme"] == theme]
    return [{"label": f"{ministry_label(r.ministry)} — {r.measure}", "value": r.key}
            for r in table.itertuples(index=False)]


def scope_options(token, filters: st.BarometerFilters) -> list[dict]:
    frame = commitments_view(token, filters.ministry, filters.theme, filters.territory_value, filters.end, None)
    present = set(frame["scope_level"])
    levels = [lvl for lvl in st.BAROMETER_LEVELS if lvl in present]
    return [{"label": _("Toutes"), "value": st.ALL_SCOPES}] + [
        {"label": level_name(lvl), "value": lvl} for lvl in levels]


def pick(value, options: list[dict]):
    values = [o["value"] for o in options if not o.get("disabled")]
    return value if value in values else (values[0] if values else None)


def scope_of(filters: st.BarometerFilters, options: list[dict]) -> str:
    """The asked scope when offered, else the territory's own level when offered, else all scopes."""
    values = [o["value"] for o in options]
    if filters.scope in values:
        return filters.scope
    return filters.territory[0] if filters.territory[0] in values else st.ALL_SCOPES


# ------------------------------------------------------------- renderings


@dataclass(frozen=True)
class CommitmentsView:
    summary: object
    figure: object
    rows: list
    table: object


@dataclass(frozen=True)
class MapView:
    level: str | None
    hideout: dict
    caption: str
    table: object


@dataclass(frozen=True)
class SeriesView:
    figure: object
    frequency_options: list
    frequency: str | None
    table: object
    config: object
    note: str | None = None  # why there is no chart, when there is none


def render_commitments(filters: st.BarometerFilters, scope) -> CommitmentsView:
    token = package_token()
    frame = commitments_view(token, filters.ministry, filters.theme, filters.territory_value, filters.end, scope)
    catalogue = service().indicators
    labels = {row.id: indicator_label(row) for row in catalogue.itertuples(index=False)}
    counts = bar.status_counts(frame)
    return CommitmentsView(ui.status_summary(frame), ui.status_figure(counts, commitments_source()),
                           ui.commitment_rows(frame, labels), ui.status_table(counts))


def render_map(measure, end: int) -> MapView:
    """Filters send colours and tooltip texts (hideout), never geometry."""
    svc = service()
    level = choices().map_level
    if not level or level not in svc.map_levels():
        return MapView(None, {"fills": {}, "tips": {}},
                       _("Aucun engagement n'est rattaché à un niveau cartographiable dans ce jeu de données."), None)
    frame = map_view(package_token(), measure, end)
    ministry, _sep, indicator = (measure or "").partition(":")
    meta = svc.indicator(indicator) if svc.has_indicator(indicator) else {"unit": "", "decimals": 1}
    unit, decimals = meta.get("unit", ""), int(meta.get("decimals", 1))
    hideout = map_ui.choropleth_hideout(svc.static_layer(level).codes, frame, unit, decimals)
    if frame.empty:
        caption = _("Choisissez un engagement pour afficher son avancement par territoire.")
    else:
        counts = frame["status"].value_counts()
        parts = [f"{format_number(int(counts[s]), 0)} {bar.status_label(s).lower()}" for s in bar.STATUSES
                 if counts.get(s, 0)]
        caption = _("{measure} ({ministry}) — {territories} : {counts}. Évaluation au {date} au plus tard.").format(
            measure=frame["measure"].iloc[0], ministry=ministry_label(ministry), territories=level_plural(level),
            counts=", ".join(parts), date=format_date(f"{end}-12-31"))
    return MapView(level, hideout, caption, map_ui.map_table(frame, unit, decimals))


def render_series(filters: st.BarometerFilters) -> SeriesView:
    token = package_token()
    svc = service()
    indicator = filters.indicator
    if not indicator:
        fig = ui.empty_figure(_("Aucun indicateur des ministères ne correspond à ces filtres."), commitments_source())
        return SeriesView(fig, ui.frequency_options([]), None, None, no_update,
                          _("Aucun indicateur des ministères ne correspond à ces filtres dans ce jeu de données."))
    frame = series_view(token, indicator, filters.territory_value, filters.start, filters.end)
    available = series.frequencies(frame)
    frequency = filters.frequency if filters.frequency in available else (available[0] if available else None)
    shown = frame[frame["frequency"] == frequency] if frequency else frame
    meta = svc.indicator(indicator)
    level, code = filters.territory
    scoped = evaluated(token, filters.end)
    scoped = scoped[(scoped["indicator"] == indicator) & (scoped["scope_level"] == level)
                    & (scoped["scope_code"] == code)]
    commitment = scoped.iloc[0].to_dict() if len(scoped) else None
    fig = ui.series_figure(shown, meta, commitment, indicator_source(indicator))
    config = {"displaylogo": False, "locale": plotly_locale(), "modeBarButtonsToRemove": ["lasso2d", "select2d"],
              "toImageButtonOptions": {"format": "png", "filename": slug(f"serie-{indicator}-{level}-{code}"),
                                       "scale": 2}}
    note = None if len(shown) else _(
        "Ce jeu de données n'a pas de valeur de « {indicator} » pour {territory} ni pour les territoires qui le "
        "contiennent entre {start} et {end}.").format(indicator=indicator_label(meta),
                                                      territory=svc.territory_name(level, code) or code,
                                                      start=filters.start, end=filters.end)
    return SeriesView(fig, ui.frequency_options(available), frequency, ui.series_table(shown, meta), config, note)


def render_summary(filters: st.BarometerFilters):
    return ui.summary_table(summary_view(package_token(), filters.territory_value, filters.ministry, filters.theme,
                                         filters.start, filters.end))


def render_coverage(filters: st.BarometerFilters):
    table = coverage_view(package_token(), filters.territory_value, filters.ministry, filters.theme, filters.start,
                          filters.end)
    source = sources_text(table["source"], table["vintage"]) if len(table) else commitments_source()
    note = None if len(table) else _(ui.COVERAGE_NONE)
    return (ui.coverage_figure(table, source), ui.coverage_latest_table(series.latest_coverage(table)) if len(table)
            else None, note)


# ------------------------------------------------------------------ builder


def build(svc, params: dict, search: str):
    """The page for ``/barometre?…``: filters from the URL, every section pre-rendered."""
    token = package_token()
    offered = choices()
    filters = st.state_from_query(svc, offered, search)
    options = static_options(token)

    scopes = scope_options(token, filters)
    scope = scope_of(filters, scopes)
    view = render_commitments(filters, scope)
    commitments = ui.commitments_section(
        summary=view.summary, status_fig=ui.status_chart(view.figure, view.table),
        table_rows=view.rows, scope_options=scopes, scope_value=scope, source=commitments_source())

    measures = measure_options(token, filters.ministry, filters.theme, filters.end)
    measure = pick(filters.measure, measures)
    drawn = render_map(measure, filters.end)
    geometry = map_geometry(drawn.level)
    map_block = map_ui.map_section(measure_options=measures, measure_value=measure, geometry=geometry,
                                   hideout=drawn.hideout, level=drawn.level or "departement", table=drawn.table,
                                   caption=drawn.caption)

    indicators = indicator_options(filters.ministry, filters.theme)
    indicator = pick(filters.indicator, indicators)
    chart = render_series(replace(filters, indicator=indicator))
    series_block = ui.series_section(indicator_options=indicators, indicator_value=indicator,
                                     frequency_options=chart.frequency_options, frequency_value=chart.frequency,
                                     chart=ui.series_chart(chart.figure, chart.table),
                                     summary=render_summary(filters), note=chart.note)

    coverage_fig, coverage_table, coverage_note = render_coverage(filters)
    coverage = ui.coverage_section(ui.coverage_chart(coverage_fig), coverage_table, coverage_note)
    state = {"ministry": filters.ministry, "theme": filters.theme, "territory": filters.territory_value,
             "start": filters.start, "end": filters.end}
    options = {**options, "territories": territory_options(None, filters.territory_value)}
    return ui.page(filters_block=ui.filters(state, options), commitments=commitments, map_block=map_block,
                   series=series_block, coverage=coverage, illustrative=svc.illustrative)


register_page("barometre", build)


# ---------------------------------------------------------------- callbacks


@callback(Output("baro-url", "search"),
          *FILTERS, Input("baro-indicator", "value"), Input("baro-frequency", "value"), Input("baro-scope", "value"),
          Input("baro-measure", "value"), prevent_initial_call=True)
def sync_url(ministry, theme, territory, start, end, indicator, frequency, scope, measure):
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, start=start, end=end,
                         indicator=indicator, frequency=frequency, scope=scope, measure=measure)
    return st.to_query(filters, choices())


@callback(Output("baro-territory", "options"), Input("baro-territory", "search_value"),
          State("baro-territory", "value"), prevent_initial_call=True)
def search_territories(search, value):
    return territory_options(search, value)


@callback(Output("baro-indicator", "options"), Output("baro-indicator", "value"),
          Output("baro-measure", "options"), Output("baro-measure", "value"),
          Output("baro-scope", "options"), Output("baro-scope", "value"),
          Input("baro-ministry", "value"), Input("baro-theme", "value"), Input("baro-territory", "value"),
          Input("baro-end", "value"),
          State("baro-indicator", "value"), State("baro-measure", "value"), State("baro-scope", "value"),
          prevent_initial_call=True)
def update_choices(ministry, theme, territory, end, indicator, measure, scope):
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, end=end, indicator=indicator,
                         measure=measure, scope=scope)
    token = package_token()
    indicators = indicator_options(filters.ministry, filters.theme)
    measures = measure_options(token, filters.ministry, filters.theme, filters.end)
    scopes = scope_options(token, filters)
    return (indicators, pick(filters.indicator, indicators), measures, pick(filters.measure, measures), scopes,
            scope_of(filters, scopes))


@callback(Output("baro-status-summary", "children"), Output("baro-status-graph", "figure"),
          Output("baro-commitments-table", "data"), Output("baro-status-table", "children"),
          Input("baro-ministry", "value"), Input("baro-theme", "value"), Input("baro-territory", "value"),
          Input("baro-end", "value"), Input("baro-scope", "value"), prevent_initial_call=True)
def update_commitments(ministry, theme, territory, end, scope):
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, end=end, scope=scope)
    view = render_commitments(filters, filters.scope)
    return view.summary, figure_update(view.figure), view.rows, view.table


@callback(Output("baro-map-layer", "hideout"), Output("baro-map-caption", "children"),
          Output("baro-map-table", "children"),
          Input("baro-measure", "value"), Input("baro-end", "value"), prevent_initial_call=True)
def update_map(measure, end):
    filters = filters_of(measure=measure, end=end)
    drawn = render_map(filters.measure, filters.end)
    return drawn.hideout, drawn.caption, drawn.table


@callback(Output("baro-series-graph", "figure"), Output("baro-frequency", "options"),
          Output("baro-frequency", "value"), Output("baro-series-table", "children"),
          Output("baro-series-graph", "config"),
          Output("baro-series-note", "children"), Output("baro-series-note", "hidden"),
          Output("baro-series-chart", "hidden"),
          Input("baro-indicator", "value"), Input("baro-territory", "value"), Input("baro-start", "value"),
          Input("baro-end", "value"), Input("baro-frequency", "value"), prevent_initial_call=True)
def update_series(indicator, territory, start, end, frequency):
    chart = render_series(filters_of(indicator=indicator, territory=territory, start=start, end=end,
                                     frequency=frequency))
    return (figure_update(chart.figure), chart.frequency_options, chart.frequency, chart.table, chart.config,
            *note_outputs(chart.note))


@callback(Output("baro-summary", "children"), Output("baro-coverage-graph", "figure"),
          Output("baro-coverage-latest", "children"), Output("baro-coverage-note", "children"),
          Output("baro-coverage-note", "hidden"), Output("baro-coverage-chart", "hidden"),
          *FILTERS, prevent_initial_call=True)
def update_territory_sections(ministry, theme, territory, start, end):
    filters = filters_of(ministry=ministry, theme=theme, territory=territory, start=start, end=end)
    figure, table, note = render_coverage(filters)
    return render_summary(filters), figure_update(figure), table, *note_outputs(note)
