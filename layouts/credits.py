"""The credits page and its leverage view: pure functions from computed frames to components."""

from __future__ import annotations

import dash_leaflet as dl
import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html
from dash.dash_table.Format import Symbol

from atlas.formatting import format_euros, format_number, format_value
from atlas.i18n import N_, _, ngettext
from atlas.schema import ministry_label
from atlas.themes import label as theme_label
from layouts.charts import PALETTE, csv_downloads, style_figure
from layouts.widgets import (
    MAP_CENTER,
    TABLE_STYLE,
    chart_block,
    dropdown,
    empty_figure,
    html_table,
    labelled,
    legend_on_top,
    level_name,
    level_plural,
    source_below,
    table_number,
)


def euros_format():
    return table_number(2, symbol=Symbol.yes, symbol_suffix="\u00a0€", nully="–")


def integer_format():
    return table_number(0, nully="–")
FUNDER_COLOURS = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(
    ["transition_ecologique", "travail", "education", "culture", "interieur", "justice", "sante"])}
FUNDER_COLOURS.update({"collectivites": "#8C8C8C", "autres": "#BDBDBD"})



# ------------------------------------------------------------------- filters


def filters(state: dict, options: dict) -> html.Div:
    years = [{"label": str(y), "value": y} for y in options["years"]]
    return html.Div(className="filters", role="search", **{"aria-label": _("Filtres des crédits")}, children=[
        labelled(_("Période : de"), dropdown("cred-start", years, state["start"], clearable=False), "cred-start"),
        labelled(_("à"), dropdown("cred-end", years, state["end"], clearable=False), "cred-end"),
        labelled(_("Programme"), dropdown("cred-programme", options["programmes"], state["programmes"], multi=True),
                 "cred-programme"),
        labelled(_("Financeur"), dropdown("cred-ministry", options["ministries"], state["ministries"], multi=True),
                 "cred-ministry"),
        labelled(_("Thème"), dropdown("cred-theme", options["themes"], state["themes"], multi=True), "cred-theme"),
        labelled(_("Territoire"), dropdown("cred-territory", options["territories"], state["territory"],
                                        clearable=False, placeholder=_("France")), "cred-territory"),
        labelled(_("Porteur (recherche)"), dcc.Input(id="cred-carrier", type="search", value=state["carrier"] or "",
                                                  debounce=True, placeholder=_("ex. Mission locale"),
                                                  className="filter-text", autoComplete="off"), "cred-carrier"),
    ])


# ---------------------------------------------------------------------- KPIs


def kpi(label: str, value: str, note: str | None = None) -> html.Li:
    return html.Li(className="kpi-card", children=[
        html.Span(label, className="kpi-label"), html.Span(value, className="kpi-value"),
        *([html.Span(note, className="kpi-note")] if note else []),
    ])


def kpi_cards(totals: dict, share: dict | None, years: tuple[int, int]) -> html.Div:
    period = str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"
    cards = [
        kpi(_("Montant total ({period})").format(period=period), format_euros(float(totals["amount_eur"])),
            ngettext("{count} ligne", "{count} lignes", totals["lines"]).format(count=format_number(totals["lines"], 0))
            + ", " + ngettext("{count} porteur", "{count} porteurs", totals["carriers"]).format(
                count=format_number(totals["carriers"], 0))),
        per_inhabitant_card(totals),
        kpi(_("Bénéficiaires déclarés"), format_number(totals["beneficiaries"], 0),
            _("sur {count} lignes renseignées (doubles comptes possibles)").format(
                count=format_number(totals["lines_with_beneficiaries"], 0))) if totals["lines_with_beneficiaries"] else
        kpi(_("Bénéficiaires déclarés"), _("non renseignés"),
            _("aucune ligne de ce jeu de données ne déclare de bénéficiaires")),
    ]
    if share is not None and share["cents"]:
        if share["share"] is None:
            note = _("budget de l'État inconnu")
        else:
            reference = (_(", référence {year}").format(year=share["budget_year"])
                         if share["budget_year"] != share["year"] else "")
            note = _("lignes du programme 147 présentes dans ce jeu de données ; ≈ {share}\u00a0% des dépenses nettes "
                     "du budget général de l'État (≈ {budget}{reference}, valeur approchée)").format(
                share=format_number(100 * share["share"], 2), budget=format_euros(share["budget_eur"]),
                reference=reference)
        cards.append(kpi(_("Programme 147 en {year}").format(year=share["year"]),
                         format_euros(float(share["amount_eur"])), note))
    return html.Div([html.Ul(className="kpi-cards", children=cards), attachment_note(totals)])


