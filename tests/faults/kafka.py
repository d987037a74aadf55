"""Plain Kafka access for fault tests: which topics the worker reads, raw records in and out, committed offsets."""

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import Producer

from common.clients import kafka_options
from common.lag import GroupLag, PartitionLag
from ops.settings import Settings
from schemas.topics import DEADLETTER
from streams.deciding import Deciders
from streams.projecting import Projectors
from streams.specs import AGGREGATES, PROJECTIONS
from tests.support import read_topic, unique_id


@dataclass(frozen=True)
class Position:
    topic: str
    partition: int
    offset: int


def consumed_topics(settings: Settings) -> list[str]:
    """Every topic a loop of the worker reads."""
    return sorted({*Deciders(AGGREGATES, no_stores).topics, *Projectors(PROJECTIONS, no_stores).topics})


def no_stores(store: str, partition: int, key: str) -> None:
    return None


def partition_count(settings: Settings, topic: str) -> int:
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 3})
    return len(producer.list_topics(topic, timeout=10).topics[topic].partitions)


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash, as the Java client and Faust use it to pick a key's partition."""
    m, length = 0x5BD1E995, len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    whole = length - length % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = data[whole:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    return h ^ (h >> 15)


def partition_of(key: str, partitions: int) -> int:
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def ids_for_every_partition(prefix: str, partitions: int) -> list[str]:
    """Fresh ids, the one at index ``p`` keyed into partition ``p``."""
    found: dict[int, str] = {}
    while len(found) < partitions:
        candidate = unique_id(prefix)
        found.setdefault(partition_of(candidate, partitions), candidate)
    return [found[p] for p in range(partitions)]


def produce(settings: Settings, topic: str, key: bytes | None, value: bytes | None,
            partition: int | None = None) -> Position:
    """One record, acknowledged by the broker; keyed records go where the worker's own producer puts them."""
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "partitioner": "murmur2_random",
                         "enable.idempotence": True, "log_level": 3})
    delivered: list = []
    options = {} if partition is None else {"partition": partition}
    producer.produce(topic, key=key, value=value, on_delivery=lambda error, message: delivered.append((error, message)),
                     **options)
    producer.flush(30)
    assert delivered and delivered[0][0] is None, f"not delivered to {topic}: {delivered}"
    message = delivered[0][1]
    return Position(topic, message.partition(), message.offset())


def committed(settings: Settings, topics: Iterable[str]) -> list[PartitionLag]:
    """The worker group's committed offset and the log end of every partition of ``topics``."""
    lag = GroupLag(kafka_options(settings), settings.worker_id, timeout_s=15)
    try:
        return lag.lag(topics)
    finally:
        lag.close()


@dataclass(frozen=True)
class DeadLetter:
    source: Position
    original: bytes
    error: str


def dead_letters(settings: Settings) -> dict[Position, DeadLetter]:
    """Every dead letter, by the position of the record it stands for."""
    letters: dict[Position, DeadLetter] = {}
    for record in read_topic(settings.kafka_bootstrap, DEADLETTER, timeout_s=60):
        payload = json.loads(record.value())["payload"]
        value = payload["value"]
        original = value.encode() if payload["value_encoding"] == "utf-8" else base64.b64decode(value)
        source = Position(payload["source_topic"], payload["partition"], payload["offset"])
        letters[source] = DeadLetter(source, original, payload["error"])
    return letters
