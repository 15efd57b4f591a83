"""Bookkeeping columns every input frame carries, so a problem found later names its file and row.

Kept apart from the readers and the field evaluation so both can use them without importing each other.
"""

from __future__ import annotations

import pandas as pd

FILE_COLUMN = "_file"
ROW_COLUMN = "_row"


def file_of(frame: pd.DataFrame) -> str:
    """The input file a frame was read from (for messages), or 'input' for an empty frame."""
    return str(frame[FILE_COLUMN].iloc[0]) if len(frame) and FILE_COLUMN in frame else "input"
