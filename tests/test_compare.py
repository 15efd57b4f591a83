"""The comparison: best/worst marks on hand-made cases, URL parsing, the page and its callbacks."""

from __future__ import annotations

import pytest

from atlas.compare import (
    MAX_TERRITORIES,
    comparison_rows,
    mark_best_worst,
    parse_selection,
    parse_token,
    search_for,
    trend_frame,
    with_added,
    without,
)
from atlas.values import comparable_across_territories
from tests.test_routes import text_of


def test_marks_follow_polarity():
    values = {"a": 10.0, "b": 30.0, "c": 20.0}
    assert mark_best_worst(values, "higher_is_better") == {"a": "worst", "b": "best", "c": None}
    assert mark_best_worst(values, "higher_is_worse") == {"a": "best", "b": "worst", "c": None}


def test_neutral_indicators_get_no_mark():
    assert mark_best_worst({"a": 1.0, "b": 2.0}, "neutral") == {"a": None, "b": None}


def test_ties_share_the_mark_and_equal_values_get_none():
    assert mark_best_worst({"a": 5.0, "b": 5.0, "c": 1.0}, "higher_is_better") == {
        "a": "best", "b": "best", "c": "worst"}
    assert mark_best_worst({"a": 2.0, "b": 2.0}, "higher_is_better") == {"a": None, "b": None}


def test_absent_values_are_ignored():
    values = {"a": None, "b": float("nan"), "c": 3.0, "d": 4.0}
    assert mark_best_worst(values, "higher_is_worse") == {"a": None, "b": None, "c": "best", "d": "worst"}
    assert mark_best_worst({"a": None, "b": 3.0}, "higher_is_better") == {"a": None, "b": None}


def test_parse_token():
    assert parse_token("qpv:QN013001") == ("qpv", "QN013001")
    assert parse_token("QN013001") == ("qpv", "QN013001")
    assert parse_token("qn013001") == ("qpv", "QN013001")
    assert parse_token("Commune:13055") == ("commune", "13055")
    assert parse_token("departement:2a") == ("departement", "2A")
    assert parse_token("FR") == ("france", "FR")
    for bad in ("", "13055", "pays:FR", "qpv:", "x" * 80, "<script>"):
        assert parse_token(bad) is None, bad


def test_parse_selection_keeps_known_deduplicated_and_capped():
    known = {("qpv", "QN013001"), ("commune", "13055"), ("departement", "13"), ("region", "93"), ("france", "FR")}
    selection = parse_selection(
        "?codes=qpv:QN013001,commune%3A13055,QN013001,bogus,qpv:QN999999,departement:13,region:93,france:FR",
        lambda level, code: (level, code) in known)
    assert selection.territories == [("qpv", "QN013001"), ("commune", "13055"), ("departement", "13"),
                                     ("region", "93")]
    assert len(selection.territories) == MAX_TERRITORIES
    text = " ".join(selection.problems)
    assert "« bogus » n'est pas un code reconnu" in text
    assert "qpv:QN999999" in text
    assert "4 territoires au plus" in text
    assert parse_selection("", lambda *_: True).territories == []
    assert parse_selection(None, lambda *_: True).problems == []


def test_url_helpers_round_trip():
    chosen = [("qpv", "QN013001"), ("commune", "13055")]
    assert search_for(chosen) == "?codes=qpv:QN013001,commune:13055"
    assert search_for([]) == ""
    assert with_added(chosen, "france", "FR")[-1] == ("france", "FR")
    assert with_added(chosen, "qpv", "QN013001") == chosen
    assert without(chosen, "qpv", "QN013001") == [("commune", "13055")]
    assert parse_selection(search_for(chosen), lambda *_: True).territories == chosen


def _pair(service):
    code = sorted(service.codes("qpv"))[0]
    territory = service.territory("qpv", code)
    return [("qpv", code), ("commune", territory["commune_code"]), ("france", "FR")]


def test_comparison_rows_use_one_year_per_indicator_and_mark_by_polarity(service):
    territories = _pair(service)
    rows = comparison_rows(service, territories)
    assert len(rows) == len(service.indicators) * len(territories)
    for indicator, group in rows.groupby("indicator"):
        assert group["year"].nunique() <= 1
        meta = service.indicator(indicator)
        polarity = meta["polarity"] if comparable_across_territories(meta["unit"]) else "neutral"
        marked = group.dropna(subset=["mark"])
        if polarity == "neutral":
            assert marked.empty
            continue
        usable = group[group["value"].notna() & (group["value_year"] == group["year"])]
        if usable["value"].nunique() >= 2:
            best = marked[marked["mark"] == "best"]["value"].iloc[0]
            expected = usable["value"].max() if polarity == "higher_is_better" else usable["value"].min()
            assert best == expected
    # Values are the observations themselves.
    row = rows[(rows["indicator"] == "taux_chomage") & (rows["level"] == "france")].iloc[0]
    assert service.value("france", "FR", "taux_chomage", int(row["year"]))[0] == row["value"]


def test_trend_frame(service):
    frame = trend_frame(service, _pair(service), "taux_pauvrete")
    assert set(frame["level"]) == {"qpv", "commune", "france"}
    assert frame["year"].min() == service.years[0]


def test_page_with_bad_codes_explains_instead_of_crashing(service):
    from callbacks.router import page_for

    text = text_of(page_for("/comparer", "?codes=nimporte,qpv:QN999999,commune:,%%%"))
    assert "n'est pas un code reconnu" in text
    assert "Aucun territoire « qpv:QN999999 »" in text
    assert "Aucun territoire sélectionné" in text
    assert "Ajouter un territoire" in text


