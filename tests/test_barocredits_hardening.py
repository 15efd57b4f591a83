"""/barometre and /credits under hostile input (issue 11): every reproduction, the guards, the exports."""

from __future__ import annotations

import base64
import io

import pandas as pd
import pytest

from atlas import inputs
from atlas.csvexport import FRENCH, MACHINE, Column, CsvTable
from atlas.csvsafe import safe_cell as neutralise
from atlas.formatting import format_number
from callbacks import barometer as baro
from callbacks import barometer_downloads as baro_downloads
from callbacks import credits as cred
from callbacks import csv_download
from callbacks.cache import cache
from callbacks.router import page_for
from tests.patches import shown
from tests.planted import PAYLOAD, planted_package
from tests.test_routes import text_of

NO_CREDIT_FILTERS = (None,) * 7
HOSTILE = ["X" * 100_000, ["P147"] * 50_000, {"column_id": "x"}, [{"a": 1}, None, 3], 12.5, True, -1, 10**30,
           "departement:" + "9" * 5000]


def cache_size() -> int:
    return len(cache.cache._cache)


# ------------------------------------------------------------------ the guards


def test_one_of_is_exact_and_case_sensitive():
    assert inputs.one_of("culture", ("culture", "travail")) == "culture"
    assert inputs.one_of("CULTURE", ("culture",)) is None
    assert inputs.one_of(["culture"], ("culture",), "x") == "x"
    assert inputs.one_of(True, (1,)) is None  # a boolean is not the integer 1
    assert inputs.many_of(["p147", "P147", "P147", {"a": 1}, "P102"], ("P102", "P147")) == ("P102", "P147")
    assert inputs.many_of(["P147"] * 100_000, ("P147",)) == ("P147",)
    assert inputs.many_of("P147", ("P147",)) == ("P147",)


def test_years_pages_sorts_and_text_are_bounded():
    years = range(2015, 2025)
    assert inputs.year_of("2018", years, 2024) == 2018
    assert inputs.year_of("¹²³⁴", years, 2024) == 2024
    assert inputs.year_of(2014, years, 2015) == 2015
    assert inputs.year_span("2022", 2016, list(years)) == (2016, 2022)
    assert inputs.page_number(-3) == 0 and inputs.page_number(10**12) == inputs.MAX_PAGE - 1
    assert inputs.page_number("2") == 0
    assert inputs.sort_of([{"column_id": "amount_eur", "direction": "asc"}], {"amount_eur"}) == ("amount_eur", "asc")
    assert inputs.sort_of([{"column_id": "amount_eur", "direction": "ASC"}], {"amount_eur"}) is None
    assert inputs.sort_of([{"column_id": "AMOUNT_EUR", "direction": "asc"}], {"amount_eur"}) is None
    assert inputs.clean_text("¹²³⁴") == "1234"
    assert inputs.clean_text("  Mission\x00\u200b locale\n ") == "Mission locale"
    assert len(inputs.clean_text("a" * 10_000)) == inputs.MAX_TEXT
    assert inputs.clean_text("\x00 \t") is None


