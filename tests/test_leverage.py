"""Leverage view: per-inhabitant credits, indicator change, quadrants around the medians."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas import credits as cr
from atlas import leverage as lv


class StubService:
    """Four départements, each with one QPV of 100 inhabitants, and an unemployment rate."""

    def __init__(self, changes: dict[str, float], polarity: str = "higher_is_worse"):
        rows = [{"level": "france", "code": "FR", "name": "France", "population": 400}]
        for dep in changes:
            rows.append({"level": "departement", "code": dep, "name": f"Dép {dep}", "population": 1000})
            rows.append({"level": "qpv", "code": f"Q{dep}", "name": f"Q {dep}", "population": 100,
                         "departement_code": dep})
        self.package = type("P", (), {"territories": pd.DataFrame(rows)})()
        self._values = pd.DataFrame({2020: {d: 10.0 for d in changes}, 2021: {d: 10.0 + c for d, c in changes.items()}})
        self._polarity = polarity

    def annual_table(self, indicator, level):
        return (self._values, self._values) if level == "departement" else (pd.DataFrame(), pd.DataFrame())

    def indicator(self, indicator):
        return {"polarity": self._polarity}

    def has_indicator(self, indicator):
        return True

    def territory_name(self, level, code):
        return f"Dép {code}"


def credit_lines(amounts: dict[str, float]) -> pd.DataFrame:
    return cr.prepare(pd.DataFrame([
        {"id": dep, "year": 2021, "programme": "P147", "ministry": "travail", "theme": "emploi", "carrier": "C",
         "amount_eur": amount, "beneficiaries": None, "level": "qpv", "code": f"Q{dep}", "lon": None, "lat": None}
        for dep, amount in amounts.items()
    ]))


def test_quadrants_follow_polarity_and_medians():
    svc = StubService({"A": -2.0, "B": 1.0, "C": -1.5, "D": 0.5})  # unemployment: a fall is better
    table = lv.leverage_table(svc, credit_lines({"A": 90_000, "B": 80_000, "C": 10_000, "D": 20_000}),
                              "taux_chomage", "departement", (2020, 2021)).set_index("code")
    assert table.loc["A", "per_inhabitant"] == pytest.approx(900.0)
    assert table.loc["B", "change"] == pytest.approx(1.0)
    assert table.loc["A", "quadrant"] == "more_better"
    assert table.loc["B", "quadrant"] == "more_worse"
    assert table.loc["C", "quadrant"] == "less_better"
    assert table.loc["D", "quadrant"] == "less_worse"
    x_median, y_median = lv.medians(table.reset_index())
    assert x_median == pytest.approx(500.0) and y_median == pytest.approx(-0.5)
    assert lv.quadrant_counts(table.reset_index()) == dict.fromkeys(lv.QUADRANTS, 1)


def test_higher_is_better_flips_the_reading():
    svc = StubService({"A": -2.0, "B": 1.0, "C": -1.5, "D": 0.5}, polarity="higher_is_better")
    table = lv.leverage_table(svc, credit_lines({"A": 90_000, "B": 80_000, "C": 10_000, "D": 20_000}),
                              "x", "departement", (2020, 2021)).set_index("code")
    assert table.loc["A", "quadrant"] == "more_worse" and table.loc["B", "quadrant"] == "more_better"
    assert "évolution plus favorable" in lv.quadrant_labels("higher_is_better")["more_better"]


def test_territories_without_credits_or_two_values_are_left_out():
    svc = StubService({"A": -2.0, "B": 1.0})
    table = lv.leverage_table(svc, credit_lines({"A": 1000}), "x", "departement", (2020, 2021))
    assert list(table["code"]) == ["A"]
    assert lv.leverage_table(svc, credit_lines({"A": 1000}), "x", "departement", (2021, 2021)).empty


def test_real_package_leverage(service, package):
    lines = cr.prepare(package.credits)
    years = sorted(int(y) for y in lines["year"].unique())
    table = lv.leverage_table(service, lines, "taux_chomage", "departement", (years[0], years[-1]))
    assert len(table) > 50
    assert sum(lv.quadrant_counts(table).values()) == len(table)
    assert table["per_inhabitant"].gt(0).all()
    assert "causalité" in lv.CAVEAT_FR
