"""Writers of an exported map page (atlas/mapexport.py): SVG through ElementTree, PNG through Pillow.

Both draw the same ``Scene`` in the same order. Every text from the data becomes an element's text or an
attribute value set through ElementTree, which escapes it: no markup is ever built by string concatenation.
In the SVG, each territory is one ``<path>`` carrying its code (``data-code``) and its colour (``fill``).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image, ImageDraw

from atlas.mapexport import Line, MapFrame, Rect, Scene, Text, font

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
BACKGROUND_FILL = "#f2f2f2"
OUTLINE_COLOR = "#1e1e1e"
OUTLINE_OPACITY = 0.7
OUTLINE_ON_WHITE = "#5a5a5a"  # the PNG has no transparency: the outline's colour once blended
PNG_SCALE = 2  # the PNG has two pixels per SVG unit (2,200 px wide): sharp when printed


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg_item(parent: ET.Element, item) -> None:
    if isinstance(item, Text):
        attrs = {"x": _num(item.x), "y": _num(item.y), "font-size": _num(item.size), "fill": item.color}
        if item.bold:
            attrs["font-weight"] = "bold"
        ET.SubElement(parent, "text", attrs).text = item.text
    elif isinstance(item, Rect):
        attrs = {"x": _num(item.x), "y": _num(item.y), "width": _num(item.width), "height": _num(item.height),
                 "fill": item.fill}
        if item.stroke:
            attrs.update(stroke=item.stroke, **{"stroke-width": "1"})
        ET.SubElement(parent, "rect", attrs)
    elif isinstance(item, Line):
        ET.SubElement(parent, "polyline", {"points": " ".join(f"{_num(x)},{_num(y)}" for x, y in item.points),
                                           "fill": "none", "stroke": item.color, "stroke-width": _num(item.width)})
    elif isinstance(item, MapFrame):
        _svg_frame(parent, item)


def _svg_frame(parent: ET.Element, item: MapFrame) -> None:
    geometry = item.geometry
    group = ET.SubElement(parent, "g", {"class": "map-frame", "data-frame": geometry.key,
                                        "transform": f"translate({_num(item.x)},{_num(item.y)})"})
    if item.background and geometry.outline_paths:
        back = ET.SubElement(group, "g", {"class": "background", "fill": BACKGROUND_FILL, "stroke": "none"})
        for d in geometry.outline_paths:
            ET.SubElement(back, "path", {"d": d})
    territories = ET.SubElement(group, "g", {"class": "territories", "fill-rule": "evenodd",
                                             "stroke-linejoin": "round"})
    for code, d, fill, stroke, width in zip(item.codes, geometry.paths, item.fills, item.strokes,
                                            item.stroke_widths, strict=True):
        attrs = {"data-code": code, "d": d, "fill": fill}
        if stroke and width > 0:
            attrs.update({"stroke": stroke, "stroke-width": _num(width)})
        ET.SubElement(territories, "path", attrs)
    if geometry.outline_paths:
        outlines = ET.SubElement(group, "g", {"class": "outlines", "fill": "none", "stroke": OUTLINE_COLOR,
                                              "stroke-width": "0.6", "stroke-opacity": str(OUTLINE_OPACITY)})
        for d in geometry.outline_paths:
            ET.SubElement(outlines, "path", {"d": d})


def render_svg(scene: Scene) -> bytes:
    root = ET.Element("svg", {"xmlns": SVG_NS, "width": _num(scene.width), "height": _num(scene.height),
                              "viewBox": f"0 0 {_num(scene.width)} {_num(scene.height)}",
                              "font-family": FONT_FAMILY, "role": "img"})
    ET.SubElement(root, "title").text = scene.title
    ET.SubElement(root, "desc").text = scene.description
    ET.SubElement(root, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    for item in scene.items:
        _svg_item(root, item)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _flat(ring: np.ndarray, x: float, y: float) -> list[float]:
    return ((ring + np.array([x, y])) * PNG_SCALE).ravel().tolist()


def _png_frame(draw: ImageDraw.ImageDraw, item: MapFrame) -> None:
    geometry = item.geometry
    if item.background:
        for ring in geometry.outline_rings:
            if len(ring) >= 3:
                draw.polygon(_flat(ring, item.x, item.y), fill=BACKGROUND_FILL)
    row_of = {int(position): row for row, position in enumerate(geometry.features)}
    for position, ring in geometry.rings:  # largest first: enclaves are drawn over their container
        if len(ring) < 3:
            continue
        row = row_of[position]
        stroke, width = item.strokes[row], max(1, round(item.stroke_widths[row] * PNG_SCALE))
        flat = _flat(ring, item.x, item.y)
        draw.polygon(flat, fill=item.fills[row])
        if stroke and item.stroke_widths[row] > 0:
            # Pillow skips the outline of a polygon smaller than its width (a quarter at national scale is
            # one pixel): the border is drawn as a round-joined line, and a dot of its width, as an SVG stroke is.
            draw.line(flat, fill=stroke, width=width, joint="curve")
            if width > 1:
                cx, cy = (ring.mean(axis=0) + np.array([item.x, item.y])) * PNG_SCALE
                draw.ellipse([cx - width / 2, cy - width / 2, cx + width / 2, cy + width / 2], fill=stroke)
    for ring in geometry.outline_rings:
        if len(ring) >= 2:
            draw.line(_flat(ring, item.x, item.y), fill=OUTLINE_ON_WHITE, width=1)


def render_png(scene: Scene) -> bytes:
    size = (round(scene.width * PNG_SCALE), round(scene.height * PNG_SCALE))
    image = Image.new("RGB", size, "#ffffff")
    draw = ImageDraw.Draw(image)
    s = PNG_SCALE
    for item in scene.items:
        if isinstance(item, Text):
            draw.text((item.x * s, item.y * s), item.text, font=font(item.size * s, item.bold), fill=item.color,
                      anchor="ls")
        elif isinstance(item, Rect):
            draw.rectangle([item.x * s, item.y * s, (item.x + item.width) * s, (item.y + item.height) * s],
                           fill=item.fill, outline=item.stroke, width=1 if item.stroke else 0)
        elif isinstance(item, Line):
            draw.line([v * s for point in item.points for v in point], fill=item.color,
                      width=max(1, round(item.width * s)), joint="curve")
        elif isinstance(item, MapFrame):
            _png_frame(draw, item)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
