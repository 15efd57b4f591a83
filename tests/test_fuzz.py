"""Property-based fuzzing: no hostile payload or address makes the server answer HTTP 500.

Every server callback the app declares in ``/_dash-dependencies`` receives ``CALLBACK_EXAMPLES`` mutated request
bodies (wrong types, huge strings, unicode, None, nested lists, unknown ids, negative and huge numbers, mixed
with real values taken from the rendered pages); every page of ``atlas.routes`` (checked), the API's page and a
non-page receive ``URL_EXAMPLES`` hostile query strings, as a GET and through the router callback that builds the
page. One test per callback and per page, so that a failure names its place; each failure lists the distinct
exceptions with one payload each. Deterministic (``derandomize``) and bounded: 47 callbacks × 95 + 14 pages ×
40 × 2 + 300 ≈ 5,900 requests with the Flask test client, counted; the module's last test asserts ≥ 5,000.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz import (
    PAGE_PATHS,
    ServerErrors,
    collect_values,
    json_scalars,
    payload_strategy,
    plain_body,
    server_callbacks,
)

pytestmark = pytest.mark.fuzz
CALLBACK_EXAMPLES = 95
URL_EXAMPLES = 40
FUZZ = settings(max_examples=CALLBACK_EXAMPLES, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
QUERY_KEYS = ("indicateur", "echelle", "annee", "mode", "reference", "operation", "classes", "fixe", "fond", "vue",
              "ministere", "theme", "territoire", "debut", "fin", "indicateur_serie", "frequence", "perimetre",
              "mesure", "programme", "financeur", "porteur", "levier", "codes", "page", "tri", "quartier", "niveau",
              "engagement")


def _callbacks():
    import app

    return server_callbacks(app.app.server.test_client())


CALLBACKS = _callbacks()


@pytest.fixture(scope="session")
def value_pool(dash_app, service):
    """Realistic values per ``id.property``, from every page rendered once."""
    from callbacks.router import page_for

    pool: dict[str, list] = {}
    codes = service.codes("qpv")[:3]
    paths = [p.format(qpv=codes[0]) for p in PAGE_PATHS] + [f"/qpv/{c}" for c in codes[1:]]
    with dash_app.server.test_request_context():
        for path in paths:
            collect_values(page_for(path, ""), pool)
    pool.setdefault("url.pathname", []).extend(paths)
    pool.setdefault("url.search", []).extend(["", f"?codes=qpv:{codes[0]},qpv:{codes[1]}", "?annee=2019",
                                              "?ministere=culture", "?debut=2016&fin=2020"])
    pool.setdefault("profile-code.data", []).extend(codes)
    return pool


def where(exc: BaseException | None) -> str:
    """The innermost frame of the project's own code that the exception went through (``file:line``)."""
    frames = traceback.extract_tb(exc.__traceback__) if exc is not None else []
    ours = [f for f in frames if "/site-packages/" not in f.filename and "/lib/python" not in f.filename]
    last = (ours or frames or [None])[-1]
    return f" at {Path(last.filename).name}:{last.lineno}" if last else ""


def describe(failures: list) -> str:
    distinct: dict[str, dict] = {}
    for body, status, exc in failures:
        distinct.setdefault(f"HTTP {status} {type(exc).__name__}: {str(exc)[:200]}{where(exc)}", body)
    lines = [f"{len(failures)} server error(s), {len(distinct)} distinct:"]
    for message, body in distinct.items():
        lines.append(f"- {message}\n  payload: {json.dumps(body, default=str)[:600]}")
    return "\n".join(lines)


# Requests each fuzz test sent, by test: the module's last test checks the total (issue 11: ≥ 5,000 payloads).
SENT: dict[str, int] = {}
MIN_TOTAL = 5_000


def post_every(bodies, fuzz_settings, client, server, name: str) -> list:
    """Post each body hypothesis draws from ``bodies``; the (body, status, exception) of every HTTP 500."""
    failures = []
    SENT[name] = 0
    with ServerErrors(server) as errors:

        @fuzz_settings
        @given(bodies)
        def post(body):
            before = len(errors.seen)
            SENT[name] += 1
            response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
            if response.status_code >= 500:
                failures.append((body, response.status_code, errors.seen[-1] if len(errors.seen) > before else None))

        post()
    return failures


@pytest.mark.parametrize("callback", CALLBACKS, ids=lambda c: c.name)
def test_callback_never_answers_500(callback, client, dash_app, value_pool):
    failures = post_every(payload_strategy(callback, value_pool), FUZZ, client, dash_app.server, callback.name)
    assert not failures, describe(failures)
    assert SENT[callback.name] >= CALLBACK_EXAMPLES * 0.9  # hypothesis did not stop early


