"""The map export's geometry: each level projected once into the frames of an exported page.

Metropolitan France is drawn in Lambert-93 (EPSG:2154, the official projection: the scale bar is true to
better than 0.3 %); each overseas territory the level reaches gets an inset, in a local equirectangular
projection at its own scale. Geometry is simplified to a third of a pixel of its frame and written once as
SVG path data and as rings for the PNG, so an export only colours what is already projected.

A territory belongs to the frame that holds its representative point. The frames of a level are fitted to
the extent of that level and of the départements drawn with it, so outlines and territories line up.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from atlas.i18n import N_
from atlas.service import AtlasService, per_package

EARTH_RADIUS = 6_371_008.8
WEB_MERCATOR_RADIUS = 6_378_137.0
# (key, name, lon/lat box of its representative points). The first zone found in a package is the main map.
ZONES = (
    ("metro", N_("France métropolitaine"), (-5.8, 41.0, 10.0, 51.6)),
    ("971", N_("Guadeloupe"), (-61.95, 15.8, -60.95, 16.55)),
    ("972", N_("Martinique"), (-61.3, 14.35, -60.75, 14.9)),
    ("973", N_("Guyane"), (-54.7, 2.0, -51.5, 5.9)),
    ("974", N_("La Réunion"), (55.1, -21.5, 55.9, -20.8)),
    ("976", N_("Mayotte"), (44.9, -13.1, 45.35, -12.55)),
    ("977-978", N_("Saint-Martin et Saint-Barthélemy"), (-63.2, 17.8, -62.7, 18.2)),
    ("975", N_("Saint-Pierre-et-Miquelon"), (-56.5, 46.7, -56.0, 47.2)),
    ("987", N_("Polynésie française"), (-155.0, -28.0, -134.0, -7.0)),
    ("988", N_("Nouvelle-Calédonie"), (163.0, -23.0, 169.0, -19.0)),
    ("986", N_("Wallis-et-Futuna"), (-178.3, -14.4, -176.0, -13.1)),
)
OTHER_ZONE = N_("Autres territoires")
VIEW_NAME = N_("Vue de la carte")
MAIN_SIZE = (680.0, 700.0)  # the main map's box, in page pixels (width, maximum height)
INSET_SIZE = (104.0, 104.0)
SIMPLIFY_PX = 0.33
_RING = re.compile(r"\(([^()]+)\)")


@dataclass(frozen=True)
class FrameGeometry:
    """One frame (the main map or an inset): its territories, in pixels of the frame's own box."""
    key: str
    name: str
    width: float
    height: float
    metres_per_px: float
    features: np.ndarray  # positions in the level's static layer (aligned with the classes)
    paths: tuple[str, ...]  # SVG path data, one per feature
    rings: tuple[tuple[int, np.ndarray], ...]  # (feature position, exterior ring (n, 2)), largest feature first
    points: np.ndarray  # (n, 2) a point inside each feature (tests sample the PNG there)
    outline_paths: tuple[str, ...]  # départements drawn over the territories
    outline_rings: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class ProjectedLevel:
    level: str
    codes: tuple[str, ...]
    frames: tuple[FrameGeometry, ...]  # main first, then insets


def zone_of(points: np.ndarray) -> np.ndarray:
    """The zone key of each lon/lat point; points outside every zone are grouped by 10° cells."""
    keys = np.full(len(points), "", dtype=object)
    for key, _name, (west, south, east, north) in ZONES:
        inside = (keys == "") & (points[:, 0] >= west) & (points[:, 0] <= east) & (points[:, 1] >= south) \
            & (points[:, 1] <= north)
        keys[inside] = key
    for i in np.flatnonzero(keys == ""):
        keys[i] = f"cell:{math.floor(points[i, 0] / 10)}:{math.floor(points[i, 1] / 10)}"
    return keys


def _metres(geoms: np.ndarray, key: str, centre: tuple[float, float]) -> np.ndarray:
    """Lon/lat geometries in metres: Lambert-93 for metropolitan France, else equirectangular around ``centre``."""
    if key == "metro":
        transformer = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
        return shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    lon0, lat0 = centre
    factor = math.pi / 180 * EARTH_RADIUS
    return shapely.transform(geoms, lambda xy: np.column_stack(((xy[:, 0] - lon0) * factor * math.cos(
        math.radians(lat0)), xy[:, 1] * factor)))


def path_data(geoms: np.ndarray) -> tuple[str, ...]:
    """SVG path data (``M x y x y …Z`` per ring, 0.1 px) of pixel geometries, vectorised through WKT."""
    texts = shapely.to_wkt(geoms, rounding_precision=1, trim=True)
    return tuple("".join(f"M{ring.replace(', ', ' ')}Z" for ring in _RING.findall(text)) for text in texts)


def exterior_rings(geoms: np.ndarray, order: np.ndarray) -> tuple[tuple[int, np.ndarray], ...]:
    """Exterior rings of every polygon part, features in ``order`` (the PNG fills them one by one)."""
    parts, owner = shapely.get_parts(geoms[order], return_index=True)
    rings = shapely.get_exterior_ring(parts)
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    if len(coords) == 0:
        return ()
    splits = np.flatnonzero(np.diff(ring_index)) + 1
    return tuple((int(order[owner[k]]), block) for k, block in
                 zip(np.unique(ring_index), np.split(coords, splits), strict=True))


def _fit(bounds: tuple[float, float, float, float], box: tuple[float, float]) -> tuple[float, float, float]:
    """Metres per pixel, and the frame's width and height once the extent fits in ``box``."""
    minx, miny, maxx, maxy = bounds
    span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    scale = max(span_x / box[0], span_y / box[1])
    return scale, span_x / scale, span_y / scale


