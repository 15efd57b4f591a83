"""The data package's vocabulary and table schemas.

Every table of a package is described here once; loading, validation, the demo
generator and the ingestion pipeline all read these definitions, so the model
lives in a single place (documented in docs/data-package.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from atlas.i18n import N_, _

LEVELS: tuple[str, ...] = (
    "qpv",
    "commune",
    "epci",
    "contrat_de_ville",
    "departement",
    "region",
    "france",
)
# Levels whose geometry can be drawn as polygons on the map, finest first.
MAP_LEVELS: tuple[str, ...] = ("qpv", "commune", "epci", "departement", "region")

LEVEL_LABELS_FR = {
    "qpv": N_("Quartier prioritaire (QPV)"),
    "commune": N_("Commune"),
    "epci": N_("Intercommunalité (EPCI)"),
    "contrat_de_ville": N_("Contrat de ville"),
    "departement": N_("Département"),
    "region": N_("Région"),
    "france": N_("France"),
}
LEVEL_LABELS_EN = {
    "qpv": "Priority neighbourhood (QPV)",
    "commune": "Municipality",
    "epci": "Intermunicipality (EPCI)",
    "contrat_de_ville": "City contract",
    "departement": "Department",
    "region": "Region",
    "france": "France",
}

THEMES: dict[str, str] = {
    "revenus": N_("Revenus et pauvreté"),
    "emploi": N_("Emploi et insertion"),
    "education": N_("Éducation et jeunesse"),
    "sante": N_("Santé"),
    "securite": N_("Sécurité et justice"),
    "logement": N_("Logement et cadre de vie"),
    "culture": N_("Culture et sport"),
    "demographie": N_("Démographie"),
    "services": N_("Services publics"),
}

# The seven ministries whose commitments the barometer follows.
MINISTRIES: dict[str, str] = {
    "culture": N_("Culture"),
    "education": N_("Éducation nationale"),
    "interieur": N_("Intérieur"),
    "justice": N_("Justice"),
    "sante": N_("Santé"),
    "transition_ecologique": N_("Transition écologique et Cohésion des territoires"),
    "travail": N_("Travail"),
}
# Credits may also come from bodies that are not one of the seven ministries.
FUNDERS: dict[str, str] = {
    **MINISTRIES,
    "collectivites": N_("Collectivités territoriales"),
    "autres": N_("Autres financeurs"),
}

POLARITIES = ("higher_is_better", "higher_is_worse", "neutral")
# How the values of several quarters combine into an exact aggregate (atlas/aggregates.py): "sum" for an
# additive count (persons, dwellings, euros), "ratio" for a rate whose numerator and denominator are both
# catalogued counts (the ratio of their sums), "none" (the default) for everything else: a median, an index or
# a rate without its counts is never averaged.
AGGREGATIONS = ("sum", "ratio", "none")
KINDS = ("means", "result", "context", "category")  # category: a typology (atlas/categories.py)
STATUSES = ("ok", "secret", "missing", "estimate")
# How an observation's status reads next to its value (empty: nothing to say).
OBSERVATION_STATUS_LABELS_FR = {"ok": "", "secret": N_("secret statistique"), "missing": N_("non disponible"),
                                "estimate": N_("provisoire")}
# The statuses that leave no value to show, and how a page says so in place of the value.
UNAVAILABLE_STATUS_LABELS_FR = {status: OBSERVATION_STATUS_LABELS_FR[status] for status in ("secret", "missing")}



# Labels in the visitor's language (the dictionaries above hold the French source, marked for extraction).
def level_label(level: str) -> str:
    return _(LEVEL_LABELS_FR.get(level, level))


def theme_label(theme: str) -> str:
    return _(THEMES.get(theme, theme))


def ministry_label(ministry: str) -> str:
    return _(FUNDERS.get(ministry, ministry))


def status_label(status: str) -> str:
    """How an observation's status reads next to its value ('' when there is nothing to say)."""
    label = OBSERVATION_STATUS_LABELS_FR.get(status, "")
    return _(label) if label else ""


