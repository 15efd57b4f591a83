"""The OpenAPI 3.1 document of the read API, built from the endpoint declarations.

Parameters come from :data:`atlas.api.endpoints.ENDPOINTS` (the same objects that validate requests);
response schemas are written here once, in JSON Schema 2020-12 (OpenAPI 3.1), and the property-based
tests check every generated answer against them.
"""

from __future__ import annotations

from atlas import barometer, levels, schema
from atlas.api import params as p
from atlas.api.endpoints import ENDPOINTS

VERSION = "1.0.0"
NUMBER = {"type": ["number", "null"]}
INTEGER = {"type": ["integer", "null"]}
TEXT = {"type": ["string", "null"]}
STATUS = {"type": "string", "enum": list(schema.STATUSES)}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required=None, extra: bool = True) -> dict:
    out = {"type": "object", "properties": properties, "required": list(required or properties)}
    if not extra:
        out["additionalProperties"] = False
    return out


def page_of(item: str, **extra) -> dict:
    return obj({"total": {"type": "integer", "minimum": 0}, "limit": {"type": "integer", "minimum": 1},
                "offset": {"type": "integer", "minimum": 0}, "count": {"type": "integer", "minimum": 0},
                "next": TEXT, "previous": TEXT, "items": {"type": "array", "items": ref(item)},
                "note_fr": {"type": "string"}, "note_en": {"type": "string"}, **extra},
               ["total", "limit", "offset", "count", "next", "previous", "items", *extra])


LEVEL = {"type": "string", "enum": list(schema.LEVELS)}
PLACE = obj({"level": LEVEL, "code": {"type": "string"}, "name": TEXT, "label_fr": TEXT}, ["level", "code", "name"])
# A reference value; an exact aggregate over quarters (role qpv_departement / qpv_france) says how in note_fr.
VALUE = obj({"level": LEVEL, "code": {"type": "string"}, "name": TEXT, "label_fr": TEXT, "value": NUMBER,
             "status": STATUS, "year": INTEGER, "note_fr": {"type": "string"}},
            ["level", "code", "name", "value", "status", "year"])

