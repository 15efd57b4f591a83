"""The read API's domain: validation, selections and documents over a loaded package (no Flask, no Dash).

The HTTP layer is ``callbacks/api.py``; the endpoints are declared once in :mod:`atlas.api.endpoints`.
"""
