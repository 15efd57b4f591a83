"""Reading, validating and writing a data package.

A package is a folder: ``manifest.json``, one Parquet file per table of
:mod:`atlas.schema` and ``geometry/<level>.parquet`` (GeoParquet, WGS84).
Loading validates everything and reports problems by file, row and column,
so that a bad package is refused before the app serves it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from atlas import levels as territory_levels
from atlas import schema, themes
from atlas.presentation import presentation_problems
from atlas.schema import Table
from atlas.validation import (
    MAX_PROBLEMS_SHOWN,
    PackageError,
    Problem,
    sha256_of,
    validate_manifest,
    validate_references,
    validate_table,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"




@dataclass
class DataPackage:
    manifest: dict
    territories: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    commitments: pd.DataFrame
    credits: pd.DataFrame
    geometry: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    root: Path | None = None

    @property
    def illustrative(self) -> bool:
        return bool(self.manifest.get("illustrative", False))

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)


# --------------------------------------------------------------------------- io




def _package_files(root: Path) -> list[str]:
    files = [t.filename for t in schema.TABLES]
    geometry_dir = root / schema.GEOMETRY_DIR
    if geometry_dir.is_dir():
        files += sorted(f"{schema.GEOMETRY_DIR}/{p.name}" for p in geometry_dir.glob("*.parquet"))
    return files


def write_package(package: DataPackage, dest: Path) -> Path:
    """Write every table and the manifest (with checksums) into ``dest``."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    levels = territory_levels.level_ids(package.manifest)
    for table in schema.TABLES:
        widened = schema.with_declared(table, levels, tuple(themes.themes_of(package.manifest)))
        frame = _normalise_for_writing(package.table(table.name), widened)
        frame.to_parquet(dest / table.filename, index=False, compression="zstd")
    (dest / schema.GEOMETRY_DIR).mkdir(exist_ok=True)
    for level, frame in sorted(package.geometry.items()):
        write_geoparquet(frame, dest / schema.GEOMETRY_DIR / f"{level}.parquet")
    manifest = dict(package.manifest)
    manifest["files"] = {
        name: {"sha256": sha256_of(dest / name), "bytes": (dest / name).stat().st_size}
        for name in _package_files(dest)
    }
    (dest / schema.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return dest


def write_geoparquet(frame: gpd.GeoDataFrame, path: Path) -> None:
    """GeoParquet with lon/lat WGS84 coordinates and no embedded PROJJSON.

    An absent ``crs`` means OGC:CRS84 in GeoParquet; writing it ourselves keeps files byte-identical
    whichever PROJ database the process happened to load.
    """
    if frame.crs is not None and not frame.crs.equals("EPSG:4326") and not frame.crs.equals("OGC:CRS84"):
        frame = frame.to_crs(4326)
    frame = frame.reset_index(drop=True)
    geometries = np.asarray(frame.geometry.values)
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geometries))
    geo = {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": {
            "encoding": "WKB",
            "geometry_types": sorted({g.geom_type for g in geometries if g is not None}),
            "bbox": [minx, miny, maxx, maxy],
        }},
    }
    table = pa.table({
        "code": pa.array([str(c) for c in frame["code"]], type=pa.string()),
        "geometry": pa.array(shapely.to_wkb(geometries, output_dimension=2, byte_order=1), type=pa.binary()),
    }).replace_schema_metadata({"geo": json.dumps(geo, separators=(",", ":"))})
    pq.write_table(table, path, compression="zstd")


