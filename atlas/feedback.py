"""« Signaler une erreur »: the link that reports a figure, prefilled, to the address the operator chose.

``ATLAS_FEEDBACK_URL`` is a ``mailto:`` address (the report becomes the mail's subject and body) or an
``http(s)://`` form (the report becomes query parameters: ``page``, ``territoire``, ``indicateur``,
``annee``). Every value is URL-encoded; nothing from the package reaches the link unencoded.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

SCHEMES = ("mailto:", "https://", "http://")
MAX_FIELD = 300  # characters of one value (a long page address is cut, the link stays usable)


def parse_feedback_url(value: str) -> str:
    """The setting's value, checked: empty, or a mailto/http(s) address (``javascript:`` never gets in)."""
    value = value.strip()
    if value and not value.lower().startswith(SCHEMES):
        raise ValueError("expected a mailto: address or an http(s):// form URL")
    return value


def report_fields(page: str, territory: str = "", indicator: str = "", year: int | str | None = None) -> dict:
    fields = {"page": page, "territoire": territory, "indicateur": indicator,
              "annee": "" if year is None else str(year)}
    return {k: str(v)[:MAX_FIELD] for k, v in fields.items() if v}


def feedback_href(base: str, page: str, territory: str = "", indicator: str = "",
                  year: int | str | None = None) -> str | None:
    """The link to report an error on ``page`` (absolute address) about these; None when reporting is off."""
    if not base:
        return None
    fields = report_fields(page, territory, indicator, year)
    if base.lower().startswith("mailto:"):
        subject = "Atlas QPV — signalement d'une erreur" + (f" : {fields['territoire']}" if "territoire" in fields
                                                              else "")
        lines = [f"{label} : {fields[key]}" for key, label in (
            ("page", "Page"), ("territoire", "Territoire"), ("indicateur", "Indicateur"), ("annee", "Année"))
            if key in fields]
        body = "\n".join([*lines, "", "Décrivez l'erreur constatée :", ""])
        separator = "&" if "?" in base else "?"
        return f"{base}{separator}subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    parts = urlsplit(base)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *fields.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
