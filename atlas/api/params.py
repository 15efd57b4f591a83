"""Query-parameter validation for the read API: every value is checked before any computation.

Hostile input is normal input: unknown or repeated parameters, over-long values, unknown levels, ids or
codes and out-of-range numbers are refused with an :class:`ApiError` (HTTP 400) that says, in French and
in English, which parameter is wrong and why. Parsers return plain Python values, so that the validated
query is also the normalised query the ETag is computed from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from atlas import schema
from atlas.formatting import format_number

MAX_QUERY_LENGTH = 2000  # bytes of the whole query string
MAX_VALUE_LENGTH = 200  # characters of any one parameter value
MAX_SEARCH_LENGTH = 100
MAX_SEARCH_WORDS = 8
MAX_CODE_LENGTH = 40
DEFAULT_LIMIT = 100
MAX_LIMIT_JSON = 1000
MAX_LIMIT_CSV = 50_000
MAX_OFFSET = 10_000_000
MIN_YEAR, MAX_YEAR = 1900, 2100

INTEGER = re.compile(r"^\d{1,9}$")
CODE = re.compile(r"^[0-9A-Za-z_\-]{1,40}$")
IDENTIFIER = re.compile(r"^[a-z0-9_\-]{1,80}$")
LEVEL = re.compile(r"^[a-z][a-z0-9_]{1,30}$")  # built-in or declared by the package (atlas.levels)


class ApiError(Exception):
    """An answer the client can act on: HTTP status, a stable code and the message in French and English."""

    def __init__(self, status: int, code: str, message_fr: str, message_en: str, parameter: str | None = None):
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_fr = message_fr
        self.message_en = message_en
        self.parameter = parameter

    def body(self) -> dict:
        error = {"status": self.status, "code": self.code, "message_fr": self.message_fr,
                 "message_en": self.message_en}
        if self.parameter is not None:
            error["parameter"] = self.parameter
        return {"error": error}


def bad(parameter: str, message_fr: str, message_en: str) -> ApiError:
    return ApiError(400, "bad_parameter", f"Paramètre « {parameter} » : {message_fr}",
                    f"Parameter '{parameter}': {message_en}", parameter)


def not_found(message_fr: str, message_en: str) -> ApiError:
    return ApiError(404, "not_found", message_fr, message_en)


Parser = Callable[[str], object]


@dataclass(frozen=True)
class Param:
    """A query parameter: its parser (which carries its OpenAPI schema), default, and documentation."""

    parse: Parser
    default: object = None
    description: str = ""
    required: bool = False

    def openapi_schema(self) -> dict:
        described = dict(getattr(self.parse, "openapi", {"type": "string"}))
        if self.default is not None:
            described["default"] = self.default
        return described


def documented(schema: dict):
    """Attach the OpenAPI schema of the values a parser accepts (so the document follows the code)."""
    def attach(parse):
        parse.openapi = schema
        return parse

    return attach


def parse_query(args, spec: Mapping[str, Param], query_string: bytes | str = b"") -> dict:
    """Validate a request's query against ``spec``: ``{name: value}`` with defaults filled in.

    ``args`` is a multi-dict (``request.args``); a parser raises :class:`ApiError` on a bad value.
    """
    if len(query_string) > MAX_QUERY_LENGTH:
        raise ApiError(400, "query_too_long", f"La requête dépasse {format_number(MAX_QUERY_LENGTH, 0)} octets.",
                       f"The query string exceeds {MAX_QUERY_LENGTH} bytes.")
    names = list(args.keys())
    unknown = [n for n in names if n not in spec]
    if unknown:
        shown = unknown[0][:40]
        allowed = ", ".join(sorted(spec)) or "aucun / none"
        raise ApiError(400, "unknown_parameter", f"Paramètre inconnu « {shown} » (acceptés : {allowed}).",
                       f"Unknown parameter '{shown}' (accepted: {allowed}).", shown)
    out = {}
    for name, param in spec.items():
        values = args.getlist(name) if hasattr(args, "getlist") else ([args[name]] if name in args else [])
        if len(values) > 1:
            raise bad(name, "donné plusieurs fois.", "given more than once.")
        if not values:
            if param.required:
                raise bad(name, "obligatoire.", "required.")
            out[name] = param.default
            continue
        raw = values[0]
        if raw == "":
            raise bad(name, "valeur vide ; omettez le paramètre pour la valeur par défaut.",
                      "empty value; leave the parameter out for the default.")
        if len(raw) > MAX_VALUE_LENGTH:
            raise bad(name, f"valeur de plus de {MAX_VALUE_LENGTH} caractères.",
                      f"value longer than {MAX_VALUE_LENGTH} characters.")
        out[name] = param.parse(raw)
    return out


# ------------------------------------------------------------------ parsers


def integer(name: str, low: int, high: int) -> Parser:
    @documented({"type": "integer", "minimum": low, "maximum": high})
    def parse(raw: str) -> int:
        if not INTEGER.match(raw) or not low <= int(raw) <= high:
            raise bad(name, f"entier entre {format_number(low, 0)} et {format_number(high, 0)} attendu.",
                      f"an integer between {low} and {high} is expected.")
        return int(raw)

    return parse


def choice(name: str, allowed) -> Parser:
    allowed = tuple(allowed)

    @documented({"type": "string", "enum": list(allowed)})
    def parse(raw: str) -> str:
        if raw not in allowed:
            listed = ", ".join(allowed)
            raise bad(name, f"valeur inconnue (acceptées : {listed}).", f"unknown value (accepted: {listed}).")
        return raw

    return parse


def level(name: str, present) -> Parser:
    """A level the package holds (built-in or declared by the package), in the package's order."""
    return choice(name, list(present))


