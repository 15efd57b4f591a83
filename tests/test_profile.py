"""The quarter profile: sentences equal the observations, statuses are spelled out, callbacks work."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from atlas.formatting import format_number, format_value
from atlas.profile import build_profile, gap_phrase, profile_frame, value_text
from atlas.profile_credits import CREDIT_SCOPES, credits_by_year, credits_for, measures_for
from atlas.profile_map import map_geometry
from layouts.sparkline import sparkline_svg
from tests.patches import shown
from tests.test_routes import text_of


def _obs(package, level, code, indicator, year):
    obs = package.observations
    row = obs[(obs["level"] == level) & (obs["code"] == code) & (obs["indicator"] == indicator)
              & (obs["period"].astype(str) == str(year))]
    return (None, "missing") if row.empty else (row["value"].iloc[0], str(row["status"].iloc[0]))


@pytest.fixture(scope="module")
def known(package):
    """The first quarter (by code) whose unemployment rate is 'ok' in the last year for it and its parents."""
    terr = package.territories.set_index(["level", "code"])
    year = max(int(p) for p in package.observations["period"].astype(str).unique() if len(p) == 4)
    for code in sorted(terr.loc["qpv"].index):
        row = terr.loc[("qpv", code)]
        chain = [("qpv", code), ("commune", row["commune_code"]), ("departement", row["departement_code"]),
                 ("france", "FR")]
        values = [_obs(package, lvl, c, "taux_chomage", year) for lvl, c in chain]
        if all(status == "ok" for _, status in values):
            return code, year, chain, [v for v, _ in values]
    pytest.skip("no quarter with a complete unemployment chain")


def test_sentence_numbers_equal_the_observations(service, known):
    code, year, _, values = known
    profile = build_profile(service, code)
    figure = next(f for f in profile.figures if f.indicator == "taux_chomage")
    assert figure.year == year
    q, c, d, f = (format_value(v, "%", 1) for v in values)
    diff = round(round(values[0], 1) - round(values[3], 1), 1)
    more = "de plus" if diff > 0 else "de moins"
    points = "point" if abs(diff) < 2 else "points"
    commune = service.territory_name(*known[2][1])
    departement = service.territory_name(*known[2][2])
    epci = figure.values.get("epci")
    epci_part = f", {format_value(epci.value, '%', 1)} dans l'intercommunalité ({epci.place.name})" if epci else ""
    expected = (f"Taux de chômage des 15-64 ans, {year} : {q} dans le quartier, contre {c} dans la commune ({commune})"
                f"{epci_part}, {d} dans le département ({departement}) et {f} en France, soit "
                f"{format_number(abs(diff), 1)}\u00a0{points} {more} qu'en France.")
    assert figure.sentence == expected
    assert figure.verdict == ("unfavourable" if diff > 0 else "favourable")
    assert [v for _, v, _ in figure.series][-1] == values[0]


def test_estimates_are_flagged_once_when_all_values_are_estimates(service, package, known):
    code = known[0]
    profile = build_profile(service, code)
    figure = next(f for f in profile.figures if f.indicator == "taux_pauvrete")
    statuses = {v.status for v in figure.values.values()}
    if statuses == {"estimate"}:
        assert figure.sentence.startswith(f"{figure.label}, {figure.year} (estimations) : ")
        assert "(estimation)" not in figure.sentence
    value, _ = _obs(package, "qpv", code, "taux_pauvrete", figure.year)
    assert format_value(value, "%", 1) in figure.sentence


def test_secret_and_missing_values_are_spelled_out(service, package):
    obs = package.observations
    secret = obs[(obs["level"] == "qpv") & (obs["indicator"] == "esperance_vie") & (obs["status"] == "secret")]
    code = sorted(secret["code"].unique())[0]
    profile = build_profile(service, code)
    figure = next(f for f in profile.figures if f.indicator == "esperance_vie")
    if figure.values["qpv"].status == "secret":
        assert figure.sentence.startswith(f"Espérance de vie à la naissance, {figure.year} : secret statistique dans "
                                          "le quartier")
        assert figure.gap == "" and figure.verdict is None
    assert value_text(None, "secret", "%", 1) == "secret statistique"
    assert value_text(None, "missing", "%", 1) == "non disponible"
    assert value_text(12.34, "estimate", "%", 1) == "12,3\u00a0% (estimation)"
    text = text_of(_page(service, code))
    assert "secret statistique" in text
    assert "Indice non calculé" in text or "Indice de bien-être" in text


def test_gap_phrases():
    assert gap_phrase(42.14, 14.5, "%", 1) == "27,6\u00a0points de plus qu'en France"
    assert gap_phrase(15.0, 14.0, "%", 1) == "1,0\u00a0point de plus qu'en France"
    assert gap_phrase(13800, 22000, "€", 0) == "8\u202f200\u00a0€ de moins qu'en France (−37\u00a0%)"
    assert gap_phrase(14.5, 14.54, "%", 1) == "le même niveau qu'en France"


def test_population_and_sections(service, known):
    profile = build_profile(service, known[0])
    assert [s.id for s in profile.sections] == ["population", "revenus", "emploi", "education", "sante",
                                                "securite", "logement", "services"]
    assert all(f.source and f.vintage for f in profile.figures)
    assert {"qpv", "commune", "departement", "france"} <= set(profile.places)
    assert build_profile(service, "QN999999") is None


def test_credits_are_split_by_scope(service, package, known):
    territory = service.territory("qpv", known[0])
    lines = credits_for(package.credits, territory)
    assert set(lines["scope"]) <= {scope for scope, _ in CREDIT_SCOPES}
    credits = package.credits
    own = credits[(credits["level"] == "qpv") & (credits["code"] == known[0])]
    assert lines[lines["scope"] == "qpv"]["amount_eur"].sum() == pytest.approx(own["amount_eur"].sum())
    commune = credits[(credits["level"] == "commune") & (credits["code"] == territory["commune_code"])]
    assert (lines["scope"] == "commune").sum() == len(commune)
    if not lines.empty:
        assert credits_by_year(lines).to_numpy().sum() == pytest.approx(lines["amount_eur"].sum())


def test_measures_count_beneficiaries(service, package, known):
    measures = measures_for(service, known[0])
    obs = package.observations
    counted = obs[(obs["level"] == "qpv") & (obs["code"] == known[0]) & obs["beneficiaries"].notna()]
    assert set(measures["indicator"]) == set(counted["indicator"])
    for row in measures.itertuples():
        last = counted[counted["indicator"] == row.indicator].sort_values("period").iloc[-1]
        assert row.beneficiaries == int(last["beneficiaries"])


def test_map_geometry_frames_the_commune(service, known):
    geometry = map_geometry(service.package.geometry, service.territory("qpv", known[0]))
    assert geometry["qpv"]["features"][0]["properties"]["code"] == known[0]
    (south, west), (north, east) = geometry["bounds"]
    assert south < north and west < east


def test_profile_csv_has_every_year_and_role(service, known):
    profile = build_profile(service, known[0])
    frame = profile_frame(service, profile)
    assert {"Quartier", "Commune", "Département", "France"} <= set(frame["role"])
    assert frame["year"].nunique() == len(service.years)
    assert {"source", "vintage", "status"} <= set(frame.columns)


def test_sparkline_breaks_at_gaps():
    svg = sparkline_svg([(2020, 1.0, "ok"), (2021, None, "secret"), (2022, 3.0, "estimate"), (2023, 4.0, "ok")],
                        [(2020, 2.0, "ok"), (2023, 2.0, "ok")])
    assert svg.count("M") == 3  # two quarter segments and the reference line
    assert 'fill="#fff"' in svg  # the estimate is a hollow point
    assert sparkline_svg([], []).startswith("<svg")
    # A year without publication is stepped over, not a break: 2013 and 2018 make one line.
    stepped = sparkline_svg([(2013, 1.0, "ok"), (2014, None, "missing"), (2018, 2.0, "ok")])
    assert stepped.count("M") == 1 and stepped.count("L") == 1


def _page(service, code):
    from callbacks.profile import build_profile_page

    return build_profile_page(service, {"code": code}, "", today=dt.date(2026, 11, 25))


def test_page_content(service, known):
    code = known[0]
    text = text_of(_page(service, code))
    profile = build_profile(service, code)
    for figure in profile.figures:
        assert figure.sentence in text
    for heading in ("Chiffres clés", "Indice de bien-être territorial", "Quartiers comparables",
                    "Crédits reçus et mesures", "Mesures qui atteignent les habitants", "Sources et définitions"):
        assert heading in text
    assert "Profil édité le 25 novembre 2026" in text
    assert "Crédits attribués à la commune (non spécifiques au quartier)" in text


def test_router_serves_profile_and_404(service, known, client):
    from callbacks.router import page_for

    assert service.territory_name("qpv", known[0]) in text_of(page_for(f"/qpv/{known[0]}"))
    assert "Page introuvable" in text_of(page_for("/qpv/QN999999"))
    assert client.get(f"/qpv/{known[0]}").status_code == 200
    css = client.get("/assets/print.css")
    assert css.status_code == 200 and b"@media print" in css.data


def test_callbacks_as_plain_functions(service, known):
    from callbacks import profile as cb

    code = known[0]
    figure, table = cb.update_evolution("taux_chomage", code)
    figure = shown(figure)
    assert figure.layout.title.text == service.indicator("taux_chomage")["label_fr"]
    assert any("Source :" in a.text for a in figure.layout.annotations)
    assert "Taux de chômage" in text_of(table)
    assert cb.update_evolution("inconnu", code) == (cb.no_update, cb.no_update)
    assert cb.update_evolution("taux_chomage", "QN999999") == (cb.no_update, cb.no_update)

    download = cb.profile_csv(code)
    assert download.filename("machine") == f"atlas-qpv-{code}-chiffres-cles.csv"
    assert download.filename("tableur") == f"atlas-qpv-{code}-chiffres-cles_tableur.csv"
    credits = cb.credits_csv(code)
    assert credits.filename("machine") == f"atlas-qpv-{code}-credits.csv"
    series = cb.evolution_csv("taux_chomage", code)
    assert series.filename("machine").endswith("taux_chomage.csv")
    peers = cb.peer_list(code)
    assert len(peers) == 5 and all(isinstance(d, float) for _, d in peers)


def test_csv_is_bom_utf8_with_french_text(service, known):
    import io

    from callbacks import profile as cb

    raw = cb.profile_csv(known[0]).to_bytes("tableur")
    frame = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert "Pauvreté et revenus" in set(frame["Rubrique"])


def _figure(values: dict, unpublished=(), year=2017):
    from atlas.places import Place
    from atlas.profile import KeyFigure, Value, sentence

    names = {"qpv": "Les Izards", "commune": "Toulouse", "departement": "Haute-Garonne",
             "france": "France métropolitaine"}
    vals = {role: Value(Place(role, role, "x", names[role]), v, status, y) for role, (v, status, y) in values.items()}
    gone = tuple(Place(role, role, "x", names[role]) for role in unpublished)
    draft = KeyFigure("tp", "Taux de pauvreté", "%", 1, "higher_is_worse", "Insee", "2017", year, vals, gone, (), (),
                      None, None, "", "", None)
    return sentence(draft)


def test_sentence_names_references_and_labels_fallback_years():
    text = _figure({"qpv": (43.9, "ok", 2021), "commune": (21.3, "ok", 2019), "france": (14.6, "ok", 2021)},
                   year=2021)
    assert text == ("Taux de pauvreté, 2021 : 43,9\u00a0% dans le quartier, contre 21,3\u00a0% dans la commune "
                    "(Toulouse) (2019) et 14,6\u00a0% en France métropolitaine.")


def test_sentence_says_when_a_reference_is_not_published():
    text = _figure({"qpv": (43.9, "ok", 2021), "france": (14.6, "ok", 2021)}, unpublished=("departement",), year=2021)
    assert "pas de valeur de référence publiée pour 2021 dans le département (Haute-Garonne)" in text
    alone = _figure({"qpv": (43.9, "ok", 2017)})
    assert alone.endswith("dans le quartier ; aucune valeur de référence publiée pour 2017 dans ce jeu de données.")
    for bad in ("None", "nan", "non disponible ("):
        assert bad not in text and bad not in alone


def test_reference_falls_back_to_the_nearest_published_year():
    from atlas.places import Place
    from atlas.profile import reference_value

    place = Place("france", "france", "FR", "France")
    series = ((2017, 14.0, "ok"), (2018, None, "missing"), (2019, 14.6, "ok"), (2022, 15.0, "ok"))
    assert reference_value(place, series, 2019).year == 2019
    nearest = reference_value(place, series, 2021)
    assert (nearest.value, nearest.year) == (15.0, 2022)
    assert reference_value(place, series, 2018).year == 2017  # a tie goes to the earlier year
    assert reference_value(place, (), 2021) is None


def test_one_value_gives_no_sparkline_but_the_value_and_its_year(service, known):
    from dataclasses import replace

    from layouts.sparkline import sparkline

    figure = build_profile(service, known[0]).figures[0]
    single = replace(figure, series=((2019, 12.5, "ok"), (2020, None, "missing")))
    component = sparkline(single)
    assert "Une seule année publiée pour le quartier" in text_of(component) and "2019" in text_of(component)
    assert "Img" not in str(type(component))


@pytest.mark.parametrize("hostile", [None, 12, ["QN001001"], {"code": 1}, "", "qn001001", "QN001001 ",
                                     "<img src=x onerror=alert(1)>", "Q" * 10_000])
def test_hostile_codes_and_indicators_never_fail(service, known, hostile):
    from callbacks import profile as cb

    code = known[0]
    assert cb.update_evolution("taux_chomage", hostile) == (cb.no_update, cb.no_update)
    assert cb.update_evolution(hostile, code) == (cb.no_update, cb.no_update)
    assert cb.evolution_csv(hostile, code) is None
    assert cb.profile_csv(hostile) is None
    assert cb.credits_csv(hostile) is None
    page = cb.build_profile_page(service, {"code": hostile}, "")
    assert "Page introuvable" in text_of(page)


def test_exact_codes_only(service, known):
    """A code differing only by case is another code: no profile, and nothing computed or cached for it."""
    from callbacks import profile as cb

    assert cb.known_quarter(service, known[0]) is not None
    assert cb.known_quarter(service, known[0].lower()) is None
    assert cb.known_indicator(service, "TAUX_CHOMAGE") is None and cb.known_indicator(service, "taux_chomage")


@pytest.mark.parametrize(("quarter", "commune"), [
    ((1.40, 43.60, 1.41, 43.61), (1.35, 43.55, 1.50, 43.66)),  # a quarter inside a commune of moderate size
    ((1.40, 43.60, 1.41, 43.61), (0.50, 42.50, 2.50, 44.50)),  # a huge commune: it is cut, never the quarter
    ((1.40, 43.60, 1.42, 43.61), (1.30, 43.50, 1.405, 43.605)),  # a quarter spilling over its main commune
    ((1.40, 43.60, 1.40001, 43.60001), None),  # a tiny quarter alone still gets surroundings
])
def test_the_mini_map_never_crops_the_quarter(quarter, commune):
    from atlas.profile_map import MIN_SPAN, frame_box

    west, south, east, north = frame_box(quarter, commune)
    assert west < quarter[0] and south < quarter[1] and east > quarter[2] and north > quarter[3]
    assert east - west >= MIN_SPAN and north - south >= MIN_SPAN
    assert frame_box(None, None) is None


def test_both_geographies_point_to_each_other(tmp_path):
    """QPV 2015 and QPV 2024 of the same commune: each profile lists the other geography with the caveat."""
    from atlas.package import load_package
    from atlas.service import AtlasService
    from layouts.profile import geography_note
    from tests.tiny import write_tiny

    write_tiny(tmp_path)
    svc = AtlasService(load_package(tmp_path))
    old, new = build_profile(svc, "QP093001"), build_profile(svc, "QN09301M")
    assert [q.code for q in old.other_geography] == ["QN09301M"]
    assert [q.code for q in new.other_geography] == ["QP093001"]
    old_text, new_text = text_of(geography_note(old)), text_of(geography_note(new))
    assert "les périmètres ont changé" in old_text and "périmètre QPV 2015" in old_text
    assert "Franc-Moisin Bel-Air (QN09301M) — Saint-Denis" in old_text
    assert "géographie précédente (QPV 2015)" in new_text and "Franc-Moisin (QP093001)" in new_text
    assert new.communes[0].name == "Saint-Denis"
