/* The interface language travels in the address (?lang=en; French without it).
 *
 * The server renders each page in the language of its address. Here, in English only: every address the
 * atlas writes into the history (links followed, filters written by pages) and every link of the page keeps
 * lang=en, so that navigation, new tabs and shared links stay in English. The header's language switch
 * always points at the current page, in the other language, with the same state.
 */
(function () {
  "use strict";
  var PARAM = "lang";
  var language = new URLSearchParams(window.location.search).get(PARAM) === "en" ? "en" : "fr";
  document.documentElement.lang = language;

  function sameOrigin(url) {
    try { return new URL(url, window.location.href).origin === window.location.origin; } catch (e) { return false; }
  }

  // The same address in `target` language (French: without the parameter).
  function inLanguage(url, target) {
    var parsed = new URL(url, window.location.href);
    if (target === "fr") { parsed.searchParams.delete(PARAM); } else { parsed.searchParams.set(PARAM, target); }
    return parsed.pathname + parsed.search + parsed.hash;
  }

  function keepsLanguage(url) {
    if (typeof url !== "string" || !sameOrigin(url)) { return false; }
    var parsed = new URL(url, window.location.href);
    return parsed.pathname.indexOf("/_dash") !== 0 && parsed.pathname.indexOf("/assets/") !== 0;
  }

  function updateSwitch() {
    var link = document.getElementById("language-switch");
    var href = inLanguage(window.location.href, language === "en" ? "fr" : "en");
    if (link && link.getAttribute("href") !== href) { link.setAttribute("href", href); }
  }

  function localiseLink(link) {
    var href = link.getAttribute("href");
    if (!href || link.id === "language-switch" || href.charAt(0) === "#" || !keepsLanguage(href)) { return; }
    if (new URL(href, window.location.href).searchParams.get(PARAM) === null) {
      link.setAttribute("href", inLanguage(href, language));
    }
  }

  function localiseLinks(root) {
    if (root.tagName === "A") { localiseLink(root); }
    if (root.querySelectorAll) { root.querySelectorAll("a[href]").forEach(localiseLink); }
  }

  ["pushState", "replaceState"].forEach(function (name) {
    var original = window.history[name];
    window.history[name] = function (state, title, url) {
      if (language !== "fr" && url !== undefined && url !== null && keepsLanguage(String(url))) {
        var parsed = new URL(String(url), window.location.href);
        if (parsed.searchParams.get(PARAM) === null) { url = inLanguage(String(url), language); }
      }
      var result = original.call(window.history, state, title, url);
      updateSwitch();
      return result;
    };
  });
  window.addEventListener("popstate", updateSwitch);

  // Pages are rendered after this script runs: follow the document as it changes.
  new MutationObserver(function (mutations) {
    if (language !== "fr") {
      mutations.forEach(function (mutation) {
        if (mutation.type === "attributes") { localiseLink(mutation.target); return; }
        mutation.addedNodes.forEach(function (node) { if (node.nodeType === 1) { localiseLinks(node); } });
      });
    }
    updateSwitch();
  }).observe(document.documentElement, language === "fr" ? {childList: true, subtree: true}
    : {childList: true, subtree: true, attributes: true, attributeFilter: ["href"]});
})();

/* Text written by the atlas's own scripts (map tooltips, buttons, table helpers): the frame carries the
 * translations of the current language (layouts/client_text.py, from the catalogue) in #atlas-client-text. */
(function () {
  "use strict";
  var language = document.documentElement.lang === "en" ? "en" : "fr";
  var table = null;
  function texts() {
    if (table === null) {
      var holder = document.getElementById("atlas-client-text");
      if (!holder) { return {}; }  // not rendered yet: French source for now, look again next time
      try { table = JSON.parse(holder.getAttribute("data-text") || "{}"); } catch (e) { table = {}; }
    }
    return table;
  }
  window.atlasI18n = {
    language: language,
    locale: language === "en" ? "en-GB" : "fr-FR",  // number formats, as atlas/formatting.py writes them
    // `french` in the page's language; {name} placeholders filled from `values`.
    t: function (french, values) {
      var text = language === "fr" ? french : (texts()[french] || french);
      return text.replace(/\{(\w+)\}/g, function (all, name) {
        return values && values[name] !== undefined ? String(values[name]) : all;
      });
    },
    ordinal: function (n) {
      if (language === "en") {
        var suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : ({1: "st", 2: "nd", 3: "rd"}[n % 10] || "th");
        return n + suffix;
      }
      return n + (n === 1 ? "er" : "e");
    }
  };
})();
