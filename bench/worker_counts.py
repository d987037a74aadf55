"""What the worker's loops consumed, produced and stored during a run, read from each worker process's /metrics."""

from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.results import Row
from ops.launcher.services import worker_services
from ops.settings import Settings

# The worker's counters (streams/metrics.py) that the pipeline reports per command, by what a row calls them.
COUNTERS = {
    "orderflow_worker_records_consumed": "records consumed",
    "orderflow_worker_records_produced": "records produced",
    "orderflow_worker_store_writes": "store writes",
}


@dataclass(frozen=True)
class LoopCounts:
    """Every per-loop metric of the worker, by (metric family, loop), summed over the worker processes."""

    values: dict[tuple[str, str], float]  # a metric the worker did not report counts 0

    def since(self, earlier: "LoopCounts") -> "LoopCounts":
        return LoopCounts({key: value - earlier.values.get(key, 0) for key, value in self.values.items()})

    def rows_per_command(self, commands: int) -> list[Row]:
        """Per command sent: each loop's records in, records out and store writes (each store write is also a
        record on the store's changelog)."""
        loops = sorted({loop for _, loop in self.values})
        return [Row(f"{loop}: {label} per command", self.values.get((counter, loop), 0) / commands, "per command")
                for loop in loops for counter, label in COUNTERS.items()]


def loop_counts(settings: Settings) -> LoopCounts:
    values: dict[tuple[str, str], float] = {}
    with httpx.Client(timeout=10) as client:
        for service in worker_services(settings):
            answer = client.get(f"http://127.0.0.1:{service.port(settings)}/metrics")
            answer.raise_for_status()
            for family in text_string_to_metric_families(answer.text):
                for sample in family.samples:
                    if "loop" in sample.labels and not sample.name.endswith("_created"):
                        key = (family.name, sample.labels["loop"])
                        values[key] = values.get(key, 0) + sample.value
    return LoopCounts(values)
