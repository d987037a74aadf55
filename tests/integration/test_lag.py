"""Consumer-group lag measured against the real broker, on a topic and group of the test's own."""

import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from common.clients import kafka_options
from common.lag import GroupLag, LagCollector, LagUnavailable, PartitionLag
from ops.admin.topics import admin_client
from ops.settings import Settings
from tests.support import unique_id

PARTITIONS = 3
RECORDS = 30


@pytest.fixture
def group(servers: Settings) -> Iterator[str]:
    group_id = unique_id("lag-group")
    yield group_id
    admin = admin_client(servers)  # held while its future runs: the future never completes once the client is gone
    # A group that never committed does not exist: nothing to delete then.
    with contextlib.suppress(KafkaException):
        admin.delete_consumer_groups([group_id], request_timeout=10)[group_id].result(timeout=15)


@pytest.fixture
def measured(servers: Settings, group: str) -> Iterator[GroupLag]:
    group_lag = GroupLag(kafka_options(servers), group)
    yield group_lag
    group_lag.close()


def produce(bootstrap: str, topic: str, count: int) -> Counter[int]:
    """``count`` records keyed K-0, K-1, …; returns how many landed in each partition."""
    landed: Counter[int] = Counter()
    errors: list[KafkaError] = []

    def delivered(error: KafkaError | None, message: Message) -> None:
        if error is not None:
            errors.append(error)
        else:
            landed[message.partition()] += 1

    producer = Producer({"bootstrap.servers": bootstrap, "log_level": 3})
    for n in range(count):
        producer.produce(topic, key=f"K-{n}".encode(), value=b"{}", on_delivery=delivered)
    assert producer.flush(30) == 0 and not errors, errors
    return landed


def commit(bootstrap: str, group: str, offset: TopicPartition) -> None:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                         "log_level": 3})
    try:
        consumer.commit(offsets=[offset], asynchronous=False)
    finally:
        consumer.close()


def by_partition(rows: list[PartitionLag]) -> dict[int, PartitionLag]:
    return {row.partition: row for row in rows}


def test_with_nothing_committed_every_record_is_lag(servers: Settings, topic: str, measured: GroupLag) -> None:
    landed = produce(servers.kafka_bootstrap, topic, RECORDS)
    rows = measured.lag([topic])
    assert [(row.topic, row.partition) for row in rows] == [(topic, p) for p in range(PARTITIONS)]
    assert {row.partition: (row.end_offset, row.committed_offset, row.lag) for row in rows} == {
        p: (landed[p], None, landed[p]) for p in range(PARTITIONS)
    }
    assert sum(row.lag for row in rows) == RECORDS


def test_a_commit_lowers_the_lag_of_its_partition_by_what_it_covers(
    servers: Settings, topic: str, group: str, measured: GroupLag,
) -> None:
    landed = produce(servers.kafka_bootstrap, topic, RECORDS)
    partition, count = landed.most_common(1)[0]
    before = by_partition(measured.lag([topic]))
    commit(servers.kafka_bootstrap, group, TopicPartition(topic, partition, count // 2))
    after = by_partition(measured.lag([topic]))
    assert after[partition].committed_offset == count // 2
    assert after[partition].lag == before[partition].lag - count // 2
    assert {p: after[p] for p in after if p != partition} == {p: before[p] for p in before if p != partition}


def test_measuring_never_joins_the_group(servers: Settings, topic: str, group: str, measured: GroupLag) -> None:
    produce(servers.kafka_bootstrap, topic, RECORDS)
    commit(servers.kafka_bootstrap, group, TopicPartition(topic, 0, 0))
    measured.lag([topic])
    admin = admin_client(servers)
    description = admin.describe_consumer_groups([group])[group].result(timeout=15)
    assert description.members == []


def test_the_collector_exposes_one_sample_per_partition(
    servers: Settings, topic: str, group: str, measured: GroupLag,
) -> None:
    landed = produce(servers.kafka_bootstrap, topic, RECORDS)
    commit(servers.kafka_bootstrap, group, TopicPartition(topic, 1, landed[1]))
    registry = CollectorRegistry()
    registry.register(LagCollector("orderflow_test_lag_records", partial(measured.lag, [topic])))
    families = list(text_string_to_metric_families(generate_latest(registry).decode()))
    samples = {(s.labels["topic"], s.labels["partition"]): s.value for f in families for s in f.samples}
    assert samples == {(topic, str(p)): float(0 if p == 1 else landed[p]) for p in range(PARTITIONS)}


def test_an_unknown_topic_is_refused(servers: Settings, measured: GroupLag) -> None:
    with pytest.raises(LagUnavailable, match="not available"):
        measured.lag([unique_id("lag-missing")])


def test_unreachable_kafka_raises_within_the_timeout() -> None:
    group_lag = GroupLag({"bootstrap.servers": "127.0.0.1:1"}, unique_id("lag-group"), timeout_s=1.0)
    started = time.monotonic()
    with pytest.raises(LagUnavailable):
        group_lag.lag(["orders.commands"])
    assert time.monotonic() - started < 3.0
    group_lag.close()
