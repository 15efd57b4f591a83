"""Simple pages: 404, about, and the placeholders of pages not built yet."""

from __future__ import annotations

from dash import dcc, html

from atlas.formatting import format_number
from atlas.levels import label as level_label


def search_box(component_id: str = "search-404") -> html.Div:
    return html.Div(className="search", children=[
        html.Label("Rechercher un quartier, une commune ou un code", htmlFor=component_id),
        dcc.Input(id=component_id, type="search", placeholder="ex. Marseille, QN013001…", debounce=False,
                  autoComplete="off", className="search-input"),
        html.Ul(id=f"{component_id}-results", className="search-results", **{"aria-live": "polite",
                "aria-label": "Résultats de la recherche"}),
    ])


def not_found(params: dict) -> html.Div:
    if params.get("reason") == "unknown_code":
        message = f"Aucun quartier prioritaire ne porte le code « {params.get('code', '')} » dans ce jeu de données."
    else:
        message = f"La page « {params.get('path', '')} » n'existe pas."
    return html.Div(className="not-found", children=[
        html.H1("Page introuvable (erreur 404)"),
        html.P(message),
        html.P("Cherchez le territoire qui vous intéresse :"),
        search_box(),
        html.P(dcc.Link("Revenir à la carte", href="/")),
    ])


def about(manifest: dict, counts: dict) -> html.Div:
    territory_items = [
        html.Li(f"{level_label(level)} : {format_number(n, 0)}")
        for level, n in counts["territories"].items()
    ]
    return html.Div(className="about", children=[
        html.H1("À propos de l'Atlas QPV"),
        html.P("L'Atlas QPV est un outil libre et ouvert qui cartographie les inégalités territoriales des "
               "quartiers prioritaires de la politique de la ville (QPV) et suit les résultats de l'action "
               "publique : indicateurs de moyens et de résultats, engagements des ministères, crédits "
               "géolocalisés et bien-être territorialisé."),
        html.H2("Jeu de données affiché"),
        html.P(manifest.get("title", "")),
        html.P(manifest.get("description", "")),
        html.P("Ces données sont illustratives : elles ne décrivent aucun territoire réel."
               if manifest.get("illustrative") else "Données officielles ; voir les sources en pied de page.",
               className="about-illustrative"),
        html.Ul(territory_items),
        html.P(f"{counts['indicators']} indicateurs, {format_number(counts['observations'], 0)} observations, "
               f"{format_number(counts['credit_lines'], 0)} lignes de crédits, "
               f"{counts['commitments']} engagements, années {counts['years'][0]}–{counts['years'][-1]}."
               if counts["years"] else ""),
        html.H2("Méthode"),
        html.P(["Chaque chiffre est accompagné de sa source et de son millésime ; les valeurs soumises au secret "
                "statistique ne sont jamais affichées. La documentation du modèle de données est dans le dépôt "
                "(", html.Code("docs/data-package.md"), ")."]),
    ])


def coming_soon(title: str, description: str) -> html.Div:
    return html.Div(className="coming-soon", children=[
        html.H1(title),
        html.P(description),
        html.P("Cette page est en cours de construction.", className="muted"),
    ])
