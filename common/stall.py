"""Whether a consumer has stopped fetching although records wait for it.

After a broker restart a librdkafka consumer sometimes keeps its assignment and fetches nothing more
(confluentinc/librdkafka#5153): its reader then sits idle with committed records behind it, healthy to all
appearances. ``StallWatch`` is armed when Kafka is reported unreachable; while the reader is idle it compares, now
and then, where each assigned partition stands with the partition's end (the last stable offset, as a
``read_committed`` client is told it). A partition behind its end whose place has not moved over ``checks`` looks
in a row is a stall, and the reader takes a new consumer. The watch disarms once every partition is read to its
end, and after it called a stall, so a watch that misjudges costs one new consumer per outage, not one a minute.
"""

import time
from collections.abc import Callable
from typing import Protocol

from confluent_kafka import KafkaError, KafkaException, TopicPartition

CHECK_EVERY_S = 10.0
CHECKS = 3
ASK_TIMEOUT_S = 2.0

Place = tuple[str, int]
# KafkaError codes of the client's ``error_cb`` that mean the cluster cannot be reached.
UNREACHABLE = {KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT, KafkaError._RESOLVE, KafkaError._TIMED_OUT}


class Offsets(Protocol):
    """What the watch asks of a consumer (``confluent_kafka.Consumer`` answers it)."""

    def assignment(self) -> list[TopicPartition]: ...

    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]: ...

    def committed(self, partitions: list[TopicPartition], timeout: float) -> list[TopicPartition]: ...

    def get_watermark_offsets(self, partition: TopicPartition, timeout: float, cached: bool) -> tuple[int, int]: ...


def group_position(consumer: Offsets, assignment: list[TopicPartition]) -> dict[Place, int]:
    """Where a group member stands in each partition: its position, or while it consumed nothing since the
    assignment, its group's committed offset (negative: none)."""
    positions = consumer.position(assignment)
    unread = [position for position in positions if position.offset < 0]
    committed = {(tp.topic, tp.partition): tp.offset
                 for tp in (consumer.committed(unread, timeout=ASK_TIMEOUT_S) if unread else [])}
    return {(tp.topic, tp.partition): tp.offset if tp.offset >= 0 else committed.get((tp.topic, tp.partition), -1)
            for tp in positions}


StandsAt = Callable[[Offsets, list[TopicPartition]], dict[Place, int]]


class StallWatch:
    """``stands_at``: where the reader stands in each assigned partition (negative: at the partition's beginning)."""

    def __init__(self, stands_at: StandsAt = group_position, check_every_s: float = CHECK_EVERY_S,
                 checks: int = CHECKS, clock: Callable[[], float] = time.monotonic) -> None:
        self._stands_at = stands_at
        self._check_every_s = check_every_s
        self._checks = checks
        self._clock = clock
        self._armed = False
        self._last_check = float("-inf")
        self._unmoved: dict[Place, tuple[int, int]] = {}  # place -> (offset it stands at, looks it stood there)

    @property
    def armed(self) -> bool:
        return self._armed

    def arm(self) -> None:
        """Kafka was unreachable: watch the consumer until it has read everything again."""
        self._armed = True

    def stalled(self, consumer: Offsets) -> str | None:
        """Called while the loop is idle; the stalled partitions, described, once they count as a stall."""
        now = self._clock()
        if not self._armed or now - self._last_check < self._check_every_s:
            return None
        self._last_check = now
        try:
            behind = _behind(consumer, self._stands_at)
        except KafkaException:
            return None  # Kafka does not answer: no telling whether the consumer is at fault
        if behind is None:
            return None
        if not behind:
            self.reset()
            return None
        self._unmoved = {place: (at, self._looks_at(place, at) + 1) for place, (at, _) in behind.items()}
        stuck = {place: behind[place] for place, (_, looks) in self._unmoved.items() if looks >= self._checks}
        if not stuck:
            return None
        self.reset()
        return ", ".join(f"{topic}/{partition} at {at} of {end}" for (topic, partition), (at, end) in sorted(stuck.items()))

    def _looks_at(self, place: Place, at: int) -> int:
        """How many looks in a row found ``place`` standing at ``at`` before this one."""
        last_at, looks = self._unmoved.get(place, (-1, 0))
        return looks if last_at == at else 0

    def reset(self) -> None:
        """Nothing to watch until Kafka is reported unreachable again (all read, a stall called, a new consumer)."""
        self._armed = False
        self._unmoved = {}


def _behind(consumer: Offsets, stands_at: StandsAt) -> dict[Place, tuple[int, int]] | None:
    """Each assigned partition that has records past where the reader stands: (where it stands, the end).
    ``None``: nothing is assigned (a rebalance is under way)."""
    assignment = consumer.assignment()
    if not assignment:
        return None
    behind = {}
    for place, at in stands_at(consumer, assignment).items():
        low, end = consumer.get_watermark_offsets(TopicPartition(*place), timeout=ASK_TIMEOUT_S, cached=False)
        at = at if at >= 0 else low
        if at < end:
            behind[place] = (at, end)
    return behind
