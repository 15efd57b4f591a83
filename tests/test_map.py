"""The map's data path: values, classes, gaps, URLs and callbacks called as plain functions."""

from __future__ import annotations

import gzip
import json
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest

from atlas.mapdata import (
    MapRequest,
    class_labels,
    classify,
    diverging_breaks,
    map_payload,
    query_from_request,
    request_from_query,
    widest_gaps,
    year_values,
)
from callbacks import map as map_callbacks


@pytest.fixture(scope="module")
def codes(service):
    return service.static_layer("qpv").codes


def test_payload_values_are_the_observations(service, codes):
    payload = map_payload(service, MapRequest("taux_pauvrete"), codes, 2021)
    obs = service.package.observations
    rows = obs[(obs["indicator"] == "taux_pauvrete") & (obs["level"] == "qpv") & (obs["period"] == "2021")]
    expected = rows.set_index(rows["code"].astype(str))
    for i in (0, 17, 400, len(codes) - 1):
        code = codes[i]
        status = expected.loc[code, "status"]
        value = payload["values"][i]
        if status in ("secret", "missing"):
            assert value is None
        else:
            assert value == pytest.approx(expected.loc[code, "value"])
    assert payload["years"] == list(range(2015, 2025))
    assert len(payload["classes"]) == 10 and all(len(row) == len(codes) for row in payload["classes"])


def test_classes_match_breaks_and_statuses(service, codes):
    payload = map_payload(service, MapRequest("taux_pauvrete"), codes, 2024)
    breaks = payload["breaks"]
    assert len(breaks) == 4 and breaks == sorted(breaks)
    row = payload["classes"][payload["years"].index(2024)]
    _, status = service.annual_table("taux_pauvrete", "qpv")
    for i, code in enumerate(codes):
        value = payload["values"][i]
        if status.at[code, 2024] == "secret":
            assert row[i] == "s"
        elif value is None:
            assert row[i] == "-"
        else:
            assert int(row[i]) == int(np.searchsorted(breaks, value, side="right"))
    # Quantiles: roughly a fifth of all values (pooled over the years) in each class.
    pooled = "".join(payload["classes"])
    counts = [pooled.count(str(k)) for k in range(5)]
    assert max(counts) < 1.3 * min(counts)


def test_fixed_breaks_do_not_change_with_the_year_but_free_breaks_do(service, codes):
    fixed_2016 = map_payload(service, MapRequest("taux_chomage"), codes, 2016)
    fixed_2024 = map_payload(service, MapRequest("taux_chomage"), codes, 2024)
    assert fixed_2016["breaks"] == fixed_2024["breaks"]
    free = map_payload(service, MapRequest("taux_chomage", fixed=False), codes, 2024)
    assert free["breaks"] is None
    assert free["breaks_by_year"]["2016"] != free["breaks_by_year"]["2024"]


def test_schemes():
    sample = np.array([1, 1, 2, 2, 3, 10, 11, 12, 50, 51, 52, 53], dtype=float)
    assert classify(sample, "equal", 3) == pytest.approx([18.333333, 35.666666], rel=1e-5)
    jenks = classify(sample, "jenks", 3)
    assert jenks == [3.0, 12.0]
    assert classify(np.array([np.nan, 4.0, 4.0]), "quantiles", 5) == []


def test_gap_arithmetic_difference_and_ratio(service, codes):
    qpv = codes[5]
    commune = service.territory("qpv", qpv)["commune_code"]
    request = MapRequest("taux_pauvrete", mode="gap", reference="commune")
    values = year_values(service, request, codes, 2022)
    own, _ = service.value("qpv", qpv, "taux_pauvrete", 2022)
    ref, _ = service.value("commune", commune, "taux_pauvrete", 2022)
    assert values[5] == pytest.approx(round(own - ref, 1))
    ratio = year_values(service, MapRequest("taux_pauvrete", mode="gap", reference="france", operation="ratio"),
                        codes, 2022)
    france, _ = service.value("france", "FR", "taux_pauvrete", 2022)
    assert ratio[5] == pytest.approx(round(own / france, 2))


def test_diverging_breaks_are_centred_on_no_gap():
    sample = np.array([-10, -5, -1, 0, 2, 6, 12], dtype=float)
    breaks = diverging_breaks(sample, "difference")
    assert breaks[3] == 0
    assert np.allclose(np.array(breaks[:3]), -np.array(breaks[4:][::-1]))
    ratio = diverging_breaks(np.array([0.5, 1.0, 2.0, 4.0]), "ratio")
    assert ratio[3] == pytest.approx(1.0)
    assert ratio[2] * ratio[4] == pytest.approx(1.0)


def test_gap_palette_reads_blue_as_better(service, codes):
    worse = map_payload(service, MapRequest("taux_pauvrete", mode="gap"), codes, 2024)
    better = map_payload(service, MapRequest("revenu_median", mode="gap"), codes, 2024)
    # Highest class: a higher poverty rate is worse (red), a higher income is better (blue).
    assert worse["colors"][-1] == "#b2182b"
    assert better["colors"][-1] == "#2166ac"
    assert worse["unit"] == "pts"


def test_missing_values_stay_missing(service, codes):
    payload = map_payload(service, MapRequest("pass_culture"), codes, 2016)  # measured from 2021 only
    assert payload["years"] == [2021, 2022, 2023, 2024]  # the map draws other years as "non disponible"
    assert all(v is None for v in year_values(service, MapRequest("pass_culture"), codes, 2016))
    secret_row = map_payload(service, MapRequest("taux_pauvrete"), codes, 2024)["classes"][-1]
    assert "s" in secret_row and "-" in secret_row


