"""/qpv/<code>: the quarter profile. Thin glue between atlas.profile & co. and layouts.profile.

Every value coming from the browser (the quarter code, an indicator id) is checked against the package,
exactly, before it reaches a computation or a cache key.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode

import pandas as pd
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update

from atlas import peers as peer_model
from atlas import profile as model
from atlas import profile_credits as credits_model
from atlas.compare import comparison_rows, search_for, trend_frame
from atlas.csvexport import CsvTable, indicator_decimals
from atlas.embeds import profile_choices
from atlas.i18n import _, indicator_label
from atlas.places import places_of
from atlas.profile_map import map_geometry
from atlas.views import CreditsPanel, EvolutionPanel, PageMeta, PeersPanel, ProfileView, WellbeingPanel
from atlas.wellbeing import GOALPOSTS, side_by_side, variant_for, wellbeing_history
from callbacks import csv_download
from callbacks.cache import cached
from callbacks.figures import figure_updates
from callbacks.router import register_page
from callbacks.state import feedback_url, service
from layouts import compare as cmp
from layouts import embeds as embed_layout
from layouts import pages, profile_sections
from layouts import profile as layout

# Clientside: assets/atlas_clientside.js (the print dialog, and charts fitted to A4 before printing).
PRINT_JS = ClientsideFunction("atlas", "print")
PRINT_CHARTS_JS = ClientsideFunction("atlas", "fitChartsForPrint")
MAX_CODE_LENGTH = 20
MAX_SEARCH_LENGTH = 2_000  # a profile address has one short parameter; the rest is ignored
EVOLUTION_PARAM = "indicateur"


def known_quarter(svc, code) -> dict | None:
    """The quarter's territory row when ``code`` is exactly a quarter of the package, else None."""
    if not isinstance(code, str) or not code or len(code) > MAX_CODE_LENGTH or not svc.is_known("qpv", code):
        return None
    return svc.territory("qpv", code)


def known_indicator(svc, indicator) -> str | None:
    return indicator if isinstance(indicator, str) and svc.has_indicator(indicator) else None


@cached("profile-peers")
def peer_list(code: str) -> list[list]:
    """[[code, distance], …] of the quarter's peers (JSON-able, so the app cache can share it).

    Callers validate ``code`` first: the cache key is normalised, so it must only ever see exact codes.
    """
    found = peer_model.find_peers(peer_model.features_for(service()), code)
    return [[str(c), float(d)] for c, d in found["distance"].items()]


def evolution_panel(svc, places: dict, indicator: str) -> EvolutionPanel:
    """The chosen indicator for the quarter and those of its references that have a value for it."""
    frame = trend_frame(svc, [(p.level, p.code) for p in places.values()], indicator)
    shown = set(zip(frame.loc[frame["value"].notna(), "level"], frame.loc[frame["value"].notna(), "code"],
                    strict=True))
    keys = tuple((p.level, p.code) for role, p in places.items() if role == "qpv" or (p.level, p.code) in shown)
    frame = frame[[(lvl, c) in keys for lvl, c in zip(frame["level"], frame["code"], strict=True)]]
    return EvolutionPanel(frame=frame, meta=svc.indicator(indicator),
                          names=layout.role_names(places), keys=keys,
                          options=tuple(cmp.indicator_options(svc.indicators.loc[list(svc.indicators_at("qpv"))])),
                          chosen=indicator)


def credits_source(svc, lines: pd.DataFrame) -> str:
    title = svc.manifest.get("title") or _("jeu de données")
    if lines.empty:
        return title
    return _("{title}, lignes de crédits {first}–{last}").format(
        title=title, first=int(lines["year"].min()), last=int(lines["year"].max()))


def wellbeing_panel(svc, keys: list, names: dict, code: str | None = None) -> WellbeingPanel:
    results, marks = side_by_side(svc, keys)
    variant = variant_for(svc)
    meta = {role: (indicator_label(svc.indicator(ind)), svc.indicator(ind)["unit"], int(svc.indicator(ind)["decimals"]))
            for role, ind in variant.inputs.items()}
    history = tuple(wellbeing_history(svc, "qpv", code)) if code and variant.available else ()
    return WellbeingPanel(variant, results, names, marks, history, {r: meta[r] for r in meta if r in GOALPOSTS})


