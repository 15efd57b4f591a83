"""The barometer page: pure functions from computed frames to components (no data access here)."""

from __future__ import annotations

import math

import dash_leaflet as dl
import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html
from dash.dash_table.Format import Format, Group, Scheme, Symbol

from atlas import barometer as bar
from atlas.formatting import format_date, format_number, format_period, format_value
from atlas.schema import FUNDERS, LEVEL_LABELS_FR, MINISTRIES, THEMES
from layouts.charts import PALETTE, download_button, graph, style_figure

FRENCH_PERCENT = Format(decimal_delimiter=",", group_delimiter="\u202f", group=Group.yes, precision=0,
                        scheme=Scheme.fixed, symbol=Symbol.yes, symbol_suffix="\u00a0%", nully="–")
TABLE_STYLE = {
    "style_table": {"overflowX": "auto"},
    "style_cell": {"fontFamily": "DejaVu Sans, Arial, sans-serif", "fontSize": "0.85rem", "padding": "4px 8px",
                   "textAlign": "left", "whiteSpace": "normal", "height": "auto", "maxWidth": "28rem"},
    "style_header": {"fontWeight": "700", "backgroundColor": "#f6f6f6", "color": "#1e1e1e"},
    "style_data_conditional": [{"if": {"row_index": "odd"}, "backgroundColor": "#fafafa"}],
}


# --------------------------------------------------------------------- small


def labelled(label: str, control, control_id: str, hint: str | None = None) -> html.Div:
    return html.Div(className="filter", children=[
        html.Label(label, htmlFor=control_id),
        control,
        *([html.Span(hint, className="filter-hint")] if hint else []),
    ])


def dropdown(component_id, options, value, *, clearable=True, placeholder="Tous", multi=False, searchable=True):
    return dcc.Dropdown(id=component_id, options=options, value=value, clearable=clearable, multi=multi,
                        placeholder=placeholder, searchable=searchable, className="filter-dropdown")


def chart_block(graph_id: str, figure: go.Figure, *, filename: str, description: str, download_id: str,
                table=None, table_summary: str = "Voir les données du graphique") -> html.Div:
    """A chart with PNG export (modebar), CSV download and, when given, a table alternative."""
    return html.Div(className="chart-block", children=[
        graph(graph_id, figure, filename=filename, description=description),
        html.Div(className="chart-actions", children=[
            download_button(f"{download_id}-button"),
            dcc.Download(id=download_id),
        ]),
        *([html.Details(className="table-alternative", children=[html.Summary(table_summary), table])]
          if table is not None else []),
    ])


def html_table(columns: list[tuple[str, str]], rows: list[dict], caption: str, numeric: set[str] = frozenset()
               ) -> html.Table:
    """A plain accessible table; values must already be formatted strings."""
    return html.Table(className="data-table", children=[
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(label, scope="col", className="num" if key in numeric else None)
                            for key, label in columns])),
        html.Tbody([html.Tr([html.Td(row.get(key, ""), className="num" if key in numeric else None)
                             for key, _ in columns]) for row in rows]),
    ])


def empty_figure(message: str, source: str, height: int = 260) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14, "color": "#595959"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style_figure(fig, source=source, height=height)


def legend_on_top(fig: go.Figure, items: int, per_row: int = 2, title: bool = True) -> go.Figure:
    """Put a horizontal legend between the title and the plot, so that it never covers the source line."""
    rows = max(1, math.ceil(items / per_row))
    top = (45 if title else 10) + 22 * rows
    fig.update_layout(showlegend=True, legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                                               "yanchor": "bottom", "entrywidth": 1.0 / per_row - 0.01,
                                               "entrywidthmode": "fraction"},
                      margin={"t": top}, height=(fig.layout.height or 360) + 22 * rows)
    if title and fig.layout.title and fig.layout.title.text:
        fig.update_layout(title={"y": 1.0, "yref": "container", "yanchor": "top", "pad": {"t": 12}})
    return fig


