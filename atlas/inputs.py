"""Guards for values that come from the browser: callback inputs and URL parameters.

Anything a visitor sends is hostile until checked. These functions accept a value only when it is
*exactly* one the package knows (case-sensitive, same type) and bound everything else — integers,
lists, free text — so that nothing unexpected reaches a computation or a shared cache key. An unknown
value becomes the caller's default; no function here raises on any JSON-able input.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Sequence
from urllib.parse import parse_qsl, urlencode

# Bounds on what one request may ask for.
MAX_TEXT = 80  # characters of a free-text search (carrier names are shorter than this)
MAX_CODE = 40  # characters of a "level:code" territory value
MAX_QUERY = 4000  # characters of a query string read by a page builder
MAX_PAGE = 100_000  # table page numbers


def one_of(value, allowed: Collection, default=None):
    """``value`` when it is exactly one of ``allowed`` (a string or an integer), else ``default``."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return default
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return default
    return value if value in allowed else default


def many_of(values, allowed: Sequence) -> tuple:
    """The known values among ``values`` (a list, or one string), without repeats, in ``allowed`` order.

    At most ``len(allowed)`` values can come out, however long the list sent; anything that is not a
    known string or integer is dropped.
    """
    if isinstance(values, str | int) and not isinstance(values, bool):
        values = [values]
    if not isinstance(values, list | tuple):
        return ()
    chosen = {one_of(v, allowed) for v in values[: 4 * len(allowed) + 4]} - {None}
    return tuple(v for v in allowed if v in chosen)


def year_of(value, years: Collection[int], default: int) -> int:
    """A year the package has: an integer, or four ASCII digits (``"2018"``), else ``default``."""
    if isinstance(value, bool):
        return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and len(value) == 4 and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value in years else default


def year_span(start, end, years: Sequence[int]) -> tuple[int, int]:
    """(first, last) from two hostile years; defaults to the whole span, swapped when reversed."""
    if not years:
        return 0, 0
    first, last = year_of(start, years, years[0]), year_of(end, years, years[-1])
    return (first, last) if first <= last else (last, first)


def page_number(value, count: int = MAX_PAGE) -> int:
    """A table page index in ``0 .. count - 1`` (0 for anything else)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return min(max(0, value), max(0, min(count, MAX_PAGE) - 1))


def sort_of(sort_by, columns: Collection[str]) -> tuple[str, str] | None:
    """``(column, "asc" | "desc")`` from a DataTable ``sort_by``, only for known columns and exact
    lower-case directions; ``None`` (the default order) for anything else."""
    if not isinstance(sort_by, list | tuple) or not sort_by or not isinstance(sort_by[0], dict):
        return None
    column = one_of(sort_by[0].get("column_id"), columns)
    direction = one_of(sort_by[0].get("direction"), ("asc", "desc"))
    return (column, direction) if column and direction else None


def clean_text(value, limit: int = MAX_TEXT) -> str | None:
    """Free text made harmless: compatibility-normalised (``¹²³⁴`` → ``1234``), control characters
    removed, spaces collapsed, cut to ``limit`` characters; ``None`` when nothing is left."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value[: 4 * limit])
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    text = " ".join(text.split())[:limit].strip()
    return text or None


def territory_of(value, levels: Collection[str], is_known: Callable[[str, str], bool]) -> tuple[str, str] | None:
    """``("departement", "93")`` from ``"departement:93"`` when the level is offered and the code known."""
    if not isinstance(value, str) or len(value) > MAX_CODE or ":" not in value:
        return None
    level, _, code = value.partition(":")
    if level not in levels or not is_known(level, code):
        return None
    return level, code


# ------------------------------------------------------------------ query strings


def parse_query(search) -> dict[str, str]:
    """``'?ministere=culture&debut=2018'`` → ``{'ministere': 'culture', 'debut': '2018'}`` (last value wins).

    Bounded: a query string longer than ``MAX_QUERY`` characters is read up to that length only."""
    if not isinstance(search, str):
        return {}
    return dict(parse_qsl(search[:MAX_QUERY].lstrip("?"), keep_blank_values=False))


def to_query(params: dict) -> str:
    """The inverse of :func:`parse_query`, skipping empty values; keeps a stable key order."""
    items = [(k, v) for k, v in params.items() if v not in (None, "", [], ())]
    return "?" + urlencode(items, safe=":,") if items else ""


def split_list(value: str | None) -> list[str]:
    """``"P147,P102"`` → ``["P147", "P102"]`` (a URL list parameter)."""
    return value.split(",") if isinstance(value, str) else []
