"""The build: from a sources configuration to a validated data package.

Steps run in a fixed order whatever their order in the file: territories
(then parents are joined and checked), indicators, observations, commitments,
credits. Each step maps input columns onto a package table, and every row it
cannot take is rejected with a reason in the build report, never dropped
silently. The package is written through ``publish_atomically``, so a failed
build leaves the previous package untouched.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from tqdm import tqdm

from atlas import schema
from atlas.ingest import geometry as geo
from atlas.ingest.config import DEFAULT_SIMPLIFY, FREQUENCIES, INDICATOR_EXTRA_KEYS, Config, IngestError
from atlas.ingest.fields import (
    FREQUENCY_DEFAULT,
    dates_to_periods,
    evaluate,
    file_of,
    parse_dates,
    parse_numbers,
    source_columns,
)
from atlas.ingest.lookup import apply_lookup
from atlas.ingest.readers import FILE_COLUMN, ROW_COLUMN, read_step_input
from atlas.ingest.report import REJECTED, REPAIRED, REPORT_JSON, BuildReport, StepSummary
from atlas.package import DataPackage, Problem, publish_atomically, write_package
from atlas.schema import Table

HIERARCHY = ("commune_code", "epci_code", "contrat_de_ville_code", "departement_code", "region_code")
PARENT_LEVELS = {"commune_code": "commune", "epci_code": "epci", "contrat_de_ville_code": "contrat_de_ville",
                 "departement_code": "departement", "region_code": "region"}
FAILED_REPORT_SUFFIX = ".failed-build-report"
WHOLE_TOLERANCE = 1e-9  # relative gap to the nearest integer still read as a whole number
# Columns added when a wide table is melted: its values, and the wide column each one came from.
MELTED_INDICATOR, MELTED_VALUE, MELTED_PERIOD, MELTED_COLUMN = "__indicator", "__value", "__period", "__column"


class StepRows:
    """The rows of one step and their fate: rejected rows keep their first reason only."""

    def __init__(self, name: str, frame: pd.DataFrame, report: BuildReport):
        self.name = name
        self.frame = frame.reset_index(drop=True)
        self.report = report
        self.rejected = np.zeros(len(self.frame), dtype=bool)

    def _record(self, action: str, mask, kind: str, message: str, column, values: dict) -> np.ndarray:
        mask = np.asarray(mask, dtype=bool)
        if action == REJECTED:
            mask = mask & ~self.rejected
            self.rejected |= mask
        if not mask.any():
            return mask
        picked = np.flatnonzero(mask)
        # Per-row values are Series labelled like the frame (0..n-1); the message is formatted with them only for
        # the rows recorded, since building a text for each of 100k rows that are fine would dominate build time.
        columns = [column] * len(picked) if column is None or isinstance(column, str) else \
            list(pd.Series(column).loc[picked])
        if values:
            picked_values = {name: pd.Series(series).loc[picked].tolist() for name, series in values.items()}
            messages = [message.format(**{name: vals[i] for name, vals in picked_values.items()})
                        for i in range(len(picked))]
        else:
            messages = [message] * len(picked)
        files = self.frame[FILE_COLUMN].iloc[picked].tolist()
        rows = self.frame[ROW_COLUMN].iloc[picked].tolist()
        for text, file, row, col in zip(messages, files, rows, columns, strict=True):
            self.report.add(self.name, action, kind, str(text), file=file, row=int(row), column=col)
        return mask

    def reject(self, mask, kind: str, message: str, column=None, **values) -> None:
        """Reject the masked rows; ``message`` may name per-row ``values`` as {placeholders}."""
        self._record(REJECTED, mask, kind, message, column, values)

    def repair(self, mask, kind: str, message: str, column=None, **values) -> None:
        self._record(REPAIRED, mask, kind, message, column, values)

    def kept(self) -> pd.DataFrame:
        return self.frame.loc[~self.rejected]


@dataclass
class Catalogue:
    """What later steps need to know about indicators."""

    frame: pd.DataFrame
    frequency: dict[str, str] = field(default_factory=dict)
    range: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return set(self.frame["id"])

    def ministry_of(self, ids: pd.Series) -> pd.Series:
        return ids.map(self.frame.set_index("id")["ministry"])


# ------------------------------------------------------------------ entry point


def build(config: Config, out_dir: Path | str, *, progress: bool = True) -> tuple[DataPackage, BuildReport]:
    """Build the package described by ``config`` into ``out_dir``, atomically, with its build report."""
    out_dir = Path(out_dir).resolve()
    report = BuildReport(config.name)
    failed_stem = out_dir.name + FAILED_REPORT_SUFFIX

    def build_into(staging: Path) -> None:
        package = assemble(config, report, progress=progress)
        write_package(package, staging)
        report.counts = _counts(package)
        report.finish("ok")
        report.write(staging)

    try:
        package = publish_atomically(build_into, out_dir)
    except BaseException as exc:
        report.finish("failed", str(exc) or type(exc).__name__)
        report.write(out_dir.parent, stem=failed_stem)
        raise
    for suffix in (".json", ".md"):  # a stale failure report would contradict the package now in place
        (out_dir.parent / (failed_stem + suffix)).unlink(missing_ok=True)
    return package, report


def failed_report_path(out_dir: Path | str) -> Path:
    out_dir = Path(out_dir).resolve()
    return out_dir.parent / (out_dir.name + FAILED_REPORT_SUFFIX + ".json")


def assemble(config: Config, report: BuildReport, *, progress: bool = True) -> DataPackage:
    """Run every step of the configuration and return the package (not yet written)."""
    sections = ("territories", "indicators", "observations", "commitments", "credits")
    bar = tqdm(total=sum(len(config.steps(s)) for s in sections), desc="build", unit="step", disable=not progress,
               leave=False)

    current = {"step": "configuration"}

    def each_step(section: str):
        for index, step in enumerate(config.steps(section)):
            current["step"] = f"{section} step '{_step_name(section, step, index)}'"
            bar.set_postfix_str(current["step"])
            yield index, step
            bar.update()

    try:
        territories, geometry = build_territories(config, report, each_step("territories"))
        catalogue = build_indicators(config, report, each_step("indicators"))
        known = set(territory_keys(territories["level"], territories["code"]))
        observations = [observation_step(config, step, i, report, catalogue, known)
                        for i, step in each_step("observations")]
        commitments = [commitment_step(config, step, i, report, catalogue, known)
                       for i, step in each_step("commitments")]
        credits = [credit_step(config, step, i, report, known) for i, step in each_step("credits")]
    except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
        # A mistake no check foresaw must still name where it happened, not end in a bare traceback.
        raise IngestError(Problem(config.name, f"{current['step']}: {type(exc).__name__}: {exc} — check this "
                                               "step's keys and fields (docs/ingestion.md)")) from exc
    finally:
        bar.close()
    # Keys must also be unique across the steps of a section.
    observations = _drop_duplicates(_concat_steps(observations, schema.OBSERVATIONS), report, "observations",
                                    list(schema.OBSERVATIONS.key))
    commitments = _drop_duplicates(_concat_steps(commitments, schema.COMMITMENTS), report, "commitments", ["id"])
    credits = _drop_duplicates(_concat_steps(credits, schema.CREDITS), report, "credits", ["id"])
    return DataPackage(
        manifest=_manifest(config, report),
        territories=territories,
        indicators=catalogue.frame,
        observations=observations.drop(columns=[FILE_COLUMN, ROW_COLUMN]),
        commitments=commitments.drop(columns=[FILE_COLUMN, ROW_COLUMN]),
        credits=credits.drop(columns=[FILE_COLUMN, ROW_COLUMN]),
        geometry=geometry,
    )


def _step_name(section: str, step: dict, index: int) -> str:
    return step.get("name") or f"{section}[{index}]"


def _counts(package: DataPackage) -> dict:
    return {
        "territories": {lvl: int(n) for lvl, n in package.territories["level"].value_counts().sort_index().items()},
        "indicators": len(package.indicators),
        "observations": len(package.observations),
        "commitments": len(package.commitments),
        "credits": len(package.credits),
        "geometry": {lvl: len(frame) for lvl, frame in sorted(package.geometry.items())},
        "links": _links(package.territories),
    }


def _links(territories: pd.DataFrame) -> dict:
    """Per level and geography vintage, how many territories have each parent (e.g. QPV linked to a contract)."""
    out: dict = {}
    parents = [c for c in (*HIERARCHY, "commune_codes") if c in territories.columns]
    for (level, vintage), group in territories.groupby(["level", "vintage"], sort=True):
        linked = {column: int(group[column].notna().sum()) for column in parents}
        if not any(linked.values()):
            continue
        out.setdefault(level, {})[vintage] = {
            "territories": len(group),
            **{column: {"linked": n, "share": round(n / len(group), 4)} for column, n in linked.items()},
        }
    return out


def _manifest(config: Config, report: BuildReport) -> dict:
    data = config.data
    manifest = {
        "title": data["title"],
        "description": data.get("description", ""),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "illustrative": bool(data.get("illustrative", False)),
        "sources": data.get("sources", []),
        "geography": data.get("geography", {}),
        "build": {
            "config": config.name,
            # Digest of the configuration as resolved (included files merged), to tell which one built the package.
            "config_sha256": hashlib.sha256(json.dumps(config.data, sort_keys=True).encode()).hexdigest(),
            "report": REPORT_JSON,
            **report.tally(),
        },
    }
    manifest.update(data.get("manifest", {}))
    return manifest


# ------------------------------------------------------------------ reading and mapping


def _read(config: Config, section: str, step: dict, index: int, report: BuildReport) -> tuple[StepRows, StepSummary]:
    name = _step_name(section, step, index)
    frame = read_step_input(config, step)
    summary = StepSummary(step=name, target=section, files=sorted(frame[FILE_COLUMN].unique().tolist()),
                          rows_read=len(frame))
    if "query" in step:
        try:
            kept = frame.query(step["query"], engine="python")
        except Exception as exc:  # pandas raises many types for a bad expression
            raise IngestError(Problem(config.name, f"{name}: invalid query {step['query']!r} ({exc})")) from exc
        summary.rows_filtered = len(frame) - len(kept)
        frame = kept
    report.steps.append(summary)
    return StepRows(name, frame, report), summary


def _map_fields(rows: StepRows, step: dict, table: Table, constants: dict | None = None) -> pd.DataFrame:
    """The step's fields computed for every row, typed as the target table wants; bad cells reject their row."""
    frame = rows.frame
    decimal, thousands = frame.attrs.get("decimal", "."), frame.attrs.get("thousands")
    out = pd.DataFrame(index=frame.index)
    out[FILE_COLUMN] = frame[FILE_COLUMN]
    out[ROW_COLUMN] = frame[ROW_COLUMN]
    specs = dict(constants or {})
    specs.update(step.get("fields", {}))
    for name, spec in specs.items():
        text, several = evaluate(frame, spec)
        sources = source_columns(spec)
        column = sources[0] if sources else name
        if several.any():
            rows.repair(several, "glued_code", "'{original}' holds several codes; the first one, '{code}', is used",
                        column, original=frame[column], code=text)
        if column == MELTED_VALUE:
            column = frame[MELTED_COLUMN]  # report a melted value against the wide column it came from
        out[name] = _typed(rows, text, table.column(name), column, decimal, thousands)
    return out


