"""The map export (atlas/mapexport*.py, callbacks/map_export.py): same classes and legend as the screen, escaped
texts, every level and mode, and a route that refuses anything but a canonical map address."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from shapely import box

from atlas.mapclasses import DIVERGING, MISSING_COLOR, SECRET_COLOR, map_payload
from atlas.mapdata import MapRequest
from atlas.mapexport import (
    MARGIN,
    PAGE_WIDTH,
    Text,
    build_scene,
    class_row,
    colour_of,
    export_filename,
    export_href,
    export_scene,
    export_text,
    font,
    parse_view,
)
from atlas.mapexport_geometry import projected_level
from atlas.mapexport_render import PNG_SCALE, render_png, render_svg
from layouts.map_legend import legend

SVG = "{http://www.w3.org/2000/svg}"
TODAY = dt.date(2026, 12, 1)


def payload_of(service, req: MapRequest):
    return map_payload(service, req, service.static_layer(req.level).codes)


def scene_of(service, req: MapRequest, meta=None, manifest=None, illustrative=None):
    payload = payload_of(service, req)
    text = export_text(req, payload, meta or service.indicator(req.indicator), manifest or service.manifest,
                       service.illustrative if illustrative is None else illustrative, TODAY)
    return export_scene(projected_level(service, req.level), payload, text, req.year), payload


def svg_tree(scene) -> ET.Element:
    return ET.fromstring(render_svg(scene))


def territory_fills(root: ET.Element) -> dict[str, str]:
    return {p.get("data-code"): p.get("fill") for p in root.iter(f"{SVG}path") if p.get("data-code")}


def screen_legend(payload, year) -> list[tuple[str, str]]:
    """(colour, label) of each row of the page's legend, as the Dash component carries them."""
    rows = legend(payload, year).children[1].children
    return [(li.children[0].style["background"], li.children[1]) for li in rows]


def svg_words(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("mode", ["value", "gap"])
def test_every_level_colours_each_territory_once_with_its_screen_class(service, mode):
    for level in service.map_levels():
        req = MapRequest.build(service, level=level, mode=mode)
        scene, payload = scene_of(service, req)
        fills = territory_fills(svg_tree(scene))
        codes = service.static_layer(level).codes
        assert sorted(fills) == sorted(codes), level  # every territory once, in one frame or another
        row = class_row(payload, req.year)
        for i, code in enumerate(codes):
            assert fills[code] == colour_of(payload, row[i]), (level, code)
        if mode == "gap" and req.mode == "gap":
            assert set(payload.colors) & set(fills.values())


def test_legend_is_the_screen_legend(service):
    for kwargs in ({"indicator": "taux_pauvrete", "level": "qpv"}, {"level": "commune", "mode": "gap"},
                   {"level": "departement", "mode": "gap", "operation": "ratio"}, {"level": "region", "fixed": False}):
        req = MapRequest.build(service, **kwargs)
        scene, payload = scene_of(service, req)
        root = svg_tree(scene)
        expected = screen_legend(payload, req.year)
        assert expected[-2:] == [(SECRET_COLOR, "Secret statistique (population trop faible pour publier)"),
                                 (MISSING_COLOR, "Non disponible")]
        swatches = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("width") == "22"]
        assert swatches == [colour for colour, _label in expected]
        words = svg_words(root)
        position = 0
        for _colour, label in expected:  # each label, in the same order (long ones wrap over two lines)
            for word in label.split():
                position = words.index(word, position)
        assert all(word in words for word in legend(payload, req.year).children[0].children.split())


def test_secret_territories_are_grey_as_on_screen(service):
    for indicator in service.indicators_at("qpv"):
        req = MapRequest.build(service, indicator=indicator, level="qpv")
        payload = payload_of(service, req)
        if "s" in class_row(payload, req.year):
            break
    else:
        pytest.skip("no secret value in the demo package")
    scene, payload = scene_of(service, req)
    fills = territory_fills(svg_tree(scene))
    row = class_row(payload, req.year)
    secret = [code for i, code in enumerate(service.static_layer("qpv").codes) if row[i] == "s"]
    assert secret and all(fills[code] == SECRET_COLOR for code in secret)


