"""Peer quarters: the QPV most alike on structural context (pure functions, no Dash).

Context, not results: peers are chosen on what public action does not change in the short run,
so that a quarter's results can be read against quarters like it.

Features of each QPV (see docs/wellbeing-index.md, "Quartiers comparables"):

- ``log_population``: natural log of the population, so that relative gaps count (1,000 vs
  2,000 inhabitants is as far apart as 5,000 vs 10,000);
- ``density_level``: the INSEE 7-level density grid of its commune (1 = dense … 7 = very sparse);
- ``housing_share``: share of social housing — the indicator the package gives the ``housing`` peers
  role (``service.presentation.peers``) — latest known value (median of all QPV if none);
- ``overseas``: overseas (département code 97x) vs metropolitan France;
- ``region_code``.

Distance between quarters a and b, with each numeric feature divided by its standard deviation
across all QPV (z-scale)::

    d(a, b)² = Δlog_population² + Δdensity_level² + Δhousing_share² + 0.25 × [regions differ]

Candidates are quarters of the same geography (vintage: a QPV 2015 is compared with QPV 2015 only), and
of the same kind (overseas or metropolitan) when at least ``k`` of them exist. Ties are broken by code,
so the result is deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas.i18n import N_, _

FEATURES: tuple[str, ...] = ("log_population", "density_level", "housing_share")
REGION_PENALTY = 0.25  # added to the squared distance when regions differ
HOUSING_ROLE = "housing"  # the presentation's peers role naming the social-housing share indicator
DEFAULT_K = 5
# INSEE's 7-level municipal density grid (grille communale de densité).
DENSITY_LABELS_FR = {  # French source (translated with _() where shown)
    1: N_("Grand centre urbain"),
    2: N_("Centre urbain intermédiaire"),
    3: N_("Ceinture urbaine"),
    4: N_("Petite ville"),
    5: N_("Bourg rural"),
    6: N_("Rural à habitat dispersé"),
    7: N_("Rural à habitat très dispersé"),
}


def is_overseas(departement_code) -> bool:
    return isinstance(departement_code, str) and departement_code.startswith("97")


def latest_values(values: pd.DataFrame) -> pd.Series:
    """The latest non-missing value of each row of a code × year table."""
    if values.empty:
        return pd.Series(dtype=float)
    ordered = values[sorted(values.columns)]
    return ordered.ffill(axis=1).iloc[:, -1]


def build_features(territories: pd.DataFrame, housing: pd.Series) -> pd.DataFrame:
    """The feature table of every QPV: raw features plus their z-scaled counterparts (``z_*``)."""
    qpv = territories[territories["level"] == "qpv"].copy()
    qpv = qpv.set_index("code", drop=False).sort_index()
    out = pd.DataFrame(index=qpv.index)
    out["population"] = pd.to_numeric(qpv["population"], errors="coerce").astype(float)
    out["log_population"] = np.log(out["population"].clip(lower=1))
    density = qpv["density_level"] if "density_level" in qpv.columns else pd.Series(np.nan, index=qpv.index)
    out["density_level"] = pd.to_numeric(density, errors="coerce").astype(float)
    out["housing_share"] = housing.reindex(out.index).astype(float)
    out["region_code"] = qpv["region_code"].astype(object)
    out["overseas"] = qpv["departement_code"].map(is_overseas).astype(bool)
    out["vintage"] = qpv["vintage"].astype(str) if "vintage" in qpv.columns else ""
    # A missing feature takes the median: it then neither attracts nor repels on that axis. Statistics are
    # taken within each geography (vintage), the only set a quarter is compared with.
    for feature in FEATURES:
        out[f"z_{feature}"] = out.groupby("vintage")[feature].transform(_z_scaled).astype(float)
    out.index.name = "code"
    return out


def _z_scaled(column: pd.Series) -> pd.Series:
    column = column.fillna(column.median() if column.notna().any() else 0.0)
    std = column.std(ddof=0)
    return (column - column.mean()) / std if std and std > 0 else column * 0.0


def peer_distances(features: pd.DataFrame, code: str) -> pd.Series:
    """Distance from ``code`` to every other QPV (self excluded), unsorted."""
    me = features.loc[code]
    others = features.drop(index=code)
    others = others[others["vintage"] == me["vintage"]]
    squared = sum((others[f"z_{f}"] - me[f"z_{f}"]) ** 2 for f in FEATURES)
    squared = squared + REGION_PENALTY * (others["region_code"] != me["region_code"]).astype(float)
    return np.sqrt(squared.astype(float))


def find_peers(features: pd.DataFrame, code: str, k: int = DEFAULT_K) -> pd.DataFrame:
    """The ``k`` nearest quarters: columns distance plus the raw features, nearest first."""
    if code not in features.index:
        return features.iloc[0:0].assign(distance=pd.Series(dtype=float))
    distances = peer_distances(features, code)
    same_kind = features.loc[distances.index, "overseas"] == bool(features.at[code, "overseas"])
    if int(same_kind.sum()) >= k:
        distances = distances[same_kind]
    ranked = pd.DataFrame({"distance": distances.round(9).to_numpy(), "peer": distances.index.astype(str)})
    ranked = ranked.sort_values(["distance", "peer"], kind="mergesort").head(k).set_index("peer")
    ranked.index.name = "code"
    cols = ["population", "density_level", "housing_share", "region_code", "overseas"]
    return ranked.join(features[cols])


def features_for(service) -> pd.DataFrame:
    """Features of the service's package (kept with the service: they depend on the package only)."""
    return service.derived("peers.features", _features, maxsize=1)


def _features(service) -> pd.DataFrame:
    housing = pd.Series(dtype=float)
    indicator = service.presentation.peers.get(HOUSING_ROLE)
    if indicator and service.has_indicator(indicator):
        values, _ = service.annual_table(indicator, "qpv")
        housing = latest_values(values)
    return build_features(service.package.territories, housing)


def peers_of(service, code: str, k: int = DEFAULT_K) -> list[str]:
    return list(find_peers(features_for(service), code, k).index)


def describe(service, code: str, distance: float | None = None) -> dict:
    """What a peers table shows of one QPV: name, commune, context features and distance."""
    features = features_for(service)
    territory = service.territory("qpv", code) or {}
    row = features.loc[code] if code in features.index else None
    density = None if row is None or pd.isna(row["density_level"]) else int(row["density_level"])
    housing = None if row is None or pd.isna(row["housing_share"]) else float(row["housing_share"])
    population = None if row is None or pd.isna(row["population"]) else int(row["population"])
    region = service.territory_name("region", territory.get("region_code")) or ""
    if row is not None and bool(row["overseas"]):
        region += " (outre-mer)"
    return {
        "code": code, "name": territory.get("name", code),
        "commune": service.territory_name("commune", territory.get("commune_code")) or "",
        "population": population,
        "density": f"{density} — {_(DENSITY_LABELS_FR.get(density, ''))}" if density else _("non disponible"),
        "density_level": density,
        "housing": housing, "region": region, "distance": distance,
    }
