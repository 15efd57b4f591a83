# ruff: noqa: E501 — inline TOML tables must stay on one line, so some configuration lines below are long.
"""Capabilities the national configuration needs, each on a small file the test writes (docs/ingestion.md)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from atlas.ingest.config import IngestError, load_config
from atlas.ingest.names import normalise_name
from atlas.ingest.pipeline import build
from atlas.ingest.report import REJECTED, BuildReport

COMMUNES = """
[[territories]]
name = "communes"
level = "commune"
vintage = "COG 2018"
rows = [
    { code = "09122", name = "Foix", dep = "09" },
    { code = "09225", name = "Pamiers", dep = "09" },
    { code = "09160", name = "Lavelanet", dep = "09" },
    { code = "2A004", name = "Ajaccio", dep = "2A" },
    { code = "2B033", name = "Bastia", dep = "2B" },
    { code = "09999", name = "Saint-Jean", dep = "09" },
    { code = "09998", name = "Saint Jean", dep = "09" },
    { code = "09997", name = "Haÿ-les-Roses", dep = "09" },
]
fields = { code = "code", name = "name", departement_code = "dep" }
"""


def run(folder, make_config, extra: str):
    make_config(folder, COMMUNES + extra)
    return build(load_config(folder / "sources.toml"), folder / "out", progress=False)


def territory(package, level, code):
    frame = package.territories
    return frame[(frame["level"] == level) & (frame["code"] == code)].iloc[0]


def test_names_compare_without_accents_case_punctuation_or_article():
    assert normalise_name("L'Haÿ-les-Roses") == normalise_name("Haÿ les Roses") == "haylesroses"
    assert normalise_name("Le Havre") == normalise_name("HAVRE")
    assert normalise_name("M'tsamboro") == normalise_name("Mtsamboro")
    assert normalise_name("Vandœuvre-lès-Nancy") == "vandoeuvrelesnancy"
    assert normalise_name("Lens") != normalise_name("Sens")  # only a leading article word is dropped


def test_lookup_finds_commune_codes_by_name_within_the_departement(tmp_path, make_config):
    (tmp_path / "qpv.csv").write_text(
        "code_qp;communes\n"
        "QP009001;Foix, PAMIERS\n"               # case
        "QP009002;L'Haÿ-les-Roses\n"             # article, accents, apostrophe
        "QP02A001;Foix\n"                        # Foix exists, but not in Corse-du-Sud
        "QP009003;Lavelanet, Atlantis\n"         # one found, one not
        "QP009004;Saint-Jean\n"                  # two communes of the département normalise alike
        "QP009005;Ancienne commune\n",           # merged since: an explicit alias
        encoding="utf-8")
    package, report = run(tmp_path, make_config, """
    [[territories]]
    name = "QPV"
    file = "qpv.csv"
    separator = ";"
    level = "qpv"
    vintage = "QPV 2015"
    derive = { dep = { column = "code_qp", replace = [["^QP0?([0-9][0-9AB]|9[78][0-9])[0-9]{3}$", "\\\\1"]] } }
    lookup = [{ column = "communes", split = ",", level = "commune", parent = "departement_code", within = "dep", into = "found", aliases = { "Ancienne commune" = "09225" } }]
    fields = { code = "code_qp", name = "code_qp", departement_code = "dep", commune_codes = "found", commune_code = { column = "found", extract = "^[^|]+" } }
    """)
    qpv = package.territories.set_index(["level", "code"]).loc["qpv"]
    assert qpv.loc["QP009001", "commune_codes"] == "09122|09225"
    assert qpv.loc["QP009001", "commune_code"] == "09122"
    assert qpv.loc["QP009002", "commune_codes"] == "09997"
    assert pd.isna(qpv.loc["QP02A001", "commune_codes"]) and qpv.loc["QP02A001", "departement_code"] == "2A"
    assert qpv.loc["QP009003", "commune_codes"] == "09160"
    assert pd.isna(qpv.loc["QP009004", "commune_codes"])
    assert qpv.loc["QP009005", "commune_codes"] == "09225"
    unmatched = [i for i in report.issues if i.kind == "unmatched_name"]
    assert [(i.row, i.column) for i in unmatched] == [(3, "communes"), (4, "communes")]
    assert "'Atlantis' not found within departement_code '09'" in unmatched[1].message
    assert all(i.action == "repaired" for i in unmatched)  # the quarter is kept, without that commune
    ambiguous = [i for i in report.issues if i.kind == "ambiguous_name"]
    assert len(ambiguous) == 1 and ambiguous[0].row == 5
    # An anchored extract is not mistaken for a glued code.
    assert not [i for i in report.issues if i.kind == "glued_code"]
    links = report.counts["links"]["qpv"]["QPV 2015"]
    assert links["commune_codes"] == {"linked": 4, "share": round(4 / 6, 4)}


def test_lookup_configuration_mistakes_name_the_step(tmp_path, make_config):
    make_config(tmp_path, COMMUNES + """
    [[territories]]
    name = "QPV"
    rows = [{ code = "QP009001", communes = "Foix" }]
    level = "qpv"
    vintage = "QPV 2015"
    lookup = [{ column = "communes", level = "commune", within = "dep", colour = "red" }]
    fields = { code = "code", name = "code" }
    """)
    with pytest.raises(IngestError) as error:
        load_config(tmp_path / "sources.toml")
    text = str(error.value)
    assert "territories[4] (QPV).lookup[0]: unknown key 'colour'" in text
    assert "lookup[0]: 'into' is required" in text
    assert "'within' (the row's parent code) and 'parent'" in text


def test_shapefile_dbf_without_cpg_is_read_with_the_declared_encoding(tmp_path, make_config):
    frame = gpd.GeoDataFrame({"code_qp": ["QP009001"], "nom_qp": ["Cœur de ville – Nord"]},
                             geometry=[box(1.60, 42.96, 1.61, 42.97)], crs="EPSG:4326")
    pyogrio.write_dataframe(frame, tmp_path / "qp.shp", encoding="cp1252")
    (tmp_path / "qp.cpg").unlink(missing_ok=True)  # as in the official archive: nothing says cp1252
    package, _ = run(tmp_path, make_config, """
    [[territories]]
    name = "QPV"
    file = "qp.shp"
    encoding = "cp1252"
    level = "qpv"
    vintage = "QPV 2015"
    fields = { code = "code_qp", name = "nom_qp", departement_code = { value = "09" } }
    """)
    assert territory(package, "qpv", "QP009001")["name"] == "Cœur de ville – Nord"
    assert len(package.geometry["qpv"]) == 1
    # Without the declaration, 'œ' and '–' (bytes 0x9C and 0x96, control characters in Latin-1) come out wrong.
    assert pyogrio.read_dataframe(tmp_path / "qp.shp")["nom_qp"].iloc[0] != "Cœur de ville – Nord"


def test_derive_joins_with_query_and_candidate_columns_link_contracts(tmp_path, make_config):
    (tmp_path / "qpv.csv").write_text("code_qp,epci,commune\nQP009001,200066231,09122\nQP009002,,09225\n"
                                      "QP02A001,,\nQP009003,,\n", encoding="utf-8")
    (tmp_path / "contrats.csv").write_text("codgeo,code_cv,dep\n200066231,CV001,09\n09225,CV002,09\n"
                                           "2A004,CV003,2A\n", encoding="utf-8")
    package, _ = run(tmp_path, make_config, """
    [[territories]]
    name = "contrats"
    file = "contrats.csv"
    level = "contrat_de_ville"
    vintage = "CV 2015"
    fields = { code = "code_cv", name = "code_cv", departement_code = "dep" }

    [[territories]]
    name = "QPV"
    file = "qpv.csv"
    level = "qpv"
    vintage = "QPV 2015"
    derive = { dep = { column = "code_qp", extract = "(?<=^QP0)[0-9][0-9AB]" } }
    join = [
        { file = "contrats.csv", on = "epci", right_on = "codgeo", columns = { code_cv = "cv_epci" } },
        { file = "contrats.csv", on = "commune", right_on = "codgeo", columns = { code_cv = "cv_commune" } },
        { file = "contrats.csv", on = "dep", right_on = "dep", query = "dep == '2A'", columns = { code_cv = "cv_dep" } },
    ]
    fields = { code = "code_qp", name = "code_qp", departement_code = "dep", contrat_de_ville_code = { column = ["cv_epci", "cv_commune", "cv_dep"] } }
    """)
    contracts = package.territories.set_index("code")["contrat_de_ville_code"]
    assert contracts["QP009001"] == "CV001"  # through the EPCI
    assert contracts["QP009002"] == "CV002"  # through the commune
    assert contracts["QP02A001"] == "CV003"  # the single contract the filtered join allows for 2A
    assert pd.isna(contracts["QP009003"])     # Ariège has two contracts: no guess
    assert territory(package, "qpv", "QP02A001")["departement_code"] == "2A"


def test_explode_and_combine_fold_a_quarter_listed_under_each_commune(tmp_path, make_config):
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.6, 42.96]},
         "properties": {"insee_com": "09122", "code_qp": "QN00901M, QN00902I", "lib_qp": "Centre, Les Bords"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.6, 43.1]},
         "properties": {"insee_com": "09225", "code_qp": "QN00902I", "lib_qp": "Les Bords"}},
    ]
    (tmp_path / "qp2024.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    package, report = run(tmp_path, make_config, """
    [[territories]]
    name = "QPV 2024"
    file = "qp2024.geojson"
    level = "qpv"
    vintage = "QPV 2024"
    geometry = false
    explode = { columns = ["code_qp", "lib_qp"] }
    combine = { commune_codes = "|" }
    fields = { code = "code_qp", name = "lib_qp", commune_code = "insee_com", commune_codes = "insee_com" }
    """)
    qpv = package.territories[package.territories["level"] == "qpv"].set_index("code")
    assert list(qpv.index) == ["QN00901M", "QN00902I"]
    assert qpv.loc["QN00902I", "commune_codes"] == "09122|09225"
    assert qpv.loc["QN00902I", "commune_code"] == "09122" and qpv.loc["QN00902I", "name"] == "Les Bords"
    assert qpv.loc["QN00902I", "departement_code"] == "09"  # inherited from the commune
    assert qpv[["lon", "lat"]].isna().all().all() and "qpv" not in package.geometry
    assert not [i for i in report.issues if i.kind == "duplicate"]
    [combined] = [i for i in report.issues if i.kind == "combined"]  # the second listing of QN00902I, merged
    assert (combined.row, combined.action) == (2, "repaired") and "QN00902I" in combined.message


def test_explode_refuses_lists_of_different_lengths(tmp_path, make_config):
    (tmp_path / "qp.csv").write_text('code,names\n"QN1, QN2",Seul\n', encoding="utf-8")
    make_config(tmp_path, """
    [[territories]]
    name = "QPV 2024"
    file = "qp.csv"
    level = "qpv"
    vintage = "QPV 2024"
    explode = { columns = ["code", "names"] }
    fields = { code = "code", name = "names" }
    """)
    with pytest.raises(IngestError, match=r"qp.csv, row 1, column 'code': the lists of code, names have different"):
        build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)


INDICATORS = """
[[indicators]]
name = "catalogue"
defaults = { source = "test", licence = "LO 2.0", vintage = "2018", kind = "result", decimals = 1, theme = "emploi", polarity = "higher_is_worse", definition = "d" }
rows = [{ id = "taux-chomage", label_fr = "Chômage", label_en = "Unemployment", unit = "%", range = [0, 100] },
        { id = "population", label_fr = "Population", label_en = "Population", unit = "hab." }]
