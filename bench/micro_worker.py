"""Per-record CPU cost of the worker's pure path: what its agents do with each record, without Kafka, RocksDB or
Elasticsearch.

Stock receipts, then order commands (create, two items, submit, confirm) go through the same objects the agents
use (``Decider``,
``Projector``, the batch steps of the projector and the sink's bulk rendering); records the worker sends on
(order summaries, stock commands, backorders) are routed to the agents that read their topics, as the worker would.
Tables are dicts of the bytes a table would hold. Times are CPU time of this process (best of ``--repeat``).

    .venv/bin/python -m bench.micro_worker [--orders 2000] [--repeat 3]
"""

import argparse
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schemas import topics
from schemas.codec import decode, encode
from schemas.envelope import Payload, envelope_type, utc_now
from schemas.inventory import ReceiveStock
from schemas.orders import AddItem, ConfirmOrder, CreateOrder, SubmitOrder
from streams.deciding import AggregateSpec, Decider
from streams.es_sink import bulk_lines, newest_per_document
from streams.projecting import ProjectionSpec, Projector, latest_snapshots
from streams.specs import AGGREGATES, PROJECTIONS, TRANSLATORS

Message = tuple[str, bytes, bytes]  # topic, key, value
BATCH = 1000  # records per projector batch, as ``ORDERFLOW_ES_BULK_MAX_DOCS``


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
    """The worker's agents over in-memory tables; ``run`` feeds records until no agent has anything left."""

    deciders: dict[str, tuple[AggregateSpec[Any], Decider[Any]]] = field(default_factory=dict)
    projectors: dict[str, list[tuple[ProjectionSpec[Any], Projector[Any]]]] = field(default_factory=dict)
    tables: dict[str, dict[str, bytes]] = field(default_factory=lambda: defaultdict(dict))
    stages: dict[str, Stage] = field(default_factory=dict)

    @classmethod
    def of_worker(cls) -> "Pipeline":
        pipeline = cls()
        for aggregate in AGGREGATES:
            pipeline.deciders[aggregate.commands_topic] = (aggregate, Decider(aggregate))
        for projection in (*PROJECTIONS, *TRANSLATORS):
            for topic in projection.topics:
                pipeline.projectors.setdefault(topic, []).append((projection, Projector(projection)))
        return pipeline

    def run(self, messages: list[Message]) -> None:
        pending = list(messages)
        while pending:
            by_topic: dict[str, list[Message]] = defaultdict(list)
            for message in pending:
                by_topic[message[0]].append(message)
            pending = []
            for topic, batch in by_topic.items():
                pending.extend(self._consume(topic, batch))

    def _consume(self, topic: str, messages: list[Message]) -> list[Message]:
        sent: list[Message] = []
        if topic in self.deciders:
            sent.extend(self._timed(f"decide {topic}", len(messages), self._decide, topic, messages))
        for spec, projector in self.projectors.get(topic, []):
            for start in range(0, len(messages), BATCH):
                batch = messages[start:start + BATCH]
                sent.extend(self._timed(f"project {spec.name} <- {topic}", len(batch), self._project, spec, projector,
                                        batch))
        return sent

    def _timed(self, name: str, records: int, step: Any, *args: Any) -> list[Message]:
        stage = self.stages.setdefault(name, Stage(name))
        start = time.process_time()
        result = step(*args)
        stage.seconds += time.process_time() - start
        stage.records += records
        return result

    def _decide(self, topic: str, messages: list[Message]) -> list[Message]:
        spec, decider = self.deciders[topic]
        table = self.tables[spec.table_name]
        sent: list[Message] = []
        for _, key, value in messages:
            decided = decider.decide_record(key, value, table.get, utc_now())
            if decided.dead_letter_reason is not None:
                raise RuntimeError(f"the sample command could not be decided: {decided.dead_letter_reason}")
            key = decided.aggregate_id.encode()
            sent.extend((spec.events_topic, key, event) for event in decided.event_values)
            if decided.stored is not None:
                table[decided.aggregate_id] = decided.stored
        return sent

    def _project(self, spec: ProjectionSpec[Any], projector: Projector[Any], batch: list[Message]) -> list[Message]:
        views, parts = self.tables[spec.table_name], self.tables[spec.parts_table_name]
        actions, records = [], []
        for position, (_, _, value) in enumerate(batch):
            event = decode(value, spec.event_types)
            part_key = spec.part_key(event)
            projection = projector.project(event, views.get(event.aggregate_id),
                                           parts.get(part_key) if part_key else None, position)
            if projection.view is not None:
                views[event.aggregate_id] = projection.view
            if projection.part is not None:
                parts[projection.part.key] = projection.part.value
            actions.extend(projection.actions)
            records.extend(projection.records)
        bulk_lines(newest_per_document(actions)[0])
        return [(record.topic, record.key, record.value) for record in latest_snapshots(records)]


def measure(commands: list[Message]) -> Pipeline:
    pipeline = Pipeline.of_worker()
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
    print(f"{'all agents, per command sent':48} {commands:7} commands {total / commands * 1e6:7.1f} us/command"
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
