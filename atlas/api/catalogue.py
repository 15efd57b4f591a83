"""The package described for data catalogues: DCAT (JSON-LD) metadata built from the manifest.

Catalogues such as data.gouv.fr harvest DCAT; the description says what the package is, under which
licences, from which sources, over which years and territories, and where each table can be fetched
(file download and API equivalent).
"""

from __future__ import annotations

from atlas import schema
from atlas.api.output import plain
from atlas.barometer import package_years
from atlas.weblinks import link_address

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "locn": "http://www.w3.org/ns/locn#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
}
# Each table of the package: its download files and the API resource serving the same rows.
API_EQUIVALENTS = {
    "territories": "/api/v1/territories",
    "indicators": "/api/v1/indicators",
    "observations": "/api/v1/observations?indicator={indicator}",
    "commitments": "/api/v1/commitments",
    "credits": "/api/v1/credits?by=year",
}
# Licence names as packages write them -> the licence's IRI, which catalogues (data.gouv.fr) recognise.
LICENCE_IRIS = {
    "licence ouverte": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "etalab": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "cc-by": "https://creativecommons.org/licenses/by/4.0/",
    "cc by": "https://creativecommons.org/licenses/by/4.0/",
}
MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet", "json": "application/json"}


def licences(manifest: dict) -> list[str]:
    """Distinct licences of the package's sources, in order of first appearance."""
    seen: list[str] = []
    for source in manifest.get("sources", []):
        licence = source.get("licence")
        if isinstance(licence, str) and licence and licence not in seen:
            seen.append(licence)
    return seen


def licence_iri(name: str) -> str | None:
    """The licence's IRI when ``name`` is a licence catalogues know, else None."""
    return next((iri for key, iri in LICENCE_IRIS.items() if key in name.lower()), None)


def licence_node(name: str) -> dict:
    """A licence as JSON-LD: its IRI when the name is a known licence, always its name."""
    node = {"@type": "dct:LicenseDocument", "dct:title": name}
    iri = licence_iri(name)
    return {"@id": iri, **node} if iri else node


def table_licences(service, table: str) -> list[str]:
    """Licences of a table: its indicators' own for the indicator tables, else the package's sources'."""
    if table in ("indicators", "observations") and "licence" in service.package.indicators:
        named = [str(v) for v in service.package.indicators["licence"].dropna().unique() if str(v).strip()]
        if named:
            return list(dict.fromkeys(named))
    return licences(service.manifest)


def api_equivalent(service, table: str) -> str:
    """The read API's address serving ``table``'s rows (observations: those of the first indicator)."""
    first_indicator = next(iter(service.package.indicators["id"]), "")
    return API_EQUIVALENTS[table].format(indicator=first_indicator)


def coverage_label(terr) -> str:
    """Where the quarters are: « France » when they span most régions, else the régions' names."""
    region_names = dict(zip(terr.loc[terr["level"] == "region", "code"], terr.loc[terr["level"] == "region", "name"],
                            strict=True))
    qpv_regions = terr.loc[terr["level"] == "qpv", "region_code"].dropna().unique()
    names = sorted(str(region_names[c]) for c in qpv_regions if c in region_names) or sorted(
        str(n) for n in region_names.values())
    if not names or len(names) >= 13:
        return "France"
    return ", ".join(names[:5]) + (" …" if len(names) > 5 else "")


def spatial_coverage(service) -> dict:
    terr = service.package.territories
    located = terr[terr["lon"].notna() & terr["lat"].notna()]
    counts = {level: int((terr["level"] == level).sum()) for level in service.levels()}
    label = coverage_label(terr)
    coverage = {"@type": "dct:Location", "locn:geographicName": label, "territories_by_level": counts}
    if len(located):
        west, east = float(located["lon"].min()), float(located["lon"].max())
        south, north = float(located["lat"].min()), float(located["lat"].max())
        coverage["dcat:bbox"] = {
            "@type": "http://www.opengis.net/ont/geosparql#wktLiteral",
            "@value": f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"}
    return coverage


def temporal_coverage(service) -> dict | None:
    years = package_years(service)
    if not years:
        return None
    return {"@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@type": "xsd:date", "@value": f"{years[0]}-01-01"},
            "dcat:endDate": {"@type": "xsd:date", "@value": f"{years[-1]}-12-31"}}


