"""The exported map (PNG and SVG): one page laid out as plain drawing items, written by atlas/mapexport_render.py.

Nothing is computed again for the export: the colours are the classes of the screen's ``MapPayload``
(one character per territory and year, exactly what assets/atlas_map.js reads) and the legend is
``atlas.maplegend.map_legend``, the one the page shows. The page carries what a re-user needs to print it:
title (indicator), level, year, mode and reference, the legend with the secret and missing classes, a scale
bar, the source, vintage and licence, the package, the export date, and the illustrative flag.

Texts are measured with the fonts the PNG uses (DejaVu Sans when installed, Pillow's own font otherwise),
so both formats wrap lines at the same places.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from PIL import ImageFont

from atlas import categories, levels
from atlas.formatting import format_date, format_number
from atlas.i18n import _, indicator_label
from atlas.mapclasses import MISSING_COLOR, SECRET_COLOR, MapPayload
from atlas.mapdata import SCHEMES, MapRequest, operation_label
from atlas.mapexport_geometry import FrameGeometry, ProjectedLevel, projected_level, viewed_level
from atlas.maplegend import MapLegend, map_legend, territory_noun
from atlas.service import AtlasService

EXPORT_PATH = "/download/carte"  # + ".png" or ".svg", and the map's validated parameters
FORMATS = ("png", "svg")
PAGE_WIDTH = 1100.0
MARGIN = 24.0
COLUMN_GAP = 24.0
INK = "#1e1e1e"
MUTED = "#4a4a4a"
ALERT = "#b00020"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# Above this many territories a layer has no borders (they would grey the whole map), as on screen.
BORDERLESS_FEATURES = 3000


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    bold: bool = False
    color: str = INK


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    color: str
    width: float


@dataclass(frozen=True)
class MapFrame:
    """One frame of territories at (x, y): fills and borders per feature of the frame."""
    x: float
    y: float
    geometry: FrameGeometry
    codes: tuple[str, ...]
    fills: tuple[str, ...]
    strokes: tuple[str | None, ...]
    stroke_widths: tuple[float, ...]
    background: bool  # départements filled in light grey under the territories (quarters leave gaps)
    border: bool  # a thin frame around insets


@dataclass(frozen=True)
class Scene:
    width: float
    height: float
    title: str
    description: str
    items: tuple


@dataclass(frozen=True)
class ExportText:
    """Every sentence of the exported page, from the validated request, the screen's payload and the package."""
    title: str
    subtitle: str
    legend: MapLegend
    footer: tuple[str, ...]
    illustrative: str | None


