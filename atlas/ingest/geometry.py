"""Geometry repair and simplification for display.

Publishers' polygons are often invalid (coordinates truncated to 4 decimals
create self-intersections), and full-resolution boundaries are far heavier
than a web map needs. Polygons are repaired first (and counted), measured on
the repaired shape, then simplified and snapped to a grid for display.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

EQUAL_AREA = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global: equal-area everywhere, overseas included


def repair(geometry: gpd.GeoSeries) -> tuple[gpd.GeoSeries, np.ndarray]:
    """Valid polygonal geometry; also returns the mask of shapes that had to be repaired."""
    values = geometry.to_numpy()
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    invalid = present & ~shapely.is_valid(values)
    if invalid.any():
        fixed = shapely.make_valid(values[invalid], method="structure", keep_collapsed=False)
        values = values.copy()
        values[invalid] = [keep_polygons(g) for g in fixed]
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs), invalid


def keep_polygons(geom):
    """The polygonal part of a shape: repairs may add stray lines or points that a map of areas cannot draw."""
    if geom is None or geom.is_empty or isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon | MultiPolygon)]
    if not parts:
        return Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def is_polygonal(geometry: gpd.GeoSeries) -> bool:
    types = set(geometry.dropna().geom_type.unique())
    return bool(types) and types <= {"Polygon", "MultiPolygon"}


def area_km2(geometry: gpd.GeoSeries) -> np.ndarray:
    return geometry.to_crs(EQUAL_AREA).area.to_numpy() / 1e6


def for_display(geometry: gpd.GeoSeries, tolerance: float, grid: float) -> gpd.GeoSeries:
    """Simplified (topology preserved), snapped to ``grid`` degrees, valid and never emptier than the input."""
    values = geometry.to_numpy()
    simplified = shapely.simplify(values, tolerance, preserve_topology=True) if tolerance else values
    snapped = shapely.set_precision(simplified, grid) if grid else simplified
    lost = shapely.is_empty(snapped) & ~shapely.is_empty(values)
    if lost.any():
        # A shape smaller than the tolerance would vanish: keep it unsimplified, only snapped.
        snapped[lost] = shapely.set_precision(values[lost], grid) if grid else values[lost]
    invalid = ~shapely.is_valid(snapped)
    if invalid.any():
        snapped[invalid] = [keep_polygons(g) for g in shapely.make_valid(snapped[invalid], method="structure",
                                                                         keep_collapsed=False)]
    return gpd.GeoSeries(snapped, index=geometry.index, crs=geometry.crs)
