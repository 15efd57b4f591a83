"""Credit steps: public credit lines located on a territory, with fallbacks for missing or unknown codes."""

from __future__ import annotations

import pandas as pd

from atlas import schema
from atlas.ingest.config import Config, IngestError
from atlas.ingest.fields import evaluate, source_columns
from atlas.ingest.report import BuildReport
from atlas.ingest.rows import (
    duplicates_in_step,
    is_known,
    map_fields,
    read_step,
    reject_unknown_territories,
    require,
)
from atlas.package import Problem


def credit_step(config: Config, step: dict, index: int, report: BuildReport, known: set) -> pd.DataFrame:
    rows, summary = read_step(config, "credits", step, index, report)
    mapped = map_fields(rows, step, config.table("credits"))
    for name in ("id", "level", "code"):
        if name not in mapped:
            raise IngestError(Problem(config.name, f"{rows.name}: fields.{name} is required"))
    code_sources = source_columns(step["fields"]["code"])
    code_column = code_sources[0] if code_sources else "code"
    located = is_known(mapped, known)
    for fallback in step.get("fallback", []):
        if "level" not in fallback or "code" not in fallback:
            raise IngestError(Problem(config.name, f"{rows.name}: each fallback needs 'level' and 'code'"))
        codes, _ = evaluate(rows.frame, fallback["code"])
        candidate = mapped.assign(level=fallback["level"], code=codes)
        usable = ~located & is_known(candidate, known) & ~rows.rejected
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
    reject_unknown_territories(rows, mapped, known, "level", "code", code_sources)
    require(rows, mapped, [c.name for c in schema.CREDITS.columns if c.required])
    mapped = duplicates_in_step(rows, mapped, ["id"], step.get("duplicates", "reject"))
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    return kept