def _normalise_for_writing(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    out = frame.copy()
    for col in table.columns + table.optional_columns:
        if col.name not in out.columns:
            if col in table.optional_columns:
                continue
            out[col.name] = None
        if col.dtype == "int":
            out[col.name] = pd.array(out[col.name], dtype="Int64")
        elif col.dtype == "float":
            out[col.name] = out[col.name].astype("float64")
        elif col.dtype == "str":
            out[col.name] = out[col.name].astype("object").where(out[col.name].notna(), None)
    names = [c.name for c in table.columns] + [c.name for c in table.optional_columns if c.name in out.columns]
    return out[names].reset_index(drop=True)


def load_package(root: Path | str | None = None, *, verify_checksums: bool = True) -> DataPackage:
    """Load and fully validate the package at ``root``; raise PackageError otherwise."""
    root = Path(root) if root is not None else DEFAULT_DATA_DIR
    problems: list[Problem] = []
    manifest_path = root / schema.MANIFEST
    if not manifest_path.is_file():
        raise PackageError([Problem(str(manifest_path), "missing: this folder is not a data package")])
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PackageError([Problem(schema.MANIFEST, f"not valid JSON ({exc})")]) from exc
    problems += validate_manifest(manifest, root, verify_checksums=verify_checksums)
    declaration = territory_levels.declaration_problems(manifest.get(territory_levels.MANIFEST_KEY))
    problems += [Problem(schema.MANIFEST, message) for message in declaration]
    known_levels = schema.LEVELS if declaration else territory_levels.level_ids(manifest)
    theme_declaration = themes.declaration_problems(manifest.get(themes.MANIFEST_KEY))
    problems += [Problem(schema.MANIFEST, message) for message in theme_declaration]
    known_themes = tuple(schema.THEMES) if theme_declaration else tuple(themes.themes_of(manifest))

    tables: dict[str, pd.DataFrame] = {}
    for table in schema.TABLES:
        path = root / table.filename
        if not path.is_file():
            problems.append(Problem(table.filename, "file missing"))
            tables[table.name] = pd.DataFrame(columns=[c.name for c in table.columns])
            continue
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types
            problems.append(Problem(table.filename, f"unreadable Parquet file ({exc})"))
            frame = pd.DataFrame(columns=[c.name for c in table.columns])
        table_problems = validate_table(frame, schema.with_declared(table, known_levels, known_themes))
        problems += table_problems
        tables[table.name] = frame

    geometry: dict[str, gpd.GeoDataFrame] = {}
    geometry_dir = root / schema.GEOMETRY_DIR
    for path in sorted(geometry_dir.glob("*.parquet")) if geometry_dir.is_dir() else []:
        name = f"{schema.GEOMETRY_DIR}/{path.name}"
        level = path.stem
        if level not in known_levels:
            problems.append(Problem(name, f"unknown level '{level}' (expected one of {', '.join(known_levels)})"))
            continue
        try:
            frame = gpd.read_parquet(path)
            if frame.crs is None or frame.crs.equals("OGC:CRS84"):
                frame = frame.set_crs(4326, allow_override=True)  # same lon/lat coordinates
            geometry[level] = frame
        except Exception as exc:
            problems.append(Problem(name, f"unreadable GeoParquet file ({exc})"))

    if problems:
        raise PackageError(problems)
    package = DataPackage(manifest=manifest, geometry=geometry, root=root, **_typed(tables))
    problems += validate_references(package)
    terr = package.territories
    for row, message in territory_levels.code_problems(territory_levels.declared_levels(manifest), terr["level"],
                                                       terr["code"])[:MAX_PROBLEMS_SHOWN]:
        problems.append(Problem(schema.TERRITORIES.filename, message, row=row + 1, column="code"))
    problems += [Problem(schema.MANIFEST, message)
                 for message in presentation_problems(manifest, package.indicators["id"])]
    if problems:
        raise PackageError(problems)
    return package


def _typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Give loaded tables the dtypes the app relies on (nullable ints, categories)."""
    out = {}
    for table in schema.TABLES:
        frame = tables[table.name].copy()
        for col in table.columns + table.optional_columns:
            if col.name in frame.columns and col.dtype == "int":
                frame[col.name] = pd.array(frame[col.name], dtype="Int64")
        out[table.name] = frame
    obs = out["observations"]
    for name in ("level", "code", "indicator", "period", "status"):
        obs[name] = obs[name].astype("category")
    return out


# ------------------------------------------------------------------ validation


def publish_atomically(build: Callable[[Path], None], out_dir: Path | str) -> DataPackage:
    """Build a package into a temporary sibling folder, validate it, then swap it in.

    The folder being served is replaced only by a package that loaded cleanly;
    on any failure it is left exactly as it was.
    """
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.building-", dir=out_dir.parent))
    try:
        build(staging)
        package = load_package(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = out_dir.with_name(f".{out_dir.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, previous)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        if previous.exists():
            os.replace(previous, out_dir)
        raise
    shutil.rmtree(previous, ignore_errors=True)
    package.root = out_dir
    return package
