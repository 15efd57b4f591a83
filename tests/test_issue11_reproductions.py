"""Issue 11's « Why » list, the reproductions without a test elsewhere, each replayed as the attacker did.

Where the other reproductions are tested: cache poisoning (ministry, programme, sort direction), ``?porteur=¹²³⁴``
and a commitment without a target in ``test_barocredits_hardening.py``; the 1 MB search in ``test_search.py``
(and over HTTP below); body size, headers, 404s under ``/geo/``, ``/download/``, ``/assets/``, component suites,
formula cells of ``/download`` and the bad package in ``test_hardening.py``; cache variants, Redis
``allkeys-lru`` and the Redis outage in ``test_cache.py``; stored XSS in ``browser/test_planted_xss.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pandas as pd
import pytest

from callbacks import barometer as baro
from callbacks import credits as cred
from callbacks import profile as profile_callbacks
from callbacks.cache import cache
from callbacks.router import page_for
from tests.conftest import ROOT, free_port
from tests.test_routes import text_of
from tests.tiny import tiny_package, write_tiny


def component(tree, ident: str):
    """The component with id ``ident`` in a rendered layout (None when absent)."""
    if isinstance(tree, list | tuple):
        return next((found for child in tree if (found := component(child, ident)) is not None), None)
    if not hasattr(tree, "to_plotly_json"):
        return None
    if getattr(tree, "id", None) == ident:
        return tree
    return component(getattr(tree, "children", None), ident)


# ------------------------------------------------------------ blank pages on ordinary choices


def test_every_end_year_shows_the_barometer_as_of_that_year(app_context, service):
    """End years 2015–2020 crashed the formatting, and the dropdown kept 2024's figures while the URL said 2018."""
    years = baro.choices().years
    assert years[0] <= 2015 and years[-1] >= 2024
    latest = baro.update_commitments(None, None, "france:FR", years[-1], "toutes")
    for year in years:
        page = page_for("/barometre", f"?fin={year}")
        text = text_of(page)
        assert "Baromètre" in text and "None" not in text and "nan" not in text.split()
        assert component(page, "baro-end").value == year  # the dropdown says what the URL says
        summary, _figure, rows, table = baro.update_commitments(None, None, "france:FR", year, "toutes")
        assert rows and text_of(summary) and text_of(table)
        if year < 2021:  # before the demo's baselines: not the latest year's evaluation
            assert rows != latest[2]


def test_every_start_year_shows_the_credits(app_context, service):
    years = cred.choices().years
    for year in (years[0], 2018, years[-1]):
        page = page_for("/credits", f"?debut={year}")
        assert "Lignes de crédits" in text_of(page)
        caption = cred.update_summary(year, None, None, None, None, None, None)[-1]
        assert caption.endswith("€") or "lignes pour" in caption


# ------------------------------------------------------------------------- bounded work


def post_callback(client, output: str, inputs: list[tuple[str, str, object]], state_: list | None = None):
    body = {"output": output, "outputs": {"id": output.rsplit(".", 1)[0], "property": output.rsplit(".", 1)[1]},
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state_ or []],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def test_a_1mb_search_query_over_http_answers_at_once(client):
    start = time.perf_counter()
    response = post_callback(client, "map-search-results.children", [("map-search", "value", "x " * 500_000)])
    assert response.status_code == 200
    assert time.perf_counter() - start < 5  # held a worker 24 s; a generous bound, not a benchmark


def test_hostile_filter_values_add_no_cache_entries(client, dash_app):
    """150 requests with made-up values added 119 MB to Redis: now they all share the default's entries."""
    map_output = "..baro-map-layer.hideout...baro-map-caption.children...baro-map-table.children.."
    outputs = [{"id": "baro-map-layer", "property": "hideout"}, {"id": "baro-map-caption", "property": "children"},
               {"id": "baro-map-table", "property": "children"}]

    def ask(measure, end):
        body = {"output": map_output, "outputs": outputs,
                "inputs": [{"id": "baro-measure", "property": "value", "value": measure},
                           {"id": "baro-end", "property": "value", "value": end}],
                "changedPropIds": ["baro-measure.value"]}
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code in (200, 204)

    with dash_app.server.app_context():
        cache.clear()
        ask(None, None)
        entries = len(cache.cache._cache)
        for i in range(150):
            ask(f"travail:{'x' * 2000}{i}", 1000 + i)
        assert len(cache.cache._cache) == entries
        cache.clear()


