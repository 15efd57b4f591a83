"""The map in headless Chromium: colours change in place, geometry is fetched once."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser

FILLS = """() => Array.from(document.querySelectorAll('.leaflet-choropleth-pane path'))
    .map(p => p.getAttribute('fill'))"""


def wait_for_polygons(page, minimum: int = 1000):
    page.wait_for_function(
        f"() => document.querySelectorAll('.leaflet-choropleth-pane path').length >= {minimum}", timeout=30_000)


def choose(page, dropdown_id: str, text: str):
    page.click(f"#{dropdown_id}")
    page.locator(".dash-dropdown-option", has_text=text).first.click()


def test_indicator_and_year_change_recolour_without_refetching_geometry(page, live_server):
    geometry_requests = []
    page.on("request", lambda r: geometry_requests.append(r.url) if "/geo/" in r.url else None)
    page.goto(live_server + "/?fond=aucun&vue=48.86,2.40,11", wait_until="networkidle")
    wait_for_polygons(page)
    before = page.evaluate(FILLS)
    assert len(set(before)) >= 5  # five classes plus secret/missing
    qpv_fetches = [u for u in geometry_requests if "/geo/qpv." in u]
    assert len(qpv_fetches) == 1

    choose(page, "map-indicator", "Revenu disponible")
    page.wait_for_function(f"(before) => ({FILLS})().join() !== before.join()", arg=before, timeout=15_000)
    after_indicator = page.evaluate(FILLS)
    assert after_indicator != before
    assert "Revenu disponible" in page.inner_text("#map-legend")
    screenshot(page, "map-choropleth")

    # The year slider re-colours in the browser (keyboard on the slider handle).
    page.focus("#map-year [role=slider]")
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"(before) => ({FILLS})().join() !== before.join()", arg=after_indicator,
                           timeout=15_000)
    page.wait_for_function("() => document.querySelector('#map-legend').innerText.includes('2018')")
    page.wait_for_function("() => location.search.includes('annee=2018')")
    assert len([u for u in geometry_requests if "/geo/qpv." in u]) == 1


def test_gap_mode_legend_and_widest_gaps(page, live_server):
    page.goto(live_server + "/?fond=aucun&mode=gap&reference=departement&vue=45.76,4.85,11",
              wait_until="networkidle")
    wait_for_polygons(page)
    legend = page.inner_text("#map-legend")
    assert "Écart à son département" in legend
    assert "Secret statistique" in legend and "Non disponible" in legend
    assert page.locator(".widest-gaps li").count() == 10
    screenshot(page, "map-gap-mode")


def test_url_reproduces_the_view_and_back_button(page, live_server):
    page.goto(live_server + "/?fond=aucun&indicateur=taux_chomage&niveau=departement&annee=2019",
              wait_until="networkidle")
    wait_for_polygons(page, 90)
    assert "Taux de chômage" in page.inner_text("#map-legend") and "2019" in page.inner_text("#map-legend")
    choose(page, "map-indicator", "Taux d'emploi")
    page.wait_for_function("() => location.search.includes('indicateur=taux_emploi')")
    page.go_back()
    page.wait_for_function("() => document.querySelector('#map-legend').innerText.includes('chômage')",
                           timeout=15_000)
    page.reload(wait_until="networkidle")
    wait_for_polygons(page, 90)
    assert "chômage" in page.inner_text("#map-legend")


def test_table_alternative_is_sortable_by_keyboard(page, live_server):
    page.goto(live_server + "/?fond=aucun&niveau=region", wait_until="networkidle")
    page.focus("#map-table-toggle")
    page.keyboard.press("Enter")
    page.wait_for_selector("#map-table td")
    assert page.locator("#map-table tbody tr").count() > 5
    screenshot(page, "map-table")


def test_click_on_a_quarter_opens_its_profile(page, live_server):
    page.goto(live_server + "/?fond=aucun&vue=43.30,5.40,12", wait_until="networkidle")
    wait_for_polygons(page)
    page.locator(".leaflet-choropleth-pane path").first.dispatch_event("click")
    page.wait_for_function("() => location.pathname.startsWith('/qpv/')", timeout=15_000)


def test_tooltip_gives_name_value_rank_and_vintage_in_french(page, live_server):
    page.goto(live_server + "/?fond=aucun&indicateur=revenu_median&vue=48.86,2.40,12", wait_until="networkidle")
    wait_for_polygons(page)
    # Hover the largest coloured quarter on screen, as a person would with the mouse.
    box = page.evaluate("""() => {
        const paths = Array.from(document.querySelectorAll('.leaflet-choropleth-pane path'))
            .filter(p => !['#ffffff', '#bdbdbd'].includes(p.getAttribute('fill')));
        const boxes = paths.map(p => p.getBoundingClientRect()).filter(r => r.top > 0 && r.left > 0);
        boxes.sort((a, b) => b.width * b.height - a.width * a.height);
        const r = boxes[0];
        return {x: r.left + r.width / 2, y: r.top + r.height / 2};
    }""")
    page.mouse.move(box["x"] - 5, box["y"] - 5)
    page.mouse.move(box["x"], box["y"], steps=4)
    page.wait_for_selector(".atlas-tooltip")
    text = page.inner_text(".atlas-tooltip")
    assert "Revenu disponible médian" in text and "€" in text
    assert "\u202f" in text or "\u00a0" in text  # French grouping and unit spacing
    assert "Rang" in text and "Millésime" in text


def test_search_autocompletes_and_zooms_to_the_place(page, live_server):
    page.goto(live_server + "/?fond=aucun", wait_until="networkidle")
    wait_for_polygons(page)
    page.fill("#map-search", "Strasbourg")
    page.wait_for_selector("#map-search-results .search-hit")
    assert "Strasbourg" in page.inner_text("#map-search-results")
    page.locator("#map-search-results .search-hit").first.click()
    page.wait_for_function("() => { const v = new URLSearchParams(location.search).get('vue'); "
                           "if (!v) return false; const [lat, lon, z] = v.split(',').map(Number); "
                           "return Math.abs(lat - 48.58) < 0.3 && Math.abs(lon - 7.75) < 0.3 && z >= 10; }",
                           timeout=15_000)


def test_overseas_quick_view(page, live_server):
    page.goto(live_server + "/?fond=aucun", wait_until="networkidle")
    wait_for_polygons(page)
    page.get_by_role("button", name="La Réunion").click()
    page.wait_for_function("() => { const v = new URLSearchParams(location.search).get('vue'); "
                           "if (!v) return false; const [lat, lon] = v.split(',').map(Number); "
                           "return Math.abs(lat + 21.1) < 0.5 && Math.abs(lon - 55.5) < 0.5; }", timeout=15_000)
    screenshot(page, "map-reunion")


def painted(page, previous_key=None):
    """Wait until the choropleth shows a colouring (another one than ``previous_key``) and return its key."""
    page.wait_for_function(
        "(before) => window.__atlasPainted && window.__atlasPainted.drawn && window.__atlasPainted.key !== before",
        arg=previous_key, timeout=20_000)
    return page.evaluate("() => window.__atlasPainted.key")


def started_at(page) -> float:
    return page.evaluate("() => { performance.setResourceTimingBufferSize(5000); return performance.now(); }")


def colour_file_beside_the_answer(page, since: float) -> bool:
    """Whether the change made at ``since`` fetched exactly one classes file, and started it before the answer of
    the map's callback arrived (the browser prefetches it instead of waiting for the answer to name it)."""
    entries = page.evaluate("""(since) => performance.getEntriesByType('resource')
        .filter(e => e.startTime >= since).map(e => ({name: e.name, start: e.startTime, end: e.responseEnd}))""",
                            since)
    answers = sorted((e for e in entries if "_dash-update-component" in e["name"]), key=lambda e: e["start"])
    classes = [e for e in entries if "/classes.json" in e["name"]]
    return bool(answers) and len(classes) == 1 and classes[0]["start"] < answers[0]["end"]


