"""The read API from a browser: the French /api page renders without script, and a page of another origin
can read the API (CORS) and revalidate it with its ETag."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser

READ = """async (url) => {
  const first = await fetch(url);
  const body = await first.json();
  const tag = first.headers.get('ETag');
  const again = await fetch(url, {headers: {'If-None-Match': tag}, cache: 'no-store'});
  return {status: first.status, total: body.total, tag: tag, revalidated: again.status};
}"""


@pytest.fixture
def other_origin_page():
    """A blank page served by another loopback server: a re-user's site, with no policy of the atlas's."""

    class Blank(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>ailleurs</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Blank)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_api_page_and_cross_origin_read(csp_page, live_server, service, other_origin_page):
    page = csp_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    other_origin = live_server.replace("127.0.0.1", "localhost")  # same server, another origin for the browser
    response = page.goto(other_origin + "/api")
    assert response.status == 200 and page.get_attribute("html", "lang") == "fr"
    assert page.inner_text("h1") == "API de lecture de l'Atlas QPV"
    assert "pd.read_csv" in page.inner_text("main")
    screenshot(page, "api-page")
    # The atlas's own pages forbid cross-origin fetches (CSP connect-src 'self'): read from a re-user's page.
    page.goto(other_origin_page)
    result = page.evaluate(READ, live_server + "/api/v1/territories?level=region")
    assert result["status"] == 200 and result["tag"]
    assert result["total"] == len(service.codes("region"))
    assert result["revalidated"] == 304
    assert errors == []
