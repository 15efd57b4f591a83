"""Field specifications: how one package column is computed from input columns.

A field is either the name of an input column, a constant, or a table::

    code = {column = "code_commune", zero_pad = 5}
    id = {template = "ar-{annee}-{id_poste}"}
    code = {column = "code_cv", extract = "CV\\\\d{3}"}   # first code of a glued "CV380CV384"

Options are applied in this order: source (``column``, a list of columns
meaning the first non-empty one, ``value`` or ``template``), ``strip``
(default true), ``replace`` (list of [regex, replacement]), ``extract``
(regex, first match), ``map`` (value → value), ``zero_pad`` (numeric codes
padded to that width), ``upper``, ``default`` (for empty values).
"""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd

from atlas.ingest.config import IngestError
from atlas.ingest.frames import file_of
from atlas.ingest.names import normalise_name
from atlas.package import Problem

FREQUENCY_DEFAULT = "monthly"


def normalise_code(series: pd.Series, zero_pad: int | None = None) -> pd.Series:
    """Codes as clean text: trimmed, '9.0' → '9', and numeric codes left-padded (9 → '09', 9261 → '09261').

    Only all-digit values are padded, so '2A004', '971' (already long enough) or 'CV001' are never altered.
    """
    text = series.astype("string").str.strip()
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    if zero_pad:
        digits = text.str.fullmatch(r"\d+").fillna(False)
        text = text.mask(digits, text.str.zfill(int(zero_pad)))
    return _empty_to_none(text)


def _empty_to_none(text: pd.Series) -> pd.Series:
    out = text.astype(object)
    return out.where(text.notna() & (text != ""), None)


def column_of(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        known = ", ".join(c for c in frame.columns if not c.startswith("_") and c != "geometry")
        raise IngestError(Problem(file_of(frame), f"column not found (columns are: {known})", column=name))
    return frame[name]


def source_columns(spec) -> list[str]:
    """The input columns a field reads (for reporting problems against the right column)."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict):
        if "column" in spec:
            return spec["column"] if isinstance(spec["column"], list) else [spec["column"]]
        if "template" in spec:
            return [name for _, name, _, _ in string.Formatter().parse(spec["template"]) if name]
        if "expression" in spec:
            return expression_columns(spec["expression"])
    return []


def expression_columns(expression: str) -> list[str]:
    """The input columns an arithmetic expression names (identifiers, or `backquoted names`)."""
    return [quoted or plain for quoted, plain in re.findall(r"`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)", expression)]


def _expression(frame: pd.DataFrame, expression: str) -> pd.Series:
    """Arithmetic on numeric columns, e.g. ``P18_CHOM1564 / P18_ACT1564 * 100``; empty where any input is empty."""
    decimal, thousands = frame.attrs.get("decimal", "."), frame.attrs.get("thousands")
    names = expression_columns(expression)
    numbers = pd.DataFrame({name: parse_numbers(column_of(frame, name), decimal, thousands)[0] for name in names},
                           index=frame.index)
    try:
        values = numbers.eval(expression, engine="python")
    except Exception as exc:  # pandas raises many types for a bad expression
        raise IngestError(Problem(file_of(frame), f"invalid expression {expression!r} ({exc})")) from exc
    values = pd.to_numeric(pd.Series(values, index=frame.index), errors="coerce")
    finite = np.isfinite(values.to_numpy(dtype="float64"))
    # repr() round-trips a float exactly, so the value parsed again for the target column is the one computed.
    return pd.Series([repr(float(v)) if ok else None for v, ok in zip(values, finite, strict=True)],
                     index=frame.index, dtype="string")


def evaluate(frame: pd.DataFrame, spec) -> tuple[pd.Series, pd.Series]:
    """The field's values as text (None when empty), and a mask of rows where ``extract`` found several matches."""
    several = pd.Series(False, index=frame.index)
    if not isinstance(spec, dict):
        spec = {"column": spec} if isinstance(spec, str) else {"value": spec}
    if "value" in spec:
        value = spec["value"]
        text = pd.Series([None if value is None else _constant_text(value)] * len(frame), index=frame.index,
                         dtype="string")
    elif "template" in spec:
        text = _template(frame, spec["template"])
    elif "expression" in spec:
        text = _expression(frame, spec["expression"])
    else:
        names = spec["column"] if isinstance(spec["column"], list) else [spec["column"]]
        text = column_of(frame, names[0]).astype("string")
        for name in names[1:]:
            text = text.where(text.notna() & (text.str.strip() != ""), column_of(frame, name).astype("string"))
    if spec.get("strip", True):
        text = text.str.strip()
    for pattern, replacement in spec.get("replace", []):
        text = text.str.replace(pattern, replacement, regex=True)
    if "extract" in spec:
        # Python's findall, not pandas' count: the Arrow engine behind str.count matches an anchored '^…'
        # again after the first match, which reported every row of an anchored extract as glued codes.
        pattern = re.compile(spec["extract"])
        several = text.map(lambda v: isinstance(v, str) and len(pattern.findall(v)) > 1).astype(bool)
        # The whole match (outer group), even when the pattern has groups of its own.
        text = text.str.extract(f"({spec['extract']})", expand=True)[0].astype("string")
    if "map" in spec:
        mapping = {str(k): _constant_text(v) for k, v in spec["map"].items()}
        text = text.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v).astype("string")
    if "zero_pad" in spec:
        text = normalise_code(text, spec["zero_pad"]).astype("string")
    if spec.get("upper"):
        text = text.str.upper()
    if spec.get("lower"):
        text = text.str.lower()
    out = _empty_to_none(text)
    if "same_as" in spec:
        out = _same_as(out, column_of(frame, spec["same_as"]))
    if "default" in spec:
        out = out.where(out.notna(), _constant_text(spec["default"]))
    return out, several


