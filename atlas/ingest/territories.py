"""Territory steps: every level's territories, their parents, geometry, patches, lookups and updates.

Steps run in file order, so a step may look names up among the territories of the steps before it. After
all of them, parent codes that are not territories of the package are emptied (reported) and missing
coarser parents are inherited from finer ones (a QPV's région is its département's).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas import schema
from atlas.ingest import geometry as geo
from atlas.ingest.config import DEFAULT_SIMPLIFY, Config, IngestError
from atlas.ingest.fields import file_of
from atlas.ingest.frames import FILE_COLUMN, ROW_COLUMN
from atlas.ingest.lookup import apply_lookup
from atlas.ingest.report import REJECTED, REPAIRED, BuildReport
from atlas.ingest.rows import (
    StepRows,
    drop_duplicates,
    duplicates_in_step,
    map_fields,
    read_step,
    require,
    source_column,
)
from atlas.package import Problem

# Large membership tests use object dtype: pandas' Arrow strings rebuild the looked-up set on every ``isin``.
HIERARCHY = ("commune_code", "epci_code", "contrat_de_ville_code", "departement_code", "region_code")
PARENT_LEVELS = {"commune_code": "commune", "epci_code": "epci", "contrat_de_ville_code": "contrat_de_ville",
                 "departement_code": "departement", "region_code": "region"}



@dataclass
class TerritoryStep:
    mapped: pd.DataFrame
    level: str
    mode: str
    keep: str
    geometry: gpd.GeoDataFrame | None


def build_territories(config: Config, report: BuildReport, steps) -> tuple[pd.DataFrame, dict]:
    results: list[TerritoryStep] = []
    for i, step in steps:
        # Lookups and parent checks use the territories (and shapes) added by the steps before this one.
        results.append(territory_step(config, step, i, report, [r for r in results if r.mode == "add"]))
    added = [r for r in results if r.mode == "add"]
    columns = [c.name for c in schema.TERRITORIES.columns]
    optional = [c.name for c in config.table("territories").optional_columns
                if any(c.name in r.mapped for r in results)]
    frame = pd.concat([r.mapped for r in added], ignore_index=True) if added else \
        pd.DataFrame(columns=[FILE_COLUMN, ROW_COLUMN, *columns])
    frame = frame.reindex(columns=[FILE_COLUMN, ROW_COLUMN, *columns, *optional])
    frame = drop_duplicates(frame, report, "territories", ["level", "code"])
    for result in results:
        if result.mode == "update":
            frame = _apply_update(frame, result, report)
    declared = {f"{d.id}_code": d.id for d in config.declared_levels}  # links to the declared levels
    frame = _check_parents(frame, report, declared)
    frame = _inherit_parents(frame)
    referenced_only = {r.level for r in results if r.keep == "referenced"}
    frame = _keep_referenced(frame, referenced_only)
    frame = frame.drop(columns=[FILE_COLUMN, ROW_COLUMN]).reset_index(drop=True)

    geometry: dict[str, gpd.GeoDataFrame] = {}
    for result in added:
        if result.geometry is None:
            continue
        codes = set(frame.loc[frame["level"] == result.level, "code"])
        part = result.geometry[result.geometry["code"].astype(object).isin(codes)]
        previous = geometry.get(result.level)
        merged = part if previous is None else pd.concat([previous, part], ignore_index=True)
        geometry[result.level] = gpd.GeoDataFrame(merged.drop_duplicates("code"), geometry="geometry",
                                                  crs="EPSG:4326")
    return frame, geometry


def territory_step(config: Config, step: dict, index: int, report: BuildReport,
                   earlier: list[TerritoryStep] | None = None) -> TerritoryStep:
    rows, summary = read_step(config, "territories", step, index, report)
    level, mode = step["level"], step.get("mode", "add")
    earlier = earlier or []
    if step.get("lookup"):
        so_far = [r.mapped for r in earlier]
        known = pd.concat(so_far, ignore_index=True) if so_far else pd.DataFrame(columns=["level", "code", "name"])
        for rule in step["lookup"]:
            apply_lookup(rows, rule, known, config.name)
    constants = {"level": {"value": level}}
    if "vintage" in step and mode == "add":
        constants["vintage"] = {"value": step["vintage"]}
    mapped = map_fields(rows, step, config.table("territories"), constants)
    if "code" not in mapped:
        raise IngestError(Problem(config.name, f"{rows.name}: fields.code is required"))
    shapes = None
    source = rows.frame
    if isinstance(source, gpd.GeoDataFrame) and step.get("geometry", True) and mode == "add":
        shapes = _territory_geometry(config, rows, mapped, step)
    for patch in step.get("patches", []):
        mapped = _apply_patch(config, rows, mapped, patch)
    for rule in step.get("blank", []):
        mapped = _apply_blank(config, rows, mapped, rule)
    if "inside_parent" in step:
        mapped = _check_inside_parent(config, rows, mapped, step["inside_parent"], earlier)
    required = ["code"] if mode == "update" else [c.name for c in schema.TERRITORIES.columns if c.required]
    require(rows, mapped, required)
    _check_declared_code(rows, mapped, step, config)
    if "combine" in step:
        mapped = _combine(rows, mapped, step["combine"])
    mapped = duplicates_in_step(rows, mapped, ["level", "code"], step.get("duplicates", "reject"))
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    if shapes is not None:
        shapes = shapes.loc[~rows.rejected]
        shapes = shapes[~(shapes.geometry.is_empty | shapes.geometry.isna())]
    return TerritoryStep(kept, level, mode, step.get("keep", "all"), shapes)


def _check_declared_code(rows: StepRows, mapped: pd.DataFrame, step: dict, config: Config) -> None:
    """A declared level's codes must follow its ``code_pattern`` (a zone d'emploi is 4 digits…)."""
    level = step["level"]
    declared = next((d for d in config.declared_levels if d.id == level and d.code_pattern), None)
    if declared is None:
        return
    matches = mapped["code"].astype("string").str.fullmatch(declared.code_pattern).fillna(True).to_numpy(dtype=bool)
    pattern = declared.code_pattern.replace("{", "{{").replace("}", "}}")  # the message is str.format-ted
    rows.reject(~matches, "bad_code", "code '{code}' does not follow the pattern " + pattern + " of level '"
                + level + "'", source_column(step.get("fields", {}).get("code", "code"), "code"), code=mapped["code"])


def _combine(rows: StepRows, mapped: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """Fold rows repeating a code into its first row: columns of ``rule`` join their distinct values with the
    given separator (a quarter listed under each of its communes gets all of them), others keep the first
    non-empty value. Each folded row is reported (``combined``): merged, not lost."""
    live = mapped.loc[~rows.rejected]
    repeated = live.duplicated("code", keep="first")
    if not repeated.any():
        return mapped
    groups = live.groupby("code", sort=False)
    firsts = live.index[~repeated.to_numpy()]
    mapped = mapped.copy()
    for column in live.columns:
        if column in (FILE_COLUMN, ROW_COLUMN, "code"):
            continue
        if column in rule:
            separator = rule[column]
            values = groups[column].agg(lambda v, s=separator: s.join(dict.fromkeys(
                x for x in v if isinstance(x, str) and x)) or None)
        else:
            values = groups[column].first()
        mapped.loc[firsts, column] = live.loc[firsts, "code"].map(values).to_numpy()
    folded = mapped.index.isin(live.index[repeated.to_numpy()])
    joined_columns = ", ".join(rule)
    rows.repair(folded, "combined", "code '{code}' again: merged into its first row (" + joined_columns + " joined)",
                "code", code=mapped["code"])
    rows.rejected[np.flatnonzero(folded)] = True
    return mapped


def _territory_geometry(config: Config, rows: StepRows, mapped: pd.DataFrame, step: dict) -> gpd.GeoDataFrame | None:
    source = rows.frame
    repaired, invalid = geo.repair(source.geometry)
    rows.repair(invalid, "invalid_geometry", "invalid geometry (e.g. self-intersection) repaired with make_valid",
                "geometry")
    empty = (repaired.is_empty | repaired.isna()).to_numpy()
    rows.repair(empty, "empty_geometry", "empty geometry: the territory is kept but cannot be drawn", "geometry")
    points = set(repaired[~empty].geom_type.unique()) <= {"Point"}
    if points:
        if "lon" not in step.get("fields", {}):
            mapped["lon"] = repaired.x.where(~empty).round(6)
            mapped["lat"] = repaired.y.where(~empty).round(6)
        return None
    if not geo.is_polygonal(repaired[~empty]):
        raise IngestError(Problem(file_of(source), "territory geometry must be all polygons or all points",
                                  column="geometry"))
    if "area_km2" not in step.get("fields", {}):
        mapped["area_km2"] = np.round(geo.area_km2(repaired), 3)
    if "lon" not in step.get("fields", {}):
        anchor = repaired.representative_point()
        mapped["lon"] = anchor.x.where(~empty).round(6)
        mapped["lat"] = anchor.y.where(~empty).round(6)
    settings = {**DEFAULT_SIMPLIFY, **config.data.get("simplify", {})}
    tolerance = step.get("simplify", settings["tolerance"])
    display = geo.for_display(repaired, tolerance, settings["grid"])
    return gpd.GeoDataFrame({"code": mapped["code"]}, geometry=display, crs="EPSG:4326")


def _apply_patch(config: Config, rows: StepRows, mapped: pd.DataFrame, patch: dict) -> pd.DataFrame:
    if "code" not in patch or "reason" not in patch:
        raise IngestError(Problem(config.name, f"{rows.name}: each patch needs 'code' and 'reason'"))
    target = (mapped["code"] == str(patch["code"])).to_numpy()
    if not target.any():
        raise IngestError(Problem(config.name, f"{rows.name}: patch for code {patch['code']!r} matches no row"))
    changes = {k: v for k, v in patch.items() if k not in ("code", "reason")}
    for column, value in changes.items():
        if column not in mapped.columns and column not in [c.name for c in schema.TERRITORIES.columns]:
            raise IngestError(Problem(config.name, f"{rows.name}: patch sets unknown column '{column}'"))
        mapped.loc[target, column] = value
    described = ", ".join(f"{k} = {v!r}" for k, v in changes.items())
    rows.repair(target, "patched", f"set {described}: {patch['reason']}", ",".join(changes))
    return mapped


def _apply_blank(config: Config, rows: StepRows, mapped: pd.DataFrame, rule: dict) -> pd.DataFrame:
    if not {"columns", "where", "reason"} <= set(rule):
        raise IngestError(Problem(config.name, f"{rows.name}: each blank rule needs 'columns', 'where' and 'reason'"))
    try:
        target = np.array(mapped.eval(rule["where"], engine="python").fillna(False), dtype=bool)
    except Exception as exc:  # pandas raises many types for a bad expression
        raise IngestError(Problem(config.name, f"{rows.name}: invalid blank rule {rule['where']!r} ({exc})")) from exc
    target &= mapped[rule["columns"]].notna().any(axis=1).to_numpy()
    mapped.loc[target, rule["columns"]] = None
    rows.repair(target, "blanked", f"{', '.join(rule['columns'])} emptied: {rule['reason']}", ",".join(rule["columns"]))
    return mapped


def _check_inside_parent(config: Config, rows: StepRows, mapped: pd.DataFrame, rule: dict,
                         earlier: list[TerritoryStep]) -> pd.DataFrame:
    """Points (lon/lat) must fall in their parent's shape, within ``tolerance`` degrees (simplified coasts).

    Publishers draw overseas territories as insets near metropolitan France: such a point is reported
    (``outside_parent``) and its lon/lat emptied (``action = "blank"``, the default) or its row rejected.
    """
    column = rule.get("parent", "departement_code")
    action, tolerance = rule.get("action", "blank"), float(rule.get("tolerance", 0.01))
    if column not in PARENT_LEVELS or action not in ("blank", "reject"):
        raise IngestError(Problem(config.name, f"{rows.name}: inside_parent needs parent = one of "
                                               f"{', '.join(PARENT_LEVELS)} and action = 'blank' or 'reject'"))
    parent_level = PARENT_LEVELS[column]
    shapes = [r.geometry for r in earlier if r.level == parent_level and r.geometry is not None]
    if not shapes or column not in mapped or "lon" not in mapped:
        raise IngestError(Problem(config.name, f"{rows.name}: inside_parent needs {column}, lon and lat, and an "
                                               f"earlier step drawing the {parent_level} shapes"))
    by_code = pd.concat(shapes).drop_duplicates("code").set_index("code").geometry
    parent = mapped[column].astype(object).map(by_code)
    checked = (parent.notna() & mapped["lon"].notna() & mapped["lat"].notna()).to_numpy()
    inside = np.ones(len(mapped), dtype=bool)
    inside[checked] = shapely.dwithin(parent[checked].to_numpy(), shapely.points(
        mapped.loc[checked, "lon"].astype(float), mapped.loc[checked, "lat"].astype(float)), tolerance)
    outside = ~inside
    message = "point ({lon}, {lat}) lies outside its " + parent_level + " '{parent}'"
    values = {"lon": mapped["lon"], "lat": mapped["lat"], "parent": mapped[column]}
    if action == "reject":
        rows.reject(outside, "outside_parent", message + ": row rejected", "lon,lat", **values)
    else:
        rows.repair(outside, "outside_parent", message + ": lon/lat emptied", "lon,lat", **values)
        mapped.loc[outside, ["lon", "lat"]] = None
    return mapped


def _apply_update(frame: pd.DataFrame, result: TerritoryStep, report: BuildReport) -> pd.DataFrame:
    """Fill columns of existing territories from another file; codes absent from the package are rejected."""
    update = result.mapped
    existing = frame.loc[frame["level"] == result.level].reset_index().set_index("code")["index"]
    found = update["code"].astype(object).isin(set(existing.index)).to_numpy()
    for file, row, code in zip(update.loc[~found, FILE_COLUMN], update.loc[~found, ROW_COLUMN],
                               update.loc[~found, "code"], strict=True):
        report.add("territories", REJECTED, "unknown_territory",
                   f"no {result.level} with code {code!r} to update", file=file, row=int(row), column="code")
    update = update.loc[found]
    targets = existing.loc[update["code"]].to_numpy()
    for column in update.columns:
        if column in (FILE_COLUMN, ROW_COLUMN, "level", "code"):
            continue
        if column not in frame.columns:
            frame[column] = None
        present = update[column].notna().to_numpy()
        frame.loc[targets[present], column] = update[column].to_numpy()[present]
    return frame


def _check_parents(frame: pd.DataFrame, report: BuildReport, declared: dict[str, str]) -> pd.DataFrame:
    """Empty parent codes that are not territories of the package, reporting each."""
    codes = {level: set(group) for level, group in frame.groupby("level")["code"]}
    for column, level in {**PARENT_LEVELS, **{c: lvl for c, lvl in declared.items() if c in frame.columns}}.items():
        values = frame[column]
        unknown = values.notna() & ~values.astype(object).isin(codes.get(level, set()))
        for file, row, value in zip(frame.loc[unknown, FILE_COLUMN], frame.loc[unknown, ROW_COLUMN],
                                    values[unknown], strict=True):
            report.add("territories", REPAIRED, "unknown_parent",
                       f"parent {level} {value!r} is not a territory of the package; left empty",
                       file=file, row=int(row), column=column)
        frame.loc[unknown, column] = None
    return frame


def _inherit_parents(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill coarser parents from finer ones: a QPV's region is its département's region."""
    for _ in HIERARCHY:
        changed = False
        for i, via in enumerate(HIERARCHY):
            parents = frame.loc[frame["level"] == PARENT_LEVELS[via]].set_index("code")
            for target in HIERARCHY[i + 1:]:
                missing = frame[target].isna() & frame[via].notna()
                if not missing.any():
                    continue
                filled = frame.loc[missing, via].map(parents[target])
                if filled.notna().any():
                    frame.loc[filled.index[filled.notna()], target] = filled.dropna()
                    changed = True
        if not changed:
            break
    return frame


def _keep_referenced(frame: pd.DataFrame, levels: set[str]) -> pd.DataFrame:
    for level in levels:
        column = f"{level}_code"  # a built-in parent column, or a declared level's link column
        used = set(frame[column].dropna()) if column in frame.columns else set()
        frame = frame.loc[(frame["level"] != level) | frame["code"].astype(object).isin(used)]
    return frame
