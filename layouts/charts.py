"""Shared chart conventions: number format of the visitor's language, a source line on every chart, PNG export."""

from __future__ import annotations

import re
import textwrap

import plotly.graph_objects as go
import plotly.io as pio
from dash import dcc, html

from atlas.i18n import _, current_language

FONT = "DejaVu Sans, Arial, sans-serif"
# Colour-blind-safe qualitative palette (Okabe–Ito), dark enough for text on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


# Plotly's default template, reduced to what the atlas draws (bars, lines and markers, shapes, annotations on
# cartesian axes): the full template is 7.1 KB of defaults for 3-D, polar, geographic and contour traces, and
# travelled with every figure of every page and callback. Same look for the traces drawn here.
DRAWN_TRACES = ("bar", "scatter")
UNUSED_LAYOUT = ("colorscale", "coloraxis", "geo", "polar", "scene", "ternary", "mapbox", "map")


def lean_template() -> go.layout.Template:
    full = pio.templates["plotly"].to_plotly_json()
    return go.layout.Template(
        data={kind: full["data"][kind] for kind in DRAWN_TRACES if kind in full["data"]},
        layout={k: v for k, v in full["layout"].items() if k not in UNUSED_LAYOUT})


TEMPLATE = lean_template()

MODEBAR_PX = 32  # the chart toolbar's row at the top: the title starts below it, never under it
TITLE_LINE_PX, SOURCE_LINE_PX = 20, 14
TITLE_CHARS, LEGEND_CHARS, SOURCE_CHARS = 44, 36, 56  # what a 390 px phone shows on one line


def wrap(text: str, width: int) -> str:
    """Plotly draws text on one line: long titles, legend entries and sources are broken with <br>."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def lines(text: str | None) -> int:
    return (text or "").count("<br>") + 1


def style_figure(fig: go.Figure, *, title: str | None = None, source: str, height: int = 360) -> go.Figure:
    """French separators, readable fonts, a title clear of the toolbar and the source line that PNGs keep.

    Titles, legend entries and the source are wrapped so that they stay whole on a phone; the x axis makes
    room for its (possibly rotated) labels.
    """
    title = wrap(title, TITLE_CHARS) if title else None
    top = MODEBAR_PX + TITLE_LINE_PX * lines(title) + 10 if title else 20
    source_text = wrap(_("Source : {source}").format(source=source), SOURCE_CHARS)
    fig.update_layout(
        template=TEMPLATE,
        separators=_(", "),  # decimal comma, space as thousands separator (English: ".,")
        font={"family": FONT, "size": 13, "color": "#1e1e1e"},
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}, "yref": "container", "y": 1,
               "yanchor": "top", "pad": {"t": MODEBAR_PX}} if title else None,
        margin={"l": 60, "r": 20, "t": top, "b": 56 + SOURCE_LINE_PX * lines(source_text)},
        height=height,
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        colorway=PALETTE,
        hoverlabel={"font": {"family": FONT}},
        legend={"bgcolor": "rgba(255,255,255,0)"},  # never hides the axis labels it sits under
    )
    for trace in fig.data:
        if isinstance(trace.name, str) and len(trace.name) > LEGEND_CHARS:
            trace.name = wrap(trace.name, LEGEND_CHARS)
    fig.update_xaxes(gridcolor="#e5e5e5", zerolinecolor="#bdbdbd", automargin=True)
    fig.update_yaxes(gridcolor="#e5e5e5", zerolinecolor="#bdbdbd", automargin=True)
    fig.add_annotation(
        text=source_text, xref="paper", yref="paper", x=0, y=-0.2, yanchor="top", xanchor="left",
        showarrow=False, font={"size": 11, "color": "#595959"}, name="source", align="left",
    )
    return fig


def label_value(label: str, value: str) -> str:
    """« Année : 2024 » / « Year: 2024 »: the colon of the visitor's language (hover texts, lists)."""
    return _("{label} : {value}").format(label=label, value=value)


def plotly_locale() -> str:
    """Plotly's locale: French (assets/plotly_locale_fr.js) in French, Plotly's own English otherwise."""
    return "fr" if current_language() == "fr" else "en"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "graphique"


def graph(component_id, figure: go.Figure, *, filename: str, description: str) -> html.Figure:
    """A chart that exports as PNG (modebar) with an accessible description for screen readers."""
    return html.Figure(className="chart", children=[
        dcc.Graph(
            id=component_id,
            figure=figure,
            config={
                "displaylogo": False,
                "locale": plotly_locale(),
                "toImageButtonOptions": {"format": "png", "filename": slug(filename), "scale": 2},
                # No upload to Plotly Cloud from a public atlas; no selection tools on static charts.
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud"],
                "showSendToCloud": False,
                "showEditInChartStudio": False,
            },
        ),
        html.Figcaption(description, className="visually-hidden"),
    ])


def csv_downloads(download_id: str, label: str | None = None) -> html.Div:
    """Both CSV forms of one download (atlas/csvexport.py), named so that people know which to take.

    The French-spreadsheet button keeps the id ``{download_id}-button``; the machine one is
    ``{download_id}-machine-button``; each fills its own ``dcc.Download`` (callbacks/csv_download.py).
    """
    label_id = f"{download_id}-label"
    return html.Div(className="csv-downloads", role="group", **{"aria-labelledby": label_id}, children=[
        html.Span(label or _("Télécharger les données"), id=label_id, className="csv-downloads-label"),
        html.Button(_("CSV (tableur, format français)"), id=f"{download_id}-button", n_clicks=0,
                    className="button button-secondary", title=_("Séparateur « ; », virgule décimale, en-têtes "
                                                               "en français, valeurs arrondies")),
        html.Button(_("CSV (machine)"), id=f"{download_id}-machine-button", n_clicks=0,
                    className="button button-secondary", title=_("Séparateur « , », point décimal, en-têtes "
                                                               "stables, pleine précision")),
        dcc.Download(id=download_id),
        dcc.Download(id=f"{download_id}-machine"),
    ])
