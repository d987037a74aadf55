"""The worker processes' /metrics: Prometheus text with each loop's counters, which grow as commands pass."""

import httpx

from bench.worker_counts import loop_counts
from ops.launcher.services import worker_services
from ops.settings import Settings
from tests.support import eventually, unique_id

GROWING = [("orderflow_worker_records_consumed", "deciders"), ("orderflow_worker_records_produced", "deciders"),
           ("orderflow_worker_store_writes", "deciders"), ("orderflow_worker_batches", "deciders"),
           ("orderflow_worker_records_consumed", "projectors")]


def test_every_worker_process_serves_prometheus_text(system: Settings) -> None:
    for service in worker_services(system):
        answer = httpx.get(f"http://127.0.0.1:{service.port(system)}/metrics", timeout=5)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain; version=")


def test_each_loop_counts_what_it_consumed_and_wrote(system: Settings, commands: httpx.Client) -> None:
    before = loop_counts(system).values
    assert before[("orderflow_worker_loop_healthy", "deciders")] >= 1
    assert before[("orderflow_worker_loop_healthy", "projectors")] >= 1

    created = commands.post("/orders", params={"wait": 15}, json={
        "order_id": unique_id("ORD"), "customer_id": "C-METRICS",
        "customer": {"name": "Mia Metrics", "email": "mia@example.com"}})
    assert created.status_code == 201, created.text

    eventually(lambda: all(loop_counts(system).values[key] > before[key] for key in GROWING))
