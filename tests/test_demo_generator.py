"""The embedded package: deterministic, national, plausible and marked illustrative."""

from __future__ import annotations

import json

import numpy as np
import pytest

from atlas.demo.generator import build_demo
from atlas.package import load_package
from atlas.schema import MINISTRIES, THEMES
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    build_demo(out)
    return out


def test_generator_is_deterministic(rebuilt):
    """Two builds of the same generator give byte-identical files (same checksums)."""
    served = json.loads((DATA_DIR / "manifest.json").read_text())  # built earlier by tests/conftest.py
    fresh = json.loads((rebuilt / "manifest.json").read_text())
    assert fresh["files"] == served["files"]
    assert fresh == served


def test_national_coverage(package):
    terr = package.territories
    qpv = terr[terr["level"] == "qpv"]
    assert len(qpv) >= 1500
    departements = set(qpv["departement_code"])
    assert len(departements) >= 90
    assert {"971", "972", "973", "974", "976"} <= departements
    assert qpv["code"].str.match(r"^QN[0-9AB]{3}\d{3}$").all()
    # Quarters sit in real communes (INSEE codes) with their parents.
    communes = terr[terr["level"] == "commune"].set_index("code")
    assert qpv["commune_code"].isin(communes.index).all()
    assert communes.loc["13055", "name"] == "Marseille"
    assert communes.loc["97411", "name"] == "Saint-Denis"
    assert qpv["epci_code"].notna().mean() > 0.95
    assert qpv["area_km2"].between(0.1, 3.0).all()
    assert 4_000_000 < qpv["population"].sum() < 7_000_000


def test_geometry_per_level_is_wgs84_and_simplified(package):
    assert set(package.geometry) == {"qpv", "commune", "epci", "departement", "region"}
    for level, frame in package.geometry.items():
        assert frame.crs.to_epsg() == 4326, level
        assert frame.geometry.is_valid.all(), level
    assert len(package.geometry["departement"]) == 101
    vertices = package.geometry["departement"].geometry.count_coordinates().sum()
    assert vertices < 60_000  # simplified for display


def test_indicators_cover_every_theme_and_the_seven_ministries(package):
    ind = package.indicators
    assert len(ind) >= 40
    assert set(ind["theme"]) == set(THEMES)
    assert set(ind["ministry"].dropna()) == set(MINISTRIES)
    years = sorted({int(p[:4]) for p in package.observations["period"].astype(str).unique()})
    assert years == list(range(2015, 2025))


def _value(package, level, code, indicator, period):
    obs = package.observations
    row = obs[(obs["level"] == level) & (obs["code"] == code) & (obs["indicator"] == indicator)
              & (obs["period"] == period)]
    return float(row["value"].iloc[0])


def test_orders_of_magnitude(package):
    obs = package.observations
    poverty = obs[(obs["indicator"] == "taux_pauvrete") & (obs["period"] == "2021")]
    qpv_median = poverty[poverty["level"] == "qpv"]["value"].median()
    france = _value(package, "france", "FR", "taux_pauvrete", "2021")
    assert 2.5 < qpv_median / france < 3.5
    income = obs[(obs["indicator"] == "revenu_median") & (obs["period"] == "2021")]
    assert income[income["level"] == "qpv"]["value"].median() < 0.75 * _value(package, "france", "FR",
                                                                             "revenu_median", "2021")


def test_statistical_secrecy_on_small_quarters(package):
    obs = package.observations
    terr = package.territories.set_index(["level", "code"])
    secret = obs[(obs["status"] == "secret")]
    assert len(secret) > 0 and secret["value"].isna().all()
    populations = terr.loc[[("qpv", c) for c in secret["code"].astype(str).unique()], "population"]
    assert (populations < 2000).all()


def test_beneficiaries_add_up_from_quarters_to_france(package):
    obs = package.observations
    cej = obs[(obs["indicator"] == "contrat_engagement_jeune") & (obs["period"] == "2023")]
    qpv_total = cej[cej["level"] == "qpv"]["beneficiaries"].sum()
    france = cej[cej["level"] == "france"]
    # Hidden (secret/missing) quarters are excluded from the display but counted in totals.
    assert int(france["beneficiaries"].iloc[0]) >= qpv_total > 0
    assert np.isclose(france["value"].iloc[0], 100 * france["beneficiaries"].iloc[0] / france["eligible"].iloc[0],
                      atol=0.05)


def test_credits_and_programme_147_totals(package):
    credits = package.credits
    assert len(credits) >= 30_000
    assert set(credits["year"]) == set(range(2015, 2025))
    p147 = credits[credits["programme"] == "P147"].groupby("year")["amount_eur"].sum() / 1e6
    assert p147.between(400, 600).all()
    assert set(credits["level"]) >= {"qpv", "commune", "contrat_de_ville", "departement"}
    assert credits["lon"].notna().sum() > 1000


def test_commitments_for_each_ministry(package):
    com = package.commitments
    national = com[com["scope_level"] == "france"]
    assert (national.groupby("ministry").size() >= 3).all()
    assert set(national["ministry"]) == set(MINISTRIES)
    assert national["target_value"].notna().all()


def test_manifest_says_illustrative(package):
    assert package.manifest["illustrative"] is True
    assert load_package(DATA_DIR).illustrative