def _source_column(spec, default: str) -> str:
    """The input column a field reads, for messages; a constant (``{ value = … }``) reads none."""
    sources = source_columns(spec)
    return sources[0] if sources else default


def _typed(rows: StepRows, text: pd.Series, col: schema.Column, source, decimal: str,
           thousands: str | None) -> pd.Series:
    if col.dtype == "str":
        if col.name.endswith("_date"):
            dates, bad = parse_dates(text)
            rows.reject(bad, "bad_date", "'{value}' is not a date (YYYY-MM-DD)", source, value=text)
            return dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), None)
        if col.choices is not None:
            wrong = text.notna() & ~text.isin(col.choices)
            rows.reject(wrong, "bad_choice", "'{value}' is not one of " + ", ".join(col.choices), source, value=text)
        return text
    values, bad = parse_numbers(text, decimal, thousands)
    rows.reject(bad, "not_a_number", "'{value}' is not a number", source, value=text)
    if col.dtype == "int":
        # Float noise from spreadsheets or computations (122416.00000000001) is a whole number; 2.5 is not.
        nearest = values.round()
        fractional = values.notna() & ((values - nearest).abs() > WHOLE_TOLERANCE * np.maximum(1, values.abs()))
        rows.reject(fractional, "not_a_whole_number", "'{value}' is not a whole number", source, value=text)
        values = values.where(fractional | values.isna(), nearest)
    if col.minimum is not None:
        below = values.notna() & (values < col.minimum)
        rows.reject(below, "out_of_range", "'{value}' is below the minimum " + f"{col.minimum:g}", source,
                    value=text)
    return values


