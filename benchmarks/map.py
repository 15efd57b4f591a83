"""Map performance figures, printed as JSON (how the map draws, targets and example output: docs/performance.md).

Starts the app (embedded package unless ATLAS_DATA_DIR is set) on a loopback port and measures, in
headless Chromium, for each map level asked (default: qpv and commune):
- first paint: from navigation start to every polygon drawn and coloured (one frame after), with the CPU time
  the page's main thread and renderer process used until then (hardly affected by the machine's load, unlike
  the wall clock) and when the geometry had arrived;
- bytes of the first load (as transferred) and of the geometry, and whether any geometry file was
  fetched twice;
- indicator, mode and reference changes, three times: ``cold`` (the server's caches cold: the first
  visitor), ``warm`` (a fresh browser on warm server caches: every later visitor) and ``revisit`` (that
  same page again, holding the colour files it fetched): time from the change to re-coloured polygons,
  bytes of the callbacks and colour files it caused, and whether any polygon was re-created (they must be
  re-coloured in place);
- year changes (re-coloured in the browser).
Changes are made as a person's would be, through the controls' values (``dash_clientside.set_props``).
``--versus-naive`` also serves a plain Dash + Plotly choropleth on the same geometry (benchmarks/naive_map.py)
and prints its figures and the ratios.

Usage: python benchmarks/map.py [--levels qpv,commune] [--repeat 7] [--versus-naive] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ATLAS_BASEMAP", "aucun")  # no tile server: measure the atlas, not the basemap

LAYER = "map-choropleth"
FIRST_PAINT = """(count) => new Promise(resolve => {
  const check = () => {
    const layers = window.atlasMap ? window.atlasMap.layers('map-choropleth') : [];
    const state = window.atlasMap ? window.atlasMap.state('map-choropleth') : null;
    if (layers.length >= count && state) { requestAnimationFrame(() => resolve(performance.now())); }
    else { setTimeout(check, 10); }
  };
  check();
})"""
CHANGE = """([control, value]) => new Promise(resolve => {
  const before = window.__atlasPainted ? window.__atlasPainted.at : -1;
  const created = window.atlasMap.created();
  const first = window.atlasMap.layers('map-choropleth')[0];
  const start = performance.now();
  window.dash_clientside.set_props(control, {value: value});
  const check = () => {
    const p = window.__atlasPainted;
    if (p && p.at > before && p.drawn) {
      resolve({ms: p.drawn - start, recreated: window.atlasMap.created() !== created
               || window.atlasMap.layers('map-choropleth')[0] !== first});
    } else if (performance.now() - start > 20000) { resolve({ms: null, recreated: null}); }
    else { setTimeout(check, 2); }
  };
  check();
})"""


def serve():
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from werkzeug.serving import make_server

    import app as app_module

    server = make_server("127.0.0.1", 0, app_module.app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def warm_like_production(server) -> float:
    """The colourings warmed as a served app does at start-up (gunicorn.conf.py, app.py); seconds it took."""
    from callbacks.map_files import start_warming

    started = time.perf_counter()
    start_warming(server).join()
    return round(time.perf_counter() - started, 1)


class Traffic:
    """Every finished request of the page, with its transferred size and server time."""

    def __init__(self):
        self.entries: list[dict] = []

    def on_finished(self, request):
        sizes = request.sizes()
        timing = request.timing
        server_ms = (timing["responseStart"] - timing["requestStart"]) if timing.get("responseStart", -1) >= 0 else 0
        self.entries.append({"url": request.url, "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                             "server_ms": server_ms})

    def mark(self) -> int:
        return len(self.entries)

    def callbacks_since(self, mark: int) -> list[dict]:
        return [e for e in self.entries[mark:] if "_dash-update-component" in e["url"] or "/geo/map/" in e["url"]]


def later_visitor(page, base: str, traffic: Traffic, level: str, count: int):
    """A new browser context (no cache) showing the map at ``level``, in place of ``page``'s."""
    browser = page.context.browser
    page.context.close()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    fresh = context.new_page()
    fresh.on("requestfinished", traffic.on_finished)
    fresh.goto(f"{base}/?niveau={level}&vue=46.6,2.4,6", wait_until="networkidle")
    fresh.evaluate(FIRST_PAINT, count)
    return fresh


