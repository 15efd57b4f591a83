"""Credits: filtering, exact aggregation (integer cents), per-QPV-inhabitant ratios, map data.

Pure pandas (no Dash). Amounts are summed as integer cents so that every total equals the raw
lines to the cent; :func:`euros` turns cents back into a :class:`~decimal.Decimal`.
Definitions are documented in ``docs/barometer.md``.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from atlas import schema
from atlas.i18n import N_, _

# State general budget net expenditure (« dépenses nettes du budget général de l'État »), in euros.
# APPROXIMATE orders of magnitude, for context only: they are not in the data package and should be
# checked against the Cour des comptes / budget.gouv.fr execution reports before any publication.
STATE_BUDGET_NET_EXPENDITURE_EUR: dict[int, float] = {
    2023: 490e9,  # ≈ 490 Md€, loi relative aux résultats de la gestion et portant approbation des comptes 2023
}
STATE_BUDGET_SOURCE = N_("Dépenses nettes du budget général de l'État, ordre de grandeur ≈ 490 Md€ en 2023 "
                       "(loi d'approbation des comptes 2023 ; valeur approchée)")
POLICY_PROGRAMME = "P147"  # « Politique de la ville »

PROGRAMME_LABELS_FR = {
    "P147": N_("P147 — Politique de la ville"),
    "P102": N_("P102 — Accès et retour à l'emploi"),
    "P230": N_("P230 — Vie de l'élève"),
    "P361": N_("P361 — Transmission des savoirs et démocratisation de la culture"),
    "P176": N_("P176 — Police nationale"),
    "P101": N_("P101 — Accès au droit et à la justice"),
    "P204": N_("P204 — Prévention, sécurité sanitaire et offre de soins"),
    "P135": N_("P135 — Urbanisme, territoires et amélioration de l'habitat"),
    "REG": N_("Régions"),
    "DEP": N_("Départements"),
    "COM": N_("Communes et intercommunalités"),
}
BREAKDOWNS = ("year", "programme", "ministry", "theme", "carrier", "label")


def programme_label(code: str) -> str:
    """A programme's label in the visitor's language (its code when the atlas does not know it)."""
    return _(PROGRAMME_LABELS_FR[code]) if code in PROGRAMME_LABELS_FR else code


def funder_label(code: str) -> str:
    return schema.ministry_label(code)


# -------------------------------------------------------------------- cents


def cents(amounts: pd.Series) -> pd.Series:
    """Euro amounts as exact integer cents."""
    return pd.Series(np.rint(amounts.astype("float64").to_numpy() * 100).astype("int64"), index=amounts.index)


def euros(amount_cents: int) -> Decimal:
    return Decimal(int(amount_cents)) / Decimal(100)


# ---------------------------------------------------------------- hierarchy


_LOOKUPS: dict[tuple[int, str], tuple[pd.DataFrame, dict[str, str]]] = {}


def _lookup(territories: pd.DataFrame, level: str) -> dict[str, str]:
    """``"level|code" -> code of the containing territory of level``, built once per territories frame."""
    key = (id(territories), level)
    hit = _LOOKUPS.get(key)
    if hit is not None and hit[0] is territories:
        return hit[1]
    out: dict[str, str] = {}
    france = territories.loc[territories["level"] == "france", "code"]
    france_code = str(france.iloc[0]) if len(france) else "FR"
    column = f"{level}_code"
    for lvl, group in territories.groupby("level", sort=False):
        keys = (str(lvl) + "|" + group["code"].astype(str)).tolist()
        if lvl == level:
            values = group["code"].astype(str).tolist()
        elif level == "france":
            values = [france_code] * len(group)
        elif column in group.columns and schema.LEVELS.index(str(lvl)) < schema.LEVELS.index(level):
            values = group[column].tolist()
        else:
            continue
        out.update({k: v for k, v in zip(keys, values, strict=True) if isinstance(v, str) and v})
    if len(_LOOKUPS) > 64:
        _LOOKUPS.clear()
    _LOOKUPS[key] = (territories, out)  # keeping the frame alive keeps its id unique
    return out


def ancestor_codes(territories: pd.DataFrame, lines: pd.DataFrame, level: str) -> pd.Series:
    """For each line (or territory row) with level/code, the code of the territory of ``level`` containing it
    (NaN when the line sits at a coarser level or has no such parent)."""
    lookup = _lookup(territories, level)
    keys = lines["level"].astype(str) + "|" + lines["code"].astype(str)
    return keys.map(lookup)


def qpv_population_by(territories: pd.DataFrame, level: str) -> pd.Series:
    """Sum of the populations of the QPV inside each territory of ``level`` (indexed by code)."""
    qpv = territories[territories["level"] == "qpv"]
    parents = ancestor_codes(territories, qpv, level)
    population = pd.to_numeric(qpv["population"], errors="coerce").fillna(0).astype("int64")
    return population.groupby(parents.to_numpy()).sum()


def qpv_population_reached(territories: pd.DataFrame, lines: pd.DataFrame) -> int:
    """Population of the QPV reached by the lines: the union of the QPV inside every territory a line is
    attached to (a QPV reached twice, e.g. directly and through its commune, counts once)."""
    if lines.empty:
        return 0
    qpv = territories[territories["level"] == "qpv"]
    reached = np.zeros(len(qpv), dtype=bool)
    for level, group in lines.groupby("level", sort=False):
        codes = set(group["code"].astype(str))
        if level == "france":
            reached[:] = True
            break
        parents = ancestor_codes(territories, qpv, str(level))
        reached |= parents.isin(codes).to_numpy()
    population = pd.to_numeric(qpv["population"], errors="coerce").fillna(0).astype("int64").to_numpy()
    return int(population[reached].sum())


# ---------------------------------------------------------------- filtering


def prepare(credits: pd.DataFrame) -> pd.DataFrame:
    """The credits table with an exact ``cents`` column and plain string keys (done once per package)."""
    frame = credits.copy()
    for column in ("programme", "ministry", "theme", "carrier", "level", "code"):
        frame[column] = frame[column].astype(str)
    frame["year"] = frame["year"].astype("int64")
    frame["cents"] = cents(frame["amount_eur"])
    if "label" not in frame.columns:
        frame["label"] = None
    return frame


def filter_lines(lines: pd.DataFrame, territories: pd.DataFrame, *, years: tuple[int, int] | None = None,
                 programmes=None, ministries=None, themes=None, territory: tuple[str, str] | None = None,
                 carrier: str | None = None) -> pd.DataFrame:
    """Lines matching every given filter; ``territory`` keeps the lines attached to it or inside it."""
    mask = np.ones(len(lines), dtype=bool)
    if years:
        mask &= ((lines["year"] >= int(years[0])) & (lines["year"] <= int(years[1]))).to_numpy()
    for column, values in (("programme", programmes), ("ministry", ministries), ("theme", themes)):
        if values:
            mask &= lines[column].isin(list(values)).to_numpy()
    if carrier:
        mask &= lines["carrier"].str.contains(carrier, case=False, regex=False).to_numpy()
    if territory and territory[0] != "france":
        level, code = territory
        mask &= (ancestor_codes(territories, lines, level) == code).to_numpy()
    return lines[mask]


# -------------------------------------------------------------- aggregation


FINER_THAN_DEPARTEMENT = ("qpv", "commune", "epci", "contrat_de_ville")


def _holders(territories: pd.DataFrame, qpv: pd.DataFrame, level: str) -> set[str]:
    """Codes of the territories of ``level`` that hold at least one of the ``qpv`` rows."""
    if level == "qpv":
        return set(qpv["code"].astype(str))
    return set(ancestor_codes(territories, qpv, level).dropna())


def denominator(territories: pd.DataFrame, lines: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """Which lines a QPV population can honestly divide, and that population.

    A line is *covered* when its territory holds QPV of the package with a population; a line attached
    below the département (a contrat de ville whose quarters the package does not link to it, say) is
    covered *through its département* when that département holds such QPV. The population is the union
    of the QPV of the covering territories, each counted once. Lines attached elsewhere (a place whose
    QPV are outside the package) have no known inhabitants: dividing them by someone else's would be false.

    Returns (covered mask, covered-through-the-département mask, population)."""
    own = np.zeros(len(lines), dtype=bool)
    via = np.zeros(len(lines), dtype=bool)
    qpv = territories[territories["level"] == "qpv"]
    qpv = qpv[pd.to_numeric(qpv["population"], errors="coerce").fillna(0) > 0]
    if qpv.empty or lines.empty:
        return own, via, 0
    for level, rows in lines.groupby("level", sort=False).indices.items():
        own[rows] = True if level == "france" else lines["code"].iloc[rows].isin(
            _holders(territories, qpv, str(level))).to_numpy()
    departements = ancestor_codes(territories, lines, "departement")
    via = ~own & lines["level"].isin(FINER_THAN_DEPARTEMENT).to_numpy() & departements.isin(
        _holders(territories, qpv, "departement")).to_numpy()
    units = pd.concat([lines.loc[own, ["level", "code"]],
                       pd.DataFrame({"level": "departement", "code": departements[via].astype(str)})])
    return own | via, via, qpv_population_reached(territories, units)


def population_years(territories: pd.DataFrame) -> str:
    """The year(s) of the QPV populations, for the denominator's label (« 2018 », « 2013–2018 »)."""
    column = territories.loc[territories["level"] == "qpv", "population_year"] \
        if "population_year" in territories.columns else pd.Series(dtype=float)
    years = sorted({int(y) for y in pd.to_numeric(column, errors="coerce").dropna()})
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def totals(lines: pd.DataFrame, territories: pd.DataFrame) -> dict:
    """Total in cents, number of lines and carriers, declared beneficiaries, and the per-inhabitant ratio.

    The ratio divides only the credits of the covered lines (:func:`denominator`) by the population of
    their QPV; the uncovered amount is reported beside it."""
    total = int(lines["cents"].sum()) if len(lines) else 0
    covered, via_departement, population = denominator(territories, lines)
    covered_cents = int(lines.loc[covered, "cents"].sum()) if covered.any() else 0
    beneficiaries = lines["beneficiaries"].dropna()
    return {
        "cents": total,
        "amount_eur": euros(total),
        "lines": len(lines),
        "carriers": int(lines["carrier"].nunique()) if len(lines) else 0,
        "beneficiaries": int(beneficiaries.sum()) if len(beneficiaries) else 0,
        "lines_with_beneficiaries": len(beneficiaries),
        "covered_cents": covered_cents,
        "covered_lines": int(covered.sum()),
        "via_departement_cents": int(lines.loc[via_departement, "cents"].sum()) if via_departement.any() else 0,
        "qpv_population": population,
        "population_year": population_years(territories),
        "per_qpv_inhabitant": float(euros(covered_cents)) / population if population else None,
        "by_level": attachment(lines),
    }