def _require(rows: StepRows, mapped: pd.DataFrame, columns) -> None:
    for name in columns:
        if name not in mapped:
            raise IngestError(Problem(rows.report.config, f"{rows.name}: column '{name}' is required: map it in "
                                                          f"fields (or give the step's '{name}' key)"))
        empty = mapped[name].isna().to_numpy()
        rows.reject(empty, "missing_value", f"empty value for required column '{name}'", name)


def _drop_duplicates(frame: pd.DataFrame, report: BuildReport, section: str, key: list[str]) -> pd.DataFrame:
    """Reject rows repeating the key of an earlier row (across all steps of a section)."""
    duplicated = frame.duplicated(key, keep="first").to_numpy()
    if not duplicated.any():
        return frame
    dup = frame.loc[duplicated]
    values = _joined(dup, key)
    for file, row, value in zip(dup[FILE_COLUMN], dup[ROW_COLUMN], values, strict=True):
        report.add(section, REJECTED, "duplicate", f"duplicate key ({', '.join(key)}) = ({value}); "
                   "the first occurrence is kept", file=file, row=int(row), column=key[-1])
    return frame.loc[~duplicated]


def _duplicates_in_step(rows: StepRows, mapped: pd.DataFrame, key: list[str], policy: str,
                        order: pd.Series | None = None) -> pd.DataFrame:
    """Apply the step's duplicate policy: 'reject' later rows, 'collapse' identical ones, 'suffix' the id."""
    live = ~rows.rejected
    if order is not None:  # keep the row that comes last in ``order`` (e.g. the latest date of a period)
        ranked = mapped.assign(_order=order).loc[live].sort_values("_order", kind="stable")
        duplicated_later = ranked.duplicated(key, keep="last")
        mask = pd.Series(False, index=mapped.index)
        mask.loc[duplicated_later.index[duplicated_later.to_numpy()]] = True
    else:
        mask = pd.Series(False, index=mapped.index)
        mask.loc[live] = mapped.loc[live].duplicated(key, keep="first").to_numpy()
    if not mask.any():
        return mapped
    if policy == "suffix":
        rank = mapped.loc[live].groupby(key, dropna=False).cumcount() + 1
        suffix = pd.Series("", index=mapped.index)
        suffix.loc[rank.index] = np.where(rank > 1, "-" + rank.astype(str), "")
        mapped = mapped.copy()
        mapped[key[0]] = mapped[key[0]] + suffix
        rows.repair(mask, "duplicate_id", "repeated id ({key}); kept as a separate line with id '{new}'", key[0],
                    key=_joined(mapped.loc[mask], key), new=mapped.loc[mask, key[0]])
        return mapped
    if policy == "collapse":
        value_columns = [c for c in mapped.columns if c not in (FILE_COLUMN, ROW_COLUMN)]
        identical = mapped.loc[live].duplicated(value_columns, keep="first")
        silent = pd.Series(False, index=mapped.index)
        silent.loc[identical.index] = identical.to_numpy()
        rows.rejected |= (mask & silent).to_numpy()  # identical repeats carry no information: dropped silently
        mask = mask & ~silent
    rows.reject(mask, "duplicate", "duplicate key ({key}); another row with this key is kept", key[-1],
                key=_joined(mapped.loc[mask], key))
    return mapped


