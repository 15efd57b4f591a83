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
rows = [{ code = "09122", name = "Foix", dep = "09" }, { code = "09225", name = "Pamiers", dep = "09" }, { code = "09160", name = "Lavelanet", dep = "09" }]
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


@pytest.fixture
def typology(tmp_path, make_config):
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
