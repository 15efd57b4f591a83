"""The credit map's points and proportional symbols as immutable files, not as Dash properties.

A selection's located lines and per-territory symbols weigh 0.5–1 MB of GeoJSON. Carried as the ``data``
of a dash-leaflet layer, they go through Dash's renderer, which walks every nested object of a changed
property: on the demo package one filter change kept the browser busy for over a minute. As a ``url``,
the layer fetches the file itself and Dash only carries a short address.

``/geo/credits/<package fingerprint>/<points|symbols>.json?<the /credits filters>`` answers only when the
query is exactly the canonical one :func:`atlas.credits_state.to_query` writes for a validated selection
(anything else is a 404), so no raw value reaches a computation or a cache key.
"""

from __future__ import annotations

import contextlib

import dash
from flask import request

from atlas import credits_state as st
from atlas.inputs import MAX_QUERY
from callbacks import credits as page
from callbacks.cache import package_fingerprint
from callbacks.map_files import json_response, not_found
from callbacks.state import service

KINDS = ("points", "symbols")


def layer_file(fingerprint: str, kind: str):
    if kind not in KINDS or fingerprint != package_fingerprint() or len(request.query_string) > MAX_QUERY:
        return not_found()
    # The page's own bound: a valid selection (every programme, an 80-character accented carrier) can run past the
    # colour files' 400 characters once percent-encoded.
    given = request.query_string.decode("ascii", "replace")
    filters, _leverage = st.state_from_query(page.choices(), service().is_known, "?" + given)
    if page.map_query(filters) != ("?" + given if given else ""):
        return not_found()
    return json_response(page.summary(page.package_token(), filters.key())[kind])


RULE = f"{page.MAP_FILES}/<fingerprint>/<kind>.json"


def register(server) -> None:
    if RULE not in server.view_functions:
        server.add_url_rule(RULE, endpoint=RULE, view_func=layer_file)


dash.hooks.route(RULE.lstrip("/"))(layer_file)
with contextlib.suppress(Exception):  # no app yet
    register(dash.get_app().server)