def distributions(service, base_url: str) -> list[dict]:
    out = []
    for table in schema.TABLES:
        rows = len(service.package.table(table.name))
        for fmt in ("csv", "parquet"):
            out.append({"@type": "dcat:Distribution", "dct:title": f"{table.name}.{fmt}",
                        "dct:description": table.description, "dcat:mediaType": MEDIA_TYPES[fmt],
                        "dcat:downloadURL": {"@id": f"{base_url}/download/{table.name}.{fmt}"}, "rows": rows})
        api = api_equivalent(service, table.name)
        out.append({"@type": "dcat:Distribution", "dct:title": f"{table.name} (API)",
                    "dct:description": f"{table.description} JSON or CSV pages from the read API.",
                    "dcat:mediaType": MEDIA_TYPES["json"], "dcat:accessURL": {"@id": f"{base_url}{api}"},
                    "dct:conformsTo": {"@id": f"{base_url}/api/v1/openapi.json"}})
    for level in service.map_levels():
        out.append({"@type": "dcat:Distribution", "dct:title": f"geometry/{level}.geojson",
                    "dcat:mediaType": "application/geo+json",
                    "dcat:downloadURL": {"@id": f"{base_url}/download/geometry/{level}.geojson"}})
    return out


def catalog(service, base_url: str) -> dict:
    """The DCAT catalogue (one dataset: the package) as JSON-LD; ``base_url`` has no trailing slash."""
    manifest = service.manifest
    description = manifest.get("description") or manifest.get("title") or "Atlas QPV"
    if service.illustrative:
        description = f"[Données illustratives] {description}"
    sources = [{"@type": "dct:BibliographicResource", "dct:identifier": plain(s.get("id")),
                "dct:title": plain(s.get("title")), "dct:publisher": plain(s.get("publisher")),
                "dct:license": licence_node(s["licence"]) if isinstance(s.get("licence"), str) else None,
                "vintage": plain(s.get("vintage")),
                **({"@id": link_address(s.get("url"))} if link_address(s.get("url")) else {})}
               for s in manifest.get("sources", [])]
    dataset = {
        "@type": "dcat:Dataset",
        "@id": f"{base_url}/api/v1/catalog.jsonld#dataset",
        "dct:title": manifest.get("title") or "Atlas QPV",
        "dct:description": description,
        "dct:language": "fr",
        "dct:issued": plain(manifest.get("generated_at")),
        "dct:modified": plain(manifest.get("generated_at")),
        "dct:license": [licence_node(name) for name in licences(manifest)],
        "dct:source": sources,
        "dct:spatial": spatial_coverage(service),
        "dcat:keyword": ["quartiers prioritaires", "politique de la ville", "QPV", *schema.THEMES.values()],
        "dcat:landingPage": {"@id": f"{base_url}/donnees"},
        "dcat:distribution": distributions(service, base_url),
        "illustrative": service.illustrative,
        "geography": plain(manifest.get("geography", {})),
    }
    temporal = temporal_coverage(service)
    if temporal:
        dataset["dct:temporal"] = temporal
    return {
        "@context": CONTEXT,
        "@type": "dcat:Catalog",
        "@id": f"{base_url}/api/v1/catalog.jsonld",
        "dct:title": "Atlas QPV",
        "dct:description": "Atlas des inégalités territoriales et baromètre de l'action publique dans les quartiers "
                           "prioritaires de la politique de la ville.",
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": "Atlas QPV"},
        "dcat:dataset": [dataset],
    }
