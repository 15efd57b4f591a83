"""A small package whose every name carries hostile text, and a commitment without a target.

Used by the hardening tests of /barometre and /credits: names must come out as text (never HTML), and
a commitment without a target date must render like any other."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from tests.tiny import tiny_package, write_tiny

PAYLOAD = "<img src=x onerror=window.__xss=1>"


def planted_package(dest) -> None:
    package = tiny_package()
    territories = package.territories.copy()
    territories["name"] = territories["name"] + " " + PAYLOAD
    territories.loc[territories["level"] == "departement", ["lon", "lat"]] = [2.45, 48.91]
    indicators = package.indicators.assign(ministry="travail", kind="result")
    observations = pd.DataFrame([
        {"level": level, "code": code, "indicator": "taux_pauvrete", "period": str(year), "value": value,
         "status": "ok"}
        for level, code in (("france", "FR"), ("departement", "93"), ("qpv", "QP093001"))
        for year, value in ((2019, 20.0), (2021, 19.0), (2023, 18.5))
    ])
    commitments = pd.DataFrame([
        {"id": "c1", "ministry": "travail", "measure": f"Réduire la pauvreté {PAYLOAD}", "indicator": "taux_pauvrete",
         "scope_level": "france", "scope_code": "FR", "baseline_date": "2019-12-31", "baseline_value": 20.0,
         "target_date": "2024-12-31", "target_value": 17.0},
        # No target: the barometer must still render this département's pages.
        {"id": "c2", "ministry": "travail", "measure": f"Réduire la pauvreté {PAYLOAD}", "indicator": "taux_pauvrete",
         "scope_level": "departement", "scope_code": "93", "baseline_date": "2019-12-31", "baseline_value": 20.0,
         "target_date": None, "target_value": None},
    ])
    base = package.credits.iloc[0].to_dict()
    credits = pd.DataFrame([
        {**base, "id": "1", "carrier": f"Association {PAYLOAD}", "label": f"Mesure {PAYLOAD}"},
        {**base, "id": "2", "carrier": f"=HYPERLINK(\"http://x\") {PAYLOAD}", "level": "departement", "code": "93",
         "lon": None, "lat": None, "year": 2022, "amount_eur": 1000.0, "label": "@SUM(A1)"},
    ])
    geometry = {"qpv": package.geometry["qpv"],
                "departement": gpd.GeoDataFrame({"code": ["93"]}, geometry=[box(2.2, 48.8, 2.6, 49.0)],
                                                crs="EPSG:4326")}
    write_tiny(dest, territories=territories, indicators=indicators, observations=observations,
               commitments=commitments, credits=credits, geometry=geometry)
