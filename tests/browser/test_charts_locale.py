"""Charts speak French and never offer to upload a figure to Plotly Cloud."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Apr|May|Jun|Jul|Aug|Sep|Oct|Dec)\b")


def test_chart_toolbar_is_french_without_cloud_upload(csp_page, live_server, service):
    page = csp_page
    code = sorted(service.codes("qpv"))[0]
    page.goto(f"{live_server}/qpv/{code}", wait_until="networkidle")
    page.wait_for_selector("#profile-evolution-graph .main-svg")
    titles = page.eval_on_selector_all(".modebar-btn", "nodes => nodes.map(n => n.getAttribute('data-title'))")
    assert titles, "the chart has no toolbar"
    assert "Télécharger le graphique en PNG" in titles
    assert not [t for t in titles if t and ("Share" in t or "Cloud" in t)]
    assert page.locator("[data-val='sendChartToCloud'], .plotly-cloud-dialog-box").count() == 0


def test_time_axes_use_french_month_names(csp_page, live_server, service):
    page = csp_page
    """A monthly series drawn with the atlas's chart config reads « janv. 2022 », never « Jan 2022 »."""
    code = sorted(service.codes("qpv"))[0]
    page.goto(f"{live_server}/qpv/{code}", wait_until="networkidle")
    page.wait_for_selector("#profile-evolution-graph .main-svg")
    ticks = page.evaluate("""async () => {
        const div = document.createElement('div');
        div.style.width = '700px';
        document.body.appendChild(div);
        const x = ['2022-01-31', '2022-03-31', '2022-05-31', '2022-07-31', '2022-09-30', '2022-11-30'];
        await Plotly.newPlot(div, [{x: x, y: [1200.5, 3, 2, 4, 5, 6]}], {}, {locale: 'fr'});
        return Array.from(div.querySelectorAll('.xtick text, .ytick text')).map(n => n.textContent);
    }""")
    assert any(re.search(r"(janv|mars|mai|juil|sept|nov)", t) for t in ticks), ticks
    assert not [t for t in ticks if ENGLISH_MONTHS.search(t)], ticks
