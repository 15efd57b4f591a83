"""What can be embedded (/embed/…) and the strict validation of an embed's address (no Dash here).

An embed is addressed once and then lives in other people's pages for years: its address must be stable
and exact. Unlike the full pages, which fall back to defaults on unknown values, an embed whose path or
query names something the package does not hold answers 404 — a wrong iframe should fail loudly rather
than show another figure than the one its author chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from atlas import barometer_state
from atlas.compare import parse_selection
from atlas.i18n import LANGUAGE_PARAM, N_, _, indicator_label
from atlas.mapdata import MapRequest

MAX_QUERY_CHARS = 2000
QUARTER_PARAM = "quartier"
INDICATOR_PARAM = "indicateur"
CODES_PARAM = "codes"
MAP_PARAMS = ("indicateur", "niveau", "annee", "mode", "reference", "operation", "classes", "fixes", "vue", "fond")
BAROMETER_PARAMS = ("ministere", "theme", "territoire", "debut", "fin", "indicateur", "frequence", "echelle",
                    "engagement")
BASEMAPS = ("osm", "aucun")
CARD_HEIGHT = 820  # the snippets' iframe heights, in pixels
CHART_HEIGHT = 640
MAP_HEIGHT = 720
VIEW = re.compile(r"^-?\d{1,3}(\.\d{1,8})?,-?\d{1,3}(\.\d{1,8})?,\d{1,2}$")


@dataclass(frozen=True)
class Chart:
    """A chart that can be embedded at ``/embed/graphique/<page>/<chart>``."""

    page: str
    chart: str
    title: str  # generic title (French source: translate where shown); the embed gives the territory and indicator too
    params: tuple[str, ...]  # query parameters it reads; those in ``required`` must be present
    required: tuple[str, ...]
    back: str  # the full page it comes from, with ``{quartier}``/``{codes}``/``{query}`` placeholders

    @property
    def path(self) -> str:
        return f"/embed/graphique/{self.page}/{self.chart}"


CHARTS: dict[tuple[str, str], Chart] = {
    (c.page, c.chart): c for c in (
        Chart("qpv", "evolution", N_("Évolution d'un indicateur dans le quartier et ses territoires de référence"),
              (QUARTER_PARAM, INDICATOR_PARAM), (QUARTER_PARAM,), "/qpv/{quartier}#evolution"),
        Chart("qpv", "credits", N_("Crédits par année et par destinataire"), (QUARTER_PARAM,), (QUARTER_PARAM,),
              "/qpv/{quartier}#credits"),
        Chart("comparer", "evolution", N_("Évolution d'un indicateur dans les territoires comparés"),
              (CODES_PARAM, INDICATOR_PARAM), (CODES_PARAM, INDICATOR_PARAM), "/comparer?codes={codes}"),
        # The barometer's charts read the barometer page's own query string.
        Chart("barometre", "engagements", N_("Avancement des engagements des ministères"), BAROMETER_PARAMS, (),
              "/barometre{query}"),
        Chart("barometre", "serie", N_("Série d'un indicateur des ministères"), BAROMETER_PARAMS, (),
              "/barometre{query}"),
        Chart("barometre", "couverture", N_("Couverture des bénéficiaires des mesures"), BAROMETER_PARAMS, (),
              "/barometre{query}"),
    )
}


def query_of(search: str | None) -> dict[str, str] | None:
    """The query string as {name: value}; None when it repeats a parameter or is too long (ambiguous)."""
    text = (search or "").lstrip("?")
    if len(text) > MAX_QUERY_CHARS:
        return None
    parsed = parse_qs(text, keep_blank_values=True)
    parsed.pop(LANGUAGE_PARAM, None)  # the interface language, a parameter of every page
    if any(len(values) > 1 for values in parsed.values()):
        return None
    return {name: values[0] for name, values in parsed.items()}


def chart_problem(service, page: str, chart: str, query: dict[str, str]) -> str | None:
    """Why ``/embed/graphique/<page>/<chart>?query`` cannot be shown (None when it can)."""
    spec = CHARTS.get((page, chart))
    if spec is None:
        return _("graphique inconnu")
    unknown = set(query) - set(spec.params)
    if unknown:
        return _("paramètre inconnu : {name}").format(name=sorted(unknown)[0][:40])
    if any(not query.get(name) for name in spec.required):
        return _("paramètre manquant")
    quarter = query.get(QUARTER_PARAM)
    if quarter is not None and not (len(quarter) <= 20 and service.is_known("qpv", quarter)):
        return _("quartier inconnu")
    indicator = query.get(INDICATOR_PARAM)
    if indicator is not None:
        if not service.has_indicator(indicator):
            return _("indicateur inconnu")
        if quarter is not None and indicator not in service.indicators_at("qpv"):
            return _("indicateur non publié pour les quartiers")
    if page == "barometre":
        return barometer_problem(service, query)
    if CODES_PARAM in query:
        selection = parse_selection("?" + urlencode({CODES_PARAM: query[CODES_PARAM]}, safe=",:"),
                                    service.is_known)
        if selection.problems or not selection.territories:
            return _("territoire inconnu")
    return None


def barometer_choices(service) -> barometer_state.BarometerChoices:
    return service.derived("embeds:barometer-choices", barometer_state.barometer_choices, maxsize=1)


def barometer_filters(service, query: dict[str, str]) -> barometer_state.BarometerFilters:
    return barometer_state.state_from_query(service, barometer_choices(service), "?" + urlencode(query))


def barometer_problem(service, query: dict[str, str]) -> str | None:
    """Every barometer parameter given must be one the page keeps as given (no silent default)."""
    filters = barometer_filters(service, query)
    kept = {"ministere": filters.ministry, "theme": filters.theme, "territoire": filters.territory_value,
            "debut": str(filters.start), "fin": str(filters.end), "indicateur": filters.indicator,
            "frequence": barometer_state.FREQUENCY_URL.get(filters.frequency or ""), "echelle": filters.scope,
            "engagement": filters.measure}
    for name, value in query.items():
        if kept.get(name) != value:
            return _("valeur refusée : {name}").format(name=name)
    return None


def map_problem(service, query: dict[str, str]) -> str | None:
    """Why ``/embed/carte?query`` cannot be shown: every parameter must be one the map keeps as given."""
    unknown = set(query) - set(MAP_PARAMS)
    if unknown:
        return _("paramètre inconnu : {name}").format(name=sorted(unknown)[0][:40])
    if "fond" in query and query["fond"] not in BASEMAPS:
        return _("fond de carte inconnu")
    if "vue" in query and not VIEW.match(query["vue"]):
        return _("vue invalide")
    request = MapRequest.from_query(service, query)
    kept = request.query()
    for name in ("indicateur", "niveau", "annee", "mode", "classes", "fixes", "reference", "operation"):
        if name in query and kept.get(name) != query[name]:
            return _("valeur refusée : {name}").format(name=name)
    return None


def embed_problem(service, page_name: str, params: dict, search: str | None) -> str | None:
    """Why the embed page ``page_name`` (resolved by atlas.routes) cannot be shown with ``search``."""
    query = query_of(search)
    if query is None:
        return _("adresse ambiguë ou trop longue")
    if page_name == "embed-qpv":
        return _("paramètre inconnu") if query else None
    if page_name == "embed-graphique":
        return chart_problem(service, params.get("page", ""), params.get("chart", ""), query)
    if page_name == "embed-carte":
        return map_problem(service, query)
    return _("page non intégrable")


def chart_back_link(spec: Chart, query: dict[str, str]) -> str:
    """The full page the chart comes from."""
    return spec.back.format(quartier=query.get(QUARTER_PARAM, ""), codes=query.get(CODES_PARAM, ""),
                            query=("?" + urlencode(query, safe=",:")) if query else "")


def embed_address(path: str, params: dict[str, str] | None = None) -> str:
    """An embed's path with its query (``,`` and ``:`` kept readable, as /comparer writes them)."""
    return path + ("?" + urlencode(params, safe=",:") if params else "")


