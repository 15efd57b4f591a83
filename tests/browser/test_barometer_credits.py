"""/barometre and /credits in headless Chromium: render, filter, URL state survives a reload, screenshots."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def choose(page, dropdown_id: str, text: str) -> None:
    page.click(f"#{dropdown_id}")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_barometer_filters_update_the_url_and_survive_a_reload(page, live_server):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/barometre", wait_until="networkidle")
    page.wait_for_selector("#baro-commitments-table td")
    page.wait_for_selector("#baro-map path.leaflet-interactive", state="attached")
    assert page.locator("#baro-map path.leaflet-interactive").count() > 90
    screenshot(page, "barometre")

    choose(page, "baro-ministry", "Travail")
    page.wait_for_function("window.location.search.includes('ministere=travail')")
    page.wait_for_function(
        "[...document.querySelectorAll('#baro-commitments-table td[data-dash-column=ministere]')]"
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
    screenshot(page, "credits")
    before = page.inner_text("#cred-kpis")

    choose(page, "cred-programme", "P147")
    page.wait_for_function("window.location.search.includes('programme=P147')")
    page.wait_for_function("before => document.querySelector('#cred-kpis').innerText !== before", arg=before)
    page.wait_for_load_state("networkidle")
    kpis = page.inner_text("#cred-kpis")
    page.reload(wait_until="networkidle")
    page.wait_for_selector("#cred-lines-table td")
    assert "programme=P147" in page.evaluate("window.location.search")
    assert page.inner_text("#cred-kpis") == kpis

    page.click("#cred-lines-table th[data-dash-column=amount_eur] .column-header--sort")
    page.wait_for_timeout(500)
    page.wait_for_load_state("networkidle")
    assert errors == []
