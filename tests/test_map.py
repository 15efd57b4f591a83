"""The map's data path: validated requests, values, classes, gaps, references, URLs and callbacks."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest

from atlas.mapclasses import class_labels, classify, diverging_breaks, map_payload, widest_gaps, year_values
from atlas.mapdata import MapRequest, Reference, references_for
from atlas.service import DerivedValues
from callbacks import map as map_callbacks
from callbacks import map_search, map_table
from layouts.map_legend import comparison_note, legend


@pytest.fixture(scope="module")
def codes(service):
    return service.static_layer("qpv").codes


def request(service, **kwargs) -> MapRequest:
    return MapRequest.build(service, **kwargs)


def text_of(component) -> str:
    """All the text of a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def test_payload_values_are_the_observations(service, codes):
    req = request(service, indicator="taux_pauvrete", year=2021)
    payload = map_payload(service, req, codes)
    values = year_values(service, req, codes)
    obs = service.package.observations
    rows = obs[(obs["indicator"] == "taux_pauvrete") & (obs["level"] == "qpv") & (obs["period"] == "2021")]
    expected = rows.set_index(rows["code"].astype(str))
    for i in (0, 17, 400, len(codes) - 1):
        status = expected.loc[codes[i], "status"]
        if status in ("secret", "missing"):
            assert values[i] is None
        else:
            assert values[i] == pytest.approx(expected.loc[codes[i], "value"])
    assert payload.years == tuple(range(2015, 2025))
    assert len(payload.classes) == 10 and all(len(row) == len(codes) for row in payload.classes)


def test_classes_match_breaks_and_statuses(service, codes):
    req = request(service, indicator="taux_pauvrete", year=2024)
    payload = map_payload(service, req, codes)
    values = year_values(service, req, codes)
    breaks = payload.breaks
    assert len(breaks) == 4 and list(breaks) == sorted(breaks)
    row = payload.classes[payload.years.index(2024)]
    _, status = service.annual_table("taux_pauvrete", "qpv")
    for i, code in enumerate(codes):
        if status.at[code, 2024] == "secret":
            assert row[i] == "s"
        elif values[i] is None:
            assert row[i] == "-"
        else:
            assert int(row[i]) == int(np.searchsorted(breaks, values[i], side="right"))
    pooled = "".join(payload.classes)
    counts = [pooled.count(str(k)) for k in range(5)]
    assert max(counts) < 1.3 * min(counts)


def test_fixed_breaks_do_not_change_with_the_year_but_free_breaks_do(service, codes):
    fixed = map_payload(service, request(service, indicator="taux_chomage"), codes)
    assert fixed.breaks_for(2016) == fixed.breaks_for(2024)
    free = map_payload(service, request(service, indicator="taux_chomage", fixed=False), codes)
    assert free.breaks is None and free.breaks_for(2016) != free.breaks_for(2024)


def test_schemes():
    sample = np.array([1, 1, 2, 2, 3, 10, 11, 12, 50, 51, 52, 53], dtype=float)
    assert classify(sample, "equal", 3) == pytest.approx([18.333333, 35.666666], rel=1e-5)
    assert classify(sample, "jenks", 3) == [3.0, 12.0]
    assert classify(np.array([np.nan, 4.0, 4.0]), "quantiles", 5) == []
    # Counts with many zeros: no empty « moins de 0 » class, one class per value when there are few.
    counts = np.array([0] * 50 + [1, 2, 3, 5, 8, 13, 21, 34], dtype=float)
    assert all(b > 0 for b in classify(counts, "quantiles", 5))
    assert classify(np.array([0, 1, 2, 0, 1], dtype=float), "quantiles", 5) == [1.0, 2.0]


def test_gap_arithmetic_difference_and_ratio(service, codes):
    qpv = codes[5]
    commune = service.territory("qpv", qpv)["commune_code"]
    values = year_values(service, request(service, indicator="taux_pauvrete", mode="gap", reference="commune",
                                          year=2022), codes)
    own, _ = service.value("qpv", qpv, "taux_pauvrete", 2022)
    ref, _ = service.value("commune", commune, "taux_pauvrete", 2022)
    assert values[5] == pytest.approx(round(own - ref, 1))
    ratio = year_values(service, request(service, indicator="taux_pauvrete", mode="gap", reference="france",
                                         operation="ratio", year=2022), codes)
    france, _ = service.value("france", "FR", "taux_pauvrete", 2022)
    assert ratio[5] == pytest.approx(round(own / france, 2))


