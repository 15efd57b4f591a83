"""The Content-Security-Policy blocks nothing the atlas needs: every page renders with zero CSP violation."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


@pytest.mark.parametrize("path, ready", [
    ("/", ".leaflet-container"),
    ("/qpv/{qpv}", ".js-plotly-plot"),
    ("/barometre", "#page-content h1"),
    ("/credits", "#page-content h1"),
    ("/comparer", "#page-content h1"),
    ("/donnees", "#data-catalogue"),
    ("/a-propos", "#page-content h1"),
])
def test_pages_render_under_the_csp(csp_page, live_server, service, path, ready):
    page = csp_page
    path = path.format(qpv=service.codes("qpv")[0])
    console = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(LISTEN)
    response = page.goto(live_server + path, wait_until="networkidle")
    assert "script-src" in response.headers["content-security-policy"]
    page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    name = "csp" + (path.replace("/", "-") if path != "/" else "-carte")
    screenshot(page, name[:60])
    assert violations == [] and console == [], violations + console
    assert errors == []
