"""A tiny, valid package built in code, for validation tests that break it one way at a time."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from atlas.package import DataPackage, write_package


def tiny_package() -> DataPackage:
    territories = pd.DataFrame([
        {"level": "france", "code": "FR", "name": "France", "population": 1000, "vintage": "COG 2024"},
        {"level": "region", "code": "11", "name": "Île-de-France", "population": 600, "vintage": "COG 2024"},
        {"level": "departement", "code": "93", "name": "Seine-Saint-Denis", "population": 300,
         "vintage": "COG 2024", "region_code": "11"},
        {"level": "commune", "code": "93066", "name": "Saint-Denis", "population": 110, "vintage": "COG 2024",
         "departement_code": "93", "region_code": "11"},
        {"level": "qpv", "code": "QP093001", "name": "Franc-Moisin", "population": 9, "vintage": "QPV 2015",
         "commune_code": "93066", "departement_code": "93", "region_code": "11"},
        {"level": "qpv", "code": "QN09301M", "name": "Franc-Moisin Bel-Air", "population": 10, "vintage": "QPV 2024",
         "commune_code": "93066", "departement_code": "93", "region_code": "11"},
    ])
    indicators = pd.DataFrame([{
        "id": "taux_pauvrete", "label_fr": "Taux de pauvreté", "label_en": "Poverty rate", "theme": "revenus",
        "ministry": None, "unit": "%", "polarity": "higher_is_worse", "kind": "context", "source": "INSEE",
        "licence": "Licence Ouverte 2.0", "vintage": "2021", "definition": "…", "comparability": None,
        "decimals": 1,
    }])
    observations = pd.DataFrame([
        {"level": "qpv", "code": "QP093001", "indicator": "taux_pauvrete", "period": "2019", "value": 41.0,
         "status": "ok"},
        {"level": "qpv", "code": "QN09301M", "indicator": "taux_pauvrete", "period": "2021", "value": None,
         "status": "secret"},
        {"level": "france", "code": "FR", "indicator": "taux_pauvrete", "period": "2021-03", "value": 14.5,
         "status": "ok"},
    ])
    commitments = pd.DataFrame([{
        "id": "c1", "ministry": "travail", "measure": "Réduire la pauvreté", "indicator": "taux_pauvrete",
        "scope_level": "france", "scope_code": "FR", "baseline_date": "2021-12-31", "baseline_value": 14.5,
        "target_date": "2024-12-31", "target_value": 13.0,
    }])
    credits = pd.DataFrame([{
        "id": "1", "year": 2023, "programme": "P147", "ministry": "transition_ecologique", "theme": "emploi",
        "carrier": "Association", "amount_eur": 22555.73, "beneficiaries": 30, "level": "commune", "code": "93066",
        "lon": 2.36, "lat": 48.93,
    }])
    geometry = {"qpv": gpd.GeoDataFrame({"code": ["QP093001"]}, geometry=[box(2.35, 48.92, 2.36, 48.93)],
                                        crs="EPSG:4326")}
    manifest = {"title": "Tiny", "generated_at": "2026-01-01T00:00:00+00:00", "illustrative": True,
                "sources": [{"id": "t", "title": "Test", "publisher": "Tests", "licence": "LO 2.0"}]}
    return DataPackage(manifest=manifest, territories=territories, indicators=indicators,
                       observations=observations, commitments=commitments, credits=credits, geometry=geometry)


def write_tiny(dest, **replace) -> DataPackage:
    package = tiny_package()
    for name, frame in replace.items():
        setattr(package, name, frame)
    write_package(package, dest)
    return package
