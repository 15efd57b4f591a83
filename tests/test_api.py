"""The read API (/api/v1): answers, validation, pagination, caching, CORS, CSV safety, documents.

Runs against the demo package the suite serves (see conftest); expected values are computed from the
package itself, never hard-coded.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from atlas.api.output import frame_to_csv, neutralise, to_csv


def get_json(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    return json.loads(response.data)


def assert_no_nan(text: str) -> None:
    json.loads(text, parse_constant=lambda name: pytest.fail(f"non-JSON constant {name}"))


# ------------------------------------------------------------------ resources


def test_territory_search_finds_by_name_and_code(client, service):
    commune = service.territory("commune", "13055")
    body = get_json(client, "/api/v1/territories?q=MARSEILLE&level=commune")
    assert body["items"][0]["code"] == "13055" and body["items"][0]["name"] == commune["name"]
    qpv = service.codes("qpv")[0]
    body = get_json(client, f"/api/v1/territories?q={qpv.lower()}")
    assert body["items"][0]["code"] == qpv


def test_territories_by_parent_are_inside_it(client, service):
    body = get_json(client, "/api/v1/territories?level=commune&parent=departement:13&limit=1000")
    expected = service.package.territories.query("level == 'commune' and departement_code == '13'")
    assert body["total"] == len(expected) > 0
    assert {t["code"] for t in body["items"]} == set(expected["code"])
    assert all(t["parents"]["departement"] == "13" for t in body["items"])


def test_one_territory_names_its_parents_down_to_france(client, service):
    code = service.codes("qpv")[0]
    row = service.territory("qpv", code)
    body = get_json(client, f"/api/v1/territories/qpv/{code}")
    parents = {p["level"]: p for p in body["parents"]}
    assert parents["commune"]["code"] == row["commune_code"]
    assert parents["departement"]["name"] == service.territory_name("departement", row["departement_code"])
    assert parents["france"]["code"] == "FR"
    assert body["links"]["summary"] == f"/api/v1/qpv/{code}"


def test_indicator_catalogue_and_one_indicator(client, service):
    body = get_json(client, "/api/v1/indicators?limit=1000")
    assert body["total"] == len(service.package.indicators)
    theme = service.package.indicators["theme"].iloc[0]
    themed = get_json(client, f"/api/v1/indicators?theme={theme}&limit=1000")
    assert themed["total"] == int((service.package.indicators["theme"] == theme).sum())
    indicator = service.package.indicators["id"].iloc[0]
    detail = get_json(client, f"/api/v1/indicators/{indicator}")
    qpv_rows = len(service.observations_for(indicator, "qpv"))
    assert {c["level"]: c["observations"] for c in detail["coverage"]}["qpv"] == qpv_rows


def test_observations_match_the_package(client, service):
    indicator = service.indicators_at("commune")[0]
    series = service.series("commune", "13055", indicator)
    body = get_json(client, f"/api/v1/observations?indicator={indicator}&level=commune&code=13055")
    assert body["total"] == len(series)
    assert [o["period"] for o in body["items"]] == list(series["period"])
    for item, (_, row) in zip(body["items"], series.iterrows(), strict=True):
        assert item["status"] == row["status"]
        assert (item["value"] is None) == (row["value"] != row["value"])
        if item["value"] is not None:
            assert math.isclose(item["value"], row["value"])


def test_observation_periods_and_status_filters(client, service):
    indicator = service.indicators_at("qpv")[0]
    body = get_json(client, f"/api/v1/observations?indicator={indicator}&level=qpv&from=2020&to=2021&limit=1000")
    assert body["total"] > 0 and {o["period"] for o in body["items"]} <= {"2020", "2021"}
    secret = get_json(client, f"/api/v1/observations?status=secret&indicator={indicator}&level=qpv")
    assert all(o["status"] == "secret" and o["value"] is None for o in secret["items"])


def test_secret_values_are_null_with_their_status_never_nan(client, service):
    obs = service.package.observations
    secret = obs[obs["status"] == "secret"].iloc[0]
    url = (f"/api/v1/observations?indicator={secret['indicator']}&level={secret['level']}&code={secret['code']}"
           f"&from={secret['period']}&to={secret['period']}")
    response = client.get(url)
    assert_no_nan(response.data.decode())
    items = json.loads(response.data)["items"]
    assert any(o["status"] == "secret" and o["value"] is None for o in items)


def test_pagination_walks_every_row_once(client, service):
    indicator = service.indicators_at("region")[0]
    url = f"/api/v1/observations?indicator={indicator}&level=region&limit=37"
    seen, pages = [], 0
    while url:
        body = get_json(client, url)
        seen += [(o["code"], o["period"]) for o in body["items"]]
        url, pages = body["next"], pages + 1
    assert len(seen) == len(set(seen)) == len(service.observations_for(indicator, "region"))
    assert pages == math.ceil(len(seen) / 37)


def test_qpv_summary_compares_with_references(client, service):
    code = service.codes("qpv")[0]
    row = service.territory("qpv", code)
    body = get_json(client, f"/api/v1/qpv/{code}")
    assert body["references"]["commune"]["code"] == row["commune_code"]
    figure = body["sections"][0]["figures"][0]
    assert set(figure["values"]) >= {"qpv", "france"}
    value, status = service.value("qpv", code, figure["indicator"], figure["year"])
    assert figure["values"]["qpv"]["status"] == status
    assert figure["values"]["qpv"]["value"] == (None if value is None else pytest.approx(value))


def test_commitments_carry_a_status_and_counts(client):
    body = get_json(client, "/api/v1/commitments?ministry=culture&limit=1000")
    assert body["total"] == len(body["items"]) > 0
    assert all(c["ministry"] == "culture" for c in body["items"])
    assert sum(body["status_counts"].values()) == body["total"]
    late = get_json(client, "/api/v1/commitments?ministry=culture&status=late")
    assert late["total"] == body["status_counts"]["late"]
    first = body["items"][0]
    assert get_json(client, f"/api/v1/commitments/{first['id']}")["status"] == first["status"]


@pytest.mark.parametrize("by", ["year", "programme", "ministry", "theme", "territory"])
def test_credit_aggregates_sum_to_the_lines(client, service, by):
    credits = service.package.credits
    body = get_json(client, f"/api/v1/credits?by={by}&limit=1000")
    assert body["totals"]["lines"] == len(credits)
    assert body["totals"]["amount_eur"] == pytest.approx(credits["amount_eur"].sum(), abs=0.01)
    if by != "territory":  # lines attached above the level are not in a territory's total
        assert sum(i["amount_eur"] for i in body["items"]) == pytest.approx(credits["amount_eur"].sum(), abs=0.01)
        assert sum(i["lines"] for i in body["items"]) == len(credits)


def test_credits_of_a_year_and_territory(client, service):
    year = int(service.package.credits["year"].max())
    body = get_json(client, f"/api/v1/credits?by=programme&from={year}&to={year}&territory=departement:13")
    assert body["totals"]["lines"] > 0
    assert body["totals"]["lines"] < int((service.package.credits["year"] == year).sum())


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/territories?level=planet", "level"),
    ("/api/v1/territories?level=", "level"),
    ("/api/v1/territories?parent=departement:XX", "parent"),
    ("/api/v1/territories?limit=0", "limit"),
    ("/api/v1/territories?limit=1001", "limit"),
    ("/api/v1/territories?offset=-1", "offset"),
    ("/api/v1/territories?q=" + "a" * 101, "q"),
    ("/api/v1/territories?q=" + "+".join("a" * 9), "q"),
    ("/api/v1/territories?level=qpv&level=commune", "level"),
    ("/api/v1/territories?unknown=1", "unknown"),
    ("/api/v1/observations", "indicator"),
    ("/api/v1/observations?indicator=nope", "indicator"),
    ("/api/v1/observations?indicator=taux_pauvrete&code=13055", "code"),
    ("/api/v1/observations?indicator=taux_pauvrete&level=commune&code=99999", "code"),
    ("/api/v1/observations?indicator=taux_pauvrete&from=2024&to=2020", "from"),
    ("/api/v1/observations?indicator=taux_pauvrete&from=20240", "from"),
    ("/api/v1/observations?indicator=taux_pauvrete&to=1800", "to"),
    ("/api/v1/observations?indicator=taux_pauvrete&format=xml", "format"),
    ("/api/v1/credits?by=carrier&level=commune", "level"),
    ("/api/v1/credits?programme=P999", "programme"),
    ("/api/v1/credits?from=2030&to=2020", "from"),
    ("/api/v1/commitments?status=done", "status"),
])
def test_bad_parameters_answer_400_in_french_and_english(client, url, parameter):
    body = get_json(client, url, status=400)["error"]
    assert body["parameter"] == parameter
    assert body["message_fr"] and body["message_en"] and body["message_fr"] != body["message_en"]


@pytest.mark.parametrize("url", ["/api/v1/territories/commune/99999", "/api/v1/qpv/QN999999",
                                 "/api/v1/indicators/nope", "/api/v1/commitments/nope", "/api/v2/anything",
                                 "/api/v1/nothing-here"])
def test_unknown_ids_and_addresses_answer_json_404(client, url):
    assert get_json(client, url, status=404)["error"]["code"] == "not_found"


def test_hostile_values_are_refused_before_any_lookup(client):
    for url in ("/api/v1/territories/qpv/%3Cimg%20src%3Dx%3E", "/api/v1/qpv/QN%27%20OR%201%3D1",
                "/api/v1/territories?q=%00%01", "/api/v1/territories?" + "&".join(f"x{i}=1" for i in range(400)),
                "/api/v1/territories?q=" + "é" * 3000):
        response = client.get(url)
        assert response.status_code == 400 and response.is_json, url
        assert "<img" not in response.data.decode()
    traversal = client.get("/api/v1/qpv/..%2F..%2Fetc%2Fpasswd")  # a slash: no such address
    assert traversal.status_code == 404 and traversal.is_json


def test_head_answers_headers_only_and_errors_are_readable_cross_origin(client):
    head = client.head("/api/v1/indicators")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]
    error = client.get("/api/v1/territories?level=nowhere")
    assert error.status_code == 400 and error.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" not in error.headers  # errors are never cached as a representation


def test_only_reads_are_accepted(client):
    response = client.post("/api/v1/territories", data="x")
    assert response.status_code == 405 and response.is_json and "GET" in response.headers["Allow"]
    preflight = client.options("/api/v1/observations")
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"


# ------------------------------------------------------- caching, CORS, formats


def test_etag_gives_304_and_depends_on_the_normalised_query(client):
    first = client.get("/api/v1/territories?level=region")
    etag = first.headers["ETag"]
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/territories?limit=100&level=region").headers["ETag"] == etag  # default made explicit
    assert client.get("/api/v1/territories?level=departement").headers["ETag"] != etag
    again = client.get("/api/v1/territories?level=region", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    gzipped = client.get("/api/v1/territories?level=region", headers={"Accept-Encoding": "gzip"})
    revalidated = client.get("/api/v1/territories?level=region",
                             headers={"Accept-Encoding": "gzip", "If-None-Match": gzipped.headers["ETag"]})
    assert revalidated.status_code == 304


def test_csv_by_parameter_or_accept_header(client, service):
    indicator = service.indicators_at("departement")[0]
    url = f"/api/v1/observations?indicator={indicator}&level=departement&limit=2000"
    by_param = client.get(url + "&format=csv")
    by_accept = client.get(url, headers={"Accept": "text/csv"})
    assert by_param.mimetype == by_accept.mimetype == "text/csv"
    assert by_param.data == by_accept.data
    rows = list(csv.DictReader(io.StringIO(by_param.data.decode("utf-8-sig"))))
    assert len(rows) == len(service.observations_for(indicator, "departement"))
    assert by_param.headers["X-Total-Count"] == str(len(rows))


def test_csv_neutralises_formulas_but_not_numbers():
    assert [neutralise(v) for v in ("=1+1", "+33", "-x", "@SUM(A1)", "ok", -3.5, 7)] == \
        ["'=1+1", "'+33", "'-x", "'@SUM(A1)", "ok", -3.5, 7]
    text = to_csv([{"name": "=HYPERLINK(\"x\")", "value": -2.5}], ["name", "value"])
    assert text.splitlines()[1] == "\"'=HYPERLINK(\"\"x\"\")\",-2.5"
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"name": ["@A1", "-x", "Évry", None], "key": ["+1", 2024, None, "ok"],
                          "value": [-1.5, np.nan, 3.0, 0.25],
                          "count": pd.array([1, None, -3, 4], dtype="Int64")})
    lines = frame_to_csv(frame).lstrip("\ufeff").splitlines()
    assert lines == ["name,key,value,count", "'@A1,'+1,-1.5,1", "'-x,2024,,", "Évry,,3.0,-3", ",ok,0.25,4"]


def test_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    document = get_json(client, "/api/v1/openapi.json")
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert {"/api/v1/observations", "/api/v1/qpv/{code}", "/api/v1/credits"} <= set(document["paths"])


def test_catalog_describes_licence_sources_and_coverage(client, service):
    response = client.get("/api/v1/catalog.jsonld")
    assert response.mimetype == "application/ld+json"
    dataset = json.loads(response.data)["dcat:dataset"][0]
    assert dataset["dct:title"] == service.manifest["title"]
    assert len(dataset["dct:source"]) == len(service.manifest["sources"])
    assert {node["dct:title"] for node in dataset["dct:license"]} == {s["licence"] for s in service.manifest["sources"]}
    assert any(node.get("@id", "").startswith("https://www.etalab.gouv.fr/") for node in dataset["dct:license"])
    years = sorted({int(str(p)[:4]) for p in service.package.observations["period"].unique()})
    assert dataset["dct:temporal"]["dcat:startDate"]["@value"] == f"{years[0]}-01-01"
    assert dataset["dct:spatial"]["territories_by_level"]["qpv"] == len(service.codes("qpv"))
    urls = [d.get("dcat:downloadURL", d.get("dcat:accessURL"))["@id"] for d in dataset["dcat:distribution"]]
    assert any(u.endswith("/download/observations.csv") for u in urls)
    assert any("/api/v1/observations" in u for u in urls)


def test_human_page_in_french_with_examples(client):
    for path in ("/api", "/api/"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "text/html"
        text = response.data.decode()
        assert 'lang="fr"' in text and "curl " in text and "pd.read_csv" in text and "<script" not in text


def test_readme_examples_answer(client, service):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    curl = re.search(r"curl '(http://127\.0\.0\.1:8050)(/api/v1/[^']+)'", readme)
    assert curl and get_json(client, curl.group(2))["total"] > 0
    first = service.package.indicators["id"].iloc[0]
    assert "{api}/indicators?format=csv" in readme
    pandas_url = re.search(r'f"\{api\}(/observations\?[^"]+)"', readme).group(1).replace("{catalogue.id[0]}", first)
    response = client.get("/api/v1" + pandas_url)
    assert response.status_code == 200 and response.mimetype == "text/csv"


def test_links_given_by_the_api_answer(client, service):
    """Every link an answer offers (pages, templates filled with a real id) leads to a 200."""
    code = service.codes("qpv")[0]
    detail = get_json(client, f"/api/v1/territories/qpv/{code}")
    indicator = get_json(client, detail["links"]["indicators"])["items"][0]["id"]
    observations = get_json(client, detail["links"]["observations_template"].replace("{indicator}", indicator))
    assert observations["total"] > 0 and {o["code"] for o in observations["items"]} == {code}
    get_json(client, detail["links"]["summary"])
    about = get_json(client, f"/api/v1/indicators/{indicator}")
    for link in ("observations", "csv"):
        assert client.get(about["links"][link]).status_code == 200
    listing = get_json(client, "/api/v1/territories?level=commune&limit=5&offset=5")
    assert get_json(client, listing["next"])["offset"] == 10 and get_json(client, listing["previous"])["offset"] == 0