def test_diverging_breaks_are_centred_on_no_gap():
    breaks = diverging_breaks(np.array([-10, -5, -1, 0, 2, 6, 12], dtype=float), "difference")
    assert breaks[3] == 0 and np.allclose(np.array(breaks[:3]), -np.array(breaks[4:][::-1]))
    ratio = diverging_breaks(np.array([0.5, 1.0, 2.0, 4.0]), "ratio")
    assert ratio[3] == pytest.approx(1.0) and ratio[2] * ratio[4] == pytest.approx(1.0)
    assert diverging_breaks(np.array([np.nan, np.nan]), "difference") == []  # no « moins de 0 € »


def test_gap_palette_reads_blue_as_better(service, codes):
    worse = map_payload(service, request(service, indicator="taux_pauvrete", mode="gap"), codes)
    better = map_payload(service, request(service, indicator="revenu_median", mode="gap"), codes)
    assert worse.colors[-1] == "#b2182b" and better.colors[-1] == "#2166ac"
    assert worse.unit == "pts"


def test_missing_values_stay_missing(service, codes):
    req = request(service, indicator="pass_culture", year=2016)  # measured from 2021 only
    assert req.year == 2016  # a package year: the slider keeps it and the map says there is nothing
    payload = map_payload(service, req, codes)
    assert payload.years == (2021, 2022, 2023, 2024) and not payload.has_colours(2016)
    assert all(v is None for v in year_values(service, req, codes))
    assert "Aucune valeur publiée pour 2016" in text_of(legend(payload, 2016))
    secret_row = map_payload(service, request(service, indicator="taux_pauvrete"), codes).classes[-1]
    assert "s" in secret_row and "-" in secret_row


def test_reference_years_fall_back_to_the_nearest_within_two_years():
    ref = Reference("france", "la France", (2018, 2019))
    assert ref.year_for(2019) == 2019 and ref.year_for(2020) == 2019 and ref.year_for(2016) == 2018
    assert ref.year_for(2021) == 2019 and ref.year_for(2012) is None


def test_gap_mode_labels_a_fallback_year_and_says_when_no_reference_exists(service, codes, monkeypatch):
    import atlas.mapclasses as mapclasses

    original = mapclasses.reference_of

    def only_2018_2019(svc, req):
        found = original(svc, req)
        return None if found is None else replace(found, years=(2018, 2019))

    monkeypatch.setattr(mapclasses, "reference_of", only_2018_2019)
    req = request(service, indicator="taux_pauvrete", mode="gap", reference="france", year=2021)
    payload = map_payload(service, req, codes)
    assert payload.reference_years[2021] == 2019 and payload.reference_years[2015] is None
    text = text_of(legend(payload, 2021))
    assert "Référence de 2019" in text and "moins de 0" not in text
    assert "valeur de 2019" in text_of(comparison_note(payload, 2021, "Quantiles", True))
    empty = text_of(legend(payload, 2015))
    assert "Pas de valeur de référence publiée pour 2015" in empty
    assert widest_gaps(service, replace(req, year=2015), codes).empty


def test_reference_selector_offers_only_references_with_values(service, monkeypatch):
    refs = references_for(service, "taux_pauvrete", "qpv")
    assert [r.level for r in refs] == ["commune", "epci", "departement", "region", "france"]
    assert [r.level for r in references_for(service, "taux_pauvrete", "departement")] == ["region", "france"]
    assert request(service, indicator="taux_pauvrete", mode="gap", reference="nope").reference == "commune"
    # A quarter-only indicator (as many are on the real packages): no reference, so no gap mode.
    original = type(service).annual_table

    def quarters_only(svc, indicator, level):
        if indicator == "taux_pauvrete" and level != "qpv":
            return pd.DataFrame(), pd.DataFrame()
        return original(svc, indicator, level)

    monkeypatch.setattr(type(service), "annual_table", quarters_only)
    # References are derived once per package: a fresh store, as a service of this other package would have.
    monkeypatch.setattr(service, "derived_values", DerivedValues())
    assert references_for(service, "taux_pauvrete", "qpv") == ()
    assert request(service, indicator="taux_pauvrete", mode="gap").mode == "value"
    assert map_callbacks.map_outputs(request(service, indicator="taux_pauvrete"), "osm", None)[10][1]["disabled"]


