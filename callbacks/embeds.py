"""/embed/…: the profile card, the charts and the map for other sites' iframes, and the « Intégrer » dialog.

The server answers an embed address only after ``atlas.embeds.embed_problem`` accepted its path and query
(``install_embed_routes``); the builders check again, since the router can be asked any path by a callback.
Builders reuse the full pages' public functions, so an embed shows exactly what its page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from dash import Input, Output, State, clientside_callback, html
from flask import Response, request

from atlas import embeds as spec
from atlas import profile as model
from atlas.compare import parse_selection, trend_frame
from atlas.i18n import _, current_language, indicator_label
from atlas.levels import label as level_label
from atlas.mapdata import MapRequest, parse_search
from atlas.places import places_of
from atlas.routes import resolve
from callbacks import barometer
from callbacks import compare as compare_callbacks
from callbacks import map as map_callbacks
from callbacks import profile as profile_callbacks
from callbacks.state import service
from layouts import compare as compare_layout
from layouts import embeds as layout
from layouts import profile as profile_layout
from layouts import profile_sections
from layouts.charts import graph


def not_found_page() -> str:
    """The plain 404 of /embed/ addresses, in the request's language (constant text: nothing to escape)."""
    title, heading = _("Contenu introuvable"), _("Contenu introuvable (erreur 404)")
    text = _("Cette adresse ne désigne aucun contenu à intégrer de l’Atlas QPV.")
    return (f'<!DOCTYPE html><html lang="{current_language()}"><head><meta charset="utf-8"><title>{title}'
            f"</title></head><body><h1>{heading}</h1><p>{text}</p></body></html>")


def today() -> str:
    return dt.date.today().isoformat()


def _chrome(svc, title: str, subtitle: str, sources, back_href: str, back_label: str) -> layout.Chrome:
    return layout.Chrome(title=title, subtitle=subtitle, sources=tuple(sources), edited=today(),
                         illustrative=svc.illustrative, back_href=back_href, back_label=back_label)


def _dataset(svc) -> tuple[str, str]:
    """The package itself as a source, when no indicator's source applies."""
    return str(svc.manifest.get("title") or _("jeu de données de l'Atlas QPV")), ""


def _problem(svc, page: str, params: dict, search: str) -> str | None:
    return spec.embed_problem(svc, page, params or {}, search)


# ---------------------------------------------------------------- profile card


def build_profile_card(svc, params: dict, search: str):
    code = (params or {}).get("code", "")
    problem = _problem(svc, "embed-qpv", params, search)
    if problem or profile_callbacks.known_quarter(svc, code) is None:
        return layout.embed_not_found(problem or _("quartier inconnu"))
    profile = model.build_profile(svc, code)
    figures = profile_layout.overview_figures(profile, tuple(svc.presentation.overview))
    communes = ", ".join(p.name for p in profile.communes) or _("commune non renseignée")
    subtitle = _("Quartier prioritaire {code} — {communes}").format(code=profile.code, communes=communes) \
        + (f" ({profile.vintage})" if profile.vintage else "")
    sources = list(dict.fromkeys((f.source, f.vintage) for f in figures)) or [_dataset(svc)]
    chrome = _chrome(svc, profile.name, subtitle, sources, f"/qpv/{profile.code}",
                     _("Voir le profil complet du quartier"))
    return layout.embed_frame(chrome, *layout.profile_card(profile, figures))


# ---------------------------------------------------------------------- charts


