"""Where a loop's partitions go on after a batch: the offsets it commits, and those it reads again."""

import logging
from collections.abc import Callable

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Message, TopicPartition

from common.kafka import position_of

log = logging.getLogger(__name__)


def next_offsets(consumer: Consumer, messages: list[Message], later: list[Message]) -> list[TopicPartition]:
    """Where each partition of the batch goes on: the first offset of the batch consumed after it (``later``), or
    else the consumer's position, which is past the transaction marker that follows a batch's last record
    (committing only ``last offset + 1`` would leave a lag of one forever)."""
    last = offset_bounds(messages, max)
    following = offset_bounds(later, min)
    asked = [TopicPartition(topic, partition) for topic, partition in last if (topic, partition) not in following]
    positions = consumer.position(asked) if asked else []
    return [*(TopicPartition(topic, partition, following[(topic, partition)])
              for topic, partition in last if (topic, partition) in following),
            *(TopicPartition(position.topic, position.partition,
                             max(position.offset, last[(position.topic, position.partition)] + 1))
              for position in positions)]


def offset_bounds(messages: list[Message], pick: Callable[[int, int], int]) -> dict[tuple[str, int], int]:
    """The last (``max``) or first (``min``) offset of each partition among ``messages``."""
    bounds: dict[tuple[str, int], int] = {}
    for message in messages:
        topic, partition, offset = position_of(message)
        place = (topic, partition)
        bounds[place] = pick(bounds[place], offset) if place in bounds else offset
    return bounds


def rewind(consumer: Consumer, messages: list[Message], loop_name: str) -> bool:
    """Read these records again: back to the first of each partition that is still assigned. ``False``: a partition
    could not be sought back to, and the consumer's position is past records not yet processed."""
    assigned = {(tp.topic, tp.partition) for tp in consumer.assignment()}
    # An error event among the strays has no record to read again.
    first = offset_bounds([message for message in messages if message.error() is None], min)
    sought = True
    for (topic, partition), offset in first.items():
        if (topic, partition) in assigned:
            try:
                consumer.seek(TopicPartition(topic, partition, offset))
            except KafkaException as error:
                log.warning("loop %s: cannot seek %s/%d back to %d: %s", loop_name, topic, partition, offset, error)
                sought = False
    return sought


def seek_to_committed(consumer: Consumer, committed: list[TopicPartition]) -> str | None:
    """Put each partition back at its committed offset; why that failed, if it did."""
    try:
        for position in committed:
            # No offset committed yet: nothing of the partition was ever committed, so it starts from the beginning.
            consumer.seek(position if position.offset >= 0 else
                          TopicPartition(position.topic, position.partition, OFFSET_BEGINNING))
    except KafkaException as error:  # e.g. a partition assigned a moment ago is not fetched yet
        return f"cannot go back to the committed offsets: {error}"
    return None
