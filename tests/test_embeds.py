"""Embeds: exact addresses (anything else is a 404), framing allowed only under /embed/, and their chrome."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from dash import no_update

from atlas import embeds


def walk(component):
    """Every component of a layout tree."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from walk(child)


def texts(component) -> str:
    out = []
    for node in walk(component):
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if isinstance(child, str):
                out.append(child)
    return " ".join(out)


@pytest.fixture(scope="module")
def quarter(service):
    return service.codes("qpv")[0]


def valid_addresses(service, quarter) -> list[str]:
    indicator = service.presentation.evolution
    level = service.map_levels()[0]
    return [f"/embed/qpv/{quarter}", f"/embed/qpv/{quarter.lower()}",
            f"/embed/graphique/qpv/evolution?quartier={quarter}",
            f"/embed/graphique/qpv/evolution?quartier={quarter}&indicateur={indicator}",
            f"/embed/graphique/qpv/credits?quartier={quarter}",
            f"/embed/graphique/comparer/evolution?codes=qpv:{quarter},departement:{service.codes('departement')[0]}"
            f"&indicateur={indicator}",
            "/embed/carte", f"/embed/carte?niveau={level}&indicateur={indicator}&annee={service.years[-1]}",
            "/embed/carte?vue=46.5,2.5,6&fond=aucun",
            "/embed/graphique/barometre/engagements", "/embed/graphique/barometre/serie?ministere=culture",
            f"/embed/graphique/barometre/couverture?territoire=departement:{service.codes('departement')[0]}"
            f"&debut={service.years[0]}&fin={service.years[-1]}"]


def test_every_embed_address_the_atlas_offers_answers_200(client, service, quarter):
    for path in valid_addresses(service, quarter):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'<html lang="fr" class="embed">' in response.data, path


@pytest.mark.parametrize("path", [
    "/embed/qpv/NOPE", "/embed/qpv/{q}?x=1", "/embed/qpv/{q}/extra", "/embed/qpv/%3Cscript%3E",
    "/embed/graphique/qpv/nope?quartier={q}", "/embed/graphique/nope/evolution?quartier={q}",
    "/embed/graphique/qpv/evolution", "/embed/graphique/qpv/evolution?quartier=ZZ",
    "/embed/graphique/qpv/evolution?quartier={q}&indicateur=nope",
    "/embed/graphique/qpv/evolution?quartier={q}&quartier={q}",
    "/embed/graphique/qpv/evolution?quartier={q}&utm=1",
    "/embed/graphique/qpv/evolution?quartier=" + quote("<img src=x onerror=alert(1)>"),
    "/embed/graphique/comparer/evolution?codes=qpv:{q}",
    "/embed/graphique/comparer/evolution?codes=nope:1&indicateur=x",
    "/embed/carte?indicateur=nope", "/embed/carte?niveau=CONTINENT", "/embed/carte?annee=1850",
    "/embed/carte?mode=javascript:alert(1)", "/embed/carte?fond=https://evil.example", "/embed/carte?vue=1,2",
    "/embed/carte?x=" + "a" * 3000, "/embed/", "/embed/x", "/embed/carte/x",
    "/embed/graphique/barometre/engagements?ministere=CULTURE", "/embed/graphique/barometre/serie?fin=1900",
    "/embed/graphique/barometre/couverture?territoire=departement:ZZ", "/embed/graphique/barometre/serie?quartier={q}",
])
def test_anything_else_under_embed_is_a_real_404(client, quarter, path):
    response = client.get(path.format(q=quarter))
    assert response.status_code == 404, path
    assert b"_dash-renderer" not in response.data and "introuvable" in response.get_data(as_text=True)


