"""Building blocks shared by /barometre and /credits: labelled filters, tables, charts' frames, formats."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from dash import dcc, html
from dash.dash_table.Format import Format, Group, Scheme, Symbol

from atlas import levels
from atlas.formatting import format_value, separators
from atlas.i18n import _
from layouts.charts import PALETTE, SOURCE_LINE_PX, csv_downloads, graph, lines, style_figure
from layouts.client_text import dropdown_labels
from layouts.map import geometry_url


def table_number(precision: int, **options) -> Format:
    """A DataTable number format in the visitor's language (``1 234,5`` or ``1,234.5``)."""
    decimal, group = separators()
    return Format(decimal_delimiter=decimal, group_delimiter=group, group=Group.yes, precision=precision,
                  scheme=Scheme.fixed, **options)


def percent_format() -> Format:
    return table_number(0, symbol=Symbol.yes, symbol_suffix="\u00a0%", nully="–")
TABLE_STYLE = {
    "style_table": {"overflowX": "auto"},
    "style_cell": {"fontFamily": "DejaVu Sans, Arial, sans-serif", "fontSize": "0.85rem", "padding": "4px 8px",
                   "textAlign": "left", "whiteSpace": "normal", "height": "auto", "maxWidth": "28rem"},
    "style_header": {"fontWeight": "700", "backgroundColor": "#f6f6f6", "color": "#1e1e1e"},
    "style_data_conditional": [{"if": {"row_index": "odd"}, "backgroundColor": "#fafafa"}],
}



MAP_CENTER = {"lat": 46.5, "lng": 2.5}
# Legend rows are reserved for a 390 px phone: entries wrap within the plot's ≈ 250 px, each a swatch and gap
# (≈ 50 px) plus ≈ 7.5 px a character.
PHONE_LEGEND_PX, LEGEND_ENTRY_PX, LEGEND_CHAR_PX, LEGEND_ROW_PX = 250, 50, 7.5, 20


# --------------------------------------------------------------------- small


def labelled(label: str, control, control_id: str, hint: str | None = None) -> html.Div:
    return html.Div(className="filter", children=[
        html.Label(label, htmlFor=control_id),
        control,
        *([html.Span(hint, className="filter-hint")] if hint else []),
    ])


def dropdown(component_id, options, value, *, clearable=True, placeholder=None, multi=False, searchable=True):
    return dcc.Dropdown(id=component_id, options=options, value=value, clearable=clearable, multi=multi,
                        placeholder=placeholder or _("Tous"), searchable=searchable, className="filter-dropdown",
                        labels=dropdown_labels())


def chart_block(graph_id: str, figure: go.Figure, *, filename: str, description: str, download_id: str,
                table=None, table_summary: str | None = None) -> html.Div:
    """A chart with PNG export (modebar), CSV download and, when given, a table alternative."""
    return html.Div(className="chart-block", children=[
        graph(graph_id, figure, filename=filename, description=description),
        html.Div(className="chart-actions", children=[
            csv_downloads(download_id, _("Télécharger les données du graphique")),
        ]),
        *([html.Details(className="table-alternative", children=[
            html.Summary(table_summary or _("Voir les données du graphique")), table])]
          if table is not None else []),
    ])


def html_table(columns: list[tuple[str, str]], rows: list[dict], caption: str, numeric: set[str] = frozenset()
               ) -> html.Table:
    """A plain accessible table; values must already be formatted strings."""
    return html.Table(className="data-table", children=[
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(label, scope="col", className="num" if key in numeric else None)
                            for key, label in columns])),
        html.Tbody([html.Tr([html.Td(row.get(key, ""), className="num" if key in numeric else None)
                             for key, _ in columns]) for row in rows]),
    ])


def chart_or_note(slot_id: str, chart, note: str | None) -> html.Div:
    """A chart, or — when the package has nothing to draw — one sentence saying why, never an empty chart.

    The chart stays in the page (hidden) so that its callbacks keep their targets; a callback switches
    between the two through ``{slot_id}-note.children`` / ``.hidden`` and ``{slot_id}-chart.hidden``."""
    return html.Div(id=slot_id, children=[
        html.P(note, id=f"{slot_id}-note", className="no-data", hidden=not note, role="status"),
        html.Div(chart, id=f"{slot_id}-chart", hidden=bool(note)),
    ])


def note_outputs(note: str | None) -> tuple:
    """The three values a callback sends to a :func:`chart_or_note` slot."""
    return note or "", not note, bool(note)


def empty_figure(message: str, source: str, height: int = 260) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14, "color": "#595959"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style_figure(fig, source=source, height=height)


def legend_on_top(fig: go.Figure, items: int, per_row: int = 2, title: bool = True) -> go.Figure:
    """Put a horizontal legend between the title and the plot, so that it never covers the source line.

    The entries wrap as the width requires; the rows reserved are those a 390 px phone needs, at most
    ``per_row`` entries a row, so that the legend never runs into the title on any screen.
    """
    names = [str(trace.name or "") for trace in fig.data][:items] or [""]
    widest = max(LEGEND_ENTRY_PX + LEGEND_CHAR_PX * len(part) for name in names for part in name.split("<br>"))
    per_phone_row = max(1, min(per_row, int(PHONE_LEGEND_PX // widest)))  # Plotly aligns entries in columns
    rows = math.ceil(len(names) / per_phone_row) + sum(name.count("<br>") for name in names)
    has_title = title and fig.layout.title and fig.layout.title.text
    top = ((fig.layout.margin.t or 50) if has_title else 10) + LEGEND_ROW_PX * rows
    fig.update_layout(showlegend=True, legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                                               "yanchor": "bottom"},
                      margin={"t": top}, height=(fig.layout.height or 360) + LEGEND_ROW_PX * rows)
    return fig


def source_below(fig: go.Figure, *, axis_title: bool = True) -> go.Figure:
    """Pin the source line a fixed number of pixels under the plot, clear of the x-axis title."""
    offset, bottom = (62, 92) if axis_title else (40, 70)
    for annotation in fig.layout.annotations:
        if annotation.name == "source":
            annotation.update(y=0, yshift=-offset)
            bottom += SOURCE_LINE_PX * (lines(annotation.text) - 1)  # a source wrapped for phones
    fig.update_layout(margin={"b": bottom})
    return fig


def line_style(i: int) -> dict:
    """Palette colour, then dashed variants once the palette is used up."""
    return {"color": PALETTE[i % len(PALETTE)], "dash": ("solid", "dash", "dot")[(i // len(PALETTE)) % 3]}


def fmt(value, unit: str, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_value(float(value), unit, decimals)


def fmt_share(share) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return format_value(100 * float(share), "%", 0)




def level_name(level: str) -> str:
    """« Département », « Zone d'emploi »… (the level's label without its abbreviation)."""
    return levels.name(level)


def level_plural(level: str) -> str:
    """« départements », « zones d'emploi »… (lower case, for running text)."""
    return levels.plural(level)


EMBED_LIMIT = 300_000  # bytes of GeoJSON small enough to travel inside a page


def geometry_source(layer, geojson) -> dict:
    """How a page map gets a level's static geometry: inside the page when small, else from the immutable
    ``/geo/`` address that the browser caches once for every page (the national départements weigh ~2 MB)."""
    if layer.raw_bytes <= EMBED_LIMIT:
        return {"data": geojson()}  # a callable: decoded only when embedded
    return {"url": geometry_url(layer)}


def option_list(mapping: dict[str, str], keys=None) -> list[dict]:
    keys = list(mapping) if keys is None else keys
    return [{"label": _(mapping.get(k, k)), "value": k} for k in keys]  # French source labels, translated
