"""Map export figures, printed as JSON (design and example figures: docs/map-export.md).

Loads a package in-process (the embedded one unless ATLAS_DATA_DIR or --data is given) and, for each map level
and mode, times what a first export costs: the screen's colouring (``map_payload``), projecting the level once
(``projected_level``, then cached per package), laying out the page, and writing the SVG and the PNG; with the
sizes of both files (the SVG raw and gzipped, as it travels) and the PNG's pixels. ``--view`` also exports a
part of the map (west,south,east,north, as the links write it when the map is zoomed in).

Usage: python benchmarks/map_export.py [--data DIR] [--levels qpv,commune] [--view 5.2000,43.2000,5.6000,43.4500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from atlas import settings
from atlas.mapclasses import map_payload
from atlas.mapdata import MapRequest
from atlas.mapexport import build_scene, parse_view
from atlas.mapexport_geometry import projected_level
from atlas.mapexport_render import render_png, render_svg
from atlas.package import load_package
from atlas.service import AtlasService


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, round((time.perf_counter() - start) * 1000)


def export_figures(svc: AtlasService, req: MapRequest, view=None) -> dict:
    payload, payload_ms = timed(lambda: map_payload(svc, req, svc.static_layer(req.level).codes))
    scene, scene_ms = timed(lambda: build_scene(svc, req, payload, dt.date.today(), view))
    svg, svg_ms = timed(lambda: render_svg(scene))
    png, png_ms = timed(lambda: render_png(scene))
    return {"indicator": req.indicator, "mode": req.mode, "reference": req.reference, "year": req.year,
            "payload_ms": payload_ms, "layout_ms": scene_ms, "svg_ms": svg_ms, "png_ms": png_ms,
            "svg_bytes": len(svg), "svg_gzip_bytes": len(gzip.compress(svg, compresslevel=6)), "png_bytes": len(png),
            "png_pixels": list(Image.open(io.BytesIO(png)).size)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("ATLAS_DATA_DIR") or settings.value("ATLAS_DATA_DIR"))
    parser.add_argument("--levels", default="")
    parser.add_argument("--view", default="5.2000,43.2000,5.6000,43.4500")
    args = parser.parse_args()
    svc = AtlasService(load_package(Path(args.data)))
    levels = [lvl for lvl in (args.levels.split(",") if args.levels else svc.map_levels()) if lvl in svc.map_levels()]
    report: dict = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                    "package": svc.manifest.get("title"), "load_average_1min": round(os.getloadavg()[0], 2),
                    "levels": {}}
    for level in levels:
        _, projection_ms = timed(lambda level=level: projected_level(svc, level))
        report["levels"][level] = {
            "territories": len(svc.static_layer(level).codes), "projection_ms_once": projection_ms,
            "value": export_figures(svc, MapRequest.build(svc, level=level)),
            "gap": export_figures(svc, MapRequest.build(svc, level=level, mode="gap")),
        }
        view = parse_view(args.view)
        if view is not None:
            report["levels"][level]["view"] = {"emprise": args.view,
                                               **export_figures(svc, MapRequest.build(svc, level=level), view)}
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