def test_widest_gaps_are_sorted_unfavourable_first(service, codes):
    frame = widest_gaps(service, request(service, indicator="taux_pauvrete", mode="gap", reference="departement",
                                         year=2024), codes, limit=5)
    assert len(frame) == 5 and list(frame["gap"]) == sorted(frame["gap"], reverse=True)
    assert np.allclose(frame["gap"], frame["value"] - frame["reference"])
    income = widest_gaps(service, request(service, indicator="revenu_median", mode="gap", reference="departement",
                                          year=2024), codes, limit=5)
    assert list(income["gap"]) == sorted(income["gap"])  # the poorest quarters first


def test_class_labels_french():
    assert class_labels([12.3, 18.0], "%", 1) == ["moins de 12,3\u00a0%", "de 12,3 à 18,0\u00a0%",
                                                  "18,0\u00a0% ou plus"]
    assert class_labels([-2.0, 0.0, 2.0], "pts", 0, signed=True)[-1] == "+2\u00a0pts ou plus"
    assert class_labels([], "€", 0) == []


def test_default_map_comes_from_the_presentation(service):
    req = request(service)
    assert req.indicator == service.presentation.map_indicator and req.level == service.presentation.map_level
    assert req.year == max(service.years)


def test_url_round_trip(service):
    req = request(service, indicator="revenu_median", level="commune", scheme="jenks", fixed=False, year=2019)
    assert MapRequest.from_query(service, req.query()) == req
    gap = request(service, indicator="taux_chomage", mode="gap", reference="departement", operation="ratio",
                  year=2020)
    assert MapRequest.from_query(service, gap.query()) == gap


@pytest.mark.parametrize("params", [
    {"indicateur": "nope", "niveau": "mars", "annee": "1850", "mode": "gap", "reference": "lune"},
    {"indicateur": "TAUX_PAUVRETE", "niveau": "QPV", "annee": "2O24", "mode": "GAP", "classes": "Jenks"},
    {"indicateur": "taux_pauvrete" * 500, "annee": "99999999999999999999", "operation": "<script>"},
    {"annee": "-1", "mode": "", "fixes": "maybe", "reference": "FRANCE"},
])
def test_hostile_parameters_fall_back_to_the_default_map(service, params):
    req = MapRequest.from_query(service, params)
    default = request(service)
    assert (req.indicator, req.level, req.year) == (default.indicator, default.level, default.year)
    assert req.mode in ("value", "gap") and req.scheme in ("quantiles", "jenks", "equal")
    assert req.reference in (None, "commune", "epci", "departement", "region", "france")
    # Case-sensitive: « GAP » and « Jenks » are not options.
    if params.get("mode") == "GAP":
        assert req.mode == "value" and req.scheme == "quantiles"


@pytest.mark.parametrize("raw", [None, 42, ["x"], {"a": 1}, "", "Taux_Pauvrete", True])
def test_hostile_control_values_never_raise(service, raw):
    req = map_callbacks.request_from_controls(raw, raw, raw, raw, raw, raw, raw, raw)
    assert req == map_callbacks.request_from_controls(None, None, None, None, None, None, None, None)
    out = map_callbacks.map_outputs(req, map_callbacks.basemap_from(raw), raw)
    assert out[0]["view"]["key"] == req.classes_key()


def test_cache_keys_are_exact_for_ids_that_differ_only_by_case(service):
    a = request(service, indicator="taux_pauvrete")
    b = replace(a, indicator="TAUX_PAUVRETE")
    assert a.classes_key() != b.classes_key()
    assert a.classes_key() == replace(a, year=2016).classes_key() and a.key() != replace(a, year=2016).key()


def test_map_outputs_keep_the_layers_when_the_level_is_unchanged(service):
    req = request(service, indicator="revenu_median", level="departement", mode="gap", reference="france")
    first = map_callbacks.map_outputs(req, "osm", None)
    state, url, hideout = first[:3]
    assert url.startswith("/geo/departement.") and hideout == {"canvas": False}
    assert state["view"]["url"] == url and state["classes_url"].startswith("/geo/map/")
    assert parse_qs(first[8])["indicateur"] == ["revenu_median"] and first[9] is False
    again = map_callbacks.map_outputs(replace(req, indicator="taux_pauvrete"), "osm", url)
    assert again[1] is map_callbacks.no_update and again[2] is map_callbacks.no_update  # same geometry: no re-creation
    assert again[0]["view"]["key"] != state["view"]["key"]
    assert [o["value"] for o in again[11]] == ["region", "france"]