def per_inhabitant_card(totals: dict) -> html.Li:
    """Credits per QPV inhabitant, with its numerator and denominator said in words (docs/barometer.md)."""
    per_head = totals["per_qpv_inhabitant"]
    year = f" ({totals['population_year']})" if totals.get("population_year") else ""
    if per_head is None:
        return kpi(_("Par habitant des QPV"), _("non calculable"),
                   _("aucune de ces lignes n'est rattachée à un territoire dont les quartiers (et leur population) "
                     "figurent dans ce jeu de données"))
    left = totals["cents"] - totals["covered_cents"]
    note = _("{amount} ÷ {population} habitants{year} des QPV des territoires auxquels ces crédits sont "
             "rattachés").format(amount=format_euros(totals["covered_cents"] / 100),
                                 population=format_number(totals["qpv_population"], 0), year=year)
    if totals.get("via_departement_cents"):
        note += _(" (dont {amount} de contrats de ville comptés à l'échelle de leur département, leurs quartiers n'y "
                  "étant pas rattachés)").format(amount=format_euros(totals["via_departement_cents"] / 100))
    if left > 0:
        note += _(" ; {amount} rattachés à des territoires sans quartier connu dans ce jeu de données ne sont pas "
                  "comptés").format(amount=format_euros(left / 100))
    return kpi(_("Par habitant des QPV"), format_value(per_head, "€", 0), note + ".")


def attachment_note(totals: dict) -> html.P:
    """One sentence on what the lines are attached to (contrats de ville, départements…), never hidden."""
    parts = [_("{count} à des {territories}").format(count=format_number(n, 0), territories=level_plural(level))
             if level != "france" else _("{count} à la France entière").format(count=format_number(n, 0))
             for level, n, _cents in totals.get("by_level", [])]
    if not parts:
        return html.P(_("Aucune ligne de crédit pour ces filtres."), className="muted")
    text = ", ".join(parts[:-1]) + (_(" et ") if len(parts) > 1 else "") + parts[-1]
    qpv = any(level == "qpv" for level, _n, _c in totals.get("by_level", []))
    return html.P(_("Rattachement des lignes : {attachments}.").format(attachments=text) + ("" if qpv else " " + _(
        "Aucune n'est rattachée directement à un quartier : les montants décrivent des territoires qui contiennent "
        "des quartiers prioritaires.")), className="muted")


# -------------------------------------------------------------------- charts


def _millions(cents) -> list[float]:
    return [int(c) / 1e8 for c in cents]


def trend_figure(by_year_funder: pd.DataFrame, source: str) -> go.Figure:
    if by_year_funder.empty:
        return empty_figure(_("Aucun crédit pour ces filtres."), source)
    fig = go.Figure()
    totals = by_year_funder.groupby("ministry")["cents"].sum().sort_values(ascending=False)
    for funder in totals.index:
        part = by_year_funder[by_year_funder["ministry"] == funder].sort_values("year")
        label = ministry_label(funder)
        fig.add_bar(x=part["year"].tolist(), y=_millions(part["cents"]), name=label,
                    marker_color=FUNDER_COLOURS.get(funder, "#999999"),
                    text=[f"{label} — {y} : {format_euros(c / 100)}" for y, c in zip(part["year"], part["cents"],
                                                                                       strict=True)],
                    hovertemplate="%{text}<extra></extra>", textposition="none")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat="d", dtick=1)
    fig.update_yaxes(title=_("Millions d'euros"))
    fig = style_figure(fig, title=_("Crédits par année et par financeur"), source=source, height=380)
    fig = legend_on_top(fig, len(fig.data), per_row=3)
    fig.update_layout(legend={"traceorder": "normal"})
    return source_below(fig, axis_title=False)


def label_of(key, labels: dict) -> str:
    """A key's label: from ``labels`` (French source, translated) when it has one, else the key (data)."""
    return _(labels[key]) if isinstance(key, str) and key in labels else str(key)


def bar_figure(table: pd.DataFrame, key: str, labels: dict, title: str, source: str, colour: str = PALETTE[0],
               height: int | None = None) -> go.Figure:
    if table.empty:
        return empty_figure(_("Aucun crédit pour ces filtres."), source)
    table = table.sort_values("cents", ascending=True)
    names = [label_of(k, labels) for k in table[key]]
    fig = go.Figure(go.Bar(
        y=names, x=_millions(table["cents"]), orientation="h", marker_color=colour,
        text=[format_euros(c / 100) for c in table["cents"]], textposition="outside", cliponaxis=False,
        hovertext=[_("{name} : {amount} ({lines})").format(
                       name=n, amount=format_euros(c / 100),
                       lines=ngettext("{count} ligne", "{count} lignes", n_lines).format(
                           count=format_number(n_lines, 0)))
                   for n, c, n_lines in zip(names, table["cents"], table["lines"], strict=True)],
        hoverinfo="text"))
    fig.update_xaxes(title=_("Millions d'euros"))
    fig = style_figure(fig, title=title, source=source, height=height or max(260, 70 + 30 * len(names)))
    longest = max((len(n) for n in names), default=10)
    fig.update_layout(margin={"l": min(420, 20 + 7 * longest), "r": 90})
    return source_below(fig)