def test_typologies_of_ten_classes_or_more_keep_their_colours(service):
    """Classes past the tenth are letters in the class strings (atlas/categories.py), as the screen reads them."""
    from atlas.categories import CLASS_CHARS

    req = MapRequest.build(service, indicator=service.indicators_at("qpv")[0], level="qpv")
    colours = tuple(f"#{i:02x}{i:02x}{i:02x}" for i in range(12))
    typology = replace(payload_of(service, req), colors=colours, categories=tuple(f"classe {i}" for i in range(12)))
    assert [colour_of(typology, c) for c in CLASS_CHARS[:12]] == list(colours)
    assert colour_of(typology, "s") == SECRET_COLOR and colour_of(typology, "-") == MISSING_COLOR


def test_gap_mode_says_its_reference_and_uses_the_diverging_palette(service):
    req = MapRequest.build(service, indicator="taux_pauvrete", level="qpv", mode="gap", reference="departement")
    scene, payload = scene_of(service, req)
    root = svg_tree(scene)
    words = svg_words(root)
    assert "écart à son département (différence)" in words and "0 signifie aucun écart." in words
    assert set(payload.colors) <= set(DIVERGING) and len(payload.colors) > 2
    assert "pts" in words


def test_page_carries_title_scale_source_date_and_illustrative_flag(service):
    req = MapRequest.build(service, level="commune")
    scene, _payload = scene_of(service, req)
    words = svg_words(svg_tree(scene))
    meta = service.indicator(req.indicator)
    assert meta["label_fr"] in words and "Commune — " in words
    assert " km" in words  # the scale bar
    assert f"Source : {meta['source']}" in words and "millésime" in words
    assert "carte exportée le 1er décembre 2026" in words
    assert "Données illustratives" in words  # the demo is illustrative
    real, _ = scene_of(service, req, illustrative=False)
    assert "Données illustratives" not in svg_words(svg_tree(real))
    for item in scene.items:  # long texts wrap inside the page
        if isinstance(item, Text):
            assert item.x + font(item.size, item.bold).getlength(item.text) <= PAGE_WIDTH - MARGIN + 1, item.text


def test_hostile_texts_are_escaped(service):
    hostile = '<script>alert("x")</script> & ]]> <svg onload=alert(1)>'
    req = MapRequest.build(service, level="departement")
    meta = {**service.indicator(req.indicator), "label_fr": hostile, "source": hostile, "licence": hostile}
    scene, _payload = scene_of(service, req, meta=meta, manifest={"title": hostile})
    body = render_svg(scene)
    root = ET.fromstring(body)  # well-formed whatever the texts
    assert not [e for e in root.iter() if e.tag.endswith("script") or "onload" in e.attrib]
    assert b"<script" not in body and b"&lt;script&gt;" in body
    assert root.find(f"{SVG}title").text.startswith(hostile)
    assert hostile.split()[0] in svg_words(root)
    Image.open(io.BytesIO(render_png(scene))).verify()


def test_png_pixels_at_territories_have_their_class_colour(service):
    req = MapRequest.build(service, level="departement", mode="gap")
    scene, _payload = scene_of(service, req)
    image = Image.open(io.BytesIO(render_png(scene))).convert("RGB")
    assert image.size == (round(scene.width * PNG_SCALE), round(scene.height * PNG_SCALE))
    frame_item = next(i for i in scene.items if getattr(i, "geometry", None) is not None)
    checked = 0
    for row, _code in enumerate(frame_item.codes):
        x, y = frame_item.geometry.points[row]
        colour = frame_item.fills[row]
        pixel = image.getpixel((round((frame_item.x + x) * PNG_SCALE), round((frame_item.y + y) * PNG_SCALE)))
        checked += pixel == tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))
    assert checked >= 0.9 * len(frame_item.codes)