def measure_level(page, base: str, traffic: Traffic, level: str, svc, repeat: int) -> dict:
    from atlas.mapdata import MapRequest, references_for

    default = MapRequest.build(svc, level=level)
    count = len(svc.static_layer(level).codes)
    mark = traffic.mark()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(f"{base}/?niveau={level}&vue=46.6,2.4,6", wait_until="commit")
    first_paint = page.evaluate(FIRST_PAINT, count)
    # CPU the page's renderer used until then: unlike the wall clock, it hardly depends on the machine's load.
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    geometry_end = page.evaluate(f"() => Math.max(0, ...performance.getEntriesByType('resource')"
                                 f".filter(e => e.name.includes('/geo/{level}.')).map(e => e.responseEnd))")
    page.wait_for_load_state("networkidle")
    loaded = traffic.entries[mark:]
    geometry = [e["url"] for e in loaded if "/geo/" in e["url"] and "/geo/map/" not in e["url"]]
    result = {"polygons": count, "first_paint_ms": round(first_paint),
              "first_paint_main_thread_cpu_ms": round(metrics.get("ThreadTime", 0) * 1000),
              "first_paint_renderer_cpu_ms": round(metrics.get("ProcessTime", 0) * 1000),
              "geometry_received_ms": round(geometry_end),
              "first_load_bytes": sum(e["bytes"] for e in loaded),
              "geometry_bytes": sum(e["bytes"] for e in loaded if "/geo/" in e["url"] and "/geo/map/" not in e["url"]),
              "renderer": page.evaluate("() => document.querySelector('.leaflet-choropleth-pane canvas') ? "
                                        "'canvas' : 'svg'")}
    indicators = [*[i for i in svc.indicators_at(level) if i != default.indicator][:4], default.indicator]
    gap_indicator = next((i for i in (default.indicator, *indicators) if references_for(svc, i, level)), None)

    def change(control: str, value) -> dict:
        mark = traffic.mark()
        outcome = page.evaluate(CHANGE, [control, value])
        page.wait_for_load_state("networkidle")
        time.sleep(0.3)
        calls = traffic.callbacks_since(mark)
        return {**outcome, "bytes": sum(e["bytes"] for e in calls), "server_ms": sum(e["server_ms"] for e in calls)}

    runs: dict[str, list[dict]] = {}
    # Three passes over the same changes: ``cold`` finds the server's caches cold (the first visitor);
    # ``warm`` runs in a fresh browser (every later visitor: the server's cache is shared by the workers, but
    # this browser holds no colour file yet); ``revisit`` repeats them in that same page, which already holds
    # the colour files it fetched (coming back to an indicator).
    for cycle in ("cold", "warm", "revisit"):
        if cycle == "warm":
            page = later_visitor(page, base, traffic, level, count)
        runs[f"indicator_{cycle}"] = [change("map-indicator", indicators[i % len(indicators)])
                                      for i in range(repeat)]
        if gap_indicator:
            change("map-indicator", gap_indicator)
            references = [r.level for r in references_for(svc, gap_indicator, level)]
            items = [change("map-mode", "gap")]
            items += [change("map-reference", references[(i + 1) % len(references)]) for i in range(repeat)]
            items.append(change("map-mode", "value"))
            runs[f"mode_reference_{cycle}"] = items
    years = svc.years
    runs["year"] = [change("map-year", years[-2 - (i % 2)]) for i in range(repeat)]
    for name, items in runs.items():
        timed = [r["ms"] for r in items if r["ms"] is not None]
        if not items:
            continue
        result[f"{name}_change"] = {
            "runs": len(items), "p50_ms": round(statistics.median(timed), 1) if timed else None,
            "max_ms": round(max(timed), 1) if timed else None,
            "p50_bytes": int(statistics.median(r["bytes"] for r in items)), "max_bytes": max(r["bytes"] for r in items),
            "p50_server_ms": round(statistics.median(r["server_ms"] for r in items), 1),
            "layers_recreated": any(r["recreated"] for r in items)}
    result["geometry_fetched_twice"] = len(geometry) != len(set(geometry))
    page.context.close()
    return result


def ratios(atlas: dict, naive: dict) -> dict:
    """How many times more the naive peer costs (bytes per change, change → re-coloured, first paint)."""
    change = atlas.get("indicator_warm_change", {})

    def ratio(a, b):
        return round(a / b, 1) if a and b else None

    return {"bytes_per_change": ratio(naive["change_p50_bytes"], change.get("p50_bytes")),
            "change_to_recoloured": ratio(naive["change_p50_ms"], change.get("p50_ms")),
            "first_paint": ratio(naive["first_paint_ms"], atlas["first_paint_ms"])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--levels", default="qpv,commune")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-warm", action="store_true", help="skip the start-up warming of the colourings "
                        "(then *_cold_* changes pay for computing each indicator's default colouring)")
    parser.add_argument("--versus-naive", action="store_true",
                        help="also serve a naive Dash + Plotly choropleth on the same geometry and compare")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server, base = serve()
    from callbacks.state import service

    svc = service()
    levels = [lvl for lvl in args.levels.split(",") if lvl in svc.map_levels()]
    for level in levels:  # encode geometry once before measuring (a server does it at its first request)
        svc.static_layer(level)
    warmed_s = None if args.no_warm else warm_like_production(server.app)
    result: dict = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                    "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
                    "load_average_1min": round(os.getloadavg()[0], 2),  # the 2 cores are shared: context
                    "package": svc.manifest.get("title"), "start_up_warming_s": warmed_s, "levels": {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"])
        for level in levels:
            context = browser.new_context(viewport={"width": 1400, "height": 900})  # cold browser cache per level
            page = context.new_page()
            traffic = Traffic()
            page.on("requestfinished", traffic.on_finished)
            page.goto(f"{base}/?niveau={level}", wait_until="networkidle")  # warm the server's caches
            context.clear_cookies()
            context.close()
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.on("requestfinished", traffic.on_finished)
            result["levels"][level] = measure_level(page, base, traffic, level, svc, args.repeat)
            context.close()
            if args.versus_naive:
                from benchmarks.naive_map import measure_naive

                # The naive peer re-sends the whole geometry per change: fewer runs at 35,000 polygons.
                naive = measure_naive(browser, svc, level, args.repeat if level == "qpv" else 3)
                result["levels"][level]["naive"] = naive
                result["levels"][level]["naive_over_atlas"] = ratios(result["levels"][level], naive)
        browser.close()
    server.shutdown()
    result["targets"] = {"qpv": {"change_p50_ms": 80, "change_bytes": 15_000, "year_p50_ms": 60},
                         "commune": {"first_paint_ms": 3000, "geometry_bytes": 6_000_000, "change_p50_ms": 300}}
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