def source_below(fig: go.Figure, *, axis_title: bool = True) -> go.Figure:
    """Pin the source line a fixed number of pixels under the plot, clear of the x-axis title."""
    offset, bottom = (62, 92) if axis_title else (40, 70)
    for annotation in fig.layout.annotations:
        if annotation.name == "source":
            annotation.update(y=0, yshift=-offset)
    fig.update_layout(margin={"b": bottom})
    return fig


def line_style(i: int) -> dict:
    """Palette colour, then dashed variants once the palette is used up."""
    return {"color": PALETTE[i % len(PALETTE)], "dash": ("solid", "dash", "dot")[(i // len(PALETTE)) % 3]}


def fmt(value, unit: str, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_value(float(value), unit, decimals)


def fmt_share(share) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return format_value(100 * float(share), "%", 0)


# ------------------------------------------------------------------- filters


def filters(state: dict, options: dict) -> html.Div:
    years = options["years"]
    year_options = [{"label": str(y), "value": y} for y in years]
    return html.Div(className="filters", role="search", **{"aria-label": "Filtres du baromètre"}, children=[
        labelled("Ministère", dropdown("baro-ministry", options["ministries"], state["ministry"]), "baro-ministry"),
        labelled("Thème", dropdown("baro-theme", options["themes"], state["theme"]), "baro-theme"),
        labelled("Territoire", dropdown("baro-territory", options["territories"], state["territory"],
                                        clearable=False, placeholder="France"), "baro-territory"),
        labelled("Période : de", dropdown("baro-start", year_options, state["start"], clearable=False),
                 "baro-start"),
        labelled("à", dropdown("baro-end", year_options, state["end"], clearable=False), "baro-end",
                 hint="La fin de période fixe aussi la date d'évaluation des engagements."),
    ])


# --------------------------------------------------------------- commitments


def status_legend() -> html.Ul:
    return html.Ul(className="baro-legend", children=[
        html.Li([html.Span(className="swatch", style={"background": bar.STATUS_COLOURS[s]}),
                 bar.STATUS_LABELS_FR[s]]) for s in bar.STATUSES
    ])


def status_figure(counts: pd.DataFrame, source: str) -> go.Figure:
    if counts.empty:
        return empty_figure("Aucun engagement pour ces filtres.", source)
    labels = [MINISTRIES.get(m, m) for m in counts["ministry"]]
    fig = go.Figure()
    for name in bar.STATUSES:
        values = counts[name].tolist()
        if not any(values):
            continue
        fig.add_bar(y=labels, x=values, name=bar.STATUS_LABELS_FR[name], orientation="h",
                    marker_color=bar.STATUS_COLOURS[name], text=[format_number(v, 0) if v else "" for v in values],
                    textposition="inside", insidetextanchor="middle",
                    hovertemplate="%{y} — " + bar.STATUS_LABELS_FR[name] + " : %{x}<extra></extra>")
    fig.update_layout(barmode="stack",
                      yaxis={"autorange": "reversed"},
                      xaxis={"title": "Nombre d'engagements", "tickformat": "d", "rangemode": "tozero"})
    height = max(260, 60 + 38 * len(labels))
    fig = style_figure(fig, title="État des engagements par ministère", source=source, height=height)
    fig = legend_on_top(fig, len(fig.data), per_row=5)
    fig.update_layout(margin={"l": 260})
    return source_below(fig)


def status_summary(frame: pd.DataFrame) -> html.Div:
    total = len(frame)
    counts = frame["status"].value_counts() if total else pd.Series(dtype=int)
    items = [html.Li([html.Strong(format_number(int(counts.get(s, 0)), 0)), " ", bar.STATUS_LABELS_FR[s].lower()],
                     className=f"status-count status-{s}") for s in bar.STATUSES if counts.get(s, 0)]
    return html.Div(className="kpis", children=[
        html.P([html.Strong(format_number(total, 0)), " engagement" + ("s" if total > 1 else "") + " suivi"
                + ("s" if total > 1 else "")], className="kpi-total"),
        html.Ul(items, className="status-counts"),
    ])


COMMITMENT_COLUMNS = [
    ("ministere", "Ministère"), ("mesure", "Mesure"), ("indicateur", "Indicateur"), ("territoire", "Territoire"),
    ("reference", "Référence"), ("actuel", "Valeur actuelle"), ("cible", "Cible"), ("avancement", "Avancement"),
    ("temps", "Temps écoulé"), ("statut", "Statut"),
]


def commitment_rows(frame: pd.DataFrame, indicator_labels: dict[str, str]) -> list[dict]:
    rows = []
    for r in frame.itertuples(index=False):
        unit, decimals = r.unit, r.decimals
        current = fmt(r.current_value, unit, decimals)
        if r.current_period:
            current += f" ({format_period(r.current_period)}{', provisoire' if r.current_status == 'estimate' else ''})"
        rows.append({
            "id": r.id,
            "ministere": MINISTRIES.get(r.ministry, r.ministry),
            "mesure": r.measure,
            "indicateur": indicator_labels.get(r.indicator, r.indicator),
            "territoire": r.scope_name if r.scope_level == "france" else f"{r.scope_name} ({r.scope_code})",
            "reference": f"{fmt(r.baseline_value, unit, decimals)} ({format_date(r.baseline_date)})",
            "actuel": current,
            "cible": (f"{fmt(r.target_value, unit, decimals)} ({format_date(r.target_date)})"
                      if r.target_date and r.target_value is not None and not pd.isna(r.target_value) else "–"),
            "avancement": None if r.progress is None or pd.isna(r.progress) else round(100 * float(r.progress), 1),
            "temps": None if r.elapsed is None or pd.isna(r.elapsed) else round(100 * float(r.elapsed), 1),
            "statut": bar.STATUS_LABELS_FR[r.status],
        })
    return rows


def commitments_table(rows: list[dict]) -> dash_table.DataTable:
    columns = []
    for key, label in COMMITMENT_COLUMNS:
        column = {"name": label, "id": key}
        if key in ("avancement", "temps"):
            column.update(type="numeric", format=FRENCH_PERCENT)
        columns.append(column)
    status_styles = [
        {"if": {"filter_query": f'{{statut}} = "{bar.STATUS_LABELS_FR[s]}"', "column_id": "statut"},
         "color": "#ffffff" if s in (bar.ACHIEVED, bar.ON_TRACK, bar.LATE) else "#1e1e1e",
         "backgroundColor": bar.STATUS_COLOURS[s] if s != bar.LATE else "#B34700", "fontWeight": "600"}
        for s in bar.STATUSES
    ]
    return dash_table.DataTable(
        id="baro-commitments-table", columns=columns, data=rows, sort_action="native", filter_action="native",
        page_action="native", page_size=12, sort_mode="multi", cell_selectable=False,
        filter_options={"case": "insensitive", "placeholder_text": "Filtrer…"},
        **{**TABLE_STYLE, "style_data_conditional": TABLE_STYLE["style_data_conditional"] + status_styles},
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"} for c in ("avancement", "temps")],
    )


def scope_control(options: list[dict], value) -> html.Div:
    return labelled("Échelle des engagements", dcc.RadioItems(
        id="baro-scope", options=options, value=value, inline=True, className="radio-inline"), "baro-scope")


def commitments_section(*, summary, status_fig, table_rows, scope_options, scope_value, source) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "baro-commitments-title"}, children=[
        html.H2("Engagements des ministères", id="baro-commitments-title"),
        html.P(["Pour chaque engagement : la valeur de référence, la dernière valeur observée sur le territoire "
                "concerné, la cible, l'avancement ", html.Em("(actuel − référence) ÷ (cible − référence)"),
                " et un statut. Un engagement est « en bonne voie » si son avancement dépasse la part du délai "
                f"écoulée moins {format_number(100 * bar.TOLERANCE, 0)} points ; les règles sont détaillées dans "
                "la documentation (docs/barometer.md)."], className="muted"),
        scope_control(scope_options, scope_value),
        html.Div(id="baro-status-summary", children=summary),
        status_legend(),
        html.Div(id="baro-status-chart", children=status_fig),
        html.H3("Tableau des engagements"),
        html.P("Triez en cliquant sur un en-tête ; filtrez en tapant dans la ligne sous les en-têtes.",
               className="muted"),
        commitments_table(table_rows),
        html.Div(className="chart-actions", children=[
            download_button("baro-commitments-download-button", "Télécharger les engagements (CSV)"),
            dcc.Download(id="baro-commitments-download"),
        ]),
        html.P(f"Source : {source}", className="source-line"),
    ])


def status_table(counts: pd.DataFrame) -> html.Table:
    return html_table([("ministere", "Ministère"), *[(st, bar.STATUS_LABELS_FR[st]) for st in bar.STATUSES]],
                      [{"ministere": MINISTRIES.get(r["ministry"], r["ministry"]),
                        **{st: format_number(int(r[st]), 0) for st in bar.STATUSES}}
                       for r in counts.to_dict("records")],
                      "Engagements par ministère et statut", numeric=set(bar.STATUSES))


def status_chart(fig: go.Figure, table) -> html.Div:
    return chart_block("baro-status-graph", fig, filename="engagements-par-ministere",
                       description="Nombre d'engagements par ministère et par statut ; le tableau des engagements "
                                   "ci-dessous donne le détail.",
                       download_id="baro-status-download", table=html.Div(id="baro-status-table", children=table))


# ----------------------------------------------------------------------- map

MAP_CENTER = {"lat": 46.5, "lng": 2.5}


def choropleth_hideout(codes, frame: pd.DataFrame, unit: str, decimals: int) -> dict:
    """Fill colour and French tooltip per territory code; the shapes come once from the static geometry."""
    by_code = {r.scope_code: r for r in frame.itertuples(index=False)}
    fills, tips = {}, {}
    for code in codes:
        row = by_code.get(code)
        share = None if row is None or row.progress is None or pd.isna(row.progress) else float(row.progress)
        _, colour = bar.progress_class(share)
        fills[code] = colour
        if row is not None:
            tips[code] = (f"{row.scope_name} ({code}) — {bar.STATUS_LABELS_FR[row.status]} ; avancement "
                          f"{fmt_share(share)} ; actuel {fmt(row.current_value, unit, decimals)}, cible "
                          f"{fmt(row.target_value, unit, decimals)}")
    return {"fills": fills, "tips": tips}


def progress_legend() -> html.Ul:
    items = [(label, colour) for _, _, label, colour in bar.PROGRESS_CLASSES]
    items.append(("Sans cible ou sans mesure", bar.NO_PROGRESS_COLOUR))
    return html.Ul(className="baro-legend", children=[
        html.Li([html.Span(className="swatch", style={"background": colour}), label]) for label, colour in items
    ])


def progress_map(shapes: dict, hideout: dict, level: str) -> html.Div:
    """The shapes come with the page; changing the commitment only sends new colours (hideout)."""
    return html.Div(className="map-wrap", children=[
        dl.Map(id="baro-map", center=MAP_CENTER, zoom=5.5, zoomSnap=0.25, style={"height": "480px"},
               attributionControl=True, keyboard=True, children=[
                   dl.GeoJSON(id="baro-map-layer", data=shapes, hideout=hideout,
                              style={"variable": "atlasBarometer.choroplethStyle"},
                              onEachFeature={"variable": "atlasBarometer.onEachFeature"},
                              hoverStyle={"variable": "atlasBarometer.hoverStyle"},
                              attribution=f"Contours : {LEVEL_LABELS_FR.get(level, level)} (jeu de données)"),
               ]),
    ])


def map_table(frame: pd.DataFrame, unit: str, decimals: int) -> html.Table:
    rows = [{"territoire": f"{r.scope_name} ({r.scope_code})", "reference": fmt(r.baseline_value, unit, decimals),
             "actuel": fmt(r.current_value, unit, decimals), "cible": fmt(r.target_value, unit, decimals),
             "avancement": fmt_share(r.progress), "statut": bar.STATUS_LABELS_FR[r.status]}
            for r in frame.sort_values("scope_code").itertuples(index=False)]
    return html_table([("territoire", "Territoire"), ("reference", "Référence"), ("actuel", "Actuel"),
                       ("cible", "Cible"), ("avancement", "Avancement"), ("statut", "Statut")], rows,
                      "Avancement de l'engagement par territoire (alternative à la carte)",
                      numeric={"reference", "actuel", "cible", "avancement"})


def map_section(*, measure_options, measure_value, shapes, hideout, level, table, caption) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "baro-map-title"}, children=[
        html.H2("Carte de l'avancement par territoire", id="baro-map-title"),
        labelled("Engagement représenté", dropdown("baro-measure", measure_options, measure_value, clearable=False,
                                                   placeholder="Choisir un engagement"), "baro-measure"),
        html.P(caption, id="baro-map-caption", className="muted"),
        progress_legend(),
        progress_map(shapes, hideout, level),
        html.P("Les territoires d'outre-mer figurent dans le tableau ci-dessous.", className="muted"),
        html.Details(className="table-alternative", open=False, children=[
            html.Summary("Tableau de la carte (accessible au clavier et aux lecteurs d'écran)"),
            html.Div(id="baro-map-table", children=table),
        ]),
        html.Div(className="chart-actions", children=[
            download_button("baro-map-download-button", "Télécharger les données de la carte (CSV)"),
            dcc.Download(id="baro-map-download"),
        ]),
    ])


