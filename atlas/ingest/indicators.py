"""Indicator steps: the catalogue, inline or from a data file, completed per id then by defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from atlas import categories, schema
from atlas.ingest.config import FREQUENCIES, INDICATOR_EXTRA_KEYS, Config, IngestError
from atlas.ingest.fields import evaluate, parse_numbers
from atlas.ingest.frames import FILE_COLUMN, ROW_COLUMN
from atlas.ingest.report import REJECTED, BuildReport
from atlas.ingest.rows import StepRows, drop_duplicates, read_step
from atlas.package import Problem


@dataclass
class Catalogue:
    """What later steps need to know about indicators."""

    frame: pd.DataFrame
    frequency: dict[str, str] = field(default_factory=dict)
    range: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Categorical indicators: class code -> its stored value (the class's position, 1-based), per indicator id.
    classes: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return set(self.frame["id"])

    def ministry_of(self, ids: pd.Series) -> pd.Series:
        return ids.map(self.frame.set_index("id")["ministry"])



def build_indicators(config: Config, report: BuildReport, steps) -> Catalogue:
    frames = [indicator_step(config, step, i, report) for i, step in steps]
    columns = [c.name for c in schema.INDICATORS.columns]
    optional = [c.name for c in schema.INDICATORS.optional_columns]
    frame = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame(columns=[FILE_COLUMN, ROW_COLUMN, *columns, *optional, *INDICATOR_EXTRA_KEYS])
    frame = drop_duplicates(frame, report, "indicators", ["id"])
    # An optional column (``aggregation``, ``classes``…) is written only when some indicator sets it: other
    # packages keep their exact bytes.
    columns += [name for name in optional if name in frame.columns and frame[name].notna().any()]
    catalogue = Catalogue(frame[columns].reset_index(drop=True))
    categorical = frame["classes"].notna()
    catalogue.classes = {ind: {c.code: i + 1 for i, c in enumerate(categories.parse(text))}
                         for ind, text in zip(frame.loc[categorical, "id"], frame.loc[categorical, "classes"],
                                              strict=True)}
    catalogue.frequency = frame.set_index("id")["frequency"].dropna().to_dict()
    catalogue.range = frame.set_index("id")["range"].dropna().to_dict()
    return catalogue


def indicator_step(config: Config, step: dict, index: int, report: BuildReport) -> pd.DataFrame:
    """Catalogue rows, inline or from a data file, completed by ``catalogue`` (per id) then ``defaults``."""
    rows, summary = read_step(config, "indicators", step, index, report)
    names = [c.name for c in schema.INDICATORS.columns + schema.INDICATORS.optional_columns] + \
        sorted(INDICATOR_EXTRA_KEYS)
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
    _check_classes(rows, mapped)

    decimals, bad = parse_numbers(mapped["decimals"].map(lambda v: None if v is None else str(v)))
    rows.reject(bad | (decimals % 1 != 0).to_numpy(), "not_a_whole_number", "decimals must be a whole number",
                "decimals")
    mapped["decimals"] = decimals
    scale, bad = parse_numbers(mapped["scale"].map(lambda v: None if v is None else str(v)))
    rows.reject(bad, "not_a_number", "scale must be a number", "scale")
    mapped["scale"] = scale
    for name in ("theme", "ministry", "polarity", "kind", "aggregation"):
        choices = config.table("indicators").column(name).choices
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


def _check_classes(rows: StepRows, mapped: pd.DataFrame) -> None:
    """A ``category`` indicator needs its classes (a list of { code, label, colour }), stored as JSON text; a
    numeric one has none."""
    texts = []
    for kind, declared, row_id in zip(mapped["kind"], mapped["classes"], mapped["id"], strict=True):
        if isinstance(declared, str):  # from a data file, or the JSON text of inline rows
            try:
                declared = json.loads(declared)
            except json.JSONDecodeError:
                declared = "not JSON"
        if kind != categories.KIND:
            texts.append((None, None if declared is None else f"only a '{categories.KIND}' indicator has classes"))
            continue
        found = categories.problems(declared)
        texts.append((None, f"indicator '{row_id}': " + "; ".join(found)) if found
                     else (categories.to_json(declared), None))
    mapped["classes"] = pd.Series([t for t, _ in texts], index=mapped.index, dtype=object)
    problems = pd.Series([p for _, p in texts], index=mapped.index, dtype=object)
    rows.reject(problems.notna().to_numpy(), "bad_classes", "{problem}", "classes", problem=problems)


def _parse_range(value) -> tuple[float, float] | None:
    """[low, high] from the catalogue (a TOML array, or its JSON text in inline rows)."""
    if isinstance(value, str):
        value = json.loads(value)
    return None if value is None else (value[0], value[1])
