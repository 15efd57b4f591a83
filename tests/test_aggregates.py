"""Exact aggregates over quarters (all QPV of a département, of France), on a hand-made package whose sums are
checked by hand: offered where the catalogue says values add up, labelled, with their coverage; never a mean."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from atlas import aggregates
from atlas.mapclasses import year_values
from atlas.mapdata import MapRequest, references_for
from atlas.package import DataPackage, load_package, write_package
from atlas.profile import build_profile, key_figure, profile_frame
from atlas.service import AtlasService
from atlas.validation import PackageError, territories_named_by_code
from callbacks import state
from callbacks.router import page_for
from tests.test_routes import text_of

QPV_2015 = {"QP093001": "93", "QP093002": "93", "QP093003": "93", "QP094001": "94"}
# population, poor people (both counts) per quarter in 2018; None = secret. 2013: only QP093001 is published.
COUNTS_2018 = {"QP093001": (100, 40), "QP093002": (50, 10), "QP093003": (None, None), "QP094001": (30, 15)}


def plain(text: str) -> str:
    """French typography uses no-break spaces; compare words."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _indicator(ident, label, unit, polarity="neutral", **extra):
    return {"id": ident, "label_fr": label, "label_en": label, "theme": "revenus", "ministry": None, "unit": unit,
            "polarity": polarity, "kind": "context", "source": "Test", "licence": "LO 2.0", "vintage": "2018",
            "definition": "…", "comparability": None, "decimals": 1 if unit == "%" else 0, **extra}


def aggregates_package(coverage: dict | None = None) -> DataPackage:
    territories = [
        {"level": "france", "code": "FR", "name": "France", "vintage": "COG"},
        {"level": "france", "code": "FRM", "name": "France métropolitaine", "vintage": "COG"},
        {"level": "departement", "code": "93", "name": "Seine-Saint-Denis", "vintage": "COG"},
        {"level": "departement", "code": "94", "name": "Val-de-Marne", "vintage": "COG"},
        {"level": "commune", "code": "93066", "name": "Saint-Denis", "vintage": "COG", "departement_code": "93"},
        {"level": "commune", "code": "94028", "name": "Créteil", "vintage": "COG", "departement_code": "94"},
        # A quarter of the other geography in the same département: never counted with the 2015 ones.
        {"level": "qpv", "code": "QN09301M", "name": "Nouveau quartier", "vintage": "QPV 2024",
         "commune_code": "93066", "departement_code": "93"},
    ]
    for code, dep in QPV_2015.items():
        territories.append({"level": "qpv", "code": code, "name": f"Quartier {code[-3:]}", "vintage": "QPV 2015",
                            "commune_code": "93066" if dep == "93" else "94028", "departement_code": dep})
    indicators = pd.DataFrame([
        _indicator("population", "Population", "habitants", aggregation="sum"),
        _indicator("pauvres", "Personnes pauvres", "personnes", aggregation="sum"),
        _indicator("taux_pauvrete", "Taux de pauvreté", "%", "higher_is_worse", aggregation="ratio",
                   numerator="pauvres", denominator="population"),
        _indicator("revenu_median", "Revenu médian", "€", "higher_is_better"),  # a median: never aggregated
    ])
    rows = []

    def add(code, indicator, period, value):
        rows.append({"level": "qpv", "code": code, "indicator": indicator, "period": period, "value": value,
                     "status": "secret" if value is None else "ok"})

    for code, (population, poor) in COUNTS_2018.items():
        add(code, "population", "2018", population)
        add(code, "pauvres", "2018", poor)
        add(code, "taux_pauvrete", "2018", None if poor is None else 100 * poor / population)
        add(code, "revenu_median", "2018", 15000.0)
    add("QP093001", "population", "2013", 90.0)
    add("QN09301M", "population", "2018", 1000.0)
    rows.append({"level": "commune", "code": "93066", "indicator": "population", "period": "2018", "value": 110000.0,
                 "status": "ok"})
    geometry = {"qpv": gpd.GeoDataFrame({"code": list(QPV_2015)}, crs="EPSG:4326",
                                        geometry=[box(2 + i / 100, 48.9, 2.005 + i / 100, 48.905)
                                                  for i in range(len(QPV_2015))])}
    manifest = {"title": "Agrégats", "generated_at": "2026-01-01T00:00:00+00:00", "illustrative": True,
                "sources": [{"id": "t", "title": "Test", "publisher": "Tests", "licence": "LO 2.0"}]}
    if coverage is not None:
        manifest["qpv_coverage"] = coverage
    empty = pd.DataFrame
    return DataPackage(
        manifest=manifest, territories=pd.DataFrame(territories), indicators=indicators,
        observations=pd.DataFrame(rows),
        commitments=empty(columns=["id", "ministry", "measure", "indicator", "scope_level", "scope_code",
                                   "baseline_date", "baseline_value", "target_date", "target_value"]),
        credits=empty(columns=["id", "year", "programme", "ministry", "theme", "carrier", "amount_eur",
                               "beneficiaries", "level", "code", "lon", "lat"]),
        geometry=geometry)


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    root = tmp_path_factory.mktemp("aggregates")
    write_package(aggregates_package({"QPV 2015": "france"}), root)
    return AtlasService(load_package(root))