@functools.lru_cache(maxsize=32)
def font(size: float, bold: bool = False):
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size=max(1, round(size)))
    return ImageFont.load_default(size=max(1, round(size)))


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Lines of ``text`` no wider than ``width`` pixels (a word longer than the line stays whole)."""
    measure = font(size, bold).getlength
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def class_row(payload: MapPayload, year: int) -> str:
    """The classes of ``year``, one character per territory (``-`` everywhere when the year has none)."""
    if year in payload.years:
        return payload.classes[payload.years.index(year)]
    return "-" * payload.count


def colour_of(payload: MapPayload, char: str) -> str:
    """The colour of one class character, as assets/atlas_map.js styles it."""
    index = categories.CLASS_CHARS.find(char) if char else -1  # digits, then letters for typologies of 10+ classes
    if 0 <= index < len(payload.colors):
        return payload.colors[index]
    return SECRET_COLOR if char == "s" else MISSING_COLOR


def export_text(request: MapRequest, payload: MapPayload, meta: dict, manifest: dict, illustrative: bool,
                today: dt.date) -> ExportText:
    def field(key: str, absent: str) -> str:
        value = meta.get(key)
        return absent if value is None or value != value or str(value).strip() == "" else str(value)

    year = request.year
    level = levels.label(request.level)
    if payload.reference is not None:
        mode = _("écart à {phrase} ({operation})").format(phrase=payload.reference.phrase,
                                                          operation=operation_label(payload.operation))
        classes = _("Classes : écarts répartis symétriquement autour de l'absence d'écart, seuils calculés sur "
                    "tous les territoires et toutes les années.")
    else:
        mode = _("valeurs")
        over = _("toutes les années") if request.fixed else _("l'année {year}").format(year=year)
        classes = _("Classes : {scheme}, seuils calculés sur {over} et sur l’ensemble des {noun} ({count}).").format(
            scheme=_(SCHEMES[request.scheme]).lower(), over=over, count=format_number(payload.count, 0),
            noun=territory_noun(request.level))
    footer = (
        _("Source : {source}, millésime {vintage}. Licence : {licence}.").format(
            source=field("source", _("non précisée")), vintage=field("vintage", _("non précisé")),
            licence=field("licence", _("non précisée"))),
        classes,
        _("{package} — carte exportée le {date} depuis l'Atlas QPV.").format(
            package=str(manifest.get("title") or _("jeu de données de l'Atlas QPV")), date=format_date(
                today.isoformat())),
    )
    return ExportText(
        title=indicator_label(meta) or request.indicator, subtitle=f"{level} — {year} — {mode}",
        legend=map_legend(payload, year), footer=footer,
        illustrative=_("Données illustratives : elles ne décrivent aucun territoire réel.") if illustrative else None)


def scale_bar(x: float, y: float, metres_per_px: float) -> list:
    """A bar of a round length (1, 2 or 5 × 10^n m) no longer than 120 px, with its length in km or m."""
    limit = 120 * metres_per_px
    magnitude = 10 ** math.floor(math.log10(limit))
    length = max(step * magnitude for step in (1, 2, 5) if step * magnitude <= limit)
    width = length / metres_per_px
    label = f"{format_number(length / 1000, 0)} km" if length >= 1000 else f"{format_number(length, 0)} m"
    return [Line(((x, y - 5), (x, y), (x + width, y), (x + width, y - 5)), INK, 1.2),
            Text(x + width + 6, y, label, 11)]


def _frame_item(projected: ProjectedLevel, geometry: FrameGeometry, x: float, y: float, row: str,
                payload: MapPayload, border: bool) -> MapFrame:
    chars = [row[i] if i < len(row) else "-" for i in geometry.features]
    fills = tuple(colour_of(payload, ch) for ch in chars)
    if projected.level == "qpv":  # quarters are tiny at this scale: a border in their own colour shows them
        strokes, widths = fills, tuple(2.0 for _ch in chars)
        if not geometry.outline_paths:
            # Missing ones are white on the light grey départements; where no département is drawn (Polynésie,
            # Saint-Martin), a thin grey border keeps them visible, as the legend's white swatch has one.
            strokes = tuple("#8c8c8c" if ch == "-" else fill for ch, fill in zip(chars, fills, strict=True))
            widths = tuple(0.5 if ch == "-" else 2.0 for ch in chars)
    elif len(projected.codes) > BORDERLESS_FEATURES:
        strokes, widths = tuple(None for _ch in chars), tuple(0.0 for _ch in chars)
    else:
        strokes, widths = tuple("#3d3d3d" for _ch in chars), tuple(0.4 for _ch in chars)
    return MapFrame(x, y, geometry, tuple(projected.codes[i] for i in geometry.features), fills, strokes, widths,
                    background=projected.level == "qpv", border=border)


def _legend_items(legend: MapLegend, x: float, y: float, width: float) -> tuple[list, float]:
    items: list = []
    for line in wrap(legend.title, 15, width, bold=True):
        y += 19
        items.append(Text(x, y, line, 15, bold=True))
    y += 8
    for entry in legend.entries:
        lines = wrap(entry.label, 13, width - 30)
        items.append(Rect(x, y + 3, 22, 14, entry.color, "#8c8c8c" if entry.kind != "class" else None))
        for k, line in enumerate(lines):
            items.append(Text(x + 30, y + 15 + 17 * k, line, 13))
        y += 17 * len(lines) + 5
    y += 4
    for note in legend.notes:
        for line in wrap(note, 11.5, width):
            y += 15
            items.append(Text(x, y, line, 11.5, color=MUTED))
        y += 4
    return items, y


def _insets(projected: ProjectedLevel, row: str, payload: MapPayload, x: float, y: float,
            width: float) -> tuple[list, float]:
    insets = projected.frames[1:]
    if not insets:
        return [], y
    items: list = []
    for line in wrap(_("Outre-mer et autres territoires (échelles différentes)"), 12, width, bold=True):
        y += 16
        items.append(Text(x, y, line, 12, bold=True))
    y += 12
    columns, gap = 3, 18.0
    cell = (width - gap * (columns - 1)) / columns
    for start in range(0, len(insets), columns):
        bottom = y
        for k, geometry in enumerate(insets[start:start + columns]):
            cx = x + k * (cell + gap)
            items.append(Rect(cx, y, cell, cell, "#ffffff", "#c8c8c8"))
            items.append(_frame_item(projected, geometry, cx + (cell - geometry.width) / 2,
                                     y + (cell - geometry.height) / 2, row, payload, border=True))
            lines = wrap(_(geometry.name), 10.5, cell)
            items.extend(Text(cx, y + cell + 13 * (n + 1), line, 10.5, color=MUTED) for n, line in enumerate(lines))
            bottom = max(bottom, y + cell + 13 * len(lines) + 12)
        y = bottom
    return items, y


def export_scene(projected: ProjectedLevel, payload: MapPayload, text: ExportText, year: int) -> Scene:
    """The whole page: header, main map and scale bar, legend and insets, footer."""
    row = class_row(payload, year)
    content_width = PAGE_WIDTH - 2 * MARGIN
    items: list = []
    y = MARGIN
    for line in wrap(text.title, 22, content_width, bold=True):
        y += 27
        items.append(Text(MARGIN, y, line, 22, bold=True))
    for line in wrap(text.subtitle, 14, content_width):
        y += 21
        items.append(Text(MARGIN, y, line, 14, color=MUTED))
    if text.illustrative:
        y += 10
        items.append(Rect(MARGIN, y, content_width, 24, "#fdecee", ALERT))
        items.append(Text(MARGIN + 8, y + 17, text.illustrative, 13, bold=True, color=ALERT))
        y += 24
    top = y + 16
    main = projected.frames[0] if projected.frames else None
    main_width = main.width if main else 0.0
    map_bottom = top
    if main is not None:
        if main.key == "vue":  # a view is cut at its edges: a frame says where
            items.append(Rect(MARGIN, top, main.width, main.height, "#ffffff", "#c8c8c8"))
        items.append(_frame_item(projected, main, MARGIN, top, row, payload, border=False))
        map_bottom = top + main.height
        items.extend(scale_bar(MARGIN, map_bottom + 24, main.metres_per_px))
        map_bottom += 34
    column_x = MARGIN + max(main_width, 600.0) + COLUMN_GAP
    column_width = PAGE_WIDTH - MARGIN - column_x
    legend_items, column_bottom = _legend_items(text.legend, column_x, top - 4, column_width)
    items.extend(legend_items)
    inset_items, column_bottom = _insets(projected, row, payload, column_x, column_bottom + 12, column_width)
    items.extend(inset_items)
    y = max(map_bottom, column_bottom) + 10
    items.append(Line(((MARGIN, y), (PAGE_WIDTH - MARGIN, y)), "#c8c8c8", 1.0))
    y += 4
    for sentence in text.footer:
        for line in wrap(sentence, 11.5, content_width):
            y += 16
            items.append(Text(MARGIN, y, line, 11.5, color=MUTED))
    description = " ".join([text.subtitle, *(e.label for e in text.legend.entries), *text.footer])
    return Scene(PAGE_WIDTH, math.ceil(y + MARGIN), f"{text.title} — {text.subtitle}", description, tuple(items))


def parse_view(text: str | None) -> tuple[float, float, float, float] | None:
    """``emprise=west,south,east,north`` (degrees, four decimals, as assets/atlas_clientside.js writes it), or
    None when the text is not exactly that: a visible part of the world, at least 100 m wide."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        return None
    view = (west, south, east, north)
    canonical = ",".join(f"{v:.4f}" for v in view)
    if text != canonical or not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        return None
    return view if east - west >= 0.001 and north - south >= 0.001 else None


