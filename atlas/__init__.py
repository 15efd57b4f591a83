"""Atlas QPV: domain model, data package and pipelines (no Dash in here)."""

__version__ = "0.1.0"
