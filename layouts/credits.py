"""The credits page and its leverage view: pure functions from computed frames to components."""

from __future__ import annotations

import dash_leaflet as dl
import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html
from dash.dash_table.Format import Format, Group, Scheme, Symbol

from atlas import leverage as lv
from atlas.formatting import format_euros, format_number, format_value
from atlas.schema import FUNDERS
from atlas.themes import label as theme_label
from layouts.charts import PALETTE, download_button, style_figure
from layouts.widgets import (
    MAP_CENTER,
    TABLE_STYLE,
    chart_block,
    chart_or_note,
    dropdown,
    empty_figure,
    html_table,
    labelled,
    legend_on_top,
    level_name,
    level_plural,
    source_below,
)

EUROS = Format(decimal_delimiter=",", group_delimiter="\u202f", group=Group.yes, precision=2, scheme=Scheme.fixed,
               symbol=Symbol.yes, symbol_suffix="\u00a0€", nully="–")
INTEGER = Format(decimal_delimiter=",", group_delimiter="\u202f", group=Group.yes, precision=0, scheme=Scheme.fixed,
                 nully="–")
FUNDER_COLOURS = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(
    ["transition_ecologique", "travail", "education", "culture", "interieur", "justice", "sante"])}
FUNDER_COLOURS.update({"collectivites": "#8C8C8C", "autres": "#BDBDBD"})
QUADRANT_COLOURS = {"more_better": "#009E73", "more_worse": "#D55E00", "less_better": "#0072B2",
                    "less_worse": "#CC79A7"}


# ------------------------------------------------------------------- filters