def breakdown_table(table: pd.DataFrame, key: str, labels: dict, caption: str, header: str) -> html.Table:
    total = int(table["cents"].sum()) if len(table) else 0
    rows = [{"cle": label_of(k, labels), "montant": format_euros(c / 100),
             "part": format_value(100 * c / total, "%", 1) if total else "–", "lignes": format_number(n, 0)}
            for k, c, n in zip(table[key], table["cents"], table["lines"], strict=True)]
    return html_table([("cle", header),
                       ("montant", _("Montant")), ("part", _("Part")), ("lignes", _("Lignes"))], rows, caption,
                      numeric={"montant", "part", "lignes"})


def trend_table(by_year_funder: pd.DataFrame) -> html.Table:
    if by_year_funder.empty:
        return html_table([("annee", _("Année"))], [], _("Crédits par année et par financeur"))
    pivot = by_year_funder.pivot_table(index="year", columns="ministry", values="cents", aggfunc="sum", fill_value=0)
    funders = list(pivot.sum().sort_values(ascending=False).index)
    rows = [{"annee": str(year), **{f: format_euros(int(pivot.at[year, f]) / 100) for f in funders},
             "total": format_euros(int(pivot.loc[year].sum()) / 100)} for year in pivot.index]
    return html_table([("annee", _("Année")), *[(f, ministry_label(f)) for f in funders], ("total", _("Total"))],
                      rows,
                      _("Crédits par année et par financeur"), numeric={*funders, "total"})


def charts_section(*, trend, programmes, themes, carriers) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "cred-charts-title"}, children=[
        html.H2(_("Tendances et répartition"), id="cred-charts-title"),
        trend,
        programmes,
        themes,
        html.H3(_("Principaux porteurs")),
        carriers,
    ])


def chart(graph_id: str, fig: go.Figure, table, *, filename: str, description: str) -> html.Div:
    return chart_block(graph_id, fig, filename=filename, description=description,
                       download_id=graph_id.replace("-graph", "-download"),
                       table=html.Div(id=graph_id.replace("-graph", "-table"), children=table))


# ----------------------------------------------------------------------- map


def credits_map(outline: dict, points_url: str, symbols_url: str) -> html.Div:
    """``outline`` is ``{"data": …}`` or ``{"url": …}`` (see :func:`layouts.widgets.geometry_source`); points and
    symbols are fetched by the layers from their addresses (large GeoJSON must not travel as Dash properties)."""
    return html.Div(className="map-wrap", children=[
        dl.Map(id="cred-map", center=MAP_CENTER, zoom=5.5, zoomSnap=0.25, style={"height": "520px"},
               keyboard=True, children=[
                   dl.GeoJSON(id="cred-map-outline", **outline, style={"variable": "atlasCredits.outlineStyle"},
                              interactive=False, attribution=_("Contours : départements (jeu de données)")),
                   dl.LayersControl(position="topright", collapsed=False, children=[
                       dl.Overlay(name=_("Montants par territoire (lignes sans point)"), checked=True, children=[
                           dl.GeoJSON(id="cred-map-symbols", url=symbols_url,
                                      pointToLayer={"variable": "atlasCredits.symbolToLayer"}),
                       ]),
                       dl.Overlay(name=_("Lignes géolocalisées (regroupées)"), checked=True, children=[
                           dl.GeoJSON(id="cred-map-points", url=points_url, cluster=True, zoomToBoundsOnClick=True,
                                      pointToLayer={"variable": "atlasCredits.pointToLayer"},
                                      clusterToLayer={"variable": "atlasCredits.clusterToLayer"},
                                      superClusterOptions={"radius": 60, "maxZoom": 14}),
                       ]),
                   ]),
               ]),
    ])


def territory_table(table: pd.DataFrame, level: str, limit: int = 30) -> html.Table:
    rows = [{"territoire": f"{r.name} ({r.code})", "montant": format_euros(r.cents / 100),
             "pop": format_number(r.qpv_population, 0),
             "par_hab": format_value(r.per_inhabitant, "€", 0) if not pd.isna(r.per_inhabitant) else "–",
             "lignes": format_number(r.lines, 0)}
            for r in table.head(limit).itertuples(index=False)]
    return html_table([("territoire", level_name(level)), ("montant", _("Montant")),
                       ("pop", _("Population des QPV")), ("par_hab", _("Par habitant des QPV")),
                       ("lignes", _("Lignes"))], rows,
                      _("Les {count} {territories} recevant le plus de crédits (alternative à la carte)").format(
                          count=min(limit, len(table)), territories=level_plural(level)),
                      numeric={"montant", "pop", "par_hab", "lignes"})


