# ruff: noqa: E501 — inline TOML tables must stay on one line, so some configuration lines below are long.
"""Categorical indicators: classes declared in the catalogue, values mapped on a wide file, stored as class
numbers, validated, and shown as labels (profile) and one colour per class (map legend) (docs/ingestion.md)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from atlas import categories
from atlas.ingest.config import load_config
from atlas.ingest.pipeline import build
from atlas.package import PackageError, load_package

TYPOLOGY = """
[[territories]]
name = "communes"
level = "commune"
vintage = "COG 2018"
file = "communes.geojson"
fields = { code = "code", name = "name", departement_code = "dep" }

[[territories]]
name = "quartiers"
level = "qpv"
vintage = "QPV 2015"
rows = [{ code = "QP009001", name = "Centre ancien", com = "09122" }]
fields = { code = "code", name = "name", commune_code = "com" }

[[indicators]]
name = "catalogue"
defaults = { source = "INSEE", licence = "Licence Ouverte 2.0", vintage = "2020", definition = "Statut de la commune dans son unité urbaine.", decimals = 0, theme = "demographie", polarity = "neutral", unit = "classe" }
rows = [{ id = "statut-urbain", label_fr = "Statut urbain", label_en = "Urban status", kind = "category" }, { id = "population", label_fr = "Population", label_en = "Population", kind = "context", unit = "habitants" }]
catalogue = { "statut-urbain" = { classes = [{ code = "C", label = "Ville-centre" }, { code = "B", label = "Banlieue" }, { code = "R", label = "Commune rurale", colour = "#2A9D8F" }] } }

[[observations]]
name = "statut des communes"
file = "statut.csv"
separator = ";"
level = "commune"
wide = { statut2020 = { indicator = "statut-urbain", period = "2020" }, statut2021 = { indicator = "statut-urbain", period = "2021" } }
fields = { code = "codgeo", value = { map = { centre = "C", banlieue = "B", rural = "R" } } }

