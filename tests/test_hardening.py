"""The shell's hardening: headers, real 404s, bounded requests and logs, formula-safe CSV, loud bad packages."""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT
from tests.tiny import tiny_package, write_tiny


def test_security_headers_on_pages_and_callbacks(client):
    for response in (client.get("/"), client.get("/_dash-layout"), client.get("/healthz")):
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Server" not in headers  # no version banner


def test_static_files_are_kept_by_the_browser_only_when_their_address_names_their_content(client):
    page = client.get("/").get_data(as_text=True)
    asset = page[page.index("/assets/"):].split('"')[0]  # as Dash writes it: /assets/<file>?m=<modification time>
    assert "?m=" in asset
    assert client.get(asset).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    unversioned = client.get(asset.split("?")[0]).headers.get("Cache-Control", "")
    assert "immutable" not in unversioned and "max-age=31536000" not in unversioned
    assert client.get("/_favicon.ico?v=1").headers["Cache-Control"] == "public, max-age=86400"
    assert "max-age" not in client.get("/").headers.get("Cache-Control", "")  # the page itself is asked for again


def test_every_inline_script_of_the_index_is_allowed_by_its_hash(client):
    import base64
    import hashlib
    import re

    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    html = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)  # comments never run
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
    executable = [body for attrs, body in scripts if "application/json" not in attrs]
    assert executable, "Dash's renderer bootstrap is inline"
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy, body[:80]


@pytest.mark.parametrize("path", ["/geo/foo", "/geo/qpv.000.geojson", "/geo/a/b", "/download/nope.csv",
                                  "/download/a/b/c", "/download/indicateur/nope.csv", "/assets/nope.js",
                                  "/assets/../app.py", "/_dash-component-suites/dash/nope.js",
                                  "/_dash-component-suites/nopkg/x.js", "/_dash-component-suites/dash/../../x.js",
                                  "/api/anything", "/embed/x"])
def test_unknown_internal_paths_answer_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"_dash-renderer" not in response.data  # not the index page


def test_request_bodies_are_bounded(client, dash_app):
    limit = dash_app.server.config["MAX_CONTENT_LENGTH"]
    response = client.post("/_dash-update-component", data=b"x" * (limit + 1), content_type="application/json")
    assert response.status_code == 413


def test_log_lines_are_bounded():
    from hardening import TruncatingFilter

    logger = logging.getLogger("atlas.test-bounded")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TruncatingFilter(100))
    logger.addHandler(handler)
    try:
        logger.error("request %s", "x" * 1_000_000)
        try:
            raise ValueError("y" * 1_000_000)
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert len(stream.getvalue()) < 2_000


def test_csv_formula_cells_are_neutralised():
    from atlas.csvsafe import safe_cell, safe_frame

    frame = pd.DataFrame({"carrier": ["=HYPERLINK(\"http://x\")", "+33 1 x", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd",
                                      "Association", "-12,5", "+3", None],
                          "amount": [-1.5, 2, -3, 4, 5, 6, 7, 8, 9, 10],
                          "level": pd.Categorical(["=cat"] * 10)})
    safe = safe_frame(frame)
    assert safe["carrier"].tolist()[:6] == ["'=HYPERLINK(\"http://x\")", "'+33 1 x", "'-2+3", "'@SUM(A1)", "'\tcmd",
                                            "'\rcmd"]
    assert safe["carrier"].tolist()[6:9] == ["Association", "-12,5", "+3"]  # text and plain numbers untouched
    assert safe["amount"].tolist() == frame["amount"].tolist()
    assert set(safe["level"]) == {"'=cat"}
    assert frame["carrier"][0].startswith("=")  # the input is not modified
    assert safe_cell(-3) == -3 and safe_cell("=1") == "'=1"


def test_downloads_are_built_once_streamed_and_formula_safe(tmp_path, dash_app, monkeypatch):
    from atlas.package import load_package
    from atlas.service import AtlasService
    from callbacks import state

    credits = tiny_package().credits.assign(carrier='=HYPERLINK("http://evil","clic")')
    write_tiny(tmp_path / "pkg", credits=credits)
    previous = state.service()
    state.set_service(AtlasService(load_package(tmp_path / "pkg")))
    monkeypatch.setitem(dash_app.server.config, "ATLAS_EXPORT_DIR", tmp_path / "exports")
    client = dash_app.server.test_client()
    try:
        first = client.get("/download/credits.csv")
        assert first.status_code == 200 and first.mimetype == "text/csv"
        assert first.is_streamed or first.direct_passthrough  # served from the file, not built in memory
        rows = list(csv.DictReader(io.StringIO(first.get_data(as_text=True).lstrip("\ufeff"))))
        assert rows[0]["carrier"] == '\'=HYPERLINK("http://evil","clic")'
        assert rows[0]["amount_eur"] == "22555.73"
        built = list((tmp_path / "exports").rglob("credits.machine.csv"))
        assert len(built) == 1
        french = client.get("/download/tableur/credits.csv").get_data(as_text=True)
        assert french.startswith("\ufeff")  # both forms neutralise formulas
        french_rows = list(csv.DictReader(io.StringIO(french.lstrip("\ufeff")), delimiter=";"))
        assert french_rows[0]["Porteur"] == '\'=HYPERLINK("http://evil","clic")'
        assert french_rows[0]["Montant (€)"] == "22555,73"
        stamp = built[0].stat().st_mtime_ns
        assert client.get("/download/credits.csv").data == first.data
        assert built[0].stat().st_mtime_ns == stamp  # not rebuilt
        assert client.get("/download/credits.csv", headers={"Range": "bytes=0-9"}).status_code == 206
    finally:
        state.set_service(previous)