# -------------------------------------------------------------------- series


def series_figure(frame: pd.DataFrame, meta: dict, commitment: dict | None, source: str) -> go.Figure:
    if frame.empty:
        return empty_figure("Pas de valeur pour cet indicateur sur ce territoire et cette période.", source)
    unit, decimals = meta.get("unit", ""), int(meta.get("decimals", 1))
    frequency = frame["frequency"].iloc[0]
    fig = go.Figure()
    order = {lvl: i for i, lvl in enumerate(("qpv", "commune", "epci", "contrat_de_ville", "departement", "region",
                                             "france"))}
    groups = sorted(frame.groupby(["level", "code"], sort=False), key=lambda kv: order.get(kv[0][0], 9))
    for i, ((level, _code), part) in enumerate(groups):
        x = part["period"].astype(int) if frequency == "annual" else part["period"].map(bar.period_start)
        texts = [f"{format_period(p)} : {fmt(v, unit, decimals)}" + (" (provisoire)" if s == "estimate" else "")
                 for p, v, s in zip(part["period"], part["value"], part["status"], strict=True)]
        name = part["name"].iloc[0]
        fig.add_scatter(x=list(x), y=part["value"], mode="lines+markers" if len(part) <= 24 else "lines",
                        name=f"{name} ({LEVEL_LABELS_FR.get(level, level).split(' (')[0].lower()})",
                        line={**line_style(i), "width": 2.5 if i == 0 else 1.8},
                        text=texts, hovertemplate="%{text}<extra>" + name.replace("%", "%%") + "</extra>")
    if commitment:
        def _x(iso: str):
            return int(iso[:4]) if frequency == "annual" else pd.Timestamp(iso)
        xs, ys, labels = [_x(commitment["baseline_date"])], [commitment["baseline_value"]], ["Référence"]
        if commitment.get("target_value") is not None and commitment.get("target_date"):
            xs.append(_x(commitment["target_date"]))
            ys.append(commitment["target_value"])
            labels.append("Cible")
        fig.add_scatter(x=xs, y=ys, mode="lines+markers+text", name="Engagement (référence → cible)",
                        line={"color": "#595959", "dash": "dash", "width": 1.5},
                        marker={"symbol": "diamond", "size": 10, "color": "#595959"},
                        text=labels, textposition="top center",
                        hovertext=[f"{lab} : {fmt(v, unit, decimals)}" for lab, v in zip(labels, ys, strict=True)],
                        hoverinfo="text")
    if frequency == "annual":
        fig.update_xaxes(tickformat="d", dtick=1)
    else:
        fig.update_xaxes(tickformat="%m/%Y")
    fig.update_yaxes(title=unit if unit not in ("", "ratio", "indice") else None)
    fig.update_layout(hovermode="closest")
    title = f"{meta.get('label_fr', '')} — série {bar.FREQUENCY_LABELS_FR[frequency].lower()}"
    fig = style_figure(fig, title=title, source=source, height=380)
    return source_below(legend_on_top(fig, len(fig.data), per_row=3), axis_title=False)


