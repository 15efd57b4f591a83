"""What the browser shows after a callback's figure output: a whole figure as it is, a ``Patch`` applied."""

from __future__ import annotations

import copy

import plotly.graph_objects as go
from dash import Patch

from layouts.widgets import empty_figure


def apply_patch(on_screen: dict, patch: Patch) -> dict:
    """The figure Dash's renderer makes of ``on_screen`` with ``patch`` (the two operations the atlas sends)."""
    figure = copy.deepcopy(on_screen)
    for operation in patch.to_plotly_json()["operations"]:
        *parents, last = operation["location"]
        target = figure
        for key in parents:
            target = target.setdefault(key, {})
        if operation["operation"] == "Assign":
            target[last] = operation["params"]["value"]
        elif operation["operation"] == "Delete":
            target.pop(last, None)
        else:
            raise AssertionError(f"unexpected patch operation {operation['operation']}")
    return figure


def shown(output, on_screen: go.Figure | None = None) -> go.Figure:
    """The figure on screen after ``output`` (by default over an empty chart of the atlas, as a page starts)."""
    if isinstance(output, go.Figure | dict):
        return go.Figure(output)
    base = (on_screen or empty_figure("…", "…")).to_plotly_json()
    return go.Figure(apply_patch(base, output))
