"""The quarter profile's content, computed without Dash.

Each key figure sets the quarter against its commune, its département and France on the same
year, and states the gap in a plain French sentence, e.g.

    « Taux de pauvreté (seuil à 60 %) : 42,1 % dans le quartier, contre 18,3 % dans la commune,
    16,0 % dans le département et 14,5 % en France (2024), soit 27,6 points de plus qu'en France. »

Secret values read « secret statistique », missing ones « non disponible », estimates are flagged.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import pandas as pd

from atlas.compare import indicator_row
from atlas.formatting import format_number, format_value

# Sections of the profile: (id, French title, preferred indicators). When a package has none of a section's
# preferred indicators for quarters (real packages name theirs differently), the section shows the first
# quarter-level indicators of the same theme instead.
SECTION_THEMES = {"population": "demographie", "revenus": "revenus", "emploi": "emploi", "education": "education",
                  "sante": "sante", "securite": "securite", "logement": "logement", "services": "services"}
FIGURES_PER_SECTION = 3
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("population", "Population", ("part_moins_25", "familles_monoparentales", "indice_jeunesse")),
    ("revenus", "Pauvreté et revenus", ("taux_pauvrete", "revenu_median", "part_dependance_prestations")),
    ("emploi", "Emploi", ("taux_emploi", "taux_chomage", "neet")),
    ("education", "Éducation", ("reussite_brevet", "sans_diplome", "retard_entree_6e")),
    ("sante", "Santé", ("esperance_vie", "medecins_generalistes", "couverture_vaccinale_ror")),
    ("securite", "Sécurité", ("atteintes_personnes", "cambriolages", "sentiment_insecurite")),
    ("logement", "Logement", ("logements_sociaux", "suroccupation", "passoires_thermiques")),
    ("services", "Services publics", ("acces_france_services", "raccordement_fibre", "commerces_proximite")),
)
# The comparison roles, in reading order, and how a sentence names them.
ROLES: tuple[str, ...] = ("qpv", "commune", "departement", "france")
ROLE_PHRASES = {
    "qpv": "dans le quartier",
    "commune": "dans la commune",
    "departement": "dans le département",
    "france": "en France",
}
ROLE_LABELS = {"qpv": "Quartier", "commune": "Commune", "departement": "Département", "france": "France"}
USABLE = ("ok", "estimate")
STATUS_TEXT = {"secret": "secret statistique", "missing": "non disponible"}

# Credits: the scopes shown on a profile, with their French labels.
CREDIT_SCOPES: tuple[tuple[str, str], ...] = (
    ("qpv", "Crédits attribués au quartier"),
    ("contrat_de_ville", "Crédits attribués au contrat de ville (pour l'ensemble de ses quartiers)"),
    ("commune", "Crédits attribués à la commune (non spécifiques au quartier)"),
)


@dataclass(frozen=True)
class Value:
    role: str
    level: str
    code: str
    name: str
    value: float | None
    status: str

    @property
    def usable(self) -> bool:
        return self.value is not None and self.status in USABLE


@dataclass
class KeyFigure:
    indicator: str
    label: str
    unit: str
    decimals: int
    polarity: str
    source: str
    vintage: str
    year: int | None
    values: dict[str, Value]
    series: list[tuple[int, float | None, str]]  # the quarter, every year
    reference: list[tuple[int, float | None, str]]  # France, every year (sparkline context)
    sentence: str = ""
    gap: str = ""  # e.g. « 27,6 points de plus qu'en France »
    verdict: str | None = None  # "favourable", "unfavourable" or None (neutral or not computable)

    def text(self, role: str, *, flag_estimate: bool = True) -> str:
        value = self.values.get(role)
        if value is None:
            return STATUS_TEXT["missing"]
        return value_text(value.value, value.status, self.unit, self.decimals, flag_estimate=flag_estimate)

    @property
    def all_estimates(self) -> bool:
        """Every available value is an estimate (the sentence then says so once)."""
        usable = [v for v in self.values.values() if v.usable]
        return bool(usable) and all(v.status == "estimate" for v in usable)


@dataclass
class Section:
    id: str
    title: str
    figures: list[KeyFigure] = field(default_factory=list)


@dataclass
class Profile:
    code: str
    name: str
    territory: dict
    parents: dict[str, tuple[str, str, str]]  # role -> (level, code, name)
    population: int | None
    population_year: int | None
    commune_population: int | None
    sections: list[Section]
    year: int | None  # the latest year of the package

    @property
    def figures(self) -> list[KeyFigure]:
        return [f for s in self.sections for f in s.figures]


# ------------------------------------------------------------------ formatting


def _is_number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def value_text(value: float | None, status: str, unit: str, decimals: int, *, flag_estimate: bool = True) -> str:
    """« 42,1 % », « 42,1 % (estimation) », « secret statistique » or « non disponible »."""
    if status in STATUS_TEXT or not _is_number(value):
        return STATUS_TEXT.get(status, STATUS_TEXT["missing"])
    text = format_value(value, unit, decimals)
    return f"{text} (estimation)" if status == "estimate" and flag_estimate else text


def gap_phrase(quarter: float, reference: float, unit: str, decimals: int, where: str = "qu'en France") -> str:
    """The gap between two displayed values, in words: « 27,6 points de plus qu'en France »."""
    q, r = round(quarter, decimals), round(reference, decimals)
    diff = round(q - r, decimals)
    if diff == 0:
        return f"le même niveau {where}"
    more = "de plus" if diff > 0 else "de moins"
    if unit == "%":
        amount = format_number(abs(diff), decimals)
        points = "point" if abs(diff) < 2 else "points"
        return f"{amount}\u00a0{points} {more} {where}"
    amount = format_value(abs(diff), unit, decimals)
    relative = f" ({format_number(100 * diff / r, 0, signed=True)}\u00a0%)" if r else ""
    return f"{amount} {more} {where}{relative}"


