"""The map's table alternative and its CSV export: every mapped territory, with a link to its page."""

from __future__ import annotations

import re

import pandas as pd
from dash import Input, Output, State, callback, no_update
from dash.dash_table.Format import Format, Scheme

from atlas import categories
from atlas.csvexport import DEFAULT_VALUE_DECIMALS, CsvTable
from atlas.i18n import N_, _
from atlas.schema import OBSERVATION_STATUS_LABELS_FR
from callbacks import csv_download
from callbacks.map import request_from_controls
from callbacks.map_files import values_for
from callbacks.state import service
from layouts.map_legend import profile_href
from layouts.widgets import table_number

STATUS_LABELS = {**OBSERVATION_STATUS_LABELS_FR, "ok": N_("publiée")}  # the table names every status
CONTROL_STATES = [State(c, "value") for c in ("map-indicator", "map-level", "map-year", "map-mode", "map-reference",
                                              "map-operation", "map-scheme", "map-fixed")]
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def markdown_text(text: str) -> str:
    """Names from the data shown as plain text inside a markdown link (the table renders no HTML)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def table_frame(request) -> tuple[pd.DataFrame, dict]:
    """What the map shows, as rows: the accessible alternative and the CSV export."""
    svc = service()
    meta = svc.indicator(request.indicator)
    values, status = svc.annual_table(request.indicator, request.level)
    terr = svc.territories.loc[request.level].set_index("code")
    codes = list(svc.static_layer(request.level).codes)
    year = request.year
    frame = pd.DataFrame({"code": codes})
    frame["territoire"] = frame["code"].map(terr["name"]).fillna(frame["code"])
    if request.level == "qpv" and "commune_code" in terr.columns:
        communes = svc.territories.loc["commune"].set_index("code")["name"] if "commune" in svc.levels() else {}
        frame["commune"] = frame["code"].map(terr["commune_code"]).map(communes)
    if "departement_code" in terr.columns:
        frame["departement"] = frame["code"].map(terr["departement_code"])
    has_year = not values.empty and year in values.columns
    frame["valeur"] = frame["code"].map(values[year]) if has_year else float("nan")
    frame["statut"] = (frame["code"].map(status[year]) if has_year else pd.Series(index=frame.index, dtype=str))
    frame["statut"] = frame["statut"].fillna("missing")
    if request.mode == "gap":
        frame["ecart"] = values_for(request)
    classes = categories.of(meta)
    if classes:  # a typology: the class's label, and no rank (classes are not ordered as values)
        frame["valeur"] = frame["valeur"].map(lambda v: categories.label_of(classes, v))
    else:
        frame["rang"] = frame["valeur"].rank(ascending=False, method="min").astype("Int64")
    frame["annee"] = year
    frame["unite"] = meta["unit"]
    frame["source"] = meta["source"]
    frame["millesime"] = meta["vintage"]
    labels = {status: _(label) for status, label in STATUS_LABELS.items()}
    frame["status"] = frame["statut"]
    frame["statut"] = frame["statut"].map(labels).fillna(labels["missing"])
    return frame, meta


@callback(
    Output("map-table-wrap", "hidden"),
    Output("map-table-toggle", "children"),
    Output("map-table-toggle", "aria-expanded"),
    Input("map-table-toggle", "n_clicks"),
    prevent_initial_call=True,
)
def toggle_table(n_clicks):
    shown = isinstance(n_clicks, int) and bool(n_clicks % 2)
    return not shown, _("Masquer le tableau") if shown else _("Afficher le tableau"), "true" if shown else "false"


@callback(
    Output("map-table", "data"),
    Output("map-table", "columns"),
    Input("map-table-wrap", "hidden"),
    Input("map-state", "data"),
    *CONTROL_STATES,
    prevent_initial_call=True,
)
def fill_table(hidden, _state, *controls):
    if hidden is not False:
        return no_update, no_update
    return table_records(request_from_controls(*controls))


def table_records(request) -> tuple[list[dict], list[dict]]:
    frame, meta = table_frame(request)
    frame["territoire"] = [f"[{markdown_text(name)}]({profile_href(request.level, code)})"
                           for name, code in zip(frame["territoire"], frame["code"], strict=True)]
    number = table_number(int(meta["decimals"]), groups=3)
    labels = {"territoire": _("Territoire"), "code": _("Code"), "commune": _("Commune"),
              "departement": _("Département"),
              "valeur": _("Classe") if categories.of(meta) else _("Valeur ({unit})").format(unit=meta["unit"]),
              "ecart": _("Écart"), "rang": _("Rang"), "statut": _("Statut")}
    columns = []
    for key, label in labels.items():
        if key not in frame.columns:
            continue
        column = {"name": label, "id": key}
        if key == "territoire":
            column["presentation"] = "markdown"
        if key in ("valeur", "ecart", "rang") and not (key == "valeur" and categories.of(meta)):
            column.update(type="numeric", format=number if key != "rang" else Format(precision=0,
                                                                                     scheme=Scheme.fixed))
        columns.append(column)
    shown = frame[[c["id"] for c in columns]]
    records = shown.astype(object).where(shown.notna(), None)
    return records.to_dict("records"), columns


MACHINE_NAMES = {"code": "code", "territoire": "name", "commune": "commune_name", "departement": "departement_code",
                 "annee": "year", "valeur": "value", "ecart": "gap", "rang": "rank", "status": "status",
                 "unite": "unit", "source": "source", "millesime": "vintage"}


def map_csv(*controls) -> CsvTable:
    """The rows the map shows (the table alternative), in the exports' column names."""
    request = request_from_controls(*controls)
    frame, meta = table_frame(request)
    columns = [c for c in MACHINE_NAMES if c in frame.columns]
    return CsvTable(frame[columns].rename(columns=MACHINE_NAMES),
                    f"atlas-qpv_{request.indicator}_{request.level}_{request.year}",
                    decimals=int(meta.get("decimals", DEFAULT_VALUE_DECIMALS)), unit=meta["unit"])


csv_download.register("map-csv", list(CONTROL_STATES), map_csv)
