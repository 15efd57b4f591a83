"""The quarter profile (/qpv/<code>): pure functions of the computed profile."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import dash_leaflet as dl
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from atlas.formatting import format_date, format_euros, format_number, format_value
from atlas.profile import CREDIT_SCOPES, ROLE_LABELS, KeyFigure, Profile, population_sentence, value_text
from atlas.schema import FUNDERS, LEVEL_LABELS_FR
from atlas.wellbeing import DECIMALS, GOALPOSTS, WellbeingResult
from layouts import compare as cmp
from layouts.charts import PALETTE, download_button, graph, style_figure

VERDICT_TEXT = {"favourable": "Écart favorable au quartier (par rapport à la France)",
                "unfavourable": "Écart défavorable au quartier (par rapport à la France)"}
STATUS_LEGEND = (
    ("secret statistique", "valeur non diffusée parce qu'elle porterait sur trop peu d'habitants ;"),
    ("non disponible", "aucune donnée pour ce territoire et cette année ;"),
    ("estimation", "valeur provisoire, susceptible d'être révisée."),
)
SCOPE_COLOURS = {"qpv": PALETTE[0], "contrat_de_ville": PALETTE[4], "commune": "#8c8c8c"}
QPV_STYLE = {"color": "#000091", "weight": 3, "fillColor": "#000091", "fillOpacity": 0.45}
COMMUNE_STYLE = {"color": "#595959", "weight": 1.5, "dashArray": "4 3", "fillColor": "#d9d9d9", "fillOpacity": 0.35}


# ------------------------------------------------------------------ sparkline


def sparkline_svg(series, reference=(), width: int = 220, height: int = 44) -> str:
    """An SVG sparkline of the quarter (solid) over France (dashed); gaps where values are absent."""
    pad = 4
    points = [(y, v) for y, v, _ in series if v is not None]
    ref_points = [(y, v) for y, v, _ in reference if v is not None]
    years = sorted({y for y, _, _ in series} | {y for y, _, _ in reference})
    values = [v for _, v in points + ref_points]
    if not years or not values:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    first, last = years[0], years[-1]

    def xy(year, value):
        x = pad + (width - 2 * pad) * ((year - first) / ((last - first) or 1))
        y = height - pad - (height - 2 * pad) * ((value - lo) / span)
        return f"{x:.1f},{y:.1f}"

    def path(data):
        segments, current = [], []
        for year, value, *_ in data:
            if value is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(xy(year, value))
        if current:
            segments.append(current)
        return " ".join("M" + " L".join(seg) for seg in segments if seg)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']
    if ref_points:
        parts.append(f'<path d="{path(reference)}" fill="none" stroke="#8c8c8c" stroke-width="1.5" '
                     'stroke-dasharray="3 2"/>')
    if points:
        parts.append(f'<path d="{path(series)}" fill="none" stroke="#000091" stroke-width="2"/>')
        for year, value, status in series:
            if value is not None and status == "estimate":
                x, y = xy(year, value).split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="2.2" fill="#fff" stroke="#000091" stroke-width="1.2"/>')
        x, y = xy(*points[-1]).split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="#000091"/>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline_alt(figure: KeyFigure) -> str:
    usable = [(y, v, s) for y, v, s in figure.series if v is not None]
    if not usable:
        return f"Évolution de « {figure.label} » : aucune valeur diffusée pour le quartier."
    (y0, v0, s0), (y1, v1, s1) = usable[0], usable[-1]
    return (f"Évolution dans le quartier (trait plein) et en France (pointillés) : "
            f"{value_text(v0, s0, figure.unit, figure.decimals)} en {y0}, "
            f"{value_text(v1, s1, figure.unit, figure.decimals)} en {y1}.")


def sparkline(figure: KeyFigure) -> html.Div:
    svg = sparkline_svg(figure.series, figure.reference)
    years = [y for y, _, _ in figure.series]
    return html.Div(className="sparkline", children=[
        html.Img(src="data:image/svg+xml;charset=utf-8," + quote(svg), alt=sparkline_alt(figure),
                 width=220, height=44),
        html.Div(className="sparkline-axis", **{"aria-hidden": "true"},
                 children=[html.Span(str(years[0])), html.Span(str(years[-1]))] if years else []),
    ])


# ---------------------------------------------------------------- key figures


def status_flag(status: str) -> html.Span | None:
    if status == "estimate":
        return html.Span("estimation", className="flag flag-estimate")
    if status == "secret":
        return html.Span("secret statistique", className="flag flag-secret")
    if status == "missing":
        return html.Span("non disponible", className="flag flag-missing")
    return None


def key_figure_card(figure: KeyFigure) -> html.Article:
    quarter = figure.values.get("qpv")
    status = quarter.status if quarter else "missing"
    number = (format_value(quarter.value, figure.unit, figure.decimals)
              if quarter and quarter.usable else value_text(None, status, figure.unit, figure.decimals))
    verdict = VERDICT_TEXT.get(figure.verdict)
    return html.Article(className=f"kf-card kf-{figure.verdict or 'neutral'}", **{"data-indicator": figure.indicator},
                        children=[
        html.H4(figure.label, className="kf-label"),
        html.P(className="kf-value", children=[
            html.Span(number, className="kf-number" + (" kf-unavailable" if not (quarter and quarter.usable) else "")),
            " ", status_flag(status) if quarter and quarter.usable else None,
            html.Span(f" {figure.year}" if figure.year else "", className="kf-year"),
        ]),
        sparkline(figure),
        html.P(figure.sentence, className="kf-sentence"),
        html.P(verdict, className=f"kf-verdict kf-verdict-{figure.verdict}") if verdict else None,
        html.P(f"Source : {figure.source} ; millésime {figure.vintage}.", className="source-line"),
    ])


def key_figures(profile: Profile) -> html.Section:
    blocks = []
    for section in profile.sections:
        blocks.append(html.Div(className="kf-section", id=f"theme-{section.id}", children=[
            html.H3(section.title),
            html.Div([key_figure_card(f) for f in section.figures], className="kf-grid"),
        ]))
    return html.Section(id="chiffres-cles", className="profile-section", **{"aria-labelledby": "kf-title"}, children=[
        html.H2("Chiffres clés", id="kf-title"),
        html.P("Chaque indicateur est comparé, la même année, à la commune, au département et à la France. "
               "La courbe montre l'évolution dans le quartier (trait plein) et en France (pointillés) ; "
               "les cercles blancs signalent des estimations.", className="muted"),
        *blocks,
    ])


# ------------------------------------------------------------------------ map


def quarter_map(profile: Profile, geometry: dict) -> html.Figure:
    commune = profile.parents.get("commune", ("commune", "", ""))[2]
    caption = f"Le quartier {profile.name} (en bleu) dans sa commune, {commune} (en gris)."
    if geometry.get("bounds") is None:
        return html.Figure(className="profile-map profile-map-empty", children=[
            html.P("Contour du quartier non disponible dans ce jeu de données.", className="muted")])
    layers = []
    if geometry.get("communes"):
        layers.append(dl.GeoJSON(data=geometry["communes"], style=COMMUNE_STYLE, interactive=False,
                                 id="profile-map-commune"))
    if geometry.get("qpv"):
        layers.append(dl.GeoJSON(data=geometry["qpv"], style=QPV_STYLE, interactive=False, id="profile-map-qpv"))
    (south, west), (north, east) = geometry["bounds"]
    return html.Figure(className="profile-map", children=[
        dl.Map(id="profile-map", children=layers, bounds=geometry["bounds"],
               center=[(south + north) / 2, (west + east) / 2], zoom=12, scrollWheelZoom=False,
               attributionControl=False, style={"height": "280px", "width": "100%", "background": "#ffffff"}),
        html.Figcaption([caption, " Contours ", html.Em("illustratifs"), " ; sans fond de carte."]
                        if profile.territory.get("vintage", "").endswith("(illustratif)") else caption,
                        className="source-line"),
    ])


# ------------------------------------------------------------------ wellbeing


def wellbeing_section(profile: Profile, results: dict, names: dict, marks: dict, history: list,
                      input_meta: dict) -> html.Section:
    key = ("qpv", profile.code)
    mine: WellbeingResult | None = results.get(key)
    if mine is not None and mine.computed:
        headline = html.P(className="wb-headline", children=[
            html.Span(format_number(mine.index, DECIMALS), className="wb-number"),
            f" sur 1 en {mine.year}", " ", status_flag(mine.status)])
    else:
        reasons = "; ".join(mine.reasons) if mine else "données absentes"
        headline = html.P(className="wb-headline", children=[
            html.Span("Indice non calculé", className="wb-number wb-unavailable"),
            html.Span(f" — {reasons}. Les dimensions calculables sont données à titre indicatif (indice partiel).",
                      className="muted")])
    inputs_rows = []
    if mine is not None:
        for indicator, (value, status) in mine.inputs.items():
            goal = GOALPOSTS[indicator]
            score = mine.scaled.get(indicator)
            inputs_rows.append(html.Tr([
                html.Th(goal.label_fr, scope="row"),
                cmp.value_cell(value, status, *input_meta.get(indicator, ("", 1))),
                html.Td(f"{format_number(goal.worst, 0)} – {format_number(goal.best, 0)}", className="num"),
                html.Td(format_number(score, DECIMALS) if score is not None else "–", className="num"),
            ]))
    trend = [(r.year, r.index) for r in history if r.computed]
    trend_text = ("Évolution de l'indice du quartier : " + " ; ".join(
        f"{y} : {format_number(v, DECIMALS)}" for y, v in trend) + ".") if trend else ""
    return html.Section(id="bien-etre", className="profile-section", **{"aria-labelledby": "wb-title"}, children=[
        html.H2("Indice de bien-être territorial", id="wb-title"),
        html.P("Inspiré de l'indice de développement humain (IDH) : moyenne géométrique de trois dimensions — santé "
               "(espérance de vie), éducation (réussite au brevet, adultes diplômés) et niveau de vie (revenu médian, "
               "en logarithme) — chacune ramenée entre 0 et 1 par des bornes fixes.", className="muted"),
        headline,
        cmp.wellbeing_table(results, list(names), names, marks),
        html.Table(className="data-table wb-inputs", children=[
            html.Caption(f"Données d'entrée du quartier ({mine.year if mine else ''}) et leur normalisation"),
            html.Thead(html.Tr([html.Th("Donnée", scope="col"), html.Th("Valeur", scope="col", className="num"),
                                html.Th("Bornes (score 0 – score 1)", scope="col", className="num"),
                                html.Th("Score (0 à 1)", scope="col", className="num")])),
            html.Tbody(inputs_rows),
        ]),
        html.P(trend_text, className="muted") if trend_text else None,
        html.P(["Méthode complète : ", html.Code("docs/wellbeing-index.md"),
                ". Aucun indice n'est calculé lorsqu'une donnée d'entrée est secrète ou manquante ; "
                "un indice calculé à partir d'estimations est signalé."], className="source-line"),
    ])


# ---------------------------------------------------------------------- peers


def peers_section(me: dict, peers: list[dict], rows: pd.DataFrame, names: dict, wellbeing: dict,
                  wellbeing_marks: dict, compare_href: str) -> html.Section:
    """``me`` and each peer: code, name, commune, population, density, housing, region (and distance)."""
    keys = [("qpv", me["code"])] + [("qpv", p["code"]) for p in peers]
    context_rows = []
    for info in [{**me, "self": True}, *peers]:
        context_rows.append(html.Tr(className="peer-self" if info.get("self") else None, children=[
            html.Th(scope="row", children=[
                html.Span(info["name"]) if info.get("self") else dcc.Link(info["name"], href=f"/qpv/{info['code']}"),
                html.Br(), html.Small(f"{info['code']} — {info['commune']}", className="muted")]),
            html.Td(format_number(info["population"], 0) if info["population"] is not None else "–",
                    className="num"),
            html.Td(info["density"]),
            html.Td(format_value(info["housing"], "%", 1) if info["housing"] is not None else "non disponible",
                    className="num"),
            html.Td(info["region"]),
            html.Td("–" if info.get("self") else format_number(info["distance"], 2), className="num"),
        ]))
    context = html.Table(className="data-table peers-context", children=[
        html.Caption("Contexte structurel : le quartier (en tête) et ses cinq quartiers les plus proches"),
        html.Thead(html.Tr([html.Th("Quartier", scope="col"), html.Th("Population", scope="col", className="num"),
                            html.Th("Densité de la commune", scope="col"),
                            html.Th("Logements sociaux", scope="col", className="num"),
                            html.Th("Région", scope="col"), html.Th("Distance", scope="col", className="num")])),
        html.Tbody(context_rows),
    ])
    results = cmp.comparison_table(rows, keys, names) if not rows.empty else None
    return html.Section(id="quartiers-comparables", className="profile-section",
                        **{"aria-labelledby": "peers-title"}, children=[
        html.H2("Quartiers comparables", id="peers-title"),
        html.P("Les cinq quartiers prioritaires les plus semblables par leur contexte — population, densité de la "
               "commune, part de logements sociaux, région et outre-mer ou métropole — et non par leurs résultats : "
               "de quoi comparer le quartier à des quartiers qui lui ressemblent, et pas seulement à sa ville.",
               className="muted"),
        context,
        html.H3("Leurs résultats côte à côte"),
        results,
        cmp.wellbeing_table(wellbeing, keys, names, wellbeing_marks),
        html.P(dcc.Link("Comparer en détail avec les trois plus proches", href=compare_href), className="no-print"),
        html.P("Distance : écart quadratique sur les variables centrées-réduites (logarithme de la population, "
               "niveau de densité, part de logements sociaux), majoré si la région diffère ; départage par code. "
               "Méthode : docs/wellbeing-index.md.", className="source-line"),
    ])


# -------------------------------------------------------------------- credits


def credits_figure(by_year: pd.DataFrame, source: str) -> go.Figure:
    fig = go.Figure()
    labels = dict(CREDIT_SCOPES)
    for scope in by_year.columns:
        fig.add_trace(go.Bar(
            x=by_year.index, y=by_year[scope], name=labels[scope].replace("Crédits attribués ", "").capitalize(),
            marker_color=SCOPE_COLOURS.get(scope), text=[format_euros(v) for v in by_year[scope]],
            textposition="none", hovertemplate="%{x} : %{text}<extra>%{fullData.name}</extra>",
        ))
    style_figure(fig, title="Crédits par année et par destinataire", source=source)
    fig.update_layout(barmode="stack")
    cmp.legend_and_source_below(fig, len(fig.data), plot_height=260)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(title="euros", tickformat=",.0f")
    return fig


def credits_section(profile: Profile, lines: pd.DataFrame, by_year: pd.DataFrame, by_measure: pd.DataFrame,
                    measures: pd.DataFrame, source: str) -> html.Section:
    summary = []
    for scope, label in CREDIT_SCOPES:
        scoped = lines[lines["scope"] == scope] if not lines.empty else lines
        if scoped.empty:
            summary.append(html.Li([html.Strong(f"{label} : "), "aucune ligne de crédit."]))
            continue
        years = f"{int(scoped['year'].min())}–{int(scoped['year'].max())}"
        summary.append(html.Li([html.Strong(f"{label} : "),
                                f"{format_euros(scoped['amount_eur'].sum())} sur {years} "
                                f"({format_number(len(scoped), 0)} ligne{'s' if len(scoped) > 1 else ''})."]))
    chart = None
    if not by_year.empty:
        labels = dict(CREDIT_SCOPES)
        chart = html.Div(children=[
            graph("profile-credits-graph", credits_figure(by_year, source), filename=f"credits-{profile.code}",
                  description="Crédits par année, empilés selon qu'ils sont attribués au quartier, au contrat de "
                              "ville ou à la commune ; les montants figurent dans le tableau qui suit."),
            html.Details(className="chart-table", children=[
                html.Summary("Données du graphique des crédits"),
                html.Table(className="data-table", children=[
                    html.Thead(html.Tr([html.Th("Année", scope="col")] + [
                        html.Th(labels[s].replace("Crédits attribués ", ""), scope="col", className="num")
                        for s in by_year.columns])),
                    html.Tbody([html.Tr([html.Th(str(y), scope="row")] + [
                        html.Td(format_value(by_year.at[y, s], "€", 0), className="num") for s in by_year.columns])
                        for y in by_year.index]),
                ]),
            ]),
        ])
    measure_rows = []
    for scope, label in CREDIT_SCOPES:
        scoped = by_measure[by_measure["scope"] == scope].head(8) if not by_measure.empty else by_measure
        if scoped.empty:
            continue
        measure_rows.append(html.Tr(html.Th(label, colSpan=4, scope="colgroup"), className="theme-row"))
        for row in scoped.itertuples():
            measure_rows.append(html.Tr([
                html.Th(row.measure, scope="row"), html.Td(FUNDERS.get(row.ministry, row.ministry)),
                html.Td(format_value(row.amount_eur, "€", 0), className="num"),
                html.Td(format_number(row.beneficiaries, 0) if pd.notna(row.beneficiaries) else "–",
                        className="num"),
            ]))
    measure_table = html.Table(className="data-table credits-measures", children=[
        html.Caption("Principales actions financées (2015–2024), par destinataire des crédits"),
        html.Thead(html.Tr([html.Th("Action", scope="col"), html.Th("Financeur", scope="col"),
                            html.Th("Montant", scope="col", className="num"),
                            html.Th("Bénéficiaires déclarés", scope="col", className="num")])),
        html.Tbody(measure_rows),
    ]) if measure_rows else None
    return html.Section(id="credits", className="profile-section", **{"aria-labelledby": "credits-title"}, children=[
        html.H2("Crédits reçus et mesures", id="credits-title"),
        html.P("Les crédits attribués à la commune ou au contrat de ville bénéficient à plusieurs quartiers (et, "
               "pour la commune, à d'autres habitants) : ils sont présentés à part, sans être imputés au quartier.",
               className="muted"),
        html.Ul(summary, className="credits-summary"),
        html.Div(className="actions no-print", children=[
            download_button("profile-credits-csv-button", "Télécharger les lignes de crédits (CSV)"),
            dcc.Download(id="profile-credits-csv"),
        ]),
        chart,
        measure_table,
        html.H3("Mesures qui atteignent les habitants"),
        measures_table(measures),
    ])


def measures_table(measures: pd.DataFrame):
    if measures.empty:
        return html.P("Aucune mesure ne compte de bénéficiaires dans ce quartier.", className="muted")
    rows = []
    for row in measures.itertuples():
        rows.append(html.Tr([
            html.Th([row.label, html.Br(), html.Small(f"Source : {row.source} ; millésime {row.vintage}",
                                                      className="source-line")], scope="row"),
            html.Td(row.period, className="num"),
            html.Td(format_number(row.beneficiaries, 0), className="num"),
            html.Td(format_number(row.eligible, 0) if row.eligible is not None and pd.notna(row.eligible) else "–",
                    className="num"),
            cmp.value_cell(row.value, row.status, row.unit, int(row.decimals)),
        ]))
    return html.Table(className="data-table measures", children=[
        html.Caption("Bénéficiaires dans le quartier, dernière année disponible"),
        html.Thead(html.Tr([html.Th("Mesure", scope="col"), html.Th("Année", scope="col", className="num"),
                            html.Th("Bénéficiaires", scope="col", className="num"),
                            html.Th("Public éligible", scope="col", className="num"),
                            html.Th("Couverture", scope="col", className="num")])),
        html.Tbody(rows),
    ])


# ------------------------------------------------------------------ evolution


def evolution_section(figure, table, options: list[dict], chosen: str) -> html.Section:
    return html.Section(id="evolution", className="profile-section", **{"aria-labelledby": "evolution-title"},
                        children=[
        html.H2("Évolution détaillée", id="evolution-title"),
        html.Div(className="no-print field", children=[
            html.Label("Indicateur", htmlFor="profile-evolution-indicator"),
            dcc.Dropdown(id="profile-evolution-indicator", options=options, value=chosen, clearable=False,
                         labels=cmp.DROPDOWN_LABELS_FR, maxHeight=320),
        ]),
        graph("profile-evolution-graph", figure, filename="evolution",
              description="Évolution de l'indicateur choisi dans le quartier, sa commune, son département et en "
                          "France ; les valeurs figurent dans le tableau qui suit."),
        html.Div(table, id="profile-evolution-table"),
        html.Div(className="actions no-print", children=[
            download_button("profile-evolution-csv-button", "Télécharger ces séries (CSV)"),
            dcc.Download(id="profile-evolution-csv"),
        ]),
    ])


# ------------------------------------------------------------------- sources


def sources_section(profile: Profile, sources: list[tuple[str, str]], credits_source: str,
                    illustrative: bool) -> html.Section:
    population = (f"Population : {LEVEL_LABELS_FR['qpv']} — {profile.territory.get('vintage', '')}, "
                  f"population {profile.population_year or ''}.")
    return html.Section(id="sources", className="profile-section", **{"aria-labelledby": "sources-title"}, children=[
        html.H2("Sources et définitions", id="sources-title"),
        html.Ul([html.Li(f"{source} — millésime {vintage}") for source, vintage in sources]
                + [html.Li(population), html.Li(f"Crédits : {credits_source}.")]),
        html.H3("Lire les valeurs"),
        html.Dl(className="status-legend", children=[
            part for term, text in STATUS_LEGEND for part in (html.Dt(term), html.Dd(text))]),
        html.P("Données illustratives : elles ne décrivent aucun territoire réel.", className="print-only")
        if illustrative else None,
    ])


# ------------------------------------------------------------------------ page


def profile_page(profile: Profile, *, geometry: dict, wellbeing: dict, wellbeing_names: dict,
                 wellbeing_marks: dict, wellbeing_history: list, wellbeing_inputs: dict, peer_self: dict,
                 peers: list[dict], peer_rows: pd.DataFrame,
                 peer_names: dict, peer_wellbeing: dict, peer_wellbeing_marks: dict, compare_href: str,
                 peers_compare_href: str, credit_lines: pd.DataFrame, credits_by_year: pd.DataFrame,
                 credits_by_measure: pd.DataFrame, measures: pd.DataFrame, credits_source: str,
                 evolution_figure, evolution_table, evolution_options: list[dict], evolution_chosen: str,
                 sources: list[tuple[str, str]], illustrative: bool, today: dt.date,
                 dataset_title: str, region_name: str = "") -> html.Article:
    parents = profile.parents
    commune = parents.get("commune")
    departement = parents.get("departement")
    where = " · ".join(p for p in (
        f"Commune : {commune[2]}" if commune else "",
        f"{departement[2]} ({departement[1]})" if departement else "",
        region_name if not departement or region_name != departement[2] else "",
    ) if p)
    toc = [("chiffres-cles", "Chiffres clés"), ("bien-etre", "Bien-être"), ("quartiers-comparables",
           "Quartiers comparables"), ("credits", "Crédits et mesures"), ("evolution", "Évolution détaillée"),
           ("sources", "Sources")]
    return html.Article(className="profile", children=[
        dcc.Store(id="profile-code", data=profile.code),
        html.Header(className="profile-header", children=[
            html.P(LEVEL_LABELS_FR["qpv"] + f" {profile.code}", className="profile-kicker"),
            html.H1(profile.name, id="profile-title"),
            html.P(where, className="profile-where"),
            html.P(population_sentence(profile), className="profile-population"),
            html.P(f"Profil édité le {format_date(today.isoformat())} depuis l'Atlas QPV — {dataset_title}.",
                   className="profile-meta"),
            html.Div(className="actions no-print", children=[
                html.Button("Imprimer le profil", id="profile-print", className="button", n_clicks=0),
                download_button("profile-csv-button", "Télécharger les chiffres clés (CSV)"),
                dcc.Download(id="profile-csv"),
                dcc.Link("Comparer avec la commune, le département et la France", href=compare_href,
                         className="button button-secondary"),
            ]),
            html.Nav(className="toc no-print", **{"aria-label": "Sur cette page"}, children=[
                html.Ul([html.Li(html.A(label, href=f"#{anchor}")) for anchor, label in toc])]),
        ]),
        html.Div(className="profile-overview", children=[
            quarter_map(profile, geometry),
            html.Div(className="overview-figures", children=[
                html.H2("En bref", className="overview-title"),
                html.Ul(className="overview-list", children=[
                    html.Li([html.Strong(f.label + " : "), key_figure_short(f)])
                    for f in overview_figures(profile)]),
            ]),
        ]),
        key_figures(profile),
        wellbeing_section(profile, wellbeing, wellbeing_names, wellbeing_marks, wellbeing_history, wellbeing_inputs),
        peers_section(peer_self, peers, peer_rows, peer_names, peer_wellbeing, peer_wellbeing_marks,
                      peers_compare_href),
        credits_section(profile, credit_lines, credits_by_year, credits_by_measure, measures, credits_source),
        evolution_section(evolution_figure, evolution_table, evolution_options, evolution_chosen),
        sources_section(profile, sources, credits_source, illustrative),
        html.Span(id="profile-print-done", hidden=True),
    ])


OVERVIEW = ("taux_pauvrete", "revenu_median", "taux_chomage", "reussite_brevet", "esperance_vie")


def overview_figures(profile: Profile) -> list[KeyFigure]:
    """The headline figures, or else the first figure of each section (packages name indicators differently)."""
    by_id = {f.indicator: f for f in profile.figures}
    chosen = [by_id[i] for i in OVERVIEW if i in by_id]
    return chosen or [s.figures[0] for s in profile.sections if s.figures][: len(OVERVIEW)]


def key_figure_short(figure: KeyFigure) -> str:
    """« 42,9 % — France : 14,7 % (2024, estimations) »."""
    flag = not figure.all_estimates
    year = f"{figure.year}, estimations" if figure.all_estimates else f"{figure.year}"
    return f"{figure.text('qpv', flag_estimate=flag)} — France : {figure.text('france', flag_estimate=flag)} ({year})"


def role_names(parents: dict) -> dict:
    """(level, code) -> « Quartier — Les Vignes » etc., for tables keyed by territory."""
    return {(level, code): (f"{ROLE_LABELS[role]} — {name}" if role != "france" else "France")
            for role, (level, code, name) in parents.items()}
