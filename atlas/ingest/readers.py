"""Reading input files of any supported format into frames of text.

Every attribute is read as text so that codes keep their leading zeros
(``09``, ``01001``), Corsican letters (``2A``) and overseas prefixes (``971``);
numbers are parsed later, per target column, with the source's decimal mark.
Each frame gets two bookkeeping columns, ``_file`` and ``_row``, so that any
problem found later can be reported against the input row it came from.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from atlas.ingest.config import Config, IngestError
from atlas.ingest.fields import evaluate, normalise_code
from atlas.ingest.frames import FILE_COLUMN, ROW_COLUMN, file_of
from atlas.ingest.pivot import PivotIssue, pivot
from atlas.package import Problem

WGS84 = "EPSG:4326"
SOURCE_ROW = "__source_row"

VECTOR_FORMATS = {"geojson": "GeoJSON", "topojson": "TopoJSON", "shapefile": "ESRI Shapefile", "gpkg": "GPKG",
                  "fgb": "FlatGeobuf"}
TABULAR_FORMATS = ("csv", "xlsx", "xls", "ods", "json")
EXTENSIONS = {".geojson": "geojson", ".topojson": "topojson", ".shp": "shapefile", ".gpkg": "gpkg",
              ".fgb": "fgb", ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
              ".xls": "xls", ".ods": "ods",
              ".json": "json"}


def read_step_input(config: Config, spec: dict, left_out: list[PivotIssue] | None = None) -> pd.DataFrame:
    """Read the input of one step (a file, a glob, a list of files or inline rows), joins applied.

    Rows a ``pivot`` leaves out are appended to ``left_out`` for the step to report."""
    if "rows" in spec:
        frame = _inline_rows(spec["rows"], config.name)
    else:
        patterns = spec["file"] if isinstance(spec["file"], list) else [spec["file"]]
        frames = [read_file(config, path, spec) for pattern in patterns for path in config.resolve(pattern)]
        frame = _concat(frames)
    for name, field in spec.get("derive", {}).items():
        # Derived input columns (a département from a QPV code…) can serve as join keys and in fields.
        frame[name] = evaluate(frame, field)[0]
    if "explode" in spec:
        frame = explode(frame, spec["explode"])
    if "pivot" in spec:
        frame, issues = pivot(frame, spec["pivot"])
        if left_out is not None:
            left_out.extend(issues)
    for join in spec.get("join", []):
        frame = _join(config, frame, join)
    return frame


def explode(frame: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """One row per item of aligned lists: `QN1, QN2` and `A, B` in one row become two rows (same input row number)."""
    columns, separator = rule["columns"], rule.get("separator", ",")
    parts = {}
    for column in columns:
        if column not in frame.columns:
            raise IngestError(Problem(file_of(frame), "column named in 'explode' not found", column=column))
        parts[column] = frame[column].map(lambda v: [p.strip() for p in v.split(separator)] if isinstance(v, str)
                                          else [v])
    lengths = pd.DataFrame({c: p.map(len) for c, p in parts.items()})
    uneven = lengths.nunique(axis=1) > 1
    if uneven.any():
        first = int(np.flatnonzero(uneven.to_numpy())[0])
        raise IngestError(Problem(file_of(frame), f"the lists of {', '.join(columns)} have different lengths "
                                                  f"({', '.join(map(str, lengths.iloc[first]))})",
                                  row=int(frame[ROW_COLUMN].iloc[first]), column=columns[0]))
    attrs = dict(frame.attrs)
    out = frame.assign(**parts).explode(columns, ignore_index=True)
    for column in columns:
        out[column] = out[column].map(lambda v: v if isinstance(v, str) and v else None)
    out.attrs.update(attrs)
    return out


def read_file(config: Config, path: Path, options: dict) -> pd.DataFrame:
    name = config.display_path(path)
    fmt = options.get("format") or _guess_format(path, options)
    try:
        if fmt in VECTOR_FORMATS:
            frame = _read_vector(path, options, name)
        elif fmt == "csv":
            frame = _read_csv(path, options)
        elif fmt in ("xlsx", "xls", "ods"):
            frame = _read_xlsx(path, options, fmt)
        elif fmt == "json":
            frame = _read_json_array(path, options, name)
        else:
            raise IngestError(Problem(name, f"unknown format '{fmt}' (expected one of "
                                            f"{', '.join([*VECTOR_FORMATS, *TABULAR_FORMATS])})"))
    except IngestError:
        raise
    except UnicodeDecodeError as exc:
        encoding = options.get("encoding", "utf-8")
        raise IngestError(Problem(name, f"cannot decode the file as {encoding} ({exc.reason} at byte {exc.start}); "
                                        "set 'encoding' (e.g. 'latin-1')")) from exc
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, pyogrio.errors.DataSourceError,
            pd.errors.ParserError) as exc:
        raise IngestError(Problem(name, f"cannot read as {fmt}: {exc}")) from exc
    # A flattened JSON row keeps the number of the record it came from; any other row is numbered in order.
    numbers = frame.pop(SOURCE_ROW).to_numpy() if SOURCE_ROW in frame.columns else np.arange(1, len(frame) + 1)
    frame.insert(0, FILE_COLUMN, name)
    frame.insert(1, ROW_COLUMN, numbers)
    frame.attrs.update(decimal=options.get("decimal", "."), thousands=options.get("thousands"))
    return frame


def _guess_format(path: Path, options: dict) -> str:
    suffix = Path(options.get("member") or path.name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise IngestError(Problem(path.name, f"cannot tell the format from the extension '{suffix}'; set 'format'"))
    fmt = EXTENSIONS[suffix]
    if fmt == "json" and "records" not in options:
        # A .json file may be GeoJSON, TopoJSON or records: look at its start.
        head = _read_bytes(path, options, 4096).decode("utf-8-sig", errors="replace").lstrip()
        if head.startswith("{") and '"Topology"' in head:
            return "topojson"
        if head.startswith("{") and ('"FeatureCollection"' in head or '"Feature"' in head):
            return "geojson"
    return fmt


def _source(path: Path, options: dict) -> Path | io.BytesIO:
    """The file itself, or its ``member`` when the file is a zip archive."""
    member = options.get("member")
    if member:
        with zipfile.ZipFile(path) as archive:
            return io.BytesIO(archive.read(member))
    return path


def _read_bytes(path: Path, options: dict, size: int = -1) -> bytes:
    source = _source(path, options)
    if isinstance(source, io.BytesIO):
        return source.read(size)
    with open(source, "rb") as handle:
        return handle.read(size)


def _read_vector(path: Path, options: dict, name: str) -> gpd.GeoDataFrame:
    source = f"/vsizip/{path}/{options['member']}" if options.get("member") else str(path)
    # Only an explicit encoding is passed: GDAL knows GeoJSON is UTF-8 and reads a shapefile's .cpg when there is
    # one; a .dbf without .cpg (cp1252 in French official archives) needs `encoding = "cp1252"`.
    encoding = options.get("encoding")
    with warnings.catch_warnings():
        # GDAL warns about mixed-type TopoJSON properties; they are read as text anyway.
        warnings.simplefilter("ignore", UserWarning)
        frame = pyogrio.read_dataframe(source, layer=options.get("layer"), encoding=encoding)
    declared = options.get("crs")
    if declared:
        frame = frame.set_crs(declared, allow_override=True)
    elif frame.crs is None:
        frame = frame.set_crs(WGS84)  # GeoJSON without a CRS is WGS84 by definition
    frame = frame.set_crs(WGS84, allow_override=True) if _is_wgs84(frame.crs) else frame.to_crs(WGS84)
    for column in frame.columns:
        if column != frame.geometry.name:
            frame[column] = to_text(frame[column])
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    return frame.reset_index(drop=True)


def _is_wgs84(crs) -> bool:
    # The legacy GeoJSON "crs": CRS84 is WGS84 in lon/lat order, the order shapely uses anyway.
    return crs.to_epsg() == 4326 or crs.to_string() in ("OGC:CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84")


def _read_csv(path: Path, options: dict) -> pd.DataFrame:
    separator = options.get("separator", ",")
    return pd.read_csv(
        _source(path, options),
        sep=None if separator == "auto" else separator,
        engine="python" if separator == "auto" else "c",
        # utf-8-sig reads plain UTF-8 too and drops a byte-order mark, which would otherwise glue to the first header.
        encoding=options.get("encoding", "utf-8-sig"),
        dtype=str,
        keep_default_na=False,
        na_values=["", *options.get("na_values", [])],
        skiprows=options.get("skip_rows", 0),
    )


def _read_xlsx(path: Path, options: dict, fmt: str = "xlsx") -> pd.DataFrame:
    # openpyxl for .xlsx (as always); calamine for the old binary .xls and OpenDocument .ods.
    frame = pd.read_excel(_source(path, options), sheet_name=options.get("sheet", 0), dtype=object,
                          skiprows=options.get("skip_rows", 0), na_values=options.get("na_values"),
                          engine="openpyxl" if fmt == "xlsx" else "calamine")
    frame.columns = [str(c) for c in frame.columns]
    return frame.apply(to_text)


def _read_json_array(path: Path, options: dict, name: str) -> pd.DataFrame:
    payload = json.loads(_read_bytes(path, options).decode(options.get("encoding", "utf-8-sig")))
    where = options.get("records") or ""
    for key in filter(None, where.split(".")):
        if isinstance(payload, list) and re.fullmatch(r"-?\d+", key):  # an index: "results.0.items"
            if not -len(payload) <= int(key) < len(payload):
                raise IngestError(Problem(name, f"index {key} out of range on the path '{where}' to the records"))
            payload = payload[int(key)]
        elif isinstance(payload, dict) and key in payload:
            payload = payload[key]
        else:
            raise IngestError(Problem(name, f"no key '{key}' on the path '{where}' to the records"))
    if not isinstance(payload, list):
        raise IngestError(Problem(name, "expected a JSON array of objects (set 'records' to the path of the array)"))
    for i, record in enumerate(payload):
        if not isinstance(record, dict):
            raise IngestError(Problem(name, f"expected an object, found {type(record).__name__}", row=i + 1))
    records, numbers = payload, None
    if options.get("flatten"):
        records, numbers = _flatten(payload, options["flatten"], name)
    frame = pd.DataFrame.from_records(records)
    na_values = set(options.get("na_values", []))
    frame = frame.apply(to_text)
    frame = frame.mask(frame.isin(na_values)) if na_values else frame
    if numbers is not None:
        frame[SOURCE_ROW] = numbers
    return frame


def _flatten(records: list[dict], key: str, name: str) -> tuple[list[dict], list[int]]:
    """One row per element of each record's nested array ``key``, carrying the record's own plain fields (a
    year, a code) down; on a name clash the nested element's field wins. Rows keep their record's number."""
    rows, numbers = [], []
    for i, record in enumerate(records, start=1):
        nested = record.get(key)
        if not isinstance(nested, list):
            raise IngestError(Problem(name, f"no array '{key}' to flatten in this record", row=i))
        parent = {k: v for k, v in record.items() if k != key and not isinstance(v, list | dict)}
        for item in nested:
            if not isinstance(item, dict):
                raise IngestError(Problem(name, f"expected objects in '{key}', found {type(item).__name__}", row=i))
            rows.append({**parent, **item})
            numbers.append(i)
    return rows, numbers


def _inline_rows(rows: list[dict], config_name: str) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows).apply(to_text)
    frame.insert(0, FILE_COLUMN, config_name)
    frame.insert(1, ROW_COLUMN, np.arange(1, len(frame) + 1))
    frame.attrs.update(decimal=".", thousands=None)
    return frame


def to_text(series: pd.Series) -> pd.Series:
    """Any column as text: integers without '.0', ISO dates, missing values as NaN."""
    if pd.api.types.is_string_dtype(series) and not pd.api.types.is_object_dtype(series):
        return series.astype(object).where(series.notna(), None)
    return series.astype(object).map(_value_to_text)


def _value_to_text(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        # Spreadsheets and JSON store codes as numbers: 9.0 must read back as "9", not "9.0".
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    attrs = frames[0].attrs
    if len(frames) == 1:
        return frames[0]
    geo = [f for f in frames if isinstance(f, gpd.GeoDataFrame)]
    frame = pd.concat(frames, ignore_index=True)
    if geo:
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
    frame.attrs.update(attrs)
    return frame


def _join(config: Config, frame: pd.DataFrame, join: dict) -> pd.DataFrame:
    """Left-join columns of another file on a key; the first row of that file wins for a repeated key."""
    right = _concat([read_file(config, path, join) for path in config.resolve(join["file"])])
    if "query" in join:
        try:
            right = right.query(join["query"], engine="python")
        except Exception as exc:  # pandas raises many types for a bad expression
            raise IngestError(Problem(config.name, f"join from '{join['file']}': invalid query {join['query']!r} "
                                                   f"({exc})")) from exc
    # A key of several columns (`on = ["code_qp", "annee"]`) matches rows equal on all of them.
    left_on = _as_list(join["on"])
    right_on = _as_list(join.get("right_on", join["on"]))
    if len(left_on) != len(right_on):
        raise IngestError(Problem(config.name, f"join from '{join['file']}': 'on' and 'right_on' name "
                                               f"{len(left_on)} and {len(right_on)} columns"))
    for names, data in ((left_on, frame), (right_on, right)):
        for column in names:
            if column not in data.columns:
                raise IngestError(Problem(str(data[FILE_COLUMN].iloc[0]) if len(data) else config.name,
                                          "join key column is absent", column=column))
    columns = join.get("columns")
    if columns is None:
        columns = [c for c in right.columns if c not in (FILE_COLUMN, ROW_COLUMN, "geometry", *right_on)]
    renames = columns if isinstance(columns, dict) else {c: c for c in columns}
    missing = [c for c in renames if c not in right.columns]
    if missing:
        raise IngestError(Problem(str(right[FILE_COLUMN].iloc[0]), "column to join is absent", column=missing[0]))
    overlap = [c for c in renames.values() if c in frame.columns]
    if overlap:
        raise IngestError(Problem(config.name, f"join from '{join['file']}' would overwrite column(s) "
                                               f"{', '.join(overlap)}; rename them with columns = {{old = 'new'}}"))
    key = "__join_key"
    payload = right[list(renames)].rename(columns=renames)
    payload[key] = _join_key(right, right_on, join.get("zero_pad"))
    payload = payload.drop_duplicates(key, keep="first")
    attrs = dict(frame.attrs)
    merged = frame.assign(**{key: _join_key(frame, left_on, join.get("zero_pad"))})
    merged = merged.merge(payload, on=key, how="left").drop(columns=key)
    if isinstance(frame, gpd.GeoDataFrame):
        merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=frame.crs)
    merged.attrs.update(attrs)
    return merged


def _as_list(value) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def _join_key(frame: pd.DataFrame, columns: list[str], zero_pad: int | None) -> pd.Series:
    """The normalised key of each row; empty when any of its columns is empty."""
    parts = [normalise_code(frame[column], zero_pad) for column in columns]
    if len(parts) == 1:
        return parts[0]
    key = parts[0].fillna("").astype(str)
    for part in parts[1:]:
        key = key + "\x1f" + part.fillna("").astype(str)
    complete = pd.concat(parts, axis=1).notna().all(axis=1)
    return key.astype(object).where(complete, None)
