"""The query API's scrape-time metrics: how far the projector is behind, and the newest indexed event."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from elasticsearch import Elasticsearch
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from common.clients import elasticsearch_options, kafka_options
from common.lag import GroupLag, LagCollector
from query_api.settings import QueryApiSettings
from schemas.mappings import ORDER_EVENTS
from schemas.topics import CUSTOMERS_EVENTS, INVENTORY_EVENTS, ORDERS_EVENTS

log = logging.getLogger(__name__)

PROJECTOR_LAG = "orderflow_projector_lag_records"
LAST_INDEXED_EVENT = "orderflow_last_indexed_event_timestamp_seconds"
PROJECTED_TOPICS = (ORDERS_EVENTS, CUSTOMERS_EVENTS, INVENTORY_EVENTS)
SCRAPE_TIMEOUT_S = 2.0


def newest_event_body() -> dict[str, Any]:
    return {"size": 1, "sort": [{"occurred_at": "desc"}], "_source": False, "track_total_hits": False}


def newest_event_seconds(es: Elasticsearch) -> float | None:
    """``occurred_at`` of the newest event in ``order-events`` as a Unix time; ``None`` when there is none."""
    hits = es.search(index=ORDER_EVENTS.alias, **newest_event_body())["hits"]["hits"]
    return hits[0]["sort"][0] / 1000 if hits else None


class ScrapedGauge:
    """A Prometheus gauge read at every scrape; left out of that scrape when it cannot be read."""

    def __init__(self, name: str, documentation: str, read: Callable[[], float | None]) -> None:
        self.name = name
        self.documentation = documentation
        self._read = read

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Called on registration: must not reach the server.
        yield GaugeMetricFamily(self.name, self.documentation)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            value = self._read()
        except Exception as exc:  # noqa: BLE001 - the other metrics must still be served while the server is away
            log.warning("%s not collected: %s", self.name, exc)
            return
        if value is not None:
            yield GaugeMetricFamily(self.name, self.documentation, value=value)


@contextmanager
def scraped_metrics(registry: CollectorRegistry, settings: QueryApiSettings) -> Iterator[None]:
    """Registers the collectors that ask Kafka and Elasticsearch, and closes their clients afterwards."""
    lag = GroupLag(kafka_options(settings), settings.worker_id)
    es = Elasticsearch(**elasticsearch_options(settings), request_timeout=SCRAPE_TIMEOUT_S, max_retries=0)
    collectors: list[Collector] = [
        LagCollector(PROJECTOR_LAG, partial(lag.lag, PROJECTED_TOPICS),
                     "Event records the worker has not projected yet, per partition"),
        ScrapedGauge(LAST_INDEXED_EVENT, "occurred_at of the newest event in the order-events index (Unix time)",
                     partial(newest_event_seconds, es)),
    ]
    for collector in collectors:
        registry.register(collector)
    try:
        yield
    finally:
        for collector in collectors:
            registry.unregister(collector)
        lag.close()
        es.close()
