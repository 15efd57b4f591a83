"""« Signaler une erreur »: a link built from ATLAS_FEEDBACK_URL, prefilled and encoded, hidden when unset."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from atlas.feedback import feedback_href, parse_feedback_url
from tests.test_embeds import walk


def test_a_mail_report_carries_the_page_territory_indicator_and_year_encoded():
    href = feedback_href("mailto:atlas@example.org", "http://127.0.0.1/qpv/QN001001", "Les Près & <Vignes> (QN1)",
                         "Taux de pauvreté (taux_pauvrete)", 2021)
    assert href.startswith("mailto:atlas@example.org?subject=")
    query = parse_qs(urlsplit(href).query)
    assert query["subject"] == ["Atlas QPV — signalement d'une erreur : Les Près & <Vignes> (QN1)"]
    body = query["body"][0]
    for line in ("Page : http://127.0.0.1/qpv/QN001001", "Territoire : Les Près & <Vignes> (QN1)",
                 "Indicateur : Taux de pauvreté (taux_pauvrete)", "Année : 2021"):
        assert line in body
    assert " " not in href and "<" not in href and "&<" not in href  # everything encoded


def test_a_form_report_keeps_the_forms_own_parameters():
    href = feedback_href("https://form.example/atlas?source=qpv", "http://h/qpv/Q1?x=1&y=2", "Q", "i", None)
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "form.example", "/atlas")
    assert parse_qs(parts.query) == {"source": ["qpv"], "page": ["http://h/qpv/Q1?x=1&y=2"], "territoire": ["Q"],
                                     "indicateur": ["i"]}


def test_no_setting_no_link_and_no_script_address_accepted():
    assert feedback_href("", "http://h/qpv/Q1", "Q") is None
    assert parse_feedback_url("  ") == ""
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://x", "//evil.example"):
        with pytest.raises(ValueError):
            parse_feedback_url(bad)
    from atlas.settings import load

    with pytest.raises(ValueError, match="ATLAS_FEEDBACK_URL"):
        load({"ATLAS_FEEDBACK_URL": "javascript:alert(1)"})
    assert load({"ATLAS_FEEDBACK_URL": "mailto:a@b.fr"})["ATLAS_FEEDBACK_URL"] == "mailto:a@b.fr"


@contextlib.contextmanager
def feedback_setting(dash_app, value: str):
    server = dash_app.server
    before = server.config.get("ATLAS_FEEDBACK_URL", "")
    server.config["ATLAS_FEEDBACK_URL"] = value
    try:
        with server.test_request_context("/_dash-update-component", base_url="http://atlas.example"):
            yield
    finally:
        server.config["ATLAS_FEEDBACK_URL"] = before


def report_links(layout) -> list:
    return [n for n in walk(layout) if getattr(n, "className", None) == "feedback-link"]


def test_the_profile_and_each_key_figure_link_to_a_prefilled_report(dash_app, service):
    from callbacks.profile import build_profile_page

    code = service.codes("qpv")[0]
    with feedback_setting(dash_app, "mailto:atlas@example.org"):
        layout = build_profile_page(service, {"code": code}, "")
    links = report_links(layout)
    cards = [n for n in walk(layout) if str(getattr(n, "className", "")).startswith("kf-card")]
    assert cards and len(links) == len(cards) + 1  # every key figure, and the profile itself
    assert links[0].children == "Signaler une erreur sur ce profil"
    name = service.territory_name("qpv", code)
    for link in links:
        body = unquote(parse_qs(urlsplit(link.href).query)["body"][0])
        assert f"Page : /qpv/{code}" in body and f"Territoire : {name} ({code})" in body
        assert "atlas.example" not in body  # never the Host header: page answers are shared by every visitor
    for card, link in zip(cards, links[1:], strict=True):
        indicator = card.to_plotly_json()["props"]["data-indicator"]
        body = parse_qs(urlsplit(link.href).query)["body"][0]
        assert f"({indicator})" in body and "Année : " in body


def test_no_report_link_when_the_setting_is_empty(dash_app, service):
    from callbacks.profile import build_profile_page

    with feedback_setting(dash_app, ""):
        layout = build_profile_page(service, {"code": service.codes("qpv")[0]}, "")
    assert report_links(layout) == []
    assert "Signaler" not in str(layout)


def test_the_map_note_links_to_a_prefilled_report(dash_app, service):
    from atlas.mapdata import MapRequest
    from callbacks.map import build_page

    level = service.map_levels()[0]
    request = MapRequest.from_query(service, {"niveau": level})
    with feedback_setting(dash_app, "https://form.example/signaler?source=atlas"):
        layout = build_page(service, {}, f"?niveau={level}")
    links = report_links(layout)
    assert len(links) == 1 and links[0].target == "_blank"
    query = parse_qs(urlsplit(links[0].href).query)
    assert query["source"] == ["atlas"] and query["page"][0].startswith("/?indicateur=")
    assert f"niveau={level}" in query["page"][0]
    assert query["indicateur"] == [f"{service.indicator(request.indicator)['label_fr']} ({request.indicator})"]
    assert query["annee"] == [str(request.year)] and query["territoire"][0].startswith("Carte — ")
    with feedback_setting(dash_app, ""):
        assert report_links(build_page(service, {}, f"?niveau={level}")) == []