def view_text(view: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.4f}" for v in view)


def build_scene(service: AtlasService, request: MapRequest, payload: MapPayload, today: dt.date,
                view: tuple[float, float, float, float] | None = None) -> Scene:
    """The exported page of a validated request, coloured by the screen's payload for that request: France and
    its overseas insets, or the part of the map in ``view`` (a validated ``parse_view``)."""
    text = export_text(request, payload, service.indicator(request.indicator), service.manifest,
                       service.illustrative, today)
    if view is None:
        return export_scene(projected_level(service, request.level), payload, text, request.year)
    text = replace(text, subtitle=f"{text.subtitle} — {_('vue affichée à l’écran')}")
    return export_scene(viewed_level(service, request.level, view), payload, text, request.year)


def export_href(request: MapRequest, fmt: str, view: tuple[float, float, float, float] | None = None) -> str:
    """The download address of a map: exactly the validated parameters the colour files use (and the view)."""
    params = request.query()
    if view is not None:
        params["emprise"] = view_text(view)
    return f"{EXPORT_PATH}.{fmt}?{urlencode(params)}"


def export_filename(request: MapRequest, fmt: str, view: tuple | None = None) -> str:
    """« carte_taux-pauvrete_qpv_2021_ecart-departement-difference.png »: ASCII, no character from the data
    that a file system or a header could misread."""
    def safe(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60] or "indicateur"

    parts = ["carte", safe(request.indicator), request.level, str(request.year)]
    if request.mode == "gap":
        parts.append(f"ecart-{request.reference}-{request.operation}")
    if view is not None:
        parts.append("vue")
    return "_".join(parts) + f".{fmt}"
