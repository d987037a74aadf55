"""Helpers for tests against the real servers: polling, plain Kafka reads, unique ids, dead letters."""

import random
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from ops.settings import Settings
from schemas.codec import encode
from schemas.envelope import Envelope, utc_now
from schemas.orders import CreateOrder
from schemas.topics import DEADLETTER, ORDERS_COMMANDS
from streams.deadletters import dead_letter

T = TypeVar("T")

# A CreateOrder whose JSON breaks off: what the worker dead-letters.
BROKEN = b'{"type": "CreateOrder", "payload": {"order_id": '


def unique_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


def eventually(probe: Callable[[], T | None], timeout_s: float = 30.0, interval_s: float = 0.2) -> T:
    """Poll until ``probe`` returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s (last value: {last!r})")


def read_topic(bootstrap: str, topic: str, key: bytes | None = None, timeout_s: float = 10.0) -> list[Any]:
    """Every committed record of ``topic`` from offset 0 to the current end (optionally only one key), with no
    group, as every reader of the project's topics reads them (``read_committed``)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"test-{uuid.uuid4()}",
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "enable.partition.eof": True, "log_level": 3})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        records: list[Any] = []
        open_partitions = set(partitions)
        deadline = time.monotonic() + timeout_s
        while open_partitions and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error() is not None:
                if message.error().code() == KafkaError._PARTITION_EOF:
                    open_partitions.discard(message.partition())
                continue
            if key is None or message.key() == key:
                records.append(message)
        return records
    finally:
        consumer.close()


def put_dead_letter(settings: Settings, key: str, source_topic: str = ORDERS_COMMANDS) -> str:
    """Produce a dead letter to the dead-letter topic; its handle (partition:offset) comes back."""
    letter = dead_letter(source_topic, 0, random.randrange(10**9), key.encode(), BROKEN, "record: Invalid JSON")
    delivered: list[Any] = []
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "partitioner": "murmur2_random"})
    producer.produce(DEADLETTER, key=key.encode(), value=encode(letter),
                     on_delivery=lambda error, message: delivered.append(message))
    producer.flush(10)
    assert delivered and delivered[0].error() is None
    return f"{delivered[0].partition()}:{delivered[0].offset()}"


def create_order_bytes(order_id: str, customer_id: str = "C-DEADLETTER") -> bytes:
    """A valid CreateOrder record for ``order_id``, as a producer of the command topic writes it."""
    command_id = uuid.uuid4()
    return encode(Envelope[CreateOrder](
        id=command_id, type="CreateOrder", aggregate_id=order_id, version=None, occurred_at=utc_now(),
        command_id=command_id, correlation_id=command_id, actor="test",
        payload=CreateOrder(order_id=order_id, customer_id=customer_id),
    ))
