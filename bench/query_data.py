"""The query scenario's data set: orders ``BQ-<n>`` folded by the projector's own ``Projectors`` and written with
the project's Elasticsearch sink into the live `orders` and `order-events` indexes.

Why not through Kafka: every record on orders.events is also folded by the running worker, which on a 2-core
machine folds far fewer events per second than a data set of 100k-1M orders holds; it would keep the machine busy
for hours after the load. So the data set skips the command API, the decider and the event log; what reaches
Elasticsearch is what the projector writes for those events (same documents, bulk writes, external versions).
A rebuild does not know these orders (they are not in the event log) and drops them; the next query run reloads.
"""

import random
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from bench.events import order_events
from bench.orders import plan_order
from ops.progress import Progress
from schemas.codec import encode
from schemas.envelope import Envelope, Payload
from schemas.mappings import ORDER_EVENTS, ORDERS
from schemas.topics import ORDERS_EVENTS
from streams.es_sink import ElasticsearchSink
from streams.folding import project_settled
from streams.memory import MemoryStores
from streams.projecting import Outputs, Projectors
from streams.records import Consumed, IndexAction
from streams.specs import ORDER_VIEW

PREFIX = "BQ"
ORDERS_PER_WRITE = 300
SPREAD_DAYS = 365
PARTITION = 0


def order_id(number: int) -> str:
    return f"{PREFIX}-{number:07d}"


class OrderDocuments:
    """The documents the projector writes for orders: their latest order documents and one per event, folded by the
    worker's projectors (``project_settled``) over memory stores emptied after each group (no view is read again)."""

    def __init__(self, seed: int, now: datetime) -> None:
        self._seed = seed
        self._now = now
        self._stores = MemoryStores()
        self._projectors = Projectors([ORDER_VIEW], self._stores.read, outputs=Outputs(view_records=False))

    def actions(self, numbers: Iterable[int]) -> list[IndexAction]:
        events = [event for number in numbers for event in self._events(number)]
        records = [Consumed(ORDERS_EVENTS, PARTITION, offset, event.aggregate_id.encode(), encode(event))
                   for offset, event in enumerate(events)]
        projected = project_settled(self._projectors, records, self._stores)
        if projected.dead_letters:
            raise RuntimeError(f"{len(projected.dead_letters)} generated events could not be projected")
        self._stores.data.clear()
        self._projectors.forget({PARTITION})
        return [action for action, _ in projected.actions]

    def _events(self, number: int) -> list[Envelope[Payload]]:
        rng = random.Random(f"{self._seed}/{number}")
        plan = plan_order(order_id(number), rng)
        created_at = self._now - timedelta(seconds=rng.uniform(0, SPREAD_DAYS * 86400))
        return order_events(plan, created_at, rng)


def loaded_count(es: Elasticsearch) -> int:
    es.indices.refresh(index=ORDERS.alias)
    return int(es.count(index=ORDERS.alias, query={"prefix": {"order_id": f"{PREFIX}-"}})["count"])


def load(elasticsearch: Mapping[str, Any], first: int, last: int, seed: int, timeout_s: float) -> int:
    """Write orders ``first``..``last``; returns the last number written (earlier than ``last`` on timeout)."""
    client = Elasticsearch(**elasticsearch, request_timeout=120)
    sink = ElasticsearchSink(client)
    progress = Progress(f"query data set: orders {first:,}..{last:,}", total=last - first + 1, unit="orders")
    deadline = time.monotonic() + timeout_s
    documents = OrderDocuments(seed, datetime.now(UTC))
    written = first - 1
    try:
        for start in range(first, last + 1, ORDERS_PER_WRITE):
            if time.monotonic() > deadline:
                break
            numbers = range(start, min(start + ORDERS_PER_WRITE, last + 1))
            refused = sink.write(documents.actions(numbers))
            if refused:
                raise RuntimeError(f"Elasticsearch refused {len(refused)} documents: {refused[0].reason}")
            written = numbers[-1]
            progress.advance(len(numbers))
    finally:
        progress.finish()
        client.close()
    return written


def ensure_loaded(elasticsearch: Mapping[str, Any], size: int, seed: int, timeout_s: float) -> int:
    """Top the data set up to ``size`` orders (orders are numbered, so a later run goes on where one stopped);
    returns how many there are. ``elasticsearch``: the client options (``common.clients.elasticsearch_options``)."""
    es = Elasticsearch(**elasticsearch, request_timeout=60)
    try:
        present = loaded_count(es)
        if present < size:
            load(elasticsearch, present + 1, size, seed, timeout_s)
        es.indices.refresh(index=f"{ORDERS.alias},{ORDER_EVENTS.alias}")
        return loaded_count(es)
    finally:
        es.close()
