"""Observation steps: values in long form, from long or wide (melted) tables, with periods and statuses."""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas import schema
from atlas.ingest.config import Config, IngestError
from atlas.ingest.fields import FREQUENCY_DEFAULT, dates_to_periods, evaluate, file_of, parse_dates, source_columns
from atlas.ingest.indicators import Catalogue
from atlas.ingest.report import BuildReport
from atlas.ingest.rows import (
    MELTED_COLUMN,
    MELTED_INDICATOR,
    MELTED_PERIOD,
    MELTED_VALUE,
    StepRows,
    duplicates_in_step,
    map_fields,
    read_step,
    reject_unknown_territories,
    require,
    source_column,
)
from atlas.package import Problem


def observation_step(config: Config, step: dict, index: int, report: BuildReport, catalogue: Catalogue,
                     known: set) -> pd.DataFrame:
    rows, summary = read_step(config, "observations", step, index, report)
    fields = dict(step.get("fields", {}))
    constants = {"level": {"value": step["level"]}} if "level" in step else {}
    period_spec = fields.pop("period", None)
    if "wide" in step:
        rows = _melt(rows, step["wide"], period_spec)
        fields["indicator"] = MELTED_INDICATOR
        # Options given for the value (map, replace…) apply to every melted column.
        options = fields.get("value") if isinstance(fields.get("value"), dict) else {}
        fields["value"] = {**options, "column": MELTED_VALUE} if options else MELTED_VALUE
        period_spec = MELTED_PERIOD
    if period_spec is None:
        raise IngestError(Problem(config.name, f"{rows.name}: fields.period is required"))
    recode = {"value": lambda text, so_far, column: _class_numbers(rows, catalogue, text, so_far, column)} \
        if catalogue.classes else None
    mapped = map_fields(rows, {"fields": fields}, config.table("observations"), constants, recode)
    for name in ("level", "code", "indicator"):
        if name not in mapped:
            raise IngestError(Problem(config.name, f"{rows.name}: fields.{name} is required"))
    unknown = mapped["indicator"].notna() & ~mapped["indicator"].isin(catalogue.ids)
    rows.reject(unknown, "unknown_indicator", "indicator '{value}' is not in the catalogue",
                source_column(fields["indicator"], "indicator"), value=mapped["indicator"])

    order = None
    text, _ = evaluate(rows.frame, period_spec)
    if isinstance(period_spec, dict) and "frequency" in period_spec:
        dates, bad = parse_dates(text)
        rows.reject(bad, "bad_date", "'{value}' is not a date (YYYY-MM-DD)", source_column(period_spec, "period"),
                    value=text)
        frequency = period_spec["frequency"]
        if frequency == "indicator":
            frequency = mapped["indicator"].map(catalogue.frequency).fillna(FREQUENCY_DEFAULT)
        mapped["period"] = dates_to_periods(dates, frequency)
        order = dates
    else:
        mapped["period"] = text
        # Checked once per distinct period (a handful), not once per row (a million on a national build).
        malformed = {p for p in text.dropna().unique() if isinstance(p, str) and schema.period_frequency(p) is None}
        bad = text.notna() & text.isin(malformed)
        rows.reject(bad, "bad_period", "'{value}' is not a period (YYYY, YYYY-Qn or YYYY-MM)",
                    source_column(period_spec, "period"), value=text)

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
    reject_unknown_territories(rows, mapped, known, "level", "code", source_columns(fields.get("code", "code")))
    require(rows, mapped, ["level", "code", "indicator", "period", "status"])
    mapped = duplicates_in_step(rows, mapped, list(schema.OBSERVATIONS.key), step.get("duplicates", "reject"),
                                 order)
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    return kept


def _class_numbers(rows: StepRows, catalogue: Catalogue, text: pd.Series, mapped: pd.DataFrame,
                   column) -> pd.Series:
    """Values of categorical indicators become their class's number; a value naming no class is rejected."""
    indicator = mapped["indicator"] if "indicator" in mapped else pd.Series(None, index=text.index, dtype=object)
    categorical = indicator.isin(list(catalogue.classes)).to_numpy(dtype=bool)
    if not categorical.any():
        return text
    numbers = [str(catalogue.classes[ind].get(value, "")) if is_class and isinstance(value, str) else value
               for ind, value, is_class in zip(indicator, text, categorical, strict=True)]
    numbers = pd.Series(numbers, index=text.index, dtype=object)
    unknown = categorical & (numbers == "").to_numpy(dtype=bool)
    listed = indicator.map(lambda ind: ", ".join(catalogue.classes.get(ind, {})))
    rows.reject(unknown, "bad_class", "'{value}' is not a class of indicator '{indicator}' (classes: {listed})",
                column, value=text, indicator=indicator, listed=listed)
    return numbers.where(~unknown, None)


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
