"""Kafka client configuration shared by the processes and the tooling."""

from typing import Any


def producer_config(bootstrap: str, publish_timeout_s: float = 5.0) -> dict[str, Any]:
    return {
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        "partitioner": "murmur2_random",  # the Java client's partitioner, as Faust uses
        "queue.buffering.max.messages": 200_000,
        # A record not stored by then is reported as failed: the request answers 503 instead of hanging.
        "delivery.timeout.ms": round(publish_timeout_s * 1000),
        "log_level": 3,
    }