def map_section(*, outline, points, symbols, caption, table) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "cred-map-title"}, children=[
        html.H2(_("Carte des crédits"), id="cred-map-title"),
        html.P([_("Les lignes géolocalisées sont regroupées (cliquez un groupe pour zoomer) ; les autres sont cumulées "
                  "au point de leur territoire de rattachement (quartier, commune, contrat de ville, département), "
                  "la surface des cercles étant proportionnelle au montant.")], className="muted"),
        html.P(caption, id="cred-map-caption", className="muted"),
        credits_map(outline, points, symbols),
        html.Details(className="table-alternative", children=[
            html.Summary(_("Tableau des territoires (accessible au clavier et aux lecteurs d'écran)")),
            html.Div(id="cred-map-table", children=table),
        ]),
        html.Div(className="chart-actions", children=[
            csv_downloads("cred-map-download", _("Télécharger les montants par territoire")),
        ]),
    ])


# --------------------------------------------------------------------- lines

LINE_COLUMNS = [  # headers: French source, translated where the table is built
    ("year", N_("Année"), None), ("programme", N_("Programme"), None), ("ministry_fr", N_("Financeur"), None),
    ("theme_fr", N_("Thème"), None), ("label", N_("Mesure"), None), ("carrier", N_("Porteur"), None),
    ("territory", N_("Territoire"), None), ("amount_eur", N_("Montant"), euros_format),
    ("beneficiaries", N_("Bénéficiaires"), integer_format),
]


def lines_rows(page: pd.DataFrame, names: dict) -> list[dict]:
    return [{"id": r.id, "year": int(r.year), "programme": r.programme, "ministry_fr": ministry_label(r.ministry),
             "theme_fr": theme_label(r.theme), "label": r.label if isinstance(r.label, str) else "",
             "carrier": r.carrier,
             "territory": f"{names.get((r.level, r.code), r.code)} ({level_name(r.level).lower()})",
             "amount_eur": int(r.cents) / 100,
             "beneficiaries": None if pd.isna(r.beneficiaries) else int(r.beneficiaries)}
            for r in page.itertuples(index=False)]


def lines_table(rows: list[dict], page_count: int, page_size: int) -> dash_table.DataTable:
    columns = []
    for key, label, number in LINE_COLUMNS:
        column = {"name": _(label), "id": key}
        if number is not None:
            column.update(type="numeric", format=number())
        columns.append(column)
    return dash_table.DataTable(
        id="cred-lines-table", columns=columns, data=rows, page_action="custom", page_current=0,
        page_size=page_size, page_count=page_count, sort_action="custom", sort_mode="single", sort_by=[],
        cell_selectable=False, **TABLE_STYLE,
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"}
                                for c in ("amount_eur", "beneficiaries", "year")],
    )


def lines_section(rows, page_count: int, page_size: int, caption: str) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "cred-lines-title"}, children=[
        html.H2(_("Lignes de crédits"), id="cred-lines-title"),
        html.P(caption, id="cred-lines-caption", className="muted"),
        html.P(_("Triez en cliquant sur un en-tête de colonne ; les pages se parcourent sous le tableau."),
               className="muted"),
        lines_table(rows, page_count, page_size),
        html.Div(className="chart-actions", children=[
            csv_downloads("cred-lines-download", _("Télécharger toutes les lignes filtrées")),
        ]),
    ])


# ---------------------------------------------------------------------- page


def page(*, filters_block, kpis, charts, map_block, lines, leverage, illustrative: bool) -> html.Div:
    return html.Div(className="credits-page", children=[
        dcc.Location(id="cred-url", refresh=False),
        html.H1(_("Crédits de la politique de la ville et du droit commun")),
        html.P(_("Les crédits de l'État (programme 147 « Politique de la ville » et programmes des autres ministères) "
                 "et des collectivités dans les quartiers prioritaires : montants, tendances, porteurs, localisation, "
                 "et rapprochement avec les résultats."), className="lead"),
        *([html.P(_("Montants illustratifs : ils reproduisent des ordres de grandeur, pas des crédits réels."),
                  className="notice")] if illustrative else []),
        filters_block,
        html.Section(className="section", **{"aria-labelledby": "cred-kpis-title"}, children=[
            html.H2(_("Chiffres clés"), id="cred-kpis-title"),
            html.Div(id="cred-kpis", children=kpis),
        ]),
        charts,
        map_block,
        lines,
        leverage,
    ])
