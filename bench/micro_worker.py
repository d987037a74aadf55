"""Per-record CPU cost of the worker's pure path: what its two loops do with each batch, without Kafka, RocksDB or
Elasticsearch.

Stock receipts, then order commands (create, two items, submit, confirm) go through the same objects the loops
use (``Deciders`` and ``Projectors`` in batches, and the sink's bulk rendering); records the worker sends on
(stock commands, backorders, order summaries) are routed to the loop that reads their topics, as the worker would.
Stores are dicts of the bytes a store would hold. Times are CPU time of this process (best of ``--repeat``).

    .venv/bin/python -m bench.micro_worker [--orders 2000] [--repeat 3]
"""

import argparse
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schemas import topics
from schemas.codec import encode
from schemas.envelope import Payload, envelope_type, utc_now
from schemas.inventory import ReceiveStock
from schemas.orders import AddItem, ConfirmOrder, CreateOrder, SubmitOrder
from streams.deciding import Deciders
from streams.es_sink import bulk_lines, newest_per_document
from streams.memory import MemoryStores
from streams.projecting import Projectors
from streams.records import Consumed, Record
from streams.specs import AGGREGATES, PROJECTIONS

Message = tuple[str, bytes, bytes]  # topic, key, value
BATCH = 2000  # records per batch, as ``ORDERFLOW_WORKER_BATCH_MAX_RECORDS``


def shop_commands(orders: int, customers: int = 300, products: int = 20, inks: int = 7) -> list[Message]:
    """Receipts of every product, then five commands per order; the orders' customers and products repeat, as in
    a shop. The pens are received for half of the orders that want them, so the other half are backordered."""
    messages = [_receipt(f"P-{n}", orders // products) for n in range(products)]
    messages += [_receipt(f"P-{products + n}", orders) for n in range(inks)]
    for n in range(orders):
        order_id = f"ORD-{n}"
        payloads: list[Payload] = [
            CreateOrder(order_id=order_id, customer_id=f"CUST-{n % customers}",
                        customer={"name": f"Customer {n}", "email": f"c{n}@example.com"},
                        shipping_address={"line1": "1 Main Street", "city": "Berlin", "postal_code": "10115",
                                          "country": "DE"}),
            AddItem(order_id=order_id, product_id=f"P-{n % products}", product_name="Pen", quantity=2,
                    unit_price="1.50"),
            AddItem(order_id=order_id, product_id=f"P-{products + n % inks}", product_name="Ink", quantity=1,
                    unit_price="3.25"),
            SubmitOrder(order_id=order_id),
            ConfirmOrder(order_id=order_id),
        ]
        messages.extend(_command(payload, order_id) for payload in payloads)
    return messages


def _receipt(sku: str, quantity: int) -> Message:
    return _command(ReceiveStock(sku=sku, quantity=quantity, product_name=sku), sku, topics.INVENTORY_COMMANDS)


def _command(payload: Payload, aggregate_id: str, topic: str = topics.ORDERS_COMMANDS) -> Message:
    command_id = uuid.uuid4()
    envelope = envelope_type(type(payload))(
        id=command_id, type=type(payload).__name__, aggregate_id=aggregate_id, version=None, occurred_at=utc_now(),
        command_id=command_id, correlation_id=command_id, actor="bench", payload=payload,
    )
    return topic, aggregate_id.encode(), encode(envelope)


@dataclass
class Stage:
    name: str
    records: int = 0
    seconds: float = 0.0


@dataclass
class Pipeline:
    """The worker's two loops' pure work over in-memory stores, in batches of ``BATCH`` records; ``run`` feeds
    records until neither has anything left."""

    stores: MemoryStores = field(default_factory=MemoryStores)
    stages: dict[str, Stage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.deciders = Deciders(AGGREGATES, self.stores.read)
        self.projectors = Projectors(PROJECTIONS, self.stores.read)

    def run(self, messages: list[Message]) -> None:
        pending = [Consumed(topic, 0, offset, key, value) for offset, (topic, key, value) in enumerate(messages)]
        while pending:
            commands = [record for record in pending if record.topic in self.deciders.topics]
            events = [record for record in pending if record.topic in self.projectors.topics]
            pending = []
            for start in range(0, len(commands), BATCH):
                pending += self._timed("deciders", commands[start:start + BATCH], self._decide)
            for start in range(0, len(events), BATCH):
                pending += self._timed("projectors (with bulk rendering)", events[start:start + BATCH],
                                       self._project)

    def _timed(self, name: str, batch: list[Consumed], step: Any) -> list[Consumed]:
        stage = self.stages.setdefault(name, Stage(name))
        start = time.process_time()
        result = step(batch)
        stage.seconds += time.process_time() - start
        stage.records += len(batch)
        return result

    def _decide(self, batch: list[Consumed]) -> list[Consumed]:
        decisions = self.deciders.decide(batch, utc_now())
        if decisions.dead_letters:
            raise RuntimeError("a sample command could not be decided")
        self.stores.apply(decisions.writes)
        self.deciders.committed()
        return _as_consumed(decisions.records)

    def _project(self, batch: list[Consumed]) -> list[Consumed]:
        projected = self.projectors.project(batch)
        if projected.dead_letters:
            raise RuntimeError("a sample event could not be projected")
        bulk_lines(newest_per_document([action for action, _ in projected.actions])[0])
        self.stores.apply(projected.writes)
        self.projectors.committed()
        return _as_consumed(projected.records)


def _as_consumed(records: list[Record]) -> list[Consumed]:
    return [Consumed(record.topic, 0, 0, record.key, record.value) for record in records]


def measure(commands: list[Message]) -> Pipeline:
    pipeline = Pipeline()
    pipeline.run(commands)
    return pipeline


def report(runs: Iterable[Pipeline], commands: int) -> None:
    best: dict[str, Stage] = {}
    for pipeline in runs:
        for stage in pipeline.stages.values():
            if stage.name not in best or stage.seconds < best[stage.name].seconds:
                best[stage.name] = stage
    total = sum(stage.seconds for stage in best.values())
    for stage in best.values():
        print(f"{stage.name:48} {stage.records:7} records {stage.seconds / stage.records * 1e6:8.1f} us/record")
    print(f"{'both loops, per command sent':48} {commands:7} commands {total / commands * 1e6:7.1f} us/command"
          f" = {commands / total:,.0f} commands/s on one core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    measure(shop_commands(200))  # warm up: models and serializers built, caches of parametrised types filled
    commands = shop_commands(options.orders)
    report([measure(commands) for _ in range(options.repeat)], len(commands))


if __name__ == "__main__":
    main()