def series_table(frame: pd.DataFrame, meta: dict) -> html.Table:
    unit, decimals = meta.get("unit", ""), int(meta.get("decimals", 1))
    rows = [{"territoire": r.name, "periode": format_period(r.period), "valeur": fmt(r.value, unit, decimals),
             "statut": {"estimate": "provisoire", "secret": "secret statistique", "missing": "manquante"}.get(
                 r.status, "")}
            for r in frame.itertuples(index=False)]
    return html_table([("territoire", "Territoire"), ("periode", "Période"), ("valeur", "Valeur"),
                       ("statut", "Remarque")], rows, f"{meta.get('label_fr', '')} : valeurs du graphique",
                      numeric={"valeur"})


def summary_table(summary: pd.DataFrame) -> html.Table:
    rows = [{"indicateur": r.label, "nature": bar.KIND_LABELS_FR.get(r.kind, r.kind),
             "ministere": MINISTRIES.get(r.ministry, r.ministry),
             "debut": f"{fmt(r.first_value, r.unit, r.decimals)} ({r.first_year})",
             "fin": f"{fmt(r.last_value, r.unit, r.decimals)} ({r.last_year})",
             "evolution": format_value(r.change, r.unit if r.unit == "%" else "", r.decimals, signed=True).replace(
                 "\u00a0%", "\u00a0pt"),
             "tendance": r.trend}
            for r in summary.itertuples(index=False)]
    return html_table([("indicateur", "Indicateur"), ("nature", "Nature"), ("ministere", "Ministère"),
                       ("debut", "Début de période"), ("fin", "Fin de période"), ("evolution", "Évolution"),
                       ("tendance", "Lecture")], rows,
                      "Indicateurs des ministères sur le territoire choisi (valeurs annuelles)",
                      numeric={"debut", "fin", "evolution"})


