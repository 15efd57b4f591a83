"""French texts for the parts of Dash's own components that speak (dropdown search, table filters).

Dash 4's dropdown says « Search », « No options found », « Clear search » unless given ``labels``; DataTable's
filter row says « filter data... » unless given ``filter_options``. Every dropdown and filterable table of the
atlas takes its texts from here (translated at render time through ``_``). Leaflet's zoom buttons and the
table's paging buttons, which no prop reaches, are named in assets/a11y.js.
"""

from __future__ import annotations

from atlas.i18n import _


def dropdown_labels(no_options_found: str | None = None) -> dict[str, str]:
    """The ``labels`` of a ``dcc.Dropdown``; ``no_options_found`` may name what was searched for."""
    return {
        "select_all": _("Tout sélectionner"), "deselect_all": _("Tout désélectionner"), "search": _("Rechercher"),
        "clear_search": _("Effacer la recherche"), "clear_selection": _("Effacer la sélection"),
        "no_options_found": no_options_found or _("Aucun choix ne correspond"),
        "selected_count": _("{num_selected} choisis"),
    }


def table_filter_options() -> dict[str, str]:
    """The ``filter_options`` of a filterable ``DataTable`` (case-insensitive, as people search)."""
    return {"placeholder_text": _("Filtrer…"), "case": "insensitive"}