def test_framing_is_allowed_under_embed_only(client, quarter):
    framed = client.get(f"/embed/qpv/{quarter}")
    policy = framed.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "X-Frame-Options" not in framed.headers
    assert "'unsafe-inline'" not in next(p for p in policy.split(";") if "script-src" in p)
    for path in ("/", f"/qpv/{quarter}", "/donnees", "/api/v1/indicators", "/_dash-layout"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


@pytest.mark.parametrize("ancestors, expected, frame_options", [
    (["https://journal.example", "https://*.asso.example"], "frame-ancestors https://journal.example "
                                                            "https://*.asso.example", None),
    ([], "frame-ancestors 'none'", "DENY"),
])
def test_the_setting_lists_who_may_frame_the_embeds(ancestors, expected, frame_options):
    import dash
    from dash import html

    import hardening

    app = dash.Dash(__name__)
    app.layout = html.Div()
    app.server.add_url_rule("/embed/essai", "essai", lambda: "ok")
    app._setup_server()
    hardening.install_security_headers(app, ancestors)
    client = app.server.test_client()
    embed, page = client.get("/embed/essai"), client.get("/")
    assert expected in embed.headers["Content-Security-Policy"]
    assert embed.headers.get("X-Frame-Options") == frame_options
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_the_embed_problem_is_named(service, quarter):
    assert embeds.embed_problem(service, "embed-qpv", {"code": quarter}, "") is None
    assert embeds.embed_problem(service, "embed-graphique", {"page": "qpv", "chart": "credits"},
                                "quartier=" + quarter) is None
    assert embeds.embed_problem(service, "embed-graphique", {"page": "qpv", "chart": "credits"},
                                "") == "paramètre manquant"
    assert embeds.embed_problem(service, "embed-carte", {}, "annee=1850") == "valeur refusée : annee"
    assert embeds.embed_problem(service, "carte", {}, "") == "page non intégrable"


def test_the_card_shows_the_key_figures_with_their_references_and_its_chrome(service, quarter):
    from callbacks.embeds import build_profile_card

    card = build_profile_card(service, {"code": quarter}, "")
    text = texts(card)
    assert service.territory_name("qpv", quarter) in text
    assert "Source" in text and "millésime" in text and "édité le" in text
    assert ("Données illustratives" in text) == service.illustrative
    figures = [n for n in walk(card) if getattr(n, "className", None) == "embed-figure"]
    assert figures and all("France" in texts(f) or "Pas de valeur de référence" in texts(f) for f in figures)
    back = next(n for n in walk(card) if getattr(n, "className", None) == "embed-back")
    assert back.href == f"/qpv/{quarter}" and back.target == "_blank"
    assert "None" not in text and "nan" not in text


def test_each_chart_embed_carries_its_source_and_its_way_back(service, quarter):
    from callbacks.embeds import build_chart

    indicator = service.presentation.evolution
    departement = service.codes("departement")[0]
    for page, chart, query in [("qpv", "evolution", f"quartier={quarter}&indicateur={indicator}"),
                               ("qpv", "credits", f"quartier={quarter}"),
                               ("comparer", "evolution", f"codes=departement:{departement}&indicateur={indicator}"),
                               ("barometre", "engagements", "ministere=culture"),
                               ("barometre", "serie", f"territoire=departement:{departement}"),
                               ("barometre", "couverture", "")]:
        layout = build_chart(service, {"page": page, "chart": chart}, query)
        text = texts(layout)
        assert "Source" in text and "édité le" in text, (page, chart)
        graphs = [n for n in walk(layout) if type(n).__name__ == "Graph"]
        notes = [n for n in walk(layout) if getattr(n, "className", None) == "muted"]
        assert (len(graphs) == 1 and graphs[0].figure.data) or (not graphs and notes), (page, chart)
        back = next(n for n in walk(layout) if getattr(n, "className", None) == "embed-back")
        assert back.href.startswith({"qpv": "/qpv/", "comparer": "/comparer?codes=departement:",
                                     "barometre": "/barometre"}[page])
        if query and page == "barometre":
            assert back.href == f"/barometre?{query}"
    refused = build_chart(service, {"page": "qpv", "chart": "evolution"}, "quartier=NOPE")
    assert "Contenu introuvable" in texts(refused)


def test_the_dialog_offers_addresses_that_answer(client, service, quarter):
    from callbacks.profile import profile_view

    view = profile_view(service, quarter)
    assert view.embeds and view.embeds[0]["path"] == f"/embed/qpv/{quarter}"
    for choice in view.embeds:
        assert client.get(choice["path"]).status_code == 200, choice
        assert choice["title"].endswith("Atlas QPV") and choice["height"] >= 400
        query = parse_qs(urlsplit(choice["path"]).query)
        assert all(len(v) == 1 for v in query.values())


def test_the_comparison_offers_the_chart_of_each_indicator_shown(client, service, quarter):
    from callbacks.compare import compare_view, embed_the_shown_charts

    departement = service.codes("departement")[0]
    search = f"?codes=qpv:{quarter},departement:{departement}"
    view = compare_view(service, search)
    assert [parse_qs(urlsplit(c["path"]).query)["indicateur"] for c in view.embeds] == [[i] for i in view.chosen]
    for choice in view.embeds:
        assert client.get(choice["path"]).status_code == 200, choice
        assert f"codes=qpv:{quarter},departement:{departement}" in choice["path"]
    other = [i for i in service.indicators_at("departement") if i not in view.chosen][:1]
    choices, options, selected = embed_the_shown_charts([*other, "<nope>"], search)
    assert [c["path"].rsplit("=", 1)[1] for c in choices] == other and len(options) == 1 and selected == 0
    assert embed_the_shown_charts(other, "?codes=nope:1") == (no_update,) * 3