def code_text(name: str, raw: str) -> str:
    """A path or query code: letters, digits, ``_`` and ``-`` only (checked before any lookup)."""
    if not CODE.match(raw):
        raise bad(name, f"code de 1 à {MAX_CODE_LENGTH} lettres, chiffres, « _ » ou « - » attendu.",
                  f"a code of 1 to {MAX_CODE_LENGTH} letters, digits, '_' or '-' is expected.")
    return raw


def identifier(name: str, known: Callable[[str], bool], what_fr: str, what_en: str, examples=()) -> Parser:
    @documented({"type": "string", "pattern": IDENTIFIER.pattern, **({"examples": list(examples)[:3]}
                                                                   if examples else {})})
    def parse(raw: str) -> str:
        if not IDENTIFIER.match(raw) or not known(raw):
            raise bad(name, f"{what_fr} inconnu dans ce jeu de données.", f"unknown {what_en} in this package.")
        return raw

    return parse


def territory(name: str, is_known: Callable[[str, str], bool]) -> Parser:
    """``level:code`` of a territory of the package, e.g. ``departement:13``."""
    @documented({"type": "string", "pattern": "^[a-z_]{3,20}:[0-9A-Za-z_\\-]{1,40}$",
                 "examples": ["departement:13"]})
    def parse(raw: str) -> str:
        lvl, sep, code = raw.partition(":")
        if not sep or not LEVEL.match(lvl) or not CODE.match(code):
            raise bad(name, "« niveau:code » attendu, par exemple « departement:13 ».",
                      "'level:code' is expected, e.g. 'departement:13'.")
        if not is_known(lvl, code):
            raise bad(name, f"territoire {lvl}:{code} inconnu dans ce jeu de données.",
                      f"unknown territory {lvl}:{code} in this package.")
        return f"{lvl}:{code}"

    return parse


def period(name: str) -> Parser:
    """A year ``2024``, a quarter ``2024-Q2`` or a month ``2024-03`` between MIN_YEAR and MAX_YEAR."""
    @documented({"type": "string", "pattern": "^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$", "examples": ["2024"]})
    def parse(raw: str) -> str:
        if schema.period_frequency(raw) is None or not MIN_YEAR <= schema.period_year(raw) <= MAX_YEAR:
            raise bad(name, f"année (2024), trimestre (2024-Q2) ou mois (2024-03) entre {MIN_YEAR} et {MAX_YEAR} "
                            "attendu.", f"a year (2024), quarter (2024-Q2) or month (2024-03) between {MIN_YEAR} "
                                        f"and {MAX_YEAR} is expected.")
        return raw

    return parse


def search_text(name: str) -> Parser:
    @documented({"type": "string", "maxLength": MAX_SEARCH_LENGTH, "examples": ["marseille"]})
    def parse(raw: str) -> str:
        text = " ".join(raw.split())
        if len(text) > MAX_SEARCH_LENGTH or len(text.split()) > MAX_SEARCH_WORDS:
            raise bad(name, f"au plus {MAX_SEARCH_LENGTH} caractères et {MAX_SEARCH_WORDS} mots.",
                      f"at most {MAX_SEARCH_LENGTH} characters and {MAX_SEARCH_WORDS} words.")
        if any(not c.isprintable() for c in text):
            raise bad(name, "caractères de contrôle refusés.", "control characters are refused.")
        return text

    return parse


def paging(csv_allowed: bool = False) -> dict[str, Param]:
    high = MAX_LIMIT_CSV if csv_allowed else MAX_LIMIT_JSON
    spec = {"limit": Param(integer("limit", 1, high), DEFAULT_LIMIT,
                           f"Nombre de lignes par page (au plus {MAX_LIMIT_JSON} en JSON, {MAX_LIMIT_CSV} en CSV)."),
            "offset": Param(integer("offset", 0, MAX_OFFSET), 0, "Rang de la première ligne renvoyée (0 = début).")}
    if csv_allowed:
        spec["format"] = Param(choice("format", ("json", "csv")), None,
                               "json (par défaut) ou csv ; l'en-tête Accept: text/csv a le même effet.")
    return spec


def check_json_limit(query: dict, representation: str) -> None:
    """Above MAX_LIMIT_JSON rows only CSV is served (JSON pages stay small)."""
    if representation == "json" and query.get("limit", 0) > MAX_LIMIT_JSON:
        raise bad("limit", f"au plus {format_number(MAX_LIMIT_JSON, 0)} en JSON ({format_number(MAX_LIMIT_CSV, 0)} "
                           "en CSV).",
                  f"at most {MAX_LIMIT_JSON} in JSON ({MAX_LIMIT_CSV} in CSV).")


def check_order(start_name: str, start, end_name: str, end) -> None:
    """``start`` (a comparable: a year, a date) must not come after ``end``."""
    if start is not None and end is not None and start > end:
        raise bad(start_name, f"doit précéder « {end_name} ».", f"must not come after '{end_name}'.")
