"""The comparison page (/comparer): pure functions of their inputs."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from atlas.compare import MAX_TERRITORIES, search_for, with_added, without
from atlas.formatting import format_number, format_value
from atlas.i18n import N_, _, indicator_label, ngettext
from atlas.levels import name as level_name
from atlas.schema import UNAVAILABLE_STATUS_LABELS_FR
from atlas.themes import label as theme_label
from atlas.themes import labels as theme_labels
from atlas.views import CompareView, WellbeingPanel
from atlas.wellbeing import DECIMALS, DIMENSION_LABELS_FR
from layouts.charts import PALETTE, csv_downloads, graph, label_value, lines, style_figure
from layouts.client_text import dropdown_labels as widget_dropdown_labels
from layouts.embeds import embed_dialog

MARK_TEXT = {"best": N_("meilleur"), "worst": N_("moins bon")}  # French source, translated where shown
MARK_SYMBOL = {"best": "▲", "worst": "▼"}
STATUS_TEXT = UNAVAILABLE_STATUS_LABELS_FR
MAX_TRENDS = 6
def dropdown_labels() -> dict:
    """The indicator dropdowns' texts (see ``layouts.widgets.dropdown_labels``)."""
    return widget_dropdown_labels(_("Aucun indicateur trouvé"))
PLOT_HEIGHT = 230  # pixels of plotting area in small multiples


def legend_and_source_below(fig: go.Figure, entries: int, plot_height: int = PLOT_HEIGHT) -> go.Figure:
    """A vertical legend under the x axis and the source line under the legend, without overlap.

    Positions are computed in pixels (one legend row ≈ 20 px) then converted to paper units.
    """
    top = fig.layout.margin.t or 20  # room for the title below the toolbar (see ``style_figure``)
    source_lines = max((lines(a.text) for a in fig.layout.annotations if a.name == "source"), default=1)
    entries = sum(lines(trace.name) for trace in fig.data) or entries  # wrapped names take several rows
    axis, row, source = 48, 20, 14 + 14 * source_lines  # axis: room for year labels turned on a phone
    bottom = axis + row * entries + source
    fig.update_layout(height=top + plot_height + bottom, margin={"t": top, "b": bottom},
                      legend={"orientation": "v", "x": 0, "xanchor": "left", "y": -axis / plot_height,
                              "yanchor": "top", "traceorder": "normal"})
    fig.update_annotations(selector={"name": "source"}, y=-(bottom - 6) / plot_height, yanchor="bottom")
    return fig


def cell_text(value, status: str, unit: str, decimals: int) -> str:
    if status in STATUS_TEXT or value is None or pd.isna(value):
        return _(STATUS_TEXT.get(status, STATUS_TEXT["missing"]))
    return format_value(value, unit, decimals)


def mark_badge(mark: str | None):
    """A best/worst badge: a symbol for the eye and words for everyone (never colour alone)."""
    if mark not in MARK_TEXT:
        return None
    return html.Span([html.Span(MARK_SYMBOL[mark], **{"aria-hidden": "true"}), " " + _(MARK_TEXT[mark])],
                     className=f"mark mark-{mark}")


def status_flag(status: str) -> html.Span | None:
    if status == "estimate":
        return html.Span(_("estimation"), className="flag flag-estimate")
    if status == "secret":
        return html.Span(_("secret statistique"), className="flag flag-secret")
    if status == "missing":
        return html.Span(_("non disponible"), className="flag flag-missing")
    return None


def value_cell(value, status: str, unit: str, decimals: int, mark: str | None = None,
               year_note: str = "") -> html.Td:
    """A value with its status flag, best/worst badge, and the year when it is not the row's year."""
    children = [html.Span(cell_text(value, status, unit, decimals))]
    if year_note:
        children += [" ", html.Span(year_note, className="cell-year")]
    if status == "estimate":
        children += [" ", html.Span(_("estimation"), className="flag flag-estimate")]
    badge = mark_badge(mark)
    if badge is not None:
        children += [" ", badge]
    classes = "num" + (f" cell-{mark}" if mark else "") + (" cell-unavailable" if status in STATUS_TEXT else "")
    return html.Td(children, className=classes)


def territory_label(level: str, code: str, name: str) -> str:
    """« Marseille (commune 13055) », « France métropolitaine » (the national territory by its own name)."""
    if level == "france":
        return name or _("France")
    return f"{name} ({level_name(level).lower()} {code})"