def verdict(quarter: float, reference: float, polarity: str, decimals: int) -> str | None:
    diff = round(round(quarter, decimals) - round(reference, decimals), decimals)
    if polarity not in ("higher_is_better", "higher_is_worse") or diff == 0:
        return None
    better = (diff > 0) == (polarity == "higher_is_better")
    return "favourable" if better else "unfavourable"


def sentence(figure: KeyFigure) -> str:
    """The comparison in one French sentence (numbers exactly as displayed elsewhere)."""
    flag = not figure.all_estimates  # when all values are estimates, say it once
    # References without a value are left out; a secret one is named, since that is information too.
    shown = [role for role in ROLES[1:] if role in figure.values and figure.values[role].status != "missing"]
    others = [f"{figure.text(role, flag_estimate=flag)} {ROLE_PHRASES[role]}" for role in shown]
    compared = " et ".join([", ".join(others[:-1]), others[-1]]) if len(others) > 1 else "".join(others)
    text = f"{figure.label} : {figure.text('qpv', flag_estimate=flag)} {ROLE_PHRASES['qpv']}"
    if compared:
        text += f", contre {compared}"
    notes = []
    if figure.year is not None:
        notes.append(f"{figure.year}, estimations" if figure.all_estimates else str(figure.year))
    if not compared:
        notes.append("aucune valeur de comparaison dans ce jeu de données")
    if notes:
        text += f" ({' ; '.join(notes)})"
    if figure.gap:
        text += f", soit {figure.gap}"
    return text + "."


# ---------------------------------------------------------------- computation


def parents_of(service, territory: dict) -> dict[str, tuple[str, str, str]]:
    """The comparison territories of a quarter: role -> (level, code, name)."""
    out = {"qpv": ("qpv", territory["code"], territory["name"])}
    for role, column in (("commune", "commune_code"), ("departement", "departement_code")):
        code = territory.get(column)
        if isinstance(code, str) and service.is_known(role, code):
            out[role] = (role, code, service.territory_name(role, code))
    if service.is_known("france", "FR"):
        out["france"] = ("france", "FR", "France")
    return out


def _series(vals: pd.Series, stats: pd.Series) -> list[tuple[int, float | None, str]]:
    return [(int(y), None if pd.isna(vals[y]) else float(vals[y]), "missing" if pd.isna(stats[y]) else str(stats[y]))
            for y in sorted(vals.index)]


