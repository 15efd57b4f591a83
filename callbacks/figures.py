"""Figures that change with a page's filters travel as a ``Patch``: their traces and layout, not their template.

The page was built with the figure (the router's answer), so the browser already holds a figure of the same chart,
styled by ``layouts.charts.style_figure`` with the same template. A filter change sends the new traces and each
top-level layout key; the template (the largest part of a small figure) stays where it is.

A key the figure on screen has and the new one lacks (an « aucune donnée » annotation, a reference line) is deleted,
so the patched figure is exactly the new one. That needs every key a figure of the atlas may set: a figure with a
key outside ``LAYOUT_KEYS`` travels whole, never as a patch that could leave a stale key on screen.
"""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Patch

# Every top-level layout key the atlas's figures set (layouts/charts.py and the page builders), template apart.
LAYOUT_KEYS = ("annotations", "barmode", "colorway", "font", "height", "hoverlabel", "hovermode", "legend", "margin",
               "paper_bgcolor", "plot_bgcolor", "separators", "shapes", "showlegend", "title", "xaxis", "yaxis")


def figure_update(figure):
    """``figure`` as a patch of the figure on screen (anything else, e.g. ``no_update``, as it is)."""
    if isinstance(figure, go.Figure):
        spec = figure.to_plotly_json()
    elif isinstance(figure, dict) and isinstance(figure.get("data"), list | tuple):  # a figure kept in a cache
        spec = figure
    else:
        return figure
    layout = spec.get("layout", {})
    if set(layout) - set(LAYOUT_KEYS) - {"template"}:
        return figure
    patch = Patch()
    patch["data"] = spec.get("data", [])
    for key in LAYOUT_KEYS:
        if key in layout:
            patch["layout"][key] = layout[key]
        else:
            del patch["layout"][key]
    return patch


def figure_updates(outputs: tuple) -> tuple:
    """A callback's outputs with each figure as a patch."""
    return tuple(figure_update(value) for value in outputs)
