"""Credits: totals to the cent, breakdowns, territory filter, per-QPV-inhabitant, URL state, callbacks."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest

from atlas import credits as cr
from atlas import credits_state as st
from tests.patches import shown
from tests.tiny import tiny_package


def raw_total(frame: pd.DataFrame) -> Decimal:
    return sum((Decimal(repr(float(a))).quantize(Decimal("0.01")) for a in frame["amount_eur"]), Decimal("0"))


@pytest.fixture(scope="module")
def lines(package):
    return cr.prepare(package.credits)


def test_totals_equal_raw_lines_to_the_cent(lines, package):
    totals = cr.totals(lines, package.territories)
    assert totals["amount_eur"] == raw_total(package.credits)
    assert totals["lines"] == len(package.credits)


@pytest.mark.parametrize("by", ["year", "programme", "ministry", "theme", "carrier", ["year", "ministry"]])
def test_breakdowns_add_up_to_the_total(lines, by):
    table = cr.breakdown(lines, by)
    assert int(table["cents"].sum()) == int(lines["cents"].sum())
    assert int(table["lines"].sum()) == len(lines)


def test_each_year_matches_the_raw_lines(lines, package):
    table = cr.breakdown(lines, "year").set_index("year")
    for year, part in package.credits.groupby("year"):
        assert cr.euros(table.at[int(year), "cents"]) == raw_total(part)


def test_filters_and_territory(lines, package):
    terr = package.territories
    first = int(lines["year"].min())
    sub = cr.filter_lines(lines, terr, years=(first, first), programmes=["P147"])
    raw = package.credits[(package.credits["year"] == first) & (package.credits["programme"] == "P147")]
    assert cr.totals(sub, terr)["amount_eur"] == raw_total(raw)
    in93 = cr.filter_lines(lines, terr, territory=("departement", "93"))
    assert len(in93)
    codes = cr.ancestor_codes(terr, in93, "departement")
    assert set(codes) == {"93"}
    # Every line of the département is in exactly one of its contrats de ville, or attached higher up.
    by_cv = cr.by_territory(in93, terr, "contrat_de_ville")
    attached_above = in93[in93["level"].isin(["departement", "epci"])]
    assert int(by_cv["cents"].sum()) + int(attached_above["cents"].sum()) <= int(in93["cents"].sum())
    by_dep = cr.by_territory(lines, terr, "departement")
    assert int(by_dep.set_index("code").at["93", "cents"]) == int(in93["cents"].sum())


def test_qpv_population_reached_counts_each_qpv_once():
    package = tiny_package()
    terr = package.territories
    lines = cr.prepare(pd.DataFrame([
        {"id": "a", "year": 2023, "programme": "P147", "ministry": "travail", "theme": "emploi", "carrier": "X",
         "amount_eur": 100.10, "beneficiaries": 3, "level": "qpv", "code": "QP093001", "lon": None, "lat": None},
        {"id": "b", "year": 2023, "programme": "P147", "ministry": "travail", "theme": "emploi", "carrier": "Y",
         "amount_eur": 50.05, "beneficiaries": None, "level": "commune", "code": "93066", "lon": None, "lat": None},
    ]))
    # The commune holds both QPV (9 + 10 inhabitants); QP093001 is reached twice but counts once.
    assert cr.qpv_population_reached(terr, lines) == 19
    assert cr.qpv_population_reached(terr, lines.iloc[:1]) == 9
    totals = cr.totals(lines, terr)
    assert totals["cents"] == 15015 and totals["amount_eur"] == Decimal("150.15")
    assert totals["per_qpv_inhabitant"] == pytest.approx(150.15 / 19)
    assert totals["beneficiaries"] == 3 and totals["lines_with_beneficiaries"] == 1
    assert cr.qpv_population_by(terr, "commune").to_dict() == {"93066": 19}


def test_p147_share_uses_the_documented_constant(lines):
    year = max(cr.STATE_BUDGET_NET_EXPENDITURE_EUR)
    share = cr.p147_share(lines, year)
    p147 = lines[(lines["programme"] == "P147") & (lines["year"] == year)]
    assert share["cents"] == int(p147["cents"].sum())
    assert share["share"] == pytest.approx(float(cr.euros(share["cents"])) / cr.STATE_BUDGET_NET_EXPENDITURE_EUR[year])
    assert 0 < share["share"] < 0.01  # P147 is a fraction of a percent of the State budget
    assert cr.p147_share(lines, 2015)["budget_year"] == min(cr.STATE_BUDGET_NET_EXPENDITURE_EUR)


def test_map_layers_keep_every_cent(lines, package):
    points = cr.located_points(lines)
    places = cr.unlocated_by_territory(lines, package.territories)
    assert int(points["cents"].sum()) + int(places["cents"].sum()) == int(lines["cents"].sum())
    geo = cr.symbols_geojson(places)
    radii = [f["properties"]["r"] for f in geo["features"]]
    assert radii == sorted(radii, reverse=True)  # largest drawn first, under the small ones


def test_state_round_trip(service):
    choices = st.CreditsChoices(
        years=tuple(range(2015, 2025)), programmes=("P147", "P102"), funders=("travail",), themes=("emploi",),
        levels=("france", "region", "departement"), leverage_levels=("contrat_de_ville", "departement"),
        leverage_indicators=("taux_chomage", "neet"), default_level="departement", default_indicator="taux_chomage")
    query = ("?debut=2020&programme=P147,P102&financeur=travail&theme=emploi&territoire=region:11"
             "&porteur=mission&niveau=contrat_de_ville&indicateur=neet")
    filters, leverage = st.state_from_query(choices, service.is_known, query)
    assert filters.programmes == ("P147", "P102") and filters.end == 2024 and filters.territory == ("region", "11")
    assert st.to_query(filters, leverage, choices) == query
    bad, bad_leverage = st.state_from_query(choices, service.is_known,
                                            "?programme=P999,p147&debut=1900&niveau=qpv&territoire=commune:93066")
    assert bad.programmes == () and bad.start == 2015 and bad_leverage.level == "departement"
    assert bad.territory is None  # communes are not offered by the territory filter of /credits


def test_leverage_defaults_come_from_the_package(service):
    from callbacks import credits as cc

    choices = cc.choices()
    assert choices.default_indicator in choices.leverage_indicators
    table = cc.leverage_view(cc.package_token(), cc.filters_of().key(), choices.default_level,
                             choices.default_indicator)
    assert len(table) >= 2  # the view never opens on an indicator without data


def test_callbacks_as_plain_functions(service):
    from callbacks import credits as cc
    from tests.test_routes import text_of

    years = cc.years_of()
    outputs = cc.update_summary(years[0], years[-1], ["P147"], None, None, "departement:93", None)
    kpis = text_of(outputs[0])
    assert "Montant total" in kpis and "Par habitant des QPV" in kpis
    rows, count, page = cc.update_lines(1, [{"column_id": "amount_eur", "direction": "desc"}], years[0], years[-1],
                                        None, None, None, None, None)
    assert page == 1 and count > 1
    amounts = [r["amount_eur"] for r in rows]
    assert amounts == sorted(amounts, reverse=True)
    first_page, _, _ = cc.update_lines(0, [{"column_id": "amount_eur", "direction": "desc"}], years[0], years[-1],
                                       None, None, None, None, None)
    assert min(r["amount_eur"] for r in first_page) >= max(amounts)
    choices = cc.choices()
    summary, fig, _table, *_note = cc.update_leverage(choices.default_level, choices.default_indicator, years[0],
                                                      years[-1], None, None, None, None, None)
    assert "Plus de crédits" in text_of(summary)
    assert any("Source" in (a.text or "") for a in shown(fig).layout.annotations)
    assert cc.sync_url(years[0], years[-1], ["P147"], None, None, "france:FR", "", choices.default_level,
                       choices.default_indicator) == "?programme=P147"
    sent = cc.lines_csv(years[-1], years[-1], ["P147"], None, None, "departement:93", None)
    assert sent.filename("machine") == "lignes-de-credits.csv" and set(sent.frame["programme"]) == {"P147"}


def test_builder_reads_the_url(service):
    from callbacks.router import page_for
    from tests.test_routes import text_of

    text = text_of(page_for("/credits", "?programme=P147&territoire=departement:93"))
    assert "Crédits de la politique de la ville" in text and "corrélation n'est pas une causalité" in text


def test_per_inhabitant_divides_only_credits_whose_quarters_are_known():
    territories = pd.concat([tiny_package().territories, pd.DataFrame([
        {"level": "departement", "code": "75", "name": "Paris", "population": 2000, "region_code": "11"},
        {"level": "contrat_de_ville", "code": "CV1", "name": "Plaine Commune", "departement_code": "93",
         "region_code": "11"},
    ])], ignore_index=True)
    line = {"year": 2023, "programme": "P147", "ministry": "travail", "theme": "emploi", "carrier": "X",
            "beneficiaries": None, "lon": None, "lat": None}
    lines = cr.prepare(pd.DataFrame([
        {**line, "id": "a", "amount_eur": 100.0, "level": "commune", "code": "93066"},
        {**line, "id": "b", "amount_eur": 1000.0, "level": "departement", "code": "75"},  # no QPV known there
        {**line, "id": "c", "amount_eur": 50.0, "level": "contrat_de_ville", "code": "CV1"},  # no QPV linked
    ]))
    totals = cr.totals(lines, territories)
    assert totals["covered_cents"] == 15000 and totals["via_departement_cents"] == 5000
    assert totals["qpv_population"] == 19  # the two QPV of the 93, each once; none from Paris
    assert totals["per_qpv_inhabitant"] == pytest.approx(150 / 19)
    assert totals["by_level"][0][1] == 1 and {lvl for lvl, _n, _c in totals["by_level"]} == {
        "commune", "departement", "contrat_de_ville"}
    alone = cr.totals(lines.iloc[1:2], territories)
    assert alone["per_qpv_inhabitant"] is None and alone["qpv_population"] == 0


def test_the_key_figures_say_what_they_divide(service):
    from layouts import credits as ui
    from tests.test_routes import text_of

    lines = cr.prepare(service.package.credits)
    text = text_of(ui.kpi_cards(cr.totals(lines, service.package.territories), None, (2020, 2023)))
    assert "habitants" in text and "des QPV des territoires auxquels ces crédits sont rattachés" in text
    assert "Rattachement des lignes" in text


def test_map_layers_are_fetched_from_canonical_addresses_only(client, service):
    """Points and symbols travel as files named by the validated selection, never as Dash properties."""
    from callbacks import credits as cc

    years = cc.years_of()
    outputs = cc.update_summary(years[0], years[-1], ["P147"], None, None, None, None)
    points_url, symbols_url = outputs[9], outputs[10]
    assert points_url.startswith("/geo/credits/") and points_url.endswith("points.json?programme=P147")
    key = cc.filters_of(years[0], years[-1], ["P147"]).key()
    expected = cc.summary(cc.package_token(), key)
    for url, kind in ((points_url, "points"), (symbols_url, "symbols")):
        answer = client.get(url)
        assert answer.status_code == 200 and "immutable" in answer.headers["Cache-Control"]
        assert answer.get_json() == json.loads(json.dumps(expected[kind]))
        assert answer.get_json()["features"], kind  # the demo has located lines and territories for P147
    every = client.get(points_url.split("?")[0]).get_json()
    assert len(every["features"]) >= len(client.get(points_url).get_json()["features"])
    # A long but valid selection (an accented 80-character carrier, percent-encoded to ~480 characters) is served.
    carrier = "é" * 80
    long_url = cc.update_summary(years[0], years[-1], ["P147"], None, None, None, carrier)[9]
    assert len(long_url.split("?")[1]) > 400 and client.get(long_url).status_code == 200
    # Anything but the canonical query of a valid selection is refused before any computation.
    for tampered in (points_url.replace("P147", "p147"), points_url + "&x=1", points_url.replace("points", "lines"),
                     points_url.replace("/geo/credits/", "/geo/credits/0"), points_url + "," + "P147" * 200):
        assert client.get(tampered).status_code == 404, tampered
