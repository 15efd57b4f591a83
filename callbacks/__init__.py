"""Thin callbacks, registered with ``dash.callback`` on import."""