SCHEMAS = {
    "Error": obj({"error": obj({"status": {"type": "integer"}, "code": {"type": "string"},
                                "message_fr": {"type": "string"}, "message_en": {"type": "string"},
                                "parameter": {"type": "string"}}, ["status", "code", "message_fr", "message_en"])}),
    "Territory": obj({"level": LEVEL, "code": {"type": "string"}, "name": {"type": "string"},
                      "population": INTEGER, "population_year": INTEGER, "vintage": TEXT,
                      "parents": {"type": "object", "additionalProperties": {"type": "string"}},
                      "lon": NUMBER, "lat": NUMBER}),
    "TerritoryDetail": obj({"level": LEVEL, "code": {"type": "string"}, "name": {"type": "string"},
                            "population": INTEGER, "population_year": INTEGER, "vintage": TEXT,
                            "parents": {"type": "array", "items": PLACE}, "lon": NUMBER, "lat": NUMBER,
                            "links": {"type": "object"}}),
    "Indicator": obj({"id": {"type": "string"}, "label_fr": {"type": "string"}, "label_en": {"type": "string"},
                      "theme": {"type": "string"}, "theme_label_fr": TEXT, "ministry": TEXT, "unit": {"type": "string"},
                      "polarity": {"type": "string", "enum": list(schema.POLARITIES)},
                      "kind": {"type": "string", "enum": list(schema.KINDS)}, "source": {"type": "string"},
                      "licence": {"type": "string"}, "vintage": {"type": "string"}, "definition": {"type": "string"},
                      "comparability": TEXT, "decimals": {"type": "integer", "minimum": 0},
                      "aggregation": {"type": "string", "enum": list(schema.AGGREGATIONS)},
                      # A typology's classes: an observation's value is the number of one (1 for the first).
                      "classes": {"type": ["array", "null"], "items": obj({"value": {"type": "integer"},
                                                                          "code": {"type": "string"},
                                                                          "label": {"type": "string"},
                                                                          "colour": {"type": "string"}})}}),
    "Observation": obj({"level": LEVEL, "code": {"type": "string"}, "name": TEXT, "indicator": {"type": "string"},
                        "period": {"type": "string"}, "value": NUMBER, "status": STATUS,
                        "beneficiaries": INTEGER, "eligible": INTEGER}),
    "Commitment": obj({
        "id": {"type": "string"}, "ministry": {"type": "string"}, "ministry_label_fr": TEXT,
        "measure": {"type": "string"}, "indicator": {"type": "string"}, "theme": TEXT, "unit": {"type": "string"},
        "scope": PLACE,
        "baseline": obj({"date": {"type": "string"}, "value": NUMBER}),
        "target": obj({"date": TEXT, "value": NUMBER}),
        "current": obj({"period": TEXT, "value": NUMBER, "status": STATUS}),
        "progress": NUMBER, "elapsed": NUMBER,
        "status": {"type": "string", "enum": list(barometer.STATUSES)}, "status_label_fr": {"type": "string"}}),
    "CreditAggregate": obj({"key": {"type": ["string", "integer", "null"]}, "amount_eur": {"type": "number"},
                            "lines": {"type": "integer", "minimum": 0}, "label_fr": TEXT, "level": LEVEL,
                            "code": {"type": "string"}, "name": TEXT, "qpv_population": {"type": "integer"},
                            "per_qpv_inhabitant": NUMBER}, ["key", "amount_eur", "lines"]),
    "KeyFigure": obj({"indicator": {"type": "string"}, "label_fr": {"type": "string"}, "unit": {"type": "string"},
                      "year": INTEGER, "values": {"type": "object", "additionalProperties": VALUE},
                      "verdict": {"type": ["string", "null"], "enum": ["favourable", "unfavourable", None]},
                      "sentence_fr": {"type": "string"},
                      "series": {"type": "array", "items": obj({"year": {"type": "integer"}, "value": NUMBER,
                                                                  "status": STATUS})}}),
}
SCHEMAS.update({
    "TerritoryPage": page_of("Territory"),
    "IndicatorPage": page_of("Indicator"),
    "IndicatorDetail": {"allOf": [ref("Indicator"), obj({"coverage": {"type": "array", "items": obj({
        "level": LEVEL, "territories": {"type": "integer"}, "observations": {"type": "integer"},
        "first_period": {"type": "string"}, "last_period": {"type": "string"}})}})]},
    "ObservationPage": page_of("Observation", indicator=obj({"id": {"type": "string"}, "unit": {"type": "string"},
                                                             "source": {"type": "string"}})),
    "CommitmentPage": page_of("Commitment", status_counts=obj({s: {"type": "integer"} for s in barometer.STATUSES})),
    "CreditPage": page_of("CreditAggregate", by={"type": "string"}, totals=obj({"amount_eur": {"type": "number"},
                                                                                  "lines": {"type": "integer"}}),
                          currency={"const": "EUR"}),
    "QpvSummary": obj({"code": {"type": "string"}, "name": {"type": "string"}, "population": INTEGER,
                       "population_year": INTEGER, "references": {"type": "object", "additionalProperties": PLACE},
                       "latest_year": INTEGER,
                       "sections": {"type": "array", "items": obj({
                           "id": {"type": "string"}, "title_fr": {"type": "string"},
                           "figures": {"type": "array", "items": ref("KeyFigure")}})}}),
    "Index": obj({"title": {"type": "string"}, "endpoints": {"type": "array"},
                  "levels": {"type": "array", "items": obj({"id": LEVEL, "label_fr": {"type": "string"},
                                                            "plural_fr": {"type": "string"},
                                                            "territories": {"type": "integer", "minimum": 0}})}}),
    "Catalog": obj({"@context": {"type": "object"}, "@type": {"const": "dcat:Catalog"},
                    "dcat:dataset": {"type": "array", "minItems": 1}}),
})