"""


def test_expression_constant_indicator_and_whole_number_tolerance(tmp_path, make_config):
    (tmp_path / "rp.csv").write_text("CODGEO;CHOM;ACT;POP\n09122;120,5;1000;9646.00000000001\n"
                                     "09225;10;0;2,5\n", encoding="utf-8")
    package, report = run(tmp_path, make_config, INDICATORS + """
    [[observations]]
    name = "chômage"
    file = "rp.csv"
    separator = ";"
    decimal = ","
    level = "commune"
    missing_status = "drop"
    fields = { code = "CODGEO", period = { value = "2018" }, indicator = { value = "taux-chomage" }, value = { expression = "CHOM / ACT * 100" } }

    [[territories]]
    name = "population"
    file = "rp.csv"
    separator = ";"
    decimal = ","
    level = "commune"
    mode = "update"
    fields = { code = "CODGEO", population = "POP" }
    """)
    obs = package.observations.set_index("code")
    assert obs.loc["09122", "value"] == pytest.approx(12.05)
    assert "09225" not in obs.index  # 10 / 0 has no value: dropped as an empty cell, not infinite
    foix = territory(package, "commune", "09122")
    assert foix["population"] == 9646  # float noise of a whole number is accepted
    bad = [i for i in report.issues if i.kind == "not_a_whole_number"]
    assert [(i.row, i.column) for i in bad] == [(2, "POP")]  # 2.5 still is not


def test_same_as_keeps_a_better_spelling_only_for_the_same_name(tmp_path, make_config):
    (tmp_path / "geo.csv").write_text("code,nom\n76351,Havre\n50129,Cherbourg-en-Cotentin\n", encoding="utf-8")
    (tmp_path / "grille.csv").write_text("insee_com,lib_com\n76351,Le Havre\n50129,Cherbourg-Octeville-Nouvelle\n",
                                         encoding="utf-8")
    package, _ = run(tmp_path, make_config, """
    [[territories]]
    name = "autres communes"
    file = "geo.csv"
    level = "commune"
    vintage = "COG 2018"
    join = [{ file = "grille.csv", on = "code", right_on = "insee_com", columns = ["lib_com"] }]
    fields = { code = "code", name = { column = "lib_com", same_as = "nom" } }
    """)
    assert territory(package, "commune", "76351")["name"] == "Le Havre"
    assert territory(package, "commune", "50129")["name"] == "Cherbourg-en-Cotentin"


def test_extract_with_groups_and_mistakes_name_the_step(tmp_path, make_config):
    (tmp_path / "qpv.csv").write_text("code,nom\nQP009001,Centre\n", encoding="utf-8")
    package, _ = run(tmp_path, make_config, """
    [[territories]]
    name = "QPV"
    file = "qpv.csv"
    level = "qpv"
    vintage = "QPV 2015"
    fields = { code = "code", name = "nom", departement_code = { column = "code", extract = "(?:0)(9)", replace = [["^QP", ""]] } }
    """)
    assert territory(package, "qpv", "QP009001")["departement_code"] == "09"  # the whole match, groups or not
    make_config(tmp_path, """
    [[territories]]
    name = "QPV"
    file = "qpv.csv"
    level = "qpv"
    fields = { code = "code", name = "nom" }
    """)
    with pytest.raises(IngestError, match=r"territories\[3\] \(QPV\): 'vintage' is required"):
        load_config(tmp_path / "sources.toml")



def test_markdown_report_keeps_one_line_per_issue_whatever_the_data_holds():
    report = BuildReport("sources.toml")
    report.add("contrats", REJECTED, "duplicate", "duplicate key (code) = (CV368\r\nCV368)", file="cv.csv", row=3,
               column="code")
    report.finish("ok")
    text = report.to_markdown()
    assert "\r" not in text
    assert "- cv.csv, row 3, column 'code': duplicate key (code) = (CV368\\r\\nCV368)" in text.splitlines()


def test_join_on_several_columns(tmp_path, make_config):
    # Baseline and target of one indicator sit on different rows: join them on (code, indicator), whatever the order.
    (tmp_path / "cibles.csv").write_text("dep,ind,date,valeur\n09,a,2021-01-01,10\n2A,a,2021-01-01,30\n"
                                         "09,b,2021-01-01,5\n", encoding="utf-8")
    (tmp_path / "objectifs.csv").write_text("ind,dep,cible\nb,09,6\na,2A,35\na,09,12\n,09,99\n", encoding="utf-8")
    make_config(tmp_path, """
    [[indicators]]
    name = "catalogue"
    defaults = { source = "s", licence = "l", vintage = "2021", definition = "d", decimals = 0, kind = "means", theme = "emploi", polarity = "higher_is_better", unit = "n", ministry = "travail" }
    rows = [{ id = "a", label_fr = "A", label_en = "A" }, { id = "b", label_fr = "B", label_en = "B" }]

    [[commitments]]
    name = "cibles"
    file = "cibles.csv"
    join = [{ file = "objectifs.csv", on = ["dep", "ind"], right_on = ["dep", "ind"], columns = ["cible"], zero_pad = 2 }]
    fields = { id = { template = "{ind}-{dep}" }, measure = "ind", indicator = "ind", scope_level = { value = "departement" }, scope_code = "dep", baseline_date = "date", baseline_value = "valeur", target_date = { value = "2024-12-31" }, target_value = "cible" }
    """)
    package, _ = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    targets = package.commitments.set_index("id")["target_value"].to_dict()
    assert targets == {"a-09": 12, "a-2A": 35, "b-09": 6}
    make_config(tmp_path, """
    [[territories]]
    name = "x"
    file = "cibles.csv"
    level = "departement"
    vintage = "v"
    join = [{ file = "objectifs.csv", on = ["dep", "ind"], right_on = "dep" }]
    fields = { code = "dep", name = "dep" }
    """)
    with pytest.raises(IngestError, match="'on' and 'right_on' name 2 and 1 columns"):
        build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)


def test_points_outside_their_parent_shape_are_reported_and_emptied(tmp_path, make_config):
    def collection(features):
        return json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features]})

    (tmp_path / "deps.geojson").write_text(collection([
        ({"code": "09", "nom": "Ariège"}, {"type": "Polygon", "coordinates": [[[1, 42.5], [2, 42.5], [2, 43.2],
                                                                                [1, 43.2], [1, 42.5]]]})]))
    (tmp_path / "cv.geojson").write_text(collection([
        ({"code": "CV001", "dep": "09"}, {"type": "Point", "coordinates": [1.6, 42.96]}),     # in Ariège
        ({"code": "CV002", "dep": "09"}, {"type": "Point", "coordinates": [-4.3, 45.3]}),     # an inset at sea
        ({"code": "CV003", "dep": "09"}, {"type": "Point", "coordinates": [2.005, 43.0]}),    # on the simplified edge
        ({"code": "CV004", "dep": "2B"}, {"type": "Point", "coordinates": [-4.0, 45.0]}),     # no shape to check
    ]))
    contracts = """
    title = "test"

    [[territories]]
    name = "départements dessinés"
    file = "deps.geojson"
    level = "departement"
    vintage = "COG 2018"
    fields = { code = "code", name = "nom" }

    [[territories]]
    name = "contrats"
    file = "cv.geojson"
    level = "contrat_de_ville"
    vintage = "CV 2015"
    fields = { code = "code", name = "code", departement_code = "dep" }
    inside_parent = { parent = "departement_code"ACTION }
    """
    make_config(tmp_path, contracts.replace("ACTION", ""), base=False)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    points = package.territories.set_index("code")[["lon", "lat"]]
    assert points.loc["CV001"].notna().all() and points.loc["CV003"].notna().all()
    assert points.loc["CV002"].isna().all() and points.loc["CV004"].notna().all()
    [outside] = [i for i in report.issues if i.kind == "outside_parent"]
    assert (outside.row, outside.action) == (2, "repaired") and "outside its departement '09'" in outside.message
    make_config(tmp_path, contracts.replace("ACTION", ', action = "reject"'), base=False)
    package, _ = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    assert "CV002" not in set(package.territories["code"])


def test_drop_exact_removes_appended_copies_before_suffixing_repeated_ids(tmp_path, make_config):
    posts = [{"id_poste": "P1", "annee": 2021, "montant": 100.0}, {"id_poste": "P2", "annee": 2021, "montant": 50.0},
             {"id_poste": "P2", "annee": 2021, "montant": 20.0}]  # P2 twice with its own amounts: two posts
    (tmp_path / "posts-a.json").write_text(json.dumps(posts), encoding="utf-8")
    (tmp_path / "posts-b.json").write_text(json.dumps(posts[:2]), encoding="utf-8")  # the same lines appended again
    make_config(tmp_path, """
    [[credits]]
    name = "postes"
    file = "posts-*.json"
    drop_exact = true
    duplicates = "suffix"
    fields = { id = { template = "p-{annee}-{id_poste}" }, year = "annee", programme = { value = "P147" }, ministry = { value = "culture" }, theme = { value = "culture" }, carrier = { value = "x" }, amount_eur = "montant", level = { value = "france" }, code = { value = "FR" } }
    """)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    credits = package.credits.set_index("id")["amount_eur"].to_dict()
    assert credits == {"p-2021-P1": 100.0, "p-2021-P2": 50.0, "p-2021-P2-2": 20.0}  # 170, not 320
    dropped = [(i.file, i.row) for i in report.issues if i.kind == "duplicate_identical"]
    assert dropped == [("posts-b.json", 1), ("posts-b.json", 2)]
    assert "identical in every column to posts-a.json, row 1; dropped" in report.issues[0].message
