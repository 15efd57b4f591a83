"""/donnees: each table links to its files, its read-API equivalent and its licence; the DCAT catalogue is linked."""

from __future__ import annotations

from atlas import schema
from atlas.api.catalogue import API_EQUIVALENTS, LICENCE_IRIS
from tests.test_embeds import walk


def test_each_table_links_its_api_equivalent_and_licence(client, dash_app, service):
    from callbacks.downloads import build_data_page

    with dash_app.server.test_request_context():
        layout = build_data_page(service, {}, "")
    rows = {}
    for node in walk(layout):
        if type(node).__name__ == "Tr":
            hrefs = [n.href for n in walk(node) if getattr(n, "href", None)]
            if hrefs and hrefs[0].startswith("/download/tableur/") and hrefs[0].endswith(".csv"):
                name = hrefs[0].removeprefix("/download/tableur/").removesuffix(".csv")
                assert hrefs[1] == f"/download/{name}.csv"  # the machine form beside the spreadsheet form
                rows[name] = (node, hrefs)
    assert set(rows) == {t.name for t in schema.TABLES}
    for name, (row, hrefs) in rows.items():
        api = next(h for h in hrefs if h.startswith("/api/v1/"))
        assert api.split("?")[0] == API_EQUIVALENTS[name].split("?")[0]
        assert client.get(api).status_code == 200, api  # the equivalent answers
        licences = [n for n in walk(row) if getattr(n, "rel", None) == "license"]
        assert licences and all(n.href in LICENCE_IRIS.values() for n in licences), name
    links = [getattr(n, "href", None) for n in walk(layout)]
    assert "/api/v1/catalog.jsonld" in links and "/api" in links
    assert client.get("/api/v1/catalog.jsonld").status_code == 200
    table = next(n for n in walk(layout) if getattr(n, "id", None) == "data-catalogue")
    first = table.data[0]
    assert "/api/v1/observations?indicator=" in first["csv"] and first["licence_text"]
    assert client.get(first["csv"].split("[API](")[1].rstrip(")")).status_code == 200
