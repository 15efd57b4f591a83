"""The barometer page: pure functions from computed frames to components (no data access here)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html

from atlas import barometer as bar
from atlas.contrast import text_colour_on
from atlas.formatting import format_date, format_number, format_period, format_value
from atlas.i18n import N_, _, indicator_label, ngettext
from atlas.schema import ministry_label, status_label
from layouts.charts import csv_downloads, label_value, style_figure, wrap
from layouts.french_ui import table_filter_options
from layouts.widgets import (
    TABLE_STYLE,
    chart_block,
    chart_or_note,
    dropdown,
    empty_figure,
    fmt,
    fmt_share,
    html_table,
    labelled,
    legend_on_top,
    level_name,
    line_style,
    percent_format,
    source_below,
)

# ------------------------------------------------------------------- filters


def filters(state: dict, options: dict) -> html.Div:
    years = options["years"]
    year_options = [{"label": str(y), "value": y} for y in years]
    return html.Div(className="filters", role="search", **{"aria-label": _("Filtres du baromètre")}, children=[
        labelled(_("Ministère"), dropdown("baro-ministry", options["ministries"], state["ministry"]), "baro-ministry"),
        labelled(_("Thème"), dropdown("baro-theme", options["themes"], state["theme"]), "baro-theme"),
        labelled(_("Territoire"), dropdown("baro-territory", options["territories"], state["territory"],
                                        clearable=False, placeholder=_("France")), "baro-territory"),
        labelled(_("Période : de"), dropdown("baro-start", year_options, state["start"], clearable=False),
                 "baro-start"),
        labelled(_("à"), dropdown("baro-end", year_options, state["end"], clearable=False), "baro-end",
                 hint=_("La fin de période fixe aussi la date d'évaluation des engagements.")),
    ])


# --------------------------------------------------------------- commitments


def status_legend() -> html.Ul:
    return html.Ul(className="baro-legend", children=[
        html.Li([html.Span(className="swatch", style={"background": bar.STATUS_COLOURS[s]}),
                 bar.status_label(s)]) for s in bar.STATUSES
    ])


def status_figure(counts: pd.DataFrame, source: str) -> go.Figure:
    if counts.empty:
        return empty_figure(_("Aucun engagement pour ces filtres."), source)
    labels = [wrap(ministry_label(m), 22) for m in counts["ministry"]]  # short lines: the bars keep a phone's width
    fig = go.Figure()
    for name in bar.STATUSES:
        values = counts[name].tolist()
        if not any(values):
            continue
        fig.add_bar(y=labels, x=values, name=bar.status_label(name), orientation="h",
                    marker_color=bar.STATUS_COLOURS[name], text=[format_number(v, 0) if v else "" for v in values],
                    textposition="inside", insidetextanchor="middle",
                    insidetextfont={"color": text_colour_on(bar.STATUS_COLOURS[name])},  # AA, not Plotly's pick
                    hovertemplate=label_value("%{y} — " + bar.status_label(name), "%{x}") + "<extra></extra>")
    fig.update_layout(barmode="stack",
                      yaxis={"autorange": "reversed"},
                      xaxis={"title": _("Nombre d'engagements"), "tickformat": "d", "rangemode": "tozero"})
    height = max(260, 60 + 38 * len(labels))
    fig = style_figure(fig, title=_("État des engagements par ministère"), source=source, height=height)
    fig = source_below(legend_on_top(fig, len(fig.data), per_row=5))
    # Each ministry keeps ≈ 44 px of plot whatever the legend and source take (labels on up to three lines).
    return fig.update_layout(height=fig.layout.margin.t + fig.layout.margin.b + 44 * len(labels))


def status_summary(frame: pd.DataFrame) -> html.Div:
    total = len(frame)
    counts = frame["status"].value_counts() if total else pd.Series(dtype=int)
    items = [html.Li([html.Strong(format_number(int(counts.get(s, 0)), 0)), " ", bar.status_label(s).lower()],
                     className=f"status-count status-{s}") for s in bar.STATUSES if counts.get(s, 0)]
    return html.Div(className="kpis", children=[
        html.P([html.Strong(format_number(total, 0)), " ",
                ngettext("engagement suivi", "engagements suivis", total)], className="kpi-total"),
        html.Ul(items, className="status-counts"),
    ])


COMMITMENT_COLUMNS = [  # headers: French source, translated where the table is built
    ("ministere", N_("Ministère")), ("mesure", N_("Mesure")), ("indicateur", N_("Indicateur")),
    ("territoire", N_("Territoire")), ("reference", N_("Référence")), ("actuel", N_("Valeur actuelle")),
    ("cible", N_("Cible")), ("avancement", N_("Avancement")), ("temps", N_("Temps écoulé")), ("statut", N_("Statut")),
]


def commitment_rows(frame: pd.DataFrame, indicator_labels: dict[str, str]) -> list[dict]:
    rows = []
    for r in frame.itertuples(index=False):
        unit, decimals = r.unit, r.decimals
        current = fmt(r.current_value, unit, decimals)
        if isinstance(r.current_period, str) and r.current_period:  # NaN when no value was ever published
            current += f" ({format_period(r.current_period)}{', provisoire' if r.current_status == 'estimate' else ''})"
        rows.append({
            "id": r.id,
            "ministere": ministry_label(r.ministry),
            "mesure": r.measure,
            "indicateur": indicator_labels.get(r.indicator, r.indicator),
            "territoire": r.scope_name if r.scope_level == "france" else f"{r.scope_name} ({r.scope_code})",
            "reference": f"{fmt(r.baseline_value, unit, decimals)} ({format_date(r.baseline_date)})",
            "actuel": current,
            "cible": (f"{fmt(r.target_value, unit, decimals)} ({format_date(r.target_date)})"
                      if r.target_date and r.target_value is not None and not pd.isna(r.target_value) else "–"),
            "avancement": None if r.progress is None or pd.isna(r.progress) else round(100 * float(r.progress), 1),
            "temps": None if r.elapsed is None or pd.isna(r.elapsed) else round(100 * float(r.elapsed), 1),
            "statut": bar.status_label(r.status),
        })
    return rows


def commitments_table(rows: list[dict]) -> dash_table.DataTable:
    columns = []
    for key, label in COMMITMENT_COLUMNS:
        column = {"name": _(label), "id": key}
        if key in ("avancement", "temps"):
            column.update(type="numeric", format=percent_format())
        columns.append(column)
    backgrounds = {**bar.STATUS_COLOURS, bar.LATE: "#B34700"}  # a darker orange, so that white text reads
    status_styles = [
        {"if": {"filter_query": f'{{statut}} = "{bar.status_label(s)}"', "column_id": "statut"},
         "color": text_colour_on(backgrounds[s]), "backgroundColor": backgrounds[s], "fontWeight": "600"}  # AA
        for s in bar.STATUSES
    ]
    return dash_table.DataTable(
        id="baro-commitments-table", columns=columns, data=rows, sort_action="native", filter_action="native",
        page_action="native", page_size=12, sort_mode="multi", cell_selectable=False,
        filter_options=table_filter_options(),
        **{**TABLE_STYLE, "style_data_conditional": TABLE_STYLE["style_data_conditional"] + status_styles},
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"} for c in ("avancement", "temps")],
    )


def scope_control(options: list[dict], value) -> html.Div:
    return labelled(_("Échelle des engagements"), dcc.RadioItems(
        id="baro-scope", options=options, value=value, inline=True, className="radio-inline"), "baro-scope")


def commitments_section(*, summary, status_fig, table_rows, scope_options, scope_value, source) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "baro-commitments-title"}, children=[
        html.H2(_("Engagements des ministères"), id="baro-commitments-title"),
        html.P([_("Pour chaque engagement : la valeur de référence, la dernière valeur observée sur le territoire "
                  "concerné, la cible, l'avancement "), html.Em(_("(actuel − référence) ÷ (cible − référence)")),
                " ", _("et un statut. Un engagement est « en bonne voie » si son avancement dépasse la part du délai "
                       "écoulée moins {points} points ; les règles sont détaillées dans la documentation "
                       "(docs/barometer.md).").format(points=format_number(100 * bar.TOLERANCE, 0))],
               className="muted"),
        scope_control(scope_options, scope_value),
        html.Div(id="baro-status-summary", children=summary),
        status_legend(),
        html.Div(id="baro-status-chart", children=status_fig),
        html.H3(_("Tableau des engagements")),
        html.P(_("Triez en cliquant sur un en-tête ; filtrez en tapant dans la ligne sous les en-têtes."),
               className="muted"),
        commitments_table(table_rows),
        html.Div(className="chart-actions", children=[
            csv_downloads("baro-commitments-download", _("Télécharger les engagements")),
        ]),
        html.P(_("Source : {source}").format(source=source), className="source-line"),
    ])


def status_table(counts: pd.DataFrame) -> html.Table:
    return html_table([("ministere", _("Ministère")), *[(st, bar.status_label(st)) for st in bar.STATUSES]],
                      [{"ministere": ministry_label(r["ministry"]),
                        **{st: format_number(int(r[st]), 0) for st in bar.STATUSES}}
                       for r in counts.to_dict("records")],
                      _("Engagements par ministère et statut"), numeric=set(bar.STATUSES))


def status_chart(fig: go.Figure, table) -> html.Div:
    return chart_block("baro-status-graph", fig, filename="engagements-par-ministere",
                       description=_("Nombre d'engagements par ministère et par statut ; le tableau des engagements "
                                     "ci-dessous donne le détail."),
                       download_id="baro-status-download", table=html.Div(id="baro-status-table", children=table))



# -------------------------------------------------------------------- series


def series_name(name: str, level: str) -> str:
    """« Seine-Saint-Denis (département) »; the country is named alone (« France », not « France (france) »)."""
    kind = level_name(level)
    return name if kind.casefold() == str(name).casefold() else f"{name} ({kind.lower()})"


def series_figure(frame: pd.DataFrame, meta: dict, commitment: dict | None, source: str) -> go.Figure:
    if frame.empty:
        return empty_figure(_("Pas de valeur pour cet indicateur sur ce territoire et cette période."), source)
    unit, decimals = meta.get("unit", ""), int(meta.get("decimals", 1))
    frequency = frame["frequency"].iloc[0]
    fig = go.Figure()
    order = {lvl: i for i, lvl in enumerate(("qpv", "commune", "epci", "contrat_de_ville", "departement", "region",
                                             "france"))}
    groups = sorted(frame.groupby(["level", "code"], sort=False), key=lambda kv: order.get(kv[0][0], 9))
    for i, ((level, _code), part) in enumerate(groups):
        x = part["period"].astype(int) if frequency == "annual" else part["period"].map(bar.period_start)
        texts = [f"{format_period(p)} : {fmt(v, unit, decimals)}" + status_note(s)
                 for p, v, s in zip(part["period"], part["value"], part["status"], strict=True)]
        name = part["name"].iloc[0]
        fig.add_scatter(x=list(x), y=part["value"], mode="lines+markers" if len(part) <= 24 else "lines",
                        name=series_name(name, level),
                        line={**line_style(i), "width": 2.5 if i == 0 else 1.8},
                        text=texts, hovertemplate="%{text}<extra>" + name.replace("%", "%%") + "</extra>")
    note = commitment_trace(fig, commitment, frequency, unit, decimals) if commitment else None
    if frequency == "annual":
        fig.update_xaxes(tickformat="d", dtick=1)
    else:
        fig.update_xaxes(tickformat="%m/%Y")
    fig.update_yaxes(title=unit if unit not in ("", "ratio", "indice") else None)
    fig.update_layout(hovermode="closest")
    title = _("{indicator} — série {frequency}").format(indicator=indicator_label(meta),
                                                       frequency=bar.frequency_label(frequency).lower())
    if note:
        title += f"<br><sup>{note}</sup>"
    fig = style_figure(fig, title=title, source=source, height=380)
    return source_below(legend_on_top(fig, len(fig.data), per_row=3), axis_title=False)


def commitment_trace(fig: go.Figure, commitment: dict, frequency: str, unit: str, decimals: int) -> str | None:
    """Draw the commitment's baseline → target on a yearly series; on a monthly or quarterly one, draw nothing
    and return the sentence that states it (a yearly target is not a monthly point)."""
    target = commitment.get("target_value")
    has_target = not bar.is_missing(target) and bool(commitment.get("target_date"))
    baseline = _("référence {value} au {date}").format(value=fmt(commitment["baseline_value"], unit, decimals),
                                                       date=format_date(commitment["baseline_date"]))
    goal = (_("cible {value} au {date}").format(value=fmt(target, unit, decimals),
                                                 date=format_date(commitment["target_date"])) if has_target
            else _("sans cible chiffrée"))
    if frequency != "annual":
        # A commitment is stated for a date, often as a yearly figure (a total « dans l'année »): drawn on a
        # monthly or quarterly axis it would read as one more point of that series. It is said, not drawn.
        return _("Engagement : {baseline}, {goal} — valeurs de l'engagement, non tracées sur cette série "
                 "{frequency} (choisir la fréquence annuelle quand elle existe).").format(
            baseline=baseline, goal=goal, frequency=bar.frequency_label(frequency).lower())

    def x_of(iso: str):
        return int(iso[:4]) if frequency == "annual" else pd.Timestamp(iso)

    xs, ys, labels = [x_of(commitment["baseline_date"])], [commitment["baseline_value"]], [_("Référence")]
    if has_target:
        xs.append(x_of(commitment["target_date"]))
        ys.append(target)
        labels.append(_("Cible"))
    fig.add_scatter(x=xs, y=ys, mode="lines+markers+text", name=_("Engagement (référence → cible)"),
                    line={"color": "#595959", "dash": "dash", "width": 1.5},
                    marker={"symbol": "diamond", "size": 10, "color": "#595959"},
                    text=labels, textposition="top center",
                    hovertext=[label_value(lab, fmt(v, unit, decimals)) for lab, v in zip(labels, ys, strict=True)],
                    hoverinfo="text")
    return None


def status_note(status: str) -> str:
    """`` (provisoire)`` after a value whose status deserves a word, else nothing."""
    label = status_label(status)
    return f" ({label})" if label else ""


def series_table(frame: pd.DataFrame, meta: dict) -> html.Table:
    unit, decimals = meta.get("unit", ""), int(meta.get("decimals", 1))
    rows = [{"territoire": r.name, "periode": format_period(r.period), "valeur": fmt(r.value, unit, decimals),
             "statut": status_label(r.status)}
            for r in frame.itertuples(index=False)]
    return html_table([("territoire", _("Territoire")), ("periode", _("Période")), ("valeur", _("Valeur")),
                       ("statut", _("Remarque"))], rows,
                      _("{indicator} : valeurs du graphique").format(indicator=indicator_label(meta)),
                      numeric={"valeur"})


def summary_table(summary: pd.DataFrame) -> html.Table:
    rows = [{"indicateur": r.label, "nature": bar.kind_label(r.kind),
             "ministere": ministry_label(r.ministry),
             "debut": f"{fmt(r.first_value, r.unit, r.decimals)} ({r.first_year})",
             "fin": f"{fmt(r.last_value, r.unit, r.decimals)} ({r.last_year})",
             "evolution": format_value(r.change, r.unit if r.unit == "%" else "", r.decimals, signed=True).replace(
                 "\u00a0%", "\u00a0pt"),
             "tendance": r.trend}
            for r in summary.itertuples(index=False)]
    return html_table([("indicateur", _("Indicateur")), ("nature", _("Nature")), ("ministere", _("Ministère")),
                       ("debut", _("Début de période")), ("fin", _("Fin de période")), ("evolution", _("Évolution")),
                       ("tendance", _("Lecture"))], rows,
                      _("Indicateurs des ministères sur le territoire choisi (valeurs annuelles)"),
                      numeric={"debut", "fin", "evolution"})


def series_section(*, indicator_options, indicator_value, frequency_options, frequency_value, chart, summary,
                   note: str | None = None) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "baro-series-title"}, children=[
        html.H2(_("Indicateurs de résultat dans le temps"), id="baro-series-title"),
        html.P(_("La série du territoire choisi est comparée à celles des territoires qui le contiennent "
                 "(département, région, France), à chaque échelle où le jeu de données en dispose."),
               className="muted"),
        html.Div(className="filters filters-inline", children=[
            labelled(_("Indicateur"), dropdown("baro-indicator", indicator_options, indicator_value, clearable=False,
                                            placeholder=_("Choisir un indicateur")), "baro-indicator"),
            labelled(_("Fréquence"), dcc.RadioItems(id="baro-frequency", options=frequency_options,
                                                 value=frequency_value, inline=True, className="radio-inline"),
                     "baro-frequency"),
        ]),
        chart_or_note("baro-series", chart, note),
        html.H3(_("Tableau de bord des indicateurs")),
        html.Div(id="baro-summary", children=summary),
    ])


def series_chart(fig: go.Figure, table) -> html.Div:
    return chart_block("baro-series-graph", fig, filename="serie-indicateur",
                       description=_("Évolution de l'indicateur choisi ; les valeurs figurent dans le tableau qui "
                                     "suit."),
                       download_id="baro-series-download", table=html.Div(id="baro-series-table", children=table))


# ------------------------------------------------------------------ coverage


def coverage_figure(table: pd.DataFrame, source: str) -> go.Figure:
    if table.empty:
        return empty_figure(_("Aucun indicateur ne décompte de bénéficiaires pour ces filtres."), source)
    fig = go.Figure()
    for i, (indicator, part) in enumerate(table.groupby("indicator", sort=True)):
        part = part.sort_values("period")
        x = part["period"].astype(int) if part["period"].str.len().eq(4).all() else part["period"]
        label = part["label"].iloc[0]
        fig.add_scatter(x=list(x), y=[None if c is None else 100 * c for c in part["coverage"]],
                        mode="lines+markers", name=label, line=line_style(i),
                        text=[_("{period} : {share} ({beneficiaries} bénéficiaires sur {eligible} éligibles)").format(
                                  period=format_period(p), share=fmt_share(c), beneficiaries=format_number(b, 0),
                                  eligible=format_number(e, 0))
                              for p, c, b, e in zip(part["period"], part["coverage"], part["beneficiaries"],
                                                    part["eligible"], strict=True)],
                        hovertemplate="%{text}<extra>" + label.replace("%", "%%") + "</extra>",
                        meta=indicator)
    fig.update_xaxes(tickformat="d", dtick=1)
    fig.update_yaxes(title=_("Couverture (%)"), rangemode="tozero", ticksuffix="\u00a0%")
    fig = style_figure(fig, title=_("Couverture : bénéficiaires ÷ population éligible"), source=source, height=380)
    return source_below(legend_on_top(fig, len(fig.data), per_row=2), axis_title=False)


def coverage_latest_table(latest: pd.DataFrame) -> html.Table:
    rows = [{"indicateur": r.label, "ministere": ministry_label(r.ministry) if r.ministry else "–",
             "periode": format_period(r.period),
             "beneficiaires": format_number(r.beneficiaries, 0) if not pd.isna(r.beneficiaries) else "–",
             "eligibles": format_number(r.eligible, 0) if not pd.isna(r.eligible) else "–",
             "couverture": fmt_share(r.coverage)}
            for r in latest.itertuples(index=False)]
    return html_table([("indicateur", _("Dispositif (indicateur)")), ("ministere", _("Ministère")),
                       ("periode", _("Période")),
                       ("beneficiaires", _("Bénéficiaires effectifs")), ("eligibles", _("Population éligible")),
                       ("couverture", _("Couverture"))], rows,
                      _("Dernière période connue de chaque dispositif sur le territoire choisi"),
                      numeric={"beneficiaries", "beneficiaires", "eligibles", "couverture"})


COVERAGE_NONE = N_("Aucun indicateur de ce jeu de données ne décompte à la fois des bénéficiaires et une "
                    "population éligible pour ce territoire et ces filtres : la couverture des dispositifs ne peut "
                    "pas être calculée.")


def coverage_section(chart, table, note: str | None) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "baro-coverage-title"}, children=[
        html.H2(_("Bénéficiaires effectifs et couverture"), id="baro-coverage-title"),
        html.P(_("Couverture = bénéficiaires effectifs ÷ population éligible, quand le jeu de données fournit les "
                 "deux."),
               className="muted"),
        html.Div(id="baro-coverage-latest", children=table),
        chart_or_note("baro-coverage", chart, note),
    ])


def coverage_chart(fig: go.Figure) -> html.Div:
    return chart_block("baro-coverage-graph", fig, filename="couverture-des-dispositifs",
                       description=_("Couverture des dispositifs dans le temps ; le tableau précédent donne la "
                                     "dernière période."), download_id="baro-coverage-download")


# ---------------------------------------------------------------------- page


def page(*, filters_block, commitments, map_block, series, coverage, illustrative: bool) -> html.Div:
    return html.Div(className="barometer", children=[
        dcc.Location(id="baro-url", refresh=False),
        html.H1(_("Baromètre de l'action publique")),
        html.P(_("Résultats des politiques publiques dans les quartiers prioritaires : engagements des ministères, "
                 "indicateurs de résultat dans le temps, bénéficiaires et couverture des dispositifs."),
               className="lead"),
        *([html.P(_("Valeurs illustratives : les statuts ci-dessous ne reflètent aucun engagement réel."),
                  className="notice")] if illustrative else []),
        filters_block,
        commitments,
        map_block,
        series,
        coverage,
    ])


def frequency_options(available: list[str]) -> list[dict]:
    return [{"label": bar.frequency_label(f), "value": f} for f in available] or [
        {"label": bar.frequency_label("annual"), "value": "annual", "disabled": True}]