hostile_text = st.one_of(json_scalars.map(lambda v: v if isinstance(v, str) else json.dumps(v)),
                         st.text(max_size=60))
queries = st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=10)), hostile_text),
                   max_size=6).map(lambda pairs: "?" + "&".join(f"{quote(k)}={quote(v[:5000])}" for k, v in pairs))
suffixes = st.one_of(st.just(""), st.just("/"), st.text(max_size=30).map(lambda t: quote(t)))


# Every page of atlas.routes, the API's human page and a non-page (checked by test_every_page_is_fuzzed).
FUZZED_PAGES = (*PAGE_PATHS, "/api", "/nulle-part")


def test_every_page_is_fuzzed(service):
    from atlas.routes import PAGES, resolve

    code = service.codes("qpv")[0]
    fuzzed = {resolve(p.format(qpv=code).split("?")[0], lambda c: c == code).page for p in FUZZED_PAGES}
    assert {page.name for page in PAGES} <= fuzzed


@pytest.mark.parametrize("page", FUZZED_PAGES)
def test_page_addresses_never_answer_500(page, client, dash_app, service):
    path = page.format(qpv=service.codes("qpv")[0])
    failures = []
    name = f"url {page}"
    SENT[name] = 0
    with ServerErrors(dash_app.server) as errors:

        @settings(FUZZ, max_examples=URL_EXAMPLES)
        @given(queries, suffixes)
        def visit(search, suffix):
            before = len(errors.seen)
            address = path + (suffix if page.endswith("/qpv/{qpv}") else "")
            response = client.get(address + search)
            body = {"output": "..page-content.children...site-header.children..",
                    "outputs": [{"id": "page-content", "property": "children"},
                                {"id": "site-header", "property": "children"}],
                    "inputs": [{"id": "url", "property": "pathname", "value": address},
                               {"id": "history-nav", "property": "data", "value": None}],
                    "state": [{"id": "url", "property": "search", "value": search}],
                    "changedPropIds": ["url.pathname"]}
            rendered = client.post("/_dash-update-component", json=body)
            SENT[name] += 2
            for r in (response, rendered):
                if r.status_code >= 500:
                    failures.append(({"get": address + search}, r.status_code,
                                     errors.seen[-1] if len(errors.seen) > before else None))

        visit()
    assert not failures, describe(failures)
    assert SENT[name] >= 2 * URL_EXAMPLES * 0.9


STRUCTURE_EXAMPLES = 300


@pytest.fixture(scope="session")
def valid_bodies(value_pool):
    """One well-formed body per callback, to mutate structurally."""
    return [plain_body(callback, value_pool) for callback in CALLBACKS]


def mutations(bodies):
    keys = st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds"])

    def mutate(body, key, action, value, cut):
        body = json.loads(json.dumps(body))
        if action == "drop":
            body.pop(key, None)
        elif action == "replace":
            body[key] = value
        elif isinstance(body.get(key), list):
            body[key] = body[key][:cut] if action == "cut" else body[key] + [value] * cut
        return body

    mutated = st.builds(mutate, st.sampled_from(bodies), keys, st.sampled_from(["drop", "replace", "cut", "extend"]),
                        st.one_of(json_scalars, st.lists(json_scalars, max_size=3),
                                  st.dictionaries(st.sampled_from(["id", "property", "value"]), json_scalars)),
                        st.integers(0, 3))
    return st.one_of(mutated, json_scalars, st.lists(json_scalars, max_size=3))


def test_malformed_callback_requests_never_answer_500(client, dash_app, valid_bodies):
    failures = post_every(mutations(valid_bodies), settings(FUZZ, max_examples=STRUCTURE_EXAMPLES), client,
                          dash_app.server, "structure")
    assert not failures, describe(failures)


def test_the_fuzz_sent_enough_payloads():
    """Last of the module: the fuzz tests above, all run, sent ≥ 5,000 requests (each failed on any HTTP 500)."""
    expected = len(CALLBACKS) + len(FUZZED_PAGES) + 1
    if len(SENT) < expected:
        pytest.skip(f"only {len(SENT)} of the {expected} fuzz tests ran in this session")
    total = sum(SENT.values())
    print(f"fuzz: {total} requests over {len(CALLBACKS)} callbacks and {len(FUZZED_PAGES)} pages")
    assert total >= MIN_TOTAL