def _to_pixels(geoms: np.ndarray, bounds, scale: float) -> np.ndarray:
    minx, _miny, _maxx, maxy = bounds
    return shapely.transform(geoms, lambda xy: np.column_stack(((xy[:, 0] - minx) / scale, (maxy - xy[:, 1]) / scale)))


def _zone_name(key: str) -> str:
    return next((name for k, name, _box in ZONES if k == key), OTHER_ZONE)


def _zone_order(key: str) -> int:
    keys = [k for k, _name, _box in ZONES]
    return keys.index(key) if key in keys else len(keys)


def _frame(key: str, name: str, own: np.ndarray, outlines: np.ndarray, members: np.ndarray, bounds,
           box: tuple[float, float], true_scale: float = 1.0, clip: bool = False) -> FrameGeometry:
    """A frame of territories and outlines already in metres, fitted to ``bounds`` inside ``box``.

    ``true_scale`` converts projected metres to ground metres (Web Mercator: the cosine of the latitude).
    ``clip`` cuts what lies outside the frame (a view of the map rather than whole territories).
    """
    scale, width, height = _fit(bounds, box)

    def pixels_of(geoms: np.ndarray) -> np.ndarray:
        pixels = _to_pixels(geoms, bounds, scale)
        if clip:
            pixels = shapely.clip_by_rect(pixels, -2.0, -2.0, width + 2.0, height + 2.0)
        return shapely.simplify(pixels, SIMPLIFY_PX, preserve_topology=True)

    pixels, outline_pixels = pixels_of(own), pixels_of(outlines)
    order = np.argsort(-shapely.area(pixels), kind="stable")
    inner = shapely.clip_by_rect(pixels, 0.0, 0.0, width, height) if clip else pixels
    return FrameGeometry(
        key=key, name=name, width=width, height=height, metres_per_px=scale * true_scale, features=members,
        paths=path_data(pixels), rings=tuple((int(members[i]), ring) for i, ring in exterior_rings(pixels, order)),
        points=shapely.get_coordinates(shapely.point_on_surface(inner)), outline_paths=path_data(outline_pixels),
        outline_rings=tuple(ring for _i, ring in exterior_rings(outline_pixels, np.arange(len(outline_pixels)))))


def _sorted_geometry(service: AtlasService, level: str) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Codes (in the static layer's order) and lon/lat geometries of a level, and the départements'."""
    frame = service.package.geometry[level].sort_values("code").reset_index(drop=True)
    outlines = np.empty(0, dtype=object)
    if "departement" in service.package.geometry:
        outlines = np.asarray(service.package.geometry["departement"].geometry.values)
    return tuple(frame["code"]), np.asarray(frame.geometry.values), outlines


@per_package(maxsize=8)
def projected_level(service: AtlasService, level: str) -> ProjectedLevel:
    """The level's territories (aligned with its static layer) and the départements, in the export's frames."""
    codes, geoms, outlines = _sorted_geometry(service, level)
    points = shapely.get_coordinates(shapely.point_on_surface(geoms))
    zones = zone_of(points)
    outline_zones = zone_of(shapely.get_coordinates(shapely.point_on_surface(outlines))) if len(outlines) else \
        np.empty(0, dtype=object)
    counts = {key: int((zones == key).sum()) for key in set(zones)}
    main = "metro" if "metro" in counts else max(counts, key=lambda k: (counts[k], k)) if counts else "metro"
    keys = sorted(counts, key=lambda k: (k != main, _zone_order(k), k))
    frames = []
    for key in keys:
        members = np.flatnonzero(zones == key)
        lon, lat = points[members].mean(axis=0)
        own = _metres(geoms[members], key, (lon, lat))
        drawn_outlines = _metres(outlines[outline_zones == key], key, (lon, lat))
        bounds = tuple(shapely.total_bounds(np.concatenate([own, drawn_outlines])))
        frames.append(_frame(key, _zone_name(key), own, drawn_outlines, members, bounds,
                             MAIN_SIZE if key == main else INSET_SIZE))
    return ProjectedLevel(level, codes, tuple(frames))


def _mercator(geoms: np.ndarray) -> np.ndarray:
    """Web Mercator, the screen's projection (EPSG:3857), in projected metres."""
    def project(xy: np.ndarray) -> np.ndarray:
        lat = np.radians(np.clip(xy[:, 1], -85.0, 85.0))
        return np.column_stack((np.radians(xy[:, 0]) * WEB_MERCATOR_RADIUS,
                                np.log(np.tan(np.pi / 4 + lat / 2)) * WEB_MERCATOR_RADIUS))

    return shapely.transform(geoms, project)


@per_package(maxsize=4)
def viewed_level(service: AtlasService, level: str, view: tuple[float, float, float, float]) -> ProjectedLevel:
    """The territories of a level seen in ``view`` (west, south, east, north), as on screen (Web Mercator),
    cut at the frame's edges: one frame, no inset."""
    codes, geoms, outlines = _sorted_geometry(service, level)
    area = shapely.box(*view)
    members = np.flatnonzero(shapely.intersects(geoms, area))
    seen_outlines = outlines[shapely.intersects(outlines, area)] if len(outlines) else outlines
    bounds = tuple(shapely.total_bounds(_mercator(np.array([area]))))
    true_scale = math.cos(math.radians((view[1] + view[3]) / 2))
    frame = _frame("vue", VIEW_NAME, _mercator(geoms[members]), _mercator(seen_outlines), members, bounds, MAIN_SIZE,
                   true_scale=true_scale, clip=True)
    return ProjectedLevel(level, codes, (frame,))
