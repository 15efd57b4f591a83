"""One visit per page and viewport: axe-core's violations and the document's scroll width.

Used by the accessibility tests on both packages (the demo of the test suite and the embedded national one).
The visits are memoised so that the axe test and the phone-width test share them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import ARTIFACTS, screenshot

VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = ("critical", "serious")
AXE = Axe()
HEADINGS = """() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]'))
  .filter(h => h.getClientRects().length > 0 || h.closest('details'))
  .map(h => [Number(h.getAttribute('aria-level') || h.tagName.slice(1)), h.textContent.trim()])"""


@dataclass
class Visit:
    path: str
    violations: list = field(default_factory=list)  # [{id, impact, targets}]
    scroll_width: int = 0
    headings: list = field(default_factory=list)  # [[level, text]] in document order, visible ones

    def heading_problems(self) -> list[str]:
        """RGAA-minded outline: exactly one h1, and no level skipped on the way down."""
        problems = []
        h1 = [text for level, text in self.headings if level == 1]
        if len(h1) != 1:
            problems.append(f"{len(h1)} h1 ({h1})")
        previous = 0
        for level, text in self.headings:
            if level > previous + 1:
                problems.append(f"h{previous} → h{level} « {text[:60]} »")
            previous = level
        return problems

    def blocking(self) -> list:
        return [v for v in self.violations if v["impact"] in BLOCKING]


def page_paths(data_dir: Path) -> dict[str, str]:
    """Every kind of page, with quarters of the package for the profile and the comparison."""
    territories = pd.read_parquet(data_dir / "territories.parquet", columns=["code", "level"])
    qpv = sorted(territories.loc[territories["level"] == "qpv", "code"])
    step = max(1, len(qpv) // 3)
    return {
        "carte": "/",
        "profil": f"/qpv/{qpv[0]}",
        "comparer": "/comparer?codes=" + ",".join(qpv[::step][:3]),
        "barometre": "/barometre",
        "credits": "/credits",
        "donnees": "/donnees",
        "a-propos": "/a-propos",
        "api": "/api",
        "404": "/page-inexistante",
    }


def wait_until_rendered(page) -> None:
    """Dash has rendered the page and answered its callbacks (nothing left loading)."""
    page.wait_for_load_state("networkidle", timeout=90_000)  # a cold barometer on the national package is slow
    if page.locator("#page-content").count():
        page.wait_for_function("() => document.querySelector('#page-content').children.length > 0",
                               timeout=90_000)
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')",
                               timeout=90_000)
    page.wait_for_timeout(300)


def visit(browser, base: str, path: str, viewport: str, shot: str | None = None) -> Visit:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(base + path, wait_until="domcontentloaded", timeout=60_000)
        wait_until_rendered(page)
        result = Visit(path)
        result.scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        result.headings = page.evaluate(HEADINGS)
        axe = AXE.run(page, options={"resultTypes": ["violations"]})
        result.violations = [
            {"id": v["id"], "impact": v["impact"],
             "targets": [" ".join(map(str, node["target"])) for node in v["nodes"]][:6]}
            for v in axe.response["violations"]
        ]
        if shot:
            screenshot(page, shot)
        return result
    finally:
        context.close()


def record(name: str, visits: dict[str, Visit]) -> None:
    """Keep the figures of a run in artifacts/ (what the report quotes)."""
    folder = ARTIFACTS / "a11y"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(
        {key: {"path": v.path, "scroll_width": v.scroll_width, "violations": v.violations, "headings": v.headings}
         for key, v in visits.items()}, ensure_ascii=False, indent=1))


def describe(visits: dict[str, Visit], only_blocking: bool = True) -> str:
    lines = []
    for key, v in visits.items():
        for violation in (v.blocking() if only_blocking else v.violations):
            lines.append(f"{key} {v.path}: {violation['id']} ({violation['impact']}) → "
                         + " | ".join(violation["targets"]))
    return "\n".join(lines)
