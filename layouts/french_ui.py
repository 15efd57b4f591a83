"""Texts for the parts of Dash's own components that speak: the tables' filter row.

DataTable's filter row says « filter data... » unless given ``filter_options``; every filterable table of the
atlas takes its texts from here (translated at render time through ``_``). The dropdowns' texts are in
layouts/client_text.py (``dropdown_labels``); Leaflet's zoom buttons and the table's paging buttons, which no
prop reaches, are named in assets/a11y.js.
"""

from __future__ import annotations

from atlas.i18n import _


def table_filter_options() -> dict[str, str]:
    """The ``filter_options`` of a filterable ``DataTable`` (case-insensitive, as people search)."""
    return {"placeholder_text": _("Filtrer…"), "case": "insensitive"}
