"""Every CSV download in both forms: each parses in its own convention and both give the same numbers.

French spreadsheet form: ``read_csv(sep=";", decimal=",", encoding="utf-8-sig")``; machine form: ``read_csv``
defaults. The numbers of the French form are the machine ones rounded (and shares ×100); its headers are French,
its codes French labels; every machine header is snake_case and documented in docs/csv-exports.md.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from atlas import csvexport, opendata
from atlas.csvexport import FRENCH, MACHINE, CsvTable

DOC = Path(__file__).resolve().parent.parent / "docs" / "csv-exports.md"
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
CODES = {"late", "on_track", "achieved", "no_target", "no_data", "higher_is_better", "higher_is_worse", "ok",
         "estimate", "best", "worst", "more_better", "annual"}


def read_french(raw: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig", dtype_backend="numpy_nullable",
                       low_memory=False)


def read_machine(raw: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(raw), dtype_backend="numpy_nullable", low_memory=False)


def min_decimals(table: CsvTable, spec: csvexport.Column) -> int:
    if spec.kind == "value":
        return table.decimals if isinstance(table.decimals, int) else min([*table.decimals.values(), 2])
    return 0 if spec.kind == "int" else spec.decimals


def assert_same_numbers(table: CsvTable, french_raw: bytes, machine_raw: bytes) -> None:
    french, machine = read_french(french_raw), read_machine(machine_raw)
    assert len(french) == len(machine) == len(table.frame)
    assert not csvexport.unknown_columns(table), csvexport.unknown_columns(table)
    assert list(machine.columns) == list(table.frame.columns)
    assert all(SNAKE.match(c) for c in machine.columns), list(machine.columns)
    shown = [c for c in machine.columns if table.columns[c].french]
    assert len(french.columns) == len(shown)
    for name, header in zip(shown, french.columns, strict=True):
        spec = table.columns[name]
        if spec.kind in ("int", "number", "share", "value"):
            got = pd.to_numeric(french[header], errors="raise").astype(float).to_numpy()
            want = pd.to_numeric(machine[name], errors="raise").astype(float).to_numpy() * (
                100 if spec.kind == "share" else 1)
            assert np.array_equal(np.isnan(got), np.isnan(want)), (name, header)
            tolerance = 0.5 * 10.0 ** -min_decimals(table, spec) + 1e-9
            assert np.all(np.abs(got - want)[~np.isnan(want)] <= tolerance), (name, header)
        elif spec.labels is not None and len(french):
            assert not set(french[header].dropna().astype(str)) & CODES, (name, set(french[header]))
    assert not set(french.columns) & set(machine.columns) - {"Code", "Source"}  # French headers, not codes


def both_forms(table: CsvTable) -> None:
    assert table.filename(FRENCH) != table.filename(MACHINE)
    french_raw, machine_raw = table.to_bytes(FRENCH), table.to_bytes(MACHINE)
    assert french_raw.startswith(b"\xef\xbb\xbf") and not machine_raw.startswith(b"\xef\xbb\xbf")
    assert_same_numbers(table, french_raw, machine_raw)


def builders(service):
    """Every page download, as (name, builder, arguments) on the demo package."""
    from atlas import barometer as bar
    from atlas import barometer_state as bar_state
    from callbacks import barometer_downloads as baro
    from callbacks import compare, credits, map_table, profile

    code = service.codes("qpv")[0]
    years = bar.package_years(service)
    measure = bar_state.barometer_choices(service).measures[0]
    no_filter = (None,) * 7
    search = f"?codes={code},commune:{service.territories.loc['qpv'].set_index('code').loc[code, 'commune_code']}"
    choice = credits.choices()
    yield "profil-chiffres", profile.profile_csv, (code,)
    yield "profil-credits", profile.credits_csv, (code,)
    yield "profil-evolution", profile.evolution_csv, ("taux_chomage", code)
    yield "comparaison", compare.comparison_csv, (search,)
    yield "comparaison-series", compare.trends_csv, (["taux_chomage", "taux_pauvrete"], search)
    yield "carte", map_table.map_csv, (None,) * 8
    yield "carte-ecart", map_table.map_csv, ("taux_chomage", "commune", None, "gap", None, None, None, None)
    yield "baro-engagements", baro.commitments_csv, (None, None, "france:FR", years[-1], "france")
    yield "baro-statuts", baro.status_csv, (None, None, "france:FR", years[-1], "france")
    yield "baro-carte", baro.map_csv, (measure, years[-1])
    yield "baro-serie", baro.series_csv, ("taux_chomage", "france:FR", years[0], years[-1], "annual")
    yield "baro-couverture", baro.coverage_csv, (None, None, "france:FR", years[0], years[-1])
    for key in ("by_year_funder", "by_programme", "by_theme", "carriers", "by_territory"):
        yield f"credits-{key}", lambda *v, key=key: credits.summary_csv(key, key, v), no_filter
    yield "credits-lignes", credits.lines_csv, no_filter
    yield "credits-effets", credits.leverage_csv, (choice.default_level, choice.default_indicator, *no_filter)


def test_every_page_download_in_both_forms(service):
    documented = DOC.read_text(encoding="utf-8")
    for name, build, args in builders(service):
        table = build(*args)
        assert isinstance(table, CsvTable) and len(table.frame), name
        both_forms(table)
        missing = [c for c in table.frame.columns if f"`{c}`" not in documented]
        assert not missing, f"{name}: columns not documented in docs/csv-exports.md: {missing}"


def test_french_form_reads_as_people_expect(service):
    from atlas import barometer as bar
    from callbacks import barometer_downloads as baro

    years = bar.package_years(service)
    table = baro.commitments_csv(None, None, "france:FR", years[-1], "france")
    french = read_french(table.to_bytes(FRENCH))
    assert "Avancement vers la cible (%)" in french.columns and "progress" not in french.columns
    assert set(french["Statut"]) <= set(bar.STATUS_LABELS_FR.values())
    assert french["Date de référence"].str.match(r"^\d{2}/\d{2}/\d{4}$").all()
    progress = french["Avancement vers la cible (%)"].dropna()
    assert (progress == progress.round()).all()  # rounded as displayed, no 0.6201550387596898
    machine = read_machine(table.to_bytes(MACHINE))
    assert {"progress", "status", "baseline_date"} <= set(machine.columns)
    assert set(machine["status"]) <= set(bar.STATUS_LABELS_FR)  # codes in the machine form
    text = table.to_bytes(FRENCH).decode("utf-8-sig")
    assert text.splitlines()[0].count(";") == len(french.columns) - 1


@pytest.mark.parametrize("form", [FRENCH, MACHINE])
def test_callbacks_send_the_requested_form(service, form):
    from callbacks import csv_download, profile

    code = service.codes("qpv")[0]
    sent = csv_download.send(profile.profile_csv(code), form)
    raw = base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()
    frame = read_french(raw) if form == FRENCH else read_machine(raw)
    assert ("Valeur" in frame.columns) == (form == FRENCH) and len(frame)
    assert sent["filename"].endswith("_tableur.csv") == (form == FRENCH)
    assert csv_download.send(profile.profile_csv("QN999999"), form) is csv_download.no_update


def test_open_data_downloads_in_both_forms(client, service):
    indicator = str(service.indicators["id"].iloc[0])
    for name in ("territories", "indicators", "observations", "commitments", "credits", f"indicateur/{indicator}"):
        french = client.get(f"/download/tableur/{name}.csv")
        machine = client.get(f"/download/{name}.csv")
        assert french.status_code == machine.status_code == 200, name
        assert french.headers["Content-Disposition"].endswith('_tableur.csv')
        frame = service.package.table(name) if "/" not in name else opendata.indicator_csv(service, indicator)
        decimals = csvexport.indicator_decimals(service.indicators)
        table = CsvTable(frame, name, decimals=decimals if "/" not in name else decimals[indicator])
        assert_same_numbers(table, french.get_data(), machine.get_data())
    assert client.get("/download/tableur/nope.csv").status_code == 404
    assert client.get("/download/tableur/indicateur/nope.csv").status_code == 404