def attachment(lines: pd.DataFrame) -> list[tuple[str, int, int]]:
    """``[(level, lines, cents), …]``: the levels the lines are attached to, most lines first."""
    if lines.empty:
        return []
    grouped = lines.groupby("level", sort=False)["cents"].agg(["size", "sum"]).sort_values("size", ascending=False)
    return [(str(level), int(row["size"]), int(row["sum"])) for level, row in grouped.iterrows()]


def breakdown(lines: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Sum of cents (exact), euros and line count per value of ``by``, largest first."""
    keys = [by] if isinstance(by, str) else list(by)
    if lines.empty:
        return pd.DataFrame(columns=[*keys, "cents", "amount_eur", "lines"])
    grouped = lines.groupby(keys, dropna=False).agg(cents=("cents", "sum"), lines=("cents", "size")).reset_index()
    grouped["amount_eur"] = grouped["cents"] / 100
    order = keys if keys == ["year"] else ["cents"]
    grouped = grouped.sort_values(order, ascending=keys == ["year"]).reset_index(drop=True)
    return grouped[[*keys, "cents", "amount_eur", "lines"]]


def top_carriers(lines: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    table = breakdown(lines, "carrier")
    return table.head(n).reset_index(drop=True)


def by_territory(lines: pd.DataFrame, territories: pd.DataFrame, level: str) -> pd.DataFrame:
    """Credits aggregated to ``level`` (lines attached to a territory of that level or inside one), with the
    QPV population of each territory and credits per QPV inhabitant."""
    if lines.empty:
        return pd.DataFrame(columns=["code", "cents", "amount_eur", "lines", "qpv_population", "per_inhabitant"])
    parent = ancestor_codes(territories, lines, level)
    frame = lines.assign(parent=parent.to_numpy())
    frame = frame[frame["parent"].notna()]
    grouped = frame.groupby("parent").agg(cents=("cents", "sum"), lines=("cents", "size"))
    grouped.index.name = "code"
    grouped = grouped.reset_index()
    grouped["amount_eur"] = grouped["cents"] / 100
    population = qpv_population_by(territories, level)
    grouped["qpv_population"] = grouped["code"].map(population).fillna(0).astype("int64")
    grouped["per_inhabitant"] = np.where(grouped["qpv_population"] > 0,
                                         grouped["amount_eur"] / grouped["qpv_population"].replace(0, np.nan),
                                         np.nan)
    return grouped.sort_values("cents", ascending=False).reset_index(drop=True)


def p147_share(lines: pd.DataFrame, year: int) -> dict:
    """Programme 147's credits of ``year`` in the package, against the State budget (approximate constant).

    Uses the nearest year for which a reference budget is known, and says which one."""
    p147 = lines[(lines["programme"] == POLICY_PROGRAMME) & (lines["year"] == int(year))]
    amount = int(p147["cents"].sum()) if len(p147) else 0
    reference_year = min(STATE_BUDGET_NET_EXPENDITURE_EUR, key=lambda y: (abs(y - int(year)), -y))
    budget = STATE_BUDGET_NET_EXPENDITURE_EUR[reference_year]
    return {"year": int(year), "cents": amount, "amount_eur": euros(amount), "budget_year": reference_year,
            "budget_eur": budget, "share": float(euros(amount)) / budget if budget else None}


# -------------------------------------------------------------------- maps


def located_points(lines: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Lines with their own point, grouped by location (≈ 10 m) to keep the map light."""
    located = lines[lines["lon"].notna() & lines["lat"].notna()]
    if located.empty:
        return pd.DataFrame(columns=["lon", "lat", "cents", "lines", "carrier"])
    frame = located.assign(lon=located["lon"].round(decimals), lat=located["lat"].round(decimals))
    return frame.groupby(["lon", "lat"]).agg(cents=("cents", "sum"), lines=("cents", "size"),
                                             carrier=("carrier", "first")).reset_index()


def unlocated_by_territory(lines: pd.DataFrame, territories: pd.DataFrame) -> pd.DataFrame:
    """Lines without a point, summed per territory they are attached to, placed at the territory's point."""
    rest = lines[lines["lon"].isna() | lines["lat"].isna()]
    cols = ["level", "code", "name", "lon", "lat", "cents", "lines"]
    if rest.empty:
        return pd.DataFrame(columns=cols)
    grouped = rest.groupby(["level", "code"]).agg(cents=("cents", "sum"), lines=("cents", "size")).reset_index()
    places = territories[["level", "code", "name", "lon", "lat"]].astype({"level": str, "code": str})
    grouped = grouped.merge(places, on=["level", "code"], how="left")
    return grouped[grouped["lon"].notna() & grouped["lat"].notna()][cols].reset_index(drop=True)


def points_geojson(points: pd.DataFrame) -> dict:
    """Compact GeoJSON for the clustered layer: amount in euros (a), line count (n), carrier (c)."""
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
         # The carrier is named only when the point holds a single line.
         "properties": {"a": round(int(c) / 100), "n": int(n), **({"c": str(carrier)} if int(n) == 1 else {})}}
        for lon, lat, c, n, carrier in zip(points["lon"], points["lat"], points["cents"], points["lines"],
                                           points["carrier"], strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def symbols_geojson(places: pd.DataFrame, max_radius: float = 22.0) -> dict:
    """Proportional symbols: radius ∝ √amount (area proportional to the amount), largest drawn first."""
    if places.empty:
        return {"type": "FeatureCollection", "features": []}
    largest = float(places["cents"].max()) or 1.0
    ordered = places.sort_values("cents", ascending=False)
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
         "properties": {"a": round(int(c) / 100), "n": int(n), "t": str(name), "l": str(level),
                        "r": round(max(2.0, max_radius * (float(c) / largest) ** 0.5), 1)}}
        for lon, lat, c, n, name, level in zip(ordered["lon"], ordered["lat"], ordered["cents"], ordered["lines"],
                                               ordered["name"], ordered["level"], strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}
