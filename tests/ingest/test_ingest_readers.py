"""Every input format and encoding quirk, on small files the tests write themselves."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import Workbook
from shapely.geometry import Point, box

from atlas.ingest.config import Config, IngestError
from atlas.ingest.fields import evaluate, normalise_code, parse_numbers
from atlas.ingest.readers import read_file


def config_for(folder) -> Config:
    return Config(path=folder / "sources.toml", data={}, data_root=folder)


def read(folder, name, **options):
    return read_file(config_for(folder), folder / name, options)


def test_csv_with_bom_semicolons_decimal_comma_latin1(tmp_path):
    text = "code_dep;nom;taux\n09;Ariège;12,5\n2A;Corse-du-Sud;1 234,75\n971;Guadeloupe;\n"
    (tmp_path / "bom.csv").write_bytes("\ufeff".encode() + text.encode("utf-8"))
    (tmp_path / "latin.csv").write_bytes(text.encode("latin-1"))
    for frame in (read(tmp_path, "bom.csv", separator=";", decimal=","),
                  read(tmp_path, "latin.csv", separator=";", decimal=",", encoding="latin-1")):
        assert list(frame.columns[2:]) == ["code_dep", "nom", "taux"]  # no BOM glued to the first header
        assert frame["code_dep"].tolist() == ["09", "2A", "971"]  # codes stay text
        assert frame["nom"].iloc[0] == "Ariège"
        values, bad = parse_numbers(frame["taux"], frame.attrs["decimal"])
        assert values.iloc[0] == 12.5 and values.iloc[1] == 1234.75 and pd.isna(values.iloc[2])
        assert not bad.any()
        assert frame["_row"].tolist() == [1, 2, 3]


def test_wrong_encoding_is_a_clear_error(tmp_path):
    (tmp_path / "latin.csv").write_bytes("nom\nAriège\n".encode("latin-1"))
    with pytest.raises(IngestError, match=r"latin\.csv.*encoding"):
        read(tmp_path, "latin.csv")


def test_csv_separator_sniffed(tmp_path):
    (tmp_path / "tab.tsv").write_text("a\tb\n1\t2\n", encoding="utf-8")
    assert list(read(tmp_path, "tab.tsv", separator="auto").columns[2:]) == ["a", "b"]


def test_zero_pad_restores_codes_that_lost_their_leading_zero():
    codes = pd.Series(["9", "9261", "9.0", "2A", "2A004", "971", "97411", None])
    assert normalise_code(codes, 2).tolist() == ["09", "9261", "09", "2A", "2A004", "971", "97411", None]
    assert normalise_code(codes, 5).tolist()[:2] == ["00009", "09261"]
    assert normalise_code(codes, 5).tolist()[4] == "2A004"


def test_xlsx_numbers_dates_and_codes(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Transactions foncières"
    sheet.append(["code_departement", "code_commune", "code_qp", "date_mutation", "valeur_fonciere"])
    sheet.append([9, 9261, "QP009001", dt.datetime(2020, 2, 29), 65000])
    sheet.append(["2A", "2A004", "QP02A001", dt.datetime(2019, 1, 31), 1234.5])
    book.save(tmp_path / "foncier.xlsx")
    frame = read(tmp_path, "foncier.xlsx", sheet="Transactions foncières")
    assert frame["code_departement"].tolist() == ["9", "2A"]
    assert normalise_code(frame["code_departement"], 2).tolist() == ["09", "2A"]
    assert normalise_code(frame["code_commune"], 5).tolist() == ["09261", "2A004"]
    assert frame["date_mutation"].tolist() == ["2020-02-29", "2019-01-31"]
    assert frame["valeur_fonciere"].tolist() == ["65000", "1234.5"]


def test_json_array_records_path_and_year_int_or_string(tmp_path):
    records = [{"id_poste": "A1", "annee": 2022, "montant": 7164.0, "code_cv": None},
               {"id_poste": "A2", "annee": "2023", "montant": 7164, "code_cv": "CV380CV384"}]
    (tmp_path / "flat.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "nested.json").write_text(json.dumps({"data": {"posts": records}}), encoding="utf-8")
    flat = read(tmp_path, "flat.json")
    nested = read(tmp_path, "nested.json", records="data.posts")
    for frame in (flat, nested):
        assert frame["annee"].tolist() == ["2022", "2023"]  # int and string years read alike
        assert frame["montant"].tolist() == ["7164", "7164"]
        assert frame["code_cv"].iloc[0] is None
    with pytest.raises(IngestError, match="records"):
        read(tmp_path, "nested.json")


def test_json_array_of_non_objects_names_the_row(tmp_path):
    (tmp_path / "bad.json").write_text('[{"a": 1}, 2]', encoding="utf-8")
    with pytest.raises(IngestError) as error:
        read(tmp_path, "bad.json")
    assert error.value.problems[0].row == 2


def _zones(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"code": ["09", "2A"], "num": [9, 20]},
                             geometry=[box(1.4, 42.9, 1.5, 43.0), box(8.7, 41.9, 8.8, 42.0)], crs="EPSG:4326")
    return frame.to_crs(crs)


@pytest.mark.parametrize(("name", "driver"), [("zones.shp", "ESRI Shapefile"), ("zones.gpkg", "GPKG"),
                                              ("zones.fgb", "FlatGeobuf"), ("zones.geojson", "GeoJSON")])
def test_vector_formats_reprojected_from_lambert93(tmp_path, name, driver):
    _zones("EPSG:2154").to_file(tmp_path / name, driver=driver)
    frame = read(tmp_path, name).sort_values("code")  # FlatGeobuf's spatial index reorders features
    assert frame.crs.to_epsg() == 4326
    assert frame["code"].tolist() == ["09", "2A"]
    assert frame["num"].tolist() == ["9", "20"]
    minx, _, _, maxy = frame.geometry.iloc[0].bounds
    assert minx == pytest.approx(1.4, abs=1e-6) and maxy == pytest.approx(43.0, abs=1e-6)


def test_declared_crs_for_a_file_without_one(tmp_path):
    projected = _zones("EPSG:2154")
    features = [{"type": "Feature", "properties": {"code": c}, "geometry": g.__geo_interface__}
                for c, g in zip(projected["code"], projected.geometry, strict=True)]
    (tmp_path / "l93.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    frame = read(tmp_path, "l93.geojson", crs="EPSG:2154")
    assert frame.geometry.iloc[1].bounds[0] == pytest.approx(8.7, abs=1e-6)


def test_topojson(tmp_path):
    topology = {
        "type": "Topology",
        "objects": {"zones": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0]], "properties": {"code": "09", "nom": "A"}},
            {"type": "Polygon", "arcs": [[1]], "properties": {"code": 20, "nom": "B"}}]}},
        "arcs": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], [[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]],
    }
    (tmp_path / "zones.topojson").write_text(json.dumps(topology))
    (tmp_path / "zones.json").write_text(json.dumps(topology))
    for name in ("zones.topojson", "zones.json"):
        frame = read(tmp_path, name)
        assert frame["code"].tolist() == ["09", "20"]
        assert frame.geometry.iloc[1].area == pytest.approx(1.0)


def test_member_of_a_zip_archive(tmp_path):
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as archive:
        archive.writestr("CSV/data.csv", "code;valeur\n01;1,5\n")
        archive.writestr("GEOJSON/points.geojson", json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": "CV001"}, "geometry": Point(5.2, 45.9).__geo_interface__}]}))
    csv = read(tmp_path, "bundle.zip", member="CSV/data.csv", separator=";")
    assert csv["code"].tolist() == ["01"]
    points = read(tmp_path, "bundle.zip", member="GEOJSON/points.geojson")
    assert points["code"].tolist() == ["CV001"]


def test_unknown_extension_asks_for_a_format(tmp_path):
    (tmp_path / "data.dat").write_text("x")
    with pytest.raises(IngestError, match="format"):
        read(tmp_path, "data.dat")


def test_field_options():
    frame = pd.DataFrame({"_file": "f", "lib": ["13 - CA du Pays d'Aix", "NA - CA de Bastia"],
                          "cv": ["CV380CV384", "CV043"], "a": ["x", None], "b": ["1", "2"]})
    names, _ = evaluate(frame, {"column": "lib", "replace": [["^\\S+ - ", ""]]})
    assert names.tolist() == ["CA du Pays d'Aix", "CA de Bastia"]
    codes, several = evaluate(frame, {"column": "cv", "extract": "CV\\d{3}"})
    assert codes.tolist() == ["CV380", "CV043"] and several.tolist() == [True, False]
    ids, _ = evaluate(frame, {"template": "ar-{b}-{cv}"})
    assert ids.tolist() == ["ar-1-CV380CV384", "ar-2-CV043"]
    first, _ = evaluate(frame, {"column": ["a", "b"], "map": {"2": "deux"}, "upper": True})
    assert first.tolist() == ["X", "DEUX"]
    constant, _ = evaluate(frame, {"value": 2015})
    assert constant.tolist() == ["2015", "2015"]
    with pytest.raises(IngestError, match="column 'nope'"):
        evaluate(frame, "nope")


def test_json_path_with_index_and_flattened_nested_arrays(tmp_path):
    payload = {"data": [{"results": [
        {"annee": 2021, "code_cv": "CV001", "lignes": [{"id": "a", "montant": 10}, {"id": "b", "montant": 5.5}]},
        {"annee": 2022, "code_cv": "CV002", "meta": {"x": 1}, "lignes": [{"id": "c", "montant": 7, "annee": 2023}]},
    ]}]}
    (tmp_path / "credits.json").write_text(json.dumps(payload), encoding="utf-8")
    frame = read(tmp_path, "credits.json", records="data.0.results", flatten="lignes")
    assert frame[["_row", "annee", "code_cv", "id", "montant"]].values.tolist() == [
        [1, "2021", "CV001", "a", "10"], [1, "2021", "CV001", "b", "5.5"],
        [2, "2023", "CV002", "c", "7"]]  # the nested element's own year wins; rows keep their record's number
    assert "meta" not in frame.columns and "lignes" not in frame.columns
    with pytest.raises(IngestError, match=r"index 3 out of range on the path 'data\.3\.results'"):
        read(tmp_path, "credits.json", records="data.3.results")
    with pytest.raises(IngestError, match=r"credits.json, row 1: no array 'postes' to flatten"):
        read(tmp_path, "credits.json", records="data.0.results", flatten="postes")


def write_ods(path, rows):
    """A minimal OpenDocument spreadsheet (what LibreOffice and many administrations export)."""
    def cell(value):
        if isinstance(value, int | float):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f'<text:p>{value}</text:p></table:table-cell>')
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Feuille1">' + body +
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)


def test_ods_spreadsheet_is_read_as_text(tmp_path):
    write_ods(tmp_path / "communes.ods", [["code", "nom", "pop"], ["09", "Ariège", 153153], [9, "Foix", 2.5]])
    frame = read(tmp_path, "communes.ods")
    assert frame[["code", "nom", "pop"]].values.tolist() == [["09", "Ariège", "153153"], ["9", "Foix", "2.5"]]
    assert frame["_row"].tolist() == [1, 2]


def test_old_binary_xls_workbook_is_read_as_text(tmp_path):
    import xlwt  # a test dependency (pyproject: test extra)
    book = xlwt.Workbook()
    sheet = book.add_sheet("Communes")
    for r, row in enumerate([["code", "nom", "pop"], ["09", "Ariège", 153153], [9, "Foix", 2.5]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "communes.xls"))
    frame = read(tmp_path, "communes.xls")
    assert frame[["code", "nom", "pop"]].values.tolist() == [["09", "Ariège", "153153"], ["9", "Foix", "2.5"]]
    assert frame["_row"].tolist() == [1, 2]
