/* Atlas QPV — map functions for dash-leaflet (functional props) and clientside callbacks.
 *
 * The geometry is loaded once from a static, versioned file. Colours never travel through the
 * GeoJSON's `hideout` (a new hideout makes dash-leaflet re-create every layer): the server sends a
 * colouring state to the `map-state` store, and `paint` restyles the polygons already drawn.
 *
 * State read here, in one place (see MapPayload.browser_view in atlas/mapclasses.py):
 *   {view: {key, url, level, label, unit, decimals, mode, operation, vintage, years, classes, colors,
 *           missing, secret, count}, year, values, values_year}
 * Tooltips are built from text nodes only: no string from the data is ever parsed as HTML.
 */
(function () {
  "use strict";

  const formatters = {};
  function numberFormat(decimals) {
    if (!formatters[decimals]) {
      formatters[decimals] = new Intl.NumberFormat("fr-FR", {
        minimumFractionDigits: decimals, maximumFractionDigits: decimals,
      });
    }
    return formatters[decimals];
  }

  function formatValue(value, unit, decimals, signed) {
    if (value === null || value === undefined || Number.isNaN(value)) { return "non disponible"; }
    let text = numberFormat(decimals).format(Math.abs(value));
    if (value < 0) { text = "−" + text; } else if (signed && value > 0) { text = "+" + text; }
    if (!unit || unit === "ratio" || unit === "indice") { return text; }
    return text + "\u00a0" + unit;
  }

  // The colouring state of each map layer (by component id), and the Leaflet layers drawn for it.
  const states = {};
  const registry = {};
  const renderers = {};
  let created = 0;  // polygons created since the page loaded (a re-creation shows here)

  function stateOf(id) { return states[id] || null; }

  function classOf(s, i) {
    if (!s || !s.view || !s.view.classes) { return "-"; }
    const row = s.view.classes[s.view.years.indexOf(s.year)];
    return row === undefined ? "-" : row.charAt(i);
  }

  // Large layers draw on one canvas per pane instead of one SVG element per polygon.
  function canvasFor(context) {
    const pane = (context && context.pane) || "overlayPane";
    const key = pane + "|" + (context && context.url);
    if (!renderers[key]) { renderers[key] = L.canvas({ pane: pane, tolerance: 2 }); }
    return renderers[key];
  }

  function style(feature, context) {
    const id = context && context.id ? context.id : "map";
    const s = stateOf(id);
    const canvas = context && context.hideout && context.hideout.canvas;
    const base = { color: "#3d3d3d", weight: 0.6, opacity: 0.9, fillOpacity: 0.85 };
    if (canvas) { base.renderer = canvasFor(context); }
    if (!s || !s.view || (context && context.url && s.view.url !== context.url)) {
      return Object.assign(base, { fillColor: "#eeeeee", fillOpacity: 0.5 });  // colours on their way
    }
    const v = s.view;
    const isQpv = v.level === "qpv";
    if (isQpv) { base.weight = 0.9; }
    const ch = classOf(s, feature.properties.i);
    if (ch === "s") { return Object.assign(base, { fillColor: v.secret, dashArray: "3 3", fillOpacity: 0.9 }); }
    if (ch === "-" || ch === "") {
      return Object.assign(base, { fillColor: v.missing, fillOpacity: 0.6, dashArray: "1 3" });
    }
    // Quarters are tiny at national scale: a stroke in their own colour keeps them visible.
    const fill = v.colors[+ch];
    return Object.assign(base, isQpv ? { fillColor: fill, color: fill, weight: 3, dashArray: null }
      : { fillColor: fill, dashArray: null });
  }

  function rankOf(s, i) {
    const values = s.values || [];
    const mine = values[i];
    if (mine === null || mine === undefined) { return null; }
    let above = 0, count = 0;
    for (const v of values) {
      if (v === null || v === undefined) { continue; }
      count += 1;
      if (v > mine) { above += 1; }
    }
    return { rank: above + 1, count: count };
  }

  function line(parent, parts) {
    const div = document.createElement("div");
    for (const part of parts) {
      if (typeof part === "string") { div.appendChild(document.createTextNode(part)); continue; }
      const el = document.createElement(part.tag);
      if (part.className) { el.className = part.className; }
      el.textContent = part.text;
      div.appendChild(el);
    }
    parent.appendChild(div);
  }

  // The tooltip as DOM nodes; every string from the data goes through textContent.
  function tooltipContent(feature, id) {
    const s = stateOf(id) || {};
    const v = s.view || {};
    const i = feature.properties.i;
    const ch = classOf(s, i);
    let valueText;
    if (ch === "s") {
      valueText = "secret statistique";
    } else if (s.values_year !== s.year) {
      valueText = "…";
    } else {
      valueText = formatValue(s.values ? s.values[i] : null, v.unit, v.decimals, v.mode === "gap" && v.operation !== "ratio");
    }
    const root = document.createElement("div");
    line(root, [{ tag: "strong", text: String(feature.properties.name) }, " ",
      { tag: "span", className: "tt-code", text: String(feature.properties.code) }]);
    line(root, [String(v.label || "") + (v.mode === "gap" ? " — écart" : "") + " (" + String(s.year) + ") : ",
      { tag: "strong", text: valueText }]);
    const r = s.values_year === s.year ? rankOf(s, i) : null;
    if (r && ch !== "s") {
      line(root, ["Rang : " + numberFormat(0).format(r.rank) + (r.rank === 1 ? "er" : "e") + " sur " +
        numberFormat(0).format(r.count) + " (valeurs décroissantes)"]);
    }
    line(root, [{ tag: "span", className: "tt-vintage", text: "Millésime : " + String(v.vintage || "") }]);
    return root;
  }

  function restyle(id) {
    const entry = registry[id];
    const s = stateOf(id);
    if (!entry || !s || !s.view || entry.source !== s.view.url) { return false; }
    const context = entry.context;
    for (const layer of entry.layers) { layer.setStyle(style(layer.feature, context)); }
    return true;
  }

  function onEachFeature(feature, layer, context) {
    const id = context && context.id ? context.id : "map";
    const source = context ? context.url : null;
    if (!registry[id] || registry[id].source !== source) {
      registry[id] = { source: source, layers: [], context: context };
    }
    registry[id].layers.push(layer);
    created += 1;
    layer.bindTooltip(() => tooltipContent(feature, id), { sticky: true, className: "atlas-tooltip" });
    layer.on("mouseover", () => layer.setStyle({ weight: 2.5, color: "#000091" }));
    layer.on("mouseout", () => layer.setStyle(style(feature, registry[id] ? registry[id].context : context)));
    // The map is one tab stop: a polygon must not be a focusable, unnamed element of its own.
    layer.on("add", () => {
      const el = layer.getElement && layer.getElement();
      if (el && el.setAttribute && el.tagName !== "CANVAS") { el.setAttribute("tabindex", "-1"); el.setAttribute("focusable", "false"); }
    });
  }

  function outline(feature, context) {
    return { color: "#1e1e1e", weight: 1.2, opacity: 0.8, fill: false };
  }

  function background(feature, context) {
    const base = { color: "#8c8c8c", weight: 0.5, opacity: 0.8, fillColor: "#f2f2f2", fillOpacity: 0.6 };
    if (context && context.hideout && context.hideout.canvas) { base.renderer = canvasFor(context); }
    return base;
  }

  window.atlasMap = {
    style: style,
    onEachFeature: onEachFeature,
    outline: outline,
    background: background,
    formatValue: formatValue,
    tooltipContent: tooltipContent,
    // For tests and benchmarks: how many polygons were created, and the layers of a map.
    created: () => created,
    layers: (id) => (registry[id] ? registry[id].layers : []),
    state: stateOf,
  };

  // ---------------------------------------------------------------- clientside callbacks
  // A new colouring state: restyle the polygons already drawn (same key and year: only the values change).
  function paint(state, id) {
    const nu = window.dash_clientside.no_update;
    if (!state || !state.view) { return nu; }
    const previous = states[id];
    states[id] = state;
    if (previous && previous.view && previous.view.key === state.view.key && previous.year === state.year &&
        previous.view.url === state.view.url) {
      return nu;
    }
    restyle(id);
    window.__atlasPainted = { key: state.view.key, year: state.year, at: performance.now() };
    return nu;
  }

  // A year change restyles in the browser from the classes of every year it already holds.
  function withYear(year, id) {
    const s = states[id];
    if (!s || year === undefined || year === null) { return window.dash_clientside.no_update; }
    states[id] = Object.assign({}, s, { year: year });
    restyle(id);
    return window.dash_clientside.no_update;
  }

  function play(nIntervals, years, current) {
    if (!years || years.length === 0) { return window.dash_clientside.no_update; }
    const i = years.indexOf(current);
    return years[(i + 1) % years.length];
  }

  function togglePlay(nClicks, disabled) {
    const playing = disabled;  // it was disabled: now it plays
    return [!playing, playing ? "⏸ Pause" : "▶ Lecture", playing ? "true" : "false"];
  }

  function openFeature(clickData, level) {
    if (!clickData || !clickData.properties) { return window.dash_clientside.no_update; }
    const code = encodeURIComponent(String(clickData.properties.code));
    if (level === "qpv") { return ["/qpv/" + code, ""]; }
    return ["/comparer", "?codes=" + encodeURIComponent(level + ":" + clickData.properties.code)];
  }

  function viewParam(center, zoom) {
    if (!center || zoom === undefined || zoom === null) { return null; }
    const lat = Array.isArray(center) ? center[0] : center.lat;
    const lng = Array.isArray(center) ? center[1] : center.lng;
    return lat.toFixed(4) + "," + lng.toFixed(4) + "," + zoom;
  }

  // A new choice of indicator, year or options is a new history entry (through dcc.Location).
  function queryToSearch(query, center, zoom) {
    if (!query) { return window.dash_clientside.no_update; }
    const params = new URLSearchParams(query);
    const view = viewParam(center, zoom);
    if (view) { params.set("vue", view); }
    const search = "?" + params.toString();
    return search === window.location.search ? window.dash_clientside.no_update : search;
  }

  // Panning and zooming only replace the current entry: they must not flood the back button.
  function viewToUrl(center, zoom) {
    const view = viewParam(center, zoom);
    if (!view || window.location.pathname !== "/") { return window.dash_clientside.no_update; }
    const params = new URLSearchParams(window.location.search);
    if (params.get("vue") === view) { return window.dash_clientside.no_update; }
    params.set("vue", view);
    window.history.replaceState(window.history.state, "", window.location.pathname + "?" + params.toString());
    return view;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    atlasMap: { paint: paint, withYear: withYear, play: play, togglePlay: togglePlay, openFeature: openFeature,
      queryToSearch: queryToSearch, viewToUrl: viewToUrl },
  });
})();