def test_indicator_mode_and_reference_changes_recolour_the_same_layers(page, live_server):
    geometry_requests = []
    page.on("request", lambda r: geometry_requests.append(r.url) if "/geo/qpv." in r.url else None)
    page.goto(live_server + "/?fond=aucun&vue=48.86,2.40,11", wait_until="networkidle")
    wait_for_polygons(page)
    key = painted(page)
    # Mark the Leaflet layer objects and their SVG elements: a re-created layer would lose the marks.
    page.evaluate("""() => { const layers = window.atlasMap.layers('map-choropleth');
        window.__probe = {count: window.atlasMap.created(), first: layers[0], last: layers[layers.length - 1]};
        document.querySelectorAll('.leaflet-choropleth-pane path').forEach(p => p.dataset.probe = '1'); }""")
    unchanged = """() => { const layers = window.atlasMap.layers('map-choropleth');
        const paths = document.querySelectorAll('.leaflet-choropleth-pane path');
        return window.atlasMap.created() === window.__probe.count && layers[0] === window.__probe.first
            && layers[layers.length - 1] === window.__probe.last
            && Array.from(paths).every(p => p.dataset.probe === '1'); }"""
    before = page.evaluate(FILLS)
    since = started_at(page)
    choose(page, "map-indicator", "Revenu disponible")
    key = painted(page, key)
    assert page.evaluate(FILLS) != before and page.evaluate(unchanged)
    assert colour_file_beside_the_answer(page, since)
    since = started_at(page)
    page.get_by_label("Écart", exact=True).check()
    key = painted(page, key)
    assert "Écart à sa commune" in page.inner_text("#map-legend") and page.evaluate(unchanged)
    assert colour_file_beside_the_answer(page, since)  # the reference the server will take was known
    gap_fills = page.evaluate(FILLS)
    since = started_at(page)
    choose(page, "map-reference", "La France")
    key = painted(page, key)
    assert page.evaluate(FILLS) != gap_fills and page.evaluate(unchanged)
    assert colour_file_beside_the_answer(page, since)
    assert "Écart à la France" in page.inner_text("#map-legend")
    assert "celle de la France" in page.inner_text("#map-comparison-note")
    assert len(geometry_requests) == 1


