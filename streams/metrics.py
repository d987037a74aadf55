"""The worker's Prometheus metrics: what each loop consumed and wrote, whether it is healthy, views behind."""

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from streams.engine.health import LoopHealth


class WorkerMetrics(Collector):
    def __init__(self, loops: list[LoopHealth], views_behind: Callable[[], int]) -> None:
        self._loops = loops
        self._views_behind = views_behind

    def collect(self) -> Iterator[Metric]:
        batches = CounterMetricFamily("orderflow_worker_batches", "Batches committed", labels=["loop"])
        consumed = CounterMetricFamily("orderflow_worker_records_consumed", "Records consumed in committed batches",
                                       labels=["loop"])
        written = CounterMetricFamily("orderflow_worker_records_produced", "Records produced in committed batches "
                                      "(store changelogs apart)", labels=["loop"])
        stored = CounterMetricFamily("orderflow_worker_store_writes", "Store entries written (each also a record "
                                     "on the store's changelog)", labels=["loop"])
        healthy = GaugeMetricFamily("orderflow_worker_loop_healthy", "1 while the loop runs without problems",
                                    labels=["loop"])
        for loop in self._loops:
            batches.add_metric([loop.name], loop.batches)
            consumed.add_metric([loop.name], loop.records_in)
            written.add_metric([loop.name], loop.records_out)
            stored.add_metric([loop.name], loop.store_writes)
            healthy.add_metric([loop.name], 1.0 if loop.healthy else 0.0)
        behind = GaugeMetricFamily("orderflow_views_behind",
                                   "Read views that could not apply an event and wait for it (see the dead letters)")
        behind.add_metric([], self._views_behind())
        yield from (batches, consumed, written, stored, healthy, behind)
