"""Thirty random real profiles (fixed seed) in Chromium: never « None », « nan », « non disponible ( »,
an empty legend or an empty chart.

The package is the embedded ``data/`` once it is the real national package (served with ATLAS_DATA_DIR
unset, as ``make run`` does), or the one ATLAS_REAL_PACKAGE names (e.g. a freshly built national package);
the test is skipped while the embedded package is the illustrative demo and nothing else is named.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest

from tests.browser.served_app import served_app
from tests.conftest import EMBEDDED_DATA_DIR, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

PROFILES = 30
SEED = 20261201
FORBIDDEN = (re.compile(r"\bNone\b"), re.compile(r"\bnan\b", re.IGNORECASE), re.compile(r"non disponible \("))
# Every Plotly chart of the page: has it a trace with a value, and does its legend (if any) name something?
# Hidden charts (a section that shows a sentence instead, when the package has no data for it) are not seen.
CHARTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(el => el.checkVisibility())
  .map(el => ({
    id: (el.closest('[id]') || {}).id || '',
    values: (el._fullData || el.data || []).some(t => ['y', 'z', 'values'].some(k => {
        const v = t[k];
        const list = Array.isArray(v) ? v : (v && ArrayBuffer.isView(v) ? Array.from(v) : []);
        return list.some(x => x !== null && x !== undefined && !(typeof x === 'number' && isNaN(x)));
    })),
    legend: el.querySelector('.legend') ? Array.from(el.querySelectorAll('.legend .legendtext'))
        .map(n => n.textContent.trim()).filter(Boolean).length : null,
}))"""


def page_problems(page, name: str) -> list[str]:
    """What a visitor must never see on the page: forbidden words, a visible chart without value or legend."""
    text = page.inner_text("main")
    problems = [f"{name}: « {pattern.pattern} » in « {text[max(0, m.start() - 80):m.end() + 20]} »"
                for pattern in FORBIDDEN for m in pattern.finditer(text)]
    for chart in page.evaluate(CHARTS_JS):
        if not chart["values"]:
            problems.append(f"{name}: empty chart {chart['id']}")
        if chart["legend"] == 0:
            problems.append(f"{name}: empty legend in {chart['id']}")
    return problems


def real_package_dir() -> Path:
    named = os.environ.get("ATLAS_REAL_PACKAGE")
    if named:
        return Path(named)
    manifest = json.loads((EMBEDDED_DATA_DIR / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("illustrative", True):
        pytest.skip("the embedded package is still illustrative; set ATLAS_REAL_PACKAGE to a real package folder")
    return EMBEDDED_DATA_DIR


@pytest.fixture(scope="module")
def real_site(request):
    folder = real_package_dir()
    if folder.resolve() == EMBEDDED_DATA_DIR.resolve():
        yield request.getfixturevalue("embedded_server"), folder  # one national server for the whole session
        return
    env = {**os.environ, "ATLAS_DATA_DIR": str(folder), "ATLAS_BASEMAP": "aucun"}
    with served_app(env, str(folder)) as base:
        yield base, folder


def sample_codes(folder: Path) -> list[str]:
    import pandas as pd

    territories = pd.read_parquet(folder / "territories.parquet", columns=["level", "code"])
    codes = sorted(territories.loc[territories["level"] == "qpv", "code"])
    return random.Random(SEED).sample(codes, min(PROFILES, len(codes)))


def test_thirty_random_real_profiles(page, real_site):
    base, folder = real_site
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    problems: list[str] = []
    shots: dict[str, int] = {}
    for code in sample_codes(folder):
        page.goto(f"{base}/qpv/{code}", wait_until="networkidle")
        page.wait_for_selector("#profile-title", timeout=30_000)
        if page.locator("#profile-evolution-graph").count():
            page.wait_for_selector("#profile-evolution-graph .main-svg", timeout=30_000)
        text = page.inner_text("main")
        problems += page_problems(page, code)
        for legend in page.locator(".leaflet-control .legend, .map-legend").all():
            if not legend.inner_text().strip():
                problems.append(f"{code}: empty map legend")
        assert "Chiffres clés" in text and "Sources et définitions" in text, code
        if code.startswith("QN"):  # the 2024 geography: its communes and the caveat, never a blank page
            assert "géographie" in text, code
        kind = code[:2]  # a few of each geography: QP (2015) and QN (2024)
        if shots.get(kind, 0) < (4 if kind == "QP" else 2):
            screenshot(page, f"real-profile-{code}")
            shots[kind] = shots.get(kind, 0) + 1
    assert problems == [], "\n".join(problems[:30])
    assert errors == []
