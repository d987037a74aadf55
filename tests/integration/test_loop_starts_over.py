"""A transactional loop on the real Kafka that meets an error does not die: it drops the batch, takes a new
consumer from the committed offsets and goes on; every record comes out once (``read_committed``)."""

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Message, Producer
from confluent_kafka.admin import NewTopic

from ops.admin.topics import admin_client
from ops.settings import Settings
from streams.app import worker_kafka_options
from streams.engine.batches import Batch, Finished
from streams.engine.health import LoopHealth
from streams.engine.loop import LOOP_PROBLEM, TransactionalLoop
from streams.engine.state import LoopStores
from streams.engine.stores import StoreFolders
from streams.records import Record
from tests.support import eventually, unique_id

RECORDS = 300


class Copier:
    """Copies each record to ``out``; the first batch it is given fails."""

    name = "copier"
    overlaps = False

    def __init__(self, source: str, out: str, stores: LoopStores) -> None:
        self.topics = (source,)
        self.stores = stores
        self._out = out
        self.failures = 0
        self.lock = threading.Lock()

    def start(self, messages: list[Message]) -> Finished:
        with self.lock:
            if self.failures == 0:
                self.failures += 1
                raise RuntimeError("the first batch fails")
        return Finished(Batch(records=[Record(self._out, message.key(), message.value() or b"")
                                       for message in messages]))

    def committed(self) -> None:
        pass

    def discarded(self) -> None:
        pass

    def forget(self, partitions: set[int]) -> None:
        pass


@pytest.fixture
def topics(servers: Settings) -> Iterator[tuple[str, str]]:
    admin = admin_client(servers)
    names = (unique_id("test-loop-in"), unique_id("test-loop-out"))
    created = admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1) for name in names])
    for future in created.values():
        future.result(timeout=30)
    yield names
    for future in admin.delete_topics(list(names), operation_timeout=30).values():
        future.result(timeout=30)


def committed_values(settings: Settings, topic: str) -> list[bytes]:
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap, "group.id": unique_id("test-reader"),
                         "isolation.level": "read_committed", "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([topic])
    values: list[bytes] = []
    try:
        while batch := consumer.consume(1000, timeout=5.0):
            values += [message.value() for message in batch if message.error() is None]
    finally:
        consumer.close()
    return values


def test_a_loop_that_fails_starts_over_and_passes_every_record_once(
    servers: Settings, topics: tuple[str, str], tmp_path: Path,
) -> None:
    source, out = topics
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    sent = [f"record-{number}".encode() for number in range(RECORDS)]
    for value in sent:
        producer.produce(source, value, key=value)
    assert producer.flush(30) == 0

    options = dataclasses.replace(worker_kafka_options(servers), group=unique_id("test-loop-group"))
    stores = LoopStores([], StoreFolders(tmp_path, 1 << 20, 1 << 20), lambda _: 0)
    handler = Copier(source, out, stores)
    health = LoopHealth("copier")
    loop = TransactionalLoop(handler, options, unique_id("test-loop-txn"), health, max_records=100)
    loop.start()
    try:
        eventually(lambda: health.has_problem(LOOP_PROBLEM), timeout_s=60)
        eventually(lambda: health.batches > 0 and not health.has_problem(LOOP_PROBLEM), timeout_s=60)
        eventually(lambda: health.records_in >= RECORDS, timeout_s=60)
        assert loop.alive
    finally:
        loop.stop(15)
    assert handler.failures == 1
    assert sorted(committed_values(servers, out)) == sorted(sent)
