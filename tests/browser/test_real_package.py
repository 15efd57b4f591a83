"""The app serves a package built from the real open data (../shared/data/real): every page works."""

from __future__ import annotations

import os
import urllib.request

import pytest

from tests.browser.served_app import served_app
from tests.conftest import ROOT, require_real_data, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.realdata]


@pytest.fixture(scope="module")
def real_package(tmp_path_factory):
    from atlas.ingest.config import load_config
    from atlas.ingest.pipeline import build

    real = require_real_data()
    out = tmp_path_factory.mktemp("real-app") / "package"
    package, _report = build(load_config(ROOT / "configs" / "real-occitanie.toml", real), out, progress=False)
    return package, out


@pytest.fixture(scope="module")
def real_server(real_package):
    _package, folder = real_package
    env = {**os.environ, "ATLAS_DATA_DIR": str(folder), "ATLAS_BASEMAP": "aucun"}
    with served_app(env, "the real package") as base:
        yield base


def occitanie_qpv(package) -> str:
    terr = package.territories
    toulouse = terr[(terr["level"] == "qpv") & (terr["commune_code"] == "31555")]
    return sorted(toulouse["code"])[0]


def test_every_page_answers_on_real_data(real_package, real_server):
    package, _ = real_package
    for path in ["/", "/barometre", "/credits", "/comparer", "/donnees", "/a-propos",
                 f"/qpv/{occitanie_qpv(package)}"]:
        with urllib.request.urlopen(real_server + path, timeout=30) as response:
            assert response.status == 200, path


def test_real_pages_render_in_chromium(page, real_package, real_server):
    package, _ = real_package
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(real_server + "/?vue=43.60,1.44,12", wait_until="networkidle")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-choropleth-pane path').length >= 10",
                           timeout=30_000)
    fills = page.evaluate("() => Array.from(document.querySelectorAll('.leaflet-choropleth-pane path'))"
                          ".map(p => p.getAttribute('fill'))")
    assert len(set(fills) - {"#ffffff", "#bdbdbd"}) >= 3  # the default indicator has values for these quarters
    assert page.locator("#illustrative-banner").count() == 0  # real data: no illustrative banner
    assert "QPV 2015" in page.inner_text("footer")
    screenshot(page, "real-occitanie-map")

    page.goto(real_server + f"/qpv/{occitanie_qpv(package)}", wait_until="networkidle")
    page.wait_for_selector("h1")
    main = page.inner_text("main")
    assert "Toulouse" in main
    # Key figures come from the real catalogue (its own indicator ids), set against commune and France.
    assert "Taux de pauvreté" in main and "dans le quartier" in main
    assert page.locator(".overview-list li").count() >= 3
    screenshot(page, "real-occitanie-profile")

    page.goto(real_server + "/barometre", wait_until="networkidle")
    page.wait_for_selector("h1")
    page.wait_for_timeout(1500)
    screenshot(page, "real-barometer")

    page.goto(real_server + "/credits", wait_until="networkidle")
    page.wait_for_selector("h1")
    page.wait_for_timeout(1500)
    screenshot(page, "real-credits")
    assert errors == []