def _same_as(values: pd.Series, reference: pd.Series) -> pd.Series:
    """Keep a value only where it names what the reference column names (compared as lookups compare names),
    else take the reference: a better-spelled name from another file without renaming anything."""
    keep = [isinstance(v, str) and isinstance(r, str) and normalise_name(v) == normalise_name(r)
            for v, r in zip(values, reference, strict=True)]
    reference = _empty_to_none(reference.astype("string"))
    return values.where(pd.Series(keep, index=values.index), reference)


def _constant_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _template(frame: pd.DataFrame, template: str) -> pd.Series:
    """Vectorised str.format: '{a}-{b}' concatenates literal text and columns (an empty column gives '')."""
    out = pd.Series("", index=frame.index, dtype="string")
    for literal, name, _, _ in string.Formatter().parse(template):
        out = out + literal
        if name:
            out = out + column_of(frame, name).astype("string").str.strip().fillna("")
    return out


def parse_numbers(text: pd.Series, decimal: str = ".", thousands: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Numbers from text with the source's conventions; returns the values and a mask of unparseable cells."""
    clean = text.astype("string").str.strip()
    # Thousands are often grouped with (narrow) no-break spaces in French exports.
    clean = clean.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    if thousands:
        clean = clean.str.replace(thousands, "", regex=False)
    if decimal != ".":
        clean = clean.str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(clean, errors="coerce").astype("float64")
    bad = clean.notna() & (clean != "") & values.isna()
    return values, bad.fillna(False).astype(bool)


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates from ISO text ('2021-06-30', '2021-06-30T00:00:00'); returns timestamps and a mask of bad cells."""
    clean = text.astype("string").str.strip().str.slice(0, 10)
    dates = pd.to_datetime(clean, format="%Y-%m-%d", errors="coerce")
    bad = clean.notna() & dates.isna()
    return dates, bad.fillna(False).astype(bool)


def dates_to_periods(dates: pd.Series, frequency: pd.Series | str) -> pd.Series:
    """Periods of the package ('2021', '2021-Q2', '2021-06') for dates, per row frequency."""
    year = dates.dt.year.astype("Int64").astype("string")
    monthly = year + "-" + dates.dt.month.astype("Int64").astype("string").str.zfill(2)
    quarterly = year + "-Q" + dates.dt.quarter.astype("Int64").astype("string")
    frequency = pd.Series(frequency, index=dates.index) if isinstance(frequency, str) else frequency
    out = np.where(frequency == "annual", year, np.where(frequency == "quarterly", quarterly, monthly))
    return pd.Series(out, index=dates.index, dtype=object).where(dates.notna(), None)
