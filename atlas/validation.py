"""Validation of a data package: every problem named by its file, row and column.

Kept apart from reading and writing (:mod:`atlas.package`) so that each stays readable: this module knows the
schema's rules (:mod:`atlas.schema`) and the references between tables, nothing of files on disk but checksums.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from atlas import categories, schema
from atlas import levels as territory_levels
from atlas.schema import Table

MAX_PROBLEMS_SHOWN = 20

@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    row: int | None = None  # 1-based data row, as a person counts them
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class PackageError(Exception):
    """A package that must not be served; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(f"invalid data package ({len(problems)} problem(s)):\n{shown}{tail}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


REQUIRED_MANIFEST_KEYS = ("title", "generated_at", "illustrative", "sources", "files")


def validate_manifest(manifest: dict, root: Path, *, verify_checksums: bool = True) -> list[Problem]:
    problems = []
    for key in REQUIRED_MANIFEST_KEYS:
        if key not in manifest:
            problems.append(Problem(schema.MANIFEST, f"missing key '{key}'"))
    if "illustrative" in manifest and not isinstance(manifest["illustrative"], bool):
        problems.append(Problem(schema.MANIFEST, "'illustrative' must be true or false"))
    for i, source in enumerate(manifest.get("sources", []) or []):
        for key in ("id", "title", "publisher", "licence"):
            if not source.get(key):
                problems.append(Problem(schema.MANIFEST, f"sources[{i}] lacks '{key}'"))
    files = manifest.get("files") or {}
    for name, meta in files.items():
        path = root / name
        if not path.is_file():
            problems.append(Problem(name, "listed in the manifest but missing"))
        elif verify_checksums and sha256_of(path) != meta.get("sha256"):
            problems.append(Problem(name, "checksum differs from the manifest (file changed or corrupted)"))
    return problems


def _show(value) -> str:
    """repr() of a cell, without numpy's type wrappers."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _rows(mask: np.ndarray | pd.Series) -> np.ndarray:
    return np.flatnonzero(np.asarray(mask)) + 1


def validate_table(frame: pd.DataFrame, table: Table) -> list[Problem]:
    problems: list[Problem] = []
    file = table.filename
    for col in table.columns:
        if col.name not in frame.columns:
            problems.append(Problem(file, "required column is absent", column=col.name))
    if problems:
        return problems
    for col in table.columns + table.optional_columns:
        if col.name not in frame.columns:
            continue
        series = frame[col.name]
        problems += _check_column(series, col, file)
    if table.key and not problems:
        duplicated = frame.duplicated(list(table.key), keep="first").to_numpy()
        for row in _rows(duplicated)[:MAX_PROBLEMS_SHOWN]:
            values = ", ".join(f"{k}={frame.iloc[row - 1][k]!r}" for k in table.key)
            problems.append(Problem(file, f"duplicate key ({values})", row=row, column=table.key[-1]))
    return problems


def _check_column(series: pd.Series, col: schema.Column, file: str) -> list[Problem]:
    problems = []
    missing = series.isna().to_numpy()
    if col.dtype == "str":
        if not (pd.api.types.is_string_dtype(series) or isinstance(series.dtype, pd.CategoricalDtype)):
            is_text = series.map(lambda v: isinstance(v, str)).to_numpy()
            bad = _rows(~missing & ~is_text)
            if len(bad):
                return [Problem(file, f"must hold text (codes are strings), found {_show(series.iloc[bad[0] - 1])}",
                                row=int(bad[0]), column=col.name)]
        blank = ~missing & (series.astype("string").str.strip() == "").fillna(False).to_numpy()
        missing = missing | blank
    elif col.dtype in ("int", "float"):
        if not (pd.api.types.is_numeric_dtype(series) or series.isna().all()):
            return [Problem(file, f"must be numeric, found type {series.dtype}", column=col.name)]
        if col.dtype == "int":
            fractional = ~missing & (series.fillna(0) % 1 != 0).to_numpy()
            for row in _rows(fractional)[:3]:
                problems.append(Problem(file, f"must be a whole number, found {series.iloc[row - 1]}",
                                        row=int(row), column=col.name))
        if col.minimum is not None:
            below = ~missing & (series.fillna(col.minimum) < col.minimum).to_numpy()
            for row in _rows(below)[:3]:
                problems.append(Problem(file, f"must be ≥ {col.minimum:g}, found {series.iloc[row - 1]}",
                                        row=int(row), column=col.name))
        if pd.api.types.is_float_dtype(series):
            infinite = np.isinf(series.to_numpy(dtype="float64", na_value=np.nan))
            for row in _rows(infinite)[:3]:
                problems.append(Problem(file, "must be finite", row=int(row), column=col.name))
    if col.required:
        for row in _rows(missing)[:3]:
            problems.append(Problem(file, "empty value in a required column", row=int(row), column=col.name))
    present = series[~missing]
    if col.choices is not None and len(present):
        wrong = ~missing & ~series.isin(col.choices).to_numpy()
        for row in _rows(wrong)[:3]:
            problems.append(Problem(file, f"{_show(series.iloc[row - 1])} is not one of {', '.join(col.choices)}",
                                    row=int(row), column=col.name))
    if col.pattern is not None and len(present):
        matches = series.astype("string").str.match(col.pattern.pattern).fillna(False).to_numpy()
        for row in _rows(~missing & ~matches)[:3]:
            problems.append(Problem(file, f"{_show(series.iloc[row - 1])} does not match {col.pattern.pattern}",
                                    row=int(row), column=col.name))
    return problems


PARENT_COLUMNS = {
    "commune_code": "commune",
    "epci_code": "epci",
    "contrat_de_ville_code": "contrat_de_ville",
    "departement_code": "departement",
    "region_code": "region",
}


def _territory_keys(levels: pd.Series, codes: pd.Series) -> pd.Series:
    return levels.astype("string") + ":" + codes.astype("string")


def _unknown_territory_rows(frame: pd.DataFrame, level_col: str, code_col: str, known: pd.Index) -> np.ndarray:
    keys = _territory_keys(frame[level_col], frame[code_col])
    return _rows(~keys.isin(known).to_numpy())


def _category_problems(indicators: pd.DataFrame, obs: pd.DataFrame) -> list[Problem]:
    """A categorical indicator lists valid classes, and each of its values is the number of one of them."""
    problems: list[Problem] = []
    sizes = {}
    for row, meta in enumerate(indicators.to_dict("records"), start=1):
        if meta.get("kind") != categories.KIND:
            continue
        text = meta.get("classes")
        try:
            found = categories.problems(json.loads(text)) if isinstance(text, str) else ["'classes' is empty"]
        except json.JSONDecodeError as exc:
            found = [f"'classes' is not JSON ({exc.msg})"]
        problems += [Problem("indicators.parquet", f"indicator '{meta['id']}': {message}", row=row,
                             column="classes") for message in found[:3]]
        sizes[meta["id"]] = 0 if found else len(json.loads(text))
    if not sizes:
        return problems
    size = obs["indicator"].astype(object).map(sizes)
    values = obs["value"].to_numpy(dtype="float64", na_value=np.nan)
    outside = size.notna().to_numpy() & ~np.isnan(values) & (
        (values % 1 != 0) | (values < 1) | (values > size.fillna(0).to_numpy(dtype="float64")))
    for row in _rows(outside)[:5]:
        problems.append(Problem("observations.parquet", f"{_show(obs['value'].iloc[row - 1])} is not the number of a "
                                f"class of indicator '{obs['indicator'].iloc[row - 1]}' (1 to "
                                f"{int(size.iloc[row - 1])})", row=int(row), column="value"))
    return problems


def validate_references(package) -> list[Problem]:
    """Referential integrity between the tables of an ``atlas.package.DataPackage``, by the referring row."""
    problems: list[Problem] = []
    terr = package.territories
    known = pd.Index(_territory_keys(terr["level"], terr["code"]))
    codes_by_level = {level: set(group) for level, group in terr.groupby("level")["code"]}

    declared = {f"{lvl}_code": lvl for lvl in territory_levels.level_ids(package.manifest) if lvl not in schema.LEVELS}
    for column, level in {**PARENT_COLUMNS, **declared}.items():
        if column not in terr.columns:
            continue
        values = terr[column]
        present = values.notna().to_numpy()
        unknown = present & ~values.isin(codes_by_level.get(level, set())).to_numpy()
        for row in _rows(unknown)[:5]:
            problems.append(Problem("territories.parquet",
                                    f"parent {level} {_show(values.iloc[row - 1])} is not a territory of level "
                                    f"'{level}'",
                                    row=int(row), column=column))

    indicator_ids = set(package.indicators["id"])
    problems += _aggregation_problems(package.indicators)
    obs = package.observations
    for row in _unknown_territory_rows(obs, "level", "code", known)[:5]:
        r = obs.iloc[row - 1]
        problems.append(Problem("observations.parquet", f"unknown territory {r['level']}:{r['code']}",
                                row=int(row), column="code"))
    bad_ind = ~obs["indicator"].isin(indicator_ids).to_numpy()
    for row in _rows(bad_ind)[:5]:
        problems.append(Problem("observations.parquet", f"unknown indicator {_show(obs['indicator'].iloc[row - 1])}",
                                row=int(row), column="indicator"))
    periods = pd.Series(obs["period"].astype(str).unique())
    bad_periods = set(periods[periods.map(schema.period_frequency).isna()])
    if bad_periods:
        rows = _rows(obs["period"].astype(str).isin(bad_periods).to_numpy())
        for row in rows[:5]:
            problems.append(Problem("observations.parquet",
                                    f"period {_show(obs['period'].iloc[row - 1])} is not YYYY, YYYY-Qn or YYYY-MM",
                                    row=int(row), column="period"))
    status = obs["status"].astype(str).to_numpy()
    has_value = obs["value"].notna().to_numpy()
    for row in _rows((status == "ok") & ~has_value)[:5]:
        problems.append(Problem("observations.parquet", "status 'ok' but no value", row=int(row), column="value"))
    for row in _rows(np.isin(status, ("secret", "missing")) & has_value)[:5]:
        problems.append(Problem("observations.parquet", f"status '{status[row - 1]}' must have an empty value",
                                row=int(row), column="value"))

    problems += _category_problems(package.indicators, obs)

    com = package.commitments
    for row in _rows(~com["indicator"].isin(indicator_ids).to_numpy())[:5]:
        problems.append(Problem("commitments.parquet", f"unknown indicator {_show(com['indicator'].iloc[row - 1])}",
                                row=int(row), column="indicator"))
    for row in _unknown_territory_rows(com, "scope_level", "scope_code", known)[:5]:
        problems.append(Problem("commitments.parquet", f"unknown scope {_show(com['scope_code'].iloc[row - 1])}",
                                row=int(row), column="scope_code"))

    cred = package.credits
    for row in _unknown_territory_rows(cred, "level", "code", known)[:5]:
        r = cred.iloc[row - 1]
        problems.append(Problem("credits.parquet", f"unknown territory {r['level']}:{r['code']}",
                                row=int(row), column="code"))
    for lon_lat in ("lon", "lat"):
        other = "lat" if lon_lat == "lon" else "lon"
        half = cred[lon_lat].notna().to_numpy() & cred[other].isna().to_numpy()
        for row in _rows(half)[:3]:
            problems.append(Problem("credits.parquet", f"'{lon_lat}' given without '{other}'",
                                    row=int(row), column=other))

    for level, frame in package.geometry.items():
        name = f"{schema.GEOMETRY_DIR}/{level}.parquet"
        if "code" not in frame.columns:
            problems.append(Problem(name, "required column is absent", column="code"))
            continue
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            problems.append(Problem(name, f"geometry must be WGS84 (EPSG:4326), found {frame.crs}"))
        unknown = ~frame["code"].isin(codes_by_level.get(level, set())).to_numpy()
        for row in _rows(unknown)[:5]:
            problems.append(Problem(name, f"code {_show(frame['code'].iloc[row - 1])} is not a territory of "
                                          f"level '{level}'",
                                    row=int(row), column="code"))
        empty = (frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
        for row in _rows(empty)[:5]:
            problems.append(Problem(name, "empty geometry", row=int(row), column="geometry"))
    return problems


def territories_named_by_code(terr: pd.DataFrame) -> pd.DataFrame:
    """Territories whose name is, or contains, their own code (« Intercommunalité (SIREN 200006682) »): they tell
    a reader nothing. Not an error (a package without names still serves), but the build report counts them per
    level and the real package's test requires none (docs/ingestion.md)."""
    names, codes = terr["name"].astype(str), terr["code"].astype(str)
    bad = [name.strip() == code or (len(code) >= 4 and code in name) for name, code in zip(names, codes, strict=True)]
    return terr.loc[np.asarray(bad, dtype=bool)]


def _aggregation_problems(indicators: pd.DataFrame) -> list[Problem]:
    """A "ratio" indicator names a numerator and a denominator that are catalogued "sum" indicators."""
    if "aggregation" not in indicators.columns:
        return []
    kinds = dict(zip(indicators["id"], indicators["aggregation"], strict=True))
    problems = []
    for row, (ident, kind) in enumerate(zip(indicators["id"], indicators["aggregation"], strict=True), start=1):
        if kind != "ratio":
            continue
        for column in ("numerator", "denominator"):
            other = indicators[column].iloc[row - 1] if column in indicators.columns else None
            if not isinstance(other, str) or kinds.get(other) != "sum":
                problems.append(Problem("indicators.parquet", f"ratio indicator {ident!r}: {column} {other!r} is not "
                                        "an indicator of the catalogue with aggregation 'sum'", row=row, column=column))
    return problems


# ------------------------------------------------------------------ publishing
