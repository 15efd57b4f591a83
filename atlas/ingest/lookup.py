"""Name → code lookups against the territories the package already holds.

Publishers often link a quarter to its communes by *name* (``COMMUNE_QP = "Drancy, Bobigny"``). A lookup
turns such a column into codes: each name is normalised (accents, case, ligatures, hyphens, apostrophes,
a leading article), then searched among the territories of one level, within a parent (the communes of
the QPV's département), e.g.::

    lookup = [{ column = "COMMUNE_QP", split = ",", level = "commune", parent = "departement_code",
                within = { column = "CODE_QP", extract = "..." }, into = "communes_trouvees" }]

``into`` becomes an input column holding the matched codes joined with ``|`` (in the order of the names,
without repeats), usable in ``fields``. A name found nowhere, or twice in the parent, is reported against
its row (``unmatched_name``, ``ambiguous_name``) and left out; ``aliases`` maps a name to a code explicitly
(a commune merged into a new one since the publication), ``replace`` rewrites names before the search.
"""

from __future__ import annotations

import re

import pandas as pd

from atlas.ingest.config import IngestError
from atlas.ingest.fields import evaluate
from atlas.ingest.frames import FILE_COLUMN, ROW_COLUMN
from atlas.ingest.names import normalise_name
from atlas.ingest.report import REPAIRED
from atlas.package import Problem

JOINED = "|"


def apply_lookup(rows, rule: dict, territories: pd.DataFrame, config_name: str) -> None:
    """Add the ``into`` column of codes to ``rows.frame``, reporting every name not found."""
    frame = rows.frame
    level, parent = rule["level"], rule.get("parent")
    pool = territories.loc[territories["level"] == level]
    if pool.empty:
        raise IngestError(Problem(config_name, f"{rows.name}: lookup against level '{level}', which has no "
                                               "territory yet (territory steps run in file order)"))
    by = rule.get("by", "name")
    keys = pool[parent].fillna("") if parent else pd.Series("", index=pool.index)
    index: dict[tuple[str, str], list[str]] = {}
    for key, name, code in zip(keys, pool[by].astype(str).map(normalise_name), pool["code"], strict=True):
        index.setdefault((key, name), []).append(code)
    aliases = {normalise_name(str(k)): str(v) for k, v in rule.get("aliases", {}).items()}
    names, _ = evaluate(frame, rule["column"])
    within = evaluate(frame, rule["within"])[0] if "within" in rule else pd.Series("", index=frame.index)
    split = rule.get("split")
    column = rule["column"] if isinstance(rule["column"], str) else rule["column"].get("column", rule["into"])
    found, unmatched, ambiguous = [], [], []
    for i, (value, key) in enumerate(zip(names, within, strict=True)):
        codes: list[str] = []
        for name in _names(value, split, rule.get("replace", [])):
            normal = normalise_name(name)
            if not normal:
                continue
            matches = [aliases[normal]] if normal in aliases else index.get((key or "", normal), [])
            if len(matches) == 1:
                if matches[0] not in codes:
                    codes.append(matches[0])
            elif matches:
                ambiguous.append((i, name, key, matches))
            else:
                unmatched.append((i, name, key))
        found.append(JOINED.join(codes) if codes else None)
    frame[rule["into"]] = pd.Series(found, index=frame.index, dtype=object)
    where = f" within {parent} '{{key}}'" if parent else ""
    _report(rows, unmatched, "unmatched_name", f"{level} name '{{name}}' not found{where}; left out of "
            f"{rule['into']}", column)
    _report(rows, [(i, n, k) for i, n, k, _ in ambiguous], "ambiguous_name",
            f"{level} name '{{name}}' matches several territories{where}; left out of {rule['into']}", column)


def _names(value, split: str | None, replace: list) -> list[str]:
    if not isinstance(value, str):
        return []
    names = value.split(split) if split else [value]
    out = []
    for name in names:
        for pattern, replacement in replace:
            name = re.sub(pattern, replacement, name)
        out.append(name.strip())
    return out


def _report(rows, cases: list[tuple], kind: str, message: str, column: str) -> None:
    """One issue per name (a row may hold several), against the input row it came from; the row is kept."""
    files, numbers = rows.frame[FILE_COLUMN].to_numpy(), rows.frame[ROW_COLUMN].to_numpy()
    for position, name, key in cases:
        rows.report.add(rows.name, REPAIRED, kind, message.format(name=name, key=key), file=str(files[position]),
                        row=int(numbers[position]), column=column)
