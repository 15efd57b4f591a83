"""Map export in headless Chromium: the PNG and SVG downloaded from the map page colour territories exactly as the
Leaflet layer on screen does, after the visitor changed the map."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlsplit

import pytest
from PIL import Image

from atlas.mapclasses import map_payload
from atlas.mapdata import MapRequest
from atlas.mapexport import MapFrame, build_scene, parse_view
from atlas.mapexport_render import PNG_SCALE
from tests.browser.test_map_browser import choose, painted, wait_for_polygons
from tests.conftest import ARTIFACTS, screenshot

pytestmark = pytest.mark.browser

SVG = "{http://www.w3.org/2000/svg}"
SCREEN_FILLS = """() => Object.fromEntries(window.atlasMap.layers('map-choropleth')
    .map(l => [l.feature.properties.code, l.options.fillColor]))"""


def download(page, link_id: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(f"#{link_id}")
    return info.value.suggested_filename, open(info.value.path(), "rb").read()


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))


def png_positions(service, href: str, codes: list[str]) -> dict[str, tuple[int, int]]:
    """Where each territory's inner point falls in the PNG of ``href`` (the same page, laid out in-process)."""
    params = dict(parse_qsl(urlsplit(href).query))
    view = parse_view(params.pop("emprise", None))
    req = MapRequest.from_query(service, params)
    payload = map_payload(service, req, service.static_layer(req.level).codes)
    scene = build_scene(service, req, payload, dt.date.today(), view)
    positions = {}
    for item in scene.items:
        if isinstance(item, MapFrame):
            for row, code in enumerate(item.codes):
                if code in codes:
                    x, y = item.geometry.points[row]
                    positions[code] = (round((item.x + x) * PNG_SCALE), round((item.y + y) * PNG_SCALE))
    return positions


def spread_sample(screen: dict[str, str], count: int = 10) -> list[str]:
    """``count`` territories covering as many on-screen colours as possible (deterministic)."""
    by_colour: dict[str, list[str]] = {}
    for code in sorted(screen):
        by_colour.setdefault(screen[code], []).append(code)
    chosen: list[str] = []
    while len(chosen) < count and any(by_colour.values()):
        for codes in by_colour.values():
            if codes and len(chosen) < count:
                chosen.append(codes.pop(len(codes) // 2))
    return chosen


def check_downloads(page, service, name: str, isolated=None) -> None:
    screen = page.evaluate(SCREEN_FILLS)
    png_href = page.get_attribute("#map-export-png", "href")
    svg_name, svg_body = download(page, "map-export-svg")
    png_name, png_body = download(page, "map-export-png")
    assert svg_name.startswith("carte_") and svg_name.endswith(".svg") and png_name.endswith(".png")
    exported = {p.get("data-code"): p.get("fill") for p in ET.fromstring(svg_body).iter(f"{SVG}path")
                if p.get("data-code")}
    assert set(exported) == set(screen)
    sample = spread_sample(screen)
    assert len(sample) == 10 and len({screen[c] for c in sample}) >= 3
    assert {c: exported[c] for c in sample} == {c: screen[c] for c in sample}
    image = Image.open(io.BytesIO(png_body)).convert("RGB")
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / "screenshots" / f"{name}.png")
    candidates = isolated(screen) if isolated else sample
    positions = png_positions(service, png_href, candidates)
    pixels = {code: image.getpixel(positions[code]) for code in candidates[:10]}
    assert pixels == {code: rgb(screen[code]) for code in candidates[:10]}


def test_downloads_match_the_screen_after_a_change_of_mode_and_reference(page, live_server, service):
    page.goto(live_server + "/?fond=aucun&niveau=departement", wait_until="networkidle")
    wait_for_polygons(page, 90)
    key = painted(page)
    page.get_by_label("Écart", exact=True).check()
    key = painted(page, key)
    page.wait_for_function("() => document.querySelector('#map-export-png').href.includes('mode=gap')")
    href = page.get_attribute("#map-export-svg", "href")
    assert href.startswith("/download/carte.svg?") and "reference=" in href and "fond" not in href
    screenshot(page, "map-export-links")
    # The year slider re-colours in the browser; the links follow it.
    page.focus("#map-year [role=slider]")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.querySelector('#map-export-png').href.includes('annee=2023')")
    page.wait_for_function("() => window.__atlasPainted && window.__atlasPainted.year === 2023 "
                           "&& window.__atlasPainted.drawn")
    check_downloads(page, service, "map-export-departement-gap")


def test_quarter_downloads_match_the_screen_after_a_change_of_indicator(page, live_server, service):
    page.goto(live_server + "/?fond=aucun", wait_until="networkidle")
    wait_for_polygons(page)
    key = painted(page)
    choose(page, "map-indicator", "Revenu disponible")
    painted(page, key)
    page.wait_for_function("() => document.querySelector('#map-export-svg').href.includes('revenu')")

    def isolated(screen):
        """Quarters drawn at least 8 px from any other (their borders cannot cover each other in the PNG)."""
        href = page.get_attribute("#map-export-png", "href")
        everywhere = png_positions(service, href, list(screen))
        codes = sorted(everywhere)
        far = [c for c in codes if all(abs(everywhere[c][0] - everywhere[o][0]) + abs(everywhere[c][1] -
               everywhere[o][1]) >= 16 for o in codes if o != c)]
        by_colour = spread_sample({c: screen[c] for c in far})
        return by_colour

    check_downloads(page, service, "map-export-qpv-value", isolated)


def test_the_map_embed_offers_the_downloads(page, live_server):
    page.goto(live_server + "/embed/carte?niveau=region", wait_until="networkidle")
    link = page.get_by_role("link", name="Télécharger la carte (PNG)")
    assert link.is_visible() and link.get_attribute("href").startswith("/download/carte.png?")
    assert page.get_by_role("link", name="Télécharger la carte (SVG)").is_visible()


def test_zoomed_in_the_downloads_show_the_view_on_screen(page, live_server, service):
    page.goto(live_server + "/?fond=aucun&vue=48.86,2.40,11", wait_until="networkidle")
    wait_for_polygons(page)
    painted(page)
    page.wait_for_function("() => document.querySelector('#map-export-svg').href.includes('emprise=')")
    screen = page.evaluate(SCREEN_FILLS)
    on_screen = page.evaluate("""() => { const map = document.getElementById('atlas-map').getBoundingClientRect();
        return window.atlasMap.layers('map-choropleth').filter(l => { const e = l.getElement && l.getElement();
            if (!e) return false; const r = e.getBoundingClientRect();
            return r.right > map.left && r.left < map.right && r.bottom > map.top && r.top < map.bottom; })
        .map(l => l.feature.properties.code); }""")
    name, body = download(page, "map-export-svg")
    assert name.endswith("_vue.svg")
    exported = {p.get("data-code"): p.get("fill") for p in ET.fromstring(body).iter(f"{SVG}path")
                if p.get("data-code")}
    assert len(on_screen) >= 10 and set(on_screen) <= set(exported) and len(exported) < len(screen)
    assert {c: exported[c] for c in exported} == {c: screen[c] for c in exported}
    # Panning changes the view the links export.
    before = page.get_attribute("#map-export-png", "href")
    page.locator("#atlas-map").scroll_into_view_if_needed()  # the download link scrolled the page
    box = page.locator("#atlas-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 200, y - 100, steps=8)
    page.mouse.up()
    page.wait_for_function("(before) => document.querySelector('#map-export-png').getAttribute('href') !== before",
                           arg=before)