@pytest.mark.server
def test_a_20mb_body_writes_a_few_lines_of_log(tmp_path):
    """A 20 MB body used to write 40 MB of log: now HTTP 413 and short access-log lines, whatever the address."""
    port, log = free_port(), tmp_path / "app.log"
    env = {**os.environ, "ATLAS_BASEMAP": "aucun"}
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=sink, stderr=sink)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).close()
                    break
                except OSError:
                    assert process.poll() is None, log.read_text()[-2000:]
                    time.sleep(0.5)
            before = log.stat().st_size
            body = b'{"output": "' + b"x" * 20_000_000 + b'"}'
            request = urllib.request.Request(base + "/_dash-update-component", data=body,
                                             headers={"Content-Type": "application/json"})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=60)
            assert refused.value.code == 413
            with contextlib.suppress(urllib.error.HTTPError):  # a 50 KB address: its log line is cut
                urllib.request.urlopen(base + "/_dash-layout?q=" + "y" * 50_000, timeout=30).close()
            time.sleep(0.5)
            assert log.stat().st_size - before < 10_000
        finally:
            process.terminate()
            process.wait(timeout=20)


# ------------------------------------------------------------------ CSV formula injection


FORMULAS = ('=HYPERLINK("http://evil","clic")', "@SUM(A1)", "+CMD|' /C calc'!A0", "-2+3")


@pytest.fixture
def formula_package(tmp_path, serve_package):
    """The tiny package whose quarter, commune and département credit lines are named with formulas."""
    base = tiny_package().credits.iloc[0].to_dict()
    places = (("qpv", "QP093001"), ("commune", "93066"), ("departement", "93"), ("commune", "93066"))
    credits = pd.DataFrame([{**base, "id": str(i), "level": level, "code": code, "carrier": formula,
                             "label": FORMULAS[-1 - i]}
                            for i, (formula, (level, code)) in enumerate(zip(FORMULAS, places, strict=True))])
    write_tiny(tmp_path, credits=credits)
    return serve_package(tmp_path)


def test_the_profile_credits_csv_neutralises_formulas(formula_package):
    from atlas.csvexport import FRENCH, MACHINE

    table = profile_callbacks.credits_csv("QP093001")
    quoted = ["'" + f for f in FORMULAS]
    for form, sep, carrier, label in ((MACHINE, ",", "carrier", "label"), (FRENCH, ";", "Porteur", "Libellé")):
        frame = pd.read_csv(io.BytesIO(table.to_bytes(form)), sep=sep, encoding="utf-8-sig", dtype=str)
        assert len(frame) == 3  # the quarter's and its commune's lines (a département's is not the profile's)
        assert set(frame[carrier]) == {quoted[0], quoted[1], quoted[3]}, form
        assert set(frame[label]) == {quoted[3], quoted[2], quoted[0]}, form


def test_the_observations_download_is_built_once_and_streamed(dash_app):
    """/download/observations.csv rebuilt 70 MB per request: now written once per package, streamed from disk."""
    from callbacks.downloads import export_store

    client = dash_app.server.test_client()
    first = client.get("/download/observations.csv")
    assert first.status_code == 200 and first.mimetype == "text/csv"
    assert first.is_streamed or first.direct_passthrough
    header = first.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("level,code,indicator,period,value,status")
    with dash_app.server.app_context():
        built = list(export_store().directory.glob("observations.machine.csv"))
    assert len(built) == 1
    stamp = built[0].stat().st_mtime_ns
    second = client.get("/download/observations.csv")
    assert second.status_code == 200 and built[0].stat().st_mtime_ns == stamp  # not rebuilt
    second.close()
    first.close()
