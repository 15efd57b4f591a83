"""The credits page's « crédits et résultats » section: territories placed by credits per QPV inhabitant and the
change of a result indicator, with the caveat that this is no causal link (atlas/leverage.py)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import html

from atlas import leverage as lv
from atlas.formatting import format_number, format_value
from atlas.i18n import N_, _, indicator_label
from layouts.charts import style_figure
from layouts.credits import chart
from layouts.widgets import (
    chart_or_note,
    dropdown,
    empty_figure,
    html_table,
    labelled,
    legend_on_top,
    level_name,
    source_below,
)

QUADRANT_COLOURS = {"more_better": "#009E73", "more_worse": "#D55E00", "less_better": "#0072B2",
                    "less_worse": "#CC79A7"}


def leverage_figure(table: pd.DataFrame, meta: dict, level: str, years: tuple[int, int], source: str) -> go.Figure:
    if table.empty:
        return empty_figure(_("Pas assez de données pour ce niveau, cet indicateur et cette période."), source)
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
            text=[_("{name} : {amount} par habitant des QPV ; {start} ({start_year}) → {end} ({end_year}), soit "
                    "{change}").format(name=n, amount=format_value(x, "€", 0), start=format_value(s, unit, decimals),
                                       start_year=sy, end=format_value(e, unit, decimals), end_year=ey,
                                       change=format_value(c, change_unit, decimals, signed=True))
                  for n, x, s, sy, e, ey, c in zip(part["name"], part["per_inhabitant"], part["start_value"],
                                                   part["start_year"], part["end_value"], part["end_year"],
                                                   part["change"], strict=True)],
            hovertemplate="%{text}<extra></extra>")
    fig.add_vline(x=x_median, line={"color": "#595959", "dash": "dash", "width": 1})
    fig.add_hline(y=y_median, line={"color": "#595959", "dash": "dash", "width": 1})
    fig.add_annotation(x=x_median, y=1, yref="paper",
                       text=_("médiane : {value}").format(value=format_value(x_median, "€", 0)),
                       showarrow=False, yanchor="bottom", font={"size": 11, "color": "#595959"})
    fig.add_annotation(x=1, xref="paper", y=y_median, xanchor="right", yanchor="bottom", showarrow=False,
                       text=_("médiane : {value}").format(
                           value=format_value(y_median, change_unit, decimals, signed=True)),
                       font={"size": 11, "color": "#595959"})
    better_up = polarity != "higher_is_worse"
    fig.update_xaxes(title=_("Crédits par habitant des QPV sur la période (€)"))
    direction = "" if polarity == "neutral" else (_(" ↑ mieux") if better_up else _(" ↓ mieux"))
    fig.update_yaxes(title=_("Évolution {start}–{end} ({unit}){direction}").format(
        start=years[0], end=years[1], unit=change_unit or _("valeur"), direction=direction))
    title = _("Crédits et évolution de « {indicator} » par {level}").format(indicator=indicator_label(meta),
                                                                            level=level_name(level).lower())
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
    caption = (_("Crédits par habitant et évolution de l'indicateur, par territoire") if len(shown) == len(table)
               else _("Les {shown} territoires recevant le plus de crédits par habitant, sur {total} (tous dans le "
                      "fichier CSV)").format(shown=format_number(len(shown), 0), total=format_number(len(table), 0)))
    return html_table([("territoire", _("Territoire")), ("par_hab", _("Crédits par habitant des QPV")),
                       ("debut", _("Début")), ("fin", _("Fin")), ("evolution", _("Évolution")),
                       ("quadrant", _("Quadrant"))],
                      rows, caption, numeric={"par_hab", "debut", "fin", "evolution"})


def quadrant_summary(counts: dict[str, int], polarity: str) -> html.Ul:
    labels = lv.quadrant_labels(polarity)
    return html.Ul(className="baro-legend", children=[
        html.Li([html.Span(className="swatch", style={"background": QUADRANT_COLOURS[q]}),
                 _("{label} : {count}").format(label=labels[q], count=format_number(counts.get(q, 0), 0))])
        for q in lv.QUADRANTS
    ])


LEVERAGE_NONE = N_("Aucun indicateur de résultat de ce jeu de données n'a deux valeurs annuelles sur la période "
                    "des crédits dans des territoires qui en reçoivent et dont les quartiers sont connus : le "
                    "rapprochement n'est pas possible.")


def leverage_section(*, level_options, level, indicator_options, indicator, summary, fig, table,
                     note: str | None = None) -> html.Section:
    return html.Section(className="section", **{"aria-labelledby": "cred-leverage-title"}, children=[
        html.H2(_("Crédits et résultats : où dépenses et résultats divergent"), id="cred-leverage-title"),
        html.P([_("Chaque point est un territoire : en abscisse, les crédits reçus sur la période par habitant des "
                  "QPV ; en ordonnée, l'évolution d'un indicateur de résultat entre le début et la fin de la période. "
                  "Les pointillés marquent les médianes des territoires affichés (nationales quand le territoire "
                  "choisi est la France).")], className="muted"),
        html.P([html.Strong(_("Attention : ")), _(lv.CAVEAT_FR)], className="caveat", role="note",
               id="cred-leverage-caveat"),
        html.Div(className="filters filters-inline", children=[
            labelled(_("Territoires comparés"),
                     dropdown("cred-leverage-level", level_options, level, clearable=False), "cred-leverage-level"),
            labelled(_("Indicateur de résultat"), dropdown("cred-leverage-indicator", indicator_options, indicator,
                                                           clearable=False), "cred-leverage-indicator"),
        ]),
        html.Div(id="cred-leverage-summary", children=summary),
        chart_or_note("cred-leverage-slot", chart(
            "cred-leverage-graph", fig, table, filename="credits-et-resultats",
            description=_("Nuage de points : crédits par habitant des QPV et évolution de l'indicateur par "
                          "territoire ; le tableau qui suit donne les mêmes valeurs.")), note),
    ])
