"""End-to-end builds on small fixtures: every quirk handled, reported with file, row and column."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box, mapping

from atlas.ingest import pipeline
from atlas.ingest.config import load_config
from atlas.ingest.pipeline import build, failed_report_path
from atlas.package import load_package, sha256_of

BOWTIE = Polygon([(1.40, 42.90), (1.50, 43.00), (1.50, 42.90), (1.40, 43.00), (1.40, 42.90)])  # self-intersecting


def write_geojson(path, rows):
    features = [{"type": "Feature", "properties": props, "geometry": mapping(geom)} for props, geom in rows]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def issues(report, kind=None, step=None):
    return [i for i in report.issues if (kind is None or i.kind == kind) and (step is None or i.step == step)]


QPV_TOML = """
[[territories]]
name = "QPV"
file = "qpv.geojson"
level = "qpv"
vintage = "QPV 2015"
fields = { code = "code_qp", name = "nom_qp", departement_code = { column = "dep", zero_pad = 2 } }

[[indicators]]
name = "catalogue"
defaults = { source = "test", licence = "LO 2.0", vintage = "2017", kind = "result", decimals = 1 }

[[indicators.rows]]
id = "taux-pauvrete"
label_fr = "Taux de pauvreté"
label_en = "Poverty rate"
theme = "revenus"
unit = "%"
polarity = "higher_is_worse"
definition = "d"
range = [0, 100]

[[indicators.rows]]
id = "population"
label_fr = "Population"
label_en = "Population"
theme = "demographie"
unit = "hab."
polarity = "neutral"
kind = "context"
definition = "d"
decimals = 0