def test_overseas_territories_get_insets(service):
    projected = projected_level(service, "commune")
    assert projected.frames[0].key == "metro"
    assert {"971", "972", "973", "974", "976"} <= {f.key for f in projected.frames[1:]}
    for frame in projected.frames:
        assert frame.points[:, 0].min() >= -1 and frame.points[:, 0].max() <= frame.width + 1


def test_filename_is_french_and_ascii(service):
    req = MapRequest.build(service, indicator="taux_pauvrete", level="qpv", mode="gap", reference="commune")
    assert export_filename(req, "png") == f"carte_taux_pauvrete_qpv_{req.year}_ecart-commune-difference.png"
    assert export_filename(replace(req, indicator='a"b/é\r\n'), "svg").startswith("carte_a-b_qpv_")


# --------------------------------------------------------------------------- the route


def test_route_sends_both_formats_with_french_names(client, service):
    req = MapRequest.build(service, level="region", mode="gap")
    png = client.get(export_href(req, "png"))
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.headers["Content-Disposition"] == f'attachment; filename="{export_filename(req, "png")}"'
    assert Image.open(io.BytesIO(png.data)).format == "PNG"
    zipped = client.get(export_href(req, "svg"), headers={"Accept-Encoding": "gzip"})
    plain = client.get(export_href(req, "svg"))
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == plain.data
    assert plain.mimetype == "image/svg+xml" and territory_fills(ET.fromstring(plain.data))



def test_route_draws_the_legend_in_the_language_of_the_address_or_of_the_page(client, service):
    req = MapRequest.build(service, level="qpv")
    french = client.get(export_href(req, "svg")).data.decode()
    english = client.get(export_href(req, "svg") + "&lang=en").data.decode()
    from_page = client.get(export_href(req, "svg"), headers={"Referer": "http://localhost/?lang=en"}).data.decode()
    assert "Secret statistique" in french and "Statistical confidentiality" not in french
    assert "Statistical confidentiality" in english and "Secret statistique" not in english
    assert from_page == english  # a download from an English page, without ?lang=, is English too
    assert client.get(export_href(req, "svg") + "&lang=en&lang=fr").status_code == 400  # one value only
    gap = MapRequest.build(service, level="region", mode="gap", scheme="jenks", fixed=False)
    english_gap = client.get(export_href(gap, "svg") + "&lang=en").data.decode()
    assert "(difference)" in english_gap and "différence" not in english_gap
    plain = client.get(export_href(MapRequest.build(service, level="region", scheme="jenks"), "svg") + "&lang=en")
    assert "natural breaks (jenks)" in plain.data.decode() and "seuils naturels" not in plain.data.decode()


BAD = [
    ("indicateur=inconnu", 404), ("niveau=pays", 404), ("indicateur=TAUX_PAUVRETE", 404),
    ("", 400), ("annee=abc", 400), ("inconnu=1", 400), ("mode=gap&mode=value", 400),
    ("indicateur[]=x", 400), ("annee=1e9", 400), ("x=" + "a" * 600, 400), ("fixes=%00", 400),
]


@pytest.mark.parametrize(("query", "status"), BAD)
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_route_refuses_anything_but_a_canonical_map(client, service, query, status, fmt):
    response = client.get(f"/download/carte.{fmt}?{query}")
    assert response.status_code == status, response.data[:200]
    assert response.mimetype == "text/plain"


def test_route_refuses_a_valid_map_written_differently(client, service):
    req = MapRequest.build(service, level="commune")
    params = req.query()
    assert client.get(f"/download/carte.png?{urlencode({**params, 'annee': '0' + params['annee']})}").status_code \
        == 400
    assert client.get(f"/download/carte.png?{urlencode({**params, 'reference': 'france'})}").status_code == 400
    assert client.get("/download/carte.gif?" + urlencode(params)).status_code == 404
    assert client.get(f"/download/carte.png?{urlencode(params)}").status_code == 200