def series_section(*, indicator_options, indicator_value, frequency_options, frequency_value, chart,
                   summary) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "baro-series-title"}, children=[
        html.H2("Indicateurs de résultat dans le temps", id="baro-series-title"),
        html.P("La série du territoire choisi est comparée à celles des territoires qui le contiennent "
               "(département, région, France), à chaque échelle où le jeu de données en dispose.",
               className="muted"),
        html.Div(className="filters filters-inline", children=[
            labelled("Indicateur", dropdown("baro-indicator", indicator_options, indicator_value, clearable=False,
                                            placeholder="Choisir un indicateur"), "baro-indicator"),
            labelled("Fréquence", dcc.RadioItems(id="baro-frequency", options=frequency_options,
                                                 value=frequency_value, inline=True, className="radio-inline"),
                     "baro-frequency"),
        ]),
        html.Div(id="baro-series", children=chart),
        html.H3("Tableau de bord des indicateurs"),
        html.Div(id="baro-summary", children=summary),
    ])


def series_chart(fig: go.Figure, table) -> html.Div:
    return chart_block("baro-series-graph", fig, filename="serie-indicateur",
                       description="Évolution de l'indicateur choisi ; les valeurs figurent dans le tableau qui suit.",
                       download_id="baro-series-download", table=html.Div(id="baro-series-table", children=table))


