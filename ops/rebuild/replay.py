"""Reading event topics from their first offset up to chosen end offsets, in batches, with no consumer group."""

import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition

from common.kafka import position_of

Position = tuple[str, int]  # topic, partition

POLL_BATCH = 5000


class Replayer:
    def __init__(self, kafka: Mapping[str, Any], topics: Iterable[str]) -> None:
        self._consumer = Consumer({
            **kafka, "group.id": f"orderflow-rebuild-{uuid.uuid4()}",
            "enable.auto.commit": False, "log_level": 3, "fetch.max.bytes": 64 * 1024 * 1024,
            "isolation.level": "read_committed",
        })
        self._partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in self._consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ]
        self._next: dict[Position, int] = {}
        self._consumer.assign([TopicPartition(tp.topic, tp.partition, OFFSET_BEGINNING) for tp in self._partitions])

    def end_offsets(self) -> dict[Position, int]:
        return {(tp.topic, tp.partition): self._consumer.get_watermark_offsets(tp, timeout=10)[1]
                for tp in self._partitions}

    def start_offsets(self) -> dict[Position, int]:
        return {(tp.topic, tp.partition): self._consumer.get_watermark_offsets(tp, timeout=10)[0]
                for tp in self._partitions}

    def behind(self, ends: dict[Position, int]) -> int:
        starts = self.start_offsets()
        return sum(max(end - self._next.get(position, starts[position]), 0) for position, end in ends.items())

    def read_until(self, ends: dict[Position, int]) -> Iterator[list[Message]]:
        """Batches of records until every partition reached its end offset (records past it wait for a later call)."""
        starts = self.start_offsets()
        open_positions = {p for p, end in ends.items() if self._next.get(p, starts[p]) < end}
        paused: list[TopicPartition] = []
        while open_positions:
            batch = []
            for message in self._consumer.consume(POLL_BATCH, timeout=1.0):
                if message.error():
                    continue
                topic, partition, offset = position_of(message)
                position = (topic, partition)
                if offset >= ends.get(position, 0):
                    continue  # read again by the next call, from self._next
                batch.append(message)
                self._next[position] = offset + 1
                if self._next[position] >= ends[position]:
                    open_positions.discard(position)
            open_positions -= self._consumed_to_end(open_positions, ends)
            if batch:
                yield batch
            paused = self._pause_finished(ends, paused)
        self._rewind_to_next()

    def _consumed_to_end(self, positions: set[Position], ends: dict[Position, int]) -> set[Position]:
        """Partitions whose read position passed the end even though no record sat at ``end - 1``."""
        if not positions:
            return set()
        reached = self._consumer.position([TopicPartition(*position) for position in positions])
        return {(tp.topic, tp.partition) for tp in reached if tp.offset >= 0 and tp.offset >= ends[(tp.topic, tp.partition)]}

    def _pause_finished(self, ends: dict[Position, int], paused: list[TopicPartition]) -> list[TopicPartition]:
        done = [TopicPartition(*position) for position, end in ends.items() if self._next.get(position, 0) >= end]
        fresh = [tp for tp in done if (tp.topic, tp.partition) not in {(p.topic, p.partition) for p in paused}]
        if fresh:
            self._consumer.pause(fresh)
        return paused + fresh

    def _rewind_to_next(self) -> None:
        """Records fetched past the end are dropped above; seek back so the next call reads them."""
        for tp in self._partitions:
            position = (tp.topic, tp.partition)
            if position in self._next:
                self._consumer.seek(TopicPartition(tp.topic, tp.partition, self._next[position]))
        self._consumer.resume(self._partitions)

    def close(self) -> None:
        self._consumer.close()
