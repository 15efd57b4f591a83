"""The well-being index on hand-checked values, its missing-data policy and its vectorised twin."""

from __future__ import annotations

import math

import pytest

from atlas.wellbeing import GOALPOSTS, geometric_mean, latest_wellbeing, wellbeing_for, wellbeing_index, wellbeing_table

# Hand-checked case: every goalpost halfway, except the no-diploma share.
#   health     (77.5 − 65) / (90 − 65)                        = 0.5
#   brevet     (75 − 50) / (100 − 50)                          = 0.5
#   no diploma (60 − 80) / (0 − 80)                            = 0.25
#   education  (0.5 + 0.25) / 2                                = 0.375
#   income     ln(14 142.14 / 5 000) / ln(40 000 / 5 000)      = ln √8 / ln 8 = 0.5
#   index      (0.5 × 0.375 × 0.5)^(1/3) = 0.09375^(1/3)       ≈ 0.4543
HALFWAY = {
    "health": (77.5, "ok"),
    "education_success": (75.0, "ok"),
    "education_deprivation": (60.0, "ok"),
    "income": (5000 * math.sqrt(8), "ok"),
}


def test_hand_checked_index():
    result = wellbeing_index(HALFWAY, 2024)
    assert result.scaled == pytest.approx({"health": 0.5, "education_success": 0.5, "education_deprivation": 0.25,
                                           "income": 0.5})
    assert result.dimensions == pytest.approx({"sante": 0.5, "education": 0.375, "niveau_de_vie": 0.5})
    assert result.index == pytest.approx(0.4543, abs=5e-5)
    assert result.index == pytest.approx(0.09375 ** (1 / 3))
    assert result.status == "ok" and result.computed and not result.partial and result.year == 2024


def test_goalposts_bound_the_index():
    best = {"health": (90, "ok"), "education_success": (100, "ok"), "education_deprivation": (0, "ok"),
            "income": (40000, "ok")}
    worst = {"health": (65, "ok"), "education_success": (50, "ok"), "education_deprivation": (80, "ok"),
             "income": (5000, "ok")}
    beyond = {"health": (95, "ok"), "education_success": (40, "ok"), "education_deprivation": (90, "ok"),
              "income": (80000, "ok")}
    assert wellbeing_index(best).index == pytest.approx(1.0)
    assert wellbeing_index(worst).index == 0.0
    clipped = wellbeing_index(beyond)
    assert clipped.scaled["health"] == 1.0 and clipped.scaled["education_success"] == 0.0
    assert clipped.scaled["education_deprivation"] == 0.0 and clipped.scaled["income"] == 1.0


def test_income_is_log_scaled():
    goal = GOALPOSTS["income"]
    # Doubling income adds the same amount wherever one starts.
    assert goal.scale(20000) - goal.scale(10000) == pytest.approx(goal.scale(10000) - goal.scale(5000))
    assert goal.scale(20000) == pytest.approx(math.log(4) / math.log(8))


def test_secret_or_missing_input_gives_no_index_but_partial_dimensions():
    secret = wellbeing_index({**HALFWAY, "health": (None, "secret")})
    assert secret.index is None and secret.status == "secret" and secret.partial
    assert secret.dimensions["sante"] is None
    assert secret.dimensions["education"] == pytest.approx(0.375)
    assert any("secret statistique" in reason for reason in secret.reasons)

    missing = wellbeing_index({k: v for k, v in HALFWAY.items() if k != "income"})
    assert missing.index is None and missing.status == "missing"
    assert any("non disponible" in reason for reason in missing.reasons)

    # An "ok" status without a value is treated as missing, never as zero.
    hollow = wellbeing_index({**HALFWAY, "education_success": (float("nan"), "ok")})
    assert hollow.index is None and hollow.status == "missing"


def test_estimates_give_a_flagged_index():
    result = wellbeing_index({**HALFWAY, "income": (5000 * math.sqrt(8), "estimate")})
    assert result.status == "estimate"
    assert result.index == pytest.approx(0.09375 ** (1 / 3))
    assert result.reasons == ["Revenu médian (échelle logarithmique) : estimation"]


def test_geometric_mean():
    assert geometric_mean([0.25, 1.0, 1.0]) == pytest.approx(0.25 ** (1 / 3))
    assert geometric_mean([0.0, 1.0, 1.0]) == 0.0


def test_latest_wellbeing_prefers_the_latest_computed_year():
    computed = wellbeing_index(HALFWAY, 2022)
    withheld = wellbeing_index({**HALFWAY, "health": (None, "secret")}, 2023)
    assert latest_wellbeing([computed, withheld]).year == 2022
    assert latest_wellbeing([withheld]).year == 2023
    assert latest_wellbeing([]) is None


def test_vectorised_table_matches_scalar_function(service):
    year = service.years[-1]
    table = wellbeing_table(service, "qpv", year)
    assert set(table["status"]) <= {"ok", "estimate", "secret", "missing"}
    sample = list(table.index[::97]) + list(table.index[table["status"] == "secret"][:3])
    for code in sample:
        scalar = wellbeing_for(service, "qpv", code, year)
        assert scalar.status == table.at[code, "status"], code
        if scalar.index is None:
            assert math.isnan(table.at[code, "index"])
        else:
            assert table.at[code, "index"] == pytest.approx(scalar.index)
    france = wellbeing_table(service, "france", year)
    assert 0 < france.at["FR", "index"] < 1


def test_side_by_side_falls_back_to_the_nearest_computed_year_without_marking_it(service):
    from atlas.wellbeing import side_by_side

    year = service.years[-1]
    table = wellbeing_table(service, "qpv", year)
    computed = sorted(table.index[table["index"].notna()])[0]
    withheld = next((c for c in sorted(table.index[table["index"].isna()])
                     if any(wellbeing_for(service, "qpv", c, y).computed for y in service.years)), None)
    if withheld is None:
        pytest.skip("no quarter withheld in the latest year but computed earlier")
    results, marks = side_by_side(service, [("qpv", computed), ("qpv", withheld)])
    assert results[("qpv", computed)].year == year
    fallback = results[("qpv", withheld)]
    assert fallback.computed and fallback.year != year
    assert marks[("qpv", withheld)] is None
