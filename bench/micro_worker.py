"""Per-record CPU cost of the worker's pure path: what its two loops do with each batch, without Kafka, RocksDB or
Elasticsearch.

Stock receipts, then order commands (create, two items, submit, confirm) go through the in-memory worker
(``streams.memory.MemoryWorker``: ``Deciders`` and ``Projectors`` in batches, as the loops run them, and the sink's
bulk rendering); records the worker sends on (stock commands, backorders, order summaries) are routed to the loop
that reads their topics, as the worker would, at the offsets of their topic (the customer view folds an order
summary only past the position it took last). Stores are dicts of the bytes a store would hold. Times are CPU time
of this process (best of ``--repeat``).

    .venv/bin/python -m bench.micro_worker [--orders 2000] [--repeat 3]
"""

import argparse
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from schemas import topics
from schemas.codec import encode
from schemas.envelope import Payload, envelope_type, utc_now
from schemas.inventory import ReceiveStock
from schemas.orders import AddItem, ConfirmOrder, CreateOrder, SubmitOrder
from streams.deciding import Decisions
from streams.es_sink import bulk_lines
from streams.memory import BATCH, MemoryWorker
from streams.ports import Wait
from streams.projecting import Projected
from streams.records import Consumed, FailedAction, IndexAction, Record, write_newest
from streams.specs import AGGREGATES, PROJECTIONS

T = TypeVar("T")


def shop_commands(orders: int, customers: int = 300, products: int = 20, inks: int = 7) -> list[Record]:
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


def _receipt(sku: str, quantity: int) -> Record:
    return _command(ReceiveStock(sku=sku, quantity=quantity, product_name=sku), sku, topics.INVENTORY_COMMANDS)


def _command(payload: Payload, aggregate_id: str, topic: str = topics.ORDERS_COMMANDS) -> Record:
    command_id = uuid.uuid4()
    envelope = envelope_type(type(payload))(
        id=command_id, type=type(payload).__name__, aggregate_id=aggregate_id, version=None, occurred_at=utc_now(),
        command_id=command_id, correlation_id=command_id, actor="bench", payload=payload,
    )
    return Record(topic, aggregate_id.encode(), encode(envelope))


@dataclass
class Stage:
    name: str
    records: int = 0
    seconds: float = 0.0


class RenderedBulk:
    """A ``DocumentSink`` that renders the bulk request and sends it nowhere."""

    def write(self, actions: list[IndexAction], wait: Wait = time.sleep) -> list[FailedAction]:
        return write_newest(actions, self._render)[0]

    @staticmethod
    def _render(actions: list[IndexAction]) -> list[FailedAction]:
        bulk_lines(actions)
        return []


class Pipeline(MemoryWorker):
    """The in-memory worker, each batch of each loop timed."""

    def __init__(self) -> None:
        super().__init__(AGGREGATES, PROJECTIONS, documents=RenderedBulk(), batch_size=BATCH)
        self.stages: dict[str, Stage] = {}

    def decide(self, batch: list[Consumed]) -> Decisions:
        decisions = self._timed("deciders", batch, super().decide)
        if decisions.dead_letters:
            raise RuntimeError("a sample command could not be decided")
        return decisions

    def project(self, batch: list[Consumed]) -> Projected:
        projected = self._timed("projectors (with bulk rendering)", batch, super().project)
        if projected.dead_letters:
            raise RuntimeError("a sample event could not be projected")
        return projected

    def _timed(self, name: str, batch: list[Consumed], step: Callable[[list[Consumed]], T]) -> T:
        stage = self.stages.setdefault(name, Stage(name))
        start = time.process_time()
        result = step(batch)
        stage.seconds += time.process_time() - start
        stage.records += len(batch)
        return result


def measure(commands: list[Record]) -> Pipeline:
    pipeline = Pipeline()
    pipeline.log.append(commands)
    pipeline.run()
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