def filters(state: dict, options: dict) -> html.Div:
    years = [{"label": str(y), "value": y} for y in options["years"]]
    return html.Div(className="filters", role="search", **{"aria-label": "Filtres des crédits"}, children=[
        labelled("Période : de", dropdown("cred-start", years, state["start"], clearable=False), "cred-start"),
        labelled("à", dropdown("cred-end", years, state["end"], clearable=False), "cred-end"),
        labelled("Programme", dropdown("cred-programme", options["programmes"], state["programmes"], multi=True),
                 "cred-programme"),
        labelled("Financeur", dropdown("cred-ministry", options["ministries"], state["ministries"], multi=True),
                 "cred-ministry"),
        labelled("Thème", dropdown("cred-theme", options["themes"], state["themes"], multi=True), "cred-theme"),
        labelled("Territoire", dropdown("cred-territory", options["territories"], state["territory"],
                                        clearable=False, placeholder="France"), "cred-territory"),
        labelled("Porteur (recherche)", dcc.Input(id="cred-carrier", type="search", value=state["carrier"] or "",
                                                  debounce=True, placeholder="ex. Mission locale",
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
        kpi(f"Montant total ({period})", format_euros(float(totals["amount_eur"])),
            f"{format_number(totals['lines'], 0)} lignes, {format_number(totals['carriers'], 0)} porteurs"),
        per_inhabitant_card(totals),
        kpi("Bénéficiaires déclarés", format_number(totals["beneficiaries"], 0),
            f"sur {format_number(totals['lines_with_beneficiaries'], 0)} lignes renseignées (doubles comptes "
            "possibles)") if totals["lines_with_beneficiaries"] else
        kpi("Bénéficiaires déclarés", "non renseignés",
            "aucune ligne de ce jeu de données ne déclare de bénéficiaires"),
    ]
    if share is not None and share["cents"]:
        if share["share"] is None:
            note = "budget de l'État inconnu"
        else:
            reference = f", référence {share['budget_year']}" if share["budget_year"] != share["year"] else ""
            note = (f"lignes du programme 147 présentes dans ce jeu de données ; ≈ "
                    f"{format_number(100 * share['share'], 2)} % des dépenses nettes du budget général de l'État "
                    f"(≈ {format_euros(share['budget_eur'])}{reference}, valeur approchée)")
        cards.append(kpi(f"Programme 147 en {share['year']}", format_euros(float(share["amount_eur"])), note))
    return html.Div([html.Ul(className="kpi-cards", children=cards), attachment_note(totals)])


def per_inhabitant_card(totals: dict) -> html.Li:
    """Credits per QPV inhabitant, with its numerator and denominator said in words (docs/barometer.md)."""
    per_head = totals["per_qpv_inhabitant"]
    year = f" ({totals['population_year']})" if totals.get("population_year") else ""
    if per_head is None:
        return kpi("Par habitant des QPV", "non calculable",
                   "aucune de ces lignes n'est rattachée à un territoire dont les quartiers (et leur population) "
                   "figurent dans ce jeu de données")
    left = totals["cents"] - totals["covered_cents"]
    note = (f"{format_euros(totals['covered_cents'] / 100)} ÷ {format_number(totals['qpv_population'], 0)} "
            f"habitants{year} des QPV des territoires auxquels ces crédits sont rattachés")
    if totals.get("via_departement_cents"):
        note += (f" (dont {format_euros(totals['via_departement_cents'] / 100)} de contrats de ville comptés à "
                 "l'échelle de leur département, leurs quartiers n'y étant pas rattachés)")
    if left > 0:
        note += (f" ; {format_euros(left / 100)} rattachés à des territoires sans quartier connu dans ce jeu de "
                 "données ne sont pas comptés")
    return kpi("Par habitant des QPV", format_value(per_head, "€", 0), note + ".")


def attachment_note(totals: dict) -> html.P:
    """One sentence on what the lines are attached to (contrats de ville, départements…), never hidden."""
    parts = [f"{format_number(n, 0)} à des {level_plural(level)}" if level != "france" else
             f"{format_number(n, 0)} à la France entière" for level, n, _cents in totals.get("by_level", [])]
    if not parts:
        return html.P("Aucune ligne de crédit pour ces filtres.", className="muted")
    text = ", ".join(parts[:-1]) + (" et " if len(parts) > 1 else "") + parts[-1]
    qpv = any(level == "qpv" for level, _n, _c in totals.get("by_level", []))
    return html.P(f"Rattachement des lignes : {text}." + ("" if qpv else " Aucune n'est rattachée directement à un "
                                                          "quartier : les montants décrivent des territoires qui "
                                                          "contiennent des quartiers prioritaires."),
                  className="muted")


# -------------------------------------------------------------------- charts


def _millions(cents) -> list[float]:
    return [int(c) / 1e8 for c in cents]


def trend_figure(by_year_funder: pd.DataFrame, source: str) -> go.Figure:
    if by_year_funder.empty:
        return empty_figure("Aucun crédit pour ces filtres.", source)
    fig = go.Figure()
    totals = by_year_funder.groupby("ministry")["cents"].sum().sort_values(ascending=False)
    for funder in totals.index:
        part = by_year_funder[by_year_funder["ministry"] == funder].sort_values("year")
        label = FUNDERS.get(funder, funder)
        fig.add_bar(x=part["year"].tolist(), y=_millions(part["cents"]), name=label,
                    marker_color=FUNDER_COLOURS.get(funder, "#999999"),
                    text=[f"{label} — {y} : {format_euros(c / 100)}" for y, c in zip(part["year"], part["cents"],
                                                                                       strict=True)],
                    hovertemplate="%{text}<extra></extra>", textposition="none")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat="d", dtick=1)
    fig.update_yaxes(title="Millions d'euros")
    fig = style_figure(fig, title="Crédits par année et par financeur", source=source, height=380)
    fig = legend_on_top(fig, len(fig.data), per_row=3)
    fig.update_layout(legend={"traceorder": "normal"})
    return source_below(fig, axis_title=False)


def bar_figure(table: pd.DataFrame, key: str, labels: dict, title: str, source: str, colour: str = PALETTE[0],
               height: int | None = None) -> go.Figure:
    if table.empty:
        return empty_figure("Aucun crédit pour ces filtres.", source)
    table = table.sort_values("cents", ascending=True)
    names = [labels.get(k, k) if isinstance(k, str) else str(k) for k in table[key]]
    fig = go.Figure(go.Bar(
        y=names, x=_millions(table["cents"]), orientation="h", marker_color=colour,
        text=[format_euros(c / 100) for c in table["cents"]], textposition="outside", cliponaxis=False,
        hovertext=[f"{n} : {format_euros(c / 100)} ({format_number(n_lines, 0)} lignes)"
                   for n, c, n_lines in zip(names, table["cents"], table["lines"], strict=True)],
        hoverinfo="text"))
    fig.update_xaxes(title="Millions d'euros")
    fig = style_figure(fig, title=title, source=source, height=height or max(260, 70 + 30 * len(names)))
    longest = max((len(n) for n in names), default=10)
    fig.update_layout(margin={"l": min(420, 20 + 7 * longest), "r": 90})
    return source_below(fig)


def breakdown_table(table: pd.DataFrame, key: str, labels: dict, caption: str) -> html.Table:
    total = int(table["cents"].sum()) if len(table) else 0
    rows = [{"cle": labels.get(k, k) if isinstance(k, str) else str(k), "montant": format_euros(c / 100),
             "part": format_value(100 * c / total, "%", 1) if total else "–", "lignes": format_number(n, 0)}
            for k, c, n in zip(table[key], table["cents"], table["lines"], strict=True)]
    return html_table([("cle", caption.split(" par ")[-1].capitalize() if " par " in caption else "Clé"),
                       ("montant", "Montant"), ("part", "Part"), ("lignes", "Lignes")], rows, caption,
                      numeric={"montant", "part", "lignes"})


def trend_table(by_year_funder: pd.DataFrame) -> html.Table:
    if by_year_funder.empty:
        return html_table([("annee", "Année")], [], "Crédits par année et par financeur")
    pivot = by_year_funder.pivot_table(index="year", columns="ministry", values="cents", aggfunc="sum", fill_value=0)
    funders = list(pivot.sum().sort_values(ascending=False).index)
    rows = [{"annee": str(year), **{f: format_euros(int(pivot.at[year, f]) / 100) for f in funders},
             "total": format_euros(int(pivot.loc[year].sum()) / 100)} for year in pivot.index]
    return html_table([("annee", "Année"), *[(f, FUNDERS.get(f, f)) for f in funders], ("total", "Total")], rows,
                      "Crédits par année et par financeur", numeric={*funders, "total"})


def charts_section(*, trend, programmes, themes, carriers) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "cred-charts-title"}, children=[
        html.H2("Tendances et répartition", id="cred-charts-title"),
        trend,
        programmes,
        themes,
        html.H3("Principaux porteurs"),
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
                              interactive=False, attribution="Contours : départements (jeu de données)"),
                   dl.LayersControl(position="topright", collapsed=False, children=[
                       dl.Overlay(name="Montants par territoire (lignes sans point)", checked=True, children=[
                           dl.GeoJSON(id="cred-map-symbols", url=symbols_url,
                                      pointToLayer={"variable": "atlasCredits.symbolToLayer"}),
                       ]),
                       dl.Overlay(name="Lignes géolocalisées (regroupées)", checked=True, children=[
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
    return html_table([("territoire", level_name(level)), ("montant", "Montant"), ("pop", "Population des QPV"),
                       ("par_hab", "Par habitant des QPV"), ("lignes", "Lignes")], rows,
                      f"Les {min(limit, len(table))} {level_plural(level)} recevant le plus de crédits "
                      "(alternative à la carte)", numeric={"montant", "pop", "par_hab", "lignes"})


def map_section(*, outline, points, symbols, caption, table) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "cred-map-title"}, children=[
        html.H2("Carte des crédits", id="cred-map-title"),
        html.P(["Les lignes géolocalisées sont regroupées (cliquez un groupe pour zoomer) ; les autres sont cumulées "
                "au point de leur territoire de rattachement (quartier, commune, contrat de ville, département), "
                "la surface des cercles étant proportionnelle au montant."], className="muted"),
        html.P(caption, id="cred-map-caption", className="muted"),
        credits_map(outline, points, symbols),
        html.Details(className="table-alternative", children=[
            html.Summary("Tableau des territoires (accessible au clavier et aux lecteurs d'écran)"),
            html.Div(id="cred-map-table", children=table),
        ]),
        html.Div(className="chart-actions", children=[
            download_button("cred-map-download-button", "Télécharger les montants par territoire (CSV)"),
            dcc.Download(id="cred-map-download"),
        ]),
    ])


# --------------------------------------------------------------------- lines

LINE_COLUMNS = [
    ("year", "Année", None), ("programme", "Programme", None), ("ministry_fr", "Financeur", None),
    ("theme_fr", "Thème", None), ("label", "Mesure", None), ("carrier", "Porteur", None),
    ("territory", "Territoire", None), ("amount_eur", "Montant", EUROS), ("beneficiaries", "Bénéficiaires", INTEGER),
]


def lines_rows(page: pd.DataFrame, names: dict) -> list[dict]:
    return [{"id": r.id, "year": int(r.year), "programme": r.programme,
             "ministry_fr": FUNDERS.get(r.ministry, r.ministry), "theme_fr": theme_label(r.theme),
             "label": r.label if isinstance(r.label, str) else "", "carrier": r.carrier,
             "territory": f"{names.get((r.level, r.code), r.code)} ({level_name(r.level).lower()})",
             "amount_eur": int(r.cents) / 100,
             "beneficiaries": None if pd.isna(r.beneficiaries) else int(r.beneficiaries)}
            for r in page.itertuples(index=False)]


def lines_table(rows: list[dict], page_count: int, page_size: int) -> dash_table.DataTable:
    columns = []
    for key, label, number in LINE_COLUMNS:
        column = {"name": label, "id": key}
        if number is not None:
            column.update(type="numeric", format=number)
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
        html.H2("Lignes de crédits", id="cred-lines-title"),
        html.P(caption, id="cred-lines-caption", className="muted"),
        html.P("Triez en cliquant sur un en-tête de colonne ; les pages se parcourent sous le tableau.",
               className="muted"),
        lines_table(rows, page_count, page_size),
        html.Div(className="chart-actions", children=[
            download_button("cred-lines-download-button", "Télécharger toutes les lignes filtrées (CSV)"),
            dcc.Download(id="cred-lines-download"),
        ]),
    ])


# ------------------------------------------------------------------ leverage


def leverage_figure(table: pd.DataFrame, meta: dict, level: str, years: tuple[int, int], source: str) -> go.Figure:
    if table.empty:
        return empty_figure("Pas assez de données pour ce niveau, cet indicateur et cette période.", source)
    polarity = meta.get("polarity", "neutral")
    labels = lv.quadrant_labels(polarity)
    unit, decimals = meta.get("unit", ""), int(meta.get("decimals", 1))
    change_unit = "pt" if unit == "%" else unit
    x_median, y_median = lv.medians(table)
    fig = go.Figure()
    for quadrant in lv.QUADRANTS:
        part = table[table["quadrant"] == quadrant]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["per_inhabitant"], y=part["change"], mode="markers", name=labels[quadrant],
            marker={"color": QUADRANT_COLOURS[quadrant], "size": 9, "opacity": 0.85,
                    "line": {"color": "#ffffff", "width": 0.5},
                    "symbol": {"more_better": "circle", "more_worse": "diamond", "less_better": "square",
                               "less_worse": "triangle-up"}[quadrant]},
            text=[f"{n} : {format_value(x, '€', 0)} par habitant des QPV ; "
                  f"{format_value(s, unit, decimals)} ({sy}) → {format_value(e, unit, decimals)} ({ey}), "
                  f"soit {format_value(c, change_unit, decimals, signed=True)}"
                  for n, x, s, sy, e, ey, c in zip(part["name"], part["per_inhabitant"], part["start_value"],
                                                   part["start_year"], part["end_value"], part["end_year"],
                                                   part["change"], strict=True)],
            hovertemplate="%{text}<extra></extra>")
    fig.add_vline(x=x_median, line={"color": "#595959", "dash": "dash", "width": 1})
    fig.add_hline(y=y_median, line={"color": "#595959", "dash": "dash", "width": 1})
    fig.add_annotation(x=x_median, y=1, yref="paper", text=f"médiane : {format_value(x_median, '€', 0)}",
                       showarrow=False, yanchor="bottom", font={"size": 11, "color": "#595959"})
    fig.add_annotation(x=1, xref="paper", y=y_median, xanchor="right", yanchor="bottom", showarrow=False,
                       text=f"médiane : {format_value(y_median, change_unit, decimals, signed=True)}",
                       font={"size": 11, "color": "#595959"})
    better_up = polarity != "higher_is_worse"
    fig.update_xaxes(title="Crédits par habitant des QPV sur la période (€)")
    direction = "" if polarity == "neutral" else (" ↑ mieux" if better_up else " ↓ mieux")
    fig.update_yaxes(title=f"Évolution {years[0]}–{years[1]} ({change_unit or 'valeur'}){direction}")
    title = f"Crédits et évolution de « {meta.get('label_fr', '')} » par {level_name(level).lower()}"
    fig = style_figure(fig, title=title, source=source, height=460)
    return source_below(legend_on_top(fig, len(fig.data), per_row=2))