# Periods: a year, a quarter or a month. Values are strings so that they sort
# chronologically within one frequency and stay readable in CSV exports.
PERIOD_PATTERNS = {
    "annual": re.compile(r"^(\d{4})$"),
    "quarterly": re.compile(r"^(\d{4})-Q([1-4])$"),
    "monthly": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

QPV_2015_CODE = re.compile(r"^QP\d{3}\d{3}$|^QP2[AB]\d{3}$")
QPV_2024_CODE = re.compile(r"^QN[0-9AB]{3}\d{3}[A-Z]?$")
DEPARTEMENT_CODE = re.compile(r"^(\d{2}|2A|2B|97[1-6])$")
COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
# Any territory code: letters and digits (every official code is), as page addresses take them
# (atlas.routes.CODE). A code is never shown as anything but text, yet no markup or address can hide in one.
TERRITORY_CODE = re.compile(r"^[A-Za-z0-9]{1,16}\Z")


def period_frequency(period: str) -> str | None:
    for name, pattern in PERIOD_PATTERNS.items():
        if pattern.match(period):
            return name
    return None


def period_year(period: str) -> int:
    return int(period[:4])


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "float", "int", "bool"
    required: bool = True  # may the column hold empty values?
    choices: tuple[str, ...] | None = None
    pattern: re.Pattern | None = None
    minimum: float | None = None


@dataclass(frozen=True)
class Table:
    name: str  # file stem inside the package
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""
    optional_columns: tuple[Column, ...] = field(default=())

    @property
    def filename(self) -> str:
        return f"{self.name}.parquet"

    def column(self, name: str) -> Column:
        for col in self.columns + self.optional_columns:
            if col.name == name:
                return col
        raise KeyError(name)


TERRITORIES = Table(
    "territories",
    (
        Column("level", "str", choices=LEVELS),
        Column("code", "str", pattern=TERRITORY_CODE),
        Column("name", "str"),
        Column("population", "int", required=False, minimum=0),
        Column("population_year", "int", required=False),
        Column("vintage", "str"),
        Column("commune_code", "str", required=False),
        Column("epci_code", "str", required=False),
        Column("contrat_de_ville_code", "str", required=False),
        Column("departement_code", "str", required=False),
        Column("region_code", "str", required=False),
        Column("lon", "float", required=False),
        Column("lat", "float", required=False),
    ),
    optional_columns=(
        Column("area_km2", "float", required=False, minimum=0),
        Column("density_level", "int", required=False),
        Column("commune_codes", "str", required=False),
    ),
    key=("level", "code"),
    description="One row per territory of any level, with its parents.",
)

INDICATORS = Table(
    "indicators",
    (
        Column("id", "str", pattern=re.compile(r"^[a-z0-9_\-]+$")),
        Column("label_fr", "str"),
        Column("label_en", "str"),
        Column("theme", "str", choices=tuple(THEMES)),
        Column("ministry", "str", required=False, choices=tuple(MINISTRIES)),
        Column("unit", "str"),
        Column("polarity", "str", choices=POLARITIES),
        Column("kind", "str", choices=KINDS),
        Column("source", "str"),
        Column("licence", "str"),
        Column("vintage", "str"),
        Column("definition", "str"),
        Column("comparability", "str", required=False),
        Column("decimals", "int", minimum=0),
    ),
    optional_columns=(
        Column("aggregation", "str", required=False, choices=AGGREGATIONS),
        Column("numerator", "str", required=False),  # ratio: the catalogued count summed above the line
        Column("denominator", "str", required=False),  # ratio: the catalogued count summed below it
        Column("scale", "float", required=False, minimum=0),  # ratio: 100 for a percentage (default from unit)
        # The classes of a categorical indicator, as JSON text (atlas/categories.py); absent when there is none.
        Column("classes", "str", required=False),
    ),
    key=("id",),
    description="The indicator catalogue.",
)

OBSERVATIONS = Table(
    "observations",
    (
        Column("level", "str", choices=LEVELS),
        Column("code", "str"),
        Column("indicator", "str"),
        Column("period", "str"),
        Column("value", "float", required=False),
        Column("status", "str", choices=STATUSES),
        Column("beneficiaries", "int", required=False, minimum=0),
        Column("eligible", "int", required=False, minimum=0),
    ),
    key=("level", "code", "indicator", "period"),
    description="Indicator values in long form.",
)

COMMITMENTS = Table(
    "commitments",
    (
        Column("id", "str"),
        Column("ministry", "str", choices=tuple(MINISTRIES)),
        Column("measure", "str"),
        Column("indicator", "str"),
        Column("scope_level", "str", choices=LEVELS),
        Column("scope_code", "str"),
        Column("baseline_date", "str", pattern=DATE_PATTERN),
        Column("baseline_value", "float"),
        Column("target_date", "str", required=False, pattern=DATE_PATTERN),
        Column("target_value", "float", required=False),
    ),
    key=("id",),
    description="Ministries' commitments: baseline and target of an indicator on a scope.",
)

CREDITS = Table(
    "credits",
    (
        Column("id", "str"),
        Column("year", "int", minimum=1990),
        Column("programme", "str"),
        Column("ministry", "str", choices=tuple(FUNDERS)),
        Column("theme", "str", choices=tuple(THEMES)),
        Column("carrier", "str"),
        Column("amount_eur", "float", minimum=0),
        Column("beneficiaries", "int", required=False, minimum=0),
        Column("level", "str", choices=LEVELS),
        Column("code", "str"),
        Column("lon", "float", required=False),
        Column("lat", "float", required=False),
    ),
    optional_columns=(Column("label", "str", required=False),),
    key=("id",),
    description="Public credit lines attached to a territory of any level.",
)

TABLES: tuple[Table, ...] = (TERRITORIES, INDICATORS, OBSERVATIONS, COMMITMENTS, CREDITS)
GEOMETRY_DIR = "geometry"
MANIFEST = "manifest.json"


def with_declared(table: Table, levels: tuple[str, ...], themes: tuple[str, ...] = tuple(THEMES)) -> Table:
    """``table`` whose level and theme columns accept ``levels`` and ``themes`` (the built-in ones plus those a
    package declares)."""
    if tuple(levels) == LEVELS and tuple(themes) == tuple(THEMES):
        return table

    def widen(col: Column) -> Column:
        if col.choices == LEVELS:
            return replace(col, choices=tuple(levels))
        return replace(col, choices=tuple(themes)) if col.choices == tuple(THEMES) else col
    # Territories may name a territory of a declared level as their parent, in a column of its own.
    links = tuple(Column(f"{lvl}_code", "str", required=False) for lvl in levels if lvl not in LEVELS) \
        if table.name == TERRITORIES.name else ()
    return replace(table, columns=tuple(map(widen, table.columns)),
                   optional_columns=tuple(map(widen, table.optional_columns)) + links)