def selection_chips(territories: list[tuple[str, str]], names: dict) -> html.Ul:
    """The selected territories, each with a keyboard-reachable link that removes it."""
    items = []
    for level, code in territories:
        name = names.get((level, code), code)
        link = dcc.Link(name, href=f"/qpv/{code}") if level == "qpv" else html.Span(name)
        items.append(html.Li(className="chip", children=[
            link,
            dcc.Link([_("Retirer"), html.Span(" " + _("{name} de la comparaison").format(name=name),
                                              className="visually-hidden")],
                     href="/comparer" + search_for(without(territories, level, code)), className="chip-remove"),
        ]))
    return html.Ul(items, className="chips", id="compare-selection", **{"aria-label": _("Territoires comparés")})


def search_results(hits, territories: list[tuple[str, str]]) -> list:
    """Links that add a search hit to the selection (the URL holds the state)."""
    if len(territories) >= MAX_TERRITORIES:
        return [html.Li(_("{count} territoires au plus : retirez-en un pour en ajouter un autre.").format(
            count=MAX_TERRITORIES), className="muted")]
    items = []
    for hit in hits:
        if (hit.level, hit.code) in territories:
            continue
        href = "/comparer" + search_for(with_added(territories, hit.level, hit.code))
        items.append(html.Li(dcc.Link(_("Ajouter : {territory}").format(territory=hit.label), href=href)))
    return items or [html.Li(_("Aucun territoire trouvé."), className="muted")]


def comparison_table(rows: pd.DataFrame, territories: list[tuple[str, str]], names: dict) -> html.Table:
    """One row per indicator, grouped by theme, one column per territory, best/worst marked."""
    head = html.Thead(html.Tr([html.Th(_("Indicateur"), scope="col"),
                               html.Th(_("Année"), scope="col", className="num")]
                              + [html.Th(names.get(t, t[1]), scope="col", className="num") for t in territories]))
    body = []
    if not rows.empty:
        for theme, label in theme_labels().items():
            theme_rows = rows[(rows["theme"] == theme) & rows["year"].notna()]
            if theme_rows.empty:
                continue
            body.append(html.Tr(html.Th(label, colSpan=2 + len(territories), scope="colgroup"),
                                className="theme-row"))
            for indicator, group in theme_rows.groupby("indicator", sort=False):
                first = group.iloc[0]
                cells = {(r.level, r.code): r for r in group.itertuples()}
                body.append(html.Tr([
                    html.Th(scope="row", children=[
                        html.Span(first["label"]),
                        html.Span(f" ({first['unit']})" if first["unit"] not in ("", "ratio", "indice") else "",
                                  className="muted"),
                        html.Br(),
                        html.Small(_("Source : {source}, {vintage}").format(source=first["source"],
                                                                            vintage=first["vintage"]),
                                   className="source-line"),
                    ]),
                    html.Td("–" if pd.isna(first["year"]) else str(int(first["year"])), className="num"),
                    *[_row_cell(cells.get(t), first) for t in territories],
                ], **{"data-indicator": indicator}))
    return html.Table([html.Caption(_(
        "Valeurs de la dernière année où l'un des territoires en a une ; un territoire sans valeur cette année-là "
        "montre sa valeur publiée la plus proche, avec son année (sans marque). ▲ meilleur et ▼ moins bon selon le "
        "sens de chaque indicateur (aucune marque pour les indicateurs de contexte).")),
                       head, html.Tbody(body)], className="data-table compare-table", id="compare-table")


def _row_cell(cell, first) -> html.Td:
    unit, decimals = first["unit"], int(first["decimals"])
    if cell is None:
        return html.Td(_("non disponible"), className="num cell-unavailable")
    row_year = None if pd.isna(first["year"]) else int(first["year"])
    value_year = None if pd.isna(cell.value_year) else int(cell.value_year)
    if cell.value is None or pd.isna(cell.value):
        if cell.status == "secret":
            return value_cell(None, "secret", unit, decimals)
        text = _("pas de valeur publiée pour {year}").format(year=row_year) if row_year else _("non disponible")
        return html.Td(text, className="num cell-unavailable")
    note = f"({value_year})" if value_year is not None and value_year != row_year else ""
    return value_cell(cell.value, cell.status, unit, decimals, cell.mark, year_note=note)


