"""Peer quarters: the documented distance, the restrictions and deterministic tie-breaks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from atlas.peers import REGION_PENALTY, build_features, describe, features_for, find_peers, latest_values, peers_of


def _territories(rows):
    return pd.DataFrame([{"level": "qpv", "code": c, "population": p, "density_level": d, "region_code": r,
                          "departement_code": dep} for c, p, d, r, dep in rows])


ROWS = [
    # code,      pop,   density, region, département
    ("QN001001", 2000, 1, "11", "75"),
    ("QN001002", 2000, 1, "11", "75"),  # identical to QN001003: tie broken by code
    ("QN001003", 2000, 1, "11", "93"),
    ("QN001004", 2000, 1, "84", "69"),  # same context, another region
    ("QN001005", 20000, 1, "11", "92"),
    ("QN001006", 2000, 6, "11", "77"),
    ("QN971001", 2000, 1, "01", "971"),  # overseas twin
    ("QN001007", 1000, 2, "11", "91"),
]
HOUSING = pd.Series({"QN001001": 60.0, "QN001002": 60.0, "QN001003": 60.0, "QN001004": 60.0, "QN001005": 60.0,
                     "QN001006": 60.0, "QN971001": 60.0, "QN001007": np.nan})


def test_features_are_z_scaled_with_median_for_missing_values():
    features = build_features(_territories(ROWS), HOUSING)
    assert features.at["QN001007", "housing_share"] != features.at["QN001007", "housing_share"]  # NaN kept
    assert features["z_housing_share"].abs().max() == 0.0  # all at the median: no information
    assert features["z_log_population"].mean() == pytest.approx(0.0)
    assert features["z_log_population"].std(ddof=0) == pytest.approx(1.0)
    assert bool(features.at["QN971001", "overseas"]) and not bool(features.at["QN001001", "overseas"])


def test_nearest_peers_in_documented_order():
    features = build_features(_territories(ROWS), HOUSING)
    peers = find_peers(features, "QN001001", k=3)
    # Zero distance twins first (tie broken by code), then the other region at sqrt(REGION_PENALTY).
    assert list(peers.index) == ["QN001002", "QN001003", "QN001004"]
    assert peers["distance"].tolist() == pytest.approx([0.0, 0.0, math.sqrt(REGION_PENALTY)])
    assert "QN001001" not in peers.index


def test_overseas_quarters_are_kept_apart_when_enough_candidates_exist():
    features = build_features(_territories(ROWS), HOUSING)
    peers = find_peers(features, "QN001001", k=6)
    assert "QN971001" not in peers.index  # six metropolitan candidates exist
    # The overseas quarter has no overseas candidate: it falls back on the whole set.
    assert len(find_peers(features, "QN971001", k=3)) == 3


def test_unknown_code_gives_no_peers():
    features = build_features(_territories(ROWS), HOUSING)
    assert find_peers(features, "QN999999").empty


def test_peers_do_not_depend_on_row_order(service):
    territories = service.package.territories
    values, _ = service.annual_table(service.presentation.peers["housing"], "qpv")
    housing = latest_values(values)
    shuffled = territories.sample(frac=1.0, random_state=7)
    a = build_features(territories, housing)
    b = build_features(shuffled, housing.sample(frac=1.0, random_state=3))
    for code in sorted(a.index)[::250]:
        assert list(find_peers(a, code).index) == list(find_peers(b, code).index)


def test_real_peers_are_five_distinct_same_kind_quarters(service):
    codes = sorted(service.codes("qpv"))
    features = features_for(service)
    for code in codes[::300]:
        peers = peers_of(service, code)
        assert len(peers) == 5 and len(set(peers)) == 5 and code not in peers
        assert peers == peers_of(service, code)  # deterministic
        assert set(features.loc[peers, "overseas"]) == {bool(features.at[code, "overseas"])}
    info = describe(service, codes[0])
    assert info["name"] == service.territory_name("qpv", codes[0])
    assert info["density"].split(" — ")[0].isdigit()
