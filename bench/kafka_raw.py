"""The raw client's side of the ingest comparison: the same records, produced straight to a scratch topic."""

import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import NewTopic

from common.clients import kafka_options
from common.kafka import position_of, producer_config
from ops.admin.topics import admin_client
from ops.settings import Settings

KeyValue = tuple[bytes | None, bytes | None]


@dataclass(frozen=True)
class RawProduce:
    records: int
    seconds: float


def _consumer(kafka: Mapping[str, Any]) -> Consumer:
    return Consumer({**kafka, "group.id": f"orderflow-bench-{uuid.uuid4()}",
                     "enable.auto.commit": False, "log_level": 3})


def end_offsets(kafka: Mapping[str, Any], topic: str) -> dict[int, int]:
    """``kafka``: the cluster's client options (``common.clients.kafka_options``), as for every function here."""
    consumer = _consumer(kafka)
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions}
    finally:
        consumer.close()


def read_range(kafka: Mapping[str, Any], topic: str, starts: dict[int, int], ends: dict[int, int]) -> list[KeyValue]:
    """The records of ``topic`` from ``starts`` up to (not including) ``ends``, per partition."""
    consumer = _consumer(kafka)
    wanted = {p: end for p, end in ends.items() if end > starts.get(p, 0)}
    records: list[KeyValue] = []
    try:
        consumer.assign([TopicPartition(topic, p, starts.get(p, 0)) for p in wanted])
        while wanted:
            for message in consumer.consume(5000, timeout=1.0):
                if message.error():
                    continue
                _, partition, offset = position_of(message)
                if partition not in wanted or offset >= wanted[partition]:
                    continue
                records.append((message.key(), message.value()))
                if offset + 1 >= wanted[partition]:
                    del wanted[partition]
    finally:
        consumer.close()
    return records


@contextmanager
def scratch_topic(settings: Settings, partitions: int) -> Iterator[str]:
    """A topic of the bench's own for the length of the block, deleted afterwards."""
    admin = admin_client(settings)
    name = f"bench-scratch-{uuid.uuid4().hex[:12]}"
    topic = NewTopic(name, num_partitions=partitions, replication_factor=settings.replication_factor)
    admin.create_topics([topic], operation_timeout=30)[name].result()
    try:
        yield name
    finally:
        admin.delete_topics([name], operation_timeout=30)[name].result()


def produce_all(kafka: Mapping[str, Any], topic: str, records: Sequence[KeyValue]) -> RawProduce:
    """Produce every record with the app's producer settings (idempotent, acks=all) and wait for every
    acknowledgement: the most a client on this machine gets out of the broker for these records."""
    producer = Producer(producer_config(kafka))
    failures: list[str] = []

    def on_delivery(error: object, message: object) -> None:
        if error is not None:
            failures.append(str(error))

    started = time.monotonic()
    for key, value in records:
        while True:
            try:
                producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.005)
        producer.poll(0)
    left = producer.flush(60)
    seconds = time.monotonic() - started
    if left or failures:
        raise RuntimeError(f"raw produce: {left} records unconfirmed, {len(failures)} failed: {failures[:3]}")
    return RawProduce(len(records), seconds)


def raw_produce_of_range(settings: Settings, topic: str, starts: dict[int, int], ends: dict[int, int]) -> RawProduce:
    kafka = kafka_options(settings)
    records = read_range(kafka, topic, starts, ends)
    with scratch_topic(settings, partitions=len(ends)) as scratch:
        return produce_all(kafka, scratch, records)
