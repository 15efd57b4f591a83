/* Back and forward buttons for pages that keep their state in the query string.
 *
 * Pages write their filters into the address without a rebuild. When the browser walks the history,
 * the router is told the address it arrived at, so that the page is rebuilt from it.
 */
(function () {
  "use strict";
  window.addEventListener("popstate", function () {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("history-nav", {
        data: { pathname: window.location.pathname, search: window.location.search, at: Date.now() },
      });
    }
  });
})();
