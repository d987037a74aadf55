"""A worker, a command API and a query API of the test's own that reach Kafka only through the local broker's
SASL_PLAINTEXT listener (SCRAM-SHA-512), as they would an existing secured cluster: a command sent to that command
API is decided (the worker joins the system's consumer group and takes a share of the partitions) and the order
becomes searchable through that query API."""

import socket
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from ops.launcher.kafka_sasl import sasl_client_settings
from ops.launcher.processes import port_open
from ops.launcher.services import AppService
from ops.settings import Settings
from tests.support import eventually, unique_id

# A worker number no worker of the system uses: transactional ids and store folder of its own.
WORKER_INDEX = 15
ORDERS = 24  # spread over the partitions, so some land on the test worker's


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SERVICES = (AppService("sasl-worker", "streams", "worker_web_port"),
            AppService("sasl-command-api", "producers", "command_api_port"),
            AppService("sasl-query-api", "query_api", "query_api_port"))


@pytest.fixture(scope="module")
def through_sasl(system: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    if not system.kafka_sasl_port:
        pytest.skip("ORDERFLOW_KAFKA_SASL_PORT is 0: the local broker has no SASL listener (`make test` sets it)")
    assert port_open(system.kafka_sasl_port), (
        f"nothing listens on the SASL port {system.kafka_sasl_port}: the running broker was started without "
        "ORDERFLOW_KAFKA_SASL_PORT; `make down`, then `make test` starts it with the listener")
    settings = sasl_client_settings(system).model_copy(update={
        "data_dir": Path(tmp_path_factory.mktemp("sasl")), "worker_index": WORKER_INDEX,
        "worker_loops": ("deciders", "projectors"), "worker_web_port": free_port(),
        "command_api_port": free_port(), "query_api_port": free_port(),
    })
    try:
        for service in SERVICES:
            service.start(settings)
        for service in SERVICES:
            service.wait_healthy(settings)
        yield settings
    finally:
        for service in reversed(SERVICES):
            service.process(settings).stop()


def worker_loops(settings: Settings) -> dict[str, Any]:
    """The test worker's loops as its /health reports them: partitions assigned, records read."""
    loops: dict[str, Any] = httpx.get(f"http://127.0.0.1:{settings.worker_web_port}/health", timeout=10).json()["loops"]
    return loops


def assigned(settings: Settings) -> dict[str, Any] | None:
    loops = worker_loops(settings)
    return loops if all(loop["partitions"] for loop in loops.values()) else None


def searchable(queries: httpx.Client, order_id: str) -> dict[str, Any] | None:
    found = queries.get(f"/orders/{order_id}")
    return found.json() if found.status_code == 200 else None


def test_every_process_works_through_the_sasl_listener(through_sasl: Settings) -> None:
    loops = eventually(lambda: assigned(through_sasl), timeout_s=90)
    assert set(loops) == {"deciders", "projectors"}
    decided_before = loops["deciders"]["records_in"]
    with httpx.Client(base_url=f"http://127.0.0.1:{through_sasl.command_api_port}", timeout=60) as commands, \
            httpx.Client(base_url=f"http://127.0.0.1:{through_sasl.query_api_port}", timeout=30) as queries:
        order_ids = [unique_id("ORD-SASL") for _ in range(ORDERS)]
        for order_id in order_ids:
            answer = commands.post("/orders", params={"wait": 30},
                                   json={"order_id": order_id, "customer_id": "C-SASL"})
            assert answer.status_code == 201 and answer.json()["status"] == "accepted", answer.text
        for order_id in order_ids:
            order = eventually(partial(searchable, queries, order_id), timeout_s=60)
            assert order["customer_id"] == "C-SASL"
    assert worker_loops(through_sasl)["deciders"]["records_in"] > decided_before
