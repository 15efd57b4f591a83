/* Atlas QPV — accessibility repairs of Dash's own components, applied to the DOM after React renders.
 *
 * Dash 4.4's components carry markup that screen readers and axe-core reject and that no component prop
 * can change: radio and check lists exposed as a listbox of « options » wrapping native inputs, a focusable
 * input hidden with aria-hidden in front of every dropdown, unlabelled number inputs on sliders, DataTable
 * paging buttons with only an icon and English titles on its filters. This file fixes those attributes (never
 * content from data: every text set here is a constant or a column header already on the page) and keeps
 * them fixed when React re-renders, through one MutationObserver. Nothing here changes what a control does.
 */
(function () {
  "use strict";

  // Text in the page's language (assets/atlas_language.js; French until it has loaded).
  function t(text, values) { return window.atlasI18n ? window.atlasI18n.t(text, values) : text; }

  var PAGING_LABELS = {
    "first-page": "Première page",
    "previous-page": "Page précédente",
    "next-page": "Page suivante",
    "last-page": "Dernière page"
  };

  var MAP_ZOOM_LABELS = {
    "leaflet-control-zoom-in": "Zoom avant",
    "leaflet-control-zoom-out": "Zoom arrière"
  };

  function setAttr(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  function dropAttr(el, name) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  }

  /* Radio and check lists: native inputs inside labels; the fieldset's legend names the group. */
  function repairOptionLists(root) {
    // RadioItems and Checklist only: a dropdown's popover is a real listbox and keeps its options' roles.
    root.querySelectorAll(".dash-options-list.dash-radioitems, .dash-options-list.dash-checklist").forEach(function (list) {
      if (list.closest(".dash-dropdown-content") || !list.querySelector("input[type=radio], input[type=checkbox]")) return;
      dropAttr(list, "role");
      list.querySelectorAll(".dash-options-list-option").forEach(function (option) {
        dropAttr(option, "role");
        dropAttr(option, "aria-selected");
      });
    });
  }

  /* Dropdowns: the trigger button is the one tab stop (the hidden « focus target » leaves the Tab order),
     and its name starts with its visible label, then its value (Dash names it by its value only). */
  function repairDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (target) {
      setAttr(target, "tabindex", "-1");
      var button = target.nextElementSibling;
      if (!button || button.tagName !== "BUTTON") return;
      if (!button.disabled) setAttr(button, "tabindex", "0");
      var label = button.id && document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
      var labelledBy = button.getAttribute("aria-labelledby") || "";
      if (label) {
        if (!label.id) label.id = button.id + "-label";
        if (labelledBy.split(/\s+/).indexOf(label.id) === -1) {
          setAttr(button, "aria-labelledby", (label.id + " " + labelledBy).trim());
        }
      }
    });
  }

  function labelText(id) {
    if (!id) return "";
    var label = document.querySelector('label[for="' + CSS.escape(id) + '"]');
    return label ? label.textContent.trim() : "";
  }

  /* Sliders: the thumbs and the number inputs beside the track are named after the slider's label. */
  function sliderName(el) {
    var container = el.closest("[id]");
    var id = container ? container.id : "";
    return labelText(id) || t(id.indexOf("year") !== -1 ? "Année" : "Valeur");
  }

  function repairSliders(root) {
    root.querySelectorAll(".dash-range-slider-input").forEach(function (input) {
      if (input.hasAttribute("aria-label")) return;
      var name = sliderName(input);
      if (input.classList.contains("dash-range-slider-min-input")) name += t(" (minimum)");
      setAttr(input, "aria-label", name);
    });
    root.querySelectorAll("[role=slider]").forEach(function (thumb) {
      if (!thumb.hasAttribute("aria-label") && !thumb.hasAttribute("aria-labelledby")) {
        setAttr(thumb, "aria-label", sliderName(thumb));
      }
    });
  }

  /* DataTable: named paging buttons and page field, filters in French and named after their column. */
  function repairTables(root) {
    root.querySelectorAll(".previous-next-container button").forEach(function (button) {
      Object.keys(PAGING_LABELS).forEach(function (cls) {
        if (button.classList.contains(cls)) setAttr(button, "aria-label", t(PAGING_LABELS[cls]));
      });
    });
    root.querySelectorAll("input.current-page").forEach(function (input) {
      setAttr(input, "aria-label", t("Numéro de page"));
    });
    root.querySelectorAll("th.dash-filter").forEach(function (cell) {
      var column = cell.getAttribute("data-dash-column");
      var table = cell.closest("table");
      var header = table && column &&
        table.querySelector('th.dash-header[data-dash-column="' + CSS.escape(column) + '"] .column-header-name');
      var name = header ? header.textContent.trim() : "";
      var field = cell.querySelector("input[type=text]");
      if (field) setAttr(field, "aria-label", name ? t("Filtrer la colonne « {name} »", {name: name}) : t("Filtrer la colonne"));
      var toggle = cell.querySelector(".dash-filter--case");
      if (toggle) {
        var sensitive = toggle.classList.contains("dash-filter--case--sensitive");
        setAttr(toggle, "title", t("Respecter la casse"));
        setAttr(toggle, "aria-label", name ? t("Respecter la casse (colonne « {name} »)", {name: name})
                                           : t("Respecter la casse"));
        setAttr(toggle, "aria-pressed", sensitive ? "true" : "false");
      }
    });
  }

  /* Regions that scroll sideways (wide tables, code) can be scrolled from the keyboard. */
  function repairScrollers(root) {
    root.querySelectorAll(".table-scroll, .dash-spreadsheet-container, table.data-table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        // A table keeps its own role; a plain scrolling box becomes a named region.
        if (box.tagName !== "TABLE" && !box.hasAttribute("aria-label") && !box.hasAttribute("role")) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", t("Tableau défilant horizontalement"));
        }
      }
    });
  }

  /* Leaflet's zoom buttons carry English titles (« Zoom in ») that no dash-leaflet prop changes. */
  function repairMapControls(root) {
    root.querySelectorAll(".leaflet-control-zoom a").forEach(function (button) {
      Object.keys(MAP_ZOOM_LABELS).forEach(function (cls) {
        if (!button.classList.contains(cls)) return;
        setAttr(button, "title", t(MAP_ZOOM_LABELS[cls]));
        setAttr(button, "aria-label", t(MAP_ZOOM_LABELS[cls]));
      });
    });
  }

  function repair() {
    var root = document.body;
    if (!root) return;
    repairOptionLists(root);
    repairDropdowns(root);
    repairSliders(root);
    repairTables(root);
    repairMapControls(root);
    repairScrollers(root);
  }

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    // In the next frame, not when the browser is idle: a busy page can postpone idle callbacks for long enough
    // that a screen reader (and the axe and French-interface tests) meets the components' English, unnamed
    // originals (tried: it saved ~10 ms per map change and failed both tests under load).
    window.requestAnimationFrame(function () {
      scheduled = false;
      repair();
    });
  }

  /* Charts and map panes redraw thousands of nodes and never hold a Dash control: their changes are ignored. */
  function outsideDrawings(record) {
    var target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    return !target || !target.closest("svg, .leaflet-pane");
  }

  function start() {
    repair();
    new MutationObserver(function (records) {
      if (records.some(outsideDrawings)) schedule();
    }).observe(document.body, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["role", "aria-selected", "tabindex", "class"]
    });
    window.addEventListener("resize", schedule);
    document.addEventListener("click", schedule);  // e.g. a filter's case toggle changes its pressed state
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
