"""CSV formula injection: text cells that a spreadsheet would run as a formula get a leading apostrophe.

Spreadsheets evaluate a cell starting with ``=``, ``+``, ``-`` or ``@`` (and tab or carriage return, which some
strip first) as a formula: a carrier named ``=HYPERLINK("http://…")`` in an official file would become a link
or a command in the downloader's spreadsheet. Every CSV the atlas writes goes through ``safe_frame`` (or
``safe_cell``): such text cells are written as ``'=HYPERLINK(…)``, which spreadsheets show as text. Numbers
are left alone, numeric columns and text that is a plain number (``-12``, ``+3,5``) alike. See docs/csv-exports.md.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d\s\u00a0\u202f]*)?([.,]\d+)?([eE][+-]?\d+)?$")


def needs_quoting(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not (PLAIN_NUMBER.match(text) and any(c.isdigit() for c in text))


def safe_cell(value):
    """``value`` unchanged unless it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and needs_quoting(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are safe to open in a spreadsheet (numeric columns untouched)."""
    out = None
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):  # check each category once, not each row
            categories = series.cat.categories
            if not any(isinstance(c, str) and needs_quoting(c) for c in categories):
                continue
            fixed = series.cat.rename_categories([safe_cell(c) for c in categories])
        else:
            first = series.astype("string[pyarrow]").str.slice(0, 1)
            suspect = first.isin(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
            if not suspect.any():
                continue
            fixed = series.copy()
            fixed[suspect] = series[suspect].map(safe_cell)
        out = frame.copy() if out is None else out
        out[column] = fixed
    return frame if out is None else out
