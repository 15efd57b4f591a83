"""The real Occitanie build (shared/data/real, see SOURCES.md there): counts, totals and report."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pytest

from atlas.ingest.config import load_config
from atlas.ingest.pipeline import build
from atlas.package import load_package

pytestmark = pytest.mark.realdata

OCCITANIE = {"09", "11", "12", "30", "31", "32", "34", "46", "65", "66", "81", "82"}
# Yearly totals of `montant` given by SOURCES.md, in M€ (one decimal).
ADULTES_RELAIS_MEUR = {2020: 92.6, 2021: 107.9, 2022: 119.5, 2023: 122.2}


def test_territory_counts_and_parents(real_build):
    package, _, out = real_build
    counts = package.territories["level"].value_counts().to_dict()
    assert counts == {"qpv": 105, "departement": 101, "region": 18, "commune": 48, "contrat_de_ville": 433,
                      "france": 1}
    terr = package.territories
    qpv = terr[terr["level"] == "qpv"]
    assert set(qpv["departement_code"]) == OCCITANIE
    assert (qpv["region_code"] == "76").all() and qpv["population"].notna().all()
    assert qpv["code"].str.fullmatch(r"QP\d{6}").all()
    departements = terr[terr["level"] == "departement"].set_index("code")
    assert departements["region_code"].notna().all()
    assert departements.loc["48", "region_code"] == "76"  # patched: absent from the centroid file
    assert {"2A", "2B", "971", "976"} <= set(departements.index)
    communes = terr[terr["level"] == "commune"]
    assert communes["population"].notna().all() and (communes["region_code"] == "76").all()
    assert {level: len(frame) for level, frame in package.geometry.items()} == {
        "qpv": 105, "commune": 48, "departement": 101, "region": 18}
    reloaded = load_package(out)
    assert all(frame.geometry.is_valid.all() for frame in reloaded.geometry.values())
    assert reloaded.manifest["illustrative"] is False
    assert {s["id"] for s in reloaded.manifest["sources"]} >= {"anct-qpv-2015", "insee-qpv", "barometre-resultats",
                                                               "anct-ci-ville", "ign-admin-express-2018"}


def test_indicators_and_observations(real_build):
    package, _, _ = real_build
    indicators = package.indicators.set_index("id")
    assert len(indicators) == 24 + 57
    assert indicators.loc["taux-pauvrete", "vintage"] == "2017"
    assert indicators.loc["nb-morts-routes", "ministry"] == "interieur"
    obs = package.observations
    qpv = obs[obs["level"] == "qpv"]
    assert qpv["code"].nunique() == 105
    poverty = qpv[qpv["indicator"] == "taux-pauvrete"]
    assert set(poverty["period"]) == {"2017"} and len(poverty) == 105
    assert qpv.loc[qpv["indicator"] == "population", "period"].eq("2015").all()
    # 55 empty part_chomprinc cells are INSEE statistical secret
    chomage = qpv[qpv["indicator"] == "part-menages-revenu-chomage"]
    assert (chomage["status"] == "secret").sum() == 55
    levels = obs.groupby("level")["code"].nunique().to_dict()
    assert levels["departement"] == 101 and levels["region"] == 18 and levels["france"] == 1
    roads = obs[(obs["indicator"] == "nb-morts-routes") & (obs["level"] == "france")]
    assert roads["period"].str.fullmatch(r"\d{4}-\d{2}").all() and len(roads) == 71
    ulis = obs[obs["indicator"] == "nombre-creation-ulis"]
    assert ulis["period"].str.fullmatch(r"\d{4}").all()
    assert len(package.commitments) > 4000
    assert set(package.commitments["scope_level"]) == {"france", "region", "departement"}


def test_credit_totals_match_the_sources_minus_reported_rejections(real_build, real_data):
    package, report, _ = real_build
    credits = package.credits.assign(series=package.credits["id"].str.split("-").str[0])
    totals = credits.groupby(["series", "year"])["amount_eur"].sum()
    for year, meur in ADULTES_RELAIS_MEUR.items():
        assert totals[("adultes", year)] / 1e6 == pytest.approx(meur, abs=0.05)
    rejected = {(i.file, i.row) for i in report.issues if i.step.startswith(("adultes", "postes")) and
                i.action == "rejected"}
    for year in range(2020, 2024):
        for series, stem in (("adultes", "adultes-relais"), ("fonjep", "postes-fonjep")):
            name = f"credits/{stem}-{year}.json"
            raw = json.loads((real_data / name).read_text(encoding="utf-8"))
            kept = sum(float(r["montant"]) for i, r in enumerate(raw, 1) if (name, i) not in rejected)
            assert totals[(series, year)] == pytest.approx(kept, abs=0.01)
            assert (credits[(credits["series"] == series) & (credits["year"] == year)].shape[0]
                    == len(raw) - sum(1 for f, _ in rejected if f == name))
    assert set(credits["level"]) == {"contrat_de_ville", "departement"}
    assert credits.loc[credits["level"] == "departement", "year"].eq(2023).all()  # null code_cv only in 2023
    assert set(credits["programme"]) == {"P147"} and set(credits["ministry"]) == {"transition_ecologique"}


def test_build_report_lists_the_quirks(real_build):
    _, report, out = real_build
    kinds = Counter((i.step, i.kind) for i in report.issues)
    assert kinds[("QPV", "invalid_geometry")] == 32
    assert kinds[("adultes-relais", "glued_code")] + kinds[("postes FONJEP", "glued_code")] == 290
    assert kinds[("adultes-relais", "fallback_territory")] == 52
    assert kinds[("postes FONJEP", "unlocated")] == 11
    assert kinds[("contrats de ville", "duplicate")] == 1  # CV043 listed twice
    assert kinds[("départements", "patched")] == 1
    assert all(i.file and i.row for i in report.issues)
    data = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    assert data["status"] == "ok" and len(data["issues"]) == len(report.issues)
    assert data["duration_s"] < 60
    assert "## Rejected and repaired rows" in (out / "build-report.md").read_text(encoding="utf-8")


def test_national_config_builds_from_a_cache_laid_out_like_its_downloads(real_data, tmp_path):
    """configs/national.toml cannot reach its publishers here: feed it look-alike files made from the real folder."""
    configs = Path(__file__).resolve().parents[2] / "configs"
    cache = tmp_path / "cache"
    for folder, pattern in (("barometre", "*.csv"), ("credits", "*.json"), ("credits", "contrats-de-ville-*")):
        (cache / folder).mkdir(parents=True, exist_ok=True)
        for source in (real_data / folder).glob(pattern):
            (cache / folder / source.name).symlink_to(source)
    (cache / "admin").mkdir()
    (cache / "admin" / "regions-100m.geojson").symlink_to(real_data / "admin" / "regions-avec-outre-mer.geojson")
    departements = gpd.read_file(real_data / "admin" / "departements-avec-outre-mer.geojson")
    centroids = gpd.read_file(real_data / "credits" / "departements_centroides.geojson")
    departements["region"] = departements["code"].map(centroids.set_index("insee_dep")["insee_reg"]).fillna("76")
    departements.to_file(cache / "admin" / "departements-100m.geojson", driver="GeoJSON")
    qpv = gpd.read_file(real_data / "qpv" / "qp2015_occitanie.geojson")
    qpv = qpv.rename(columns={"nom_qp": "lib_qp", "code_departement": "insee_dep", "code_commune": "insee_com"})
    (cache / "qpv").mkdir()
    with zipfile.ZipFile(cache / "qpv" / "qpv-2024.zip", "w") as archive:
        archive.writestr("GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson", qpv.to_json())

    config = load_config(configs / "national.toml", cache)
    assert {d["file"] for d in config.data["downloads"]} >= {"qpv/qpv-2024.zip", "admin/departements-100m.geojson"}
    package, report = build(config, tmp_path / "national", progress=False)
    counts = package.territories["level"].value_counts().to_dict()
    assert counts == {"qpv": 105, "departement": 101, "region": 18, "contrat_de_ville": 433, "france": 1}
    assert package.territories.loc[package.territories["level"] == "qpv", "region_code"].eq("76").all()
    assert len(package.credits) > 26000 and len(package.observations) > 130000
    assert report.status == "ok"
