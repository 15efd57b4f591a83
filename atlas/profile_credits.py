"""What reaches a quarter: the credits of its contrat(s) de ville, its own and its commune's, and the
measures that count beneficiaries in it (pure functions, no Dash).

Contract-level credits are shown as such — « pour l'ensemble des quartiers du contrat de ville » —
and never divided among its quarters.
"""

from __future__ import annotations

import pandas as pd

from atlas.i18n import N_, _, indicator_label
from atlas.places import split_codes

# The scopes shown on a profile, with their French labels.
CREDIT_SCOPES: tuple[tuple[str, str], ...] = (
    ("qpv", N_("Crédits attribués au quartier")),
    ("contrat_de_ville", N_("Crédits attribués au contrat de ville (pour l'ensemble des quartiers du contrat de "
                            "ville)")),
    ("commune", N_("Crédits attribués à la commune (non spécifiques au quartier)")),
)
SCOPE_LABELS = dict(CREDIT_SCOPES)
SHORT_SCOPE_LABELS = {"qpv": N_("Quartier"), "contrat_de_ville": N_("Contrat de ville (tous ses quartiers)"),
                      "commune": N_("Commune (non spécifique au quartier)")}


def scope_codes(territory: dict, scope: str) -> list[str]:
    if scope == "qpv":
        return [territory["code"]]
    if scope == "commune":
        return split_codes(territory.get("commune_code"))[:1]
    return split_codes(territory.get(f"{scope}_code"))


def credits_for(credits: pd.DataFrame, territory: dict) -> pd.DataFrame:
    """Credit lines of the quarter, its contrat(s) de ville and its commune, with a ``scope`` column."""
    parts = []
    for scope, _label in CREDIT_SCOPES:
        codes = scope_codes(territory, scope)
        if not codes:
            continue
        lines = credits[(credits["level"] == scope) & credits["code"].isin(codes)]
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


def credits_absence(service, territory: dict, lines: pd.DataFrame) -> str:
    """Why a profile shows no credit line, in one French sentence ('' when it shows some)."""
    if not lines.empty:
        return ""
    if service.package.credits.empty:
        return _("Ce jeu de données ne contient aucune ligne de crédit.")
    if not scope_codes(territory, "contrat_de_ville"):
        return _("Ce quartier n'est rattaché à aucun contrat de ville dans ce jeu de données, et aucune ligne de "
                 "crédit n'y est attribuée au quartier ni à sa commune.")
    return _("Aucune ligne de crédit de ce jeu de données n'est attribuée au quartier, à son contrat de ville ou à "
             "sa commune.")


def _counted_observations(service) -> dict[str, pd.DataFrame]:
    """QPV observations that count beneficiaries, grouped by quarter code (kept with the service)."""
    return service.derived("profile.counted_observations", _count_observations, maxsize=1)


def _count_observations(service) -> dict[str, pd.DataFrame]:
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
            "indicator": indicator, "label": indicator_label(meta), "unit": meta["unit"],
            "decimals": int(meta["decimals"]), "period": str(last["period"]),
            "beneficiaries": int(last["beneficiaries"]),
            "eligible": None if pd.isna(last["eligible"]) else int(last["eligible"]),
            "value": None if pd.isna(value) else float(value), "status": str(last["status"]),
            "source": meta["source"], "vintage": meta["vintage"], "ministry": meta.get("ministry"),
        })
    return pd.DataFrame(rows)


def measures_absence(service, code: str) -> str:
    """Why the beneficiaries table is empty, in one French sentence."""
    if not _counted_observations(service):
        return _("Ce jeu de données ne compte de bénéficiaires pour aucun quartier : les sources qu'il rassemble ne "
                 "publient pas de nombre de bénéficiaires à cette échelle.")
    if code not in _counted_observations(service):
        return _("Aucune mesure de ce jeu de données ne compte de bénéficiaires dans ce quartier.")
    return ""
