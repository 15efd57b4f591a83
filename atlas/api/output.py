"""Serialising API answers: JSON without NaN, CSV without formulas, pages with their links.

Every number leaves as a JSON number or ``null`` (never ``NaN`` or ``Infinity``, which are not JSON);
CSV cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``, tab or carriage
return) get a leading ``'``, while real numbers are written untouched.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import urlencode

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def plain(value):
    """A JSON-safe Python value: numpy scalars unwrapped, NaN/NA/inf as None, containers recursed."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def dumps(payload) -> str:
    """Strict JSON: ``allow_nan=False`` turns any NaN that slipped through into an error, never into output."""
    return json.dumps(plain(payload), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def neutralise(cell):
    """A CSV cell a spreadsheet will not execute: text starting like a formula gets a leading ``'``."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def to_csv(rows: Sequence[dict], columns: Sequence[str]) -> str:
    """CSV with a BOM (spreadsheets read UTF-8), ``None`` as an empty cell, text cells neutralised."""
    frame = pd.DataFrame(list(rows), columns=list(columns), dtype=object)  # object: integers stay integers
    for column in frame.columns:
        values = frame[column]
        text = values.map(lambda v: isinstance(v, str))
        if text.any():
            frame[column] = values.where(~text, values[text].map(neutralise))
    return "\ufeff" + frame.to_csv(index=False, lineterminator="\n")


def frame_to_csv(frame: pd.DataFrame) -> str:
    """A whole table as CSV, column by column: text cells neutralised, numbers and empty cells as they are."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
            continue
        text = values.map(lambda v: isinstance(v, str)).astype(bool) if values.dtype == object else values.notna()
        risky = values.where(text, "").astype(str).str.startswith(FORMULA_PREFIXES).to_numpy(dtype=bool)
        if risky.any():
            values = values.astype(object)
            values[risky] = "'" + values[risky].astype(str)
            out[column] = values
    return "\ufeff" + out.to_csv(index=False, lineterminator="\n")


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (None for NaN/NA) — for JSON pages, which are small."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: plain(v) for k, v in row.items()} for row in clean.to_dict("records")]


def page_link(path: str, query: dict, offset: int) -> str:
    """The address of the page starting at ``offset``, with the same validated query."""
    params = {k: v for k, v in query.items() if v is not None and k != "offset"}
    if offset:
        params["offset"] = offset
    return f"{path}?{urlencode(params)}" if params else path


def page(items: list, *, total: int, limit: int, offset: int, path: str, query: dict, **extra) -> dict:
    """The common list envelope: items, total, limit, offset and the next/previous page links."""
    has_next = offset + len(items) < total
    return {
        **extra,
        "total": total, "limit": limit, "offset": offset, "count": len(items),
        "next": page_link(path, query, offset + limit) if has_next else None,
        "previous": page_link(path, query, max(0, offset - limit)) if offset > 0 else None,
        "items": items,
    }


def flatten(items: Iterable[dict], sep: str = "_") -> list[dict]:
    """Nested dicts as flat columns (``{"scope": {"level": …}}`` → ``scope_level``) for CSV answers."""
    out = []
    for item in items:
        row = {}
        for key, value in item.items():
            if isinstance(value, dict):
                for sub, inner in value.items():
                    row[f"{key}{sep}{sub}"] = inner
            else:
                row[key] = value
        out.append(row)
    return out