def _quarter_evolution(svc, query: dict):
    territory = svc.territory("qpv", query[spec.QUARTER_PARAM])
    profile = model.build_profile(svc, territory["code"])
    indicator = query.get(spec.INDICATOR_PARAM) or profile_callbacks.default_evolution(svc, profile)
    if indicator is None:
        return _("Évolution — {name}").format(name=profile.name), [_dataset(svc)], [html.P(
            _("Ce jeu de données ne contient aucune valeur annuelle pour ce quartier : pas d'évolution à montrer."),
            className="muted")]
    panel = profile_callbacks.evolution_panel(svc, places_of(svc, territory), indicator)
    figure, table = profile_sections.evolution_parts(panel)
    meta = panel.meta
    return (f"{indicator_label(meta)} — {profile.name}", [(str(meta["source"]), str(meta["vintage"]))],
            [graph("embed-chart", figure, filename=f"evolution-{profile.code}-{indicator}",
                   description=_("Évolution de l'indicateur dans le quartier et ses territoires de référence ; les "
                                 "valeurs figurent dans le tableau qui suit.")), table])


def _quarter_credits(svc, query: dict):
    profile = model.build_profile(svc, query[spec.QUARTER_PARAM])
    panel = profile_callbacks.credits_panel(svc, profile)
    title = _("Crédits par année — {name}").format(name=profile.name)
    if panel.by_year.empty:
        return title, [(panel.source, "")], [html.P(panel.absence or _(
            "Aucune ligne de crédits pour ce quartier dans ce jeu de données."), className="muted")]
    figure = profile_sections.credits_figure(panel.by_year, panel.source)
    return title, [(panel.source, "")], [graph("embed-chart", figure, filename=f"credits-{profile.code}",
                                               description=_("Crédits par année, empilés selon leur destinataire."))]


def _compared_evolution(svc, query: dict):
    search = "?" + urlencode({spec.CODES_PARAM: query[spec.CODES_PARAM]}, safe=",:")
    territories = parse_selection(search, svc.is_known).territories
    indicator = query[spec.INDICATOR_PARAM]
    meta = svc.indicator(indicator)
    names = compare_callbacks.names_for(svc, territories)
    frame = trend_frame(svc, territories, indicator)
    figure = compare_layout.trend_figure(frame, meta, names, territories)
    return (indicator_label(meta), [(str(meta["source"]), str(meta["vintage"]))],
            [compare_layout.without_values(frame, names, territories),
             graph("embed-chart", figure, filename=f"comparaison-{indicator}",
                   description=_("Évolution de l'indicateur dans les territoires comparés ; les valeurs figurent dans "
                                 "le tableau qui suit.")),
             compare_layout.trend_table(frame, meta, names, territories)])


def _barometer_commitments(svc, query: dict):
    filters = spec.barometer_filters(svc, query)
    scope = barometer.scope_of(filters, barometer.scope_options(barometer.package_token(), filters))
    view = barometer.render_commitments(filters, scope)
    title = _("Engagements des ministères — {where}").format(where=_barometer_where(svc, filters))
    return (title, [(barometer.commitments_source(), "")],
            [graph("embed-chart", view.figure, filename="engagements", description=_(
                "Nombre d'engagements par état d'avancement ; le détail figure dans le tableau qui suit.")),
             view.table])


def _barometer_series(svc, query: dict):
    filters = spec.barometer_filters(svc, query)
    indicator = barometer.pick(filters.indicator, barometer.indicator_options(filters.ministry, filters.theme))
    view = barometer.render_series(replace(filters, indicator=indicator))
    title = indicator_label(svc.indicator(indicator)) if indicator else _("Indicateurs des ministères")
    sources = [(barometer.indicator_source(indicator), "")] if indicator else [(barometer.commitments_source(), "")]
    if view.note:  # nothing to draw: the sentence says why, without an empty chart
        return f"{title} — {_barometer_where(svc, filters)}", sources, [html.P(view.note, className="muted")]
    return (f"{title} — {_barometer_where(svc, filters)}", sources,
            [graph("embed-chart", view.figure, filename=f"serie-{indicator or 'aucune'}",
                   description=_("Série de l'indicateur et, le cas échéant, sa cible ; les valeurs figurent dans le "
                                 "tableau qui suit.")), view.table])