[[observations]]
name = "indicateurs QPV"
file = "indicateurs.csv"
separator = ";"
decimal = ","
encoding = "latin-1"
level = "qpv"
missing_status = "secret"
fields = { code = "code_qp" }
wide = { tp60 = { indicator = "taux-pauvrete", period = "2017" }, pop = { indicator = "population", period = "2015" } }
"""


@pytest.fixture
def qpv_folder(tmp_path, make_config):
    write_geojson(tmp_path / "qpv.geojson", [
        ({"code_qp": "QP009001", "nom_qp": "Cœur de ville", "dep": 9}, BOWTIE),
        ({"code_qp": "QP009002", "nom_qp": "Centre ancien", "dep": "09"}, box(1.6, 42.9, 1.61, 42.91)),
        ({"code_qp": "QP009002", "nom_qp": "Doublon", "dep": "09"}, box(1.7, 42.9, 1.71, 42.91)),
        ({"code_qp": "QP02A001", "nom_qp": "Les Salines", "dep": "2A"}, box(8.7, 41.9, 8.72, 41.92)),
        ({"code_qp": "QP099001", "nom_qp": "Nulle part", "dep": "99"}, box(2.0, 45.0, 2.01, 45.01)),
    ])
    csv = ("code_qp;tp60;pop\n"
           "QP009001;40,2;1177\n"  # row 1
           "QP009002;abc;900\n"  # row 2: not a number
           "QP02A001;140;2 100\n"  # row 3: poverty rate out of range, population with a thousands space
           "QP999999;12,0;10\n"  # row 4: unknown QPV
           "QP099001;;55\n")  # row 5: empty cell = statistical secret
    (tmp_path / "indicateurs.csv").write_bytes(csv.encode("latin-1"))
    make_config(tmp_path, QPV_TOML)
    return tmp_path


def test_qpv_build_repairs_reports_and_joins_parents(qpv_folder):
    package, report = build(load_config(qpv_folder / "sources.toml"), qpv_folder / "out", progress=False)
    terr = package.territories.set_index(["level", "code"])
    assert sorted(terr.loc["qpv"].index) == ["QP009001", "QP009002", "QP02A001", "QP099001"]
    assert terr.loc[("qpv", "QP009001"), "departement_code"] == "09"  # 9 zero-padded
    assert terr.loc[("qpv", "QP009001"), "region_code"] == "76"  # inherited from its département
    assert terr.loc[("qpv", "QP02A001"), "region_code"] == "94"
    assert terr.loc[("qpv", "QP009002"), "name"] == "Centre ancien"  # first of the duplicates kept
    assert pd.isna(terr.loc[("qpv", "QP099001"), "departement_code"])  # unknown parent emptied

    [repaired] = issues(report, "invalid_geometry")
    assert (repaired.file, repaired.row, repaired.column) == ("qpv.geojson", 1, "geometry")
    assert repaired.action == "repaired"
    [duplicate] = issues(report, "duplicate", "QPV")
    assert (duplicate.row, duplicate.action) == (3, "rejected")
    [parent] = issues(report, "unknown_parent")
    assert (parent.file, parent.row, parent.column) == ("qpv.geojson", 5, "departement_code")

    [not_number] = issues(report, "not_a_number")
    assert (not_number.file, not_number.row, not_number.column) == ("indicateurs.csv", 2, "tp60")
    [out_of_range] = issues(report, "out_of_range")
    assert (out_of_range.row, out_of_range.column) == (3, "tp60")
    assert "140" in out_of_range.message
    unknown = issues(report, "unknown_territory")
    assert {(i.row, i.column) for i in unknown} == {(4, "code_qp")}
    assert len(unknown) == 2  # both values of the unknown QPV's row

    obs = package.observations.set_index(["code", "indicator"])
    assert obs.loc[("QP009001", "taux-pauvrete"), "value"] == pytest.approx(40.2)
    assert obs.loc[("QP02A001", "population"), "value"] == 2100
    assert obs.loc[("QP009001", "population"), "period"] == "2015"
    secret = obs.loc[("QP099001", "taux-pauvrete")]
    assert secret["status"] == "secret" and pd.isna(secret["value"])

    shapes = package.geometry["qpv"]
    assert shapes.crs.to_epsg() == 4326
    assert shapes.geometry.is_valid.all()
    coords = shapely.get_coordinates(shapes.geometry.to_numpy())
    assert (abs(coords * 1e5 - (coords * 1e5).round()) < 1e-6).all()  # snapped to 1e-5°
    assert terr.loc[("qpv", "QP02A001"), "area_km2"] > 0


def test_report_files_list_every_row(qpv_folder):
    out = qpv_folder / "out"
    _, report = build(load_config(qpv_folder / "sources.toml"), out, progress=False)
    data = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    assert data["status"] == "ok"
    assert data["totals"] == report.tally()
    assert len(data["issues"]) == len(report.issues)
    assert {"step", "action", "kind", "message", "file", "row", "column"} <= set(data["issues"][0])
    step = next(s for s in data["steps"] if s["step"] == "indicateurs QPV")
    assert step["rows_read"] == 5 and step["files"] == ["indicateurs.csv"]
    assert data["counts"]["territories"]["qpv"] == 4
    markdown = (out / "build-report.md").read_text(encoding="utf-8")
    assert "invalid_geometry" in markdown and "indicateurs.csv, row 2, column 'tp60'" in markdown
    load_package(out)  # the report files do not disturb the package


CREDITS_TOML = """
[[territories]]
name = "contrats de ville"
file = "cv.geojson"
level = "contrat_de_ville"
vintage = "CV 2015"
patches = [{ code = "CV368", departement_code = "2B", reason = "Corsican contract without département" }]
blank = [{ columns = ["lon", "lat"], where = "departement_code.fillna('').str.startswith('97')", reason = "inset" }]

[territories.fields]
code = "code_cv"
name = { column = "lib_cv", replace = [["^\\\\S+ - ", ""]] }
departement_code = "insee_dep"

[[credits]]
name = "postes"
file = "postes-*.json"
duplicates = "suffix"
fallback = [{ level = "departement", code = { column = "insee_dep", zero_pad = 2 } }]

