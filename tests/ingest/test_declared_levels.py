# ruff: noqa: E501 — inline TOML tables must stay on one line, so some configuration lines below are long.
"""Declared levels: a configuration adds a zoning (zones d'emploi) with its labels, code pattern and parents;
the package carries it and the pages and the API name it by its own label (docs/ingestion.md)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from atlas import levels
from atlas.ingest.config import IngestError, load_config
from atlas.ingest.pipeline import build
from atlas.package import PackageError, load_package
from atlas.service import AtlasService
from callbacks import state
from callbacks.router import page_for
from tests.test_routes import text_of

ZONES = """
[[levels]]
id = "zone_emploi"
label = "Zone d'emploi"
plural = "zones d'emploi"
code_pattern = "^\\\\d{4}$"
parents = ["region"]
phrase = "sa zone d'emploi"

[[territories]]
name = "zones d'emploi"
level = "zone_emploi"
vintage = "ZE 2020"
file = "ze.geojson"
fields = { code = "ze", name = "libze", region_code = "reg" }

[[territories]]
name = "communes"
level = "commune"
vintage = "COG 2018"
rows = [{ code = "09122", name = "Foix", dep = "09", ze = "7601" }, { code = "09225", name = "Pamiers", dep = "09", ze = "7699" }]
fields = { code = "code", name = "name", departement_code = "dep", zone_emploi_code = "ze" }

[[territories]]
name = "quartiers"
level = "qpv"
vintage = "QPV 2015"
rows = [{ code = "QP009001", name = "Centre ancien", com = "09122", ze = "7601" }]
fields = { code = "code", name = "name", commune_code = "com", zone_emploi_code = "ze" }

[[indicators]]
name = "catalogue"
defaults = { source = "INSEE", licence = "Licence Ouverte 2.0", vintage = "2020", definition = "Part des actifs au chômage.", decimals = 1, kind = "context", theme = "emploi", polarity = "higher_is_worse", unit = "%" }
rows = [{ id = "taux-chomage", label_fr = "Taux de chômage", label_en = "Unemployment rate" }]

[[observations]]
name = "chômage"
level = "zone_emploi"
rows = [{ ze = "7601", v = "9.5" }, { ze = "7602", v = "12.25" }]
fields = { code = "ze", indicator = { value = "taux-chomage" }, period = { value = "2020" }, value = "v" }

[[observations]]
name = "chômage des quartiers"
level = "qpv"
rows = [{ c = "QP009001", v = "21" }]
fields = { code = "c", indicator = { value = "taux-chomage" }, period = { value = "2020" }, value = "v" }

