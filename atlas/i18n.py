"""User-interface language: French is the source language, English the first translation.

Every string shown to a visitor goes through ``_()`` at render time (``N_()`` marks module-level
constants for extraction without translating them at import). Until the catalogues land, ``_`` returns
the French source unchanged, so wrapping strings is always safe.
"""

from __future__ import annotations

from contextvars import ContextVar

SOURCE_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")

_current_language: ContextVar[str] = ContextVar("atlas_language", default=SOURCE_LANGUAGE)


def current_language() -> str:
    return _current_language.get()


def _(message: str) -> str:
    return message


def N_(message: str) -> str:
    return message
