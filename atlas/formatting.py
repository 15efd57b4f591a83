"""French formatting of numbers, units and periods (``1 234,5 %``)."""

from __future__ import annotations

import math

# CLDR's French grouping separator: a narrow no-break space, so that numbers never wrap.
GROUP = "\u202f"
NBSP = "\u00a0"
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


def format_number(value, decimals: int = 1, *, signed: bool = False) -> str:
    """``1234.5 -> '1 234,5'``; missing values give an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{abs(value):,.{decimals}f}".replace(",", GROUP).replace(".", ",")
    if value < 0 and text.strip("0,\u202f") != "":
        return "−" + text
    if signed and value > 0 and text.strip("0,\u202f") != "":
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
        return f"{format_number(amount / 1e9, 2)}{NBSP}Md€"
    if abs(amount) >= 1e6:
        return f"{format_number(amount / 1e6, 1)}{NBSP}M€"
    return f"{format_number(amount, 0)}{NBSP}€"


def format_period(period: str) -> str:
    """``'2024' -> '2024'``, ``'2024-Q2' -> '2e trimestre 2024'``, ``'2024-03' -> 'mars 2024'``."""
    if len(period) == 7 and period[4] == "-" and period[5] == "Q":
        n = int(period[6])
        return f"{n}{'er' if n == 1 else 'e'} trimestre {period[:4]}"
    if len(period) == 7 and period[4] == "-":
        return f"{MONTHS_FR[int(period[5:]) - 1]} {period[:4]}"
    return period


def format_date(iso: str) -> str:
    """``'2024-12-31' -> '31 décembre 2024'``."""
    year, month, day = iso[:10].split("-")
    day_text = "1er" if day == "01" else str(int(day))
    return f"{day_text} {MONTHS_FR[int(month) - 1]} {year}"
