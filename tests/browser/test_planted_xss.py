"""No script from data (issue 11, Deliver 2): a package whose every free-text cell carries markup and script.

``tests/planted.py`` plants ``<img onerror>``, ``</script><script>``, ``"><svg onload>``, an iframe, ``{{7*7}}``, a
markdown ``javascript:`` link and ``javascript:`` addresses in every string column of every table and of the
manifest (one région of the illustrative demo, so the tour stays quick). Chromium visits every page of
``atlas.routes``, the ``/api`` page and a 404, hovers the map tooltips (atlas map, barometer map, credit points),
opens the search results, the tables, the dropdowns and the comparison, triggers the CSV and PNG exports and opens
the map's SVG export —
once with the app's Content-Security-Policy enforced, once without it (escaping, not the CSP, is the defence).
Nothing may run: no dialog, no ``window.__xss``, no element made from a payload, no link whose address is not
http(s), no CSP violation.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile

import pandas as pd
import pytest

from atlas.embeds import CHARTS
from atlas.routes import PAGES, resolve
from tests.browser.served_app import served_app
from tests.conftest import ARTIFACTS, DATA_DIR, ROOT
from tests.planted import planted_demo_package

pytestmark = pytest.mark.browser

# Every element a payload could create, and anything that could run, recorded as it appears (tooltips come and go).
WATCH = """
window.__planted = [];
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
const suspicious = el => el.nodeType === 1 && (
    el.matches('img[src="x"], svg[onload], iframe, object, embed') ||
    [...el.attributes].some(a => a.name.startsWith('on')) ||
    (el.tagName === 'SCRIPT' && /__xss|alert\\(/.test(el.textContent)));
new MutationObserver(records => {
    for (const r of records) {
        const nodes = r.type === 'attributes' ? [r.target] : [...r.addedNodes];
        for (const n of nodes) {
            if (n.nodeType !== 1) continue;
            for (const el of [n, ...n.querySelectorAll('*')]) {
                if (suspicious(el)) window.__planted.push(el.outerHTML.slice(0, 200));
            }
        }
    }
}).observe(document, {childList: true, subtree: true, attributes: true});
"""
# Links (HTML, and SVG ones Plotly draws from chart text) whose address is not http(s) or mailto.
BAD_LINKS = """() => [...document.querySelectorAll('a, area')]
    .map(a => a.getAttribute('href') ?? a.getAttribute('xlink:href'))
    .filter(href => href !== null && !/^(https?:|mailto:|\\/[^\\/]|\\/$|#|\\?)/i.test(href.trim()))"""
# The query of every embeddable chart (atlas.embeds.CHARTS) of a page, for the planted quarter ``code``.
EMBED_QUERIES = {"qpv": "quartier={code}", "comparer": "codes=qpv:{code},france:FR&indicateur=taux_pauvrete",
                 "barometre": ""}
TOOLTIPS = "() => [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.textContent).join(' | ')"
# The hover label of the first point of every chart, as the mouse would open it.
CHART_HOVER = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => (gd.data || []).length)
    .map(gd => { window.Plotly.Fx.hover(gd, [{curveNumber: 0, pointNumber: 0}]);
                 return (gd.querySelector('.hoverlayer') || {}).textContent || ''; }).join(' | ')"""


def _planted_dir():
    """The planted package, built once per version of the demo and of tests/planted.py (≈ 10 s)."""
    digest = hashlib.sha256((ROOT / "tests" / "planted.py").read_bytes() + DATA_DIR.name.encode()).hexdigest()[:12]
    target = ROOT / ".cache" / f"planted-{digest}"
    if not (target / "manifest.json").is_file():
        staging = tempfile.mkdtemp(prefix="planted-building-", dir=target.parent)
        planted_demo_package(DATA_DIR, staging)
        try:
            os.rename(staging, target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return target


@pytest.fixture(scope="module")
def planted_site():
    folder = _planted_dir()
    territories = pd.read_parquet(folder / "territories.parquet")
    env = {**os.environ, "ATLAS_DATA_DIR": str(folder), "ATLAS_BASEMAP": "aucun"}
    with served_app(env, "the planted package") as base:
        yield base, territories


class Tour:
    """One browser page on the planted site, and everything it saw."""

    def __init__(self, page, base):
        self.page, self.base = page, base
        self.visited: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.add_init_script(WATCH)

    def visit(self, path: str, ready: str):
        self.visited.append(path)
        response = self.page.goto(self.base + path, wait_until="domcontentloaded")
        self.page.wait_for_selector(ready, state="attached", timeout=30_000)
        self.page.wait_for_load_state("networkidle")
        return response

    def hover_all(self, selector: str, count: int = 4) -> str:
        """Hover the first ``count`` interactive shapes of a Leaflet map; the tooltips' text."""
        shapes = self.page.locator(selector)
        for i in range(min(count, shapes.count())):
            shapes.nth(i).dispatch_event("mouseover")
            shapes.nth(i).dispatch_event("mousemove")
        self.check(f"tooltips of {selector}")
        return self.page.evaluate(TOOLTIPS)

    def hover_charts(self) -> str:
        return self.page.evaluate(CHART_HOVER)

    def open_dropdowns(self, count: int = 6) -> None:
        boxes = self.page.locator("#page-content .dash-dropdown:visible")
        for i in range(min(count, boxes.count())):
            boxes.nth(i).click()
            self.page.wait_for_timeout(150)
            self.page.keyboard.press("Escape")

    def click_exports(self, limit: int = 3) -> int:
        """The first CSV buttons of the page, and the PNG button of the first chart's tool bar."""
        buttons = self.page.locator("#page-content button:has-text('CSV'):visible")
        clicked = min(limit, buttons.count())
        for i in range(clicked):
            buttons.nth(i).click()
        graph = self.page.locator(".js-plotly-plot").first
        if graph.count():
            graph.hover()
            png = self.page.locator(".modebar-btn[data-title*='PNG']").first
            if png.count():
                png.click()
                clicked += 1
        self.page.wait_for_timeout(400)
        self.page.wait_for_load_state("networkidle")
        return clicked

    def snapshot(self, name: str) -> None:
        """What the visitor sees (the viewport: a full-page capture re-lays out every chart, ≈ 10 s here)."""
        folder = ARTIFACTS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{name}.png"))

    def check(self, where: str) -> None:
        assert self.dialogs == [], f"{where}: a dialog opened: {self.dialogs}"
        assert self.page.evaluate("() => window.__xss") is None, f"{where}: a payload ran"
        assert self.page.evaluate("() => window.__planted") == [], where
        assert self.page.evaluate("() => document.querySelectorAll('img[src=\"x\"], svg[onload]').length") == 0
        assert self.page.evaluate(BAD_LINKS) == [], f"{where}: links to non-http(s) addresses"
        assert self.page.evaluate("() => window.__cspViolations") == [], where
        assert self.errors == [], f"{where}: {self.errors}"


@pytest.mark.parametrize("fixture", ["page", "csp_page"])
def test_planted_markup_never_runs_anywhere(planted_site, fixture, request):
    """Without the CSP: the whole tour. Under the CSP: the same pages, tooltips and searches (what renders
    data), without the dropdowns and exports, which render nothing the first tour did not."""
    base, territories = planted_site
    tour = Tour(request.getfixturevalue(fixture), base)
    page, full = tour.page, fixture == "page"
    qpv = territories[territories["level"] == "qpv"].iloc[0]
    commune = territories.loc[(territories["level"] == "commune"), "code"].iloc[0]
    label = "sans-csp" if full else "csp"

    def interact(exports: int = 1) -> None:
        if full:
            tour.open_dropdowns()
            assert tour.click_exports() >= exports

    # The map: polygon tooltips, search results, the table, the dropdowns, the CSV export.
    tour.visit("/", ".leaflet-choropleth-pane path")
    assert "<img src=x" in tour.hover_all(".leaflet-choropleth-pane path")
    word = qpv["name"].split()[0]
    page.fill("#map-search", word)
    page.wait_for_selector("#map-search-results .search-hit")
    assert "<img src=x" in page.inner_text("#map-search-results")
    page.click("#map-table-toggle")
    page.wait_for_selector("#map-table td a")
    assert "<img src=x" in page.inner_text("#map-table")
    interact()
    assert "{{7*7}}" in page.inner_text("body")  # shown as typed: no template engine evaluated it
    tour.check("/")
    page.wait_for_function("() => (document.querySelector('#map-export-svg') || {}).href", timeout=30_000)
    svg_export = page.get_attribute("#map-export-svg", "href")  # the canonical address of this map

    # A quarter's profile: its map, its charts' hover labels.
    tour.visit(f"/qpv/{qpv['code']}", "#profile-evolution-graph .main-svg")
    assert "<img src=x" in page.inner_text("#profile-title")
    tour.hover_all("#profile-map .leaflet-interactive")
    assert "<img src=x" in tour.hover_charts()
    interact(2)
    tour.snapshot(f"planted-profile-{label}")
    tour.check("/qpv")

    # The barometer: its map's tooltips, the commitments table, its charts.
    tour.visit("/barometre", "#baro-commitments-table td")
    page.wait_for_selector("#baro-map path.leaflet-interactive", state="attached")
    assert "<img src=x" in tour.hover_all("#baro-map path.leaflet-interactive")
    assert "<img src=x" in page.inner_text("#baro-commitments-table")
    page.click("#baro-territory")  # the territory search: options built from the names typed for
    page.keyboard.type(word)
    page.locator(".dash-dropdown-option", has_text="<img src=x").first.wait_for()
    page.keyboard.press("Escape")
    tour.hover_charts()
    interact(2)
    tour.snapshot(f"planted-barometre-{label}")
    tour.check("/barometre")

    # Credits: the points' tooltips, the lines table, the charts.
    tour.visit("/credits", "#cred-lines-table td")
    page.wait_for_selector("#cred-map path.leaflet-interactive", state="attached")
    for _ in range(4):  # zoom into a cluster until single located lines (carrier names) show
        clusters = page.locator("#cred-map .credit-cluster")
        if not clusters.count():
            break
        clusters.first.click()
        page.wait_for_timeout(700)
    tips = tour.hover_all("#cred-map path.leaflet-interactive", 40)
    assert "<img src=x" in tips and " — " in tips  # territory totals and at least one carrier
    assert "<img src=x" in page.inner_text("#cred-lines-table")
    page.fill("#cred-carrier", "img src")  # the carrier search filters the lines by planted names
    page.press("#cred-carrier", "Enter")
    page.wait_for_function("() => location.search.includes('porteur=')", timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert "<img src=x" in page.inner_text("#cred-lines-table")
    tour.hover_charts()
    interact(2)
    tour.snapshot(f"planted-credits-{label}")
    tour.check("/credits")

    # The comparison, with its search results.
    tour.visit(f"/comparer?codes=qpv:{qpv['code']},commune:{commune},france:FR", "#page-content h1")
    page.fill("#compare-search", word)
    page.wait_for_selector("#compare-search-results li")
    assert "<img src=x" in page.inner_text("#compare-search-results")
    tour.hover_charts()
    interact(0)
    tour.check("/comparer")

    # Pages of text: data catalogue, about, the API's page, every embed, a 404.
    charts = [f"/embed/graphique/{p}/{c}?" + EMBED_QUERIES[p].format(code=qpv["code"]) for p, c in CHARTS]
    for path, ready in (("/donnees", "#data-catalogue"), ("/a-propos", "#page-content h1"),
                        (f"/embed/qpv/{qpv['code']}", "#page-content"), ("/embed/carte", ".leaflet-container"),
                        *((chart, ".js-plotly-plot") for chart in charts),
                        ("/api", "body"), ("/nulle-part", "#page-content h1")):
        tour.visit(path, ready)
        tour.hover_charts()
        tour.check(path)
    # The map exported as SVG is a download; opened as a document (as a visitor opens the file, without the
    # site's CSP), its names are escaped text too.
    exported = page.request.get(base + svg_export)
    assert exported.ok and exported.headers["content-type"].startswith("image/svg+xml")
    page.route("**/planted-export.svg", lambda route: route.fulfill(body=exported.body(),
                                                                    content_type="image/svg+xml"))
    tour.visit("/planted-export.svg", "svg")
    assert "<img src=x" in page.evaluate("() => document.documentElement.textContent")
    tour.check("the map's SVG export")
    tour.visit("/a-propos", "#page-content h1")
    # Sources from the manifest: only the https address became a link; the others are plain titles.
    assert "<img src=x" in page.inner_text("footer")
    assert page.locator("footer a[href*='evil.example'], footer a[href*='script']").count() == 0
    assert page.locator("footer a[href='https://www.insee.fr/fr/information/6439600']").count() >= 1
    shown = {resolve(path.split("?")[0], lambda code: code == qpv["code"]).page for path in tour.visited}
    assert {p.name for p in PAGES} <= shown  # every page of atlas.routes was toured
