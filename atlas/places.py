"""The territories a quarter is set against — its commune, EPCI, département, France — named honestly,
and the quarters of the other geography (QPV 2015 / QPV 2024) that share its communes.

Pure functions of an AtlasService; nothing here imports Dash.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from atlas.i18n import N_, _
from atlas.values import territory_table

# Roles in reading order; the quarter first.
ROLES: tuple[str, ...] = ("qpv", "commune", "epci", "departement", "france")
REFERENCE_ROLES: tuple[str, ...] = ROLES[1:]
# Exact aggregates over quarters (atlas/aggregates.py), offered after the published references.
AGGREGATE_ROLES: tuple[str, ...] = ("qpv_departement", "qpv_france")
# The reference a gap is measured against, by preference: the broadest one with a value that year; the
# aggregates over quarters only when no published reference has one.
BENCHMARK_ORDER: tuple[str, ...] = ("france", "departement", "epci", "commune", "qpv_france", "qpv_departement")
# French source text (translated with _() where a sentence is built: properties below run at render time).
ROLE_LABELS = {"qpv": N_("Quartier"), "commune": N_("Commune"), "epci": N_("Intercommunalité"),
               "departement": N_("Département"), "france": N_("France"),
               "qpv_departement": N_("Ensemble des QPV du département"), "qpv_france": N_("Ensemble des QPV de France")}
_PHRASES = {"commune": N_("dans la commune ({name})"), "epci": N_("dans l'intercommunalité ({name})"),
            "departement": N_("dans le département ({name})"),
            "qpv_departement": N_("dans l'ensemble des QPV du département ({name})")}
_VERSUS = {"commune": N_("à la commune ({name})"), "epci": N_("à l'intercommunalité ({name})"),
           "departement": N_("au département ({name})"),
           "qpv_departement": N_("à l'ensemble des QPV du département ({name})")}
VINTAGE_YEAR = re.compile(r"(19|20)\d{2}")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def split_codes(value) -> list[str]:
    """A parent code column may list several codes separated by '|' (a quarter spanning communes)."""
    if not isinstance(value, str):
        return []
    return [c.strip() for c in value.split("|") if c.strip()]


@dataclass(frozen=True)
class Place:
    role: str
    level: str
    code: str
    name: str

    @property
    def phrase(self) -> str:
        """Where a value is: « dans le quartier », « dans la commune (Toulouse) », « en France métropolitaine »."""
        if self.role == "qpv":
            return _("dans le quartier")
        if self.role == "qpv_france":
            return _("dans l'ensemble des QPV de France")
        if self.role == "france":
            return (_("en {name}") if _fold(self.name).startswith("france") else _("en France ({name})")).format(
                name=self.name)
        return _(_PHRASES[self.role]).format(name=self.name)

    @property
    def than(self) -> str:
        """The comparative: « qu'en France métropolitaine », « que dans la commune (Toulouse) »."""
        if self.role == "france":
            return _("qu'{phrase}").format(phrase=self.phrase)
        return _("que {phrase}").format(phrase=self.phrase)

    @property
    def versus(self) -> str:
        """« à la France métropolitaine », « au département (Haute-Garonne) »."""
        if self.role == "qpv_france":
            return _("à l'ensemble des QPV de France")
        if self.role == "france":
            return (_("à la {name}") if _fold(self.name).startswith("france") else _("à {name}")).format(
                name=self.name)
        return _(_VERSUS.get(self.role, N_("à {name}"))).format(name=self.name)

    @property
    def label(self) -> str:
        """« Commune — Toulouse », « France métropolitaine » (table headers)."""
        if self.role == "france":
            return self.name
        if self.role == "qpv_france":
            return _(ROLE_LABELS[self.role])
        return f"{_(ROLE_LABELS[self.role])} — {self.name}"


OVERSEAS_REGIONS = ("01", "02", "03", "04", "05", "06")  # Guadeloupe, Martinique, Guyane, La Réunion, …, Mayotte


def is_overseas(territory: dict) -> bool:
    """Whether a territory lies outside metropolitan France (its département, or itself, is 97x / 98x)."""
    level, code = territory.get("level"), str(territory.get("code") or "")
    departement = str(territory.get("departement_code") or (code if level in ("departement", "commune") else ""))
    region = str(territory.get("region_code") or (code if level == "region" else ""))
    return departement.startswith(("97", "98")) or region in OVERSEAS_REGIONS


