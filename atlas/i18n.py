"""User-interface language: French is the source language, English the first translation.

Every string shown to a visitor goes through ``_()`` at render time (``N_()`` marks module-level
constants for extraction without translating them at import: translate them with ``_()`` where they
are shown). Placeholders are named (``{count}``) so that a translation may reorder them; counts shown
to people go through ``ngettext``.

The catalogues are gettext ``.po`` files under ``atlas/locale/<lang>/LC_MESSAGES/messages.po``, read with
Babel at first use (no compiled ``.mo``: a fresh clone runs as is). ``make i18n`` extracts the strings
and updates them (docs/i18n.md).

The language of a request comes from ``?lang=en`` in the address (``language_from_query``); the
server sets it with ``use_language``/``set_language`` around the work of each request, so that
``_()`` anywhere below knows it. Outside any request the language is French.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

SOURCE_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")
LANGUAGE_PARAM = "lang"  # the query-string parameter that carries the language across pages
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}  # each in its own language (the switch's label)
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

_current_language: ContextVar[str] = ContextVar("atlas_language", default=SOURCE_LANGUAGE)


def current_language() -> str:
    return _current_language.get()


def indicator_label(meta) -> str:
    """A catalogued indicator's label in the visitor's language: the package's ``label_en`` in English when it has
    one, its ``label_fr`` otherwise. Both are the package's own texts, never translated by the interface.

    ``meta`` is a catalogue row as the atlas passes them around: a dict, a pandas Series or an ``itertuples`` row.
    Exports and the API keep both columns; this is for what a page shows.
    """
    def field(name: str) -> str | None:
        value = meta.get(name) if hasattr(meta, "get") else getattr(meta, name, None)
        return value if isinstance(value, str) and value.strip() else None

    if current_language() == "en":
        english = field("label_en")
        if english:
            return english
    return field("label_fr") or ""


def normalise(language) -> str:
    """A supported language code; anything else (hostile or unknown) is the source language."""
    return language if isinstance(language, str) and language in LANGUAGES else SOURCE_LANGUAGE


def set_language(language) -> None:
    """Set the language of the current context (a request: the server sets it at the start of each one)."""
    _current_language.set(normalise(language))


@contextmanager
def use_language(language):
    token = _current_language.set(normalise(language))
    try:
        yield
    finally:
        _current_language.reset(token)


def language_from_query(search) -> str:
    """``'?annee=2020&lang=en'`` → ``'en'``; no or an unknown ``lang`` → French. Bounded reading."""
    if not isinstance(search, str):
        return SOURCE_LANGUAGE
    values = [value for name, value in parse_qsl(search[:4000].lstrip("?")) if name == LANGUAGE_PARAM]
    return normalise(values[-1]) if values else SOURCE_LANGUAGE  # the last value wins, as for every parameter


def with_language(href: str, language: str | None = None) -> str:
    """``href`` carrying the language (``/qpv/X`` → ``/qpv/X?lang=en``); unchanged in French."""
    language = normalise(language or current_language())
    if language == SOURCE_LANGUAGE or f"{LANGUAGE_PARAM}=" in href:
        return href
    path, hash_sign, fragment = href.partition("#")
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}{LANGUAGE_PARAM}={language}{hash_sign}{fragment}"


def switch_href(pathname: str | None, search: str | None, language: str) -> str:
    """The current address in ``language``: same page, same state, only ``lang`` changed."""
    kept = [(name, value) for name, value in parse_qsl((search or "")[:4000].lstrip("?"), keep_blank_values=True)
            if name != LANGUAGE_PARAM]
    if normalise(language) != SOURCE_LANGUAGE:
        kept.append((LANGUAGE_PARAM, language))
    query = urlencode(kept, safe=":,")
    path = pathname if isinstance(pathname, str) and pathname.startswith("/") else "/"
    return path + (f"?{query}" if query else "")


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> dict:
    """``{msgid: msgstr}`` of a language's ``.po`` (plural entries keyed by the (singular, plural) pair).

    Untranslated and fuzzy entries are left out, so that they show the French source rather than nothing.
    """
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    entries = {}
    for message in po:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (list, tuple)):
            forms = tuple(message.string or ())
            if forms and all(forms):
                entries[tuple(message.id)] = forms
        elif message.string:
            entries[message.id] = message.string
    return entries


def _(message: str) -> str:
    """``message`` (French source) in the current language."""
    language = _current_language.get()
    if language == SOURCE_LANGUAGE:
        return message
    return catalogue(language).get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of ``singular``/``plural`` for ``count``, in the current language (fill ``{count}`` after)."""
    language = _current_language.get()
    forms = catalogue(language).get((singular, plural)) if language != SOURCE_LANGUAGE else None
    if forms:  # English: one is singular, everything else plural
        return forms[0] if count == 1 else forms[-1]
    # French: 0 and 1 take the singular.
    return singular if abs(count) < 2 else plural


def N_(message: str) -> str:
    """Marks a module-level constant for extraction; translate it with ``_()`` where it is shown."""
    return message
