"""Ingestion of real official data: a config-driven pipeline from publishers' files to a data package.

``python -m atlas build --config SOURCES.toml --out DIR`` reads the files a
TOML configuration names, maps their columns onto the package tables and
publishes the package atomically with a build report (docs/ingestion.md).
"""
