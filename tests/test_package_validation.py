"""A broken package is refused with a message naming the file, row and column."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from atlas.cli import main as cli
from atlas.package import PackageError, load_package, publish_atomically, write_package
from tests.tiny import tiny_package, write_tiny


def problems_of(path) -> list[str]:
    with pytest.raises(PackageError) as err:
        load_package(path)
    return [str(p) for p in err.value.problems]


def test_tiny_package_is_valid_and_keeps_both_qpv_geographies(tmp_path):
    write_tiny(tmp_path)
    package = load_package(tmp_path)
    qpv = package.territories[package.territories["level"] == "qpv"].set_index("code")
    assert qpv.loc["QP093001", "vintage"] == "QPV 2015"
    assert qpv.loc["QN09301M", "vintage"] == "QPV 2024"
    assert set(package.observations["period"].astype(str)) == {"2019", "2021", "2021-03"}


def test_code_stored_as_number_is_refused(tmp_path):
    pkg = tiny_package()
    credits = pkg.credits.copy()
    credits["code"] = [93066]
    write_tiny(tmp_path, credits=credits)
    expected = "credits.parquet, row 1, column 'code': must hold text (codes are strings), found 93066"
    assert expected in problems_of(tmp_path)


def test_unknown_territory_in_observations_names_row_and_column(tmp_path):
    obs = tiny_package().observations.copy()
    obs.loc[1, "code"] = "QP999999"
    write_tiny(tmp_path, observations=obs)
    assert "observations.parquet, row 2, column 'code': unknown territory qpv:QP999999" in problems_of(tmp_path)


def test_bad_status_value(tmp_path):
    obs = tiny_package().observations.copy()
    obs.loc[2, "status"] = "bogus"
    write_tiny(tmp_path, observations=obs)
    assert any(p.startswith("observations.parquet, row 3, column 'status': 'bogus' is not one of")
               for p in problems_of(tmp_path))


def test_duplicate_key(tmp_path):
    obs = tiny_package().observations
    write_tiny(tmp_path, observations=pd.concat([obs, obs.iloc[[0]]], ignore_index=True))
    assert any("observations.parquet, row 4" in p and "duplicate key" in p for p in problems_of(tmp_path))


def test_missing_required_column(tmp_path):
    write_tiny(tmp_path)
    frame = pd.read_parquet(tmp_path / "indicators.parquet").drop(columns=["polarity"])
    frame.to_parquet(tmp_path / "indicators.parquet", index=False)
    problems = problems_of(tmp_path)
    assert "indicators.parquet, column 'polarity': required column is absent" in problems
    # The file changed after the manifest was written: that is reported too.
    assert any("indicators.parquet: checksum differs" in p for p in problems)


def test_bad_period_and_secret_with_value(tmp_path):
    obs = tiny_package().observations.copy()
    obs.loc[0, "period"] = "2019/2020"
    obs.loc[1, "value"] = 12.0
    write_tiny(tmp_path, observations=obs)
    problems = problems_of(tmp_path)
    assert any("row 1, column 'period'" in p and "'2019/2020'" in p for p in problems)
    assert "observations.parquet, row 2, column 'value': status 'secret' must have an empty value" in problems


def test_unknown_parent_territory(tmp_path):
    terr = tiny_package().territories.copy()
    terr.loc[3, "departement_code"] = "94"
    write_tiny(tmp_path, territories=terr)
    assert any("territories.parquet, row 4, column 'departement_code'" in p and "'94'" in p
               for p in problems_of(tmp_path))


def test_unknown_indicator_in_commitments_and_bad_date(tmp_path):
    com = tiny_package().commitments.copy()
    com.loc[0, "indicator"] = "nope"
    com.loc[0, "target_date"] = "31/12/2024"
    write_tiny(tmp_path, commitments=com)
    problems = problems_of(tmp_path)
    assert any("commitments.parquet, row 1, column 'target_date'" in p for p in problems)


def test_negative_amount(tmp_path):
    cred = tiny_package().credits.copy()
    cred.loc[0, "amount_eur"] = -5.0
    write_tiny(tmp_path, credits=cred)
    assert any("credits.parquet, row 1, column 'amount_eur': must be ≥ 0" in p for p in problems_of(tmp_path))


def test_corrupted_file_fails_checksum(tmp_path):
    write_tiny(tmp_path)
    with open(tmp_path / "credits.parquet", "ab") as handle:
        handle.write(b"tampered")
    assert any(p.startswith("credits.parquet: checksum differs") for p in problems_of(tmp_path))


def test_missing_manifest_and_bad_json(tmp_path):
    assert any("manifest.json" in p and "not a data package" in p for p in problems_of(tmp_path))
    (tmp_path / "manifest.json").write_text("{nope")
    assert any(p.startswith("manifest.json: not valid JSON") for p in problems_of(tmp_path))


def test_geometry_code_must_exist(tmp_path):
    pkg = tiny_package()
    pkg.geometry["qpv"]["code"] = ["QP000000"]
    write_package(pkg, tmp_path)
    assert any(p.startswith("geometry/qpv.parquet, row 1, column 'code'") for p in problems_of(tmp_path))


def test_validate_command_exit_codes(tmp_path, capsys):
    write_tiny(tmp_path / "ok")
    assert cli(["validate", str(tmp_path / "ok")]) == 0
    obs = tiny_package().observations.copy()
    obs.loc[0, "indicator"] = "unknown_indicator"
    write_tiny(tmp_path / "bad", observations=obs)
    assert cli(["validate", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "observations.parquet, row 1, column 'indicator': unknown indicator 'unknown_indicator'" in err


def test_summary_json(tmp_path, capsys):
    write_tiny(tmp_path)
    assert cli(["summary", "--json", str(tmp_path)]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["territories"] == {"commune": 1, "departement": 1, "france": 1, "qpv": 2, "region": 1}
    assert counts["years"] == [2019, 2021]
    assert counts["observations"] == 3 and counts["credit_lines"] == 1 and counts["commitments"] == 1
    assert counts["illustrative"] is True and counts["indicators"] == 1 and counts["themes"] == 1


def test_failed_publish_leaves_served_package_untouched(tmp_path):
    served = tmp_path / "data"
    write_tiny(served)
    before = {p.name: p.read_bytes() for p in served.glob("*.parquet")}

    def broken_build(staging):
        obs = tiny_package().observations.copy()
        obs.loc[0, "code"] = "QP999999"
        write_tiny(staging, observations=obs)

    with pytest.raises(PackageError):
        publish_atomically(broken_build, served)
    assert {p.name: p.read_bytes() for p in served.glob("*.parquet")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no staging folder left behind

    publish_atomically(lambda staging: write_tiny(staging), served)
    assert load_package(served).manifest["title"] == "Tiny"