[[observations]]
name = "chômage France"
level = "france"
rows = [{ c = "FR", v = "8" }]
fields = { code = "c", indicator = { value = "taux-chomage" }, period = { value = "2020" }, value = "v" }
"""


def find(component, ident):
    """The component of a layout with this id (None when absent)."""
    if getattr(component, "id", None) == ident:
        return component
    children = getattr(component, "children", None) if not isinstance(component, list | tuple) else component
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, ident)
            if found is not None:
                return found
    return None


def square(x, y):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 0.5, y], [x + 0.5, y + 0.5], [x, y + 0.5], [x, y]]]}


def write_zones(folder):
    features = [({"ze": "7601", "libze": "Foix-Pamiers", "reg": "76"}, square(1.4, 42.8)),
                ({"ze": "7602", "libze": "Toulouse", "reg": "76"}, square(1.2, 43.4)),
                ({"ze": "76X", "libze": "Code mal formé", "reg": "76"}, square(2.0, 43.0))]
    (folder / "ze.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": g} for p, g in features]}), encoding="utf-8")


@pytest.fixture
def zones_package(tmp_path, make_config):
    write_zones(tmp_path)
    make_config(tmp_path, ZONES)
    _, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    return tmp_path / "out", report


def test_declared_level_is_built_checked_and_carried_by_the_manifest(zones_package):
    out, report = zones_package
    package = load_package(out)
    assert package.manifest["levels"] == [{"id": "zone_emploi", "label": "Zone d'emploi", "plural": "zones d'emploi",
                                           "parents": ["region"], "code_pattern": "^\\d{4}$",
                                           "phrase": "sa zone d'emploi"}]
    zones = package.territories.query("level == 'zone_emploi'").set_index("code")
    assert sorted(zones.index) == ["7601", "7602"] and set(zones["region_code"]) == {"76"}
    assert sorted(package.geometry["zone_emploi"]["code"]) == ["7601", "7602"]
    bad = [i for i in report.issues if i.kind == "bad_code"]
    assert [(i.row, i.column) for i in bad] == [(3, "ze")] and "^\\d{4}$" in bad[0].message
    # Communes and quarters name their zone d'emploi; a code that is no zone of the package is emptied, reported.
    links = package.territories.set_index(["level", "code"])["zone_emploi_code"]
    assert links[("commune", "09122")] == "7601" and links[("qpv", "QP009001")] == "7601"
    assert pd.isna(links[("commune", "09225")])
    unknown = next(i for i in report.issues if i.kind == "unknown_parent")
    assert unknown.column == "zone_emploi_code" and "'7699'" in unknown.message
    # Finest first: a zone d'emploi sits just before its finest parent, the région.
    assert levels.level_ids(package.manifest).index("zone_emploi") == levels.level_ids(package.manifest).index("region") - 1


def test_declared_level_shows_its_own_name_on_pages_and_in_the_api(zones_package, dash_app):
    out, _ = zones_package
    previous = state.service()
    service = AtlasService(load_package(out))
    state.set_service(service)
    try:
        assert service.map_levels() == ["zone_emploi"]  # the only level drawn by this package
        # A quarter is compared with the zone d'emploi it names, a zone with France (its région has no value).
        from atlas.mapdata import references_for
        assert [(r.level, r.phrase) for r in references_for(service, "taux-chomage", "qpv")] == [
            ("zone_emploi", "sa zone d'emploi"), ("france", "la France")]
        assert [r.level for r in references_for(service, "taux-chomage", "zone_emploi")] == ["france"]
        from atlas.mapclasses import widest_gaps
        from atlas.mapdata import MapRequest
        gap = MapRequest(indicator="taux-chomage", level="qpv", year=2020, mode="gap", reference="zone_emploi")
        assert widest_gaps(service, gap, ("QP009001",))[["reference", "gap"]].values.tolist() == [[9.5, 11.5]]
        assert service.levels() == ["qpv", "commune", "departement", "zone_emploi", "region", "france"]
        with dash_app.server.test_request_context():
            carte_page = page_for("/", "?niveau=zone_emploi&indicateur=taux-chomage")
            carte = text_of(carte_page)
            about = text_of(page_for("/a-propos", ""))
            data = text_of(page_for("/donnees", ""))
            profile = text_of(page_for("/qpv/QP009001", ""))
            for path in ("/barometre", "/credits", "/comparer"):
                assert text_of(page_for(path, ""))
        level_choice = find(carte_page, "map-level")
        assert level_choice.options == [{"label": "Zone d'emploi", "value": "zone_emploi"}]
        assert level_choice.value == "zone_emploi" and "Intercommunalité" not in carte
        assert "Zone d'emploi : 2" in about
        assert "Zone d'emploi : Foix-Pamiers (7601)" in profile
        assert "Contours — Zone d'emploi" in data
        client = dash_app.server.test_client()
        index = json.loads(client.get("/api/v1/").data)
        assert {"id": "zone_emploi", "label_fr": "Zone d'emploi", "plural_fr": "zones d'emploi",
                "territories": 2} in index["levels"]
        detail = json.loads(client.get("/api/v1/territories/zone_emploi/7601").data)
        assert detail["name"] == "Foix-Pamiers" and [p["code"] for p in detail["parents"]] == ["76", "FR"]
        quarter = json.loads(client.get("/api/v1/territories/qpv/QP009001").data)
        assert [(p["level"], p["code"]) for p in quarter["parents"]] == [
            ("commune", "09122"), ("departement", "09"), ("zone_emploi", "7601"), ("region", "76"), ("france", "FR")]
        listed = json.loads(client.get("/api/v1/territories?level=zone_emploi").data)
        assert [t["code"] for t in listed["items"]] == ["7601", "7602"]
        values = json.loads(client.get("/api/v1/observations?indicator=taux-chomage&level=zone_emploi").data)
        assert [v["value"] for v in values["items"]] == [9.5, 12.25]
        assert client.get("/api/v1/territories?level=zone_inconnue").status_code == 400
    finally:
        state.set_service(previous)


def test_level_declarations_are_checked(tmp_path, make_config):
    make_config(tmp_path, '[[levels]]\nid = "epci"\nlabel = "EPCI"\nplural = "epci"\nparents = ["pays"]\n')
    with pytest.raises(IngestError) as caught:
        load_config(tmp_path / "sources.toml")
    text = str(caught.value)
    assert "levels[0]: level 'epci' is already defined" in text
    assert "levels[0]: 'parents' must list levels among" in text
    make_config(tmp_path, '[[territories]]\nname = "x"\nlevel = "bassin_vie"\nvintage = "v"\nrows = [{ code = "1", name = "a" }]\nfields = { code = "code", name = "name" }\n')
    with pytest.raises(IngestError, match=r"level 'bassin_vie' is not one of .* \(declare other levels in \[\[levels\]\]\)"):
        load_config(tmp_path / "sources.toml")


def test_a_package_whose_codes_break_their_declared_pattern_is_refused(zones_package):
    out, _ = zones_package
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["levels"][0]["code_pattern"] = "^\\d{5}$"
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PackageError, match=r"territories.parquet, row \d+, column 'code': code '7601' does not follow"):
        load_package(out)


THEMES = """
[[themes]]
id = "mobilite"
label = "Mobilité et transports"