def test_sums_count_only_published_quarters_of_the_same_geography(svc):
    departements = aggregates.aggregate_table(svc, "population", "QPV 2015", "departement")
    seine = departements["93"][2018]
    assert (seine.value, seine.covered, seine.total) == (150.0, 2, 3)  # 100 + 50; the secret one is not guessed
    assert seine.note == "somme de 2 QPV sur 3"
    assert "94" not in departements  # a single quarter: its « aggregate » would be the quarter itself
    assert 2013 not in departements["93"]  # 1 quarter of 3 published: under half, not offered
    france = aggregates.aggregate_table(svc, "population", "QPV 2015", "france")["QPV"]
    assert (france[2018].value, france[2018].covered, france[2018].total) == (180.0, 3, 4)
    assert 2013 not in france


def test_a_rate_is_the_ratio_of_sums_and_a_median_has_no_aggregate(svc):
    seine = aggregates.aggregate_table(svc, "taux_pauvrete", "QPV 2015", "departement")["93"][2018]
    assert seine.value == pytest.approx(100 * (40 + 10) / (100 + 50))  # 33.3, not the mean of 40 % and 20 %
    france = aggregates.aggregate_table(svc, "taux_pauvrete", "QPV 2015", "france")["QPV"][2018]
    assert france.value == pytest.approx(100 * 65 / 180)
    assert france.note == "rapport des sommes de 3 QPV sur 4"
    assert aggregates.aggregate_table(svc, "revenu_median", "QPV 2015", "france") == {}
    assert aggregates.aggregate_table(svc, "population", "QPV 2024", "france") == {}  # not declared complete


def test_no_aggregate_without_a_declared_coverage(tmp_path):
    write_package(aggregates_package(None), tmp_path)
    bare = AtlasService(load_package(tmp_path))
    assert aggregates.aggregate_table(bare, "population", "QPV 2015", "france") == {}
    profile = build_profile(bare, "QP093001")
    assert profile.aggregates == {}
    assert all("ensemble des QPV" not in f.sentence for f in profile.figures)
    write_package(aggregates_package({"QPV 2015": "departements"}), tmp_path / "deps")
    regional = AtlasService(load_package(tmp_path / "deps"))
    assert set(build_profile(regional, "QP093001").aggregates) == {"qpv_departement"}


def test_profile_sentences_name_the_aggregates_and_their_coverage(svc):
    profile = build_profile(svc, "QP093001")
    population = next(f for f in profile.figures if f.indicator == "population")
    assert population.values["qpv_departement"].value == 150.0
    assert population.values["qpv_france"].value == 180.0
    assert ("150 habitants dans l'ensemble des QPV du département (Seine-Saint-Denis) (somme de 2 QPV sur 3)"
            in plain(population.sentence))
    assert "180 habitants dans l'ensemble des QPV de France (somme de 3 QPV sur 4)" in plain(population.sentence)
    assert not population.gap  # a count is never « gapped »
    rate = next(f for f in profile.figures if f.indicator == "taux_pauvrete")
    # No published reference for the rate: the gap is measured to the exact aggregate, named as such.
    assert rate.benchmark.role == "qpv_france"
    assert "36,1 % dans l'ensemble des QPV de France (rapport des sommes de 3 QPV sur 4)" in plain(rate.sentence)
    assert "3,9 points de plus que dans l'ensemble des QPV de France" in plain(rate.sentence)
    median = key_figure(svc, profile.places, "revenu_median", profile.aggregates, "QPV 2015")
    assert set(median.values) == {"qpv"} and "ensemble des QPV" not in median.sentence
    frame = profile_frame(svc, profile)
    sums = frame[(frame["indicator"] == "population") & (frame["code"] == "QPV")]
    assert sums["value"].tolist() == [180.0]