def _barometer_coverage(svc, query: dict):
    filters = spec.barometer_filters(svc, query)
    figure, table, note = barometer.render_coverage(filters)
    title = _("Couverture des mesures — {where}").format(where=_barometer_where(svc, filters))
    if note:
        return title, [(barometer.commitments_source(), "")], [html.P(note, className="muted")]
    return (title, [(barometer.commitments_source(), "")],
            [graph("embed-chart", figure, filename="couverture", description=_(
                "Part du public éligible couverte par chaque mesure, par année ; les dernières valeurs figurent dans "
                "le tableau qui suit.")), table])


def _barometer_where(svc, filters) -> str:
    level, code = filters.territory
    return f"{svc.territory_name(level, code) or code}, {filters.start}–{filters.end}"


CHART_BUILDERS = {("qpv", "evolution"): _quarter_evolution, ("qpv", "credits"): _quarter_credits,
                  ("comparer", "evolution"): _compared_evolution, ("barometre", "engagements"): _barometer_commitments,
                  ("barometre", "serie"): _barometer_series, ("barometre", "couverture"): _barometer_coverage}


def build_chart(svc, params: dict, search: str):
    problem = _problem(svc, "embed-graphique", params, search)
    if problem:
        return layout.embed_not_found(problem)
    key = (params["page"], params["chart"])
    query = spec.query_of(search)
    title, sources, body = CHART_BUILDERS[key](svc, query)
    chart = spec.CHARTS[key]
    return layout.embed_frame(_chrome(svc, title, _(chart.title), sources, spec.chart_back_link(chart, query),
                                      _("Voir la page complète")), *body)


# ------------------------------------------------------------------------- map


def build_map(svc, params: dict, search: str):
    problem = _problem(svc, "embed-carte", params, search)
    if problem:
        return layout.embed_not_found(problem)
    request = MapRequest.from_query(svc, parse_search(search))
    meta = svc.indicator(request.indicator)
    level = level_label(request.level)
    subtitle = f"{level}, {request.year}" + (_(" — écart à la référence") if request.mode == "gap" else "")
    page = map_callbacks.build_page(svc, {}, search)
    query = (search or "").lstrip("?")
    return layout.embed_frame(_chrome(svc, indicator_label(meta), subtitle,
                                      [(str(meta["source"]), str(meta["vintage"]))],
                                      "/" + (f"?{query}" if query else ""), _("Ouvrir la carte complète")),
                              html.Div(page, className="embed-map"))


# ----------------------------------------------------------------- the server


def install_embed_routes(app) -> None:
    """``/embed/…``: the app's index (marked ``html.embed``) for a valid embed, a plain 404 otherwise."""
    server = app.server

    @server.route("/embed/<path:rest>")
    def embed_page(rest: str):
        svc = service()
        route = resolve("/embed/" + rest, is_known=svc.is_known)
        search = request.query_string.decode("utf-8", "replace")
        if not route.found or not route.declaration.embed or _problem(svc, route.page, route.params, search):
            return Response(not_found_page(), status=404, mimetype="text/html")
        language = current_language()
        return Response(app.index().replace(f'<html lang="{language}">', f'<html lang="{language}" class="embed">', 1),
                        mimetype="text/html")


# --------------------------------------------------------------- the dialog


clientside_callback(layout.DIALOG_FUNCTIONS["open"], Output("embed-dialog", "title"),
                    Input("embed-open", "n_clicks"), prevent_initial_call=True)
clientside_callback(layout.DIALOG_FUNCTIONS["close"], Output("embed-dialog", "className"),
                    Input("embed-close", "n_clicks"), prevent_initial_call=True)
clientside_callback(layout.DIALOG_FUNCTIONS["snippet"], Output("embed-snippet", "value"),
                    Input("embed-choice", "value"), Input("embed-open", "n_clicks"), Input("embed-choices", "data"))
clientside_callback(layout.DIALOG_FUNCTIONS["copy"], Output("embed-copied", "children"),
                    Input("embed-copy", "n_clicks"), State("embed-snippet", "value"), prevent_initial_call=True)