def france_codes_of(service, territory: dict) -> list[str]:
    """The national territories containing a territory: France, and France métropolitaine unless it is overseas."""
    overseas = is_overseas(territory)
    return [c for c in sorted(service.codes("france"))
            if not (overseas and "metropolitaine" in _fold(service.territory_name("france", c) or ""))]


def france_for(service, territory: dict) -> Place | None:
    """The national reference: France métropolitaine for a metropolitan quarter when the package has it."""
    codes = service.codes("france")
    if not codes:
        return None
    names = {code: service.territory_name("france", code) or code for code in codes}
    overseas = is_overseas(territory)
    metro = [c for c in sorted(codes) if "metropolitaine" in _fold(names[c])]
    whole = [c for c in sorted(codes) if c not in metro]
    chosen = (whole or metro) if overseas else (metro or whole)
    return Place("france", "france", chosen[0], names[chosen[0]])


def zonings_of(service, territory: dict) -> list[Place]:
    """The territory's parents at the levels the package declares (its unité urbaine, zone d'emploi…)."""
    out = []
    for declared in service.declared_levels:
        code = territory.get(f"{declared.id}_code")
        if isinstance(code, str) and service.is_known(declared.id, code):
            out.append(Place(declared.id, declared.id, code, service.territory_name(declared.id, code) or code))
    return out


def places_of(service, territory: dict) -> dict[str, Place]:
    """The quarter and the territories it is compared with, role -> Place (only those in the package)."""
    out = {"qpv": Place("qpv", "qpv", territory["code"], territory["name"])}
    for role in ("commune", "epci", "departement"):
        codes = split_codes(territory.get(f"{role}_code"))
        code = next((c for c in codes if service.is_known(role, c)), None)
        if code is not None:
            out[role] = Place(role, role, code, service.territory_name(role, code) or code)
    france = france_for(service, territory)
    if france is not None:
        out["france"] = france
    return out


def communes_of(service, territory: dict) -> list[Place]:
    """Every commune a quarter lies in (``commune_codes``, else its main commune)."""
    codes = split_codes(territory.get("commune_codes")) or split_codes(territory.get("commune_code"))
    return [Place("commune", "commune", c, service.territory_name("commune", c) or c)
            for c in dict.fromkeys(codes) if service.is_known("commune", c)]


def contracts_of(service, territory: dict) -> list[Place]:
    """The quarter's contrat(s) de ville known to the package."""
    return [Place("contrat_de_ville", "contrat_de_ville", c, service.territory_name("contrat_de_ville", c) or c)
            for c in split_codes(territory.get("contrat_de_ville_code")) if service.is_known("contrat_de_ville", c)]


def vintage_year(vintage) -> int | None:
    found = VINTAGE_YEAR.search(str(vintage or ""))
    return int(found.group(0)) if found else None


@dataclass(frozen=True)
class OtherQuarter:
    code: str
    name: str
    vintage: str
    communes: tuple[str, ...]  # names of the shared communes


def quarters_sharing_communes(service, territory: dict) -> list[OtherQuarter]:
    """Quarters of another geography (vintage) lying in one of this quarter's communes, by code."""
    mine = {p.code: p.name for p in communes_of(service, territory)}
    if not mine:
        return []
    quarters = service.territories.loc["qpv"] if "qpv" in service.territories.index.get_level_values(0) else None
    if quarters is None:
        return []
    vintage = str(territory.get("vintage") or "")
    others = quarters[quarters["vintage"].astype(str) != vintage]
    if others.empty:
        return []
    lists = others["commune_codes"] if "commune_codes" in others.columns else others["commune_code"]
    lists = lists.where(lists.notna(), others["commune_code"])
    found = []
    for code, name, other_vintage, codes in zip(others["code"], others["name"], others["vintage"], lists,
                                                strict=True):
        shared = tuple(mine[c] for c in split_codes(codes) if c in mine)
        if shared:
            found.append(OtherQuarter(str(code), str(name), str(other_vintage), shared))
    return sorted(found, key=lambda q: q.code)


def has_values(service, level: str, code: str) -> bool:
    """Whether the package holds any annual value for this territory."""
    values, _ = territory_table(service, level, code)
    return not values.empty
