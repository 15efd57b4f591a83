"""Numbers, units, periods and dates in the visitor's language: ``1 234,5 %`` in French, ``1,234.5 %`` in English.

The one formatter of the atlas: pages never format a number themselves. The language is the request's
(``atlas.i18n.current_language``); French is the source and the default.
"""

from __future__ import annotations

import math

from atlas.i18n import _, current_language

# CLDR's French grouping separator: a narrow no-break space, so that numbers never wrap.
GROUP = "\u202f"
NBSP = "\u00a0"
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def separators() -> tuple[str, str]:
    """The decimal mark and the grouping separator of the current language (for tables and charts)."""
    return (",", GROUP) if current_language() == "fr" else (".", ",")


def format_number(value, decimals: int = 1, *, signed: bool = False) -> str:
    """``1234.5 -> '1 234,5'`` (French) or ``'1,234.5'`` (English); missing values give an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{abs(value):,.{decimals}f}"  # English (CLDR "en") grouping and decimal point
    if current_language() == "fr":
        text = text.replace(",", GROUP).replace(".", ",")
    if value < 0 and text.strip("0,.\u202f") != "":
        return "−" + text
    if signed and value > 0 and text.strip("0,.\u202f") != "":
        return "+" + text
    return text


def format_value(value, unit: str, decimals: int = 1, *, signed: bool = False) -> str:
    """A number with its unit, French style: ``42,1 %``, ``13 800 €``, ``7,8 pour 1 000 hab.``."""
    number = format_number(value, decimals, signed=signed)
    if number == "–":
        return number
    if unit in ("", "ratio", "indice"):
        return number
    return f"{number}{NBSP}{unit}"


def format_euros(amount: float) -> str:
    """Amounts in the most readable magnitude: ``1,2 Md€``, ``540,3 M€``, ``12 345 €``."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    if abs(amount) >= 1e9:
        return _("{amount}\u00a0Md€").format(amount=format_number(amount / 1e9, 2))
    if abs(amount) >= 1e6:
        return _("{amount}\u00a0M€").format(amount=format_number(amount / 1e6, 1))
    return f"{format_number(amount, 0)}{NBSP}€"


def format_period(period: str) -> str:
    """``'2024' -> '2024'``, ``'2024-Q2' -> '2e trimestre 2024'`` (``'Q2 2024'``), ``'2024-03' -> 'mars 2024'``."""
    english = current_language() == "en"
    if len(period) == 7 and period[4] == "-" and period[5] == "Q":
        n = int(period[6])
        if english:
            return f"Q{n} {period[:4]}"
        return f"{n}{'er' if n == 1 else 'e'} trimestre {period[:4]}"
    if len(period) == 7 and period[4] == "-":
        month = int(period[5:])
        name = MONTHS_EN[month - 1] if english else MONTHS_FR[month - 1]
        return f"{name} {period[:4]}"
    return period


def format_date(iso: str) -> str:
    """``'2024-12-31' -> '31 décembre 2024'`` (``'31 December 2024'``), « 1er » for the first of a month."""
    year, month, day = iso[:10].split("-")
    if current_language() == "en":
        return f"{int(day)} {MONTHS_EN[int(month) - 1]} {year}"
    day_text = "1er" if day == "01" else str(int(day))
    return f"{day_text} {MONTHS_FR[int(month) - 1]} {year}"

