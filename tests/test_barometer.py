"""Barometer: progress, status rules, coverage, URL state, callbacks as plain functions."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from atlas import barometer as bar
from atlas import barometer_series as series
from atlas import barometer_state as st
from tests.patches import shown
from tests.test_routes import text_of

B, T = date(2021, 12, 31), date(2024, 12, 31)


# ------------------------------------------------------------------ periods


def test_period_end_and_start():
    assert bar.period_end("2024") == date(2024, 12, 31)
    assert bar.period_end("2024-Q1") == date(2024, 3, 31)
    assert bar.period_end("2024-Q4") == date(2024, 12, 31)
    assert bar.period_end("2024-02") == date(2024, 2, 29)
    assert bar.period_start("2023-Q3") == date(2023, 7, 1)
    assert bar.period_start("2023-05") == date(2023, 5, 1)


# ----------------------------------------------------------------- progress


def test_progress_increasing_target():
    assert bar.progress(10, 15, 20) == pytest.approx(0.5)
    assert bar.progress(10, 20, 20) == pytest.approx(1.0)
    assert bar.progress(10, 25, 20) == pytest.approx(1.5)
    assert bar.progress(10, 8, 20) == pytest.approx(-0.2)


def test_progress_decreasing_target():
    # Unemployment 8.2 → target 7.2: a fall to 7.7 is half the way.
    assert bar.progress(8.2, 7.7, 7.2) == pytest.approx(0.5)
    assert bar.progress(8.2, 7.0, 7.2) == pytest.approx(1.2)
    assert bar.progress(8.2, 8.7, 7.2) == pytest.approx(-0.5)


def test_progress_flat_target_uses_polarity_and_missing_values():
    assert bar.progress(100, 100, 100, "higher_is_better") == 1.0
    assert bar.progress(100, 99, 100, "higher_is_better") == 0.0
    assert bar.progress(5, 4, 5, "higher_is_worse") == 1.0
    assert bar.progress(5, 6, 5, "higher_is_worse") == 0.0
    assert bar.progress(5, 5, 5, "neutral") == 1.0
    assert bar.progress(5, None, 6) is None
    assert bar.progress(5, 6, None) is None


def test_elapsed_share():
    assert bar.elapsed_share(B, T, date(2023, 7, 1)) == pytest.approx(547 / 1096)
    assert bar.elapsed_share(B, T, date(2020, 1, 1)) == 0.0
    assert bar.elapsed_share(B, T, date(2026, 1, 1)) == 1.0
    assert bar.elapsed_share(T, T, T) == 1.0


# ------------------------------------------------------------------- status


def status(progress, current, *, target=T, has_target=True):
    return bar.status(has_target=has_target, progress_share=progress, current_date=current, baseline_date=B,
                      target_date=target)


def test_status_rules_on_hand_made_cases():
    two_thirds = date(2023, 12, 31)  # 730 of 1096 days: 66.6 % elapsed
    assert status(None, None, has_target=False) == bar.NO_TARGET
    assert status(0.4, two_thirds, target=None) == bar.NO_TARGET
    assert status(None, None) == bar.NO_DATA
    assert status(0.5, B) == bar.NO_DATA  # only the baseline year is known
    assert status(1.0, two_thirds) == bar.ACHIEVED
    assert status(1.3, date(2022, 12, 31)) == bar.ACHIEVED
    assert status(0.57, two_thirds) == bar.ON_TRACK  # 57 % ≥ 66.6 % − 10 pts
    assert status(0.56, two_thirds) == bar.LATE
    assert status(0.95, T) == bar.LATE  # deadline reached, target missed
    assert status(-0.2, date(2022, 6, 30)) == bar.LATE
    assert status(0.0, date(2022, 1, 31)) == bar.ON_TRACK  # 2.8 % elapsed, within the tolerance


def test_status_tolerance_is_a_parameter():
    current = date(2023, 12, 31)
    assert bar.status(has_target=True, progress_share=0.6, current_date=current, baseline_date=B, target_date=T,
                      tolerance=0.0) == bar.LATE


# --------------------------------------------------------------- coverage


def test_coverage():
    assert series.coverage(25, 100) == pytest.approx(0.25)
    assert series.coverage(0, 100) == 0.0
    assert series.coverage(5, 0) is None
    assert series.coverage(None, 10) is None
    assert series.coverage(pd.NA, 10) is None
    assert series.coverage(3, pd.NA) is None


def test_coverage_table_matches_observations(service):
    obs = service.package.observations
    rows = obs[obs["beneficiaries"].notna() & obs["eligible"].notna() & (obs["level"] == "departement")]
    sample = rows.iloc[0]
    table = series.coverage_table(service, "departement", str(sample["code"]))
    row = table[(table["indicator"] == str(sample["indicator"])) & (table["period"] == str(sample["period"]))]
    assert len(row) == 1
    assert row["coverage"].iloc[0] == pytest.approx(int(sample["beneficiaries"]) / int(sample["eligible"]))
    latest = series.latest_coverage(table)
    assert latest["indicator"].is_unique


# ------------------------------------------------------- latest observation


def test_latest_value_prefers_latest_end_then_annual():
    obs = pd.DataFrame({"code": ["A"] * 4 + ["B"], "period": ["2023", "2024", "2024-12", "2024-06", "2022"],
                        "value": [1.0, 2.0, 3.0, 4.0, None], "status": ["ok"] * 5})
    latest = bar.latest_values(obs)
    assert latest.loc["A", "period"] == "2024"  # ties on 31/12/2024: the annual value
    assert "B" not in latest.index  # no value at all
    assert bar.latest_values(obs, date(2024, 11, 30)).loc["A", "period"] == "2024-06"


def test_evaluated_commitments_are_consistent(service):
    frame = bar.evaluate_commitments(service)
    assert len(frame) == len(service.package.commitments)
    assert set(frame["status"]) <= set(bar.STATUSES)
    assert (frame.loc[frame["target_value"].isna(), "status"] == bar.NO_TARGET).all()
    national = frame[frame["scope_level"] == "france"].iloc[0]
    serie = service.series("france", national["scope_code"], national["indicator"])
    annual = serie[serie["period"].str.len() == 4].dropna(subset=["value"])
    assert national["current_period"] == annual["period"].iloc[-1]
    assert national["current_value"] == pytest.approx(annual["value"].iloc[-1])
    expected = (national["current_value"] - national["baseline_value"]) / (
        national["target_value"] - national["baseline_value"])
    if national["target_value"] != national["baseline_value"]:
        assert national["progress"] == pytest.approx(expected)
    # As of an earlier year, nothing later than that year is used.
    years = bar.package_years(service)
    earlier = bar.evaluate_commitments(service, years[-2])
    assert earlier["current_period"].dropna().str[:4].astype(int).max() <= years[-2]


def test_filter_commitments_by_region_keeps_its_departements(service):
    frame = bar.evaluate_commitments(service)
    region = service.territory("departement", "93")["region_code"]
    inside = bar.filter_commitments(frame, service, territory=("region", region))
    assert len(inside) and "93" in set(inside["scope_code"])
    deps = set(service.package.territories.query("level == 'departement' and region_code == @region")["code"])
    assert set(inside["scope_code"]) <= deps | {region}
    only_travail = bar.filter_commitments(frame, service, ministry="travail", scope_level="france")
    assert set(only_travail["ministry"]) == {"travail"} and set(only_travail["scope_level"]) == {"france"}


def test_series_chain_includes_parents_and_frequencies(service):
    qpv = service.codes("qpv")[0]
    frame = series.series_chain(service, "taux_chomage", "qpv", qpv)
    assert {"qpv", "france"} <= set(frame["level"])
    dep = service.territory("qpv", qpv)["departement_code"]
    monthly = series.series_chain(service, "taux_chomage", "departement", dep, frequency="monthly")
    if len(monthly):
        assert set(monthly["frequency"]) == {"monthly"}
    years = bar.package_years(service)
    cut = series.series_chain(service, "taux_chomage", "qpv", qpv, years=(years[-2], years[-1]))
    assert cut["period"].str[:4].astype(int).min() >= years[-2]


def test_trend_words():
    assert series.trend(10, 8, "higher_is_worse") == "amélioration"
    assert series.trend(10, 12, "higher_is_worse") == "dégradation"
    assert series.trend(10, 12, "neutral") == "hausse"
    assert series.trend(10, 10, "higher_is_better") == "stable"


# --------------------------------------------------------------- URL state


def test_state_round_trip_and_defaults(service):
    choices = st.barometer_choices(service)
    years = list(choices.years)
    query = (f"?ministere=travail&theme=emploi&territoire=departement:93&debut={years[1]}&fin={years[-2]}"
             "&indicateur=taux_chomage&frequence=mensuelle&echelle=departement&engagement=travail:taux_chomage")
    state = st.state_from_query(service, choices, query)
    assert state.territory == ("departement", "93") and state.frequency == "monthly"
    assert st.to_query(state, choices) == query
    default = st.state_from_query(service, choices, "?ministere=inconnu&debut=abc&territoire=qpv:NOPE")
    assert default.ministry is None and default.start == years[0] and default.territory[0] == "france"
    assert st.to_query(default, choices) == ""


# ---------------------------------------------------- callbacks and builder


def test_builder_reads_the_url(service):
    from callbacks.router import page_for

    text = text_of(page_for("/barometre", "?ministere=travail&territoire=departement:93"))
    assert "Engagements des ministères" in text and "Seine-Saint-Denis" in text
    assert "Culture" not in text.split("Tableau de bord des indicateurs")[1].split("Bénéficiaires effectifs")[0]


def test_callbacks_as_plain_functions(service):
    from callbacks import barometer as cb

    _summary, fig, rows, _table = cb.update_commitments("travail", None, "departement:93", None, "toutes")
    fig = shown(fig)
    assert rows and all(r["ministere"] == "Travail" for r in rows)
    assert "Source" in fig.layout.annotations[-1].text or any("Source" in a.text for a in fig.layout.annotations)
    years = bar.package_years(service)
    fig, freq_options, frequency, _table, config, *_note = cb.update_series("taux_chomage", "departement:93", years[0],
                                                                   years[-1], "monthly")
    assert shown(fig).data  # the series is drawn
    values = [o["value"] for o in freq_options]
    assert frequency in values and "annual" in values
    assert config["toImageButtonOptions"]["filename"].startswith("serie-taux-chomage")
    hideout, caption, _map_table = cb.update_map("travail:taux_chomage", years[-1])
    assert set(hideout) == {"fills", "tips"}  # a filter change sends colours, never geometry
    assert set(hideout["fills"]) == set(service.codes("departement"))
    assert all(colour.startswith("#") for colour in hideout["fills"].values()) and hideout["tips"]
    assert "Travail" in caption
    options = cb.update_choices("culture", None, "france:FR", years[-1], "taux_chomage", None, None)
    assert options[1] != "taux_chomage"  # not a culture indicator any more
    search = cb.sync_url("travail", None, "departement:93", years[0], years[-1], "taux_chomage", "annual",
                         "departement", None)
    assert search == "?ministere=travail&territoire=departement:93&indicateur=taux_chomage&echelle=departement"


def test_downloads_as_plain_functions(service):
    from callbacks import barometer_downloads as cb

    years = bar.package_years(service)
    sent = cb.commitments_csv("travail", None, "france:FR", years[-1], "france")
    assert sent.filename("machine") == "engagements-barometre.csv" and len(sent.frame)
    sent = cb.series_csv("taux_chomage", "france:FR", years[0], years[-1], "annual")
    assert len(sent.frame) and set(sent.frame["frequency"]) == {"annual"}


def test_series_legend_names_the_level_unless_it_is_the_name():
    from layouts.barometer import series_name

    assert series_name("Seine-Saint-Denis", "departement") == "Seine-Saint-Denis (département)"
    assert series_name("France", "france") == "France"
