/* Clientside callbacks of the atlas, registered in Python with ClientsideFunction("atlas", name):
 * the code lives here, in one namespace, never in Python strings (and so never as inline script).
 * The map functions delegate to dash_clientside.atlasMap (assets/atlas_map.js); the print helpers serve the
 * profile and the comparison. */
(function () {
    var MAP_LAYER = "map-choropleth";
    var EXPORT_VIEW_ZOOM = 7;  // the national view is zoom 6: closer, the exported map is the view on screen
    var noUpdate = function () { return window.dash_clientside.no_update; };
    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.atlas = {
        // Map: instant re-colouring and the controls that need no server.
        mapWithYear: function (year) { return window.dash_clientside.atlasMap.withYear(year, MAP_LAYER); },
        mapPaint: function (state) { return window.dash_clientside.atlasMap.paint(state, MAP_LAYER); },
        mapPrefetch: function (indicator, level, mode, reference, operation, scheme, fixed) {
            return window.dash_clientside.atlasMap.prefetch(indicator, level, mode, reference, operation, scheme,
                fixed, MAP_LAYER);
        },
        mapPlay: function (n, years, current) { return window.dash_clientside.atlasMap.play(n, years, current); },
        mapTogglePlay: function (n, disabled) { return window.dash_clientside.atlasMap.togglePlay(n, disabled); },
        mapOpenFeature: function (click, level) { return window.dash_clientside.atlasMap.openFeature(click, level); },
        mapQueryToSearch: function (query, center, zoom) { return window.dash_clientside.atlasMap.queryToSearch(query, center, zoom); },
        mapViewToUrl: function (center, zoom) { return window.dash_clientside.atlasMap.viewToUrl(center, zoom); },
        // The PNG and SVG downloads follow the map's parameters (the basemap and the address's view are not part
        // of them). Zoomed in closer than the national view, they export the part of the map on screen
        // (``emprise``: west, south, east, north, the bounds of the Web Mercator view of the map's size).
        mapExportLinks: function (query, center, zoom) {
            var link = document.getElementById("map-export-png");
            var current = link ? (link.getAttribute("href") || "").split("?")[1] || "" : "";
            var params = new URLSearchParams(query || current);
            params.delete("fond");
            params.delete("vue");
            params.delete("emprise");
            var element = document.getElementById("atlas-map");
            var rect = null;
            if (center && zoom !== undefined && zoom !== null && zoom >= EXPORT_VIEW_ZOOM && element) {
                var lat = Array.isArray(center) ? center[0] : center.lat;
                var lng = Array.isArray(center) ? center[1] : center.lng;
                rect = element.getBoundingClientRect();
            }
            if (rect && rect.width >= 50 && rect.height >= 50) {  // a map not laid out yet has no view to export
                var world = 256 * Math.pow(2, zoom);
                var x = (lng + 180) / 360 * world;
                var s = Math.sin(lat * Math.PI / 180);
                var y = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * world;
                var lonOf = function (px) { return Math.max(-180, Math.min(180, px / world * 360 - 180)); };
                var latOf = function (py) {
                    var n = Math.PI - 2 * Math.PI * py / world;
                    return Math.max(-85, Math.min(85, 180 / Math.PI * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)))));
                };
                var bounds = [lonOf(x - rect.width / 2), latOf(y + rect.height / 2), lonOf(x + rect.width / 2),
                    latOf(y - rect.height / 2)];
                params.set("emprise", bounds.map(function (v) { return v.toFixed(4); }).join(","));
            }
            var search = "?" + params.toString();
            return ["/download/carte.png" + search, "/download/carte.svg" + search];
        },

        // « Copier le lien »: the address holds the page's whole state. The status line (aria-live) confirms;
        // when the clipboard is refused, it shows the address to copy by hand (as text, never as HTML).
        copyLink: function (n, messages) {
            if (!n) { return noUpdate(); }
            var copied = messages.copied, failed = messages.failed;
            var url = window.location.href;
            var mark = n % 2 ? "" : "\u00a0";  // a changed text is announced again on a second click
            var byHand = function () {
                var area = document.createElement("textarea");
                area.value = url;
                area.setAttribute("readonly", "");
                area.style.position = "fixed";
                area.style.opacity = "0";
                document.body.appendChild(area);
                area.select();
                var ok = false;
                try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
                document.body.removeChild(area);
                return ok ? copied + mark : failed + " " + url;
            };
            if (navigator.clipboard && window.isSecureContext) {
                return navigator.clipboard.writeText(url).then(function () { return copied + mark; }, byHand);
            }
            return byHand();
        },

        // Printing: the button opens the browser's dialog.
        print: function (n) {
            if (n) { window.print(); }
            return noUpdate();
        },
        // Charts are laid out for the screen; before printing, narrow them to the A4 text width (≈ 700 px),
        // after printing give them back their container's width. Installed once per browser tab.
        fitChartsForPrint: function () {
            if (!window.atlasPrintCharts) {
                window.atlasPrintCharts = true;
                var each = function (update) {
                    if (!window.Plotly) { return; }
                    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
                        window.Plotly.relayout(el, update);
                    });
                };
                window.addEventListener("beforeprint", function () { each({width: 700}); });
                window.addEventListener("afterprint", function () { each({width: null, autosize: true}); });
            }
            return noUpdate();
        }
    };
})();