# ------------------------------------------------------------------ coverage


def coverage_figure(table: pd.DataFrame, source: str) -> go.Figure:
    if table.empty:
        return empty_figure("Aucun indicateur ne décompte de bénéficiaires pour ces filtres.", source)
    fig = go.Figure()
    for i, (indicator, part) in enumerate(table.groupby("indicator", sort=True)):
        part = part.sort_values("period")
        x = part["period"].astype(int) if part["period"].str.len().eq(4).all() else part["period"]
        label = part["label"].iloc[0]
        fig.add_scatter(x=list(x), y=[None if c is None else 100 * c for c in part["coverage"]],
                        mode="lines+markers", name=label, line=line_style(i),
                        text=[f"{format_period(p)} : {fmt_share(c)} ({format_number(b, 0)} bénéficiaires sur "
                              f"{format_number(e, 0)} éligibles)"
                              for p, c, b, e in zip(part["period"], part["coverage"], part["beneficiaries"],
                                                    part["eligible"], strict=True)],
                        hovertemplate="%{text}<extra>" + label.replace("%", "%%") + "</extra>",
                        meta=indicator)
    fig.update_xaxes(tickformat="d", dtick=1)
    fig.update_yaxes(title="Couverture (%)", rangemode="tozero", ticksuffix="\u00a0%")
    fig = style_figure(fig, title="Couverture : bénéficiaires ÷ population éligible", source=source, height=380)
    return source_below(legend_on_top(fig, len(fig.data), per_row=2), axis_title=False)


