"""Territories and indicators of the read API: search, filters, one territory with its parents, the catalogue.

Pure functions over an :class:`~atlas.service.AtlasService`; the lookup tables they need are built once
per service (a few hundred milliseconds on the national package) and bounded in number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas import categories, schema, themes
from atlas.api.observations import observation_groups, territory_names
from atlas.api.output import plain, records
from atlas.places import france_codes_of
from atlas.service import fold, per_package

PARENT_LEVELS = ("commune", "epci", "contrat_de_ville", "departement", "region")


@per_package(maxsize=4)
def territory_frame(service) -> pd.DataFrame:
    """Every territory with its search text, in a stable order (level, then code)."""
    terr = service.package.territories.copy()
    for column in ("level", "code", "name", *(f"{p}_code" for p in PARENT_LEVELS)):
        if column in terr.columns:
            terr[column] = terr[column].astype(object).where(terr[column].notna(), None)
    communes = dict(zip(terr.loc[terr["level"] == "commune", "code"], terr.loc[terr["level"] == "commune", "name"],
                        strict=True))
    commune_names = terr["commune_code"].map(lambda c: communes.get(c, "") if isinstance(c, str) else "")
    terr["haystack"] = (terr["name"].astype(str) + " " + terr["code"].astype(str) + " " + commune_names).map(fold)
    terr["rank"] = terr["level"].map(level_rank(service))
    terr["population_sort"] = pd.to_numeric(terr["population"], errors="coerce").fillna(-1)
    return terr.sort_values(["rank", "code"]).reset_index(drop=True)


def level_rank(service) -> dict[str, int]:
    """Levels finest first, those the package declares among them (a zone d'emploi before its région)."""
    return {level: i for i, level in enumerate(service.level_order)}


def search_territories(service, *, q: str | None, level: str | None, parent: str | None, limit: int,
                       offset: int) -> tuple[list[dict], int]:
    """Territories matching every filter; with ``q``, exact codes and name prefixes first, then larger ones."""
    frame = territory_frame(service)
    mask = np.ones(len(frame), dtype=bool)
    if level:
        mask &= (frame["level"] == level).to_numpy()
    if parent:
        parent_level, _, parent_code = parent.partition(":")
        if parent_level != "france":
            column = f"{parent_level}_code"
            if column not in frame.columns:
                return [], 0
            mask &= (frame[column] == parent_code).to_numpy(dtype=bool, na_value=False)
            mask &= (frame["rank"] < level_rank(service)[parent_level]).to_numpy()
        else:
            mask &= (frame["level"] != "france").to_numpy()
    words = fold(q).split() if q else []
    for word in words:
        mask &= frame["haystack"].str.contains(word, regex=False).to_numpy()
    hits = frame[mask]
    if words:
        first = words[0]
        exact = (hits["code"].str.lower() == first) | hits["haystack"].str.startswith(first)
        hits = hits.assign(_later=~exact).sort_values(["_later", "rank", "population_sort", "code"],
                                                      ascending=[True, True, False, True])
    return territory_table(hits.iloc[offset:offset + limit], level_rank(service)), int(mask.sum())


TABLE_COLUMNS = ("level", "code", "name", "population", "population_year", "vintage",
                 *(f"parents_{p}" for p in PARENT_LEVELS), "lon", "lat", "area_km2")


def territory_table(rows: pd.DataFrame, ranks: dict[str, int]) -> pd.DataFrame:
    """Territory rows in the API's flat columns: a parent column holds only parents of a coarser level."""
    out = pd.DataFrame({"level": rows["level"], "code": rows["code"], "name": rows["name"],
                        "population": pd.to_numeric(rows["population"], errors="coerce").astype("Int64"),
                        "population_year": pd.to_numeric(rows["population_year"], errors="coerce").astype("Int64"),
                        "vintage": rows["vintage"]})
    for parent in PARENT_LEVELS:
        column = f"{parent}_code"
        values = rows[column] if column in rows.columns else pd.Series(None, index=rows.index, dtype=object)
        out[f"parents_{parent}"] = values.where(rows["rank"] < ranks[parent], None)
    for column in ("lon", "lat", "area_km2"):
        out[column] = rows[column].astype(float) if column in rows.columns else np.nan
    return out.reset_index(drop=True)


def territory_items(table: pd.DataFrame) -> list[dict]:
    """JSON items: the flat parent columns gathered into a ``parents`` object."""
    items = []
    for row in records(table):
        parents = {p: row.pop(f"parents_{p}") for p in PARENT_LEVELS}
        row["parents"] = {p: code for p, code in parents.items() if code is not None}
        items.append(row)
    return items


@per_package(maxsize=4)
def territory_positions(service) -> dict[tuple[str, str], int]:
    """``(level, code) -> row`` of :func:`territory_frame` (a dict lookup instead of a MultiIndex ``.loc``)."""
    frame = territory_frame(service)
    return {key: i for i, key in enumerate(zip(frame["level"], frame["code"], strict=True))}


def territory_detail(service, level: str, code: str) -> dict | None:
    """One territory with its parents named, finest first, down to France."""
    position = territory_positions(service).get((level, code))
    if position is None:
        return None
    frame = territory_frame(service)
    row = frame.iloc[position].to_dict()
    item = territory_items(territory_table(frame.iloc[[position]], level_rank(service)))[0]
    names = territory_names(service)
    parents = [{"level": parent_level, "code": parent_code, "name": names[(parent_level, parent_code)]}
               for parent_level, parent_code in item["parents"].items() if (parent_level, parent_code) in names]
    # Parents at the levels the package declares (a quarter's unité urbaine…), in the order of levels.
    parents += [{"level": d.id, "code": row[f"{d.id}_code"], "name": names[(d.id, row[f"{d.id}_code"])]}
                for d in service.declared_levels if (d.id, row.get(f"{d.id}_code")) in names]
    ranks = level_rank(service)
    parents.sort(key=lambda p: ranks[p["level"]])
    if level != "france":  # France métropolitaine contains no overseas territory
        parents += [{"level": "france", "code": c, "name": names[("france", c)]}
                    for c in france_codes_of(service, {**row, "level": level, "code": code})]
    item["parents"] = parents
    if level == "qpv" and isinstance(row.get("commune_codes"), str):
        item["commune_codes"] = [c for c in row["commune_codes"].split("|") if c]
    item["links"] = {"indicators": f"/api/v1/indicators?level={level}",  # then fill the template below
                     "observations_template": f"/api/v1/observations?indicator={{indicator}}&level={level}&code={code}"}
    if level == "qpv":
        item["links"]["summary"] = f"/api/v1/qpv/{code}"
    return item


# ------------------------------------------------------------------ indicators

INDICATOR_FIELDS = ("id", "label_fr", "label_en", "theme", "ministry", "unit", "polarity", "kind", "source",
                    "licence", "vintage", "definition", "comparability", "decimals")


def indicator_item(meta: dict) -> dict:
    item = {field: plain(meta.get(field)) for field in INDICATOR_FIELDS}
    for field in ("ministry", "comparability"):
        if item[field] == "":
            item[field] = None
    item["theme_label_fr"] = themes.labels().get(item["theme"])
    # How quarters' values add up into the exact aggregates offered as references (atlas/aggregates.py).
    aggregation = meta.get("aggregation")
    item["aggregation"] = aggregation if aggregation in schema.AGGREGATIONS else "none"
    classes = categories.of(meta)
    item["classes"] = [{"value": i, "code": c.code, "label": c.label, "colour": c.colour}
                       for i, c in enumerate(classes, start=1)] or None
    return item


def list_indicators(service, *, theme: str | None, ministry: str | None, kind: str | None, level: str | None,
                    limit: int, offset: int) -> tuple[list[dict], int]:
    frame = service.package.indicators
    mask = np.ones(len(frame), dtype=bool)
    for column, value in (("theme", theme), ("ministry", ministry), ("kind", kind)):
        if value:
            mask &= (frame[column] == value).to_numpy(dtype=bool, na_value=False)
    if level:
        mask &= frame["id"].isin(indicator_levels(service).get(level, set())).to_numpy()
    rows = frame[mask]
    return [indicator_item(r) for r in rows.iloc[offset:offset + limit].to_dict("records")], int(mask.sum())


def indicator_levels(service) -> dict[str, set[str]]:
    """``level -> {indicator ids with at least one observation there}``."""
    out: dict[str, set[str]] = {}
    for indicator, level in observation_groups(service):
        out.setdefault(level, set()).add(indicator)
    return out


@per_package(maxsize=4)
def indicator_coverage(service) -> dict[str, list[dict]]:
    """Per indicator, per level: number of territories and observations, first and last period."""
    obs = service.package.observations
    code_ids, _ = pd.factorize(obs["code"])
    period_ids, periods = pd.factorize(obs["period"].astype(str) if not hasattr(obs["period"], "cat")
                                       else obs["period"].cat.rename_categories(
                                           [str(c) for c in obs["period"].cat.categories]))
    periods = np.asarray(periods, dtype=object)
    out: dict[str, list[dict]] = {}
    for (indicator, level), rows in observation_groups(service).items():
        present = sorted(periods[np.unique(period_ids[rows])])
        out.setdefault(indicator, []).append({
            "level": level, "territories": len(np.unique(code_ids[rows])), "observations": len(rows),
            "first_period": str(present[0]), "last_period": str(present[-1])})
    for levels in out.values():
        levels.sort(key=lambda r: level_rank(service)[r["level"]])
    return out


def indicator_detail(service, indicator: str) -> dict | None:
    if not service.has_indicator(indicator):
        return None
    item = indicator_item(service.indicator(indicator))
    item["coverage"] = indicator_coverage(service).get(indicator, [])
    item["links"] = {"observations": f"/api/v1/observations?indicator={indicator}",
                     "csv": f"/api/v1/observations?indicator={indicator}&format=csv",
                     "download": f"/download/indicateur/{indicator}.csv"}
    return item