def test_csv_cells_cannot_start_a_formula():
    frame = pd.DataFrame({"carrier": ["=HYPERLINK(\"x\")", "+33 1", "-2+3", "@SUM(A1)", "Mission", None],
                          "amount": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0], "count": [1, -1, 2, 3, 4, 5]})
    table = CsvTable(frame, "x", columns={"carrier": Column("Porteur"), "amount": Column("Montant", "number", 1),
                                          "count": Column("Nombre", "int")})
    safe = pd.read_csv(io.BytesIO(table.to_bytes(MACHINE)))  # what a page export writes
    french = pd.read_csv(io.BytesIO(table.to_bytes(FRENCH)), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(french["Porteur"])[:5] == ["'=HYPERLINK(\"x\")", "+33 1", "'-2+3", "'@SUM(A1)", "Mission"]
    # "+33 1" is a plain number (docs/csv-exports.md): nothing to evaluate, left as it is.
    assert list(safe["carrier"])[:5] == ["'=HYPERLINK(\"x\")", "+33 1", "'-2+3", "'@SUM(A1)", "Mission"]
    assert pd.isna(safe["carrier"].iloc[5])
    assert safe["amount"].tolist() == frame["amount"].tolist() and safe["count"].tolist() == frame["count"].tolist()
    assert neutralise(-5) == -5 and neutralise("\t=1") == "'\t=1"


# ---------------------------------------------------------- issue 11's reproductions


def test_an_upper_case_ministry_does_not_poison_the_barometer(app_context, service):
    ministry = baro.choices().ministries[0]
    before = cache_size()
    shouted = baro.update_commitments(ministry.upper(), None, "france:FR", None, "toutes")
    everyone = baro.update_commitments(None, None, "france:FR", None, "toutes")
    assert shouted[2] == everyone[2]  # unknown value → the default (every ministry), not an empty selection
    assert cache_size() == before + len({"evaluated", "commitments"})  # no entry under the bad value
    text = text_of(page_for("/barometre", f"?ministere={ministry}"))
    assert "Aucun engagement" not in text
    rows = baro.update_commitments(ministry, None, "france:FR", None, "toutes")[2]
    assert rows and {r["ministere"] for r in rows} == {baro.MINISTRIES[ministry]}


def test_a_lower_case_programme_does_not_poison_the_credits(app_context, service):
    programme = cred.choices().programmes[0]
    expected = int((cred.lines()["programme"] == programme).sum())
    cred.update_summary(None, None, [programme.lower()], None, None, None, None)
    caption = cred.update_summary(None, None, [programme], None, None, None, None)[-1]
    assert caption.startswith(f"{format_number(expected, 0)} lignes pour") and expected > 0


def test_an_upper_case_sort_direction_does_not_invert_the_sort(app_context, service):
    default, _, _ = cred.update_lines(0, [], *NO_CREDIT_FILTERS)
    shouted, _, _ = cred.update_lines(0, [{"column_id": "amount_eur", "direction": "ASC"}], *NO_CREDIT_FILTERS)
    assert shouted == default
    descending, _, _ = cred.update_lines(0, [{"column_id": "amount_eur", "direction": "desc"}], *NO_CREDIT_FILTERS)
    amounts = [r["amount_eur"] for r in descending]
    assert amounts == sorted(amounts, reverse=True)
    ascending, _, _ = cred.update_lines(0, [{"column_id": "amount_eur", "direction": "asc"}], *NO_CREDIT_FILTERS)
    assert [r["amount_eur"] for r in ascending] == sorted(r["amount_eur"] for r in ascending)
    assert ascending[0]["amount_eur"] <= amounts[-1]


def test_superscript_digits_in_the_carrier_search(app_context, service):
    text = text_of(page_for("/credits", "?porteur=%C2%B9%C2%B2%C2%B3%E2%81%B4"))
    assert "Chiffres clés" in text and "Lignes de crédits" in text
    assert cred.sync_url(None, None, None, None, None, None, "¹²³⁴", None, None) == "?porteur=1234"


@pytest.fixture
def planted(tmp_path, serve_package):
    planted_package(tmp_path)
    return serve_package(tmp_path)


def test_a_commitment_without_target_renders(planted):
    text = text_of(page_for("/barometre", "?ministere=travail&territoire=departement:93"))
    assert "Sans cible" in text and "Pas de valeur" not in text
    figure, _options, frequency, table, *_rest = baro.update_series("taux_pauvrete", "departement:93", None, None,
                                                                    None)
    assert frequency == "annual" and "2023" in text_of(table)
    figure = shown(figure)
    assert [t.name for t in figure.data][-1] == "Engagement (référence → cible)"
    assert list(figure.data[-1].text) == ["Référence"]  # drawn without a target point


def test_names_from_data_stay_text_in_tooltips_and_tables(planted):
    hideout, _caption, _table = baro.update_map("travail:taux_pauvrete", None)
    assert PAYLOAD in hideout["tips"]["93"]  # plain text, given to Leaflet as a text node (assets/barometer.js)
    page = page_for("/credits", "")
    assert PAYLOAD in text_of(page)  # Dash renders component children as text


@pytest.mark.parametrize("form", [FRENCH, MACHINE])
def test_csv_downloads_neutralise_formulas(planted, form):
    sent = csv_download.send(cred.lines_csv(*NO_CREDIT_FILTERS), form)
    options = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"} if form == FRENCH else {}
    frame = pd.read_csv(io.BytesIO(base64.b64decode(sent["content"])), **options)
    carrier, label = ("Porteur", "Libellé") if form == FRENCH else ("carrier", "label")
    assert frame[carrier].str.startswith("'=HYPERLINK").any() and "'@SUM(A1)" in set(frame[label])
    assert not frame[carrier].str.startswith("=").any()
    sent = csv_download.send(cred.summary_csv("carriers", "porteurs", NO_CREDIT_FILTERS), form)
    assert "'=HYPERLINK" in base64.b64decode(sent["content"]).decode("utf-8-sig")


# ------------------------------------------------------------ hostile values


def exercise(v) -> None:
    """Every callback of both pages with ``v`` in every argument."""
    assert isinstance(baro.sync_url(v, v, v, v, v, v, v, v, v), str)
    baro.update_choices(v, v, v, v, v, v, v)
    baro.update_commitments(v, v, v, v, v)
    baro.update_map(v, v)
    baro.update_series(v, v, v, v, v)
    baro.update_territory_sections(v, v, v, v, v)
    for build in (baro_downloads.commitments_csv, baro_downloads.status_csv, baro_downloads.coverage_csv):
        build(v, v, v, v, v).to_bytes(FRENCH)
    assert baro_downloads.map_csv(v, v) is None or baro_downloads.map_csv(v, v).to_bytes(FRENCH)
    assert baro_downloads.series_csv(v, v, v, v, v) is None or baro_downloads.series_csv(v, v, v, v, v).to_bytes(
        FRENCH)
    assert isinstance(cred.sync_url(v, v, v, v, v, v, v, v, v), str)
    cred.update_summary(v, v, v, v, v, v, v)
    cred.update_lines(v, v, v, v, v, v, v, v, v)
    cred.update_leverage(v, v, v, v, v, v, v, v, v)
    leverage = cred.leverage_csv(v, v, v, v, v, v, v, v, v)
    assert leverage is None or leverage.to_bytes(FRENCH)


def visit(v) -> None:
    """Both page builders with ``v`` in every URL parameter."""
    assert text_of(page_for("/barometre", f"?ministere={v}&territoire={v}&debut={v}&fin={v}&indicateur={v}"))
    assert text_of(page_for("/credits", f"?programme={v}&porteur={v}&debut={v}&niveau={v}&indicateur={v}"))


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: type(v).__name__ + str(len(str(v))))
def test_every_callback_survives_hostile_values(app_context, service, value):
    exercise(None)
    defaults = cache_size()
    exercise(value)
    # Texts are valid searches, P147 a programme, a large page number the last page: the rest is invalid.
    if not isinstance(value, str) and "P147" not in str(value) and not (type(value) is int and value > 0):
        assert cache_size() == defaults  # a bad value fell back to the defaults: no entry of its own
    visit(value)
