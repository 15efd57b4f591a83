"""Which indicators pages feature comes from the package: declared roles, else derived from the catalogue."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas.presentation import build_presentation, presentation_problems


def catalogue(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "theme", "kind", "polarity"])


def observations(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([(level, "X", ind, period, 1.0) for level, ind, period in rows],
                        columns=["level", "code", "indicator", "period", "value"])


FRESH_CATALOGUE = catalogue(
    ("pop", "demographie", "context", "neutral"),
    ("rev", "revenus", "result", "higher_is_better"),
    ("pauv", "revenus", "result", "higher_is_worse"),
    ("ecoles", "education", "means", "higher_is_better"),
    ("monthly-only", "emploi", "result", "higher_is_worse"),
    ("commune-only", "sante", "result", "higher_is_worse"),
)
FRESH_OBSERVATIONS = observations(
    ("qpv", "pop", "2018"), ("qpv", "rev", "2019"), ("qpv", "pauv", "2019"), ("qpv", "ecoles", "2019"),
    ("qpv", "monthly-only", "2021-03"), ("commune", "commune-only", "2019"),
)


def test_a_fresh_catalogue_features_its_own_indicators_without_declaration():
    shown = build_presentation({}, FRESH_CATALOGUE, FRESH_OBSERVATIONS, ["commune", "qpv"])
    assert shown.map_level == "qpv"  # finest drawable level
    assert shown.map_indicator == "rev"  # first oriented result indicator with yearly values there
    # One oriented indicator per theme, results first; with fewer themes than slots, more oriented results.
    assert shown.overview == ("rev", "ecoles", "pauv")
    assert [(s.id, s.indicators) for s in shown.sections] == [
        ("revenus", ("rev", "pauv")), ("education", ("ecoles",)), ("demographie", ("pop",))]
    # No yearly quarter value: neither the monthly-only nor the commune-only indicator is featured.
    featured = {i for s in shown.sections for i in s.indicators}
    assert "monthly-only" not in featured and "commune-only" not in featured
    assert shown.evolution == "rev"
    assert shown.declared == frozenset()


def test_declared_roles_win_and_the_rest_is_derived():
    manifest = {"presentation": {"map": {"indicator": "pauv"}, "overview": ["pop"],
                                 "wellbeing": {"income": "rev"}}}
    shown = build_presentation(manifest, FRESH_CATALOGUE, FRESH_OBSERVATIONS, ["qpv"])
    assert shown.map_indicator == "pauv"
    assert shown.overview == ("pop",)
    assert shown.trends == ("pop",)
    assert shown.wellbeing == {"income": "rev"}
    assert shown.sections[0].id == "revenus"  # derived
    assert shown.is_declared("overview") and not shown.is_declared("sections")


def test_a_package_with_no_quarter_values_features_nothing_rather_than_failing():
    shown = build_presentation({}, FRESH_CATALOGUE, observations(("departement", "rev", "2019")), ["departement"])
    assert shown.map_level == "departement" and shown.map_indicator == "rev"
    assert shown.overview == () and shown.sections == () and shown.evolution is None


@pytest.mark.parametrize(("declared", "fragment"), [
    ({"overview": ["rev", "ghost"]}, "presentation.overview[1]' names 'ghost'"),
    ({"sections": [{"id": "x", "indicators": ["nope"]}]}, "sections[0].indicators[0]"),
    ({"map": {"indicator": "rev", "level": "canton"}}, "map.level"),
    ({"peers": {"housing": 3}}, "peers.housing"),
    ([1, 2], "must be an object"),
])
def test_declared_ids_must_exist(declared, fragment):
    problems = presentation_problems({"presentation": declared}, FRESH_CATALOGUE["id"])
    assert any(fragment in p for p in problems), problems


def test_demo_package_declares_valid_roles(service):
    shown = service.presentation
    assert shown.map_indicator == "taux_pauvrete"
    assert len(shown.sections) == 8 and all(s.indicators for s in shown.sections)
    assert presentation_problems(service.manifest, service.package.indicators["id"]) == []
