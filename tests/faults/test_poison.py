"""Poison records on every topic the worker reads: each is dead-lettered with its bytes, origin and reason, and
the good records after it on the same partition are processed as if it had never been there.

The topics come from the worker's own agents, so a topic added later is poisoned too. Every partition of every
topic gets poison first; then customers, stock and orders keyed into every partition follow it, each customer with
an order over products of its own.
"""

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from ops.settings import Settings
from schemas.topics import COMMAND_TOPICS, EVENT_TOPICS
from tests.faults.checks import assert_recovered, settles
from tests.faults.kafka import (
    Position,
    committed,
    consumed_topics,
    dead_letters,
    ids_for_every_partition,
    partition_count,
    produce,
)
from tests.faults.workload import Workload, run_under_fault


def envelope(type_name: str, aggregate_id: str, **changes: object) -> bytes:
    ids = str(uuid.uuid4())
    fields = {"id": ids, "type": type_name, "schema_version": 1, "aggregate_id": aggregate_id, "version": 1,
              "occurred_at": datetime.now(UTC).isoformat(), "command_id": ids, "correlation_id": ids,
              "actor": "fault-test", "payload": {}}
    return json.dumps({**fields, **changes}).encode()


POISONS: dict[str, bytes | None] = {
    "not-json": b"\xff\xfe\x00 not json at all",
    "not-an-envelope": b'{"hello": "world"}',
    "unknown-type": envelope("LaunchRocket", "POISON-1"),
    "broken-envelope": envelope("OrderCreated", "POISON-2", version="seven", occurred_at="yesterday"),
    "key-is-not-the-aggregate": envelope("OrderCreated", "SOMEONE-ELSE", payload={"customer_id": "C-1", "currency": "EUR"}),
    "no-value": None,
}


def poison_plan(topics: list[str], partitions: int, every_kind: bool) -> Iterator[tuple[str, int, str]]:
    """(topic, partition, kind): every kind on every partition, or one kind per partition taking turns."""
    for t, topic in enumerate(topics):
        for partition in range(partitions):
            kinds = list(POISONS) if every_kind else [list(POISONS)[(t * partitions + partition) % len(POISONS)]]
            for kind in kinds:
                yield topic, partition, kind


def register(commands: httpx.Client, customer_id: str) -> None:
    answer = commands.post("/customers", params={"wait": 15},
                           json={"customer_id": customer_id, "name": "Poison Tester", "email": "poison@example.com"})
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("every_kind", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_poison_on_every_consumed_topic_is_dead_lettered_and_the_records_after_it_are_processed(
    system: Settings, commands: httpx.Client, queries: httpx.Client, every_kind: bool,
) -> None:
    topics = consumed_topics(system)
    assert {*COMMAND_TOPICS, *EVENT_TOPICS} <= set(topics)
    partitions = partition_count(system, topics[0])
    poisoned = {produce(system, topic, b"POISON-1", POISONS[kind], partition): POISONS[kind] or b""
                for topic, partition, kind in poison_plan(topics, partitions, every_kind)}

    customers = ids_for_every_partition("C-POISON", partitions)
    orders = ids_for_every_partition("ORD-POISON", partitions)
    workloads = [Workload.new("POISON", 1, ids_for_every_partition("SKU-POISON", partitions), customer_id, [order_id])
                 for customer_id, order_id in zip(customers, orders, strict=True)]
    for workload in workloads:
        register(commands, workload.customer_id)
        workload.stock(commands)
        run_under_fault(system, workload)
        assert_recovered(system, commands, queries, workload)

    assert_dead_lettered(system, poisoned)
    assert_processed_past(system, topics, poisoned)


def assert_dead_lettered(settings: Settings, poisoned: dict[Position, bytes]) -> None:
    """Each poison record has a dead letter with its original bytes and a reason."""
    def missing() -> list[Position]:
        letters = dead_letters(settings)
        return [position for position in poisoned if position not in letters]

    settles(missing, [])
    letters = dead_letters(settings)
    for position, value in poisoned.items():
        assert letters[position].original == value and letters[position].error.strip(), letters[position]


def assert_processed_past(settings: Settings, topics: list[str], poisoned: dict[Position, bytes]) -> None:
    """Good records followed the poison on each poisoned partition, and the worker committed past them all."""
    last = {(p.topic, p.partition): max(q.offset for q in poisoned if (q.topic, q.partition) == (p.topic, p.partition))
            for p in poisoned}

    def behind() -> dict[tuple[str, int], tuple[int, int | None]]:
        rows = {(row.topic, row.partition): row for row in committed(settings, topics)}
        return {where: (rows[where].end_offset, rows[where].committed_offset) for where, offset in last.items()
                if rows[where].end_offset <= offset + 1 or rows[where].committed_offset != rows[where].end_offset}

    settles(behind, {})