def _joined(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """'a, b, c' per row, vectorised (a row-wise apply is far too slow on 100k rows)."""
    out = frame[columns[0]].astype(str)
    for column in columns[1:]:
        out = out + ", " + frame[column].astype(str)
    return out


# ------------------------------------------------------------------ territories


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
        # Lookups search the territories added by the steps before this one.
        so_far = [r.mapped for r in results if r.mode == "add"]
        results.append(territory_step(config, step, i, report, so_far))
    added = [r for r in results if r.mode == "add"]
    columns = [c.name for c in schema.TERRITORIES.columns]
    optional = [c.name for c in schema.TERRITORIES.optional_columns if any(c.name in r.mapped for r in results)]
    frame = pd.concat([r.mapped for r in added], ignore_index=True) if added else \
        pd.DataFrame(columns=[FILE_COLUMN, ROW_COLUMN, *columns])
    frame = frame.reindex(columns=[FILE_COLUMN, ROW_COLUMN, *columns, *optional])
    frame = _drop_duplicates(frame, report, "territories", ["level", "code"])
    for result in results:
        if result.mode == "update":
            frame = _apply_update(frame, result, report)
    frame = _check_parents(frame, report)
    frame = _inherit_parents(frame)
    referenced_only = {r.level for r in results if r.keep == "referenced"}
    frame = _keep_referenced(frame, referenced_only)
    frame = frame.drop(columns=[FILE_COLUMN, ROW_COLUMN]).reset_index(drop=True)

    geometry: dict[str, gpd.GeoDataFrame] = {}
    for result in added:
        if result.geometry is None:
            continue
        codes = set(frame.loc[frame["level"] == result.level, "code"])
        part = result.geometry[result.geometry["code"].isin(codes)]
        previous = geometry.get(result.level)
        merged = part if previous is None else pd.concat([previous, part], ignore_index=True)
        geometry[result.level] = gpd.GeoDataFrame(merged.drop_duplicates("code"), geometry="geometry",
                                                  crs="EPSG:4326")
    return frame, geometry


def territory_step(config: Config, step: dict, index: int, report: BuildReport,
                   so_far: list[pd.DataFrame] | None = None) -> TerritoryStep:
    rows, summary = _read(config, "territories", step, index, report)
    level, mode = step["level"], step.get("mode", "add")
    if step.get("lookup"):
        known = pd.concat(so_far, ignore_index=True) if so_far else pd.DataFrame(columns=["level", "code", "name"])
        for rule in step["lookup"]:
            apply_lookup(rows, rule, known, config.name)
    constants = {"level": {"value": level}}
    if "vintage" in step and mode == "add":
        constants["vintage"] = {"value": step["vintage"]}
    mapped = _map_fields(rows, step, schema.TERRITORIES, constants)
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
    required = ["code"] if mode == "update" else [c.name for c in schema.TERRITORIES.columns if c.required]
    _require(rows, mapped, required)
    if "combine" in step:
        mapped = _combine(rows, mapped, step["combine"])
    mapped = _duplicates_in_step(rows, mapped, ["level", "code"], step.get("duplicates", "reject"))
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    if shapes is not None:
        shapes = shapes.loc[~rows.rejected]
        shapes = shapes[~(shapes.geometry.is_empty | shapes.geometry.isna())]
    return TerritoryStep(kept, level, mode, step.get("keep", "all"), shapes)


def _combine(rows: StepRows, mapped: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """Fold rows repeating a code into its first row: columns of ``rule`` join their distinct values with the
    given separator (a quarter listed under each of its communes gets all of them), others keep the first
    non-empty value. The folded rows are merged, not lost, so they are not reported."""
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
    rows.rejected[np.flatnonzero(mapped.index.isin(live.index[repeated.to_numpy()]))] = True
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


def _apply_update(frame: pd.DataFrame, result: TerritoryStep, report: BuildReport) -> pd.DataFrame:
    """Fill columns of existing territories from another file; codes absent from the package are rejected."""
    update = result.mapped
    existing = frame.loc[frame["level"] == result.level].reset_index().set_index("code")["index"]
    found = update["code"].isin(existing.index).to_numpy()
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


def _check_parents(frame: pd.DataFrame, report: BuildReport) -> pd.DataFrame:
    """Empty parent codes that are not territories of the package, reporting each."""
    codes = {level: set(group) for level, group in frame.groupby("level")["code"]}
    for column, level in PARENT_LEVELS.items():
        values = frame[column]
        unknown = values.notna() & ~values.isin(codes.get(level, set()))
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
        column = next(c for c, lvl in PARENT_LEVELS.items() if lvl == level)
        used = set(frame[column].dropna())
        frame = frame.loc[(frame["level"] != level) | frame["code"].isin(used)]
    return frame


# ------------------------------------------------------------------ indicators


def build_indicators(config: Config, report: BuildReport, steps) -> Catalogue:
    frames = [indicator_step(config, step, i, report) for i, step in steps]
    columns = [c.name for c in schema.INDICATORS.columns]
    frame = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame(columns=[FILE_COLUMN, ROW_COLUMN, *columns, *INDICATOR_EXTRA_KEYS])
    frame = _drop_duplicates(frame, report, "indicators", ["id"])
    catalogue = Catalogue(frame[columns].reset_index(drop=True))
    catalogue.frequency = frame.set_index("id")["frequency"].dropna().to_dict()
    catalogue.range = frame.set_index("id")["range"].dropna().to_dict()
    return catalogue


def indicator_step(config: Config, step: dict, index: int, report: BuildReport) -> pd.DataFrame:
    """Catalogue rows, inline or from a data file, completed by ``catalogue`` (per id) then ``defaults``."""
    rows, summary = _read(config, "indicators", step, index, report)
    names = [c.name for c in schema.INDICATORS.columns] + sorted(INDICATOR_EXTRA_KEYS)
    # Inline rows name the package columns directly; a data file's columns are mapped by `fields`.
    specs = step.get("fields") or {name: name for name in names if name in rows.frame.columns}
    if "id" not in specs:
        raise IngestError(Problem(config.name, f"{rows.name}: needs fields.id or an 'id' column"))
    ids, _ = evaluate(rows.frame, specs["id"])
    # A data file names each indicator on many rows: its first row describes it.
    first = (ids.notna() & ~ids.duplicated()).to_numpy()
    rows = StepRows(rows.name, rows.frame.loc[first], report)
    overrides, defaults = step.get("catalogue", {}), step.get("defaults", {})
    mapped = rows.frame[[FILE_COLUMN, ROW_COLUMN]].copy()
    row_ids = ids[first].tolist()
    for name in names:
        from_data = evaluate(rows.frame, specs[name])[0].tolist() if name in specs else [None] * len(row_ids)
        values = []
        for row_id, data_value in zip(row_ids, from_data, strict=True):
            value = overrides.get(row_id, {}).get(name)
            value = data_value if value is None else value
            values.append(defaults.get(name) if value is None else value)
        mapped[name] = pd.Series(values, index=mapped.index, dtype=object)
    mapped["range"] = mapped["range"].map(_parse_range)

    decimals, bad = parse_numbers(mapped["decimals"].map(lambda v: None if v is None else str(v)))
    rows.reject(bad | (decimals % 1 != 0).to_numpy(), "not_a_whole_number", "decimals must be a whole number",
                "decimals")
    mapped["decimals"] = decimals
    for name in ("theme", "ministry", "polarity", "kind"):
        choices = schema.INDICATORS.column(name).choices
        wrong = mapped[name].notna() & ~mapped[name].isin(choices)
        rows.reject(wrong, "bad_choice", "'{value}' is not one of " + ", ".join(choices), name, value=mapped[name])
    wrong = mapped["frequency"].notna() & ~mapped["frequency"].isin(FREQUENCIES[:-1])
    rows.reject(wrong, "bad_choice", "frequency '{value}' is not monthly, quarterly or annual", "frequency",
                value=mapped["frequency"])
    wrong = ~mapped["id"].astype(str).str.fullmatch(schema.INDICATORS.column("id").pattern.pattern)
    rows.reject(wrong, "bad_id", "'{value}' is not a valid id (a-z, 0-9, _ and -)", "id", value=mapped["id"])
    for name in (c.name for c in schema.INDICATORS.columns if c.required):
        rows.reject(mapped[name].isna().to_numpy(), "missing_value",
                    f"empty value for required column '{name}' (add it to 'defaults' or 'catalogue')", name)
    unused = set(overrides) - set(mapped["id"])
    if unused:
        report.add(rows.name, REJECTED, "unused_catalogue_entry",
                   f"catalogue entries for ids absent from the input: {', '.join(sorted(unused))}", file=config.name)
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    return kept


def _parse_range(value) -> tuple[float, float] | None:
    """[low, high] from the catalogue (a TOML array, or its JSON text in inline rows)."""
    if isinstance(value, str):
        value = json.loads(value)
    return None if value is None else (value[0], value[1])


# ------------------------------------------------------------------ observations


def observation_step(config: Config, step: dict, index: int, report: BuildReport, catalogue: Catalogue,
                     known: set) -> pd.DataFrame:
    rows, summary = _read(config, "observations", step, index, report)
    fields = dict(step.get("fields", {}))
    constants = {"level": {"value": step["level"]}} if "level" in step else {}
    period_spec = fields.pop("period", None)
    if "wide" in step:
        rows = _melt(rows, step["wide"], period_spec)
        fields["indicator"] = MELTED_INDICATOR
        fields["value"] = MELTED_VALUE
        period_spec = MELTED_PERIOD
    if period_spec is None:
        raise IngestError(Problem(config.name, f"{rows.name}: fields.period is required"))
    mapped = _map_fields(rows, {"fields": fields}, schema.OBSERVATIONS, constants)
    for name in ("level", "code", "indicator"):
        if name not in mapped:
            raise IngestError(Problem(config.name, f"{rows.name}: fields.{name} is required"))
    unknown = mapped["indicator"].notna() & ~mapped["indicator"].isin(catalogue.ids)
    rows.reject(unknown, "unknown_indicator", "indicator '{value}' is not in the catalogue",
                _source_column(fields["indicator"], "indicator"), value=mapped["indicator"])

    order = None
    text, _ = evaluate(rows.frame, period_spec)
    if isinstance(period_spec, dict) and "frequency" in period_spec:
        dates, bad = parse_dates(text)
        rows.reject(bad, "bad_date", "'{value}' is not a date (YYYY-MM-DD)", _source_column(period_spec, "period"),
                    value=text)
        frequency = period_spec["frequency"]
        if frequency == "indicator":
            frequency = mapped["indicator"].map(catalogue.frequency).fillna(FREQUENCY_DEFAULT)
        mapped["period"] = dates_to_periods(dates, frequency)
        order = dates
    else:
        mapped["period"] = text
        bad = text.notna() & text.map(lambda p: schema.period_frequency(p) is None if isinstance(p, str) else False)
        rows.reject(bad, "bad_period", "'{value}' is not a period (YYYY, YYYY-Qn or YYYY-MM)",
                    _source_column(period_spec, "period"), value=text)

    value_column = source_columns(fields.get("value", "value"))
    value_source = rows.frame[MELTED_COLUMN] if "wide" in step else (value_column[0] if value_column else "value")
    if "status" not in mapped:
        missing_status = step.get("missing_status", "missing")
        if missing_status == "drop":
            empty = mapped["value"].isna().to_numpy()
            rows.rejected |= empty  # an empty cell is not an observation: nothing to report
            summary.rows_filtered += int(empty.sum())
        mapped["status"] = np.where(mapped["value"].notna(), "ok", missing_status)
    # Each row against its own indicator's range, in one pass (a loop over the catalogue compares every row
    # with every indicator id: minutes on a national build).
    values = mapped["value"]
    low = mapped["indicator"].map({i: r[0] for i, r in catalogue.range.items()}).astype("float64")
    high = mapped["indicator"].map({i: r[1] for i, r in catalogue.range.items()}).astype("float64")
    outside = values.notna() & ((values < low) | (values > high))
    rows.reject(outside, "out_of_range", "value {value:g} outside the range [{low:g}, {high:g}] of indicator "
                "'{indicator}'", value_source, value=values, low=low, high=high, indicator=mapped["indicator"])
    _reject_unknown_territories(rows, mapped, known, "level", "code", source_columns(fields.get("code", "code")))
    _require(rows, mapped, ["level", "code", "indicator", "period", "status"])
    mapped = _duplicates_in_step(rows, mapped, list(schema.OBSERVATIONS.key), step.get("duplicates", "reject"),
                                 order)
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    return kept


def _melt(rows: StepRows, wide: dict, period_spec) -> StepRows:
    """Wide to long: one row per (input row, value column), remembering the column for reports."""
    frame = rows.frame
    parts = []
    for column, target in wide.items():
        target = {"indicator": target} if isinstance(target, str) else target
        if column not in frame.columns:
            raise IngestError(Problem(file_of(frame), "column named in 'wide' not found", column=column))
        period = target.get("period")
        if period is None:
            if period_spec is None:
                raise IngestError(Problem(file_of(frame), f"no period for wide column (set fields.period or "
                                                          f"wide.{column}.period)", column=column))
            period_text, _ = evaluate(frame, period_spec)
        else:
            period_text = pd.Series([str(period)] * len(frame), index=frame.index, dtype=object)
        part = frame.assign(**{MELTED_INDICATOR: target["indicator"], MELTED_VALUE: frame[column],
                               MELTED_PERIOD: period_text, MELTED_COLUMN: column})
        parts.append(part)
    melted = pd.concat(parts, ignore_index=True)
    melted.attrs.update(frame.attrs)
    step = StepRows(rows.name, melted, rows.report)
    return step


def _reject_unknown_territories(rows: StepRows, mapped: pd.DataFrame, known: set, level: str, code: str,
                                sources: list[str]) -> None:
    unknown = mapped[code].notna() & ~territory_keys(mapped[level], mapped[code]).isin(known)
    rows.reject(unknown, "unknown_territory", "no territory {level} '{code}' in the package",
                sources[0] if sources else code, level=mapped[level], code=mapped[code])


# ------------------------------------------------------------------ commitments


def commitment_step(config: Config, step: dict, index: int, report: BuildReport, catalogue: Catalogue,
                    known: set) -> pd.DataFrame:
    rows, summary = _read(config, "commitments", step, index, report)
    mapped = _map_fields(rows, step, schema.COMMITMENTS)
    for name in ("id", "indicator", "scope_level", "scope_code"):
        if name not in mapped:
            raise IngestError(Problem(config.name, f"{rows.name}: fields.{name} is required"))
    indicator_source = source_columns(step["fields"]["indicator"])
    unknown = mapped["indicator"].notna() & ~mapped["indicator"].isin(catalogue.ids)
    rows.reject(unknown, "unknown_indicator", "indicator '{value}' is not in the catalogue",
                indicator_source[0] if indicator_source else "indicator", value=mapped["indicator"])
    if "ministry" not in mapped:
        # A commitment belongs to the ministry carrying its indicator in the catalogue.
        mapped["ministry"] = catalogue.ministry_of(mapped["indicator"])
        no_ministry = mapped["ministry"].isna() & ~rows.rejected
        rows.reject(no_ministry, "no_ministry", "indicator '{value}' is carried by none of the seven ministries",
                    "indicator", value=mapped["indicator"])
    _reject_unknown_territories(rows, mapped, known, "scope_level", "scope_code",
                                source_columns(step["fields"]["scope_code"]))
    _require(rows, mapped, [c.name for c in schema.COMMITMENTS.columns if c.required])
    mapped = _duplicates_in_step(rows, mapped, ["id"], step.get("duplicates", "reject"))
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    return kept


# ------------------------------------------------------------------ credits


def credit_step(config: Config, step: dict, index: int, report: BuildReport, known: set) -> pd.DataFrame:
    rows, summary = _read(config, "credits", step, index, report)
    mapped = _map_fields(rows, step, schema.CREDITS)
    for name in ("id", "level", "code"):
        if name not in mapped:
            raise IngestError(Problem(config.name, f"{rows.name}: fields.{name} is required"))
    code_sources = source_columns(step["fields"]["code"])
    code_column = code_sources[0] if code_sources else "code"
    located = _is_known(mapped, known)
    for fallback in step.get("fallback", []):
        if "level" not in fallback or "code" not in fallback:
            raise IngestError(Problem(config.name, f"{rows.name}: each fallback needs 'level' and 'code'"))
        codes, _ = evaluate(rows.frame, fallback["code"])
        candidate = mapped.assign(level=fallback["level"], code=codes)
        usable = ~located & _is_known(candidate, known) & ~rows.rejected
        if not usable.any():
            continue
        why = f" ({fallback['reason']})" if "reason" in fallback else ""
        rows.repair(usable, "fallback_territory", "code {was}; attached to " + fallback["level"] + " '{code}'" + why,
                    code_column, was=mapped["code"].map(lambda c: "empty" if c is None else f"'{c}' unknown"),
                    code=codes)
        mapped.loc[usable, "level"] = fallback["level"]
        mapped.loc[usable, "code"] = codes[usable]
        located = located | usable
    rows.reject(~located & mapped["code"].isna(), "unlocated", "no territory code: the credit cannot be located",
                code_column)
    _reject_unknown_territories(rows, mapped, known, "level", "code", code_sources)
    _require(rows, mapped, [c.name for c in schema.CREDITS.columns if c.required])
    mapped = _duplicates_in_step(rows, mapped, ["id"], step.get("duplicates", "reject"))
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    return kept


def _is_known(mapped: pd.DataFrame, known: set) -> pd.Series:
    return territory_keys(mapped["level"], mapped["code"]).isin(known) & mapped["code"].notna()


def territory_keys(levels: pd.Series, codes: pd.Series) -> pd.Series:
    """'level\x1fcode' per row: one string per territory, far faster to look up than (level, code) tuples."""
    return levels.astype(object).fillna("").astype(str) + "\x1f" + codes.astype(object).fillna("").astype(str)


def _concat_steps(frames: list[pd.DataFrame], table: Table) -> pd.DataFrame:
    names = [FILE_COLUMN, ROW_COLUMN, *(c.name for c in table.columns)]
    optional = [c.name for c in table.optional_columns if any(c.name in f for f in frames)]
    if not frames:
        return pd.DataFrame(columns=names)
    return pd.concat([f.reindex(columns=names + optional) for f in frames], ignore_index=True)
