"""The profile's lower sections: well-being, peers, credits and measures, evolution, sources."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from atlas.formatting import format_euros, format_number, format_value
from atlas.i18n import N_, _, ngettext
from atlas.profile import Profile
from atlas.profile_credits import CREDIT_SCOPES, SHORT_SCOPE_LABELS
from atlas.schema import level_label, ministry_label
from atlas.views import CreditsPanel, EvolutionPanel, PageMeta, PeersPanel, WellbeingPanel
from atlas.wellbeing import DECIMALS, GOALPOSTS
from layouts import compare as cmp
from layouts.charts import PALETTE, csv_downloads, graph, label_value, style_figure

STATUS_LEGEND = (
    (N_("secret statistique"), N_("valeur non diffusée parce qu'elle porterait sur trop peu d'habitants ;")),
    (N_("non disponible"), N_("aucune donnée pour ce territoire et cette année ;")),
    (N_("estimation"), N_("valeur provisoire, susceptible d'être révisée.")),
)
SCOPE_COLOURS = {"qpv": PALETTE[0], "contrat_de_ville": PALETTE[4], "commune": "#8c8c8c"}


def _section(anchor: str, title: str, *children) -> html.Section:
    return html.Section(id=anchor, className="profile-section", **{"aria-labelledby": f"{anchor}-title"},
                        children=[html.H2(title, id=f"{anchor}-title"), *children])


# ------------------------------------------------------------------ wellbeing


def wellbeing_section(profile: Profile, panel: WellbeingPanel) -> html.Section:
    variant = panel.variant
    if not profile.has_indicators and variant.available:
        return _section("bien-etre", variant.name, html.P(
            _("Indice non calculé pour ce quartier : ce jeu de données ne contient aucune valeur pour les quartiers de "
              "la géographie {vintage}.").format(vintage=profile.vintage or _("de ce quartier")), className="muted"))
    if not variant.available:
        return _section("bien-etre", _("Indice de bien-être territorial"), html.P(
            _("Indice non calculé : ce jeu de données ne contient aucune des données d'entrée de l'indice "
              "({inputs}).").format(inputs=", ".join(variant.absent_labels).lower()), className="muted"))
    mine = panel.results.get(("qpv", profile.code))
    if mine is not None and mine.computed:
        headline = html.P(className="wb-headline", children=[
            html.Span(format_number(mine.index, DECIMALS), className="wb-number"),
            _(" sur 1 en {year}").format(year=mine.year), " ", cmp.status_flag(mine.status)])
    else:
        reasons = "; ".join(mine.reasons) if mine and mine.reasons else _("aucune donnée d'entrée pour ce quartier")
        headline = html.P(className="wb-headline", children=[
            html.Span(_("Indice non calculé"), className="wb-number wb-unavailable"),
            html.Span(_(" — {reasons}. Les dimensions calculables sont données à titre indicatif.").format(
                reasons=reasons), className="muted")])
    reduced = None
    if variant.reduced:
        reduced = html.P(className="wb-reduced", children=[
            html.Strong(f"{variant.name}. "),
            _("Données absentes de ce jeu de données pour tous les territoires : {inputs} ; les dimensions "
              "correspondantes sont laissées de côté. Cet indice réduit se compare entre territoires de ce jeu de "
              "données, pas avec l'indice complet.").format(inputs=", ".join(variant.absent_labels).lower())])
    inputs_rows = []
    for role, (value, status) in (mine.inputs.items() if mine else ()):
        goal = GOALPOSTS[role]
        label, unit, decimals = panel.input_meta.get(role, (_(goal.label_fr), "", 1))
        score = mine.scaled.get(role)
        inputs_rows.append(html.Tr([
            html.Th([_(goal.label_fr), html.Br(), html.Small(label, className="muted")], scope="row"),
            cmp.value_cell(value, status, unit, decimals),
            html.Td(f"{format_number(goal.worst, 0)} – {format_number(goal.best, 0)}", className="num"),
            html.Td(format_number(score, DECIMALS) if score is not None else "–", className="num"),
        ]))
    trend = [(r.year, r.index) for r in panel.history if r.computed]
    trend_text = _("Évolution de l'indice du quartier : {values}.").format(values=_(" ; ").join(
        _("{year} : {value}").format(year=y, value=format_number(v, DECIMALS)) for y, v in trend)) \
        if len(trend) > 1 else ""
    return _section(
        "bien-etre", variant.name,
        html.P(_("Inspiré de l'indice de développement humain (IDH) : moyenne géométrique de dimensions — santé "
                 "(espérance de vie), éducation (réussite au brevet, adultes diplômés) et niveau de vie (revenu "
                 "médian, en logarithme) — chacune ramenée entre 0 et 1 par des bornes fixes."), className="muted"),
        reduced, headline,
        cmp.wellbeing_table(panel),
        html.Table(className="data-table wb-inputs", children=[
            html.Caption(_("Données d'entrée du quartier en {year} et leur normalisation").format(year=mine.year)
                         if mine and mine.year
                         else _("Données d'entrée du quartier et leur normalisation")),
            html.Thead(html.Tr([html.Th(_("Donnée"), scope="col"), html.Th(_("Valeur"), scope="col", className="num"),
                                html.Th(_("Bornes (score 0 – score 1)"), scope="col", className="num"),
                                html.Th(_("Score (0 à 1)"), scope="col", className="num")])),
            html.Tbody(inputs_rows),
        ]) if inputs_rows else None,
        html.P(trend_text, className="muted") if trend_text else None,
        html.P([_("Méthode complète : "), html.Code("docs/wellbeing-index.md"), ". ",
                _("Aucun indice n'est calculé lorsqu'une donnée d'entrée est secrète ou manquante ; un indice calculé "
                  "à partir d'estimations est signalé.")], className="source-line"),
    )


# ---------------------------------------------------------------------- peers


# Context columns of the peers table: header, how a row shows it, and whether a row has it.
_PEER_CONTEXT = (
    (N_("Densité de la commune"), lambda info: html.Td(info["density"]),
     lambda info: info["density_level"] is not None),
    (N_("Logements sociaux"), lambda info: html.Td(format_value(info["housing"], "%", 1), className="num"),
     lambda info: info["housing"] is not None),
)


def _peer_row(info: dict, is_self: bool, columns) -> html.Tr:
    return html.Tr(className="peer-self" if is_self else None, children=[
        html.Th(scope="row", children=[
            html.Span(info["name"]) if is_self else dcc.Link(info["name"], href=f"/qpv/{info['code']}"),
            html.Br(), html.Small(f"{info['code']} — {info['commune'] or _('commune non renseignée')}",
                                  className="muted")]),
        html.Td(format_number(info["population"], 0) if info["population"] is not None else "–", className="num"),
        *[show(info) if has(info) else html.Td(_("non disponible"), className="cell-unavailable")
          for _header, show, has in columns],
        html.Td(info["region"] or "–"),
        html.Td("–" if is_self else format_number(info["distance"], 2), className="num"),
    ])


def peers_section(panel: PeersPanel) -> html.Section:
    if panel.reason:
        return _section("quartiers-comparables", _("Quartiers comparables"), html.P(panel.reason, className="muted"))
    everyone = [panel.me, *panel.peers]
    columns = [c for c in _PEER_CONTEXT if any(c[2](info) for info in everyone)]
    absent = [_(c[0]).lower() for c in _PEER_CONTEXT if c not in columns]
    used = [_("population")] + [_(c[0]).lower() for c in columns] + [_("région et outre-mer ou métropole")]
    intro = html.P(_("Les cinq quartiers prioritaires de la même géographie les plus semblables par leur contexte — "
                     "{criteria} — et non par leurs résultats : de quoi comparer le quartier à des quartiers qui lui "
                     "ressemblent, et pas seulement à sa ville.").format(criteria=", ".join(used)), className="muted")
    missing = html.P((_("Ce jeu de données ne renseigne pas, pour ces quartiers : {criteria}. Ces critères ne "
                        "départagent donc pas les quartiers.") if len(absent) > 1 else
                      _("Ce jeu de données ne renseigne pas, pour ces quartiers : {criteria}. Ce critère ne "
                        "départage donc pas les quartiers.")).format(criteria=_(" ; ").join(absent)),
                     className="muted") if absent else None
    keys = [("qpv", panel.me["code"])] + [("qpv", p["code"]) for p in panel.peers]
    context = html.Table(className="data-table peers-context", children=[
        html.Caption(_("Contexte structurel : le quartier (en tête) et ses quartiers les plus proches")),
        html.Thead(html.Tr([html.Th(_("Quartier"), scope="col"),
                            html.Th(_("Population"), scope="col", className="num"),
                            *[html.Th(_(c[0]), scope="col") for c in columns],
                            html.Th(_("Région"), scope="col"), html.Th(_("Distance"), scope="col", className="num")])),
        html.Tbody([_peer_row(panel.me, True, columns)] + [_peer_row(p, False, columns) for p in panel.peers]),
    ])
    results = (cmp.comparison_table(panel.rows, keys, panel.names) if not panel.rows.empty else
               html.P(_("Ce jeu de données ne contient aucun indicateur de résultat commun à ces quartiers."),
                      className="muted"))
    return _section(
        "quartiers-comparables", _("Quartiers comparables"), intro, missing, context,
        html.H3(_("Leurs résultats côte à côte")), results,
        cmp.wellbeing_table(panel.wellbeing) if panel.wellbeing.results else None,
        html.P(dcc.Link(_("Comparer en détail avec les trois plus proches"), href=panel.compare_href),
               className="no-print"),
        html.P(_("Distance : écart quadratique sur les variables centrées-réduites (logarithme de la population, "
                 "niveau de densité, part de logements sociaux), majoré si la région diffère ; départage par code. "
                 "Méthode : docs/wellbeing-index.md."), className="source-line"),
    )


# -------------------------------------------------------------------- credits


def credits_figure(by_year: pd.DataFrame, source: str) -> go.Figure:
    fig = go.Figure()
    for scope in by_year.columns:
        fig.add_trace(go.Bar(
            x=by_year.index, y=by_year[scope], name=_(SHORT_SCOPE_LABELS[scope]),
            marker_color=SCOPE_COLOURS.get(scope), text=[format_euros(v) for v in by_year[scope]],
            textposition="none",
            hovertemplate=label_value("%{x}", "%{text}") + "<extra>%{fullData.name}</extra>",
        ))
    style_figure(fig, title=_("Crédits par année et par destinataire"), source=source)
    fig.update_layout(barmode="stack", showlegend=True)  # even one scope is named
    cmp.legend_and_source_below(fig, len(fig.data), plot_height=260)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(title=_("euros"), tickformat=",.0f")
    return fig


def _credits_summary(profile: Profile, lines: pd.DataFrame) -> html.Ul:
    contracts = ", ".join(p.name for p in profile.contracts)
    items = []
    for scope, label in CREDIT_SCOPES:
        label = _(label)
        if scope == "contrat_de_ville" and contracts:
            label = _("Crédits attribués au contrat de ville {contracts} (pour l'ensemble des quartiers du contrat "
                      "de ville, sans être imputés à ce quartier)").format(contracts=contracts)
        scoped = lines[lines["scope"] == scope] if not lines.empty else lines
        if scoped.empty:
            continue
        years = f"{int(scoped['year'].min())}–{int(scoped['year'].max())}"
        count = ngettext("{count} ligne", "{count} lignes", len(scoped)).format(count=format_number(len(scoped), 0))
        items.append(html.Li([html.Strong(_("{label} : ").format(label=label)),
                              _("{amount} sur {years} ({lines}).").format(
                                  amount=format_euros(scoped["amount_eur"].sum()), years=years, lines=count)]))
    return html.Ul(items, className="credits-summary")


def _credits_chart(profile: Profile, panel: CreditsPanel):
    by_year = panel.by_year
    if by_year.empty:
        return None
    return html.Div(children=[
        graph("profile-credits-graph", credits_figure(by_year, panel.source), filename=f"credits-{profile.code}",
              description=_("Crédits par année, empilés selon qu'ils sont attribués au quartier, au contrat de "
                            "ville ou à la commune ; les montants figurent dans le tableau qui suit.")),
        html.Details(className="chart-table", children=[
            html.Summary(_("Données du graphique des crédits")),
            html.Table(className="data-table", children=[
                html.Thead(html.Tr([html.Th(_("Année"), scope="col")] + [
                    html.Th(_(SHORT_SCOPE_LABELS[s]), scope="col", className="num") for s in by_year.columns])),
                html.Tbody([html.Tr([html.Th(str(y), scope="row")] + [
                    html.Td(format_value(by_year.at[y, s], "€", 0), className="num") for s in by_year.columns])
                    for y in by_year.index]),
            ]),
        ]),
    ])


def _measure_table(by_measure: pd.DataFrame, lines: pd.DataFrame):
    rows = []
    for scope, label in CREDIT_SCOPES:
        scoped = by_measure[by_measure["scope"] == scope].head(8) if not by_measure.empty else by_measure
        if scoped.empty:
            continue
        rows.append(html.Tr(html.Th(_(label), colSpan=4, scope="colgroup"), className="theme-row"))
        for row in scoped.itertuples():
            rows.append(html.Tr([
                html.Th(row.measure, scope="row"), html.Td(ministry_label(row.ministry)),
                html.Td(format_value(row.amount_eur, "€", 0), className="num"),
                html.Td(format_number(row.beneficiaries, 0) if pd.notna(row.beneficiaries) else "–", className="num"),
            ]))
    if not rows:
        return None
    years = f"{int(lines['year'].min())}–{int(lines['year'].max())}"
    return html.Table(className="data-table credits-measures", children=[
        html.Caption(_("Principales actions financées ({years}), par destinataire des crédits").format(years=years)),
        html.Thead(html.Tr([html.Th(_("Action"), scope="col"), html.Th(_("Financeur"), scope="col"),
                            html.Th(_("Montant"), scope="col", className="num"),
                            html.Th(_("Bénéficiaires déclarés"), scope="col", className="num")])),
        html.Tbody(rows),
    ])


def credits_section(profile: Profile, panel: CreditsPanel) -> html.Section:
    return _section(
        "credits", _("Crédits reçus et mesures"),
        html.P(_("Les crédits attribués au contrat de ville ou à la commune bénéficient à plusieurs quartiers (et, "
                 "pour la commune, à d'autres habitants) : ils sont présentés à part, sans être imputés au quartier."),
               className="muted"),
        html.P(panel.absence, className="credits-absence") if panel.absence else _credits_summary(profile,
                                                                                                   panel.lines),
        html.Div(className="actions no-print", children=[
            csv_downloads("profile-credits-csv", _("Télécharger les lignes de crédits")),
        ]) if not panel.lines.empty else None,
        _credits_chart(profile, panel),
        _measure_table(panel.by_measure, panel.lines),
        html.H3(_("Mesures qui atteignent les habitants")),
        measures_table(panel.measures, panel.measures_absence),
    )


def measures_table(measures: pd.DataFrame, absence: str = ""):
    if measures.empty:
        return html.P(absence or _("Aucune mesure ne compte de bénéficiaires dans ce quartier."), className="muted")
    rows = []
    for row in measures.itertuples():
        rows.append(html.Tr([
            html.Th([row.label, html.Br(), html.Small(_("Source : {source} ; millésime {vintage}").format(
                source=row.source, vintage=row.vintage), className="source-line")], scope="row"),
            html.Td(row.period, className="num"),
            html.Td(format_number(row.beneficiaries, 0), className="num"),
            html.Td(format_number(row.eligible, 0) if row.eligible is not None and pd.notna(row.eligible) else "–",
                    className="num"),
            cmp.value_cell(row.value, row.status, row.unit, int(row.decimals)),
        ]))
    return html.Table(className="data-table measures", children=[
        html.Caption(_("Bénéficiaires dans le quartier, dernière année disponible")),
        html.Thead(html.Tr([html.Th(_("Mesure"), scope="col"), html.Th(_("Année"), scope="col", className="num"),
                            html.Th(_("Bénéficiaires"), scope="col", className="num"),
                            html.Th(_("Public éligible"), scope="col", className="num"),
                            html.Th(_("Couverture"), scope="col", className="num")])),
        html.Tbody(rows),
    ])


# ------------------------------------------------------------------ evolution


def evolution_parts(panel: EvolutionPanel):
    keys = list(panel.keys)
    figure = cmp.trend_figure(panel.frame, panel.meta, panel.names, keys)
    if not figure.data:  # nothing to draw: the chart says so rather than stay blank
        figure.add_annotation(text=_("Aucune valeur publiée pour cet indicateur, ni pour le quartier ni pour ses "
                                     "territoires de référence."), showarrow=False, xref="paper", yref="paper",
                              x=0.5, y=0.5)
    return figure, cmp.trend_table(panel.frame, panel.meta, panel.names, keys)


def evolution_section(panel: EvolutionPanel | None) -> html.Section:
    if panel is None:
        return _section("evolution", _("Évolution détaillée"), html.P(
            _("Ce jeu de données ne contient aucune valeur annuelle pour ce quartier : pas d'évolution à montrer."),
            className="muted"))
    figure, table = evolution_parts(panel)
    return _section(
        "evolution", _("Évolution détaillée"),
        html.Div(className="no-print field", children=[
            html.Label(_("Indicateur"), htmlFor="profile-evolution-indicator"),
            dcc.Dropdown(id="profile-evolution-indicator", options=list(panel.options), value=panel.chosen,
                         clearable=False, labels=cmp.dropdown_labels(), maxHeight=320),
        ]),
        graph("profile-evolution-graph", figure, filename="evolution",
              description=_("Évolution de l'indicateur choisi dans le quartier et les territoires de référence ; "
                            "les valeurs figurent dans le tableau qui suit.")),
        html.Div(table, id="profile-evolution-table"),
        html.Div(className="actions no-print", children=[
            csv_downloads("profile-evolution-csv", _("Télécharger ces séries")),
        ]),
    )


# ------------------------------------------------------------------- sources


def sources_section(profile: Profile, meta: PageMeta, credits_source: str) -> html.Section:
    population = _("Périmètre : {level} — {vintage}").format(
        level=level_label("qpv"), vintage=profile.vintage or _("géographie non précisée"))
    if profile.population_year:
        population += _(", population {year}").format(year=profile.population_year)
    return _section(
        "sources", _("Sources et définitions"),
        html.Ul([html.Li(_("{source} — millésime {vintage}").format(source=source, vintage=vintage))
                 for source, vintage in meta.sources]
                + [html.Li(population + "."), html.Li(_("Crédits : {source}.").format(source=credits_source))]),
        html.H3(_("Lire les valeurs")),
        html.Dl(className="status-legend", children=[
            part for term, text in STATUS_LEGEND for part in (html.Dt(_(term)), html.Dd(_(text)))]),
        html.P(_("Données illustratives : elles ne décrivent aucun territoire réel."), className="print-only")
        if meta.illustrative else None,
    )
