"""Compact, versioned GeoJSON for the map: geometry travels once and is cached for a year."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely


@dataclass(frozen=True)
class StaticLayer:
    level: str
    version: str  # content hash: a new package gives a new address
    gzipped: bytes
    raw_bytes: int
    codes: tuple[str, ...]
    bounds: tuple[float, float, float, float]

    @property
    def filename(self) -> str:
        return f"{self.level}.{self.version}.geojson"


def _rounded(coords, digits: int):
    if isinstance(coords[0], int | float):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_rounded(c, digits) for c in coords]


def encode_layer(level: str, frame: gpd.GeoDataFrame, names: dict[str, str], digits: int = 5) -> StaticLayer:
    """Features carry only an id and a name; values arrive separately through the map's hideout."""
    frame = frame.sort_values("code").reset_index(drop=True)
    features = []
    for position, (code, geom) in enumerate(zip(frame["code"], frame.geometry, strict=True)):
        mapping = shapely.geometry.mapping(geom)
        features.append({
            "type": "Feature",
            "id": code,
            # "i" is the feature's position in the value arrays sent through the hideout.
            "properties": {"code": code, "name": names.get(code, code), "i": position},
            "geometry": {"type": mapping["type"], "coordinates": _rounded(mapping["coordinates"], digits)},
        })
    body = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"),
                      ensure_ascii=False).encode()
    gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    version = hashlib.sha256(body).hexdigest()[:12]
    minx, miny, maxx, maxy = (float(v) for v in np.asarray(frame.total_bounds))
    return StaticLayer(level, version, gzipped, len(body), tuple(frame["code"]), (minx, miny, maxx, maxy))


def territory_bounds(frame: gpd.GeoDataFrame, code: str, margin: float = 0.01) -> list[list[float]] | None:
    """Leaflet bounds [[south, west], [north, east]] of one territory."""
    rows = frame[frame["code"] == code]
    if rows.empty:
        return None
    minx, miny, maxx, maxy = rows.geometry.iloc[0].bounds
    return [[miny - margin, minx - margin], [maxy + margin, maxx + margin]]
