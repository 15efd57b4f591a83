/* Functional properties of the dash-leaflet layers of /credits (assets load on every page).
 * dash-leaflet calls them with the feature (and latlng) first and the layer's props (hideout…) last. */
(function () {
  "use strict";
  var t = function (text, values) { return window.atlasI18n.t(text, values); };
  var nf0 = new Intl.NumberFormat(window.atlasI18n.locale, {maximumFractionDigits: 0});

  function euros(amount) {
    var locale = window.atlasI18n.locale;
    if (amount >= 1e9) { return t("{amount}\u00a0Md€", {amount: new Intl.NumberFormat(locale, {maximumFractionDigits: 2}).format(amount / 1e9)}); }
    if (amount >= 1e6) { return t("{amount}\u00a0M€", {amount: new Intl.NumberFormat(locale, {maximumFractionDigits: 1}).format(amount / 1e6)}); }
    return nf0.format(amount) + "\u00a0€";
  }

  var textNode = function (text) { return window.atlasText.node(text); };

  window.atlasCredits = {
    euros: euros,
    /* A located credit line (or several at the same place): a small dot with a French tooltip. */
    pointToLayer: function (feature, latlng) {
      var p = feature.properties || {};
      var marker = L.circleMarker(latlng, {radius: 5, color: "#ffffff", weight: 1, fillColor: "#0072B2",
                                           fillOpacity: 0.9});
      var text = (p.n > 1 ? t("{amount} ({count} lignes)", {amount: euros(p.a || 0), count: nf0.format(p.n)})
                  : euros(p.a || 0)) + (p.c ? " — " + p.c : "");
      marker.bindTooltip(textNode(text));
      return marker;
    },
    /* A cluster: a disc whose size grows with the number of points, labelled with that number. */
    clusterToLayer: function (feature, latlng, index, context) {
      var count = feature.properties.point_count;
      var size = count < 10 ? 30 : count < 100 ? 38 : count < 1000 ? 46 : 54;
      var icon = L.divIcon({
        html: "<div><span>" + nf0.format(count) + "</span></div>",
        className: "credit-cluster credit-cluster-" + (count < 100 ? "s" : count < 1000 ? "m" : "l"),
        iconSize: L.point(size, size)
      });
      return L.marker(latlng, {icon: icon, title: t("{count} lieux de crédits regroupés", {count: nf0.format(count)}),
                               alt: t("{count} lieux", {count: nf0.format(count)})});
    },
    /* Proportional symbol: radius precomputed (∝ √amount) in the feature's properties. */
    symbolToLayer: function (feature, latlng) {
      var p = feature.properties || {};
      var circle = L.circleMarker(latlng, {radius: p.r || 3, color: "#7a3300", weight: 1, fillColor: "#E69F00",
                                           fillOpacity: 0.55});
      circle.bindTooltip(textNode((p.t || "") + " : " + t("{amount} ({count} lignes)",
        {amount: euros(p.a || 0), count: nf0.format(p.n || 0)})));
      return circle;
    },
    outlineStyle: function () {
      return {color: "#9a9a9a", weight: 0.6, fill: true, fillColor: "#f4f4f4", fillOpacity: 1};
    }
  };
})();
