"""Embeds in another site's page: they render inside an <iframe> of another origin with their source line,
while the full pages refuse to be framed; the profile's « Intégrer » dialog gives a working snippet."""

from __future__ import annotations

import http.server
import re
import threading

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def other_origin():
    """A tiny site on another loopback port serving the page ``pages[path]``: another origin than the atlas."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", pages
    server.shutdown()


def _article(atlas: str, frames: list[tuple[str, str]]) -> str:
    iframes = "".join(f'<h2>{name}</h2><iframe id="{name}" src="{atlas}{path}" title="{name}" width="900" '
                      f'height="640" style="border:1px solid #999"></iframe>' for name, path in frames)
    return f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Article</title></head>' \
           f'<body><h1>Un article qui intègre l\'atlas</h1>{iframes}</body></html>'


def _frame(page, fragment: str):
    return next(f for f in page.frames if fragment in f.url)


def test_embeds_render_in_a_frame_of_another_origin_and_full_pages_refuse(page, live_server, service, other_origin):
    site, pages = other_origin
    code = service.codes("qpv")[0]
    indicator = service.presentation.evolution
    pages["/article.html"] = _article(live_server, [
        ("fiche", f"/embed/qpv/{code}"),
        ("graphique", f"/embed/graphique/qpv/evolution?quartier={code}&indicateur={indicator}"),
        ("profil", f"/qpv/{code}"),
    ])
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "frame" in msg.text.lower() else None)
    page.add_init_script(LISTEN)
    page.goto(site + "/article.html")

    card = _frame(page, "/embed/qpv/")
    card.wait_for_selector(".embed-figure", timeout=30_000)
    source = card.inner_text(".embed-source")
    assert source.startswith("Source") and "millésime" in source
    assert card.inner_text(".embed-title") == service.territory_name("qpv", code)
    assert "Données illustratives" in card.inner_text(".embed-page")  # the demo package is illustrative
    back = card.get_attribute(".embed-back", "href")
    assert back == f"/qpv/{code}" and card.get_attribute(".embed-back", "target") == "_blank"
    assert not card.is_visible(".site-header") and not card.is_visible(".site-footer")  # minimal chrome

    chart = _frame(page, "/embed/graphique/")
    chart.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert chart.inner_text(".embed-source").startswith("Source")
    notes = chart.locator(".js-plotly-plot .annotation-text").all_text_contents()
    assert any(note.startswith("Source") for note in notes), notes  # the exported PNG keeps it too

    # The full profile refused to be framed: its frame holds Chromium's error page, not the atlas.
    page.wait_for_timeout(500)
    profile = _frame(page, "/qpv/") if any("/qpv/" in f.url and "/embed/" not in f.url for f in page.frames) else None
    if profile is not None:
        assert profile.evaluate("document.getElementById('page-content')") is None
    assert any("frame-ancestors" in text or "X-Frame-Options" in text for text in refused), refused
    for frame in (card, chart):
        assert frame.evaluate("window.__cspViolations") == []
    screenshot(page, "embeds-in-another-site")


def test_the_map_embeds_with_its_legend_and_source(page, live_server, service, other_origin):
    site, pages = other_origin
    level = service.map_levels()[-1]
    pages["/carte.html"] = _article(live_server, [("carte", f"/embed/carte?niveau={level}")])
    page.add_init_script(LISTEN)
    page.goto(site + "/carte.html")
    frame = _frame(page, "/embed/carte")
    frame.wait_for_selector(".leaflet-container", timeout=30_000)
    frame.wait_for_selector("#map-legend li, #map-legend svg, #map-legend .legend-item", timeout=30_000)
    assert frame.inner_text(".embed-source").startswith("Source")
    assert not frame.is_visible(".map-controls")  # the controls stay on the full page
    assert frame.get_attribute(".embed-back", "href") == f"/?niveau={level}"
    page.wait_for_timeout(800)
    assert frame.evaluate("window.__cspViolations") == []
    screenshot(page, "embeds-map-in-another-site")


def test_the_profile_gives_an_iframe_snippet_to_copy(page, live_server, service):
    code = service.codes("qpv")[0]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/qpv/{code}")
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert not page.is_visible("#embed-dialog")
    page.click("#embed-open")
    page.wait_for_selector("#embed-dialog[open]")
    snippet = page.input_value("#embed-snippet")
    match = re.fullmatch(r'<iframe src="([^"]+)" title="([^"]+)" width="100%" height="(\d+)" '
                         r'style="border:0;max-width:900px" loading="lazy"></iframe>', snippet)
    assert match, snippet
    assert match.group(1) == f"{live_server}/embed/qpv/{code}"
    assert service.territory_name("qpv", code) in match.group(2) and int(match.group(3)) >= 400
    page.click("#embed-copy")
    page.wait_for_function("document.getElementById('embed-copied').textContent.length > 0")
    assert page.inner_text("#embed-copied") == "Code copié."
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    page.screenshot(path=str(screenshot(page, "embeds-dialog")))  # the viewport: the dialog is modal
    page.get_by_label(re.compile("Graphique d'évolution")).check()
    page.wait_for_function("document.getElementById('embed-snippet').value.indexOf('/embed/graphique/') > 0")
    chart_src = re.search(r'src="([^"]+)"', page.input_value("#embed-snippet")).group(1)
    assert page.request.get(chart_src.replace("&amp;", "&")).status == 200  # the offered address works
    page.click("#embed-close")
    page.wait_for_selector("#embed-dialog", state="hidden")
    # Another indicator in the evolution chart: the dialog offers that one.
    other = next(i for i in service.indicators_at("qpv") if i != service.presentation.evolution)
    label = service.indicator(other)["label_fr"]
    page.click("#profile-evolution-indicator")
    page.locator(".dash-dropdown-option", has_text=label).first.click()
    page.click("#embed-open")
    page.get_by_label(re.compile("Graphique d'évolution")).check()
    page.wait_for_function(f"document.getElementById('embed-snippet').value.indexOf('indicateur={other}') > 0")
    assert label in page.inner_text("#embed-dialog")
    page.click("#embed-close")
    # A hostile name stays text inside the snippet's attribute.
    hostile = page.evaluate("""window.dash_clientside.atlasEmbed.snippet(0, 1, [{path: '/embed/qpv/X',
        title: '"><script>alert(1)</script> & co', height: '500"onload="x'}])""")
    assert 'title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"' in hostile
    assert 'height="500&quot;onload=&quot;x"' in hostile and "<script>" not in hostile


def test_the_comparison_gives_its_charts_to_embed(page, live_server, service):
    code, departement = service.codes("qpv")[0], service.codes("departement")[0]
    page.goto(f"{live_server}/comparer?codes=qpv:{code},departement:{departement}")
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    page.click("#embed-open")
    page.wait_for_selector("#embed-dialog[open]")
    src = re.search(r'src="([^"]+)"', page.input_value("#embed-snippet")).group(1).replace("&amp;", "&")
    assert src.startswith(f"{live_server}/embed/graphique/comparer/evolution?codes=qpv:{code},departement:")
    assert page.request.get(src).status == 200
    page.screenshot(path=str(screenshot(page, "embeds-compare-dialog")))


def test_the_map_page_gives_the_current_map_to_embed_and_the_embed_opens_pages_apart(page, live_server, service,
                                                                                     other_origin):
    level = service.map_levels()[-1]
    page.goto(f"{live_server}/?niveau={level}")
    page.wait_for_selector(".leaflet-choropleth-pane path", state="attached", timeout=30_000)
    page.click("#embed-open")
    page.wait_for_selector("#embed-dialog[open]")
    src = re.search(r'src="([^"]+)"', page.input_value("#embed-snippet")).group(1).replace("&amp;", "&")
    assert src.startswith(f"{live_server}/embed/carte?") and f"niveau={level}" in src
    assert page.request.get(src).status == 200
    page.screenshot(path=str(screenshot(page, "embeds-map-dialog")))  # the viewport: the dialog is modal
    page.click("#embed-close")

    site, pages = other_origin
    pages["/carte2.html"] = _article(live_server, [("carte", src.removeprefix(live_server))])
    page.goto(site + "/carte2.html")
    frame = _frame(page, "/embed/carte")
    frame.wait_for_selector(".leaflet-choropleth-pane path", state="attached", timeout=30_000)
    assert not frame.is_visible("#embed-open")  # no dialog inside an embed
    with page.context.expect_page() as opened:
        frame.locator(".leaflet-choropleth-pane path").first.dispatch_event("click")
    target = opened.value
    target.wait_for_load_state()
    assert target.url.startswith(live_server + ("/qpv/" if level == "qpv" else "/comparer?codes="))
    assert "/embed/carte" in frame.url  # the embed stays where it was
