# ruff: noqa: E501 — inline TOML tables must stay on one line, so some configuration lines below are long.
"""Long to wide: a pivot step on a key of several columns, independent of the order of the rows (docs/ingestion.md)."""

from __future__ import annotations

import pytest

from atlas.ingest.config import IngestError, load_config
from atlas.ingest.pipeline import build

CATALOGUE = """
[[indicators]]
name = "catalogue"
defaults = { source = "s", licence = "l", vintage = "2021", definition = "d", decimals = 1, kind = "result", theme = "emploi", polarity = "higher_is_better", unit = "%", ministry = "travail" }
rows = [{ id = "taux-emploi", label_fr = "Taux d'emploi", label_en = "Employment rate" }, { id = "taux-acces", label_fr = "Accès", label_en = "Access" }]
"""

# Target rows come before baselines for one key, after for another; a repeated pair and an unknown class too.
LONG = ("territoire;indicateur;type;valeur;date;libelle\n"
        "D09;taux-emploi;cible;65;2024-12-31;Emploi Ariège\n"
        "FRANCE;taux-emploi;reference;61,2;2021-06-30;Emploi France\n"
        "D09;taux-emploi;reference;58,5;2021-06-30;Emploi Ariège (réf.)\n"
        "FRANCE;taux-emploi;cible;66;2024-12-31;Emploi France\n"
        "D2A;taux-acces;reference;40;2021-06-30;Accès Corse-du-Sud\n"
        "D09;taux-emploi;cible;70;2025-12-31;Emploi Ariège bis\n"
        "D09;taux-emploi;prevision;67;2023-12-31;Emploi Ariège\n")

COMMITMENTS = """
[[commitments]]
name = "engagements"
file = "long.csv"
separator = ";"
decimal = ","
pivot = { key = ["territoire", "indicateur"], column = "type", value = ["valeur", "date"], columns = { reference = "baseline", cible = "target" } }
derive = { niveau = { column = "territoire", map = { FRANCE = "france" }, replace = [["^D.*$", "departement"]] }, code = { column = "territoire", map = { FRANCE = "FR" }, replace = [["^D", ""]] } }
fields = { id = { template = "{indicateur}-{territoire}" }, measure = "libelle", indicator = "indicateur", scope_level = "niveau", scope_code = "code", baseline_date = "baseline_date", baseline_value = "baseline_valeur", target_date = "target_date", target_value = "target_valeur" }
"""


def test_pivot_puts_baseline_and_target_on_one_row_whatever_their_order(tmp_path, make_config):
    (tmp_path / "long.csv").write_text(LONG, encoding="utf-8")
    make_config(tmp_path, CATALOGUE + COMMITMENTS)
    package, report = build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    rows = package.commitments.set_index("id")
    assert rows.loc["taux-emploi-D09", ["baseline_value", "baseline_date", "target_value", "target_date"]].tolist() \
        == [58.5, "2021-06-30", 65.0, "2024-12-31"]
    assert rows.loc["taux-emploi-FRANCE", ["baseline_value", "target_value", "scope_level", "scope_code"]].tolist() \
        == [61.2, 66.0, "france", "FR"]
    # A baseline without target row: the target stays empty (no local target), not borrowed from another key.
    assert rows.loc["taux-acces-D2A", "baseline_value"] == 40.0
    assert rows.loc["taux-acces-D2A", ["target_value", "target_date"]].isna().all()
    # Other columns come from the key's first row in the file (the target row of D09).
    assert rows.loc["taux-emploi-D09", "measure"] == "Emploi Ariège"
    issues = {(i.kind, i.row, i.column) for i in report.issues}
    assert ("duplicate", 6, "type") in issues       # a second target for (D09, taux-emploi)
    assert ("bad_choice", 7, "type") in issues      # « prevision » is not a pivoted class
    assert len(report.issues) == 2


def test_pivot_mistakes_name_the_step_and_the_column(tmp_path, make_config):
    (tmp_path / "long.csv").write_text(LONG, encoding="utf-8")
    make_config(tmp_path, CATALOGUE + COMMITMENTS.replace('column = "type"', 'column = "nature"'))
    with pytest.raises(IngestError, match=r"long\.csv, column 'nature': column named in 'pivot' not found"):
        build(load_config(tmp_path / "sources.toml"), tmp_path / "out", progress=False)
    make_config(tmp_path, CATALOGUE + COMMITMENTS.replace('value = ["valeur", "date"], ', ''))
    with pytest.raises(IngestError, match=r"commitments\[0\] \(engagements\).pivot: 'value' is required"):
        load_config(tmp_path / "sources.toml")