def test_map_is_one_tab_stop_with_a_skip_link(page, live_server):
    page.goto(live_server + "/?fond=aucun", wait_until="networkidle")
    wait_for_polygons(page)
    page.focus("#map-year [role=slider]")
    presses = 0
    while presses < 40:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("() => document.activeElement && document.activeElement.id === 'map-table-toggle'"):
            break
    assert presses <= 15, f"{presses} Tab presses from the year slider to the table"
    # The skip link jumps over the map.
    page.focus("#map-year [role=slider]")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Passer la carte"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'map-after'")


def test_table_alternative_links_every_territory_to_its_page(page, live_server):
    page.goto(live_server + "/?fond=aucun", wait_until="networkidle")
    page.focus("#map-table-toggle")
    page.keyboard.press("Enter")
    page.wait_for_selector("#map-table td a")
    rows = page.locator("#map-table tbody tr:has(td)").count()
    links = page.locator("#map-table td a[href^='/qpv/']")
    assert rows >= 25 and links.count() == rows
    href = links.first.get_attribute("href")
    links.first.click()
    page.wait_for_function(f"() => location.pathname === '{href}'", timeout=15_000)


def test_tooltip_never_runs_markup_from_the_data(page, live_server):
    page.goto(live_server + "/?fond=aucun", wait_until="networkidle")
    wait_for_polygons(page)
    page.on("dialog", lambda dialog: (_ for _ in ()).throw(AssertionError("a dialog opened")))
    text = page.evaluate("""() => {
        const name = '<img src=x onerror="window.__xss = 1">';
        const node = window.atlasMap.tooltipContent({properties: {name: name, code: '</script><b>x', i: 0}},
                                                    'map-choropleth');
        document.body.appendChild(node);
        return node.textContent; }""")
    page.wait_for_timeout(300)
    assert '<img src=x onerror="window.__xss = 1">' in text and "</script><b>x" in text
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate("() => document.querySelectorAll('img[src=x]').length") == 0


def test_many_polygons_are_drawn_on_a_canvas_with_hover_and_click(page, live_server, service, monkeypatch):
    from callbacks import map as map_callbacks

    monkeypatch.setattr(map_callbacks, "CANVAS_FEATURES", 100)  # the demo's 721 communes stand for 35,000
    count = len(service.static_layer("commune").codes)
    page.goto(live_server + "/?fond=aucun&niveau=commune&vue=45.76,4.85,9", wait_until="networkidle")
    page.wait_for_function(f"() => window.atlasMap.layers('map-choropleth').length === {count}", timeout=30_000)
    key = painted(page)
    assert page.locator(".leaflet-choropleth-pane canvas").count() == 1
    assert page.locator(".leaflet-choropleth-pane path").count() == 0
    created = page.evaluate("() => window.atlasMap.created()")
    choose(page, "map-indicator", "Revenu disponible")
    painted(page, key)  # the key shown before the change: the new colouring may be painted before choose() returns
    assert page.evaluate("() => window.atlasMap.created()") == created  # re-coloured, not re-created
    screenshot(page, "map-communes-canvas")
    # Hover and click reach the polygon under the mouse, through the canvas.
    point = page.evaluate("""() => { const layer = window.atlasMap.layers('map-choropleth')
            .find(l => l._pxBounds && l._map.getSize().contains(l._map.latLngToContainerPoint(l.getCenter())));
        const p = layer._map.latLngToContainerPoint(layer.getCenter());
        const box = layer._map.getContainer().getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y, name: layer.feature.properties.name}; }""")
    page.mouse.move(point["x"] - 3, point["y"] - 3)
    page.mouse.move(point["x"], point["y"], steps=3)
    page.wait_for_selector(".atlas-tooltip")
    assert page.inner_text(".atlas-tooltip").strip()
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => location.pathname === '/comparer'", timeout=15_000)


def test_level_change_draws_the_new_geometry_coloured(page, live_server, service):
    page.goto(live_server + "/?fond=aucun&indicateur=taux_pauvrete", wait_until="networkidle")
    wait_for_polygons(page)
    painted(page)
    page.get_by_label("Département").check()
    count = len(service.static_layer("departement").codes)
    page.wait_for_function(f"() => window.atlasMap.layers('map-choropleth').length === {count}", timeout=20_000)
    page.wait_for_function("() => location.search.includes('niveau=departement')")
    page.wait_for_function("() => window.__atlasPainted && window.__atlasPainted.drawn", timeout=20_000)
    fills = page.evaluate(FILLS)
    assert len(fills) == count and len(set(fills)) >= 3  # coloured, not the grey of colours on their way
    assert "départements de la carte" in page.inner_text("#map-comparison-note")