ERRORS = {
    "400": {"description": "Paramètre invalide / bad parameter", "content": {"application/json": {
        "schema": ref("Error")}}},
    "404": {"description": "Inconnu dans ce jeu de données / unknown id", "content": {"application/json": {
        "schema": ref("Error")}}},
}
CACHING_HEADERS = {"ETag": {"schema": {"type": "string"}, "description": "Identifie cette représentation."}}
PAGE_HEADERS = {
    **CACHING_HEADERS,
    "X-Total-Count": {"schema": {"type": "string", "pattern": "^[0-9]+$"},
                      "description": "Nombre de lignes correspondant à la requête."},
    "Link": {"schema": {"type": "string"}, "description": "Adresse de la page suivante (rel=\"next\")."},
}


def operation(endpoint, service) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "schema": param.openapi_schema()}
                  for name, param in endpoint.path_params.items()]
    for name, param in endpoint.query(service).items():
        parameters.append({"name": name, "in": "query", "required": param.required,
                           "description": param.description, "schema": param.openapi_schema()})
    content = {"application/json": {"schema": ref(endpoint.response)}}
    if endpoint.csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    return {
        "operationId": endpoint.operation_id, "tags": [endpoint.tag], "summary": endpoint.summary,
        "description": endpoint.description, "parameters": parameters,
        "responses": {"200": {"description": "OK", "headers": PAGE_HEADERS if endpoint.csv else CACHING_HEADERS,
                              "content": content},
                      "304": {"description": "Non modifié (If-None-Match) / not modified"}, **ERRORS},
    }


def document(service, base_url: str = "") -> dict:
    paths = {f"/api/v1{e.path}": {"get": operation(e, service)} for e in ENDPOINTS}
    for path, summary, schema_name, mimetype in (
            ("/api/v1/", "Liste des ressources", "Index", "application/json"),
            ("/api/v1/catalog.jsonld", "Métadonnées DCAT (JSON-LD) du jeu de données", "Catalog",
             "application/ld+json")):
        paths[path] = {"get": {"operationId": schema_name.lower(), "summary": summary, "tags": ["meta"],
                               "responses": {"200": {"description": "OK", "content": {mimetype: {
                                   "schema": ref(schema_name)}}}, "304": {"description": "Non modifié"},
                                   "400": ERRORS["400"]}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Atlas QPV — API de lecture", "version": VERSION,
                 "description": f"Lecture seule, sans authentification. {service.manifest.get('title', '')}. "
                                f"Pagination : limit (≤ {p.MAX_LIMIT_JSON} en JSON, ≤ {p.MAX_LIMIT_CSV} en CSV) "
                                "et offset ; ETag et 304 ; CORS ouvert en lecture. Erreurs en JSON, en français "
                                "et en anglais.",
                 "license": {"name": "Licence Ouverte 2.0 (données, sauf mention contraire)",
                             "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}},
        "servers": [{"url": base_url or "/"}],
        "paths": paths,
        "components": {"schemas": _with_levels(SCHEMAS, service.levels())},
    }


def _with_levels(schemas, levels: list[str]):
    """The schemas with the level enumeration of this package (declared levels included)."""
    if set(levels) <= set(schema.LEVELS):
        return schemas
    if schemas == LEVEL:
        return {"type": "string", "enum": sorted(set(schema.LEVELS) | set(levels))}
    if isinstance(schemas, dict):
        return {key: _with_levels(value, levels) for key, value in schemas.items()}
    if isinstance(schemas, list):
        return [_with_levels(value, levels) for value in schemas]
    return schemas


def index(service) -> dict:
    return {"title": "Atlas QPV — API de lecture (v1)", "package": service.manifest.get("title"),
            "illustrative": service.illustrative, "documentation": "/api", "openapi": "/api/v1/openapi.json",
            "catalog": "/api/v1/catalog.jsonld",
            # The package's levels under their own names, those it declares (zones d'emploi…) included.
            "levels": [{"id": level, "label_fr": levels.name(level), "plural_fr": levels.plural(level),
                        "territories": len(service.codes(level))} for level in service.levels()],
            "endpoints": [{"path": f"/api/v1{e.path}", "summary": e.summary} for e in ENDPOINTS]}
