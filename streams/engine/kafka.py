"""The worker's Kafka clients (confluent-kafka): configurations, changelog topics and restoring a store."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from common.kafka import position_of
from streams.engine.stores import PartitionStore, StoreSpec

log = logging.getLogger(__name__)

RESTORE_CHUNK = 5_000
COMPACTED = {"cleanup.policy": "compact"}


@dataclass(frozen=True)
class KafkaOptions:
    """What every client of the worker shares."""

    # Where the cluster is and how to reach it (``common.clients.kafka_options``).
    connection: Mapping[str, Any]
    group: str
    session_timeout_s: float
    linger_s: float
    transaction_timeout_s: float
    max_record_bytes: int
    # Where librdkafka's own log lines go (instead of stderr), so they can be filtered like any other.
    logger: logging.Logger = logging.getLogger("librdkafka")

    def common(self) -> dict[str, Any]:
        return {**self.connection, "log_level": 4, "logger": self.logger}

    def consumer(self, error_cb: Callable[[KafkaError], None]) -> dict[str, Any]:
        """A member of the worker's group that only ever sees committed records, and commits nothing itself: its
        offsets go into the transaction of the batch that consumed them."""
        return {
            **self.common(),
            "group.id": self.group,
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            # Range assignment gives one member the same partition numbers of every topic it reads, so views that
            # fold two co-partitioned topics (customer events and order summaries) see all of one customer.
            "partition.assignment.strategy": "range",
            "session.timeout.ms": int(self.session_timeout_s * 1000),
            # A fetch waits at the broker for committed records up to this long: records become visible to a
            # read_committed reader when their transaction commits, which a waiting fetch may not notice at once.
            "fetch.wait.max.ms": 20,
            "max.poll.interval.ms": 120_000,
            "fetch.max.bytes": max(52_428_800, self.max_record_bytes),
            "max.partition.fetch.bytes": max(1_048_576, self.max_record_bytes),
            "queued.max.messages.kbytes": 32_768,
            "error_cb": error_cb,
        }

    def producer(self, transactional_id: str, error_cb: Callable[[KafkaError], None]) -> dict[str, Any]:
        return {
            **self.common(),
            "transactional.id": transactional_id,
            "transaction.timeout.ms": int(self.transaction_timeout_s * 1000),
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": self.linger_s * 1000,
            "batch.size": 1_000_000,
            "message.max.bytes": self.max_record_bytes,
            # The Java client's partitioner, as every other producer of the project uses: a key lands on the same
            # partition whoever writes it.
            "partitioner": "murmur2_random",
            # Transactions follow each other closely: a short backoff keeps the broker's "transaction still
            # completing" answers from costing 100 ms each.
            "retry.backoff.ms": 5,
            "queue.buffering.max.messages": 500_000,
            "error_cb": error_cb,
        }


class RepeatsDropped(logging.Filter):
    """Passes a message, then drops the same message for ``quiet_s`` (a client that cannot reach a broker says so
    on every attempt to connect, many times a second)."""

    def __init__(self, quiet_s: float = 30.0) -> None:
        super().__init__()
        self._quiet_s = quiet_s
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.created - self._last.get(message, float("-inf")) < self._quiet_s:
            return False
        self._last[message] = record.created
        return True


def ensure_changelogs(admin: AdminClient, specs: list[StoreSpec], sources: list[str], replication_factor: int) -> None:
    """Create the compacted changelog topics that do not exist yet (``commands.outcomes`` is created by init), with
    as many partitions as the topics the stores are kept for: a store's partition p is its changelog's p."""
    metadata = admin.list_topics(timeout=10).topics
    partitions = max((len(metadata[topic].partitions) for topic in sources if topic in metadata), default=1)
    missing = [NewTopic(spec.changelog, num_partitions=partitions, replication_factor=replication_factor,
                        config=COMPACTED)
               for spec in specs if spec.changelog not in metadata]
    for name, future in (admin.create_topics(missing, operation_timeout=30).items() if missing else ()):
        try:
            future.result()
        except Exception as error:  # noqa: BLE001 - another worker may have created it first
            if "TOPIC_ALREADY_EXISTS" not in str(error):
                raise
        log.info("created changelog topic %s", name)


def restore(options: KafkaOptions, stores: list[tuple[StoreSpec, int, PartitionStore]]) -> int:
    """Bring each store up to the committed end of its changelog partition, with one consumer; returns the records
    read."""
    consumer = Consumer({**options.common(), "group.id": f"{options.group}-restore", "enable.auto.commit": False,
                         "isolation.level": "read_committed", "auto.offset.reset": "earliest",
                         "enable.partition.eof": True, "fetch.max.bytes": max(52_428_800, options.max_record_bytes),
                         "max.partition.fetch.bytes": max(1_048_576, options.max_record_bytes)})
    try:
        behind = _behind(consumer, stores)
        if not behind:
            return 0
        consumer.assign([TopicPartition(spec.changelog, partition, store.checkpoint())
                         for (spec, partition), (store, _) in behind.items()])
        return _read_to_ends(consumer, behind)
    finally:
        consumer.close()


def _behind(consumer: Consumer, stores: list[tuple[StoreSpec, int, PartitionStore]]
            ) -> dict[tuple[StoreSpec, int], tuple[PartitionStore, int]]:
    """The stores whose changelog partition has records past their checkpoint, with the partition's end."""
    behind = {}
    for spec, partition, store in stores:
        try:
            _, end = consumer.get_watermark_offsets(TopicPartition(spec.changelog, partition), timeout=10)
        except KafkaException as error:
            if error.args[0].code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                continue
            raise
        if end > store.checkpoint():
            behind[(spec, partition)] = (store, end)
    return behind


def _read_to_ends(consumer: Consumer, behind: dict[tuple[StoreSpec, int], tuple[PartitionStore, int]]) -> int:
    by_place = {(spec.changelog, partition): (spec, store, end) for (spec, partition), (store, end) in behind.items()}
    unfinished = set(by_place)
    restored = 0
    while unfinished:
        writes: dict[tuple[str, int], list[tuple[str, bytes | None]]] = {}
        reached: dict[tuple[str, int], int] = {}
        for message in consumer.consume(RESTORE_CHUNK, timeout=1.0):
            error = message.error()
            if error is not None and error.code() == KafkaError._PARTITION_EOF:
                unfinished.discard((message.topic(), message.partition()))
                continue
            if error is not None:
                raise RuntimeError(f"restoring from {message.topic()}/{message.partition()}: {error}")
            topic, partition, offset = position_of(message)
            key = message.key()
            if key is None:  # a compacted topic takes no record without a key
                raise RuntimeError(f"restoring from {topic}/{partition}: no key at offset {offset}")
            place = (topic, partition)
            spec = by_place[place][0]
            writes.setdefault(place, []).append((spec.key_of_changelog(key), spec.local(message.value())))
            reached[place] = offset + 1
        for place, entries in writes.items():
            by_place[place][1].apply(entries, reached[place])
            restored += len(entries)
        for place in list(unfinished):
            position = consumer.position([TopicPartition(*place)])[0].offset
            if position >= by_place[place][2]:  # past the last record and any transaction marker after it
                unfinished.discard(place)
    return restored
