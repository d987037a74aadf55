"""When a loop's consumer counts as stalled: armed by an outage, behind and unmoved over three looks."""

from dataclasses import dataclass, field

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from common.stall import StallWatch

TOPIC = "orders.events"


@dataclass
class FakeOffsets:
    """A consumer's answers: where each assigned partition stands, what its group committed, where it ends."""

    positions: dict[int, int]
    ends: dict[int, int]
    committed_offsets: dict[int, int] = field(default_factory=dict)
    unreachable: bool = False

    def assignment(self) -> list[TopicPartition]:
        return [TopicPartition(TOPIC, partition) for partition in self.positions]

    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]:
        return [TopicPartition(TOPIC, tp.partition, self.positions[tp.partition]) for tp in partitions]

    def committed(self, partitions: list[TopicPartition], timeout: float) -> list[TopicPartition]:
        return [TopicPartition(TOPIC, tp.partition, self.committed_offsets.get(tp.partition, -1001))
                for tp in partitions]

    def get_watermark_offsets(self, partition: TopicPartition, timeout: float, cached: bool) -> tuple[int, int]:
        assert not cached, "a stalled consumer's cached ends are as old as its last fetch"
        if self.unreachable:
            raise KafkaException(KafkaError(KafkaError._TIMED_OUT))
        return 0, self.ends[partition.partition]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def looks(watch: StallWatch, consumer: FakeOffsets, clock: Clock, times: int) -> list[str | None]:
    answers = []
    for _ in range(times):
        answers.append(watch.stalled(consumer))
        clock.now += 10.0
    return answers


def test_an_unarmed_watch_asks_nothing(clock: Clock) -> None:
    watch = StallWatch(clock=clock)
    consumer = FakeOffsets(positions={0: 5}, ends={0: 50})
    assert looks(watch, consumer, clock, 5) == [None] * 5


def test_a_partition_behind_its_end_and_unmoved_over_three_looks_is_a_stall(clock: Clock) -> None:
    watch = StallWatch(clock=clock)
    watch.arm()
    consumer = FakeOffsets(positions={0: 5, 1: 7}, ends={0: 50, 1: 7})
    assert looks(watch, consumer, clock, 3) == [None, None, f"{TOPIC}/0 at 5 of 50"]
    assert not watch.armed, "one stall called per outage"


def test_a_partition_that_moves_is_not_stalled(clock: Clock) -> None:
    watch = StallWatch(clock=clock)
    watch.arm()
    consumer = FakeOffsets(positions={0: 5}, ends={0: 500})
    answers = []
    for _ in range(6):
        answers.append(watch.stalled(consumer))
        consumer.positions[0] += 20
        clock.now += 10.0
    assert answers == [None] * 6
    assert watch.armed


def test_reading_everything_disarms_the_watch(clock: Clock) -> None:
    watch = StallWatch(clock=clock)
    watch.arm()
    consumer = FakeOffsets(positions={0: 50}, ends={0: 50})
    assert watch.stalled(consumer) is None
    assert not watch.armed


def test_looks_closer_together_than_the_interval_are_not_counted(clock: Clock) -> None:
    watch = StallWatch(check_every_s=10.0, clock=clock)
    watch.arm()
    consumer = FakeOffsets(positions={0: 5}, ends={0: 50})
    for _ in range(10):
        assert watch.stalled(consumer) is None
        clock.now += 1.0
    assert watch.stalled(consumer) is None  # the second look, 10 s after the first
    clock.now += 10.0
    assert watch.stalled(consumer) == f"{TOPIC}/0 at 5 of 50"


def test_a_partition_not_consumed_since_its_assignment_stands_at_its_committed_offset(clock: Clock) -> None:
    watch = StallWatch(clock=clock)
    watch.arm()
    caught_up = FakeOffsets(positions={0: -1001}, ends={0: 40}, committed_offsets={0: 40})
    assert watch.stalled(caught_up) is None
    assert not watch.armed
    clock.now += 10.0
    watch.arm()
    never_fetched = FakeOffsets(positions={0: -1001}, ends={0: 40}, committed_offsets={0: 12})
    assert looks(watch, never_fetched, clock, 3)[-1] == f"{TOPIC}/0 at 12 of 40"


def test_a_partition_never_committed_stands_at_its_beginning(clock: Clock) -> None:
    watch = StallWatch(clock=clock)
    watch.arm()
    consumer = FakeOffsets(positions={0: -1001}, ends={0: 3})
    assert looks(watch, consumer, clock, 3)[-1] == f"{TOPIC}/0 at 0 of 3"


def test_kafka_not_answering_is_no_stall_of_the_consumer(clock: Clock) -> None:
    watch = StallWatch(clock=clock)
    watch.arm()
    consumer = FakeOffsets(positions={0: 5}, ends={0: 50}, unreachable=True)
    assert looks(watch, consumer, clock, 5) == [None] * 5
    assert watch.armed


def test_no_assignment_is_a_rebalance_under_way(clock: Clock) -> None:
    watch = StallWatch(clock=clock)
    watch.arm()
    consumer = FakeOffsets(positions={}, ends={})
    assert looks(watch, consumer, clock, 5) == [None] * 5
    assert watch.armed
