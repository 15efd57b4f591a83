"""Downloads against a loopback HTTP server: resume after an interruption, checksums, cache, then build."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from atlas.ingest.fetch import CHECKSUMS_FILE, FetchError, fetch_all, fetch_one

PAYLOAD = bytes(range(256)) * 800  # 200 kB: several chunks


class FileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RangeHandler)
        self.files: dict[str, bytes] = {}
        self.cut_next: set[str] = set()  # paths whose next response stops halfway, as a dropped connection would
        self.ignore_range = False
        self.requests: list[tuple[str, str | None]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class RangeHandler(BaseHTTPRequestHandler):
    server: FileServer

    def do_GET(self):
        wanted = self.headers.get("Range")
        self.server.requests.append((self.path, wanted))
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = int(wanted.removeprefix("bytes=").rstrip("-")) if wanted and not self.server.ignore_range else 0
        if start >= len(body):
            self.send_error(416)
            return
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        payload = body[start:]
        if self.path in self.server.cut_next:
            self.server.cut_next.discard(self.path)
            payload = payload[: len(payload) // 2]
        self.wfile.write(payload)

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server():
    httpd = FileServer()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_records_checksum_and_uses_the_cache(server, tmp_path):
    server.files["/a.csv"] = PAYLOAD
    entry = {"url": server.url("/a.csv"), "file": "sub/a.csv"}
    path = fetch_one(entry, tmp_path, progress=False)
    assert path.read_bytes() == PAYLOAD
    records = json.loads((tmp_path / CHECKSUMS_FILE).read_text())
    assert records["sub/a.csv"]["sha256"] == sha(PAYLOAD) and records["sub/a.csv"]["bytes"] == len(PAYLOAD)
    fetch_one(entry, tmp_path, progress=False)
    assert len(server.requests) == 1  # cached and verified: not downloaded again

    path.write_bytes(b"tampered")
    fetch_one(entry, tmp_path, progress=False)
    assert path.read_bytes() == PAYLOAD and len(server.requests) == 2


def test_interrupted_transfer_is_resumed_with_a_range_request(server, tmp_path):
    server.files["/big.bin"] = PAYLOAD
    server.cut_next.add("/big.bin")
    path = fetch_one({"url": server.url("/big.bin"), "file": "big.bin", "sha256": sha(PAYLOAD)}, tmp_path,
                     progress=False)
    assert path.read_bytes() == PAYLOAD
    (_, first_range), (_, second_range) = server.requests
    assert first_range is None
    assert second_range == f"bytes={len(PAYLOAD) // 2}-"
    assert not (tmp_path / "big.bin.part").exists()


def test_leftover_part_file_is_resumed(server, tmp_path):
    server.files["/big.bin"] = PAYLOAD
    (tmp_path / "big.bin.part").write_bytes(PAYLOAD[:1000])
    fetch_one({"url": server.url("/big.bin"), "file": "big.bin"}, tmp_path, progress=False)
    assert (tmp_path / "big.bin").read_bytes() == PAYLOAD
    assert server.requests == [("/big.bin", "bytes=1000-")]


def test_complete_part_file_and_server_ignoring_range(server, tmp_path):
    server.files["/f"] = PAYLOAD
    (tmp_path / "f.part").write_bytes(PAYLOAD)  # already whole: the server answers 416
    fetch_one({"url": server.url("/f"), "file": "f"}, tmp_path, progress=False)
    assert (tmp_path / "f").read_bytes() == PAYLOAD

    server.ignore_range = True
    (tmp_path / "g.part").write_bytes(b"stale bytes")
    server.files["/g"] = PAYLOAD
    fetch_one({"url": server.url("/g"), "file": "g"}, tmp_path, progress=False)
    assert (tmp_path / "g").read_bytes() == PAYLOAD  # a 200 answer restarts the file instead of appending


def test_checksum_mismatch_discards_the_download(server, tmp_path):
    server.files["/a.csv"] = PAYLOAD
    with pytest.raises(FetchError, match="checksum mismatch"):
        fetch_one({"url": server.url("/a.csv"), "file": "a.csv", "sha256": "0" * 64}, tmp_path, progress=False)
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "a.csv.part").exists()


def test_http_error_and_exhausted_retries(server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_one({"url": server.url("/missing"), "file": "m"}, tmp_path, progress=False)
    server.files["/cut"] = PAYLOAD
    server.cut_next.add("/cut")
    with pytest.raises(FetchError, match="to resume later"):
        fetch_one({"url": server.url("/cut"), "file": "cut"}, tmp_path, progress=False, retries=1)
    assert (tmp_path / "cut.part").stat().st_size == len(PAYLOAD) // 2
    fetch_all([{"url": server.url("/cut"), "file": "cut"}], tmp_path, progress=False)
    assert (tmp_path / "cut").read_bytes() == PAYLOAD


def test_fetch_command_downloads_then_builds(server, tmp_path, capsys):
    from atlas.cli import main

    server.files["/regions.geojson"] = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": 76, "nom": "Occitanie"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 42], [4, 42], [4, 45], [0, 45], [0, 42]]]}}]}).encode()
    config = tmp_path / "national.toml"
    config.write_text(f"""
title = "fetched"
illustrative = false

[[sources]]
id = "t"
title = "t"
publisher = "t"
licence = "LO"

[[downloads]]
url = "{server.url('/regions.geojson')}"
file = "admin/regions.geojson"

[[territories]]
level = "region"
file = "admin/regions.geojson"
vintage = "2024"
fields = {{ code = {{ column = "code", zero_pad = 2 }}, name = "nom" }}
""", encoding="utf-8")
    out = tmp_path / "package"
    args = ["fetch", "--config", str(config), "--cache", str(tmp_path / "cache"), "--out", str(out), "--quiet"]
    assert main(args) == 0
    assert "1 region" in capsys.readouterr().out
    assert (tmp_path / "cache" / CHECKSUMS_FILE).is_file()
    server.files.clear()
    assert main(args) == 0  # everything cached: builds again without the network
    server.files["/regions.geojson"] = b"{}"
    assert main([*args, "--refresh", "--no-build"]) == 0