def aggregates_table(view: CompareView) -> html.Div | None:
    """Extra references: the exact aggregates over the quarters compared (all QPV of their départements, of
    France), one column per aggregate, each value saying how many quarters it covers. None when there is none."""
    rows = view.aggregate_rows
    if rows.empty or not view.aggregates:
        return None
    head = html.Thead(html.Tr([html.Th(_("Indicateur"), scope="col"), html.Th(_("Année"), scope="col", className="num")]
                              + [html.Th(p.label, scope="col", className="num") for p in view.aggregates]))
    body = []
    for indicator, group in rows.groupby("indicator", sort=False):
        first = group.iloc[0]
        cells = {(r.role, r.code): r for r in group.itertuples()}
        tds = []
        for place in view.aggregates:
            cell = cells.get((place.role, place.code))
            if cell is None:
                tds.append(html.Td(_("non calculé"), className="num cell-unavailable"))
                continue
            said = [str(cell.value_year)] if cell.value_year != cell.year else []
            tds.append(value_cell(cell.value, cell.status, first["unit"], int(first["decimals"]),
                                  year_note=f"({' ; '.join([*said, cell.note])})"))
        body.append(html.Tr([html.Th(first["label"], scope="row"), html.Td(str(int(first["year"])), className="num"),
                             *tds], **{"data-indicator": indicator}))
    caption = _("Références calculées sur les quartiers comparés : pour les effectifs qui s'additionnent, somme exacte "
                "(ou rapport des sommes) des quartiers prioritaires du département et de France dont la valeur est "
                "publiée, leur nombre entre parenthèses ; un indicateur qui ne s'additionne pas (médiane, taux sans "
                "ses effectifs) n'en a pas.")
    return html.Div(className="compare-aggregates", children=[
        html.H3(_("Ensembles de quartiers prioritaires"), id="compare-aggregates-title"),
        html.Table([html.Caption(caption), head, html.Tbody(body)], className="data-table", id="compare-aggregates")])


def wellbeing_table(panel: WellbeingPanel, territories: list[tuple[str, str]] | None = None) -> html.Table:
    """The index and the dimensions of the package's variant, one row per territory, on one year."""
    dims = list(panel.variant.dimensions)
    head = html.Thead(html.Tr([html.Th(_("Territoire"), scope="col"),
                               html.Th(_("Année"), scope="col", className="num"),
                               html.Th(_("Indice"), scope="col", className="num")]
                              + [html.Th(_(DIMENSION_LABELS_FR[d]), scope="col", className="num") for d in dims]))
    body = []
    for key in territories if territories is not None else list(panel.results):
        result = panel.results.get(key)
        if result is None:
            continue
        body.append(html.Tr([
            html.Th(panel.names.get(key, key[1]), scope="row"),
            html.Td(str(result.year) if result.year else "–", className="num"),
            value_cell(result.index, result.status, "", DECIMALS, panel.marks.get(key)),
            *[html.Td(format_number(result.dimensions.get(d), DECIMALS) if result.dimensions.get(d) is not None
                      else "–", className="num") for d in dims],
        ]))
    caption = (_("{index} (0 à 1) et ses dimensions ; sans valeur lorsqu'une donnée d'entrée est secrète ou "
                 "manquante.") if len(dims) > 1 else
               _("{index} (0 à 1) et sa dimension ; sans valeur lorsqu'une donnée d'entrée est secrète ou "
                 "manquante.")).format(index=panel.variant.name)
    return html.Table([html.Caption(caption), head, html.Tbody(body)],
                      className="data-table wellbeing-table")


def wellbeing_block(panel: WellbeingPanel, territories: list[tuple[str, str]]) -> list:
    """The comparison's well-being table, or why there is none, and which inputs the package lacks."""
    variant = panel.variant
    if not variant.available:
        return [html.P(_("Indice non calculé : ce jeu de données ne contient aucune de ses données d'entrée "
                         "({inputs}).").format(inputs=", ".join(variant.absent_labels).lower()), className="muted")]
    note = (html.P(_("{index} : données absentes de ce jeu de données — {inputs}.").format(
        index=variant.name, inputs=", ".join(variant.absent_labels).lower()), className="muted")
        if variant.reduced else None)
    return [note, wellbeing_table(panel, territories)]


