"""Records the decider cannot read go to the dead-letter topic with their bytes and origin; processing goes on."""

import base64
import json

import httpx
import pytest
from confluent_kafka import Producer

from ops.settings import Settings
from schemas.topics import DEADLETTER, ORDERS_COMMANDS
from tests.support import eventually, read_topic, unique_id

POISON = [
    b"\xff\xfe not json at all",
    json.dumps({"type": "LaunchRocket", "payload": {}}).encode(),
    json.dumps({"id": "0b8c7c1e-8d0e-4a55-9b1e-6f4f0d1f2a3b", "type": "AddItem", "aggregate_id": "X",
                "occurred_at": "2026-01-01T00:00:00Z", "command_id": "0b8c7c1e-8d0e-4a55-9b1e-6f4f0d1f2a3b",
                "correlation_id": "0b8c7c1e-8d0e-4a55-9b1e-6f4f0d1f2a3b", "actor": "t",
                "payload": {"order_id": "X", "quantity": "lots"}}).encode(),
]


def produce(settings: Settings, key: bytes, value: bytes) -> tuple[int, int]:
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "partitioner": "murmur2_random"})
    delivered: list = []
    producer.produce(ORDERS_COMMANDS, key=key, value=value, on_delivery=lambda error, message: delivered.append(message))
    producer.flush(10)
    return delivered[0].partition(), delivered[0].offset()


@pytest.mark.parametrize("poison", POISON, ids=["not-json", "unknown-type", "schema-violation"])
def test_poison_command_is_dead_lettered_and_the_next_command_is_decided(
    system: Settings, commands: httpx.Client, poison: bytes
) -> None:
    order_id = unique_id("ORD")
    partition, offset = produce(system, order_id.encode(), poison)

    def dead_letter() -> dict | None:
        for record in read_topic(system.kafka_bootstrap, DEADLETTER, order_id.encode()):
            letter = json.loads(record.value())["payload"]
            if (letter["source_topic"], letter["partition"], letter["offset"]) == (ORDERS_COMMANDS, partition, offset):
                return letter
        return None

    letter = eventually(dead_letter)
    assert letter["error"]
    original = letter["value"].encode() if letter["value_encoding"] == "utf-8" else base64.b64decode(letter["value"])
    assert original == poison
    created = commands.post("/orders", params={"wait": 15}, json={"order_id": order_id, "customer_id": "C-1"})
    assert created.status_code == 201
