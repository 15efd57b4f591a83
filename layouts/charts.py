"""Shared chart conventions: French number format, a source line on every chart, PNG export."""

from __future__ import annotations

import re

import plotly.graph_objects as go
from dash import dcc, html

from atlas.csvsafe import safe_frame

FONT = "DejaVu Sans, Arial, sans-serif"
# Colour-blind-safe qualitative palette (Okabe–Ito), dark enough for text on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def style_figure(fig: go.Figure, *, title: str | None = None, source: str, height: int = 360) -> go.Figure:
    """French separators, readable fonts and the source line that exported PNGs keep."""
    fig.update_layout(
        separators=", ",  # decimal comma, space as thousands separator
        font={"family": FONT, "size": 13, "color": "#1e1e1e"},
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}} if title else None,
        margin={"l": 60, "r": 20, "t": 50 if title else 20, "b": 70},
        height=height,
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        colorway=PALETTE,
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(gridcolor="#e5e5e5", zerolinecolor="#bdbdbd")
    fig.update_yaxes(gridcolor="#e5e5e5", zerolinecolor="#bdbdbd")
    fig.add_annotation(
        text=f"Source : {source}", xref="paper", yref="paper", x=0, y=-0.2, yanchor="top", xanchor="left",
        showarrow=False, font={"size": 11, "color": "#595959"}, name="source",
    )
    return fig


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
                "locale": "fr",
                "toImageButtonOptions": {"format": "png", "filename": slug(filename), "scale": 2},
                # No upload to Plotly Cloud from a public atlas; no selection tools on static charts.
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud"],
                "showSendToCloud": False,
                "showEditInChartStudio": False,
            },
        ),
        html.Figcaption(description, className="visually-hidden"),
    ])


def download_button(button_id, label: str = "Télécharger les données (CSV)") -> html.Button:
    return html.Button(label, id=button_id, className="button button-secondary", n_clicks=0)


def csv_bytes(frame) -> bytes:
    """CSV for French spreadsheets is still UTF-8 with BOM; decimal point kept for machines.

    Text cells that a spreadsheet would run as a formula are neutralised (atlas/csvsafe.py, docs/csv-exports.md).
    """
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
