"""Consumer-group lag per partition (log end minus committed offset), and a Prometheus collector for it."""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaException, TopicPartition
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 3.0
LAG_LABELS = ("topic", "partition")


class LagUnavailable(Exception):
    """Kafka did not answer in time, or a topic or partition could not be measured."""


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    end_offset: int
    committed_offset: int | None  # None: the group never committed on this partition
    lag: int


def partition_lag(committed: TopicPartition, low: int, high: int) -> PartitionLag:
    """One row from a committed offset (negative: none) and the partition's watermarks."""
    offset = committed.offset if committed.offset >= 0 else None
    # Records below the low watermark were removed by retention: the group can no longer be behind on them.
    start = low if offset is None else max(offset, low)
    return PartitionLag(committed.topic, committed.partition, high, offset, max(high - start, 0))


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise LagUnavailable("Kafka did not answer in time")
    return left


def _topic_partitions(consumer: Consumer, topics: Iterable[str], deadline: float) -> list[TopicPartition]:
    metadata = consumer.list_topics(timeout=_remaining(deadline)).topics
    partitions: list[TopicPartition] = []
    for name in topics:
        topic = metadata.get(name)
        if topic is None or topic.error is not None:
            raise LagUnavailable(f"topic {name} is not available: {topic.error if topic else 'unknown topic'}")
        partitions.extend(TopicPartition(name, p) for p in sorted(topic.partitions))
    return partitions


def _committed(consumer: Consumer, partitions: list[TopicPartition], deadline: float) -> list[TopicPartition]:
    committed = consumer.committed(partitions, timeout=_remaining(deadline))
    for partition in committed:
        if partition.error is not None:
            raise LagUnavailable(f"committed offset of {partition.topic}[{partition.partition}]: {partition.error}")
    return committed


def _measure(consumer: Consumer, committed: TopicPartition, deadline: float) -> PartitionLag:
    watermarks = consumer.get_watermark_offsets(committed, timeout=_remaining(deadline))
    if watermarks is None:
        raise LagUnavailable(f"no watermarks for {committed.topic}[{committed.partition}] in time")
    low, high = watermarks
    return partition_lag(committed, low, high)


def _measure_all(consumer: Consumer, topics: Iterable[str], deadline: float) -> list[PartitionLag]:
    try:
        committed = _committed(consumer, _topic_partitions(consumer, topics, deadline), deadline)
        return [_measure(consumer, partition, deadline) for partition in committed]
    except KafkaException as exc:
        raise LagUnavailable(str(exc)) from exc


class GroupLag:
    """How far one consumer group is behind the log end, per partition.

    The consumer only asks for committed offsets (OffsetFetch) and watermarks: it never
    subscribes, so it never joins the group and never triggers a rebalance of its members.
    """

    def __init__(self, kafka: Mapping[str, Any], group_id: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.group_id = group_id
        self.timeout_s = timeout_s
        self._config: dict[str, Any] = {
            **kafka,
            "group.id": group_id,
            "client.id": f"orderflow-lag-{group_id}",
            "enable.auto.commit": False,
            # A failed measurement raises with the reason; librdkafka's own reconnect errors would only repeat it.
            "log_level": 2,
        }
        self._consumer: Consumer | None = None
        # One measurement at a time, so that close() never pulls the consumer from under another caller.
        self._lock = threading.RLock()

    def _client(self) -> Consumer:
        if self._consumer is None:
            self._consumer = Consumer(self._config)
        return self._consumer

    def lag(self, topics: Iterable[str]) -> list[PartitionLag]:
        """One row per partition of ``topics``; raises ``LagUnavailable`` within about ``timeout_s``."""
        with self._lock:
            try:
                return _measure_all(self._client(), topics, time.monotonic() + self.timeout_s)
            except LagUnavailable as exc:
                # Closed so that no client keeps reconnecting in the background while Kafka is away.
                self.close()
                raise LagUnavailable(f"lag of group {self.group_id}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close()


class CachedLag:
    """Lag measured on a thread of its own every ``interval_s``; ``rows`` answers at once with the last measurement.

    Scrapes then never wait for Kafka, however many there are. While Kafka does not answer there are no rows:
    an old figure would look current.
    """

    def __init__(self, measure: Callable[[], Iterable[PartitionLag]], interval_s: float = 5.0) -> None:
        self._measure = measure
        self._interval_s = interval_s
        self._rows: list[PartitionLag] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._measure_forever, name="lag-measurement", daemon=True)
        self._thread.start()

    def _measure_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                self._rows = list(self._measure())
            except Exception as exc:  # noqa: BLE001 - measured again at the next interval
                log.warning("lag not measured: %s", exc)
                self._rows = []
            self._stopping.wait(self._interval_s)

    def rows(self) -> list[PartitionLag]:
        return self._rows

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=DEFAULT_TIMEOUT_S + 1)


def lag_family(name: str, documentation: str, rows: Iterable[PartitionLag]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=LAG_LABELS)
    for row in rows:
        family.add_metric([row.topic, str(row.partition)], row.lag)
    return family


class LagCollector:
    """A Prometheus collector of lag rows, measured at every scrape."""

    def __init__(self, name: str, rows: Callable[[], Iterable[PartitionLag]],
                 documentation: str = "Records not yet committed by the consumer group, per partition") -> None:
        self.name = name
        self.documentation = documentation
        self._rows = rows

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # A registry calls describe() when this is registered: that must not reach Kafka.
        yield lag_family(self.name, self.documentation, [])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            rows = list(self._rows())
        except Exception as exc:  # noqa: BLE001 - the other metrics must still be served while Kafka is away
            log.warning("%s not collected: %s", self.name, exc)
            return
        yield lag_family(self.name, self.documentation, rows)