def coverage_latest_table(latest: pd.DataFrame) -> html.Table:
    rows = [{"indicateur": r.label, "ministere": FUNDERS.get(r.ministry, r.ministry or "–") if r.ministry else "–",
             "periode": format_period(r.period),
             "beneficiaires": format_number(r.beneficiaries, 0) if not pd.isna(r.beneficiaries) else "–",
             "eligibles": format_number(r.eligible, 0) if not pd.isna(r.eligible) else "–",
             "couverture": fmt_share(r.coverage)}
            for r in latest.itertuples(index=False)]
    return html_table([("indicateur", "Dispositif (indicateur)"), ("ministere", "Ministère"), ("periode", "Période"),
                       ("beneficiaires", "Bénéficiaires effectifs"), ("eligibles", "Population éligible"),
                       ("couverture", "Couverture")], rows,
                      "Dernière période connue de chaque dispositif sur le territoire choisi",
                      numeric={"beneficiaries", "beneficiaires", "eligibles", "couverture"})


def coverage_section(chart, table) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "baro-coverage-title"}, children=[
        html.H2("Bénéficiaires effectifs et couverture", id="baro-coverage-title"),
        html.P("Couverture = bénéficiaires effectifs ÷ population éligible, quand le jeu de données fournit les deux.",
               className="muted"),
        html.Div(id="baro-coverage-latest", children=table),
        html.Div(id="baro-coverage", children=chart),
    ])


def coverage_chart(fig: go.Figure) -> html.Div:
    return chart_block("baro-coverage-graph", fig, filename="couverture-des-dispositifs",
                       description="Couverture des dispositifs dans le temps ; le tableau précédent donne la dernière "
                                   "période.", download_id="baro-coverage-download")


# ---------------------------------------------------------------------- page


def page(*, filters_block, commitments, map_block, series, coverage, illustrative: bool) -> html.Div:
    return html.Div(className="barometer", children=[
        dcc.Location(id="baro-url", refresh=False),
        html.H1("Baromètre de l'action publique"),
        html.P("Résultats des politiques publiques dans les quartiers prioritaires : engagements des ministères, "
               "indicateurs de résultat dans le temps, bénéficiaires et couverture des dispositifs.",
               className="lead"),
        *([html.P("Valeurs illustratives : les statuts ci-dessous ne reflètent aucun engagement réel.",
                  className="notice")] if illustrative else []),
        filters_block,
        commitments,
        map_block,
        series,
        coverage,
    ])


def option_list(mapping: dict[str, str], keys=None) -> list[dict]:
    keys = list(mapping) if keys is None else keys
    return [{"label": mapping.get(k, k), "value": k} for k in keys]


def frequency_options(available: list[str]) -> list[dict]:
    return [{"label": bar.FREQUENCY_LABELS_FR[f], "value": f} for f in available] or [
        {"label": bar.FREQUENCY_LABELS_FR["annual"], "value": "annual", "disabled": True}]


def themes_options(keys) -> list[dict]:
    return option_list(THEMES, keys)