[[territories]]
name = "quartiers"
level = "qpv"
vintage = "QPV 2015"
file = "qpv.geojson"
fields = { code = "code", name = "name", departement_code = "dep" }

[[indicators]]
name = "catalogue"
defaults = { source = "Enquête mobilité", licence = "Licence Ouverte 2.0", vintage = "2021", definition = "Part des actifs allant travailler en transports en commun.", decimals = 1, kind = "context", polarity = "higher_is_better", unit = "%" }
rows = [{ id = "part-transports", label_fr = "Part des trajets en transports en commun", label_en = "Public transport share", theme = "mobilite" }, { id = "part-velo", label_fr = "Part du vélo", label_en = "Cycling share", theme = "velo" }]

[[observations]]
name = "transports"
level = "qpv"
rows = [{ code = "QP009001", v = "21.5" }]
fields = { code = "code", indicator = { value = "part-transports" }, period = { value = "2021" }, value = "v" }
"""


def test_declared_theme_files_indicators_under_its_own_title(tmp_path, make_config, dash_app):
    from atlas.profile import build_profile
    from atlas.themes import labels

    (tmp_path / "qpv.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "QP009001", "name": "Centre ancien", "dep": "09"},
         "geometry": square(1.6, 42.9)}]}), encoding="utf-8")
    make_config(tmp_path, THEMES)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    assert package.manifest["themes"] == [{"id": "mobilite", "label": "Mobilité et transports"}]
    assert list(package.indicators["id"]) == ["part-transports"]
    undeclared = next(i for i in report.issues if i.kind == "bad_choice")
    assert undeclared.column == "theme" and undeclared.message.startswith("'velo' is not one of")
    previous = state.service()
    service = AtlasService(load_package(tmp_path / "out"))
    state.set_service(service)
    try:
        profile = build_profile(service, "QP009001")
        assert [(s.id, s.title) for s in profile.sections] == [("mobilite", "Mobilité et transports")]
        assert labels()["mobilite"] == "Mobilité et transports"
        with dash_app.server.test_request_context():
            theme_choice = find(page_for("/", ""), "map-theme")
        assert {"label": "Mobilité et transports", "value": "mobilite"} in theme_choice.options
        client = dash_app.server.test_client()
        listed = json.loads(client.get("/api/v1/indicators?theme=mobilite").data)
        assert [(i["id"], i["theme_label_fr"]) for i in listed["items"]] == [("part-transports",
                                                                               "Mobilité et transports")]
    finally:
        state.set_service(previous)


def test_keep_referenced_works_for_a_declared_level(tmp_path, make_config):
    write_zones(tmp_path)
    make_config(tmp_path, ZONES.replace('fields = { code = "ze", name = "libze", region_code = "reg" }',
                                        'fields = { code = "ze", name = "libze", region_code = "reg" }\nkeep = "referenced"'))
    package, _ = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    # Only 7601 is named by a commune or a quarter (7602 is observed but named by no territory).
    assert package.territories.query("level == 'zone_emploi'")["code"].tolist() == ["7601"]
