"""/barometre and /credits in headless Chromium: render, filter, URL state survives a reload, screenshots."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def choose(page, dropdown_id: str, text: str) -> None:
    """Open the dropdown and click the option showing ``text`` (typing then Enter raced the filtering under load
    and could pick the first option instead)."""
    page.click(f"#{dropdown_id}")
    page.locator(".dash-dropdown-option", has_text=text).first.click()


def test_barometer_filters_update_the_url_and_survive_a_reload(page, live_server):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/barometre", wait_until="networkidle")
    page.wait_for_selector("#baro-commitments-table td")
    page.wait_for_selector("#baro-map path.leaflet-interactive", state="attached")
    assert page.locator("#baro-map path.leaflet-interactive").count() > 90
    screenshot(page, "barometre")

    choose(page, "baro-ministry", "Travail")
    page.wait_for_function("() => window.location.search.includes('ministere=travail')")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#baro-commitments-table td[data-dash-column=ministere]')]"
        ".every(td => td.innerText.trim() === 'Travail')")
    search = page.evaluate("window.location.search")
    page.reload(wait_until="networkidle")
    page.wait_for_selector("#baro-commitments-table td")
    assert page.evaluate("window.location.search") == search
    assert "Travail" in page.inner_text("#baro-ministry")
    cells = page.locator("#baro-commitments-table td[data-dash-column=ministere]").all_inner_texts()
    assert cells and set(c.strip() for c in cells) == {"Travail"}
    assert errors == []


def test_barometer_monthly_series_from_the_url(page, live_server):
    page.goto(live_server + "/barometre?ministere=travail&territoire=departement:93&indicateur=taux_chomage"
              "&frequence=mensuelle", wait_until="networkidle")
    page.wait_for_selector("#baro-series-graph .main-svg")
    assert page.is_checked("#baro-frequency input[value=monthly]")
    assert "mensuelle" in page.inner_text("#baro-series-graph")
    assert "Source" in page.inner_text("#baro-series-graph")
    screenshot(page, "barometre-mensuel-93")


def test_credits_page_filters_map_table_and_reload(page, live_server):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/credits", wait_until="networkidle")
    page.wait_for_selector("#cred-lines-table td")
    page.wait_for_selector("#cred-map .credit-cluster", state="attached")
    assert "Md€" in page.inner_text("#cred-kpis")
    assert "corrélation n'est pas une causalité" in page.inner_text("#cred-leverage-caveat")
    before = page.inner_text("#cred-kpis")

    choose(page, "cred-programme", "P147")
    page.wait_for_function("() => window.location.search.includes('programme=P147')")
    # Three callbacks recompute the selection at once: allow for a loaded 2-core machine.
    page.wait_for_function("before => document.querySelector('#cred-kpis').innerText !== before", arg=before,
                           timeout=90_000)
    page.wait_for_load_state("networkidle")
    kpis = page.inner_text("#cred-kpis")
    page.reload(wait_until="networkidle")
    page.wait_for_selector("#cred-lines-table td")
    assert "programme=P147" in page.evaluate("window.location.search")
    assert page.inner_text("#cred-kpis") == kpis

    page.click("#cred-lines-table th[data-dash-column=amount_eur] .column-header--sort")
    page.wait_for_timeout(500)
    page.wait_for_load_state("networkidle")
    screenshot(page, "credits")  # after the checks: a full-page capture re-lays out every chart and map
    assert errors == []


@pytest.fixture
def planted_live(live_server, tmp_path):
    """The live server answering with a package whose names carry ``<img src=x onerror=…>``."""
    from atlas.package import load_package
    from atlas.service import AtlasService
    from callbacks import state
    from tests.planted import planted_package

    planted_package(tmp_path)
    previous = state.service()
    state.set_service(AtlasService(load_package(tmp_path)))
    yield live_server
    state.set_service(previous)


def hover_every_feature(page, map_id: str) -> list[str]:
    """Hover each interactive shape of a Leaflet map; return the texts of the tooltips that opened."""
    texts = []
    shapes = page.locator(f"#{map_id} path.leaflet-interactive")
    for i in range(shapes.count()):
        shapes.nth(i).dispatch_event("mouseover")
        page.wait_for_timeout(100)
        texts += page.locator(f"#{map_id} .leaflet-tooltip").all_inner_texts()
        shapes.nth(i).dispatch_event("mouseout")
    return texts


def test_names_from_data_never_run_as_html(page, planted_live):
    from tests.planted import PAYLOAD

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(planted_live + "/barometre?ministere=travail", wait_until="networkidle")
    page.wait_for_selector("#baro-map path.leaflet-interactive", state="attached")
    tips = hover_every_feature(page, "baro-map")
    assert any(PAYLOAD in t for t in tips), tips  # the name is shown, as text
    page.click("#baro-territory")
    page.wait_for_timeout(300)
    screenshot(page, "xss-barometre")
    assert page.evaluate("window.__xss") is None

    page.goto(planted_live + "/credits", wait_until="networkidle")
    page.wait_for_selector("#cred-map path.leaflet-interactive", state="attached")
    tips = hover_every_feature(page, "cred-map")
    assert any(t.startswith("Seine-Saint-Denis " + PAYLOAD) for t in tips), tips  # territory symbol
    assert any("Association " + PAYLOAD in t for t in tips), tips  # a located line names its carrier
    assert PAYLOAD in page.inner_text("#cred-lines-table")
    screenshot(page, "xss-credits")
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0 and dialogs == []
