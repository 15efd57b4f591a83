/* Atlas QPV — map functions for dash-leaflet (functional props) and clientside callbacks.
 *
 * The geometry is loaded once from a static, versioned file. Colours never travel through the
 * GeoJSON's `hideout` (a new hideout makes dash-leaflet re-create every layer): the server puts a
 * small descriptor in the `map-state` store, and `paint` fetches the classes it names (an immutable
 * file, see callbacks/map_files.py) and restyles the polygons already drawn.
 *
 * The descriptor, read here in one place (MapPayload.browser_view in atlas/mapclasses.py):
 *   {view: {key, url, level, label, unit, decimals, mode, operation, vintage, years, colors, missing,
 *           secret, count, categories (a typology only: one label per class)}, year, classes_url, values_url}
 * Tooltips are built from text nodes only: no string from the data is ever parsed as HTML.
 */
(function () {
  "use strict";

  const formatters = {};
  // One character per class in the classes strings ("s" secret, "-" nothing): atlas/categories.py CLASS_CHARS.
  const CLASS_CHARS = "0123456789ABCDEFGHIJKLMNOPQR";
  function numberFormat(decimals) {
    if (!formatters[decimals]) {
      formatters[decimals] = new Intl.NumberFormat(window.atlasI18n.locale, {
        minimumFractionDigits: decimals, maximumFractionDigits: decimals,
      });
    }
    return formatters[decimals];
  }

  function formatValue(value, unit, decimals, signed) {
    if (value === null || value === undefined || Number.isNaN(value)) { return window.atlasI18n.t("non disponible"); }
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

  const BatchedCanvas = window.atlasCanvas.BatchedCanvas;  // assets/atlas_canvas.js

  // Large layers draw on one canvas per pane instead of one SVG element per polygon.
  function canvasFor(context) {
    const pane = (context && context.pane) || "overlayPane";
    const key = pane + "|" + (context && context.url);
    if (!renderers[key]) { renderers[key] = new BatchedCanvas({ pane: pane, tolerance: 2 }); }
    return renderers[key];
  }

  // The few distinct styles of a colouring (one per class, secret, missing), built once per
  // state, year and layer: styling 35,000 polygons then allocates nothing.
  let styleCache = null;

  function stylesFor(s, canvas, context) {
    if (styleCache && styleCache.s === s && styleCache.year === (s && s.year) && styleCache.canvas === canvas &&
        styleCache.url === (context && context.url)) {
      return styleCache.styles;
    }
    const renderer = canvas ? canvasFor(context) : undefined;
    const base = { stroke: true, color: "#3d3d3d", weight: 0.6, opacity: 0.9, fillOpacity: 0.85, dashArray: null };
    // On the canvas: no clipping (the canvas clips for free; Leaflet's clipping allocated four arrays and a
    // bit code per vertex) and the inline projection above.
    if (renderer) { Object.assign(base, { renderer: renderer, noClip: true, packedProjection: true }); }
    const styles = {};
    if (!s || !s.view || (context && context.url && s.view.url !== context.url)) {
      styles.loading = Object.assign({}, base, { fillColor: "#eeeeee", fillOpacity: 0.5 });  // colours on their way
    } else {
      const v = s.view;
      const isQpv = v.level === "qpv";
      if (isQpv) { base.weight = 0.9; }
      // On a canvas, no border: a stroked polygon cannot be filled in a batch.
      styles.s = canvas ? Object.assign({}, base, { fillColor: v.secret, fillOpacity: 0.9, stroke: false })
        : Object.assign({}, base, { fillColor: v.secret, dashArray: "3 3", fillOpacity: 0.9 });
      styles["-"] = canvas ? Object.assign({}, base, { fillColor: v.missing, fillOpacity: 0.7, stroke: false })
        : Object.assign({}, base, { fillColor: v.missing, fillOpacity: 0.6, dashArray: "1 3" });
      v.colors.forEach((fill, k) => {
        // Quarters are tiny at national scale: a stroke in their own colour keeps them visible.
        // Thousands of communes: no border at all, or the borders would grey the whole map.
        styles[CLASS_CHARS.charAt(k)] = isQpv ? Object.assign({}, base, { fillColor: fill, color: fill, weight: 3 })
          : canvas ? Object.assign({}, base, { fillColor: fill, stroke: false })
            : Object.assign({}, base, { fillColor: fill });
      });
    }
    for (const st of Object.values(styles)) { st.batchKey = st.fillColor + "|" + st.fillOpacity; }
    styleCache = { s: s, year: s && s.year, canvas: canvas, url: context && context.url, styles: styles };
    return styles;
  }

  function style(feature, context) {
    const id = context && context.id ? context.id : "map";
    const s = stateOf(id);
    const canvas = !!(context && context.hideout && context.hideout.canvas);
    const styles = stylesFor(s, canvas, context);
    if (styles.loading) { return styles.loading; }
    return styles[classOf(s, feature.properties.i)] || styles["-"];
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
      valueText = window.atlasI18n.t("secret statistique");
    } else if (v.categories) {  // a typology: the class's label (atlas/categories.py), no value nor rank
      const k = CLASS_CHARS.indexOf(ch);
      valueText = k >= 0 && k < v.categories.length ? String(v.categories[k]) : window.atlasI18n.t("sans valeur");
    } else if (s.values_year !== s.year) {
      valueText = "…";
    } else {
      valueText = formatValue(s.values ? s.values[i] : null, v.unit, v.decimals, v.mode === "gap" && v.operation !== "ratio");
    }
    const root = document.createElement("div");
    line(root, [{ tag: "strong", text: String(feature.properties.name) }, " ",
      { tag: "span", className: "tt-code", text: String(feature.properties.code) }]);
    line(root, [String(v.label || "") + (v.mode === "gap" ? window.atlasI18n.t(" — écart") : "") + " (" + String(s.year) + ") : ",
      { tag: "strong", text: valueText }]);
    const r = s.values_year === s.year ? rankOf(s, i) : null;
    if (r && ch !== "s" && !v.categories) {
      line(root, [window.atlasI18n.t("Rang : {rank} sur {count} (valeurs décroissantes)",
        {rank: window.atlasI18n.ordinal(r.rank), count: numberFormat(0).format(r.count)})]);
    }
    line(root, [{ tag: "span", className: "tt-vintage", text: window.atlasI18n.t("Millésime : {vintage}", {vintage: String(v.vintage || "")}) }]);
    return root;
  }

  // Re-colour in place. A canvas is handed the colouring (the class of every polygon) and redraws once, reading
  // each polygon's style from it: nothing is written on 35,000 layer objects (six option writes per polygon cost
  // ~100 ms per change). SVG paths are restyled one by one.
  function restyle(id) {
    const entry = registry[id];
    const s = stateOf(id);
    if (!entry || !s || !s.view || entry.source !== s.view.url) { return false; }
    const context = entry.context;
    const first = entry.layers[0];
    const renderer = first && first._renderer;
    if (renderer && renderer instanceof L.Canvas && typeof renderer._redraw === "function") {
      const styles = stylesFor(s, true, context);
      const row = styles.loading ? null : s.view.classes[s.view.years.indexOf(s.year)];
      renderer._atlasPaint = { styles: styles, row: row || null };
      renderer._redraw();
    } else {
      for (const layer of entry.layers) { layer.setStyle(style(layer.feature, context)); }
    }
    markPainted(s);
    return true;
  }

  // When the polygons were (re-)coloured; a canvas redraws at the next frame. Read by benchmarks and tests.
  function markPainted(s) {
    const painted = { key: s.view.key, year: s.year, at: performance.now(), drawn: null };
    window.__atlasPainted = painted;
    requestAnimationFrame(() => { painted.drawn = performance.now(); });
  }

  // One set of handlers, on the layer group (Leaflet passes each polygon's events on to it); the tooltip is bound on
  // first hover (35,000 tooltips created up front would delay the first paint by seconds).
  function hovered(event) { return event.propagatedFrom || event.layer || event.target; }

  function highlight(event) {
    const layer = hovered(event);
    if (!layer._atlasTooltip) {
      layer._atlasTooltip = true;
      layer.bindTooltip(() => tooltipContent(layer.feature, layer._atlasId), { sticky: true, direction: "top", offset: [0, -8], className: "atlas-tooltip" });
      layer.openTooltip(event.latlng);
    }
    layer.setStyle({ stroke: true, weight: 2.5, color: "#000091" });
  }

  function unhighlight(event) {
    const layer = hovered(event);
    const entry = registry[layer._atlasId];
    layer.setStyle(style(layer.feature, entry ? entry.context : null));
  }

  function unfocusable() {
    const el = this.getElement && this.getElement();
    if (el && el.setAttribute) { el.setAttribute("tabindex", "-1"); el.setAttribute("focusable", "false"); }
  }

  // Two listeners on the group instead of two on each polygon (70,000 registrations during the first paint). The
  // group is known once it has added the polygons: just after the synchronous loop that creates them.
  function listenOnGroup(entry) {
    if (entry.listening) { return; }
    entry.listening = true;
    Promise.resolve().then(() => {
      const first = entry.layers[0];
      const group = first && first._eventParents ? Object.values(first._eventParents)[0] : null;
      if (!group) {  // not in a group (never the case with dash-leaflet's GeoJSON): listen on each polygon
        entry.layers.forEach((layer) => layer.on({ mouseover: highlight, mouseout: unhighlight }));
      } else if (!group._atlasListening) {  // the same group is refilled when its data change: listen once
        group._atlasListening = true;
        group.on({ mouseover: highlight, mouseout: unhighlight });
      }
    });
  }

  function onEachFeature(feature, layer, context) {
    const id = context && context.id ? context.id : "map";
    const source = context ? context.url : null;
    if (!registry[id] || registry[id].source !== source) {
      registry[id] = { source: source, layers: [], context: context };
    }
    registry[id].layers.push(layer);
    created += 1;
    const s = states[id];
    if (s && s.view && s.view.url === source && registry[id].layers.length === s.view.count) { markPainted(s); }
    layer._atlasId = id;
    // No attribution to announce: Leaflet would otherwise register a « remove » listener on each of 35,000 polygons.
    layer.getAttribution = null;
    listenOnGroup(registry[id]);
    // The map is one tab stop: an SVG polygon must not be a focusable, unnamed element of its own.
    if (!(context && context.hideout && context.hideout.canvas)) { layer.on("add", unfocusable); }
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
  // Classes and values are immutable files (the browser caches them); each is fetched once per page.
  const files = new Map();
  function fetchJson(url) {
    if (!files.has(url)) {
      files.set(url, fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null))
        .catch(() => null));
    }
    return files.get(url);
  }

  function valuesUrl(template, year) {
    const [path, query] = template.split("?");
    const params = new URLSearchParams(query);
    params.set("annee", String(year));
    return path + "?" + params.toString();
  }

  const requests = {};  // the latest colouring asked for, per layer: older answers are dropped
  // Per layer, what the prefetch needs of the colouring on screen: the path of its colour files
  // (/geo/map/<package fingerprint>/classes.json), its indicator and level, and the reference gap mode would use.
  const onScreen = {};

  function loadValues(id, template, year) {
    fetchJson(valuesUrl(template, year)).then((doc) => {
      const s = states[id];
      if (!doc || !s || s.view.key !== doc.key || s.year !== year) { return; }
      states[id] = Object.assign({}, s, { values: doc.values, values_year: year });
    });
  }

  // A new colouring: fetch its classes (a small immutable file), restyle the polygons already drawn,
  // then fetch the exact values of the year for tooltips and ranks.
  function paint(state, id) {
    const nu = window.dash_clientside.no_update;
    if (!state || !state.view || !state.classes_url) { return nu; }
    const [path, query] = state.classes_url.split("?");
    const params = new URLSearchParams(query);
    onScreen[id] = { path: path, indicator: params.get("indicateur"), level: params.get("niveau"),
      gapReference: state.gap_reference };
    const previous = states[id];
    if (previous && previous.view.key === state.view.key && previous.view.url === state.view.url) {
      // Same colouring (e.g. the page built again from its address): only the year may differ.
      if (previous.year !== state.year) { withYear(state.year, id); }
      return nu;
    }
    const ticket = (requests[id] = {});
    fetchJson(state.classes_url).then((doc) => {
      if (requests[id] !== ticket || !doc || doc.key !== state.view.key) { return; }
      const year = state.year;
      states[id] = { view: Object.assign({}, state.view, { classes: doc.classes, years: doc.years }),
        year: year, values: null, values_year: null, template: state.values_url };
      restyle(id);
      loadValues(id, state.values_url, year);
    });
    return nu;
  }

  // The classes file the server is about to name, fetched while its callback runs (the answer and the file then
  // travel side by side instead of one after the other). The URL is built from the controls' values as
  // MapRequest.query writes it (atlas/mapdata.py), under the path of the colouring on screen (kept here, not read
  // from the map-state store: an input or state the server's callback writes would make Dash wait for it). When
  // the server corrects a choice (an indicator absent from the level, a gap without reference) the guess is one unused
  // file: paint() only ever applies the file the server names.
  function prefetch(indicator, level, mode, reference, operation, scheme, fixed, id) {
    const nu = window.dash_clientside.no_update;
    const text = (v) => typeof v === "string" && v.length > 0 && v.length <= 80;
    const shown = onScreen[id];
    if (!shown || !text(indicator) || !text(level) || !text(scheme)
        || (mode !== "value" && mode !== "gap")) { return nu; }
    const params = new URLSearchParams();
    params.set("indicateur", indicator);
    params.set("niveau", level);
    params.set("mode", mode);
    params.set("classes", scheme);
    params.set("fixes", Array.isArray(fixed) && fixed.indexOf("fixed") >= 0 ? "1" : "0");
    if (mode === "gap") {
      // Switching to gap mode: no reference chosen yet, the server will take the indicator's first one.
      const sameMap = indicator === shown.indicator && level === shown.level;
      const chosen = text(reference) ? reference : (sameMap ? shown.gapReference : null);
      if (!text(chosen) || !text(operation)) { return nu; }
      params.set("reference", chosen);
      params.set("operation", operation);
    }
    fetchJson(shown.path + "?" + params.toString());
    return nu;
  }

  // A year change restyles in the browser from the classes of every year it already holds.
  function withYear(year, id) {
    const s = states[id];
    if (!s || year === undefined || year === null) { return window.dash_clientside.no_update; }
    states[id] = Object.assign({}, s, { year: year, values: null, values_year: null });
    restyle(id);
    loadValues(id, s.template, year);
    return window.dash_clientside.no_update;
  }

  function play(nIntervals, years, current) {
    if (!years || years.length === 0) { return window.dash_clientside.no_update; }
    const i = years.indexOf(current);
    return years[(i + 1) % years.length];
  }

  function togglePlay(nClicks, disabled) {
    const playing = disabled;  // it was disabled: now it plays
    return [!playing, window.atlasI18n.t(playing ? "⏸ Pause" : "▶ Lecture"), playing ? "true" : "false"];
  }

  function openFeature(clickData, level) {
    if (!clickData || !clickData.properties) { return window.dash_clientside.no_update; }
    const code = encodeURIComponent(String(clickData.properties.code));
    const target = level === "qpv" ? ["/qpv/" + code, ""]
      : ["/comparer", "?codes=" + encodeURIComponent(level + ":" + clickData.properties.code)];
    if (document.documentElement.classList.contains("embed")) {  // framed elsewhere: the full page opens apart
      window.open(target[0] + target[1], "_blank", "noopener");
      return [window.dash_clientside.no_update, window.dash_clientside.no_update];
    }
    return target;
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
    const language = new URLSearchParams(window.location.search).get("lang");
    if (language) { params.set("lang", language); }  // the interface language stays as it is
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
    atlasMap: { paint: paint, prefetch: prefetch, withYear: withYear, play: play, togglePlay: togglePlay,
      openFeature: openFeature,
      queryToSearch: queryToSearch, viewToUrl: viewToUrl },
  });
})();
