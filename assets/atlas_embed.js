/* Atlas QPV — the « Intégrer » dialog (clientside callbacks named in layouts/embeds.py).
 * The <iframe> snippet is built as plain text for a <textarea>: never inserted into this page as HTML. */
(function () {
    "use strict";
    var ns = window.dash_clientside = window.dash_clientside || {};

    function attribute(text) {
        return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    }

    ns.atlasEmbed = {
        open: function (n) {
            var dialog = document.getElementById("embed-dialog");
            if (n && dialog && !dialog.open) { dialog.showModal(); }
            return window.dash_clientside.no_update;
        },
        close: function (n) {
            var dialog = document.getElementById("embed-dialog");
            if (n && dialog && dialog.open) { dialog.close(); }
            return window.dash_clientside.no_update;
        },
        // Rewritten when the dialog opens: a choice with ``query`` embeds the page as it is now (its query string).
        snippet: function (index, opened, choices) {
            var choice = (choices || [])[index || 0];
            if (!choice) { return ""; }
            var src = window.location.origin + choice.path + (choice.query ? window.location.search : "");
            return '<iframe src="' + attribute(src) + '" title="' + attribute(choice.title) + '" width="100%" height="'
                + attribute(choice.height) + '" style="border:0;max-width:900px" loading="lazy"></iframe>';
        },
        copy: function (n, text) {
            if (!n || !text) { return window.dash_clientside.no_update; }
            var area = document.getElementById("embed-snippet");
            if (navigator.clipboard && window.isSecureContext) {
                return navigator.clipboard.writeText(text).then(function () { return window.atlasI18n.t("Code copié."); },
                    function () { return window.atlasI18n.t("Copie refusée par le navigateur : sélectionnez le code et copiez-le."); });
            }
            if (area) { area.select(); }
            return document.execCommand && document.execCommand("copy") ? window.atlasI18n.t("Code copié.")
                : window.atlasI18n.t("Sélectionnez le code et copiez-le.");
        }
    };
}());
