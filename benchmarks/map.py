"""Map performance figures, printed as JSON.

Starts the app (embedded package unless ATLAS_DATA_DIR is set) on a loopback port and measures:
- the bytes of the first page load (everything Chromium downloads, as transferred, i.e. compressed);
- the bytes and server time of an indicator change and of a year change (the Dash callback requests);
- in headless Chromium, the time from a change to re-coloured polygons;
- whether any geometry file was fetched twice.
Targets (issue 3, ~1,600 QPV): ≤ 20 KB and ≤ 150 ms per change, geometry never fetched twice.

Usage: python benchmarks/map.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ATLAS_BASEMAP", "aucun")  # no tile server: measure the atlas, not the basemap

FILLS = "() => Array.from(document.querySelectorAll('.leaflet-choropleth-pane path')).map(p => p.getAttribute('fill'))"
WATCH = """() => new Promise(resolve => {
  const pane = document.querySelector('.leaflet-choropleth-pane');
  const start = window.__changeStart;
  const observer = new MutationObserver(() => { observer.disconnect(); resolve(performance.now() - start); });
  observer.observe(pane, {attributes: true, childList: true, subtree: true});
  setTimeout(() => { observer.disconnect(); resolve(null); }, 10000);
})"""


def serve():
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from werkzeug.serving import make_server

    import app as app_module

    server = make_server("127.0.0.1", 0, app_module.app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server, base = serve()
    exchanges: list[dict] = []
    geometry: list[str] = []

    def on_finished(request):
        response = request.response()
        sizes = request.sizes()
        entry = {"url": request.url, "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                 "body": sizes["responseBodySize"], "server_ms": None, "post": request.post_data or ""}
        timing = request.timing
        if timing and timing.get("responseStart", -1) >= 0:
            entry["server_ms"] = timing["responseStart"] - timing["requestStart"]
        if "/geo/" in request.url:
            geometry.append(request.url)
        entry["status"] = response.status if response else None
        exchanges.append(entry)

    result: dict = {"qpv": None}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("requestfinished", on_finished)
        page.goto(base + "/?vue=48.86,2.40,11", wait_until="networkidle")
        page.wait_for_function("() => document.querySelectorAll('.leaflet-choropleth-pane path').length > 1000")
        result["qpv"] = page.evaluate("() => document.querySelectorAll('.leaflet-choropleth-pane path').length")
        result["first_load_bytes"] = sum(e["bytes"] for e in exchanges)
        result["first_load_requests"] = len(exchanges)
        result["geometry_bytes"] = sum(e["bytes"] for e in exchanges if "/geo/" in e["url"])

        def timed_change(act) -> dict:
            """Run one change; time to the first re-coloured polygon, and the callbacks it caused."""
            mark = len(exchanges)
            page.evaluate(f"() => {{ window.__changeStart = performance.now(); window.__recolour = ({WATCH})(); }}")
            act()
            elapsed = page.evaluate("() => window.__recolour")
            page.wait_for_load_state("networkidle")
            time.sleep(1.0)  # let follow-up callbacks land in this change's window
            calls = [e for e in exchanges[mark:] if "_dash-update-component" in e["url"]]
            return {"ms_to_recolour": elapsed, "bytes": sum(e["bytes"] for e in calls),
                    "server_ms": sum(e["server_ms"] or 0 for e in calls), "requests": len(calls)}

        indicators = ["revenu_median", "taux_chomage", "reussite_brevet", "taux_pauvrete", "neet", "suroccupation"]
        indicator_runs, year_runs = [], []
        for i in range(args.repeat):
            # Indicator change: the dropdown, a server round trip, then re-colouring.
            page.click("#map-indicator")
            option = page.locator(f".dash-dropdown-option:has(input[value='{indicators[i % len(indicators)]}'])")
            indicator_runs.append(timed_change(option.first.click))
            # Year change: keyboard on the slider; colours change in the browser.
            page.focus("#map-year [role=slider]")
            year_runs.append(timed_change(lambda: page.keyboard.press("ArrowLeft")))
        browser.close()
    server.shutdown()

    def summarise(runs):
        return {key: round(statistics.median(r[key] for r in runs), 1) for key in runs[0]} | {
            "max_bytes": max(r["bytes"] for r in runs), "max_server_ms": round(max(r["server_ms"] for r in runs), 1)}

    result["indicator_change"] = summarise(indicator_runs)
    result["year_change"] = summarise(year_runs)
    # Chromium reports finished requests asynchronously, so a late response can land in the next window:
    # the per-callback figures below are exact whatever the timing.
    updates = [e for e in exchanges if "_dash-update-component" in e["url"]]
    by_output = {"indicator_change_main_callback": "..map-choropleth.hideout...map-choropleth.url",
                 "year_change_values_patch": "..map-choropleth.hideout@"}
    for name, prefix in by_output.items():
        hits = [e for e in updates if json.loads(e["post"] or "{}").get("output", "").startswith(prefix)]
        if hits:
            result[name] = {"calls": len(hits), "median_bytes": int(statistics.median(e["bytes"] for e in hits)),
                            "max_bytes": max(e["bytes"] for e in hits),
                            "median_server_ms": round(statistics.median(e["server_ms"] or 0 for e in hits), 1),
                            "max_server_ms": round(max(e["server_ms"] or 0 for e in hits), 1)}
    result["geometry_requests"] = len(geometry)
    result["geometry_fetched_twice"] = len(geometry) != len(set(geometry))
    result["targets"] = {"bytes_per_change": 20_000, "server_ms_per_change": 150}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