def test_the_map_offers_ratio_aggregates_of_quarters_only(svc):
    levels = [r.level for r in references_for(svc, "taux_pauvrete", "qpv")]
    assert levels == ["qpv_departement", "qpv_france"]
    assert [r.level for r in references_for(svc, "population", "qpv")] == ["commune"]  # a sum is no gap
    assert references_for(svc, "revenu_median", "qpv") == ()
    request = MapRequest.build(svc, indicator="taux_pauvrete", level="qpv", year="2018", mode="gap",
                               reference="qpv_departement")
    assert request.reference == "qpv_departement"
    codes = tuple(QPV_2015)
    gaps = dict(zip(codes, year_values(svc, request, codes), strict=True))
    assert gaps["QP093001"] == pytest.approx(40 - 100 * 50 / 150, abs=0.05)
    assert gaps["QP093003"] is None and gaps["QP094001"] is None  # secret; a département of one quarter


def test_callbacks_offer_the_aggregates(svc, dash_app):
    from callbacks.map import update_map

    previous = state.service()
    state.set_service(svc)
    try:
        outputs = update_map("taux_pauvrete", "qpv", "gap", "qpv_france", "difference", "quantiles", [True],
                             None, 2018, None)
        options = outputs[11]  # map-reference.options
        assert {o["value"] for o in options} == {"qpv_departement", "qpv_france"}
        assert "L'ensemble des QPV de France (rapport des sommes)" in {o["label"] for o in options}
        assert "ensemble des QPV de France" in text_of(outputs[4])  # the legend names the reference
        with dash_app.server.test_request_context():
            page = text_of(page_for("/qpv/QP093001", ""))
        assert "dans l'ensemble des QPV du département (Seine-Saint-Denis) (somme de 2 QPV sur 3)" in plain(page)
    finally:
        state.set_service(previous)


def test_the_comparison_page_offers_the_aggregates_of_the_quarters_compared(svc, dash_app):
    from callbacks.compare import compare_view

    view = compare_view(svc, "?codes=qpv:QP093001,qpv:QP094001,departement:93")
    assert [p.role for p in view.aggregates] == ["qpv_departement", "qpv_france"]  # 94 has a single quarter
    rows = view.aggregate_rows.set_index(["indicator", "role"])
    assert rows.loc[("population", "qpv_departement"), "value"] == 150.0
    assert rows.loc[("taux_pauvrete", "qpv_france"), "value"] == pytest.approx(100 * 65 / 180)
    assert "revenu_median" not in set(view.aggregate_rows["indicator"])
    previous = state.service()
    state.set_service(svc)
    try:
        with dash_app.server.test_request_context():
            page = plain(text_of(page_for("/comparer", "?codes=qpv:QP093001,departement:93")))
        assert "Ensemble des QPV du département — Seine-Saint-Denis" in page
        assert "150 habitants (somme de 2 QPV sur 3)" in page
        assert compare_view(svc, "?codes=departement:93").aggregates == ()  # no quarter compared: none
    finally:
        state.set_service(previous)


def test_validation_rejects_a_ratio_without_counts(tmp_path):
    package = aggregates_package({"QPV 2015": "france"})
    package.indicators.loc[package.indicators["id"] == "taux_pauvrete", "denominator"] = "revenu_median"
    write_package(package, tmp_path)
    with pytest.raises(PackageError) as raised:
        load_package(tmp_path)
    assert any("denominator 'revenu_median'" in str(p) for p in raised.value.problems)


def test_territories_named_by_their_code_are_found():
    territories = aggregates_package().territories
    assert territories_named_by_code(territories).empty
    territories.loc[territories["code"] == "QP094001", "name"] = "QP094001"
    territories.loc[territories["code"] == "93066", "name"] = "Commune (code 93066)"
    assert sorted(territories_named_by_code(territories)["code"]) == ["93066", "QP094001"]


def test_france_metropolitaine_contains_no_overseas_territory(tmp_path):
    from atlas.api.territories import territory_detail
    from atlas.barometer import ancestors
    from atlas.places import france_for

    package = aggregates_package()
    package.territories = pd.concat([package.territories, pd.DataFrame([
        {"level": "departement", "code": "974", "name": "La Réunion", "vintage": "COG"},
        {"level": "qpv", "code": "QP974001", "name": "Le Gol", "vintage": "QPV 2015", "departement_code": "974"}])],
        ignore_index=True)
    write_package(package, tmp_path)
    svc = AtlasService(load_package(tmp_path))

    def parents(level, code):
        return [p["code"] for p in territory_detail(svc, level, code)["parents"] if p["level"] == "france"]

    assert parents("qpv", "QP974001") == ["FR"] and parents("qpv", "QP093001") == ["FR", "FRM"]
    assert ("france", "FRM") not in ancestors(svc, "qpv", "QP974001")
    assert ("france", "FRM") in ancestors(svc, "qpv", "QP093001")
    assert france_for(svc, svc.territory("qpv", "QP974001")).name == "France"
    assert france_for(svc, svc.territory("qpv", "QP093001")).name == "France métropolitaine"
