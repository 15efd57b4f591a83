"""The build: from a sources configuration to a validated data package.

Steps run in a fixed order whatever their order in the file: territories
(then parents are joined and checked), indicators, observations, commitments,
credits — one module per kind of step (``territories``, ``indicators``,
``observations``, ``commitments``, ``credits``), sharing ``rows``. Each step
maps input columns onto a package table, and every row it cannot take is
rejected with a reason in the build report, never dropped silently. The
package is written through ``publish_atomically``, so a failed build leaves
the previous package untouched.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from atlas import levels as territory_levels
from atlas import schema, themes
from atlas.ingest.commitments import commitment_step
from atlas.ingest.config import Config, IngestError
from atlas.ingest.credits import credit_step
from atlas.ingest.frames import FILE_COLUMN, ROW_COLUMN
from atlas.ingest.indicators import build_indicators
from atlas.ingest.observations import observation_step
from atlas.ingest.report import REPORT_JSON, BuildReport
from atlas.ingest.rows import concat_steps, drop_duplicates, step_name, territory_keys
from atlas.ingest.territories import HIERARCHY, build_territories
from atlas.package import DataPackage, Problem, publish_atomically, write_package
from atlas.validation import territories_named_by_code

FAILED_REPORT_SUFFIX = ".failed-build-report"


# ------------------------------------------------------------------ entry point


def build(config: Config, out_dir: Path | str, *, progress: bool = True) -> tuple[DataPackage, BuildReport]:
    """Build the package described by ``config`` into ``out_dir``, atomically, with its build report."""
    out_dir = Path(out_dir).resolve()
    report = BuildReport(config.name)
    failed_stem = out_dir.name + FAILED_REPORT_SUFFIX

    def build_into(staging: Path) -> None:
        package = assemble(config, report, progress=progress)
        write_package(package, staging)
        report.counts = _counts(package)
        report.finish("ok")
        report.write(staging)

    try:
        package = publish_atomically(build_into, out_dir)
    except BaseException as exc:
        report.finish("failed", str(exc) or type(exc).__name__)
        report.write(out_dir.parent, stem=failed_stem)
        raise
    for suffix in (".json", ".md"):  # a stale failure report would contradict the package now in place
        (out_dir.parent / (failed_stem + suffix)).unlink(missing_ok=True)
    return package, report


def failed_report_path(out_dir: Path | str) -> Path:
    out_dir = Path(out_dir).resolve()
    return out_dir.parent / (out_dir.name + FAILED_REPORT_SUFFIX + ".json")


def assemble(config: Config, report: BuildReport, *, progress: bool = True) -> DataPackage:
    """Run every step of the configuration and return the package (not yet written)."""
    sections = ("territories", "indicators", "observations", "commitments", "credits")
    bar = tqdm(total=sum(len(config.steps(s)) for s in sections), desc="build", unit="step", disable=not progress,
               leave=False)

    current = {"step": "configuration"}

    def each_step(section: str):
        for index, step in enumerate(config.steps(section)):
            current["step"] = f"{section} step '{step_name(section, step, index)}'"
            bar.set_postfix_str(current["step"])
            yield index, step
            bar.update()

    try:
        territories, geometry = build_territories(config, report, each_step("territories"))
        catalogue = build_indicators(config, report, each_step("indicators"))
        known = set(territory_keys(territories["level"], territories["code"]))
        observations = [observation_step(config, step, i, report, catalogue, known)
                        for i, step in each_step("observations")]
        commitments = [commitment_step(config, step, i, report, catalogue, known)
                       for i, step in each_step("commitments")]
        credits = [credit_step(config, step, i, report, known) for i, step in each_step("credits")]
    except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
        # A mistake no check foresaw must still name where it happened, not end in a bare traceback.
        raise IngestError(Problem(config.name, f"{current['step']}: {type(exc).__name__}: {exc} — check this "
                                               "step's keys and fields (docs/ingestion.md)")) from exc
    finally:
        bar.close()
    # Keys must also be unique across the steps of a section.
    observations = drop_duplicates(concat_steps(observations, schema.OBSERVATIONS), report, "observations",
                                    list(schema.OBSERVATIONS.key))
    commitments = drop_duplicates(concat_steps(commitments, schema.COMMITMENTS), report, "commitments", ["id"])
    credits = drop_duplicates(concat_steps(credits, schema.CREDITS), report, "credits", ["id"])
    return DataPackage(
        manifest=_manifest(config, report),
        territories=territories,
        indicators=catalogue.frame,
        observations=observations.drop(columns=[FILE_COLUMN, ROW_COLUMN]),
        commitments=commitments.drop(columns=[FILE_COLUMN, ROW_COLUMN]),
        credits=credits.drop(columns=[FILE_COLUMN, ROW_COLUMN]),
        geometry=geometry,
    )


def _counts(package: DataPackage) -> dict:
    return {
        "territories": {lvl: int(n) for lvl, n in package.territories["level"].value_counts().sort_index().items()},
        "indicators": len(package.indicators),
        "observations": len(package.observations),
        "commitments": len(package.commitments),
        "credits": len(package.credits),
        "geometry": {lvl: len(frame) for lvl, frame in sorted(package.geometry.items())},
        "links": _links(package.territories),
        # Territories still named by their code (the configuration should find their names): level -> count.
        "named_by_code": {lvl: int(n) for lvl, n in
                          territories_named_by_code(package.territories)["level"].value_counts().sort_index().items()},
    }


def _links(territories: pd.DataFrame) -> dict:
    """Per level and geography vintage, how many territories have each parent (e.g. QPV linked to a contract)."""
    out: dict = {}
    parents = [c for c in (*HIERARCHY, "commune_codes") if c in territories.columns]
    parents += [c for c in territories.columns if c.endswith("_code") and c not in parents]  # declared levels
    for (level, vintage), group in territories.groupby(["level", "vintage"], sort=True):
        linked = {column: int(group[column].notna().sum()) for column in parents}
        if not any(linked.values()):
            continue
        out.setdefault(level, {})[vintage] = {
            "territories": len(group),
            **{column: {"linked": n, "share": round(n / len(group), 4)} for column, n in linked.items()},
        }
    return out


def _manifest(config: Config, report: BuildReport) -> dict:
    data = config.data
    manifest = {
        "title": data["title"],
        "description": data.get("description", ""),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "illustrative": bool(data.get("illustrative", False)),
        "sources": data.get("sources", []),
        "geography": data.get("geography", {}),
        "build": {
            "config": config.name,
            # Digest of the configuration as resolved (included files merged), to tell which one built the package.
            "config_sha256": hashlib.sha256(json.dumps(config.data, sort_keys=True).encode()).hexdigest(),
            "report": REPORT_JSON,
            **report.tally(),
        },
    }
    if config.declared_levels:  # only then: a package without declared levels keeps the manifest it always had
        manifest[territory_levels.MANIFEST_KEY] = [level.to_manifest() for level in config.declared_levels]
    if config.data.get("themes"):
        manifest[themes.MANIFEST_KEY] = [{"id": t["id"], "label": t["label"].strip()} for t in config.data["themes"]]
    manifest.update(data.get("manifest", {}))
    return manifest
