"""The worker processes' /metrics: Prometheus text with each loop's counters, which grow as commands pass."""

import httpx
from prometheus_client.parser import text_string_to_metric_families

from ops.launcher.services import worker_services
from ops.settings import Settings
from tests.support import eventually, unique_id


def _loop_samples(settings: Settings) -> dict[tuple[str, str], float]:
    samples: dict[tuple[str, str], float] = {}
    for service in worker_services(settings):
        answer = httpx.get(f"http://127.0.0.1:{service.port(settings)}/metrics", timeout=5)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain; version=")
        for family in text_string_to_metric_families(answer.text):
            for sample in family.samples:
                if "loop" in sample.labels:
                    key = (sample.name, sample.labels["loop"])
                    samples[key] = samples.get(key, 0.0) + sample.value
    return samples


def test_each_loop_counts_what_it_consumed_and_wrote(system: Settings, commands: httpx.Client) -> None:
    before = _loop_samples(system)
    assert before[("orderflow_worker_loop_healthy", "deciders")] >= 1
    assert before[("orderflow_worker_loop_healthy", "projectors")] >= 1

    order_id = unique_id("ORD")
    created = commands.post("/orders", params={"wait": 15}, json={
        "order_id": order_id, "customer_id": "C-METRICS", "customer": {"name": "Mia Metrics",
                                                                      "email": "mia@example.com"}})
    assert created.status_code == 201, created.text

    def grown() -> dict[tuple[str, str], float] | None:
        after = _loop_samples(system)
        wanted = [("orderflow_worker_records_consumed_total", "deciders"),
                  ("orderflow_worker_records_produced_total", "deciders"),
                  ("orderflow_worker_store_writes_total", "deciders"),
                  ("orderflow_worker_records_consumed_total", "projectors")]
        return after if all(after[key] > before.get(key, 0.0) for key in wanted) else None

    after = eventually(grown)
    assert after[("orderflow_worker_batches_total", "deciders")] > before[("orderflow_worker_batches_total", "deciders")]