def run_app(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=180)


def broken_package(folder):
    observations = tiny_package().observations.copy()
    observations.loc[1, "status"] = "bogus"
    write_tiny(folder, observations=observations)
    return folder


@pytest.mark.server
def test_a_bad_package_stops_the_app_with_one_clear_line(tmp_path):
    result = run_app({"ATLAS_DATA_DIR": str(broken_package(tmp_path))}, "-c", "import app")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "observations.parquet" in lines[-1] and "row 2" in lines[-1] and "status" in lines[-1]


@pytest.mark.server
def test_a_bad_package_stops_gunicorn_with_one_clear_line(tmp_path):
    from tests.conftest import free_port

    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    result = subprocess.run([gunicorn, "-w", "2", "-b", f"127.0.0.1:{free_port()}", "app:server"], cwd=ROOT,
                            env={**os.environ, "ATLAS_DATA_DIR": str(broken_package(tmp_path))},
                            capture_output=True, text=True, timeout=180)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"atlas: cannot serve the data package {tmp_path}: observations.parquet, row 2, column 'status': 'bogus' "
        "is not one of ok, secret, missing, estimate"]


ROUTER = {"output": "..page-content.children...site-header.children..",
          "outputs": [{"id": "page-content", "property": "children"}, {"id": "site-header", "property": "children"}],
          "inputs": [{"id": "url", "property": "pathname", "value": "/a-propos"},
                     {"id": "history-nav", "property": "data", "value": None}],
          "state": [{"id": "url", "property": "search", "value": ""}], "changedPropIds": ["url.pathname"]}


@pytest.mark.parametrize("change", [
    {"output": "nope.children"}, {"output": 3}, {"output": ["Scunthorpe", ""]}, {"output": {"a": 1}},
    {"inputs": "x"}, {"inputs": [ROUTER["inputs"][0]]},
    {"inputs": ["a", "b"]}, {"state": None}, {"state": "x"}, {"outputs": [ROUTER["outputs"][0]]},
    {"outputs": [{"id": {"a": 1}, "property": "children"}, ROUTER["outputs"][1]]}, {"changedPropIds": [1]},
])
def test_malformed_callback_requests_answer_400(client, change):
    body = {**ROUTER, **change}
    body = {k: v for k, v in body.items() if v is not None}
    assert client.post("/_dash-update-component", json=body).status_code == 400
    assert client.post("/_dash-update-component", json=ROUTER).status_code == 200


@pytest.mark.parametrize("address, linked", [
    ("https://www.insee.fr/x?a=1", True), ("http://example.org", True), (" https://example.org ", True),
    ("javascript:alert(1)", False), (" JaVaScRiPt:alert(1)", False), ("java\tscript:alert(1)", False),
    ("java\nscript:alert(1)", False), ("data:text/html,<script>x</script>", False), ("vbscript:x", False),
    ("//evil.example/x", False), ("https:evil", False), ("/relative", False), ("", False), (None, False), (3, False),
])
def test_only_http_addresses_from_the_data_become_links(address, linked):
    from atlas.weblinks import link_address
    from layouts.shell import source_title

    assert (link_address(address) is not None) is linked
    rendered = source_title({"title": "Source <img src=x>", "url": address})
    assert (getattr(rendered, "href", None) is not None) is linked
    assert "Source <img src=x>" in str(getattr(rendered, "children", rendered))


@pytest.mark.parametrize("code", ["<img src=x onerror=alert(1)>", "javascript:alert(1)", "QP093 001", "93066\n",
                                  "X" * 17, ""])
def test_territory_codes_hold_letters_and_digits_only(tmp_path, code):
    """Codes are addresses (/qpv/<code>) and keys: markup or a URL scheme never gets into one."""
    from atlas.package import PackageError, load_package

    territories = tiny_package().territories.copy()
    territories.loc[territories["code"] == "QN09301M", "code"] = code
    write_tiny(tmp_path, territories=territories)
    with pytest.raises(PackageError) as refused:
        load_package(tmp_path)
    assert "territories.parquet, row 6, column 'code'" in str(refused.value)
