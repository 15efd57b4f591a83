"""Addresses from a data package that may become links: absolute http(s) addresses only.

A package's manifest names its sources with an optional ``url``; packages come from files other people write,
so an address is data like any other. ``javascript:``, ``data:``, ``vbscript:``, protocol-relative ``//host``
addresses, and addresses hiding a scheme behind spaces or control characters are shown as text, never linked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LINK_SCHEMES = ("http", "https")


def link_address(value) -> str | None:
    """``value`` when it is an absolute http(s) address with a host; None when it must not become a link."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return None  # browsers drop tabs and newlines inside a scheme: "java\tscript:" would run
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        return None
    return text
