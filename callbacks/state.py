"""The package being served, shared by the callbacks of one process."""

from __future__ import annotations

from atlas.service import AtlasService

_service: AtlasService | None = None


def set_service(service: AtlasService) -> None:
    global _service
    _service = service


def service() -> AtlasService:
    if _service is None:
        raise RuntimeError("no data package loaded: call app.create_app() first")
    return _service


def feedback_url() -> str:
    """``ATLAS_FEEDBACK_URL`` of the app serving this request ('' outside one, or when unset)."""
    from flask import current_app, has_app_context

    return current_app.config.get("ATLAS_FEEDBACK_URL", "") if has_app_context() else ""
