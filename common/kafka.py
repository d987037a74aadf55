"""Kafka client configuration, and where a record sits, shared by the processes and the tooling."""

from collections.abc import Mapping
from typing import Any, NamedTuple

from confluent_kafka import Message


def producer_config(kafka: Mapping[str, Any], publish_timeout_s: float = 5.0) -> dict[str, Any]:
    """``kafka``: where the cluster is and how to reach it (``common.clients.kafka_options``)."""
    return {
        **kafka,
        "enable.idempotence": True,
        "acks": "all",
        # A request waits for its record's delivery: at concurrency 1 a linger of 2 ms made p50 5.2 ms, 0.5 ms
        # makes it 3.0 ms; at concurrency 64 records still gather while earlier requests are in flight.
        "linger.ms": 0.5,
        "partitioner": "murmur2_random",  # the Java client's partitioner, as Faust uses
        "queue.buffering.max.messages": 200_000,
        # A record not stored by then is reported as failed: the request answers 503 instead of hanging.
        "delivery.timeout.ms": round(publish_timeout_s * 1000),
        "log_level": 3,
    }


class RecordPosition(NamedTuple):
    topic: str
    partition: int
    offset: int


def position_of(message: Message) -> RecordPosition:
    """Where a consumed or delivered record sits. The client leaves topic, partition or offset unset only on
    error events, so a caller hands in messages whose ``error()`` it checked."""
    topic, partition, offset = message.topic(), message.partition(), message.offset()
    if topic is None or partition is None or offset is None:
        raise ValueError(f"a Kafka message without topic, partition or offset: {message.error()}")
    return RecordPosition(topic, partition, offset)
