"""Configuration mistakes and bad input end in messages naming the file, row, step and key — never a traceback."""

from __future__ import annotations

import pytest

from atlas.ingest.config import IngestError, load_config
from atlas.ingest.pipeline import build


def test_config_mistakes_are_reported_with_their_place(tmp_path, make_config):
    make_config(tmp_path, """
    [[territories]]
    name = "QPV"
    file = "qpv.geojson"
    level = "quartier"
    colums = { code = "code_qp" }
    fields = { code = "code_qp", surface = "x", name = { columns = "nom" } }
    """)
    with pytest.raises(IngestError) as error:
        load_config(tmp_path / "sources.toml")
    text = str(error.value)
    assert "territories[3] (QPV): unknown key 'colums'" in text
    assert "level 'quartier'" in text
    assert "'surface' is not a column of territories.parquet" in text
    assert "fields.name: unknown key 'columns'" in text
    make_config(tmp_path, """
    [[territories]]
    level = "qpv"
    vintage = "QPV 2015"
    file = "missing.geojson"
    fields = { code = "c", name = "n" }
    """)
    with pytest.raises(IngestError, match="input file not found"):
        build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)


def test_json_row_error_names_file_and_row(tmp_path, make_config):
    (tmp_path / "posts.json").write_text('[{"id": "a"}, "oops"]', encoding="utf-8")
    make_config(tmp_path, """
    [[credits]]
    file = "posts.json"
    [credits.fields]
    id = "id"
    year = { value = 2020 }
    programme = { value = "P147" }
    ministry = { value = "culture" }
    theme = { value = "culture" }
    carrier = { value = "x" }
    amount_eur = { value = 1 }
    level = { value = "france" }
    code = { value = "FR" }
    """)
    with pytest.raises(IngestError) as error:
        build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    problem = error.value.problems[0]
    assert (problem.file, problem.row) == ("posts.json", 2)


def test_an_unforeseen_mistake_still_names_its_step(tmp_path, make_config):
    (tmp_path / "values.csv").write_text("code,tp60\n09,12.5\n", encoding="utf-8")
    make_config(tmp_path, """
    [[indicators]]
    name = "catalogue"
    defaults = { source = "s", licence = "l", vintage = "2017", definition = "d", decimals = 1, kind = "context" }
    rows = [{ id = "taux-pauvrete", label_fr = "Taux", label_en = "Rate", theme = "revenus", unit = "%" }]
    catalogue = { "taux-pauvrete" = { polarity = "neutral" } }

    [[observations]]
    name = "pauvreté"
    file = "values.csv"
    level = "departement"
    fields = { code = "code", period = { value = "2017" } }
    wide = { tp60 = { period = "2017" } }
    """)
    with pytest.raises(IngestError) as error:
        build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    assert "observations step 'pauvreté': KeyError: 'indicator'" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_an_extract_that_does_not_match_says_so(tmp_path, make_config):
    (tmp_path / "qpv.csv").write_text("code,nom\nQP009001,Centre\nquartier 7,Nord\n", encoding="utf-8")
    make_config(tmp_path, """
    [[territories]]
    name = "QPV"
    file = "qpv.csv"
    level = "qpv"
    vintage = "QPV 2015"
    fields = { code = { column = "code", extract = "QP\\\\d{6}" }, name = { column = "nom", lower = true } }
    """)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    qpv = package.territories[package.territories["level"] == "qpv"]
    assert list(zip(qpv["code"], qpv["name"], strict=True)) == [("QP009001", "centre")]
    (no_match,) = [i for i in report.issues if i.kind == "no_match"]
    assert (no_match.row, no_match.column) == (2, "code")
    assert "'quartier 7' does not match the pattern" in no_match.message
    assert [i.row for i in report.issues if i.kind == "missing_value"] == [2]  # then rejected: a code is required


def test_a_code_holding_a_line_break_is_not_a_code(tmp_path, make_config):
    (tmp_path / "cv.csv").write_bytes(b'code,nom\nCV367,Foix\n"CV368\r\nCV368",Pamiers\n')
    make_config(tmp_path, """
    [[territories]]
    name = "contrats"
    level = "contrat_de_ville"
    vintage = "CV 2015"
    file = "cv.csv"
    fields = { code = "code", name = "nom" }
    """)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    assert list(package.territories.query("level == 'contrat_de_ville'")["code"]) == ["CV367"]
    issue = next(i for i in report.issues if i.kind == "bad_code")
    assert (issue.file, issue.row, issue.column) == ("cv.csv", 2, "code")
    assert issue.message.startswith("'CV368\\r\\nCV368' holds a line break")


def test_suffix_is_refused_where_there_is_no_id_to_rename(tmp_path, make_config):
    make_config(tmp_path, """
    [[territories]]
    name = "communes"
    level = "commune"
    vintage = "COG 2018"
    rows = [{ code = "09122", name = "Foix" }]
    fields = { code = "code", name = "name" }
    duplicates = "suffix"
    """)
    with pytest.raises(IngestError, match=r"territories\[3\] \(communes\): duplicates = 'suffix' renames repeated "
                                          r"ids, which only commitments and credits have"):
        load_config(tmp_path / "sources.toml")
