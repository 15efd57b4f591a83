/* Functional properties of the dash-leaflet progress map of /barometre (assets load on every page).
 * dash-leaflet calls them with the feature (and layer) first and the layer's props (hideout…) last. */
(function () {
  "use strict";
  function textNode(text) { return window.atlasText.node(text); }

  const latestBarometer = {};

  window.atlasBarometer = {
    // Colours and tooltips arrive in the hideout; the shapes are the atlas's static geometry.
    choroplethStyle: function (feature, context) {
      const h = (context && context.hideout) || {};
      latestBarometer.hideout = h;
      const code = (feature.properties || {}).code;
      return {fillColor: (h.fills || {})[code] || "#E0E0E0", color: "#ffffff", weight: 0.7, fillOpacity: 0.9};
    },
    onEachFeature: function (feature, layer) {
      const props = feature.properties || {};
      layer.bindTooltip(function () {
        const tips = (latestBarometer.hideout || {}).tips || {};
        return textNode(tips[props.code] || window.atlasI18n.t("{name} ({code}) : pas d'engagement",
                                                               {name: props.name, code: props.code}));
      }, {sticky: true});
    },
    hoverStyle: function () {
      return {weight: 2.5, color: "#1e1e1e"};
    }
  };
})();
