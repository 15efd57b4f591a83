"""Simple pages: 404, about, and the placeholders of pages not built yet."""

from __future__ import annotations

from dash import dcc, html

from atlas.formatting import format_number
from atlas.i18n import _, with_language
from atlas.levels import label as level_label


def search_box(component_id: str = "search-404") -> html.Div:
    return html.Div(className="search", children=[
        html.Label(_("Rechercher un quartier, une commune ou un code"), htmlFor=component_id),
        dcc.Input(id=component_id, type="search", placeholder=_("ex. Marseille, QN013001…"), debounce=False,
                  autoComplete="off", className="search-input"),
        html.Ul(id=f"{component_id}-results", className="search-results", **{"aria-live": "polite",
                "aria-label": _("Résultats de la recherche")}),
    ])


def not_found(params: dict) -> html.Div:
    if params.get("reason") == "unknown_code":
        message = _("Aucun quartier prioritaire ne porte le code « {code} » dans ce jeu de données.").format(
            code=params.get("code", ""))
    else:
        message = _("La page « {path} » n'existe pas.").format(path=params.get("path", ""))
    return html.Div(className="not-found", children=[
        html.H1(_("Page introuvable (erreur 404)")),
        html.P(message),
        html.P(_("Cherchez le territoire qui vous intéresse :")),
        search_box(),
        html.P(dcc.Link(_("Revenir à la carte"), href=with_language("/"))),
    ])


def about(manifest: dict, counts: dict) -> html.Div:
    territory_items = [
        html.Li(_("{level} : {count}").format(level=level_label(level), count=format_number(n, 0)))
        for level, n in counts["territories"].items()
    ]
    return html.Div(className="about", children=[
        html.H1(_("À propos de l'Atlas QPV")),
        html.P(_("L'Atlas QPV est un outil libre et ouvert qui cartographie les inégalités territoriales des "
                 "quartiers prioritaires de la politique de la ville (QPV) et suit les résultats de l'action "
                 "publique : indicateurs de moyens et de résultats, engagements des ministères, crédits "
                 "géolocalisés et bien-être territorialisé.")),
        html.H2(_("Jeu de données affiché")),
        html.P(manifest.get("title", "")),
        html.P(manifest.get("description", "")),
        html.P(_("Ces données sont illustratives : elles ne décrivent aucun territoire réel.")
               if manifest.get("illustrative") else _("Données officielles ; voir les sources en pied de page."),
               className="about-illustrative"),
        html.Ul(territory_items),
        html.P(_("{indicators} indicateurs, {observations} observations, {credit_lines} lignes de crédits, "
                 "{commitments} engagements, années {first}–{last}.").format(
            indicators=format_number(counts["indicators"], 0), observations=format_number(counts["observations"], 0),
            credit_lines=format_number(counts["credit_lines"], 0), commitments=format_number(counts["commitments"], 0),
            first=counts["years"][0], last=counts["years"][-1]) if counts["years"] else ""),
        html.H2(_("Méthode")),
        html.P([_("Chaque chiffre est accompagné de sa source et de son millésime ; les valeurs soumises au secret "
                  "statistique ne sont jamais affichées. La documentation du modèle de données est dans le dépôt "
                  "("), html.Code("docs/data-package.md"), ")."]),
    ])


def coming_soon(title: str, description: str) -> html.Div:
    return html.Div(className="coming-soon", children=[
        html.H1(title),
        html.P(description),
        html.P(_("Cette page est en cours de construction."), className="muted"),
    ])
