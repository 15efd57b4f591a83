"""The real national package: rebuilt from shared/data/real, it must be the one committed in data/."""

from __future__ import annotations

import json

import pytest

from atlas.ingest.config import load_config
from atlas.ingest.pipeline import build
from atlas.validation import territories_named_by_code
from tests.ingest.conftest import CONFIGS, REPO

pytestmark = pytest.mark.realdata

COMMITTED = REPO / "data"


@pytest.fixture(scope="module")
def national(real_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("national") / "package"
    package, report = build(load_config(CONFIGS / "real-national.toml", real_data), out, progress=False)
    return package, report, out


def test_rebuild_gives_the_committed_package_byte_for_byte(national):
    _, _, out = national
    committed = json.loads((COMMITTED / "manifest.json").read_text(encoding="utf-8"))
    rebuilt = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert committed["build"]["config"] == "real-national.toml"
    assert committed["illustrative"] is False
    assert {name: entry["sha256"] for name, entry in rebuilt["files"].items()} == \
        {name: entry["sha256"] for name, entry in committed["files"].items()}


def test_contents_quarters_communes_and_links(national):
    package, report, _ = national
    terr = package.territories
    qpv2015 = terr[(terr["level"] == "qpv") & (terr["vintage"] == "QPV 2015")]
    qpv2024 = terr[(terr["level"] == "qpv") & (terr["vintage"] == "QPV 2024")]
    assert len(qpv2015) == 1514 and len(package.geometry["qpv"]) == 1514
    assert set(package.geometry["qpv"]["code"]) == set(qpv2015["code"])
    assert qpv2024["code"].str.startswith("QN").all() and len(qpv2024) == 1493
    assert qpv2024[["lon", "lat"]].isna().all().all()  # listed per commune, not located
    assert (terr["level"] == "commune").sum() == 35357 == len(package.geometry["commune"])
    links = report.counts["links"]["qpv"]["QPV 2015"]
    assert links["contrat_de_ville_code"]["share"] >= 0.95
    assert links["commune_code"]["share"] >= 0.94 and links["commune_codes"]["share"] >= 0.93
    multi = qpv2015.set_index("code").loc["QP093005"]  # a quarter spanning communes of Seine-Saint-Denis
    assert multi["departement_code"] == "93" and multi["commune_code"] in multi["commune_codes"].split("|")
    assert terr.set_index(["level", "code"]).loc[("commune", "76351"), "name"] == "Le Havre"


def test_same_indicator_ids_at_every_level_and_no_invented_france_years(national):
    package, _, _ = national
    obs = package.observations
    income = obs[obs["indicator"] == "revenu-disponible-median"]
    assert set(income["level"]) == {"qpv", "commune", "epci", "departement", "region", "france"}
    poverty_france = obs[(obs["indicator"] == "taux-pauvrete") & (obs["level"] == "france")]
    assert sorted(poverty_france["period"]) == ["2018", "2019"]  # only what INSEE published for the metropole
    indicators = package.indicators.set_index("id")
    assert "France métropolitaine" in indicators.loc["taux-pauvrete", "comparability"]
    assert "2016" in indicators.loc["revenu-disponible-median", "comparability"]
    assert {s["id"] for s in package.manifest["sources"]} >= {
        "anct-qpv-2015", "insee-filosofi-qpv", "sdes-rpls-qpv", "insee-filosofi-territoires", "anct-ci-ville",
        "barometre-resultats"}


def test_every_territory_has_a_name_and_france_metropolitaine_is_named(national):
    package, report, _ = national
    assert report.counts["named_by_code"] == {}
    assert territories_named_by_code(package.territories).empty
    terr = package.territories.set_index(["level", "code"])
    # EPCI named by INSEE's label of their SIREN, or after their commune when no file at hand names them.
    assert terr.loc[("epci", "249740101"), "name"] == "CA Territoire de la Côte Ouest (TCO)"
    assert terr.loc[("epci", "200027548"), "name"] == "Intercommunalité incluant Kourou"
    # INSEE's national reference values are those of France métropolitaine, never shown as « France ».
    assert terr.loc[("france", "FRM"), "name"] == "France métropolitaine"
    france = package.observations[package.observations["level"] == "france"]
    filosofi = france["indicator"].isin(["revenu-disponible-median", "taux-pauvrete", "indice-gini", "rapport-s80-s20"])
    assert set(france.loc[filosofi, "code"]) == {"FRM"} and "FRM" not in set(france.loc[~filosofi, "code"])
    sums = package.indicators.set_index("id")["aggregation"]
    assert sums["population"] == "sum" and sums["logements-sociaux"] == "sum"
    assert sums.drop(["population", "logements-sociaux"]).isna().all()
    assert package.manifest["qpv_coverage"] == {"QPV 2015": "france"}