def peers_panel(svc, profile: model.Profile) -> PeersPanel:
    code = profile.code
    me = peer_model.describe(svc, code)
    empty = WellbeingPanel(variant_for(svc), {}, {}, {})
    if not profile.has_indicators:
        reason = _("Pas de quartiers comparables : ce jeu de données ne contient aucun indicateur pour les quartiers "
                   "de la géographie {vintage}.").format(vintage=profile.vintage or _("de ce quartier"))
        return PeersPanel(me, (), pd.DataFrame(), {}, empty, "", reason)
    found = peer_list(code)
    if not found:
        return PeersPanel(me, (), pd.DataFrame(), {}, empty, "",
                          _("Pas de quartiers comparables : ce jeu de données ne contient aucun autre quartier de la "
                            "même géographie."))
    keys = [("qpv", code)] + [("qpv", c) for c, _distance in found]
    names = {("qpv", c): f"{svc.territory_name('qpv', c)} ({c})" for _level, c in keys}
    headline = [i for i in svc.presentation.overview if svc.has_indicator(i)]
    rows = comparison_rows(svc, keys, headline) if headline else pd.DataFrame()
    return PeersPanel(me, tuple(peer_model.describe(svc, c, d) for c, d in found), rows, names,
                      wellbeing_panel(svc, keys, names), "/comparer" + search_for(keys[:4]))


def credits_panel(svc, profile: model.Profile) -> CreditsPanel:
    lines = credits_model.credits_for(svc.package.credits, profile.territory)
    measures = credits_model.measures_for(svc, profile.code)
    return CreditsPanel(lines=lines, by_year=credits_model.credits_by_year(lines),
                        by_measure=credits_model.credits_by_measure(lines), measures=measures,
                        source=credits_source(svc, lines),
                        absence=credits_model.credits_absence(svc, profile.territory, lines),
                        measures_absence=credits_model.measures_absence(svc, profile.code) if measures.empty else "")


def default_evolution(svc, profile: model.Profile) -> str | None:
    """The presentation's evolution indicator when the quarter has values for it, else its first figure's."""
    wanted = svc.presentation.evolution
    figures = profile.figures
    if any(f.indicator == wanted for f in figures):
        return wanted
    return figures[0].indicator if figures else None


def compare_keys(places: dict) -> list:
    """The quarter and three references for /comparer (four at most): commune, département, France first."""
    order = ("qpv", "commune", "departement", "france", "epci")
    return [(places[r].level, places[r].code) for r in order if r in places][:4]


def profile_view(svc, code: str, today: dt.date | None = None, wanted: str | None = None) -> ProfileView | None:
    """The profile of quarter ``code``; ``wanted`` is the evolution indicator the address asks for, if any."""
    profile = model.build_profile(svc, code)
    if profile is None:
        return None
    places = profile.places
    keys = [(p.level, p.code) for p in places.values()]
    evolution = wanted if wanted in svc.indicators_at("qpv") else default_evolution(svc, profile)
    credits = credits_panel(svc, profile)
    return ProfileView(
        profile=profile,
        geometry=map_geometry(svc.package.geometry, profile.territory),
        wellbeing=wellbeing_panel(svc, keys, layout.role_names(places), code),
        peers=peers_panel(svc, profile),
        credits=credits,
        evolution=evolution_panel(svc, places, evolution) if evolution else None,
        compare_href="/comparer" + search_for(compare_keys(places)),
        meta=PageMeta(today=today or dt.date.today(), dataset_title=svc.manifest.get("title", ""),
                      illustrative=svc.illustrative, sources=tuple(model.sources_used(profile)),
                      region_name=svc.territory_name("region", profile.territory.get("region_code")) or ""),
        overview=tuple(svc.presentation.overview),
        embeds=tuple(profile_choices(svc, profile.code, evolution, not credits.by_year.empty, profile.name)),
        feedback_url=feedback_url(),
        # The path, not the Host header's origin: page answers are cached for every visitor (callbacks/cache.py).
        page_address=f"/qpv/{profile.code}",
    )


def build_profile_page(svc, params: dict, search: str, today: dt.date | None = None):
    code = (params or {}).get("code", "")
    view = profile_view(svc, code, today, evolution_from_search(search)) if known_quarter(svc, code) is not None \
        else None
    if view is None:
        return pages.not_found({"reason": "unknown_code", "code": str(code)[:MAX_CODE_LENGTH]})
    return layout.profile_page(view)