def key_figure(service, parents: dict[str, tuple[str, str, str]], indicator: str) -> KeyFigure:
    meta = service.indicator(indicator)
    rows = {role: indicator_row(service, level, code, indicator) for role, (level, code, _) in parents.items()}
    series = _series(*rows["qpv"])
    usable_years = [y for y, v, s in series if v is not None and s in USABLE]
    year = usable_years[-1] if usable_years else (series[-1][0] if series else None)
    values = {}
    for role, (level, code, name) in parents.items():
        vals, stats = rows[role]
        if year is None or year not in vals.index:
            values[role] = Value(role, level, code, name, None, "missing")
            continue
        value, status = vals[year], stats[year]
        values[role] = Value(role, level, code, name, None if pd.isna(value) else float(value),
                             "missing" if pd.isna(status) else str(status))
    figure = KeyFigure(
        indicator=indicator, label=meta["label_fr"], unit=meta["unit"], decimals=int(meta["decimals"]),
        polarity=meta["polarity"], source=meta["source"], vintage=meta["vintage"], year=year, values=values,
        series=series, reference=_series(*rows["france"]) if "france" in rows else [],
    )
    quarter, france = values.get("qpv"), values.get("france")
    if quarter and france and quarter.usable and france.usable:
        figure.gap = gap_phrase(quarter.value, france.value, figure.unit, figure.decimals)
        figure.verdict = verdict(quarter.value, france.value, figure.polarity, figure.decimals)
    figure.sentence = sentence(figure)
    return figure


def build_profile(service, code: str) -> Profile | None:
    territory = service.territory("qpv", code)
    if territory is None:
        return None
    parents = parents_of(service, territory)
    sections = []
    for section_id, title, indicators in SECTIONS:
        figures = [key_figure(service, parents, ind) for ind in section_indicators(service, section_id, indicators)]
        if figures:
            sections.append(Section(section_id, title, figures))
    commune = parents.get("commune")
    commune_row = service.territory("commune", commune[1]) if commune else None
    return Profile(
        code=code, name=territory["name"], territory=territory, parents=parents,
        population=_int_or_none(territory.get("population")),
        population_year=_int_or_none(territory.get("population_year")),
        commune_population=_int_or_none(commune_row.get("population")) if commune_row else None,
        sections=sections, year=service.years[-1] if service.years else None,
    )


def section_indicators(service, section_id: str, preferred: tuple[str, ...]) -> list[str]:
    """The section's preferred indicators measured for quarters, or else the theme's first ones."""
    at_qpv = service.indicators_at("qpv")
    chosen = [ind for ind in preferred if ind in at_qpv]
    if chosen:
        return chosen
    theme = SECTION_THEMES[section_id]
    frame = service.indicators
    return [ind for ind in at_qpv if frame.at[ind, "theme"] == theme][:FIGURES_PER_SECTION]


def _int_or_none(value) -> int | None:
    if value is None or pd.isna(value):
        return None
    return int(value)


def population_sentence(profile: Profile) -> str:
    if profile.population is None:
        return "Population : non disponible."
    year = f" en {profile.population_year}" if profile.population_year else ""
    text = f"{format_number(profile.population, 0)} habitants{year}"
    if profile.commune_population:
        share = 100 * profile.population / profile.commune_population
        commune = profile.parents["commune"][2]
        text += f", soit {format_number(share, 1)}\u00a0% de la population de la commune ({commune})"
    return text + "."


def profile_frame(service, profile: Profile) -> pd.DataFrame:
    """Every year of every key figure for the four territories: the profile's CSV download."""
    rows = []
    for section in profile.sections:
        for figure in section.figures:
            for role, (level, code, name) in profile.parents.items():
                vals, stats = indicator_row(service, level, code, figure.indicator)
                for year, value, status in _series(vals, stats):
                    rows.append({
                        "section": section.title, "indicator": figure.indicator, "label": figure.label,
                        "unit": figure.unit, "role": ROLE_LABELS[role], "level": level, "code": code, "name": name,
                        "year": year, "value": value, "status": status, "source": figure.source,
                        "vintage": figure.vintage,
                    })
    return pd.DataFrame(rows)


# -------------------------------------------------------------------- credits


def credits_for(credits: pd.DataFrame, territory: dict) -> pd.DataFrame:
    """Credit lines of the quarter, its contrat de ville and its commune, with a ``scope`` column."""
    parts = []
    for scope, _ in CREDIT_SCOPES:
        code = territory["code"] if scope == "qpv" else territory.get(f"{scope}_code")
        if not isinstance(code, str):
            continue
        lines = credits[(credits["level"] == scope) & (credits["code"] == code)]
        parts.append(lines.assign(scope=scope))
    if not parts:
        return credits.iloc[0:0].assign(scope=pd.Series(dtype=str))
    return pd.concat(parts, ignore_index=True)