def test_widest_gaps_are_sorted_unfavourable_first(service):
    frame = widest_gaps(service, MapRequest("taux_pauvrete", reference="departement"), 2024, limit=5)
    assert len(frame) == 5
    assert list(frame["gap"]) == sorted(frame["gap"], reverse=True)
    assert (frame["gap"] == frame["value"] - frame["reference"]).all() or np.allclose(
        frame["gap"], frame["value"] - frame["reference"])
    income = widest_gaps(service, MapRequest("revenu_median", reference="departement"), 2024, limit=5)
    assert list(income["gap"]) == sorted(income["gap"])  # the poorest quarters first


def test_class_labels_french():
    assert class_labels([12.3, 18.0], "%", 1) == ["moins de 12,3\u00a0%", "de 12,3 à 18,0\u00a0%",
                                                  "18,0\u00a0% ou plus"]


def test_url_round_trip(service):
    request = MapRequest("revenu_median", "commune", "value", "commune", "difference", "jenks", False)
    params = query_from_request(request, 2019)
    again, year = request_from_query(params, service)
    assert again == request.normalised(service) and year == 2019
    gap = MapRequest("taux_chomage", "qpv", "gap", "departement", "ratio", "quantiles", True)
    assert request_from_query(query_from_request(gap, 2020), service) == (gap, 2020)
    # Anything unknown falls back to a valid map.
    fallback, year = request_from_query({"indicateur": "nope", "niveau": "mars", "annee": "1850",
                                         "mode": "gap"}, service)
    assert fallback.indicator == "taux_pauvrete" and fallback.level == "qpv" and year == 2024


def test_map_outputs_as_plain_function(service):
    out = map_callbacks.map_outputs("revenu_median", "departement", "gap", "commune", "difference", "quantiles",
                                    True, "osm", 2020)
    hideout, url, communes_url, _legend, _note, _gaps, query, gap_hidden, modes = out
    assert hideout["level"] == "departement" and hideout["mode"] == "value"  # gap is for quarters only
    assert url.startswith("/geo/departement.") and communes_url is None
    assert parse_qs(query)["indicateur"] == ["revenu_median"] and gap_hidden is True
    assert [m["disabled"] for m in modes] == [False, True]
    assert len(hideout["values"]) == len(service.codes("departement"))


def test_year_outputs_send_values_only(service):
    patch, _legend, _gaps, query = map_callbacks.year_outputs(2018, "taux_pauvrete", "qpv", "value", "commune",
                                                            "difference", "quantiles", True,
                                                            "indicateur=taux_pauvrete&annee=2024")
    operations = patch.to_plotly_json()["operations"]
    assert {op["location"][0] for op in operations} == {"values", "values_year", "year"}
    assert parse_qs(query)["annee"] == ["2018"]


def test_table_alternative_and_csv(service):
    frame, _meta = map_callbacks.table_frame("taux_pauvrete", "qpv", "value", None, None, 2024)
    assert len(frame) == len(service.codes("qpv"))
    assert {"territoire", "commune", "valeur", "rang", "statut", "source", "millesime"} <= set(frame.columns)
    assert frame.loc[frame["valeur"].idxmax(), "rang"] == 1
    assert (frame.loc[frame["statut"] == "secret statistique", "valeur"].isna()).all()
    data, columns = map_callbacks.fill_table(False, {"indicator": "taux_pauvrete", "level": "qpv",
                                                     "mode": "value", "year": 2024})
    assert [c["id"] for c in columns][:2] == ["territoire", "code"]
    assert len(data) == len(frame)


def test_search_and_zoom(service):
    items = map_callbacks.search_result_items("marseille")
    assert items and "Marseille" in items[0].children.children
    viewport = map_callbacks.viewport_for("commune", "13055")
    (south, west), (north, east) = viewport["bounds"]
    assert south < 43.3 < north and west < 5.4 < east


def test_static_geometry_is_versioned_gzipped_and_cached(client, service):
    layer = service.static_layer("qpv")
    response = client.get(f"/geo/{layer.filename}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    collection = json.loads(gzip.decompress(response.data))
    assert len(collection["features"]) == len(service.codes("qpv"))
    assert [f["properties"]["i"] for f in collection["features"]] == list(range(len(collection["features"])))
    assert client.get("/geo/qpv.000000000000.geojson").status_code == 404
    assert client.get(f"/geo/{layer.filename}", headers={"If-None-Match": f'"{layer.version}"'}).status_code == 304


def test_payload_cache_keys_are_normalised(dash_app):
    from callbacks.cache import cache, cache_key, package_fingerprint

    assert cache_key("m", "QPV", "2024") == cache_key("m", "qpv", 2024)
    with dash_app.server.app_context():
        cache.clear()
        first = map_callbacks.payload_for("taux_pauvrete", "qpv", "value", "commune", "difference", "quantiles",
                                          True, 2024)
        key = cache_key(f"map-payload:{package_fingerprint()}", "taux_pauvrete", "qpv", "value", "commune",
                        "difference", "quantiles", True, 2024)
        assert cache.get(key) == first


def test_indicator_filters(service):
    options, value = map_callbacks.filter_indicators("culture", None, "qpv", "taux_pauvrete")
    ids = [o["value"] for o in options]
    assert ids and set(service.indicators.loc[ids, "theme"]) == {"culture"}
    assert value == ids[0]
    options, value = map_callbacks.filter_indicators(None, "justice", "qpv", "recidive")
    assert value == "recidive"
    assert pd.Series([o["value"] for o in options]).isin(service.indicator_ids(ministry="justice")).all()


def test_quick_views_reach_overseas_departements(service):
    viewport = map_callbacks.quick_viewport("974")
    (south, west), (north, east) = viewport["bounds"]
    assert south < -21.0 < north and west < 55.5 < east  # La Réunion
    assert map_callbacks.quick_viewport("FR")["zoom"] == 6
