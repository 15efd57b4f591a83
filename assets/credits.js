/* Functional properties of the dash-leaflet layers of /credits (assets load on every page).
 * dash-leaflet calls them with the feature (and latlng) first and the layer's props (hideout…) last. */
(function () {
  "use strict";
  var nf0 = new Intl.NumberFormat("fr-FR", {maximumFractionDigits: 0});

  function euros(amount) {
    if (amount >= 1e9) { return new Intl.NumberFormat("fr-FR", {maximumFractionDigits: 2}).format(amount / 1e9) + "\u00a0Md€"; }
    if (amount >= 1e6) { return new Intl.NumberFormat("fr-FR", {maximumFractionDigits: 1}).format(amount / 1e6) + "\u00a0M€"; }
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
      var text = euros(p.a || 0) + (p.n > 1 ? " (" + nf0.format(p.n) + " lignes)" : "") + (p.c ? " — " + p.c : "");
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
      return L.marker(latlng, {icon: icon, title: nf0.format(count) + " lieux de crédits regroupés",
                               alt: nf0.format(count) + " lieux"});
    },
    /* Proportional symbol: radius precomputed (∝ √amount) in the feature's properties. */
    symbolToLayer: function (feature, latlng) {
      var p = feature.properties || {};
      var circle = L.circleMarker(latlng, {radius: p.r || 3, color: "#7a3300", weight: 1, fillColor: "#E69F00",
                                           fillOpacity: 0.55});
      circle.bindTooltip(textNode((p.t || "") + " : " + euros(p.a || 0) + " (" + nf0.format(p.n || 0) + " lignes)"));
      return circle;
    },
    outlineStyle: function () {
      return {color: "#9a9a9a", weight: 0.6, fill: true, fillColor: "#f4f4f4", fillOpacity: 1};
    }
  };
})();
