"""The profile's mini-map: the quarter and its commune(s) as GeoJSON, and bounds that never crop the quarter."""

from __future__ import annotations

import json

from atlas.places import split_codes

PADDING = 0.15  # share of the framed extent added on each side
MIN_SPAN = 0.004  # degrees (~400 m): a tiny quarter is still shown with some surroundings
MAX_CONTEXT = 6.0  # a commune more than this many times the quarter's extent is cut, never the quarter
CONTEXT_WHEN_CUT = 2.2  # the extent then framed, in quarter extents


def map_geometry(geometry: dict, territory: dict) -> dict:
    """GeoJSON of the quarter and of its commune(s), and the bounds to frame them (WGS84, padded)."""
    out: dict = {"qpv": None, "communes": None, "bounds": None}
    quarter_box = commune_box = None
    qpv = geometry.get("qpv")
    if qpv is not None:
        shape = qpv[qpv["code"] == territory["code"]]
        if not shape.empty:
            out["qpv"] = _geojson(shape, "qpv")
            quarter_box = tuple(float(v) for v in shape.total_bounds)
    communes = geometry.get("commune")
    codes = split_codes(territory.get("commune_codes")) or split_codes(territory.get("commune_code"))
    if communes is not None and codes:
        shape = communes[communes["code"].isin(codes)]
        if not shape.empty:
            out["communes"] = _geojson(shape, "commune")
            commune_box = tuple(float(v) for v in shape.total_bounds)
    box = frame_box(quarter_box, commune_box)
    if box is not None:
        west, south, east, north = box
        out["bounds"] = [[south, west], [north, east]]
    return out


def frame_box(quarter: tuple | None, commune: tuple | None) -> tuple | None:
    """(west, south, east, north) holding the whole quarter, with its commune when that is not huge, padded."""
    if quarter is None and commune is None:
        return None
    if quarter is None:
        box = commune
    elif commune is None:
        box = quarter
    else:
        union = (min(quarter[0], commune[0]), min(quarter[1], commune[1]),
                 max(quarter[2], commune[2]), max(quarter[3], commune[3]))
        quarter_span = max(quarter[2] - quarter[0], quarter[3] - quarter[1], MIN_SPAN)
        union_span = max(union[2] - union[0], union[3] - union[1])
        box = union if union_span <= MAX_CONTEXT * quarter_span else _grown(quarter, CONTEXT_WHEN_CUT)
    west, south, east, north = box
    width, height = max(east - west, MIN_SPAN), max(north - south, MIN_SPAN)
    cx, cy = (west + east) / 2, (south + north) / 2
    half_w, half_h = width * (0.5 + PADDING), height * (0.5 + PADDING)
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _grown(box: tuple, factor: float) -> tuple:
    west, south, east, north = box
    cx, cy = (west + east) / 2, (south + north) / 2
    half = max(east - west, north - south, MIN_SPAN) * factor / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _geojson(frame, level: str) -> dict:
    """A plain GeoJSON FeatureCollection (coordinates as stored: the package's 1e-5 grid)."""
    frame = frame[["code", "geometry"]].assign(level=level)
    return json.loads(frame.to_json(drop_id=True, to_wgs84=False))
