"""Tables handed to visitors as files: cells that a spreadsheet would run as a formula are neutralised.

A text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return, which some
spreadsheets skip before reading a formula) is prefixed with an apostrophe, so that Excel or
LibreOffice shows it as text instead of evaluating it (CSV injection). Numbers are left untouched.
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``"=HYPERLINK(…)"`` → ``"'=HYPERLINK(…)"``; anything that is not such a text is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_for_spreadsheets(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a formula (numeric columns unchanged)."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        text = series.astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            series = series.astype(object)
            series[risky] = "'" + text[risky].astype(object)
            out[column] = series
    return out
