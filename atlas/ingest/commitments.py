"""Commitment steps: a ministry's baseline and target on an indicator, for a territory."""

from __future__ import annotations

import pandas as pd

from atlas import schema
from atlas.ingest.config import Config, IngestError
from atlas.ingest.fields import source_columns
from atlas.ingest.indicators import Catalogue
from atlas.ingest.report import BuildReport
from atlas.ingest.rows import duplicates_in_step, map_fields, read_step, reject_unknown_territories, require
from atlas.package import Problem


def commitment_step(config: Config, step: dict, index: int, report: BuildReport, catalogue: Catalogue,
                    known: set) -> pd.DataFrame:
    rows, summary = read_step(config, "commitments", step, index, report)
    mapped = map_fields(rows, step, config.table("commitments"))
    for name in ("id", "indicator", "scope_level", "scope_code"):
        if name not in mapped:
            raise IngestError(Problem(config.name, f"{rows.name}: fields.{name} is required"))
    indicator_source = source_columns(step["fields"]["indicator"])
    unknown = mapped["indicator"].notna() & ~mapped["indicator"].isin(catalogue.ids)
    rows.reject(unknown, "unknown_indicator", "indicator '{value}' is not in the catalogue",
                indicator_source[0] if indicator_source else "indicator", value=mapped["indicator"])
    if "ministry" not in mapped:
        # A commitment belongs to the ministry carrying its indicator in the catalogue.
        mapped["ministry"] = catalogue.ministry_of(mapped["indicator"])
        no_ministry = mapped["ministry"].isna() & ~rows.rejected
        rows.reject(no_ministry, "no_ministry", "indicator '{value}' is carried by none of the seven ministries",
                    "indicator", value=mapped["indicator"])
    reject_unknown_territories(rows, mapped, known, "scope_level", "scope_code",
                                source_columns(step["fields"]["scope_code"]))
    require(rows, mapped, [c.name for c in schema.COMMITMENTS.columns if c.required])
    mapped = duplicates_in_step(rows, mapped, ["id"], step.get("duplicates", "reject"))
    kept = mapped.loc[~rows.rejected]
    summary.rows_kept = len(kept)
    return kept