def trend_figure(frame: pd.DataFrame, meta: dict, names: dict, territories: list[tuple[str, str]]) -> go.Figure:
    fig = go.Figure()
    unit, decimals = meta["unit"], int(meta["decimals"])
    for i, (level, code) in enumerate(territories):
        data = frame[(frame["level"] == level) & (frame["code"] == code)].sort_values("year")
        if data["value"].isna().all():  # named under the chart instead (see ``without_values``)
            continue
        text = [cell_text(v, s, unit, decimals) + (_(" (estimation)") if s == "estimate" else "")
                for v, s in zip(data["value"], data["status"], strict=True)]
        fig.add_trace(go.Scatter(
            x=data["year"], y=data["value"], mode="lines+markers", name=names.get((level, code), code),
            line={"color": PALETTE[i % len(PALETTE)], "width": 2.5}, text=text, connectgaps=False,
            hovertemplate=label_value("%{x}", "%{text}") + "<extra>%{fullData.name}</extra>",
        ))
    style_figure(fig, title=indicator_label(meta), source=f"{meta['source']}, {meta['vintage']}")
    fig.update_layout(showlegend=True)  # a single curve is named too
    legend_and_source_below(fig, len(fig.data))
    fig.update_xaxes(dtick=1, title=None)
    fig.update_yaxes(title=unit if unit not in ("", "ratio", "indice") else None, rangemode="tozero"
                     if unit == "%" else "normal")
    return fig


def without_values(frame: pd.DataFrame, names: dict, territories: list[tuple[str, str]]) -> html.P | None:
    """The territories a chart leaves out because they have no value for its indicator, named."""
    missing = [names.get(t, t[1]) for t in territories
               if frame[(frame["level"] == t[0]) & (frame["code"] == t[1])]["value"].isna().all()]
    if not missing:
        return None
    return html.P(_("Sans valeur publiée pour cet indicateur : {territories}.").format(
        territories=_(" ; ").join(missing)),
                  className="muted chart-note")


def trend_table(frame: pd.DataFrame, meta: dict, names: dict, territories: list[tuple[str, str]]) -> html.Details:
    """The chart's data as a table (alternative for screen readers and print)."""
    years = sorted(frame["year"].unique()) if not frame.empty else []
    rows = []
    for level, code in territories:
        data = frame[(frame["level"] == level) & (frame["code"] == code)].set_index("year")
        rows.append(html.Tr([html.Th(names.get((level, code), code), scope="row")] + [
            value_cell(data.at[y, "value"] if y in data.index else None,
                       data.at[y, "status"] if y in data.index else "missing", meta["unit"], int(meta["decimals"]))
            for y in years]))
    return html.Details(className="chart-table", children=[
        html.Summary(_("Données du graphique « {indicator} »").format(indicator=indicator_label(meta))),
        html.Table([html.Thead(html.Tr([html.Th(_("Territoire"), scope="col")]
                                       + [html.Th(str(y), scope="col", className="num") for y in years])),
                    html.Tbody(rows)], className="data-table"),
    ])


def trends(frames: dict, metas: dict, names: dict, territories: list[tuple[str, str]]) -> list:
    """Small multiples: one chart per chosen indicator, with its table alternative."""
    out = []
    for indicator, frame in frames.items():
        meta = metas[indicator]
        if frame.empty or frame["value"].isna().all():
            out.append(html.Div(className="trend trend-empty", children=[
                html.H3(indicator_label(meta)),
                html.P(_("Aucune valeur annuelle publiée pour ces territoires : pas de courbe à tracer."),
                       className="muted")]))
            continue
        out.append(html.Div(className="trend", children=[
            graph({"type": "compare-trend", "indicator": indicator}, trend_figure(frame, meta, names, territories),
                  filename=f"comparaison-{indicator}",
                  description=_("Évolution de « {indicator} » pour les territoires comparés ; les valeurs figurent "
                                "dans le tableau qui suit.").format(indicator=indicator_label(meta))),
            without_values(frame, names, territories),
            trend_table(frame, meta, names, territories),
        ]))
    if not frames:
        out.append(html.P(_("Aucun indicateur choisi : choisissez-en dans la liste ci-dessus."), className="muted"))
    return out


def indicator_options(indicators: pd.DataFrame) -> list[dict]:
    rows = sorted(indicators.itertuples(), key=lambda row: (row.theme, indicator_label(row).casefold()))
    return [{"label": f"{theme_label(row.theme)} — {indicator_label(row)}", "value": row.id} for row in rows]


