"""Text written in the browser — by the atlas's own scripts (assets/*.js) and by Dash's components — in the
catalogue like every other UI string.

The scripts call ``window.atlasI18n.t(french, values)`` with the French source below; the page frame carries
the current language's translations (``client_text_holder``), so a script never holds a translation itself.
"""

from __future__ import annotations

import json

from dash import html

from atlas.i18n import N_, SOURCE_LANGUAGE, _, current_language

CLIENT_TEXTS = (
    # Map tooltips and the year player (assets/atlas_map.js)
    N_("non disponible"), N_("secret statistique"), N_("sans valeur"), N_(" — écart"),
    N_("Rang : {rank} sur {count} (valeurs décroissantes)"), N_("Millésime : {vintage}"),
    N_("⏸ Pause"), N_("▶ Lecture"),
    # Credits and barometer maps (assets/credits.js, assets/barometer.js)
    N_("{amount} ({count} lignes)"), N_("{count} lieux de crédits regroupés"), N_("{count} lieux"),
    N_("{name} ({code}) : pas d'engagement"), N_("{amount}\u00a0Md€"), N_("{amount}\u00a0M€"),
    # Table helpers (assets/a11y.js)
    N_("Première page"), N_("Page précédente"), N_("Page suivante"), N_("Dernière page"), N_("Année"),
    N_("Valeur"), N_(" (minimum)"), N_("Numéro de page"), N_("Filtrer la colonne « {name} »"),
    N_("Filtrer la colonne"), N_("Respecter la casse"), N_("Respecter la casse (colonne « {name} »)"),
    N_("Tableau défilant horizontalement"), N_("Zoom avant"), N_("Zoom arrière"),
    # The embed dialog (assets/atlas_embed.js)
    N_("Code copié."), N_("Copie refusée par le navigateur : sélectionnez le code et copiez-le."),
    N_("Sélectionnez le code et copiez-le."),
)


def client_text_holder() -> html.Div:
    """The scripts' translations for this request's language (nothing to carry in French, the source)."""
    texts = {} if current_language() == SOURCE_LANGUAGE else {text: _(text) for text in CLIENT_TEXTS}
    return html.Div(id="atlas-client-text", hidden=True, **{"data-text": json.dumps(texts, ensure_ascii=False)})


DROPDOWN_LABELS_FR = {
    "select_all": N_("Tout sélectionner"), "deselect_all": N_("Tout désélectionner"), "search": N_("Rechercher"),
    "clear_search": N_("Effacer la recherche"), "clear_selection": N_("Effacer la sélection"),
    "no_options_found": N_("Aucun résultat"), "selected_count": N_("{num_selected} choisis"),
}


def dropdown_labels(no_options: str | None = None) -> dict:
    """The texts of Dash's dropdown (its own English otherwise), in the visitor's language."""
    labels = {key: _(text) for key, text in DROPDOWN_LABELS_FR.items()}
    return {**labels, "no_options_found": no_options} if no_options else labels
