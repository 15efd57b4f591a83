/* Clientside callbacks of the atlas, registered in Python with ClientsideFunction("atlas", name):
 * the code lives here, in one namespace, never in Python strings (and so never as inline script).
 * The map functions delegate to dash_clientside.atlasMap (assets/atlas_map.js); the print helpers serve the
 * profile and the comparison. */
(function () {
    var MAP_LAYER = "map-choropleth";
    var noUpdate = function () { return window.dash_clientside.no_update; };
    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.atlas = {
        // Map: instant re-colouring and the controls that need no server.
        mapWithYear: function (year) { return window.dash_clientside.atlasMap.withYear(year, MAP_LAYER); },
        mapPaint: function (state) { return window.dash_clientside.atlasMap.paint(state, MAP_LAYER); },
        mapPlay: function (n, years, current) { return window.dash_clientside.atlasMap.play(n, years, current); },
        mapTogglePlay: function (n, disabled) { return window.dash_clientside.atlasMap.togglePlay(n, disabled); },
        mapOpenFeature: function (click, level) { return window.dash_clientside.atlasMap.openFeature(click, level); },
        mapQueryToSearch: function (query, center, zoom) { return window.dash_clientside.atlasMap.queryToSearch(query, center, zoom); },
        mapViewToUrl: function (center, zoom) { return window.dash_clientside.atlasMap.viewToUrl(center, zoom); },
        // The PNG and SVG downloads follow the map's parameters (the basemap and the view are not part of them).
        mapExportLinks: function (query) {
            if (!query) { return [noUpdate(), noUpdate()]; }
            var params = new URLSearchParams(query);
            params.delete("fond");
            params.delete("vue");
            var search = "?" + params.toString();
            return ["/download/carte.png" + search, "/download/carte.svg" + search];
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
