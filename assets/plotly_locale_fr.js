/* French locale for Plotly charts (months, days, separators, toolbar tooltips).
 * Plotly reads window.PlotlyLocales when it loads (Dash loads it after the assets), so the
 * locale is registered without depending on a CDN script. Translations follow plotly.js's own
 * locale-fr dictionary for the toolbar buttons the atlas keeps. */
(function () {
    var fr = {
        moduleType: "locale",
        name: "fr",
        dictionary: {
            "Autoscale": "Échelle automatique",
            "Box Select": "Sélection rectangulaire",
            "Download plot": "Télécharger le graphique",
            "Download plot as a png": "Télécharger le graphique en PNG",
            "Download plot as a PNG": "Télécharger le graphique en PNG",
            "Double-click to zoom back out": "Double-cliquez pour dézoomer",
            "Double-click on legend to isolate one trace": "Double-cliquez sur la légende pour isoler une série",
            "Pan": "Déplacer",
            "Reset axes": "Réinitialiser les axes",
            "Reset view": "Réinitialiser la vue",
            "Toggle Spike Lines": "Afficher ou masquer les lignes de repère",
            "Show closest data on hover": "Afficher la donnée la plus proche au survol",
            "Compare data on hover": "Comparer les données au survol",
            "Zoom": "Zoomer",
            "Zoom in": "Zoom avant",
            "Zoom out": "Zoom arrière",
            "Taking snapshot - this may take a few seconds": "Capture en cours, quelques secondes…",
            "Snapshot succeeded": "Capture réussie",
            "Sorry, there was a problem downloading your snapshot!": "Le téléchargement de la capture a échoué.",
            "Click to enter Plot title": "Cliquez pour saisir un titre",
            "trace": "série"
        },
        format: {
            days: ["Dimanche", "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi"],
            shortDays: ["Dim.", "Lun.", "Mar.", "Mer.", "Jeu.", "Ven.", "Sam."],
            months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                     "octobre", "novembre", "décembre"],
            shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                          "nov.", "déc."],
            date: "%d/%m/%Y",
            decimal: ",",
            thousands: "\u202f",
            year: "%Y",
            month: "%b %Y",
            dayMonth: "%-d %b",
            dayMonthYear: "%-d %b %Y"
        }
    };
    if (window.Plotly && typeof window.Plotly.register === "function") {
        window.Plotly.register(fr);
    } else {
        window.PlotlyLocales = (window.PlotlyLocales || []).concat([fr]);
    }
})();
