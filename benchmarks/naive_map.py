"""The naive peer of the atlas map, for ``benchmarks/map.py --versus-naive``.

A plain Dash + Plotly choropleth on the same geometry and values: one dropdown, one ``dcc.Graph``,
and a callback that returns the whole figure (geometry included) at every change — what a first
Dash map usually is. Served on its own loopback port in the same run as the atlas.
"""

from __future__ import annotations

import gzip
import json
import threading

FIRST_PLOT = """() => new Promise(resolve => {
  const check = () => {
    const gd = document.querySelector('#naive-map .js-plotly-plot');
    if (gd && gd.on && gd._fullData && gd._fullData.length) {
      const done = () => requestAnimationFrame(() => resolve(performance.now()));
      if (gd.querySelector('canvas, path.choroplethlocation')) { done(); } else { gd.once('plotly_afterplot', done); }
    } else { setTimeout(check, 10); }
  };
  check();
})"""
CHANGE = """(value) => new Promise(resolve => {
  const gd = document.querySelector('#naive-map .js-plotly-plot');
  const start = performance.now();
  gd.once('plotly_afterplot', () => requestAnimationFrame(() => resolve(performance.now() - start)));
  window.dash_clientside.set_props('naive-indicator', {value: value});
  setTimeout(() => resolve(null), 120000);
})"""


def naive_app(svc, level: str):
    import dash
    import plotly.graph_objects as go
    from dash import Input, Output, dcc, html

    layer = svc.static_layer(level)
    geojson = json.loads(gzip.decompress(layer.gzipped))
    codes = list(layer.codes)
    indicators = list(svc.indicators_at(level))
    app = dash.Dash(f"naive_{level}", compress=True)
    app.layout = html.Div([
        dcc.Dropdown(id="naive-indicator", options=indicators, value=indicators[0], clearable=False),
        dcc.Graph(id="naive-map", style={"height": "68vh"}),
    ])

    @app.callback(Output("naive-map", "figure"), Input("naive-indicator", "value"))
    def draw(indicator):
        values, _ = svc.annual_table(indicator, level)
        column = values[values.columns[-1]].reindex(codes) if not values.empty else None
        figure = go.Figure(go.Choroplethmap(
            geojson=geojson, locations=codes, featureidkey="properties.code",
            z=None if column is None else column.tolist(), marker_line_width=0.2, colorscale="YlOrRd"))
        figure.update_layout(map_style="white-bg", map_zoom=4.6, map_center={"lat": 46.6, "lon": 2.4},
                             margin={"l": 0, "r": 0, "t": 0, "b": 0})
        return figure

    return app, indicators


def serve_naive(svc, level: str):
    from werkzeug.serving import make_server

    app, indicators = naive_app(svc, level)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", indicators


def measure_naive(browser, svc, level: str, repeat: int) -> dict:
    """First paint, and change → redrawn with the bytes of each change, for the naive peer."""
    import statistics

    server, base, indicators = serve_naive(svc, level)
    sizes: list[tuple[str, int]] = []
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.on("requestfinished", lambda r: sizes.append(
        (r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])))
    page.goto(base + "/", wait_until="commit")
    first_paint = page.evaluate(FIRST_PLOT)
    page.wait_for_load_state("networkidle")
    first_load = sum(size for _url, size in sizes)
    runs = []
    for i in range(repeat):
        mark = len(sizes)
        ms = page.evaluate(CHANGE, indicators[(i + 1) % len(indicators)])
        page.wait_for_load_state("networkidle")
        runs.append({"ms": ms, "bytes": sum(size for url, size in sizes[mark:] if "_dash-update-component" in url)})
    context.close()
    server.shutdown()
    timed = [r["ms"] for r in runs if r["ms"] is not None]
    return {"first_paint_ms": round(first_paint), "first_load_bytes": first_load,
            "change_p50_ms": round(statistics.median(timed), 1) if timed else None,
            "change_p50_bytes": int(statistics.median(r["bytes"] for r in runs)), "runs": len(runs)}
