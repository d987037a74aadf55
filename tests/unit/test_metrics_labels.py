"""Metrics a client cannot inflate: methods from a closed set, routes as templates; lag read from a cache."""

import threading
import time

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.testclient import TestClient

from common.lag import CachedLag, LagCollector, PartitionLag
from common.web.metrics import RequestTimer, add_metrics_endpoint, request_latency

LATENCY = "orderflow_http_request_duration_seconds_count"


def _app(registry: CollectorRegistry) -> FastAPI:
    app = FastAPI()

    @app.api_route("/orders/{order_id}", methods=["GET", "PURGE"])
    async def order(order_id: str) -> dict[str, str]:
        return {"order_id": order_id}

    app.add_middleware(RequestTimer, latency=request_latency(registry))
    return app


def _series(registry: CollectorRegistry) -> set[tuple[str, str, str]]:
    return {(sample.labels["method"], sample.labels["route"], sample.labels["status"])
            for metric in registry.collect() for sample in metric.samples if sample.name == LATENCY}


def test_methods_outside_the_known_set_and_unknown_paths_share_one_label_each() -> None:
    registry = CollectorRegistry()
    client = TestClient(_app(registry))
    for n in range(3):
        client.get(f"/orders/ORD-{n}")
        client.request("PURGE", f"/orders/ORD-{n}")
        client.request(f"INVENTED{n}", f"/orders/ORD-{n}")
        client.get(f"/nothing/here/{n}")
    assert _series(registry) == {
        ("GET", "/orders/{order_id}", "200"), ("other", "/orders/{order_id}", "200"),
        ("other", "/orders/{order_id}", "405"), ("GET", "unmatched", "404"),
    }


def test_lag_is_served_from_the_last_measurement_while_a_new_one_hangs() -> None:
    release = threading.Event()
    measured = [PartitionLag("orders.commands", 0, 10, 4, 6)]
    calls: list[float] = []

    def measure() -> list[PartitionLag]:
        calls.append(time.monotonic())
        if len(calls) > 1:
            release.wait(10)  # Kafka not answering
        return measured

    cached = CachedLag(measure, interval_s=0.01)
    registry = CollectorRegistry()
    registry.register(LagCollector("orderflow_decider_lag_records", cached.rows))
    app = FastAPI()
    add_metrics_endpoint(app, registry)
    cached.start()
    try:
        while len(calls) < 2:
            time.sleep(0.01)
        answers = [TestClient(app).get("/metrics") for _ in range(20)]
        assert all(answer.status_code == 200 for answer in answers)
        assert all('orderflow_decider_lag_records{partition="0",topic="orders.commands"} 6.0' in answer.text
                   for answer in answers)
        assert len(calls) == 2  # the scrapes asked nothing themselves
    finally:
        release.set()
        cached.stop()


def test_lag_that_cannot_be_measured_is_left_out() -> None:
    def measure() -> list[PartitionLag]:
        raise RuntimeError("Kafka did not answer in time")

    cached = CachedLag(measure, interval_s=0.01)
    cached.start()
    try:
        time.sleep(0.05)
        assert cached.rows() == []
    finally:
        cached.stop()