register_page("qpv", build_profile_page)


def evolution_from_search(search) -> str | None:
    """``?indicateur=…``: the evolution chart's indicator, as « Copier le lien » shares it (checked by the caller)."""
    values = parse_qs(str(search or "")[:MAX_SEARCH_LENGTH].lstrip("?")).get(EVOLUTION_PARAM)
    return values[0] if values else None


@callback(Output("profile-url", "search"), Input("profile-evolution-indicator", "value"), State("profile-code", "data"),
          prevent_initial_call=True)
def evolution_to_url(indicator, code):
    """The chosen evolution indicator goes into the address (shareable, restored by the back button)."""
    svc = service()
    indicator = known_indicator(svc, indicator)
    if known_quarter(svc, code) is None or indicator is None:
        return no_update
    return "?" + urlencode({EVOLUTION_PARAM: indicator})


@callback(Output("profile-evolution-graph", "figure"), Output("profile-evolution-table", "children"),
          Input("profile-evolution-indicator", "value"), State("profile-code", "data"), prevent_initial_call=True)
def update_evolution(indicator, code):
    svc = service()
    territory = known_quarter(svc, code)
    indicator = known_indicator(svc, indicator)
    if territory is None or indicator is None:
        return no_update, no_update
    return figure_updates(profile_sections.evolution_parts(evolution_panel(svc, places_of(svc, territory), indicator)))


@callback(Output("embed-choices", "data"), Output("embed-choice", "options"),
          Input("profile-evolution-indicator", "value"), State("profile-code", "data"), State("embed-choices", "data"),
          prevent_initial_call=True)
def embed_the_chosen_evolution(indicator, code, offered):
    """« Intégrer » offers the evolution chart of the indicator the reader chose."""
    svc = service()
    territory = known_quarter(svc, code)
    indicator = known_indicator(svc, indicator)
    if territory is None or indicator is None or indicator not in svc.indicators_at("qpv"):
        return no_update, no_update
    has_credits = isinstance(offered, list) and any(
        isinstance(c, dict) and "/credits" in str(c.get("path", "")) for c in offered)
    choices = profile_choices(svc, territory["code"], indicator, has_credits, territory["name"])
    return choices, embed_layout.choice_options(choices)


def evolution_csv(indicator, code) -> CsvTable | None:
    """The evolution chart's series (quarter and references) for one indicator."""
    svc = service()
    territory = known_quarter(svc, code)
    indicator = known_indicator(svc, indicator)
    if territory is None or indicator is None:
        return None
    places = places_of(svc, territory)
    frame = trend_frame(svc, [(p.level, p.code) for p in places.values()], indicator)
    meta = svc.indicator(indicator)
    frame = frame.assign(indicator=indicator, unit=meta["unit"], source=meta["source"], vintage=meta["vintage"])
    return CsvTable(frame, f"atlas-qpv-{code}-{indicator}", decimals=indicator_decimals(svc.indicators))


def profile_csv(code) -> CsvTable | None:
    """Every year of every key figure of the quarter and its references."""
    svc = service()
    if known_quarter(svc, code) is None:
        return None
    frame = model.profile_frame(svc, model.build_profile(svc, code))
    return CsvTable(frame, f"atlas-qpv-{code}-chiffres-cles", decimals=indicator_decimals(svc.indicators))


def credits_csv(code) -> CsvTable | None:
    """The credit lines attached to the quarter, its contract and its commune."""
    svc = service()
    territory = known_quarter(svc, code)
    if territory is None:
        return None
    lines = credits_model.credits_for(svc.package.credits, territory)
    lines = lines.assign(scope_label=lines["scope"].map(credits_model.SCOPE_LABELS))
    return CsvTable(lines, f"atlas-qpv-{code}-credits")


csv_download.register("profile-evolution-csv", [State("profile-evolution-indicator", "value"),
                                                State("profile-code", "data")], evolution_csv)
csv_download.register("profile-csv", [State("profile-code", "data")], profile_csv)
csv_download.register("profile-credits-csv", [State("profile-code", "data")], credits_csv)


clientside_callback(PRINT_JS, Output("profile-print-done", "title"), Input("profile-print", "n_clicks"),
                    prevent_initial_call=True)

clientside_callback(PRINT_CHARTS_JS, Output("profile-code", "modified_timestamp"), Input("profile-code", "data"))
