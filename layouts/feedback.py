"""« Signaler une erreur »: the link under an indicator note or a profile (see atlas/feedback.py)."""

from __future__ import annotations

from dash import html

from atlas.i18n import _


def feedback_link(href: str | None, label: str | None = None) -> html.P | None:
    """The link when the operator set ``ATLAS_FEEDBACK_URL`` (``href`` from ``atlas.feedback.feedback_href``)."""
    if not href:
        return None
    new_tab = {} if href.startswith("mailto:") else {"target": "_blank", "rel": "noopener"}
    return html.P(html.A(label or _("Signaler une erreur"), href=href, className="feedback-link", **new_tab),
                  className="feedback no-print")
