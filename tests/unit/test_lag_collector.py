import logging

import pytest
from confluent_kafka import TopicPartition
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from common.lag import LagCollector, PartitionLag, partition_lag

NAME = "orderflow_decider_lag_records"
ROWS = [
    PartitionLag("orders.commands", 0, end_offset=10, committed_offset=4, lag=6),
    PartitionLag("orders.commands", 1, end_offset=3, committed_offset=None, lag=3),
    PartitionLag("customers.commands", 0, end_offset=7, committed_offset=7, lag=0),
]


def lag_samples(registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    text = generate_latest(registry).decode()
    return {
        (sample.labels["topic"], sample.labels["partition"]): sample.value
        for family in text_string_to_metric_families(text) if family.name == NAME
        for sample in family.samples
    }


def failing_source() -> list[PartitionLag]:
    raise ConnectionError("Kafka is away")


def test_every_row_is_a_gauge_sample_labelled_by_topic_and_partition() -> None:
    registry = CollectorRegistry()
    registry.register(LagCollector(NAME, lambda: ROWS))
    assert lag_samples(registry) == {
        ("orders.commands", "0"): 6.0, ("orders.commands", "1"): 3.0, ("customers.commands", "0"): 0.0,
    }


def test_the_family_is_a_gauge_with_the_given_name() -> None:
    families = list(LagCollector(NAME, lambda: ROWS).collect())
    assert [(family.name, family.type) for family in families] == [(NAME, "gauge")]


def test_a_failing_source_yields_nothing_warns_and_leaves_other_metrics_served(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = CollectorRegistry()
    Gauge("orderflow_other", "Another metric", registry=registry).set(1)
    registry.register(LagCollector(NAME, failing_source))
    with caplog.at_level(logging.WARNING, logger="common.lag"):
        text = generate_latest(registry).decode()
    assert "orderflow_other 1.0" in text and NAME not in text
    assert any(NAME in record.getMessage() and "Kafka is away" in record.getMessage() for record in caplog.records)


def test_registering_does_not_measure_but_still_claims_the_name() -> None:
    calls: list[int] = []

    def counting_source() -> list[PartitionLag]:
        calls.append(1)
        return ROWS

    registry = CollectorRegistry(auto_describe=True)
    registry.register(LagCollector(NAME, counting_source))
    assert calls == []
    with pytest.raises(ValueError, match="Duplicated"):
        registry.register(LagCollector(NAME, counting_source))


@pytest.mark.parametrize(("committed", "low", "high", "expected"), [
    (-1001, 0, 12, (None, 12)),   # never committed: everything from the log start
    (-1001, 5, 12, (None, 7)),    # never committed, older records removed by retention
    (9, 0, 12, (9, 3)),
    (2, 5, 12, (2, 7)),           # committed before the log start: only what still exists
    (12, 0, 12, (12, 0)),
])
def test_partition_lag_counts_from_the_commit_or_the_log_start(
    committed: int, low: int, high: int, expected: tuple[int | None, int],
) -> None:
    row = partition_lag(TopicPartition("orders.commands", 2, committed), low, high)
    assert (row.topic, row.partition, row.end_offset) == ("orders.commands", 2, high)
    assert (row.committed_offset, row.lag) == expected
