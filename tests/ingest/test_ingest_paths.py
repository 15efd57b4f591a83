"""Where input files are found: the data root, and absolute paths to files kept elsewhere (docs/ingestion.md)."""

from __future__ import annotations

from atlas.ingest.config import load_config
from atlas.ingest.pipeline import build


def test_absolute_paths_read_files_outside_the_data_root(tmp_path, make_config):
    root, elsewhere = tmp_path / "sources", tmp_path / "ailleurs"
    root.mkdir()
    elsewhere.mkdir()
    (root / "communes.csv").write_text("code,nom\n09122,Foix\n09225,Pamiers\n", encoding="utf-8")
    (elsewhere / "populations.csv").write_text("code,pop\n09122,9600\n", encoding="utf-8")
    (elsewhere / "contrats.csv").write_text("code,nom,dep\nCV001,Contrat de Foix,09\n", encoding="utf-8")
    make_config(tmp_path, f"""
    [[territories]]
    name = "communes"
    level = "commune"
    vintage = "COG 2018"
    file = "communes.csv"
    join = [{{ file = "{elsewhere / 'populations.csv'}", on = "code", columns = ["pop"] }}]
    fields = {{ code = "code", name = "nom", population = "pop", departement_code = {{ value = "09" }} }}

    [[territories]]
    name = "contrats"
    level = "contrat_de_ville"
    vintage = "CV 2015"
    file = "{elsewhere / 'contrats.csv'}"
    fields = {{ code = "code", name = "nom", departement_code = "dep" }}
    """)
    package, report = build(load_config(tmp_path / "sources.toml", data_root=root), tmp_path / "out", progress=False)
    communes = package.territories.query("level == 'commune'").set_index("code")
    assert communes.loc["09122", "population"] == 9600 and communes["population"].isna().sum() == 1
    assert package.territories.query("level == 'contrat_de_ville'")["name"].tolist() == ["Contrat de Foix"]
    # Reports name a file outside the data root by its name, never by an absolute path of the machine.
    step = next(s for s in report.steps if s.step == "contrats")
    assert step.files == ["contrats.csv"]
