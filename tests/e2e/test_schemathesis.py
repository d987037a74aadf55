"""Requests generated from both OpenAPI documents, valid and invalid, never get a 5xx from the running stack.

The documents are read from the running APIs (``/openapi.json``); every operation gets a bounded number of
generated requests in each generation mode, plus the requests that once got a server error as explicit examples,
and every server error found is reported with a curl command. The ``slow`` variant sends ten times as many.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode

from ops.settings import Settings

# Per operation and generation mode: enough to find a date or a number out of range in CI, which keeps both
# documents to a few minutes; the slow variant is for a release.
EXAMPLES_IN_CI = 50
EXAMPLES_WHEN_SLOW = 500
REQUEST_TIMEOUT_S = 30.0
# Operations probed at once: a read with min_version waits up to 3 s for an order that is not there, and those
# waits may overlap. Processes, not threads: Python 3.11's parser, which Hypothesis uses to describe strategies,
# is not thread-safe.
PARALLEL_PROBES = 4
APIS = ["command_api_port", "query_api_port"]

# Requests that answered 500 once (issue 14), by operation: (query, the parameter the 422 must name).
REGRESSIONS: dict[str, list[tuple[dict[str, str], str]]] = {
    "GET /orders": [({"from": "0001-01-01T00:00:00+05:00"}, "from"), ({"cursor": "W10"}, "cursor"),
                    ({"cursor": "WzFlNDAwXQ"}, "cursor")],
    "GET /stats/orders": [({"to": "9999-12-31T23:59:59-05:00"}, "to")],
    "GET /inventory": [({"cursor": "W10"}, "cursor")],
}

# The batch endpoint reads NDJSON: its body is text.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


@dataclass
class Probe:
    """What the generated requests to one operation got back."""

    label: str
    mode: GenerationMode
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)


def operations_served_at(port: int) -> list[APIOperation]:
    schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{port}/openapi.json", wait_for_schema=30)
    return [result.ok() for result in schema.get_all_operations()]


def probe(operation: APIOperation, mode: GenerationMode, examples: int) -> Probe:
    """Send generated requests for ``operation``, and with the valid ones its regression examples; none when
    ``mode`` cannot make one (such as an invalid request to an operation without parameters)."""
    probed = Probe(operation.label, mode)

    def call(case: schemathesis.Case) -> None:
        response = case.call(timeout=REQUEST_TIMEOUT_S)
        probed.requests += 1
        if response.status_code >= 500:
            probed.server_errors.append(f"{response.status_code} {response.text[:300]}\n  {case.as_curl_command()}")

    if mode is GenerationMode.POSITIVE:
        for query, _ in REGRESSIONS.get(operation.label, []):
            call = example(case=operation.Case(query=query))(call)
    bounded = settings(max_examples=examples, deadline=None, database=None,
                       phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    try:
        bounded(given(case=operation.as_strategy(generation_mode=mode))(call))()
    except Unsatisfiable:
        pass
    return probed


def probe_served(port: int, label: str, mode: GenerationMode, examples: int) -> Probe:
    """``probe`` in a process of its own, which reads the document again."""
    [operation] = [operation for operation in operations_served_at(port) if operation.label == label]
    return probe(operation, mode, examples)


def assert_no_server_error(port: int, examples: int) -> None:
    operations = operations_served_at(port)
    with ProcessPoolExecutor(PARALLEL_PROBES, mp_context=multiprocessing.get_context("fork")) as pool:
        running = [pool.submit(probe_served, port, operation.label, mode, examples)
                   for operation in operations for mode in GenerationMode]
        probes = [future.result() for future in running]
    unprobed = [p.label for p in probes if p.requests == 0 and p.mode is GenerationMode.POSITIVE]
    assert operations and not unprobed, f"operations without a valid generated request: {unprobed}"
    errors = [error for p in probes for error in p.server_errors]
    assert not errors, "server errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("api", APIS)
def test_generated_requests_never_get_a_server_error(system: Settings, api: str) -> None:
    assert_no_server_error(int(getattr(system, api)), EXAMPLES_IN_CI)


@pytest.mark.slow
@pytest.mark.parametrize("api", APIS)
def test_ten_times_as_many_generated_requests_never_get_a_server_error(system: Settings, api: str) -> None:
    assert_no_server_error(int(getattr(system, api)), EXAMPLES_WHEN_SLOW)


@pytest.mark.parametrize(("label", "query", "parameter"), [
    (label, query, parameter) for label, cases in REGRESSIONS.items() for query, parameter in cases
])
def test_a_request_that_once_got_a_server_error_is_422_naming_the_parameter(
    queries: httpx.Client, label: str, query: dict[str, Any], parameter: str,
) -> None:
    response = queries.get(label.split(" ", 1)[1], params=query)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["detail"]] == [parameter]