def test_controls_the_request_corrected_are_named_with_their_shown_value(service):
    asked = request(service, indicator="revenu_median", level="departement", mode="gap", reference="france")
    assert map_callbacks.control_corrections(asked, "gap", "france") == {}
    # An unknown reference: the map shows the default one and the radio buttons must say so.
    fallback = request(service, indicator="revenu_median", level="departement", mode="gap", reference="lune")
    corrected = {"map-reference": {"value": fallback.reference}}
    assert map_callbacks.control_corrections(fallback, "gap", "lune") == corrected
    plain = request(service, indicator="revenu_median", level="departement")
    assert map_callbacks.control_corrections(plain, "GAP", None) == {"map-mode": {"value": "value"}}


def test_the_colour_file_prefetch_is_not_held_behind_the_map_callback(dash_app):
    """Dash runs a callback only once no pending callback can still write one of its inputs or states: if the map's
    server callback wrote a control the prefetch reads, the prefetch would wait for its answer and overlap nothing."""
    mine = [d for d in dash_app._callback_list if "mapPrefetch" in str(d.get("clientside_function"))]
    assert len(mine) == 1
    reads = {f"{i['id']}.{i['property']}" for i in mine[0]["inputs"] + mine[0]["state"]}
    assert {"map-indicator.value", "map-mode.value", "map-reference.value"} <= reads
    server = next(key for key in dash_app.callback_map if "map-state.data" in key)
    written = {part.split("@")[0] for part in server.strip(".").split("...")}
    assert not reads & written


def test_year_outputs_say_the_year_and_keep_the_basemap(service):
    req = request(service, indicator="taux_pauvrete", year=2018)
    legend_div, _note, _gaps, query = map_callbacks.year_outputs(req, "indicateur=taux_pauvrete&fond=osm")
    assert parse_qs(query)["annee"] == ["2018"] and parse_qs(query)["fond"] == ["osm"]
    assert "2018" in text_of(legend_div)


def test_classes_and_values_files_are_immutable_and_exact(client, dash_app, service):
    req = request(service, indicator="taux_pauvrete", mode="gap", reference="departement", year=2019)
    with dash_app.server.test_request_context():
        state = map_callbacks.browser_state(req, map_callbacks.classes_of(req), "/geo/qpv.x.geojson",
                                            references_for(service, req.indicator, req.level))
    classes = client.get(state["classes_url"], headers={"Accept-Encoding": "gzip"})
    assert classes.status_code == 200 and "immutable" in classes.headers["Cache-Control"]
    document = json.loads(gzip.decompress(classes.data))
    expected = map_payload(service, req, service.static_layer("qpv").codes)
    assert document["classes"] == list(expected.classes) and document["key"] == state["view"]["key"]
    values = client.get(state["values_url"]).get_json()
    assert values["values"] == year_values(service, req, service.static_layer("qpv").codes)
    assert values["year"] == 2019 and values["key"] == document["key"]
    # Only the exact parameters of a valid request are served: no raw value reaches a computation.
    tampered = [state["values_url"].replace("taux_pauvrete", "TAUX_PAUVRETE"),
                state["values_url"].replace("annee=2019", "annee=1850"),
                state["values_url"] + "&x=1", state["values_url"] + "&mode=value",
                state["classes_url"] + "&annee=2019",
                state["classes_url"].replace("/geo/map/", "/geo/map/000000000000x"),
                state["values_url"].replace("reference=departement", "reference=<script>")]
    for url in tampered:
        assert client.get(url).status_code == 404, url


