"""The read API's summaries: a QPV's key figures, the ministries' commitments, credit aggregates.

They reuse the app's own computations (:mod:`atlas.profile`, :mod:`atlas.barometer`, :mod:`atlas.credits`)
so that the API and the pages never disagree; results that cost more than a lookup are kept once per
service (commitments, prepared credit lines) or per validated code (QPV summaries, bounded).
"""

from __future__ import annotations

import pandas as pd

from atlas import barometer, schema, themes
from atlas import credits as cr
from atlas import profile as prof
from atlas.api.output import plain
from atlas.service import per_package

CREDIT_GROUPS = ("year", "programme", "ministry", "theme", "carrier", "territory")


# ------------------------------------------------------------------- QPV summary


@per_package(maxsize=256)
def qpv_summary(service, code: str) -> dict | None:
    """A quarter's key figures, each with its commune, département and France references when present."""
    profile = prof.build_profile(service, code)
    if profile is None:
        return None
    sections = []
    for section in profile.sections:
        figures = []
        for figure in section.figures:
            # Each value names what it is (« Ensemble des QPV du département — … » for an exact aggregate, with
            # how it was computed in note_fr: « somme de 62 QPV sur 63 »).
            values = {role: {"level": v.place.level, "code": v.place.code, "name": v.place.name,
                             "label_fr": v.place.label, "value": plain(v.value), "status": v.status, "year": v.year,
                             **({"note_fr": v.note} if v.note else {})}
                      for role, v in figure.values.items()}
            figures.append({
                "indicator": figure.indicator, "label_fr": figure.label, "unit": figure.unit,
                "decimals": figure.decimals, "polarity": figure.polarity, "source": figure.source,
                "vintage": figure.vintage, "year": figure.year, "values": values,
                "verdict": figure.verdict, "sentence_fr": figure.sentence,
                "series": [{"year": y, "value": plain(v), "status": s} for y, v, s in figure.series],
            })
        sections.append({"id": section.id, "title_fr": section.title, "figures": figures})
    territory = profile.territory
    return {
        "code": code, "name": profile.name,
        "population": profile.population, "population_year": profile.population_year,
        "vintage": plain(territory.get("vintage")),
        "references": {role: {"level": place.level, "code": place.code, "name": place.name, "label_fr": place.label}
                       for role, place in {**profile.places, **profile.aggregates}.items() if role != "qpv"},
        "latest_year": max((f.year for f in profile.figures if f.year is not None), default=None),
        "sections": sections,
        "links": {"territory": f"/api/v1/territories/qpv/{code}", "page": f"/qpv/{code}"},
    }


# ------------------------------------------------------------------- commitments

COMMITMENT_STATUSES = barometer.STATUSES


@per_package(maxsize=2)
def evaluated_commitments(service) -> pd.DataFrame:
    return barometer.evaluate_commitments(service)


def commitment_item(row: dict) -> dict:
    return {
        "id": row["id"], "ministry": row["ministry"], "ministry_label_fr": schema.MINISTRIES.get(row["ministry"]),
        "measure": row["measure"], "indicator": row["indicator"], "theme": plain(row["theme"]),
        "unit": row["unit"], "polarity": row["polarity"],
        "scope": {"level": row["scope_level"], "code": row["scope_code"], "name": row["scope_name"]},
        "baseline": {"date": row["baseline_date"], "value": plain(row["baseline_value"])},
        "target": {"date": plain(row["target_date"]), "value": plain(row["target_value"])},
        "current": {"period": plain(row["current_period"]), "value": plain(row["current_value"]),
                    "status": plain(row["current_status"]) or "missing"},
        "progress": plain(row["progress"]), "elapsed": plain(row["elapsed"]),
        "status": row["status"], "status_label_fr": barometer.STATUS_LABELS_FR[row["status"]],
    }


def select_commitments(service, *, ministry: str | None, indicator: str | None, scope_level: str | None,
                       territory: str | None, status: str | None, limit: int, offset: int) -> tuple[list[dict], int,
                                                                                                    dict]:
    """One page of evaluated commitments, how many match, and the status counts of the matching ones."""
    frame = evaluated_commitments(service)
    within = tuple(territory.split(":", 1)) if territory else None
    frame = barometer.filter_commitments(frame, service, ministry=ministry, territory=within,
                                         scope_level=scope_level)
    if indicator:
        frame = frame[frame["indicator"] == indicator]
    counts = {name: int((frame["status"] == name).sum()) for name in COMMITMENT_STATUSES}
    if status:
        frame = frame[frame["status"] == status]
    rows = frame.iloc[offset:offset + limit].to_dict("records")
    return [commitment_item(r) for r in rows], len(frame), counts


def commitment_detail(service, commitment_id: str) -> dict | None:
    frame = evaluated_commitments(service)
    match = frame[frame["id"] == commitment_id]
    return commitment_item(match.iloc[0].to_dict()) if len(match) else None


# ----------------------------------------------------------------------- credits


@per_package(maxsize=2)
def credit_lines(service) -> pd.DataFrame:
    return cr.prepare(service.package.credits)


@per_package(maxsize=2)
def credit_vocabulary(service) -> dict[str, frozenset[str]]:
    lines = credit_lines(service)
    return {"programme": frozenset(lines["programme"]), "years": frozenset(int(y) for y in lines["year"].unique())}


def _label(by: str, key) -> str | None:
    if by == "programme":
        return cr.programme_label(key)
    if by == "ministry":
        return cr.funder_label(key)
    if by == "theme":
        return themes.label(key)
    return None


def credit_aggregates(service, *, by: str, level: str | None, start: int | None, end: int | None,
                      programme: str | None, ministry: str | None, theme: str | None, territory: str | None,
                      limit: int, offset: int) -> tuple[list[dict], int, dict]:
    """Credits summed (exactly, in cents) per ``by`` value, largest first (years in order), and the totals."""
    lines = credit_lines(service)
    years = None
    if start is not None or end is not None:
        years = (start if start is not None else 0, end if end is not None else 9999)
    within = tuple(territory.split(":", 1)) if territory else None
    chosen = cr.filter_lines(lines, service.package.territories, years=years,
                             programmes=[programme] if programme else None,
                             ministries=[ministry] if ministry else None, themes=[theme] if theme else None,
                             territory=within)
    total_cents = int(chosen["cents"].sum()) if len(chosen) else 0
    totals = {"amount_eur": total_cents / 100, "lines": len(chosen)}
    if by == "territory":
        table = cr.by_territory(chosen, service.package.territories, level)
        names = dict(zip(service.package.territories.loc[service.package.territories["level"] == level, "code"],
                         service.package.territories.loc[service.package.territories["level"] == level, "name"],
                         strict=True))
        page = table.iloc[offset:offset + limit]
        items = [{"key": str(r["code"]), "level": level, "code": str(r["code"]), "name": names.get(r["code"]),
                  "amount_eur": int(r["cents"]) / 100, "lines": int(r["lines"]),
                  "qpv_population": int(r["qpv_population"]),
                  "per_qpv_inhabitant": plain(r["per_inhabitant"])} for r in page.to_dict("records")]
        return items, len(table), totals
    table = cr.breakdown(chosen, by)
    page = table.iloc[offset:offset + limit]
    items = []
    for r in page.to_dict("records"):
        key = int(r[by]) if by == "year" else (None if pd.isna(r[by]) else str(r[by]))
        items.append({"key": key, "label_fr": _label(by, key), "amount_eur": int(r["cents"]) / 100,
                      "lines": int(r["lines"])})
    return items, len(table), totals
