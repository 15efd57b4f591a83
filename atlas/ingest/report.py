"""The build report: every rejected or repaired input row, with file, row and reason.

A build never silently drops or alters data: each step records what it read,
kept, rejected and repaired here, and the report is written next to the
package (``build-report.json`` for machines, ``build-report.md`` for people).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPORT_JSON = "build-report.json"
REPORT_MD = "build-report.md"
EXAMPLES_PER_KIND = 5

REJECTED = "rejected"
REPAIRED = "repaired"


@dataclass(frozen=True)
class Issue:
    step: str
    action: str  # REJECTED: the row is not in the package; REPAIRED: it is, altered as described
    kind: str  # short machine-readable reason, e.g. "duplicate", "unknown_territory"
    message: str
    file: str | None = None
    row: int | None = None  # 1-based data row (header not counted), feature or array element
    column: str | None = None

    def where(self) -> str:
        parts = [self.file or "config"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


@dataclass
class StepSummary:
    step: str
    target: str
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_filtered: int = 0  # left out on purpose by the step's `query`
    rows_kept: int = 0


@dataclass
class BuildReport:
    config: str
    started: float = field(default_factory=time.time)
    steps: list[StepSummary] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    status: str = "running"
    error: str | None = None
    finished: float | None = None

    def add(self, step: str, action: str, kind: str, message: str, *, file: str | None = None,
            row: int | None = None, column: str | None = None) -> None:
        self.issues.append(Issue(step, action, kind, message, file, row, column))

    def finish(self, status: str, error: str | None = None) -> None:
        self.status = status
        self.error = error
        self.finished = time.time()

    def tally(self) -> dict[str, int]:
        by_action = Counter(issue.action for issue in self.issues)
        return {REJECTED: by_action.get(REJECTED, 0), REPAIRED: by_action.get(REPAIRED, 0)}

    def to_dict(self) -> dict:
        return {
            "config": self.config,
            "status": self.status,
            "error": self.error,
            "started_at": _iso(self.started),
            "finished_at": _iso(self.finished) if self.finished else None,
            "duration_s": round((self.finished or time.time()) - self.started, 2),
            "counts": self.counts,
            "totals": self.tally(),
            "steps": [asdict(step) for step in self.steps],
            "issues": [asdict(issue) for issue in self.issues],
        }

    def write(self, folder: Path, stem: str = "build-report") -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        json_path = folder / f"{stem}.json"
        md_path = folder / f"{stem}.md"
        json_path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        md_path.write_text(self.to_markdown(), encoding="utf-8")
        return json_path, md_path

    def to_markdown(self) -> str:
        data = self.to_dict()
        lines = [f"# Build report — {self.config}", "",
                 f"Status: **{self.status}** in {data['duration_s']} s; "
                 f"{data['totals'][REJECTED]} row(s) rejected, {data['totals'][REPAIRED]} repaired.", ""]
        if self.error:
            lines += ["## Error", "", "```", self.error, "```", ""]
        if self.counts:
            lines += ["## Package contents", ""]
            for table, count in self.counts.items():
                lines.append(f"- {table}: {count}")
            lines.append("")
        lines += ["## Steps", "", "| step | target | rows read | filtered out | kept | rejected | repaired |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
        per_step = Counter((issue.step, issue.action) for issue in self.issues)
        for step in self.steps:
            lines.append(f"| {step.step} | {step.target} | {step.rows_read} | {step.rows_filtered} | {step.rows_kept} "
                         f"| {per_step.get((step.step, REJECTED), 0)} | {per_step.get((step.step, REPAIRED), 0)} |")
        lines.append("")
        if self.issues:
            lines += ["## Rejected and repaired rows", "",
                      f"Grouped by reason, with the first {EXAMPLES_PER_KIND} rows of each; "
                      f"`{REPORT_JSON}` lists every row.", ""]
            groups: dict[tuple[str, str, str], list[Issue]] = {}
            for issue in self.issues:
                groups.setdefault((issue.step, issue.action, issue.kind), []).append(issue)
            for (step, action, kind), issues in groups.items():
                lines.append(f"### {step}: {len(issues)} {action} — {kind}")
                lines.append("")
                for issue in issues[:EXAMPLES_PER_KIND]:
                    lines.append(f"- {_one_line(issue.where())}: {_one_line(issue.message)}")
                if len(issues) > EXAMPLES_PER_KIND:
                    lines.append(f"- … and {len(issues) - EXAMPLES_PER_KIND} more")
                lines.append("")
        return "\n".join(lines)


def _one_line(text: str) -> str:
    """Raw CR/LF from the data (a code read as 'CV368\\r\\nCV368') would break the Markdown list: show them escaped."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