[credits.fields]
id = { template = "p-{annee}-{id_poste}" }
year = "annee"
programme = { value = "P147" }
ministry = { value = "transition_ecologique" }
theme = { value = "education" }
carrier = "raison_sociale"
amount_eur = "montant"
level = { value = "contrat_de_ville" }
code = { column = "code_cv", extract = "CV\\\\d{3}" }
"""


def post(post_id, amount, year, code_cv, insee_dep) -> dict:
    return {"id_poste": post_id, "raison_sociale": f"Asso {post_id}", "montant": amount, "annee": year,
            "code_cv": code_cv, "insee_dep": insee_dep}


@pytest.fixture
def credits_folder(tmp_path, make_config):
    write_geojson(tmp_path / "cv.geojson", [
        ({"code_cv": "CV010", "lib_cv": "09 - Foix", "insee_dep": "09"}, shapely.Point(1.6, 42.96)),
        ({"code_cv": "CV368", "lib_cv": "NA - CA de Bastia", "insee_dep": None}, shapely.Point(9.4, 42.7)),
        ({"code_cv": "CV380", "lib_cv": "973 - Cayenne", "insee_dep": "973"}, shapely.Point(-2.5, 43.0)),
    ])
    posts = {
        "postes-2022.json": [
            post("A", 7164.0, 2022, "CV010", "09"),
            post("A", 7164.0, 2022, "CV010", "09"),
            post("B", 3582.0, 2022, "CV368CV010", "2B"),  # glued codes
        ],
        "postes-2023.json": [  # years are strings in this file, as in postes-fonjep-2023.json
            post("C", 7164, "2023", None, "9"),  # no contract: goes to its département
            post("D", 7164, "2023", None, None),  # cannot be located
            post("E", -5, "2023", "CV010", "09"),  # negative amount
        ],
    }
    for name, rows in posts.items():
        (tmp_path / name).write_text(json.dumps(rows), encoding="utf-8")
    make_config(tmp_path, CREDITS_TOML)
    return tmp_path


def test_credits_glued_codes_fallbacks_years_and_duplicates(credits_folder):
    package, report = build(load_config(credits_folder / "sources.toml"), credits_folder / "out", progress=False)
    credits = package.credits.set_index("id")
    assert list(credits.index) == ["p-2022-A", "p-2022-A-2", "p-2022-B", "p-2023-C"]
    assert credits["year"].tolist() == [2022, 2022, 2022, 2023]  # int and string years alike
    assert credits.loc["p-2022-B", "code"] == "CV368"  # first of the glued codes
    assert (credits.loc["p-2023-C", "level"], credits.loc["p-2023-C", "code"]) == ("departement", "09")
    assert credits.groupby("year")["amount_eur"].sum().to_dict() == {2022: 17910.0, 2023: 7164.0}

    [glued] = issues(report, "glued_code")
    assert (glued.file, glued.row, glued.column) == ("postes-2022.json", 3, "code_cv")
    assert "CV368CV010" in glued.message
    [suffixed] = issues(report, "duplicate_id")
    assert suffixed.row == 2 and suffixed.action == "repaired"
    [fallback] = issues(report, "fallback_territory")
    assert (fallback.file, fallback.row) == ("postes-2023.json", 1)
    [unlocated] = issues(report, "unlocated")
    assert (unlocated.file, unlocated.row, unlocated.action) == ("postes-2023.json", 2, "rejected")
    [negative] = issues(report, "out_of_range")
    assert (negative.file, negative.row, negative.column) == ("postes-2023.json", 3, "montant")

    terr = package.territories.set_index(["level", "code"])
    assert terr.loc[("contrat_de_ville", "CV368"), "name"] == "CA de Bastia"
    assert terr.loc[("contrat_de_ville", "CV368"), "region_code"] == "94"
    assert terr.loc[("contrat_de_ville", "CV010"), "lon"] == pytest.approx(1.6)
    assert pd.isna(terr.loc[("contrat_de_ville", "CV380"), "lon"])  # overseas inset blanked
    assert {i.kind for i in issues(report, step="contrats de ville")} == {"patched", "blanked"}


BAROMETER_TOML = """
[[indicators]]
name = "catalogue"
file = "detail.csv"
defaults = { source = "test", licence = "LO 2.0", vintage = "2017-2022", kind = "result", decimals = 1 }

[indicators.fields]
id = "id_indicateur"
label_fr = "indicateur"
unit = "unite"
definition = { template = "Mesure : {mesure}." }

[indicators.catalogue]
"tx-a" = { label_en = "A", theme = "education", ministry = "education", polarity = "neutral", frequency = "annual" }
"nb-b" = { label_en = "B", theme = "services", polarity = "higher_is_better", frequency = "quarterly" }

[[observations]]
name = "détail"
file = "detail.csv"
level = "departement"

[observations.fields]
code = { column = "code_departement", zero_pad = 2 }
indicator = "id_indicateur"
period = { column = "date", frequency = "indicator" }
value = "valeur"

[[commitments]]
name = "cibles"
file = "synthese.csv"

