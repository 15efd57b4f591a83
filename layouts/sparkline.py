"""Key-figure sparklines: the quarter (solid) over a named reference (dashed), as an SVG image."""

from __future__ import annotations

from urllib.parse import quote

from dash import html

from atlas import categories
from atlas.i18n import _
from atlas.profile import KeyFigure, value_text

QUARTER_COLOUR = "#000091"
REFERENCE_COLOUR = "#8c8c8c"


def sparkline_svg(series, reference=(), width: int = 220, height: int = 44) -> str:
    """An SVG sparkline of the quarter (solid) over a reference (dashed); breaks where values are withheld."""
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
        # A year without publication is stepped over; a withheld (secret) value breaks the line.
        segments, current = [], []
        for year, value, *rest in data:
            if value is None and rest and rest[0] == "missing":
                continue
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
        parts.append(f'<path d="{path(reference)}" fill="none" stroke="{REFERENCE_COLOUR}" stroke-width="1.5" '
                     'stroke-dasharray="3 2"/>')
    if points:
        parts.append(f'<path d="{path(series)}" fill="none" stroke="{QUARTER_COLOUR}" stroke-width="2"/>')
        for year, value, status in series:
            if value is not None and status == "estimate":
                x, y = xy(year, value).split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="2.2" fill="#fff" stroke="{QUARTER_COLOUR}" '
                             'stroke-width="1.2"/>')
        x, y = xy(*points[-1]).split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{QUARTER_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline_alt(figure: KeyFigure) -> str:
    usable = figure.usable_points
    (y0, v0, s0), (y1, v1, s1) = usable[0], usable[-1]
    reference = (_(" et {place} (pointillés)").format(place=figure.reference_place.phrase)
                 if figure.reference_place is not None and figure.reference else "")
    return _("Évolution dans le quartier (trait plein){reference} : {first} en {first_year}, {last} en "
             "{last_year}.").format(reference=reference, first=value_text(v0, s0, figure.unit, figure.decimals),
                                    first_year=y0, last=value_text(v1, s1, figure.unit, figure.decimals),
                                    last_year=y1)


def sparkline(figure: KeyFigure) -> html.Div:
    """The curve when the quarter has two values or more; else its single value and year, in words."""
    usable = figure.usable_points
    if figure.categorical and usable:  # a typology has no curve: its class, year by year
        classes = " ; ".join(f"{year} : {categories.label_of(figure.classes, value) or '–'}"
                             for year, value, _ in usable[-5:])
        return html.P(_("Classe du quartier — {classes}.").format(classes=classes),
                      className="sparkline sparkline-single muted")
    if len(usable) < 2:
        if not usable:
            secret = any(s == "secret" for _, _, s in figure.series)
            text = (_("Valeurs du quartier couvertes par le secret statistique : pas de courbe.") if secret
                    else _("Aucune valeur publiée pour le quartier : pas de courbe."))
            return html.P(text, className="sparkline sparkline-single muted")
        year, value, status = usable[0]
        shown = value_text(value, status, figure.unit, figure.decimals)
        return html.P(_("Une seule année publiée pour le quartier : {value} en {year}.").format(value=shown, year=year),
                      className="sparkline sparkline-single muted")
    first, last = usable[0][0], usable[-1][0]
    svg = sparkline_svg([p for p in figure.series if first <= p[0] <= last],
                        [p for p in figure.reference if first <= p[0] <= last])
    legend = (_("pointillés : {place}").format(place=figure.reference_place.name) if figure.reference_place is not None
              and figure.reference else "")
    return html.Div(className="sparkline", children=[
        html.Img(src="data:image/svg+xml;charset=utf-8," + quote(svg), alt=sparkline_alt(figure),
                 width=220, height=44),
        html.Div(className="sparkline-axis", **{"aria-hidden": "true"},
                 children=[html.Span(str(first)), html.Span(legend, className="sparkline-legend"),
                           html.Span(str(last))]),
    ])