def test_page_lists_territories_and_marks(service):
    from callbacks.router import page_for

    territories = _pair(service)
    component = page_for("/comparer", search_for(territories))
    text = text_of(component)
    assert service.territory_name(*territories[0]) in text
    assert "meilleur" in text and "moins bon" in text
    assert "Indice de bien-être territorial" in text


def test_callbacks_as_plain_functions(service):
    from callbacks import compare as cb

    territories = _pair(service)
    search = search_for(territories)
    items = cb.search_territories("Seine-Saint-Denis", search)
    hrefs = [item.children.href for item in items if hasattr(item.children, "href")]
    assert hrefs and all(h.startswith("/comparer?codes=" + search[len("?codes="):]) for h in hrefs)
    assert any(h.endswith(",departement:93") for h in hrefs)
    assert cb.search_territories("", search) == []

    full = search_for([*territories, ("departement", "93")])
    assert "4 territoires au plus" in text_of(cb.search_territories("Paris", full))

    trends, url, state = cb.update_trends(["taux_chomage", "inconnu"], search)
    assert len(trends) == 1
    # The choice is written back to the URL (shareable), unknown ids dropped, the selection kept.
    assert url == search + "&indicateurs=taux_chomage"
    assert cb.chosen_indicators(service, url) == ["taux_chomage"]
    assert state == {"keys": [f"{lvl}:{c}" for lvl, c in territories], "indicators": ["taux_chomage"]}
    assert "Source :" in str(trends[0].children[0].children[0].figure.layout.annotations[0].text)

    download = cb.comparison_csv(search)
    assert download.filename("machine") == "atlas-qpv-comparaison.csv"
    frame = cb.table_csv(service, search)
    assert set(frame["mark"].dropna()) <= {"best", "worst"}  # codes; the spreadsheet form says « meilleur »

    assert cb.follow_url(search, "/carte") is cb.no_update
    assert "Comparer des territoires" in text_of(cb.follow_url(search, "/comparer"))


@pytest.mark.parametrize("search", ["?codes=", "?codes=,,,", "?foo=bar", "?codes=" + "a" * 5000])
def test_degenerate_queries(service, search):
    from callbacks.router import page_for

    assert "Comparer des territoires" in text_of(page_for("/comparer", search))


def test_compare_route_answers_200(client):
    assert client.get("/comparer?codes=nimporte").status_code == 200


@pytest.mark.parametrize("indicators", [None, "taux_chomage", ["TAUX_CHOMAGE"], [1, None, {"a": 1}],
                                        ["taux_chomage"] * 500, ["x" * 10_000]])
def test_hostile_indicator_values_never_fail(service, indicators):
    from callbacks import compare as cb

    search = search_for(_pair(service))
    charts, _url, _ = cb.update_trends(indicators, search)
    chosen = cb.valid_indicators(service, indicators)
    assert len(charts) == max(1, len(chosen))  # one chart each, or one sentence saying none is chosen
    assert all(i in ("taux_chomage",) for i in chosen)  # exact ids only: "TAUX_CHOMAGE" is not an indicator
    assert cb.trends_csv(indicators, search).to_bytes("tableur").startswith(b"\xef\xbb\xbf")


def test_follow_url_leaves_a_page_it_wrote_itself(service):
    from callbacks import compare as cb

    territories = _pair(service)
    search = search_for(territories) + "&indicateurs=taux_chomage"
    shown = {"keys": [f"{lvl}:{c}" for lvl, c in territories], "indicators": ["taux_chomage"]}
    assert cb.follow_url(search, "/comparer", shown) is cb.no_update
    assert cb.follow_url(search_for(territories[:1]), "/comparer", shown) is not cb.no_update


def test_too_many_codes_are_cut_before_any_lookup():
    from atlas.compare import MAX_TOKENS, codes_from_search

    assert len(codes_from_search("?codes=" + ",".join(f"qpv:QN{i:06d}" for i in range(5000)))) == MAX_TOKENS


def test_comparison_names_the_year_of_a_fallback_value(service):
    """A territory without a value in the row's year shows its nearest published year, labelled, unmarked."""
    from layouts.compare import _row_cell

    territories = _pair(service)
    rows = comparison_rows(service, territories, ["taux_chomage"])
    first = rows.iloc[0]
    cell = rows.iloc[1].copy()
    cell["value_year"] = int(first["year"]) - 2
    text = text_of(_row_cell(cell, first))
    assert f"({int(first['year']) - 2})" in text
    cell["value"], cell["status"], cell["value_year"] = None, "missing", None
    assert text_of(_row_cell(cell, first)) == f"pas de valeur publiée pour {int(first['year'])}"


def test_counts_are_never_ranked():
    from atlas.values import comparable_across_territories

    for unit in ("%", "€", "€ par an et par UC", "indice (0 à 1)", "rapport", "années", "pour 1 000 habitants",
                 "% de réussite", "mois de traitement", ""):
        assert comparable_across_territories(unit), unit
    for unit in ("bénéficiaires", "contrats", "habitants", "logements", "heures de patrouille sur douze mois"):
        assert not comparable_across_territories(unit), unit


def test_nearest_value_prefers_a_published_year_to_a_secret():
    import pandas as pd

    from atlas.values import nearest_value

    values = pd.Series({2019: 14.0, 2020: None, 2021: None})
    statuses = pd.Series({2019: "ok", 2020: "missing", 2021: "secret"})
    assert nearest_value(values, statuses, 2021) == (14.0, "ok", 2019)
    assert nearest_value(values.iloc[1:], statuses.iloc[1:], 2021) == (None, "secret", 2021)
    assert nearest_value(values, statuses, None) == (None, "missing", None)
