"""One registration for every CSV download: both forms (atlas/csvexport.py) from one plain builder.

A builder takes the callback's states and returns a ``CsvTable`` (or ``None`` when the request is not valid);
``register`` wires it to the two buttons that ``layouts.charts.csv_downloads`` draws.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import Input, Output, callback, dcc, no_update

from atlas.csvexport import FRENCH, MACHINE, CsvTable


def send(table: CsvTable | None, form: str):
    """The ``dcc.Download`` payload of ``table`` in ``form``; nothing when there is no table."""
    if table is None:
        return no_update
    return dcc.send_bytes(table.to_bytes(form), table.filename(form))


def register(download_id: str, states: list, build: Callable[..., CsvTable | None]) -> None:
    for form, suffix in ((FRENCH, ""), (MACHINE, "-machine")):
        def download(n_clicks, *values, form=form):
            return send(build(*values), form) if n_clicks else no_update

        download.__name__ = f"download_{download_id.replace('-', '_')}{suffix.replace('-', '_')}"
        callback(Output(f"{download_id}{suffix}", "data"), Input(f"{download_id}{suffix}-button", "n_clicks"),
                 *states, prevent_initial_call=True)(download)
