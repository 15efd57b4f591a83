/* Atlas QPV — map functions for dash-leaflet (functional props) and clientside callbacks.
 *
 * The geometry is loaded once from a static, versioned file; everything that changes
 * (indicator, year, mode, classes) arrives in the GeoJSON's `hideout` and is drawn here.
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

  // The latest hideout of each map layer, read by tooltips when they open.
  const latest = {};

  function yearIndex(h) { return h.years ? h.years.indexOf(h.year) : -1; }

  function classOf(h, i) {
    const row = h.classes ? h.classes[yearIndex(h)] : undefined;
    return row === undefined ? "-" : row.charAt(i);
  }

  function style(feature, context) {
    const h = (context && context.hideout) || {};
    latest[context && context.id ? context.id : "map"] = h;
    const ch = classOf(h, feature.properties.i);
    const isQpv = h.level === "qpv";
    const base = { color: "#3d3d3d", weight: isQpv ? 0.9 : 0.6, opacity: 0.9, fillOpacity: 0.85 };
    if (ch === "s") {
      return Object.assign(base, { fillColor: h.secret_color, dashArray: "3 3", fillOpacity: 0.9 });
    }
    if (ch === "-" || ch === "") {
      return Object.assign(base, { fillColor: h.missing_color, fillOpacity: 0.6, dashArray: "1 3" });
    }
    // Quarters are tiny at national scale: a stroke in their own colour keeps them visible.
    const fill = h.colors[+ch];
    return Object.assign(base, isQpv ? { fillColor: fill, color: fill, weight: 3, dashArray: null }
      : { fillColor: fill, dashArray: null });
  }

  function rankOf(h, i) {
    const values = h.values || [];
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

  function tooltipHtml(feature, id) {
    const h = latest[id] || {};
    const i = feature.properties.i;
    const ch = classOf(h, i);
    const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
    let valueText;
    if (ch === "s") {
      valueText = "secret statistique";
    } else if (h.values_year !== h.year) {
      valueText = "…";
    } else {
      valueText = formatValue(h.values ? h.values[i] : null, h.unit, h.decimals, h.mode === "gap" && h.operation !== "ratio");
    }
    const lines = [
      "<strong>" + escape(feature.properties.name) + "</strong> <span class=\"tt-code\">" + escape(feature.properties.code) + "</span>",
      escape(h.label || "") + (h.mode === "gap" ? " — écart" : "") + " (" + escape(h.year) + ") : <strong>" + escape(valueText) + "</strong>",
    ];
    const r = h.values_year === h.year ? rankOf(h, i) : null;
    if (r && ch !== "s") { lines.push("Rang : " + numberFormat(0).format(r.rank) + "<sup>e</sup> sur " + numberFormat(0).format(r.count) + " (valeurs décroissantes)"); }
    lines.push("<span class=\"tt-vintage\">Millésime : " + escape(h.vintage || "") + "</span>");
    return lines.join("<br>");
  }

  // Leaflet layers of each map, so that a year change can restyle them in place.
  const registry = {};

  function onEachFeature(feature, layer, context) {
    const id = context && context.id ? context.id : "map";
    const source = context ? context.url : null;
    if (!registry[id] || registry[id].source !== source) { registry[id] = { source: source, layers: [] }; }
    registry[id].layers.push(layer);
    layer.bindTooltip(() => tooltipHtml(feature, id), { sticky: true, className: "atlas-tooltip" });
    layer.on("mouseover", () => layer.setStyle({ weight: 2.5, color: "#000091" }));
    layer.on("mouseout", (event) => {
      const h = latest[id] || {};
      layer.setStyle(style(feature, { hideout: h, id: id }));
    });
  }

  function outline(feature, context) {
    return { color: "#1e1e1e", weight: 1.2, opacity: 0.8, fill: false };
  }

  function background(feature, context) {
    return { color: "#8c8c8c", weight: 0.5, opacity: 0.8, fillColor: "#f2f2f2", fillOpacity: 0.6 };
  }

  window.atlasMap = {
    style: style,
    onEachFeature: onEachFeature,
    outline: outline,
    background: background,
    formatValue: formatValue,
    tooltipHtml: tooltipHtml,
    _latest: latest,
  };

  // ---------------------------------------------------------------- clientside callbacks
  // A year change restyles the existing polygons directly (no new props, no layer re-creation);
  // the server then patches the exact values for tooltips, with the same year.
  function withYear(year, hideout, id) {
    if (!hideout || year === undefined || year === null) { return window.dash_clientside.no_update; }
    const key = id || "map-choropleth";
    const current = Object.assign({}, latest[key] || hideout, { year: year });
    latest[key] = current;
    const entry = registry[key];
    if (!entry) { return Object.assign({}, hideout, { year: year }); }
    for (const layer of entry.layers) {
      if (layer.feature && layer.setStyle) { layer.setStyle(style(layer.feature, { hideout: current, id: key })); }
    }
    return window.dash_clientside.no_update;
  }

  function play(nIntervals, years, current) {
    if (!years || years.length === 0) { return window.dash_clientside.no_update; }
    const i = years.indexOf(current);
    return years[(i + 1) % years.length];
  }

  function togglePlay(nClicks, disabled) {
    const playing = disabled;  // it was disabled: now it plays
    return [!playing ? true : false, playing ? "⏸ Pause" : "▶ Lecture", playing ? "true" : "false"];
  }

  function openFeature(clickData, level) {
    if (!clickData || !clickData.properties) { return window.dash_clientside.no_update; }
    const code = clickData.properties.code;
    if (level === "qpv") { return ["/qpv/" + code, ""]; }
    return ["/comparer", "?codes=" + encodeURIComponent(level + ":" + code)];
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
    atlasMap: { withYear: withYear, play: play, togglePlay: togglePlay, openFeature: openFeature, queryToSearch: queryToSearch,
      viewToUrl: viewToUrl },
  });
})();