def map_choices() -> list[dict]:
    """What the map page's « Intégrer » dialog offers: the map as it is shown (its URL's query string)."""
    return [{"label": _("La carte telle qu'elle est affichée (indicateur, échelon, année, vue)"),
             "path": "/embed/carte",
             "query": True, "title": _("Carte de l'Atlas QPV"), "height": MAP_HEIGHT}]


def compare_choices(service, territories: list[tuple[str, str]], indicators: list[str]) -> list[dict]:
    """What /comparer's « Intégrer » dialog offers: the evolution chart of each indicator shown."""
    codes = ",".join(f"{level}:{code}" for level, code in territories)
    names = ", ".join(service.territory_name(level, code) or code for level, code in territories)
    choices = []
    for indicator in indicators:
        label = indicator_label(service.indicator(indicator))
        choices.append({"label": _("Graphique « {indicator} »").format(indicator=label),
                        "path": embed_address("/embed/graphique/comparer/evolution",
                                              {CODES_PARAM: codes, INDICATOR_PARAM: indicator}),
                        "title": f"{label} — {names} — Atlas QPV", "height": CHART_HEIGHT})
    return choices


def profile_choices(svc, code: str, evolution: str | None, has_credits: bool, name: str) -> list[dict]:
    """What the profile's « Intégrer » dialog offers: the card, then its charts."""
    choices = [{"label": _("Fiche du quartier (chiffres clés)"), "path": f"/embed/qpv/{code}",
                "title": _("Chiffres clés du quartier {name} — Atlas QPV").format(name=name), "height": CARD_HEIGHT}]
    if evolution:
        label = indicator_label(svc.indicator(evolution))
        choices.append({"label": _("Graphique d'évolution ({indicator})").format(indicator=label),
                        "path": embed_address("/embed/graphique/qpv/evolution",
                                              {QUARTER_PARAM: code, INDICATOR_PARAM: evolution}),
                        "title": f"{label} — {name} — Atlas QPV", "height": CHART_HEIGHT})
    if has_credits:
        choices.append({"label": _("Graphique des crédits par année"),
                        "path": embed_address("/embed/graphique/qpv/credits", {QUARTER_PARAM: code}),
                        "title": _("Crédits du quartier {name} — Atlas QPV").format(name=name),
                        "height": CHART_HEIGHT})
    return choices
