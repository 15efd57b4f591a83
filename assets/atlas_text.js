/* Text-only tooltip content, shared by the Leaflet layers of /credits and /barometre.
 * Leaflet inserts a tooltip given as a *string* as HTML; names come from data (an organisation chooses its
 * own name, a territory file may be edited), so tooltips are always given as a DOM node holding plain text. */
(function () {
  "use strict";
  window.atlasText = {
    node: function (text) {
      var span = document.createElement("span");
      span.textContent = String(text);
      return span;
    }
  };
})();