LEVERAGE_TABLE_ROWS = 40  # every row is ~7 Dash components, and Dash re-examines each one on every update


def leverage_table(table: pd.DataFrame, meta: dict, limit: int = LEVERAGE_TABLE_ROWS) -> html.Table:
    """The chart's table alternative: the territories receiving the most per inhabitant (all in the CSV)."""
    labels = lv.quadrant_labels(meta.get("polarity", "neutral"))
    shown = table.sort_values(["per_inhabitant", "code"], ascending=[False, True], kind="stable").head(limit)
    unit, decimals = meta.get("unit", ""), int(meta.get("decimals", 1))
    change_unit = "pt" if unit == "%" else unit
    rows = [{"territoire": f"{r.name} ({r.code})", "par_hab": format_value(r.per_inhabitant, "€", 0),
             "debut": f"{format_value(r.start_value, unit, decimals)} ({r.start_year})",
             "fin": f"{format_value(r.end_value, unit, decimals)} ({r.end_year})",
             "evolution": format_value(r.change, change_unit, decimals, signed=True),
             "quadrant": labels[r.quadrant]}
            for r in shown.itertuples(index=False)]
    caption = ("Crédits par habitant et évolution de l'indicateur, par territoire" if len(shown) == len(table) else
               f"Les {format_number(len(shown), 0)} territoires recevant le plus de crédits par habitant, sur "
               f"{format_number(len(table), 0)} (tous dans le fichier CSV)")
    return html_table([("territoire", "Territoire"), ("par_hab", "Crédits par habitant des QPV"),
                       ("debut", "Début"), ("fin", "Fin"), ("evolution", "Évolution"), ("quadrant", "Quadrant")],
                      rows, caption, numeric={"par_hab", "debut", "fin", "evolution"})


