"""The read API's resources: for each, its path, parameters, checks and handler (no Flask here).

One declaration per endpoint feeds both the HTTP layer (``callbacks/api.py``) and the OpenAPI document
(:mod:`atlas.api.openapi`), so the documentation cannot drift from what the code accepts.
Handlers receive validated values only and return an :class:`Answer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from atlas import barometer, schema
from atlas.api import params as p
from atlas.api import summaries, territories
from atlas.api.observations import OBSERVATION_COLUMNS, select_observations
from atlas.api.output import records
from atlas.api.params import Param, bad, not_found
from atlas.barometer import period_end, period_start
from atlas.i18n import N_
from atlas.service import per_package


@dataclass(frozen=True)
class Answer:
    payload: dict  # the JSON body (for lists: everything but the page envelope)
    items: list[dict] | None = None  # list endpoints: the page's rows
    total: int = 0
    columns: tuple[str, ...] = ()  # CSV columns (items flattened)
    frame: pd.DataFrame | None = None  # large pages: the rows as a table, written to CSV column by column
    to_items: Callable[[pd.DataFrame], list[dict]] | None = None  # …and turned into JSON items only when needed

    @property
    def is_list(self) -> bool:
        return self.items is not None or self.frame is not None

    def json_items(self) -> list[dict]:
        return self.items if self.items is not None else self.to_items(self.frame)


@dataclass(frozen=True)
class Endpoint:
    operation_id: str
    path: str  # OpenAPI template, relative to /api/v1
    tag: str
    summary: str
    description: str
    query: Callable[[object], dict[str, Param]]  # service -> accepted query parameters
    handler: Callable[..., Answer]  # handler(service, values) -> Answer
    response: str  # name of the response schema in the OpenAPI components
    path_params: dict[str, Param] = field(default_factory=dict)
    csv: bool = False
    check: Callable[[object, dict], None] | None = None  # cross-parameter rules, before any computation


def _present_levels(service) -> list[str]:
    return service.levels()


# ------------------------------------------------------------------ parameters


@per_package(maxsize=4)
def territories_query(service) -> dict[str, Param]:
    return {
        "q": Param(p.search_text("q"), None, "Recherche dans le nom et le code (sans accents ni casse), par exemple "
                                           "« marseille » ou « QN013 »."),
        "level": Param(p.level("level", _present_levels(service)), None, "Échelon des territoires."),
        "parent": Param(p.territory("parent", service.is_known), None,
                        "Territoire contenant, « niveau:code » (par exemple departement:13)."),
        **p.paging(csv_allowed=True),
    }


@per_package(maxsize=4)
def indicators_query(service) -> dict[str, Param]:
    return {
        "theme": Param(p.choice("theme", service.theme_labels), None, "Thème de l'indicateur."),
        "ministry": Param(p.choice("ministry", schema.MINISTRIES), None, "Ministère responsable."),
        "kind": Param(p.choice("kind", schema.KINDS), None, "Nature : moyens, résultat ou contexte."),
        "level": Param(p.level("level", _present_levels(service)), None,
                       "Seulement les indicateurs mesurés à cet échelon."),
        **p.paging(csv_allowed=True),
    }


def _indicator_param(service, name: str, required: bool, description: str) -> Param:
    ids = list(service.package.indicators["id"])
    return Param(p.identifier(name, service.has_indicator, "indicateur", "indicator", ids), None, description,
                 required=required)


@per_package(maxsize=4)
def observations_query(service) -> dict[str, Param]:
    return {
        "indicator": _indicator_param(service, "indicator", True, "Identifiant de l'indicateur (obligatoire)."),
        "level": Param(p.level("level", _present_levels(service)), None, "Échelon ; tous par défaut."),
        "code": Param(p.documented({"type": "string", "pattern": p.CODE.pattern})(lambda raw: p.code_text("code", raw)),
                      None, "Code d'un territoire (avec « level »)."),
        "from": Param(p.period("from"), None, "Première période incluse : 2020, 2020-Q1 ou 2020-01."),
        "to": Param(p.period("to"), None, "Dernière période incluse."),
        "frequency": Param(p.choice("frequency", schema.PERIOD_PATTERNS), None, "annual, quarterly ou monthly."),
        "status": Param(p.choice("status", schema.STATUSES), None, "Statut des valeurs."),
        **p.paging(csv_allowed=True),
    }


@per_package(maxsize=4)
def commitments_query(service) -> dict[str, Param]:
    return {
        "ministry": Param(p.choice("ministry", schema.MINISTRIES), None, "Ministère."),
        "indicator": _indicator_param(service, "indicator", False, "Indicateur suivi."),
        "scope_level": Param(p.level("scope_level", _present_levels(service)), None, "Échelon du périmètre."),
        "territory": Param(p.territory("territory", service.is_known), None,
                           "Engagements portant sur ce territoire ou un territoire qu'il contient."),
        "status": Param(p.choice("status", barometer.STATUSES), None, "Statut de l'engagement."),
        **p.paging(csv_allowed=True),
    }


@per_package(maxsize=4)
def credits_query(service) -> dict[str, Param]:
    programmes = summaries.credit_vocabulary(service)["programme"]
    return {
        "by": Param(p.choice("by", summaries.CREDIT_GROUPS), "year", "Regroupement des montants."),
        "level": Param(p.level("level", _present_levels(service)), None,
                       "Échelon des territoires quand by=territory (département par défaut)."),
        "from": Param(p.integer("from", p.MIN_YEAR, p.MAX_YEAR), None, "Première année incluse."),
        "to": Param(p.integer("to", p.MIN_YEAR, p.MAX_YEAR), None, "Dernière année incluse."),
        "programme": Param(_programme_parser(programmes), None, "Programme budgétaire (P147…)."),
        "ministry": Param(p.choice("ministry", schema.FUNDERS), None, "Financeur."),
        "theme": Param(p.choice("theme", service.theme_labels), None, "Thème."),
        "territory": Param(p.territory("territory", service.is_known), None,
                           "Crédits rattachés à ce territoire ou à un territoire qu'il contient."),
        **p.paging(csv_allowed=True),
    }


def _programme_parser(programmes: frozenset[str]):
    @p.documented({"type": "string", "pattern": p.CODE.pattern, "examples": sorted(programmes)[:3]})
    def parse(raw: str) -> str:
        if not p.CODE.match(raw) or raw not in programmes:
            raise bad("programme", "programme inconnu dans ce jeu de données.", "unknown programme in this package.")
        return raw

    return parse


def no_query(_service) -> dict[str, Param]:
    return {}


CODE_PATH = Param(p.documented({"type": "string", "pattern": p.CODE.pattern})(lambda raw: raw))
# Built-in or declared by the package: the endpoint checks it against the package's levels.
LEVEL_PATH = Param(p.documented({"type": "string", "pattern": p.LEVEL.pattern})(lambda raw: raw))
INDICATOR_PATH = Param(p.documented({"type": "string", "pattern": p.IDENTIFIER.pattern})(lambda raw: raw))
ID_PATH = Param(p.documented({"type": "string", "pattern": p.CODE.pattern})(lambda raw: raw))


# --------------------------------------------------------------------- checks


def check_observations(service, values: dict) -> None:
    if values["code"] is not None:
        if values["level"] is None:
            raise bad("code", "« level » est nécessaire avec « code ».", "'level' is required with 'code'.")
        if not service.is_known(values["level"], values["code"]):
            raise bad("code", f"territoire {values['level']}:{values['code']} inconnu dans ce jeu de données.",
                      f"unknown territory {values['level']}:{values['code']} in this package.")
    if values["from"] and values["to"]:
        p.check_order("from", period_start(values["from"]), "to", period_end(values["to"]))


def check_credits(service, values: dict) -> None:
    p.check_order("from", values["from"], "to", values["to"])
    if values["level"] is not None and values["by"] != "territory":
        raise bad("level", "n'a de sens qu'avec by=territory.", "only meaningful with by=territory.")
    if values["by"] == "territory" and values["level"] is None:
        levels = service.levels()
        values["level"] = "departement" if "departement" in levels else levels[-1]


# ------------------------------------------------------------------- handlers


NOTHING_FR = "Aucun résultat pour ces critères dans ce jeu de données."
NOTHING_EN = "No result for these criteria in this package."


def list_answer(items, total: int, columns, note: tuple[str, str] | None = None, to_items=None,
                **payload) -> Answer:
    """A page of rows (dicts, or a table with its ``to_items``); an empty result says why in one sentence."""
    if total == 0:
        payload["note_fr"], payload["note_en"] = note or (NOTHING_FR, NOTHING_EN)
    if isinstance(items, pd.DataFrame):
        return Answer(payload=payload, frame=items, to_items=to_items, total=total, columns=tuple(columns))
    return Answer(payload=payload, items=items, total=total, columns=tuple(columns))


def found(detail: dict | None, message_fr: str, message_en: str) -> Answer:
    """``detail`` as the answer; HTTP 404 with these messages when there is none."""
    if detail is None:
        raise not_found(message_fr, message_en)
    return Answer(payload=detail)


def get_territories(service, v: dict) -> Answer:
    table, total = territories.search_territories(service, q=v["q"], level=v["level"], parent=v["parent"],
                                                  limit=v["limit"], offset=v["offset"])
    return list_answer(table, total, territories.TABLE_COLUMNS, to_items=territories.territory_items)


def get_territory(service, v: dict) -> Answer:
    level, code = v["level"], p.code_text("code", v["code"])
    detail = territories.territory_detail(service, level, code) if level in service.levels() else None
    return found(detail, f"Territoire {level}:{code} inconnu dans ce jeu de données.",
                 f"Unknown territory {level}:{code} in this package.")


def get_indicators(service, v: dict) -> Answer:
    items, total = territories.list_indicators(service, theme=v["theme"], ministry=v["ministry"], kind=v["kind"],
                                               level=v["level"], limit=v["limit"], offset=v["offset"])
    return list_answer(items, total, (*territories.INDICATOR_FIELDS, "theme_label_fr"))


def get_indicator(service, v: dict) -> Answer:
    detail = territories.indicator_detail(service, v["id"]) if p.IDENTIFIER.match(v["id"]) else None
    return found(detail, "Indicateur inconnu dans ce jeu de données.", "Unknown indicator in this package.")


def get_observations(service, v: dict) -> Answer:
    items, total = select_observations(service, indicator=v["indicator"], level=v["level"], code=v["code"],
                                       start=v["from"], end=v["to"], frequency=v["frequency"], status=v["status"],
                                       limit=v["limit"], offset=v["offset"])
    meta = territories.indicator_item(service.indicator(v["indicator"]))
    indicator = {k: meta[k] for k in ("id", "label_fr", "label_en", "unit", "decimals", "source", "licence",
                                      "vintage")}
    return list_answer(items, total, OBSERVATION_COLUMNS, to_items=records, indicator=indicator)


def get_qpv(service, v: dict) -> Answer:
    code = p.code_text("code", v["code"])
    summary = summaries.qpv_summary(service, code) if service.is_known("qpv", code) else None
    return found(summary, f"Quartier {code} inconnu dans ce jeu de données.", f"Unknown QPV {code} in this package.")


def get_commitments(service, v: dict) -> Answer:
    items, total, counts = summaries.select_commitments(
        service, ministry=v["ministry"], indicator=v["indicator"], scope_level=v["scope_level"],
        territory=v["territory"], status=v["status"], limit=v["limit"], offset=v["offset"])
    columns = ("id", "ministry", "measure", "indicator", "theme", "unit", "scope_level", "scope_code", "scope_name",
               "baseline_date", "baseline_value", "target_date", "target_value", "current_period", "current_value",
               "current_status", "progress", "elapsed", "status")
    return list_answer(items, total, columns, status_counts=counts)


def get_commitment(service, v: dict) -> Answer:
    detail = summaries.commitment_detail(service, v["id"]) if p.CODE.match(v["id"]) else None
    return found(detail, "Engagement inconnu dans ce jeu de données.", "Unknown commitment in this package.")


def get_credits(service, v: dict) -> Answer:
    items, total, totals = summaries.credit_aggregates(
        service, by=v["by"], level=v["level"], start=v["from"], end=v["to"], programme=v["programme"],
        ministry=v["ministry"], theme=v["theme"], territory=v["territory"], limit=v["limit"], offset=v["offset"])
    columns = (("key", "level", "code", "name", "amount_eur", "lines", "qpv_population", "per_qpv_inhabitant")
               if v["by"] == "territory" else ("key", "label_fr", "amount_eur", "lines"))
    note = None
    if v["by"] == "territory" and totals["lines"]:
        note = (f"Aucune ligne de crédit n'est rattachée à un territoire de l'échelon « {v['level']} » ou à un "
                "territoire qu'il contient (les lignes sont rattachées à des échelons plus larges).",
                f"No credit line is attached to a '{v['level']}' territory or to a territory inside one (lines are "
                "attached to wider levels).")
    return list_answer(items, total, columns, note, by=v["by"], level=v["level"], totals=totals, currency="EUR")


# Summaries are French source text: the OpenAPI document keeps them, /api shows them translated.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("listTerritories", "/territories", "territoires", N_("Territoires : recherche et filtres"),
             "Tous les territoires du jeu de données, filtrés par recherche, échelon ou territoire parent.",
             territories_query, get_territories, "TerritoryPage", csv=True),
    Endpoint("getTerritory", "/territories/{level}/{code}", "territoires", N_("Un territoire et ses parents"),
             "Un territoire identifié par son échelon et son code, avec ses territoires parents nommés.",
             no_query, get_territory, "TerritoryDetail", path_params={"level": LEVEL_PATH, "code": CODE_PATH}),
    Endpoint("listIndicators", "/indicators", "indicateurs", N_("Catalogue des indicateurs"),
             "Définition, unité, thème, ministère, source, licence et millésime de chaque indicateur.",
             indicators_query, get_indicators, "IndicatorPage", csv=True),
    Endpoint("getIndicator", "/indicators/{id}", "indicateurs", N_("Un indicateur"),
             "Un indicateur du catalogue, avec les échelons et périodes couverts.",
             no_query, get_indicator, "IndicatorDetail", path_params={"id": INDICATOR_PATH}),
    Endpoint("listObservations", "/observations", "valeurs", N_("Valeurs d'un indicateur"),
             "Les valeurs d'un indicateur, par échelon, territoire, période et statut, en JSON ou en CSV.",
             observations_query, get_observations, "ObservationPage", csv=True, check=check_observations),
    Endpoint("getQpvSummary", "/qpv/{code}", "quartiers", N_("Chiffres clés d'un quartier"),
             "Les chiffres clés d'un QPV, comparés à sa commune, son département et la France quand le jeu de "
             "données les contient.", no_query, get_qpv, "QpvSummary", path_params={"code": CODE_PATH}),
    Endpoint("listCommitments", "/commitments", "engagements", N_("Engagements des ministères et leur statut"),
             "Chaque engagement avec sa référence, sa cible, la dernière valeur mesurée, l'avancement et le statut.",
             commitments_query, get_commitments, "CommitmentPage", csv=True),
    Endpoint("getCommitment", "/commitments/{id}", "engagements", N_("Un engagement"),
             "Un engagement, avec son statut calculé.", no_query, get_commitment, "Commitment",
             path_params={"id": ID_PATH}),
    Endpoint("aggregateCredits", "/credits", "credits", N_("Crédits publics agrégés"),
             "Montants des crédits (sommés au centime) par année, programme, financeur, thème, porteur ou "
             "territoire, avec filtres.", credits_query, get_credits, "CreditPage", csv=True, check=check_credits),
)