def test_map_page_links_follow_the_request(service):
    from callbacks import map as map_callbacks

    page = map_callbacks.build_page(service, {}, "?niveau=departement&mode=gap&reference=region")
    found = {c.id: (c.href, c.children) for c in page._traverse()
             if getattr(c, "id", None) in ("map-export-png", "map-export-svg")}
    req = MapRequest.from_query(service, {"niveau": "departement", "mode": "gap", "reference": "region"})
    assert found == {"map-export-png": (export_href(req, "png"), "Télécharger la carte (PNG)"),
                     "map-export-svg": (export_href(req, "svg"), "Télécharger la carte (SVG)")}


def test_a_view_exports_only_the_territories_on_screen(service):
    req = MapRequest.build(service, level="qpv")
    view = parse_view("2.2000,48.7500,2.5000,48.9500")  # Paris and its inner suburbs
    payload = payload_of(service, req)
    root = svg_tree(build_scene(service, req, payload, TODAY, view))
    fills = territory_fills(root)
    codes = service.static_layer("qpv").codes
    row = class_row(payload, req.year)
    geometry = service.package.geometry["qpv"].set_index("code").geometry
    inside = {c for c in codes if geometry[c].intersects(box(*view))}
    assert len(inside) >= 10 and set(fills) == inside
    assert all(fills[c] == colour_of(payload, row[codes.index(c)]) for c in fills)
    assert "vue affichée à l’écran" in svg_words(root)
    assert export_filename(req, "png", view).endswith("_vue.png")


@pytest.mark.parametrize("text", [None, "", "1,2,3", "2.2,48.75,2.5,48.95", "2.5000,48.7500,2.2000,48.9500",
                                  "2.2000,48.7500,2.2000,48.9500", "-181.0000,0.0000,1.0000,1.0000",
                                  "0.0000,-90.0000,1.0000,1.0000", "nan,nan,nan,nan", "inf,0.0000,1.0000,1.0000",
                                  "2.2000,48.7500,2.5000,48.9500,1.0000", " 2.2000,48.7500,2.5000,48.9500"])
def test_views_must_be_canonical(text):
    assert parse_view(text) is None


def test_route_exports_a_view_and_refuses_a_bad_one(client, service):
    req = MapRequest.build(service, level="commune")
    view = (2.2, 48.75, 2.5, 48.95)
    response = client.get(export_href(req, "svg", view))
    assert response.status_code == 200 and "_vue.svg" in response.headers["Content-Disposition"]
    assert 0 < len(territory_fills(ET.fromstring(response.data))) < len(service.static_layer("commune").codes)
    for bad in ("2.2,48.75,2.5,48.95", "x", "0.0000,0.0000,0.0000,0.0000"):
        assert client.get(f"/download/carte.png?{urlencode({**req.query(), 'emprise': bad})}").status_code == 400


def test_every_level_exports_on_a_minimal_package(tmp_path):
    from atlas.package import load_package
    from atlas.service import AtlasService
    from tests.tiny import write_tiny

    write_tiny(tmp_path)
    tiny = AtlasService(load_package(tmp_path))
    assert tiny.map_levels()
    for level in tiny.map_levels():
        for mode in ("value", "gap"):
            req = MapRequest.build(tiny, level=level, mode=mode)
            payload = payload_of(tiny, req)
            scene = build_scene(tiny, req, payload, TODAY)
            root = ET.fromstring(render_svg(scene))
            assert sorted(territory_fills(root)) == sorted(tiny.static_layer(level).codes)
            words = svg_words(root)
            assert "Non disponible" in words and "Source" in words and "None" not in words and "nan" not in words
            Image.open(io.BytesIO(render_png(scene))).verify()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["indicateur", "niveau", "annee", "mode", "classes", "fixes", "reference",
                                        "operation", "emprise", "x"]),
                       st.text(max_size=30), max_size=9))
def test_route_never_fails_on_any_parameters(client, params):
    response = client.get("/download/carte.svg?" + urlencode(params))
    assert response.status_code in (200, 400, 404)
