"""Featuring an indicator is data only: a package whose catalogue has other ids gets a full profile and
comparison, whether it declares its presentation or lets it be derived from the catalogue."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from atlas.package import load_package, write_package
from atlas.service import AtlasService
from callbacks import state
from tests.conftest import DATA_DIR
from tests.test_routes import text_of


def fresh(ident: str) -> str:
    return "nouvel-" + ident.replace("_", "-")


def _renamed(declare: bool):
    package = load_package(DATA_DIR, verify_checksums=False)
    renamed = copy.copy(package)
    renamed.indicators = package.indicators.assign(id=package.indicators["id"].map(fresh))
    renamed.observations = package.observations.assign(
        indicator=package.observations["indicator"].astype(str).map(fresh))
    renamed.commitments = package.commitments.assign(indicator=package.commitments["indicator"].map(fresh))
    manifest = {k: v for k, v in package.manifest.items() if k not in ("presentation", "files")}
    if declare:
        old = package.manifest["presentation"]
        manifest["presentation"] = {
            "map": {**old["map"], "indicator": fresh(old["map"]["indicator"])},
            "overview": [fresh(i) for i in old["overview"]],
            "sections": [{**s, "indicators": [fresh(i) for i in s["indicators"]]} for s in old["sections"]],
            "trends": [fresh(i) for i in old["trends"]],
            "evolution": fresh(old["evolution"]),
            "peers": {r: fresh(i) for r, i in old["peers"].items()},
            "wellbeing": {r: fresh(i) for r, i in old["wellbeing"].items()},
        }
    renamed.manifest = manifest
    return renamed


@pytest.fixture(scope="module", params=["declared", "derived"])
def fresh_service(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"fresh-{request.param}")
    write_package(_renamed(request.param == "declared"), folder)
    service = AtlasService(load_package(folder))
    previous = state._service
    state.set_service(service)
    yield service
    state.set_service(previous)


def test_profile_features_the_fresh_indicators(fresh_service):
    from callbacks.profile import build_profile_page, profile_view

    svc = fresh_service
    ids = set(svc.indicators["id"])
    assert all(i.startswith("nouvel-") for i in ids)
    code = sorted(svc.codes("qpv"))[0]
    view = profile_view(svc, code, dt.date(2026, 12, 1))
    featured = [f.indicator for f in view.profile.figures]
    assert len(featured) >= 8 and set(featured) <= ids
    assert view.evolution is not None and view.evolution.chosen in ids
    assert view.wellbeing.variant.available and set(view.wellbeing.variant.inputs.values()) <= ids
    text = text_of(build_profile_page(svc, {"code": code}, "", today=dt.date(2026, 12, 1)))
    for figure in view.profile.figures:
        assert figure.sentence in text
    assert "Chiffres clés" in text and "Quartiers comparables" in text


def test_comparison_features_the_fresh_indicators(fresh_service):
    from callbacks.compare import compare_view

    svc = fresh_service
    code = sorted(svc.codes("qpv"))[0]
    territory = svc.territory("qpv", code)
    view = compare_view(svc, f"?codes=qpv:{code},commune:{territory['commune_code']},france:FR")
    assert len(view.territories) == 3
    assert view.chosen and all(i.startswith("nouvel-") for i in view.chosen)
    assert all(not frame.empty for frame in view.trend_frames.values())
    assert set(view.rows["indicator"]) == set(svc.indicators["id"])
    assert view.wellbeing.results  # the index computes from the renamed inputs