[[observations]]
name = "statut des quartiers"
level = "qpv"
rows = [{ code = "QP009001", statut = "C" }]
fields = { code = "code", indicator = { value = "statut-urbain" }, period = { value = "2021" }, value = "statut" }
"""

STATUTS = ("codgeo;statut2020;statut2021\n"
           "09122;centre;centre\n"
           "09225;banlieue;périurbain\n"       # a class the catalogue does not list
           "09160;rural;\n")


def write_communes(folder):
    def square(x, y):
        return {"type": "Polygon", "coordinates": [[[x, y], [x + .1, y], [x + .1, y + .1], [x, y + .1], [x, y]]]}
    features = [{"type": "Feature", "properties": {"code": code, "name": name, "dep": "09"}, "geometry": square(x, 42.9)}
                for code, name, x in (("09122", "Foix", 1.6), ("09225", "Pamiers", 1.7), ("09160", "Lavelanet", 1.8))]
    (folder / "communes.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                                             encoding="utf-8")


@pytest.fixture
def typology(tmp_path, make_config):
    write_communes(tmp_path)
    (tmp_path / "statut.csv").write_text(STATUTS, encoding="utf-8")
    make_config(tmp_path, TYPOLOGY)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    return tmp_path / "out", package, report


def test_classes_are_declared_mapped_stored_as_numbers_and_checked(typology):
    out, package, report = typology
    classes = json.loads(package.indicators.set_index("id").loc["statut-urbain", "classes"])
    assert classes == [{"code": "C", "label": "Ville-centre", "colour": categories.QUALITATIVE[0]},
                       {"code": "B", "label": "Banlieue", "colour": categories.QUALITATIVE[1]},
                       {"code": "R", "label": "Commune rurale", "colour": "#2a9d8f"}]
    assert pd.isna(package.indicators.set_index("id").loc["population", "classes"])
    obs = package.observations.query("indicator == 'statut-urbain' and level == 'commune'")
    stored = {(r.code, r.period): (r.value, r.status) for r in obs.itertuples()}
    assert stored[("09122", "2020")] == (1.0, "ok") and stored[("09225", "2020")] == (2.0, "ok")
    assert stored[("09160", "2020")] == (3.0, "ok") and stored[("09160", "2021")][1] == "missing"
    assert ("09225", "2021") not in stored
    bad = [i for i in report.issues if i.kind == "bad_class"]
    assert [(i.file, i.row, i.column) for i in bad] == [("statut.csv", 2, "statut2021")]
    assert bad[0].message == "'périurbain' is not a class of indicator 'statut-urbain' (classes: C, B, R)"
    assert load_package(out).indicators is not None  # the package validates


def test_a_category_indicator_without_valid_classes_is_rejected(tmp_path, make_config):
    write_communes(tmp_path)
    (tmp_path / "statut.csv").write_text(STATUTS, encoding="utf-8")
    make_config(tmp_path, TYPOLOGY.replace('{ code = "B", label = "Banlieue" }', '{ code = "C", label = "Banlieue" }'))
    _, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    issue = next(i for i in report.issues if i.kind == "bad_classes")
    assert issue.column == "classes" and "code 'C' is listed twice" in issue.message


def test_a_stored_value_naming_no_class_is_refused_at_load(typology):
    out, package, _ = typology
    obs = package.observations.copy()
    obs.loc[obs["indicator"].eq("statut-urbain") & obs["value"].eq(3.0), "value"] = 4.0
    obs.to_parquet(out / "observations.parquet", index=False)
    with pytest.raises(PackageError, match=r"observations.parquet, row \d+, column 'value': 4.0 is not the number "
                                           r"of a class of indicator 'statut-urbain' \(1 to 3\)"):
        load_package(out, verify_checksums=False)


@pytest.fixture
def typology_service(typology, dash_app):
    from atlas.service import AtlasService
    from callbacks import state

    out, _, _ = typology
    previous = state.service()
    state.set_service(AtlasService(load_package(out)))
    yield state.service()
    state.set_service(previous)


def test_map_colours_each_class_and_its_legend_names_them(typology_service):
    from atlas.mapclasses import map_payload
    from atlas.mapdata import MapRequest, references_for
    from callbacks import map as map_callbacks
    from callbacks.map_table import table_records
    from layouts.map_legend import comparison_note, legend
    from tests.test_routes import text_of

    svc = typology_service
    request = MapRequest.build(svc, indicator="statut-urbain", level="commune", year=2020, mode="gap")
    assert request.mode == "value" and references_for(svc, "statut-urbain", "commune") == ()
    assert request.level == "commune"
    codes = svc.static_layer("commune").codes
    assert codes == ("09122", "09160", "09225")
    payload = map_payload(svc, request, codes)
    assert payload.categorical and payload.colors == (*categories.QUALITATIVE[:2], "#2a9d8f")
    # 2020: centre, banlieue, rural; 2021: centre, rejected (no value), empty (missing).
    assert dict(zip(payload.years, payload.classes, strict=True)) == {2020: "021", 2021: "0--"}
    assert payload.browser_view("u")["categories"] == ["Ville-centre", "Banlieue", "Commune rurale"]
    shown = legend(payload, 2020)
    swatches = [(li.children[0].style["background"], li.children[1]) for li in shown.children[1].children]
    assert swatches[:3] == [(categories.QUALITATIVE[0], "Ville-centre"), (categories.QUALITATIVE[1], "Banlieue"),
                            ("#2a9d8f", "Commune rurale")]
    assert swatches[-1][1] == "Sans valeur" and "ne sont pas ordonnées" in text_of(shown)
    assert "ni seuils, ni rang" in text_of(comparison_note(payload, 2020, "Quantiles", True))
    outputs = map_callbacks.map_outputs(request, "aucun", None)
    assert outputs[-1] is True  # the class-scheme controls are hidden
    gap = next(o for o in outputs[10] if o["value"] == "gap")
    assert gap["disabled"] and "sans objet pour une typologie" in gap["label"]
    rows, columns = table_records(request)
    by_code = {r["code"]: r for r in rows}
    assert by_code["09225"]["valeur"] == "Banlieue" and "rang" not in by_code["09225"]
    assert next(c for c in columns if c["id"] == "valeur")["name"] == "Classe"


def test_profile_names_the_class_and_draws_no_curve(typology_service):
    from atlas.profile import build_profile
    from callbacks.compare import compare_view
    from layouts.profile import key_figure_card
    from tests.test_routes import text_of

    profile = build_profile(typology_service, "QP009001")
    figure = next(f for f in profile.figures if f.indicator == "statut-urbain")
    assert figure.text("qpv") == "Ville-centre" and figure.text("commune") == "Ville-centre"
    assert figure.sentence == "Statut urbain, 2021 : Ville-centre dans le quartier, contre Ville-centre dans la " \
                              "commune (Foix)."
    assert figure.gap == "" and figure.verdict is None and figure.reference == ()
    card = text_of(key_figure_card(figure))
    assert "Ville-centre" in card and "Classe du quartier — 2021 : Ville-centre." in card and "1,0" not in card
    view = compare_view(typology_service, "?codes=qpv:QP009001&indicateurs=statut-urbain")
    assert view.chosen == () and "statut-urbain" not in {o["value"] for o in view.options}


def test_api_gives_the_classes_of_a_typology(typology_service, dash_app):
    client = dash_app.server.test_client()
    item = json.loads(client.get("/api/v1/indicators/statut-urbain").data)
    assert item["kind"] == "category" and [c["label"] for c in item["classes"]] == ["Ville-centre", "Banlieue",
                                                                                    "Commune rurale"]
    assert item["classes"][0]["value"] == 1
    assert json.loads(client.get("/api/v1/indicators/population").data)["classes"] is None
