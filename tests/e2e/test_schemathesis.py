"""Requests generated from both OpenAPI documents, valid and invalid, never get a 5xx from the running stack.

The documents are read from the running APIs (``/openapi.json``); every operation gets a bounded number of
generated requests in each generation mode, and every server error found is reported with a curl command.
"""

from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode

from ops.settings import Settings

# Bounded so that both documents together take well under two minutes on a small machine.
EXAMPLES_PER_OPERATION_AND_MODE = 8
BOUNDED = settings(max_examples=EXAMPLES_PER_OPERATION_AND_MODE, deadline=None, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
REQUEST_TIMEOUT_S = 30.0

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


def probe(operation: APIOperation, mode: GenerationMode) -> Probe:
    """Send generated requests for ``operation``; none when ``mode`` cannot make one (such as an invalid request
    to an operation without parameters)."""
    probed = Probe(operation.label, mode)

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        response = case.call(timeout=REQUEST_TIMEOUT_S)
        probed.requests += 1
        if response.status_code >= 500:
            probed.server_errors.append(f"{response.status_code} {response.text[:300]}\n  {case.as_curl_command()}")

    try:
        call()
    except Unsatisfiable:
        pass
    return probed


@pytest.mark.parametrize("api", ["command_api_port", "query_api_port"])
def test_generated_requests_never_get_a_server_error(system: Settings, api: str) -> None:
    operations = operations_served_at(int(getattr(system, api)))
    probes = [probe(operation, mode) for operation in operations for mode in GenerationMode]
    unprobed = [p.label for p in probes if p.requests == 0 and p.mode is GenerationMode.POSITIVE]
    assert operations and not unprobed, f"operations without a valid generated request: {unprobed}"
    errors = [error for p in probes for error in p.server_errors]
    assert not errors, "server errors:\n" + "\n".join(errors)
