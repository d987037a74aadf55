"""Kafka client configuration shared by the processes and the tooling."""

from collections.abc import Mapping
from typing import Any


def producer_config(kafka: Mapping[str, Any], publish_timeout_s: float = 5.0) -> dict[str, Any]:
    """``kafka``: where the cluster is and how to reach it (``common.clients.kafka_options``)."""
    return {
        **kafka,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        "partitioner": "murmur2_random",  # the Java client's partitioner, as Faust uses
        "queue.buffering.max.messages": 200_000,
        # A record not stored by then is reported as failed: the request answers 503 instead of hanging.
        "delivery.timeout.ms": round(publish_timeout_s * 1000),
        "log_level": 3,
    }