def _search_block(view: CompareView) -> html.Div:
    territories = list(view.territories)
    add_france = None
    if view.france is not None and view.france not in territories and len(territories) < MAX_TERRITORIES:
        add_france = html.P(dcc.Link(_("Ajouter : {territory}").format(
            territory=view.names.get(view.france) or _("France")),
                                     href="/comparer" + search_for(with_added(territories, *view.france))),
                            className="add-france")
    return html.Div(className="search compare-search", children=[
        html.Label(_("Ajouter un territoire (quartier, commune, intercommunalité, département, région)"),
                   htmlFor="compare-search"),
        dcc.Input(id="compare-search", type="search", placeholder=_("ex. Marseille, Toulouse, Seine-Saint-Denis…"),
                  autoComplete="off", className="search-input", debounce=False, maxLength=100,
                  disabled=len(territories) >= MAX_TERRITORIES),
        html.Ul(id="compare-search-results", className="search-results", **{"aria-live": "polite"}),
        add_france,
    ])


def compare_page(view: CompareView) -> html.Div:
    territories = list(view.territories)
    alert = None
    if view.problems:
        alert = html.Div(className="alert", role="alert", children=[
            html.P(html.Strong(_("Certains codes n'ont pas pu être utilisés :"))),
            html.Ul([html.Li(p) for p in view.problems]),
        ])
    header = [
        dcc.Location(id="compare-url", refresh=False),
        # What the page shows, so that a URL change the page made itself does not rebuild it.
        dcc.Store(id="compare-state", data={"keys": [f"{level}:{code}" for level, code in territories],
                                            "indicators": list(view.chosen)}),
        html.H1(_("Comparer des territoires")),
        html.P(_("Jusqu'à {count} territoires de tout niveau côte à côte. La sélection et les indicateurs affichés "
                 "sont enregistrés dans l'adresse de la page : « Copier le lien », en haut de la page, "
                 "la partage.").format(count=MAX_TERRITORIES), className="lead"),
        alert,
        selection_chips(territories, view.names) if territories else None,
        _search_block(view),
    ]
    if not territories:
        example_links = [html.Li(dcc.Link(label, href=href)) for label, href in view.examples]
        return html.Div(className="compare", children=[*header, html.Section(className="compare-empty", children=[
            html.H2(_("Aucun territoire sélectionné")),
            html.P(_("Cherchez un territoire ci-dessus, ou partez d'un exemple :")),
            html.Ul(example_links),
        ])])
    shown = view.rows.loc[view.rows["year"].notna(), "indicator"].nunique() if not view.rows.empty else 0
    return html.Div(className="compare", children=[
        *header,
        dcc.Store(id="compare-store", data=[f"{level}:{code}" for level, code in territories]),
        html.Div(className="actions no-print", children=[
            csv_downloads("compare-csv", _("Télécharger le tableau")),
            html.Button(_("Imprimer"), id="compare-print", className="button button-secondary", n_clicks=0),
        ]),
        html.Section(**{"aria-labelledby": "compare-wellbeing-title"}, children=[
            html.H2(view.wellbeing.variant.name, id="compare-wellbeing-title"),
            *wellbeing_block(view.wellbeing, territories),
            html.P([_("Méthode inspirée de l'indice de développement humain : voir "),
                    html.Code("docs/wellbeing-index.md"), "."], className="source-line"),
        ]),
        html.Section(**{"aria-labelledby": "compare-trends-title"}, children=[
            html.H2(_("Évolutions"), id="compare-trends-title"),
            html.Label(_("Indicateurs affichés ({count} au plus)").format(count=MAX_TRENDS),
                       htmlFor="compare-indicators"),
            dcc.Dropdown(id="compare-indicators", options=list(view.options), value=list(view.chosen), multi=True,
                         placeholder=_("Choisir des indicateurs…"), className="compare-indicators",
                         labels=dropdown_labels(), maxHeight=320),
            html.Div(className="actions no-print", children=[
                csv_downloads("compare-trends-csv", _("Télécharger les séries")),
                embed_dialog(list(view.embeds)) if view.embeds else None,
            ]),
            html.Div(trends(view.trend_frames, view.metas, view.names, territories), id="compare-trends",
                     className="trends"),
        ]),
        html.Section(**{"aria-labelledby": "compare-table-title"}, children=[
            html.H2(_("Tous les indicateurs"), id="compare-table-title"),
            html.P(ngettext("{count} indicateur a au moins une valeur pour ces territoires ; les autres indicateurs "
                            "du jeu de données n'en ont aucune et ne sont pas listés.",
                            "{count} indicateurs ont au moins une valeur pour ces territoires ; les autres "
                            "indicateurs du jeu de données n'en ont aucune et ne sont pas listés.", shown).format(
                count=format_number(shown, 0)), className="muted"),
            comparison_table(view.rows, territories, view.names),
            aggregates_table(view),
        ]),
    ])
