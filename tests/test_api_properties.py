"""Property-based tests of the read API, generated from its own OpenAPI document (schemathesis).

Every operation of /api/v1/openapi.json receives valid (positive) and invalid (negative) generated
requests through the WSGI app in-process; each answer must not be a server error and must match the
document (status code, content type, JSON schema). The number of calls and the time are printed.
"""

from __future__ import annotations

import time

import pytest
import schemathesis  # in the test extra (pyproject.toml)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

POSITIVE_EXAMPLES = 80
NEGATIVE_EXAMPLES = 40
KNOWN_EXAMPLES = 60
KNOWN_QPV_EXAMPLES = 25  # a QPV summary builds the whole profile (~50 ms each): fewer, still all distinct
MINIMUM_CALLS = 1000
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]  # a request outside the document is refused (4xx)


@pytest.fixture(scope="module")
def api_schema(dash_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", dash_app.server)


def known_path_parameters(service, path: str):
    """Path parameters that exist in the package, so that generated requests also reach real answers."""
    if path.endswith("/territories/{level}/{code}"):
        territories = service.package.territories
        return st.sampled_from(list(zip(territories["level"], territories["code"], strict=True))).map(
            lambda pair: {"level": pair[0], "code": pair[1]})
    choices = {"/qpv/{code}": ("code", service.codes("qpv")),
               "/indicators/{id}": ("id", list(service.package.indicators["id"])),
               "/commitments/{id}": ("id", list(service.package.commitments["id"]))}
    for suffix, (name, values) in choices.items():
        if path.endswith(suffix) and values:
            return st.sampled_from(values).map(lambda value, name=name: {name: value})
    return None


def run_operation(operation, strategy, examples: int, calls: list, checks=CHECKS) -> None:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        response = case.call(headers={"Accept-Encoding": "identity"})  # the WSGI client does not decompress
        calls.append(response.status_code)
        case.validate_response(response, checks=checks)

    check()


def test_generated_requests_never_fail_and_match_the_document(api_schema, service):
    calls: list[int] = []
    started = time.perf_counter()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    timings = {}
    for operation in operations:
        begun = time.perf_counter()
        run_operation(operation, operation.as_strategy(), POSITIVE_EXAMPLES, calls)
        if operation.path_parameters or operation.query:
            run_operation(operation, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
                          NEGATIVE_EXAMPLES, calls, NEGATIVE_CHECKS)
        known = known_path_parameters(service, operation.path)
        if known is not None:
            examples = KNOWN_QPV_EXAMPLES if operation.path.endswith("/qpv/{code}") else KNOWN_EXAMPLES
            run_operation(operation, known.flatmap(lambda values, op=operation: op.as_strategy(path_parameters=values)),
                          examples, calls)
        timings[operation.path] = round(time.perf_counter() - begun, 1)
    elapsed = time.perf_counter() - started
    by_status = {status: calls.count(status) for status in sorted(set(calls))}
    print(f"\n{len(calls)} generated API calls over {len(operations)} operations in {elapsed:.1f} s: {by_status}")
    print(f"seconds per operation: {timings}")
    assert len(calls) >= MINIMUM_CALLS
    assert not any(status >= 500 for status in calls)
    assert by_status.get(200, 0) > len(calls) // 4  # most valid requests are answered, not all refused
