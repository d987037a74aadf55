"""Helpers for tests against the real servers: polling, plain Kafka reads, unique ids."""

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from confluent_kafka import Consumer, KafkaError, TopicPartition

T = TypeVar("T")


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