[commitments.fields]
id = { template = "{id_indicateur}-{code_departement}" }
measure = "mesure"
indicator = "id_indicateur"
scope_level = { value = "departement" }
scope_code = "code_departement"
baseline_date = "date_valeur_initiale"
baseline_value = "valeur_initiale"
target_date = "date_cible"
target_value = "cible"
"""


def test_long_series_periods_and_commitments(tmp_path, make_config):
    (tmp_path / "detail.csv").write_text(
        "mesure,indicateur,id_indicateur,code_departement,date,valeur,unite\n"
        "Classes,Taux A,tx-a,09,2021-09-30,90.0,%\n"
        "Classes,Taux A,tx-a,09,2021-10-31,95.0,%\n"  # same year: the later date wins, the earlier is reported
        "Classes,Taux A,tx-a,2A,2022-09-30,97.0,%\n"
        "Services,Nombre B,nb-b,9,2021-06-30,3.0,lieux\n"
        "Services,Nombre B,nb-b,2B,2021-13-31,4.0,lieux\n"  # bad date
        "Services,Nombre B,nb-b,75,2021-06-30,4.0,lieux\n",  # unknown département
        encoding="utf-8")
    (tmp_path / "synthese.csv").write_text(
        "mesure,id_indicateur,code_departement,valeur_initiale,date_valeur_initiale,cible,date_cible\n"
        "Classes ,tx-a,09,80.0,2019-09-30,100.0,2022-09-30\n"
        "Classes ,tx-a,2A,,,100.0,2022-09-30\n"  # no baseline
        "Services,nb-b,09,1.0,2020-06-30,,\n",  # indicator of no ministry among the seven
        encoding="utf-8")
    make_config(tmp_path, BAROMETER_TOML)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    obs = package.observations.set_index(["code", "indicator"])
    assert obs.loc[("09", "tx-a"), "period"] == "2021" and obs.loc[("09", "tx-a"), "value"] == 95.0
    assert obs.loc[("09", "nb-b"), "period"] == "2021-Q2"
    assert len(package.observations) == 3
    [duplicate] = issues(report, "duplicate", "détail")
    assert duplicate.row == 1
    [bad_date] = issues(report, "bad_date")
    assert (bad_date.row, bad_date.column) == (5, "date")
    [unknown] = issues(report, "unknown_territory")
    assert unknown.row == 6
    indicators = package.indicators.set_index("id")
    assert indicators.loc["tx-a", "label_fr"] == "Taux A"
    assert indicators.loc["tx-a", "definition"] == "Mesure : Classes."

    commitment = package.commitments.set_index("id").loc["tx-a-09"]
    assert (commitment["ministry"], commitment["measure"]) == ("education", "Classes")
    assert (commitment["baseline_date"], commitment["target_value"]) == ("2019-09-30", 100.0)
    assert {(i.kind, i.row) for i in issues(report, step="cibles")} == {("missing_value", 2), ("no_ministry", 3)}


def test_update_mode_collapse_and_join(tmp_path, make_config):
    write_geojson(tmp_path / "communes.geojson", [
        ({"code_commune": 9261, "nom": "Saint-Girons"}, box(1.1, 42.9, 1.2, 43.0)),
        ({"code_commune": "2A004", "nom": "Ajaccio"}, box(8.7, 41.9, 8.8, 42.0)),
    ])
    (tmp_path / "qpv.csv").write_text("code_qp,pop_com,nom_commune\nQ1,6289,Saint-Girons\nQ2,6289,Saint-Girons\n"
                                      "Q3,70000,Ajaccio\nQ4,1,\"Foix, Montgaillard\"\nQ5,5,Nowhere\n",
                                      encoding="utf-8")
    (tmp_path / "link.csv").write_text("code_qp,code_commune\nQ1,09261\nQ2,9261\nQ3,2A004\nQ4,09122\nQ5,09999\n",
                                       encoding="utf-8")
    make_config(tmp_path, """
    [[territories]]
    name = "communes"
    file = "communes.geojson"
    level = "commune"
    vintage = "COG"
    fields = { code = { column = "code_commune", zero_pad = 5 }, name = "nom" }

    [[territories]]
    name = "population"
    file = "qpv.csv"
    join = [{ file = "link.csv", on = "code_qp", columns = { code_commune = "commune" } }]
    query = "~nom_commune.str.contains(',')"
    level = "commune"
    mode = "update"
    duplicates = "collapse"
    fields = { code = { column = "commune", zero_pad = 5 }, population = "pop_com", population_year = { value = 2015 } }
    """)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    communes = package.territories.set_index("code")
    assert communes.loc["09261", "population"] == 6289 and communes.loc["2A004", "population"] == 70000
    assert communes.loc["09261", "population_year"] == 2015
    assert [s.rows_filtered for s in report.steps if s.step == "population"] == [1]
    [unknown] = issues(report, "unknown_territory")
    assert (unknown.file, unknown.row) == ("qpv.csv", 5)
    assert not issues(report, "duplicate")  # identical repeats collapse: no conflicting value to report…
    [identical] = issues(report, "duplicate_identical")  # …but the dropped row is still listed
    assert (identical.file, identical.row, identical.action) == ("qpv.csv", 2, "rejected")


def test_keep_only_referenced_parents(tmp_path, make_config):
    write_geojson(tmp_path / "communes.geojson", [
        ({"code": "09122", "nom": "Foix"}, box(1.5, 42.9, 1.6, 43.0)),
        ({"code": "09225", "nom": "Pamiers"}, box(1.6, 43.0, 1.7, 43.1)),
    ])
    write_geojson(tmp_path / "qpv.geojson", [({"code": "QP009002", "com": "09122"}, box(1.55, 42.95, 1.56, 42.96))])
    make_config(tmp_path, """
    [[territories]]
    file = "communes.geojson"
    level = "commune"
    vintage = "COG"
    keep = "referenced"
    fields = { code = "code", name = "nom", departement_code = { value = "09" } }

    [[territories]]
    file = "qpv.geojson"
    level = "qpv"
    vintage = "QPV"
    fields = { code = "code", name = "code", commune_code = "com" }
    """)
    package, _ = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    terr = package.territories.set_index(["level", "code"])
    assert list(terr.loc["commune"].index) == ["09122"]
    assert list(package.geometry["commune"]["code"]) == ["09122"]
    assert terr.loc[("qpv", "QP009002"), "region_code"] == "76"  # through its commune, then its département


def test_failed_build_leaves_previous_package_untouched(qpv_folder, monkeypatch):
    out = qpv_folder / "out"
    build(load_config(qpv_folder / "sources.toml"), out, progress=False)
    before = {p.relative_to(out): sha256_of(p) for p in out.rglob("*") if p.is_file()}

    def explode(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(pipeline, "observation_step", explode)
    with pytest.raises(RuntimeError, match="injected failure"):
        build(load_config(qpv_folder / "sources.toml"), out, progress=False)
    after = {p.relative_to(out): sha256_of(p) for p in out.rglob("*") if p.is_file()}
    assert after == before
    load_package(out)
    failed = json.loads(failed_report_path(out).read_text(encoding="utf-8"))
    assert failed["status"] == "failed" and "injected failure" in failed["error"]
    assert not [p for p in out.parent.iterdir() if ".building-" in p.name]  # no staging folder left behind

    monkeypatch.undo()
    build(load_config(qpv_folder / "sources.toml"), out, progress=False)
    assert not failed_report_path(out).exists()  # a later success clears the failure report


def test_bad_catalogue_row_is_rejected_not_fatal(qpv_folder):
    config = qpv_folder / "sources.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"revenus"', '"revenus_inconnus"'), encoding="utf-8")
    package, report = build(load_config(config), qpv_folder / "out", progress=False)
    assert "taux-pauvrete" not in set(package.indicators["id"])
    [bad] = issues(report, "bad_choice")
    assert (bad.file, bad.row, bad.column) == ("sources.toml", 1, "theme")
    # Its values then have no indicator: each is rejected and reported (row 2 for its first reason, 'abc').
    assert {i.row for i in issues(report, "unknown_indicator")} == {1, 3, 4, 5}


def test_cli_build_and_clear_errors(qpv_folder, capsys, monkeypatch):
    from atlas.cli import main

    out = qpv_folder / "cli-out"
    assert main(["build", "--config", str(qpv_folder / "sources.toml"), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "4 qpv" in printed and "build-report.md" in printed

    (qpv_folder / "indicateurs.csv").write_bytes("code;tp60;pop\nQP009001;1;2\n".encode("latin-1"))
    assert main(["build", "--config", str(qpv_folder / "sources.toml"), "--out", str(out), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert "indicateurs.csv" in error and "column 'code_qp'" in error and "left unchanged" in error

    other = qpv_folder / "elsewhere"
    other.mkdir()
    (qpv_folder / "sources.toml").rename(other / "sources.toml")
    monkeypatch.setenv("ATLAS_SOURCES_DIR", str(qpv_folder))
    (qpv_folder / "indicateurs.csv").write_bytes("code_qp;tp60;pop\nQP009001;1;2\n".encode("latin-1"))
    assert main(["build", "--config", str(other / "sources.toml"), "--out", str(out), "--quiet"]) == 0