def quadrant_summary(counts: dict[str, int], polarity: str) -> html.Ul:
    labels = lv.quadrant_labels(polarity)
    return html.Ul(className="baro-legend", children=[
        html.Li([html.Span(className="swatch", style={"background": QUADRANT_COLOURS[q]}),
                 f"{labels[q]} : {format_number(counts.get(q, 0), 0)}"]) for q in lv.QUADRANTS
    ])


LEVERAGE_NONE = ("Aucun indicateur de résultat de ce jeu de données n'a deux valeurs annuelles sur la période des "
                 "crédits dans des territoires qui en reçoivent et dont les quartiers sont connus : le rapprochement "
                 "n'est pas possible.")


def leverage_section(*, level_options, level, indicator_options, indicator, summary, fig, table,
                     note: str | None = None) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "cred-leverage-title"}, children=[
        html.H2("Crédits et résultats : où dépenses et résultats divergent", id="cred-leverage-title"),
        html.P(["Chaque point est un territoire : en abscisse, les crédits reçus sur la période par habitant des "
                "QPV ; en ordonnée, l'évolution d'un indicateur de résultat entre le début et la fin de la période. "
                "Les pointillés marquent les médianes des territoires affichés (nationales quand le territoire "
                "choisi est la France)."], className="muted"),
        html.P([html.Strong("Attention : "), lv.CAVEAT_FR], className="caveat", role="note",
               id="cred-leverage-caveat"),
        html.Div(className="filters filters-inline", children=[
            labelled("Territoires comparés", dropdown("cred-leverage-level", level_options, level, clearable=False),
                     "cred-leverage-level"),
            labelled("Indicateur de résultat", dropdown("cred-leverage-indicator", indicator_options, indicator,
                                                        clearable=False), "cred-leverage-indicator"),
        ]),
        html.Div(id="cred-leverage-summary", children=summary),
        chart_or_note("cred-leverage-slot", chart(
            "cred-leverage-graph", fig, table, filename="credits-et-resultats",
            description="Nuage de points : crédits par habitant des QPV et évolution de l'indicateur par territoire ; "
                        "le tableau qui suit donne les mêmes valeurs."), note),
    ])


# ---------------------------------------------------------------------- page


def page(*, filters_block, kpis, charts, map_block, lines, leverage, illustrative: bool) -> html.Div:
    return html.Div(className="credits-page", children=[
        dcc.Location(id="cred-url", refresh=False),
        html.H1("Crédits de la politique de la ville et du droit commun"),
        html.P("Les crédits de l'État (programme 147 « Politique de la ville » et programmes des autres ministères) "
               "et des collectivités dans les quartiers prioritaires : montants, tendances, porteurs, localisation, "
               "et rapprochement avec les résultats.", className="lead"),
        *([html.P("Montants illustratifs : ils reproduisent des ordres de grandeur, pas des crédits réels.",
                  className="notice")] if illustrative else []),
        filters_block,
        html.Section(className="section", **{"aria-labelledby": "cred-kpis-title"}, children=[
            html.H2("Chiffres clés", id="cred-kpis-title"),
            html.Div(id="cred-kpis", children=kpis),
        ]),
        charts,
        map_block,
        lines,
        leverage,
    ])
