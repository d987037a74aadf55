"""The query scenario's data set: orders ``BQ-<n>`` rendered by the projector's own fold and document code and
written with the project's Elasticsearch sink into the live `orders` and `order-events` indexes.

Why not through Kafka: every record on orders.events is also folded by the running worker, which on a 2-core
machine folds far fewer events per second than a data set of 100k-1M orders holds; it would keep the machine busy
for hours after the load. So the data set skips the command API, the decider and the event log; what reaches
Elasticsearch is what the projector writes for those events (same documents, bulk writes, external versions).
A rebuild does not know these orders (they are not in the event log) and drops them; the next query run reloads.
"""

import random
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from bench.events import order_events
from bench.orders import plan_order
from ops.progress import Progress
from schemas.mappings import ORDER_EVENTS, ORDERS
from streams.es_sink import ElasticsearchSink
from streams.records import IndexAction
from streams.specs import ORDER_VIEW

PREFIX = "BQ"
ORDERS_PER_WRITE = 300
SPREAD_DAYS = 365


def order_id(number: int) -> str:
    return f"{PREFIX}-{number:07d}"


def order_actions(number: int, seed: int, now: datetime) -> list[IndexAction]:
    """The documents the projector writes for order ``number``: its latest order document and one per event."""
    rng = random.Random(f"{seed}/{number}")
    plan = plan_order(order_id(number), rng)
    created_at = now - timedelta(seconds=rng.uniform(0, SPREAD_DAYS * 86400))
    view = None
    actions: list[IndexAction] = []
    for event in order_events(plan, created_at, rng):
        view = ORDER_VIEW.fold(view, event)
        actions += ORDER_VIEW.event_documents(view, event)
    return [*actions, *ORDER_VIEW.view_documents(view)] if view is not None else actions


def loaded_count(es: Elasticsearch) -> int:
    es.indices.refresh(index=ORDERS.alias)
    return int(es.count(index=ORDERS.alias, query={"prefix": {"order_id": f"{PREFIX}-"}})["count"])


def load(elasticsearch: Mapping[str, Any], first: int, last: int, seed: int, timeout_s: float) -> int:
    """Write orders ``first``..``last``; returns the last number written (earlier than ``last`` on timeout)."""
    client = Elasticsearch(**elasticsearch, request_timeout=120)
    sink = ElasticsearchSink(client)
    progress = Progress(f"query data set: orders {first:,}..{last:,}", total=last - first + 1, unit="orders")
    deadline = time.monotonic() + timeout_s
    now = datetime.now(UTC)
    written = first - 1
    try:
        for start in range(first, last + 1, ORDERS_PER_WRITE):
            if time.monotonic() > deadline:
                break
            numbers = range(start, min(start + ORDERS_PER_WRITE, last + 1))
            actions = [action for number in numbers for action in order_actions(number, seed, now)]
            refused = sink.write(actions)
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