def credits_by_year(lines: pd.DataFrame) -> pd.DataFrame:
    """Totals per scope and year (euros), one column per scope in CREDIT_SCOPES order."""
    if lines.empty:
        return pd.DataFrame()
    table = lines.pivot_table(index="year", columns="scope", values="amount_eur", aggfunc="sum", fill_value=0.0)
    return table[[s for s, _ in CREDIT_SCOPES if s in table.columns]].sort_index()


def credits_by_measure(lines: pd.DataFrame) -> pd.DataFrame:
    """Totals per scope and measure (label or programme), largest first."""
    if lines.empty:
        return pd.DataFrame(columns=["scope", "measure", "ministry", "amount_eur", "lines", "beneficiaries"])
    measure = lines["label"] if "label" in lines.columns else lines["programme"]
    frame = lines.assign(measure=measure.fillna(lines["programme"]))
    out = frame.groupby(["scope", "measure", "ministry"], as_index=False).agg(
        amount_eur=("amount_eur", "sum"), lines=("id", "count"),
        beneficiaries=("beneficiaries", lambda b: b.sum(min_count=1)))
    order = {s: i for i, (s, _) in enumerate(CREDIT_SCOPES)}
    out["order"] = out["scope"].map(order)
    return out.sort_values(["order", "amount_eur", "measure"], ascending=[True, False, True]).drop(columns="order")


# ------------------------------------------------------------------- measures


@functools.lru_cache(maxsize=4)
def _counted_observations(service) -> dict[str, pd.DataFrame]:
    """QPV observations that count beneficiaries, grouped by quarter code (built once per service)."""
    obs = service.package.observations
    counted = obs[(obs["level"] == "qpv") & obs["beneficiaries"].notna()]
    if "eligible" not in counted.columns:
        counted = counted.assign(eligible=pd.NA)
    counted = counted.assign(code=counted["code"].astype(str), period=counted["period"].astype(str))
    return {code: frame for code, frame in counted.groupby("code", sort=False)}


def measures_for(service, code: str) -> pd.DataFrame:
    """Indicators counting beneficiaries, for the quarter: the latest period with a count."""
    counted = _counted_observations(service).get(code)
    rows = []
    if counted is None:
        return pd.DataFrame(rows)
    for indicator in service.indicator_ids():
        series = counted[counted["indicator"] == indicator]
        if series.empty:
            continue
        last = series.sort_values("period").iloc[-1]
        meta = service.indicator(indicator)
        value = last["value"]
        rows.append({
            "indicator": indicator, "label": meta["label_fr"], "unit": meta["unit"],
            "decimals": int(meta["decimals"]), "period": str(last["period"]),
            "beneficiaries": int(last["beneficiaries"]),
            "eligible": None if pd.isna(last["eligible"]) else int(last["eligible"]),
            "value": None if pd.isna(value) else float(value), "status": str(last["status"]),
            "source": meta["source"], "vintage": meta["vintage"], "ministry": meta.get("ministry"),
        })
    return pd.DataFrame(rows)


def map_geometry(geometry: dict, territory: dict) -> dict:
    """GeoJSON of the quarter and of its commune(s), and the bounds to frame them (WGS84)."""
    out: dict = {"qpv": None, "communes": None, "bounds": None}
    qpv = geometry.get("qpv")
    if qpv is not None:
        shape = qpv[qpv["code"] == territory["code"]]
        if not shape.empty:
            out["qpv"] = _geojson(shape, "qpv")
            out["bounds"] = shape.total_bounds
    communes = geometry.get("commune")
    codes = str(territory.get("commune_codes") or territory.get("commune_code") or "").split("|")
    if communes is not None and any(codes):
        shape = communes[communes["code"].isin([c for c in codes if c])]
        if not shape.empty:
            out["communes"] = _geojson(shape, "commune")
            out["bounds"] = shape.total_bounds
    if out["bounds"] is not None:
        west, south, east, north = (float(v) for v in out["bounds"])
        out["bounds"] = [[south, west], [north, east]]
    return out


def _geojson(frame, level: str) -> dict:
    """A plain GeoJSON FeatureCollection (coordinates rounded to the package's 1e-5 grid)."""
    import json

    frame = frame[["code", "geometry"]].assign(level=level)
    return json.loads(frame.to_json(drop_id=True, to_wgs84=False))


def sources_used(profile: Profile) -> list[tuple[str, str]]:
    """Distinct (source, vintage) pairs of the profile's figures, in first-use order."""
    seen: list[tuple[str, str]] = []
    for figure in profile.figures:
        pair = (figure.source, figure.vintage)
        if pair not in seen:
            seen.append(pair)
    return seen
