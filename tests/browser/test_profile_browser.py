"""The profile, its print view and the comparison page in a real headless Chromium."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def _quarter(service) -> str:
    """A quarter with a computed well-being index and a secret-free profile head (deterministic)."""
    from atlas.wellbeing import wellbeing_table

    table = wellbeing_table(service, "qpv", service.years[-1])
    return sorted(table.index[table["index"].notna()])[0]


def _collect_errors(page) -> list:
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_profile_renders_with_map_cards_and_charts(page, live_server, service):
    code = _quarter(service)
    errors = _collect_errors(page)
    page.goto(f"{live_server}/qpv/{code}", wait_until="networkidle")
    page.wait_for_selector("#profile-title")
    assert page.inner_text("#profile-title") == service.territory_name("qpv", code)
    page.wait_for_selector("#profile-map .leaflet-interactive", state="attached")
    assert page.locator(".kf-card").count() >= 20
    assert page.locator(".sparkline img").count() >= 20
    page.wait_for_selector("#profile-evolution-graph .main-svg")
    page.wait_for_selector("#profile-credits-graph .main-svg")
    # The source line is drawn inside the chart, so PNG exports keep it.
    assert "Source :" in page.inner_text("#profile-evolution-graph")
    assert "Quartiers comparables" in page.inner_text("#quartiers-comparables")
    path = screenshot(page, "profile")
    assert path.stat().st_size > 50_000
    assert errors == []


def test_profile_evolution_dropdown_updates_chart(page, live_server, service):
    code = _quarter(service)
    page.goto(f"{live_server}/qpv/{code}", wait_until="networkidle")
    page.wait_for_selector("#profile-evolution-graph .main-svg")
    page.click("#profile-evolution-indicator")
    page.get_by_placeholder("Rechercher").fill("chômage")
    page.get_by_role("option").first.click()
    page.wait_for_function(
        "() => document.querySelector('#profile-evolution-graph').innerText.includes('chômage')", timeout=10_000)
    assert "chômage" in page.inner_text("#profile-evolution-table")
    # The new figure came as a patch (callbacks/figures.py): the template on screen stayed, no stale layout key.
    drawn = page.evaluate("""() => { const gd = document.querySelector('#profile-evolution-graph .js-plotly-plot');
        return {template: Object.keys((gd.layout.template || {}).data || {}), traces: gd.data.length,
                title: gd.layout.title.text}; }""")
    assert drawn["template"] == ["bar", "scatter"] and drawn["traces"] >= 1 and "chômage" in drawn["title"]


def test_profile_csv_download_in_both_forms(page, live_server, service):
    """The key figures as « CSV (tableur, format français) » and « CSV (machine) »: same numbers."""
    from tests.browser.test_share_and_exports import download_both, same_numbers

    code = _quarter(service)
    page.goto(f"{live_server}/qpv/{code}", wait_until="networkidle")
    french, machine, names = download_both(page, "profile-csv")
    assert names == (f"atlas-qpv-{code}-chiffres-cles_tableur.csv", f"atlas-qpv-{code}-chiffres-cles.csv")
    assert list(machine.columns[:3]) == ["section", "indicator", "label"]
    assert list(french.columns[:3]) == ["Rubrique", "Indicateur (identifiant)", "Libellé"]
    same_numbers(french["Valeur"], machine["value"], decimals=0)
    assert set(french["Statut"].dropna()) <= {"publiée", "provisoire", "secret statistique", "non disponible"}


def test_profile_print_view(page, live_server, service):
    code = _quarter(service)
    page.goto(f"{live_server}/qpv/{code}", wait_until="networkidle")
    page.wait_for_selector("#profile-credits-graph .main-svg")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    assert not page.is_visible("nav.site-nav")
    assert not page.is_visible("#profile-print")
    assert not page.is_visible("#profile-csv-button")
    assert page.is_visible("#illustrative-banner")
    assert page.is_visible("#profile-title")
    assert "Profil édité le" in page.inner_text(".profile-meta")
    assert page.is_visible("#sources")
    screenshot(page, "profile-print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 50_000


def test_comparison_page_add_and_remove(page, live_server, service):
    code = _quarter(service)
    territory = service.territory("qpv", code)
    errors = _collect_errors(page)
    page.goto(f"{live_server}/comparer?codes=qpv:{code},commune:{territory['commune_code']},france:FR",
              wait_until="networkidle")
    page.wait_for_selector("#compare-table")
    assert page.locator("#compare-selection li").count() == 3
    assert page.locator("#compare-table .mark-best").count() > 10
    assert page.locator("#compare-table .mark-worst").count() > 10
    page.wait_for_selector(".trend .main-svg")
    screenshot(page, "compare")
    # Add a département through the search box: the URL, then the page, follow.
    page.fill("#compare-search", "Seine-Saint-Denis")
    page.wait_for_selector("#compare-search-results li a")
    page.click("#compare-search-results li a >> nth=0")
    page.wait_for_function("() => document.querySelectorAll('#compare-selection li').length === 4")
    assert "departement:93" in page.url
    # Remove the commune with the keyboard-reachable link.
    page.locator("#compare-selection li").nth(1).locator(".chip-remove").click()
    page.wait_for_function("() => document.querySelectorAll('#compare-selection li').length === 3")
    assert f"commune:{territory['commune_code']}" not in page.url
    assert errors == []


def test_comparison_with_bad_codes_explains(page, live_server):
    response = page.goto(f"{live_server}/comparer?codes=nimporte,qpv:QN999999", wait_until="networkidle")
    assert response.status == 200
    page.wait_for_selector(".alert")
    assert "n'est pas un code reconnu" in page.inner_text(".alert")
    assert page.is_visible("#compare-search")
    screenshot(page, "compare-bad-codes")


def test_comparison_indicators_live_in_the_url(page, live_server, service):
    code = _quarter(service)
    territory = service.territory("qpv", code)
    errors = _collect_errors(page)
    page.goto(f"{live_server}/comparer?codes=qpv:{code},commune:{territory['commune_code']}",
              wait_until="networkidle")
    page.wait_for_selector(".trend .main-svg")
    before = page.locator(".trend").count()
    page.click("#compare-indicators")
    page.keyboard.type("logements sociaux")
    page.get_by_role("option").first.click()
    page.wait_for_function("() => window.location.search.includes('indicateurs=')", timeout=10_000)
    assert "logements_sociaux" in page.url and f"qpv:{code}" in page.url
    page.wait_for_function(f"() => document.querySelectorAll('.trend').length === {before + 1}", timeout=10_000)
    # The shared address gives the same charts.
    page.goto(page.url, wait_until="networkidle")
    page.wait_for_selector(".trend .main-svg")
    assert page.locator(".trend").count() == before + 1
    assert page.locator("#compare-selection li").count() == 2
    assert errors == []
