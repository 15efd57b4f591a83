"""Long to wide: one row per key, with a column per class of another column (a baseline and a target).

Publishers of long files put the baseline and the target of a measure on different rows::

    territoire;indicateur;type;valeur;date
    D31;taux-emploi;reference;61,2;2021-06-30
    D31;taux-emploi;cible;65;2024-12-31

``pivot = { key = ["territoire", "indicateur"], column = "type", value = ["valeur", "date"],
columns = { reference = "baseline", cible = "target" } }`` makes one row per (territoire, indicateur) with
``baseline_valeur``, ``baseline_date``, ``target_valeur`` and ``target_date``, whatever the order of the rows.
The other columns keep the value of the key's first row, and so does the row number in reports. A row whose
class is not listed, or repeating a (key, class) pair, is reported and left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from atlas.ingest.config import IngestError
from atlas.ingest.frames import FILE_COLUMN, ROW_COLUMN, file_of
from atlas.package import Problem


@dataclass(frozen=True)
class PivotIssue:
    """An input row the pivot leaves out, reported by the step once it has its rows (``rows.read_step``)."""

    kind: str
    message: str
    file: str
    row: int
    column: str


def pivot(frame: pd.DataFrame, rule: dict) -> tuple[pd.DataFrame, list[PivotIssue]]:
    key, column = _as_list(rule["key"]), rule["column"]
    values = _as_list(rule["value"])
    classes = rule["columns"] if isinstance(rule["columns"], dict) else {c: c for c in rule["columns"]}
    for name in (*key, column, *values):
        if name not in frame.columns:
            raise IngestError(Problem(file_of(frame), "column named in 'pivot' not found", column=name))
    attrs = dict(frame.attrs)
    kind = frame[column].astype("string").str.strip()
    listed = kind.isin(list(classes)).fillna(False).to_numpy()
    repeated = frame.assign(__class=kind).duplicated([*key, "__class"], keep="first").to_numpy() & listed
    issues = _issues(frame, ~listed, "bad_choice", "class '{}' is not one of the pivoted classes ("
                     + ", ".join(classes) + "); row left out", kind, column)
    issues += _issues(frame, repeated, "duplicate", "another row already gives class '{}' for this key; "
                      "the first one is kept", kind, column)
    rows = frame.loc[listed & ~repeated]
    kind = kind[listed & ~repeated]
    # The first row of each key carries the other columns (a label, the file and row number in reports).
    wide = rows.drop(columns=[column, *values]).drop_duplicates(key, keep="first")
    for source, prefix in classes.items():
        part = rows.loc[(kind == source).to_numpy(), [*key, *values]]
        wide = wide.merge(part.rename(columns={v: f"{prefix}_{v}" for v in values}), on=key, how="left")
    wide = wide.sort_values(ROW_COLUMN, kind="stable").reset_index(drop=True)
    wide.attrs.update(attrs)
    return wide, issues


def _issues(frame: pd.DataFrame, mask, kind: str, message: str, classes: pd.Series, column: str) -> list[PivotIssue]:
    picked = frame.loc[mask]
    return [PivotIssue(kind, message.format(value), str(file), int(row), column)
            for file, row, value in zip(picked[FILE_COLUMN], picked[ROW_COLUMN], classes[mask], strict=True)]


def _as_list(value) -> list[str]:
    return list(value) if isinstance(value, list) else [value]