def test_table_alternative_links_every_mapped_territory(service):
    req = request(service, indicator="taux_pauvrete", year=2024)
    frame, _meta = map_table.table_frame(req)
    assert len(frame) == len(service.static_layer("qpv").codes)
    assert {"territoire", "commune", "valeur", "rang", "statut", "source", "millesime"} <= set(frame.columns)
    assert frame.loc[frame["valeur"].idxmax(), "rang"] == 1
    assert (frame.loc[frame["statut"] == "secret statistique", "valeur"].isna()).all()
    data, columns = map_table.table_records(req)
    assert [c["id"] for c in columns][:2] == ["territoire", "code"] and columns[0]["presentation"] == "markdown"
    assert len(data) == len(frame) and data[0]["territoire"].endswith(f"(/qpv/{data[0]['code']})")
    assert map_table.markdown_text("<img src=x onerror=alert(1)>](javascript:x)") == (
        "\\<img src=x onerror=alert\\(1\\)\\>\\]\\(javascript:x\\)")


def test_search_and_zoom(service):
    items = map_search.search_result_items("marseille")
    assert items and "Marseille" in items[0].children.children
    viewport = map_search.viewport_for("commune", "13055")
    (south, west), (north, east) = viewport["bounds"]
    assert south < 43.3 < north and west < 5.4 < east
    assert map_search.viewport_for("commune", "<script>") is map_search.no_update
    assert map_search.bounded_query("a " * 10_000).count("a") == 6


def test_static_geometry_is_versioned_gzipped_and_cached(client, service):
    layer = service.static_layer("qpv")
    response = client.get(f"/geo/{layer.filename}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    collection = json.loads(gzip.decompress(response.data))
    assert len(collection["features"]) == len(service.static_layer("qpv").codes)
    assert [f["properties"]["i"] for f in collection["features"]] == list(range(len(collection["features"])))
    assert client.get("/geo/qpv.000000000000.geojson").status_code == 404
    assert client.get(f"/geo/{layer.filename}", headers={"If-None-Match": f'"{layer.version}"'}).status_code == 304


def test_indicator_filters(service):
    options, value = map_callbacks.filter_indicators("culture", None, "qpv", "taux_pauvrete")
    ids = [o["value"] for o in options]
    assert ids and set(service.indicators.loc[ids, "theme"]) == {"culture"} and value == ids[0]
    options, value = map_callbacks.filter_indicators(None, "justice", "qpv", "recidive")
    assert value == "recidive"
    assert pd.Series([o["value"] for o in options]).isin(service.indicator_ids(ministry="justice")).all()
    options, _ = map_callbacks.filter_indicators(["x"], {"y": 1}, "Mars", None)  # hostile: ignored
    assert options


def test_quick_views_reach_overseas_departements(service):
    (south, west), (north, east) = map_search.quick_viewport("974")["bounds"]
    assert south < -21.0 < north and west < 55.5 < east  # La Réunion
    assert map_search.quick_viewport("FR")["zoom"] == 6
    assert map_search.quick_viewport("../../etc") is map_search.no_update
    assert map_search.quick_viewport(["974"]) is map_search.no_update


@pytest.mark.parametrize("search", [None, 42, ["?a=1"], {"a": 1}, "?annee=" + "9" * 5000])
def test_url_search_of_any_shape_gives_the_default_controls(service, search):
    from atlas.mapdata import parse_search

    assert isinstance(parse_search(search), dict)
    default = request(service)
    wanted = map_callbacks.controls_from_search(search, "/", [None] * len(map_callbacks.CONTROLS))
    assert wanted[0] == default.indicator and wanted[-1] == default.year


def test_territories_without_geometry_still_zoom(service, monkeypatch):
    """A 2024 quarter or an EPCI has no polygon in the real package: its commune's or its quarters' bounds."""
    code = service.static_layer("qpv").codes[3]
    row = dict(service.territory("qpv", code), lat=float("nan"), lon=float("nan"))
    monkeypatch.setattr(type(service), "territory", lambda svc, level, c: row if c == code else None)
    bounds = map_search.bounds_without_geometry(service, "qpv", code)
    assert bounds == service.bounds_of("commune", row["commune_code"])
    epci = row["epci_code"]
    monkeypatch.setattr(type(service), "territory", lambda svc, level, c: {"lat": None, "lon": None})
    (south, west), (north, east) = map_search.bounds_without_geometry(service, "epci", epci)
    (qs, qw), (qn, qe) = service.bounds_of("qpv", code)
    assert south <= qs + 0.02 and north >= qn - 0.02 and west <= qw + 0.02 and east >= qe - 0.02
