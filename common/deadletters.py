"""The dead-letter topic: read its records, and send one (as it was, or corrected) back to the topic it came from.

Shared by `orderflow deadletter` and the command API's ``/deadletters`` routes. Blocking (confluent-kafka clients
made for the call), so the API runs it in a thread.
"""

import base64
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from common.kafka import position_of, producer_config
from schemas import topics
from schemas.codec import UndecodableRecord, decode
from schemas.customers import CUSTOMER_EVENTS, ORDER_SUMMARY_MESSAGES
from schemas.deadletter import DeadLetter
from schemas.envelope import Payload
from schemas.orders import ORDER_EVENTS
from schemas.registry import COMMAND_ROUTES, payload_model

KAFKA_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0
MAX_PARTITION = 2**31 - 1
MAX_OFFSET = 2**63 - 1

EVENT_TYPES_BY_TOPIC: dict[str, tuple[type[Payload], ...]] = {
    topics.ORDERS_EVENTS: ORDER_EVENTS,
    topics.CUSTOMERS_EVENTS: CUSTOMER_EVENTS,
    topics.CUSTOMERS_ORDER_SUMMARIES: ORDER_SUMMARY_MESSAGES,
}


class DeadLetterError(RuntimeError):
    """A dead-letter operation that cannot be done; the message says why in one line."""


class BadHandle(DeadLetterError):
    pass


class NoDeadLetter(DeadLetterError):
    pass


class NotResendable(DeadLetterError):
    """The record would be dead-lettered again, or has nowhere to go."""


class KafkaUnavailable(DeadLetterError):
    pass


@dataclass(frozen=True)
class Handle:
    """Where a dead letter sits on the dead-letter topic: what a resend is given."""

    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.partition}:{self.offset}"


@dataclass(frozen=True)
class Entry:
    handle: Handle
    dead_at: datetime
    letter: DeadLetter


@dataclass(frozen=True)
class Listing:
    entries: list[Entry]
    unreadable: int  # records on the dead-letter topic that are not dead-letter envelopes


@dataclass(frozen=True)
class Landed:
    topic: str
    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.topic} partition {self.partition} offset {self.offset}"


def parse_handle(text: str) -> Handle:
    match = re.fullmatch(r"([0-9]{1,10}):([0-9]{1,19})", text.strip())
    if match is None or int(match[1]) > MAX_PARTITION or int(match[2]) > MAX_OFFSET:
        raise BadHandle(f"bad dead-letter handle {text!r}: expected <partition>:<offset>, e.g. 0:17")
    return Handle(int(match[1]), int(match[2]))


def original_value(letter: DeadLetter) -> bytes:
    if letter.value_encoding == "base64":
        return base64.b64decode(letter.value)
    return letter.value.encode("utf-8")


def list_dead_letters(kafka: Mapping[str, Any], source_topic: str | None = None, limit: int = 50) -> Listing:
    """Dead letters from the start of the topic to its current end, oldest first; ``limit`` <= 0 means all.
    ``kafka``: the cluster's client options (``common.clients.kafka_options``), as for every function here."""
    entries: list[Entry] = []
    unreadable = 0
    with _consumer(kafka) as consumer:
        for message in _read(consumer, _bounds(consumer)):
            entry = _entry(message)
            if entry is None:
                unreadable += 1
            elif source_topic is None or entry.letter.source_topic == source_topic:
                entries.append(entry)
    entries.sort(key=lambda entry: (entry.dead_at, entry.handle.partition, entry.handle.offset))
    return Listing(entries[-limit:] if limit > 0 else entries, unreadable)


def fetch(kafka: Mapping[str, Any], handle: Handle) -> Entry:
    with _consumer(kafka) as consumer:
        low, high = _bounds(consumer).get(handle.partition, (0, 0))
        if not low <= handle.offset < high:
            raise NoDeadLetter(f"no dead letter at {handle}")
        for message in _read(consumer, {handle.partition: (handle.offset, handle.offset + 1)}):
            if message.offset() == handle.offset:
                entry = _entry(message)
                if entry is None:
                    raise NoDeadLetter(f"the record at {handle} on {topics.DEADLETTER} is not a dead letter")
                return entry
    raise NoDeadLetter(f"no dead letter at {handle}")


def resend(kafka: Mapping[str, Any], handle: Handle, corrected: bytes | None = None, force: bool = False) -> Landed:
    """Produce the dead letter's record (or ``corrected``) to its source topic with its original key."""
    letter = fetch(kafka, handle).letter
    value = original_value(letter) if corrected is None else corrected
    if not force:
        check_resendable(letter, value)
    with _consumer(kafka) as consumer:
        if not _topic_exists(consumer, letter.source_topic):
            raise NotResendable(f"topic {letter.source_topic!r} does not exist (any more)")
    key = letter.key.encode("utf-8") if letter.key is not None else None
    return _produce(kafka, letter.source_topic, key, value)


def accepted_types(topic: str) -> tuple[type[Payload], ...]:
    """The message types the worker reads from ``topic``: an aggregate's commands, or its events."""
    commands = tuple(payload_model(name) for name, route in COMMAND_ROUTES.items() if route.topic == topic)
    return commands or EVENT_TYPES_BY_TOPIC.get(topic, ())


def check_resendable(letter: DeadLetter, value: bytes) -> None:
    """Refuse what the worker would dead-letter again: undecodable, of a foreign type, or keyed by another id."""
    accepted = accepted_types(letter.source_topic)
    if not accepted:
        raise NotResendable(f"no message types are known for topic {letter.source_topic!r}")
    try:
        envelope = decode(value, accepted)
    except UndecodableRecord as error:
        raise NotResendable(f"not a valid record for {letter.source_topic}: {' '.join(str(error).split())}") from None
    if letter.key is not None and envelope.aggregate_id != letter.key:
        raise NotResendable(
            f"aggregate_id {envelope.aggregate_id!r} is not the record key {letter.key!r} (the worker would refuse it)"
        )


def _produce(kafka: Mapping[str, Any], topic: str, key: bytes | None, value: bytes) -> Landed:
    # A bounded delivery timeout, so a report (success or failure) always arrives before flush gives up.
    producer = Producer({**producer_config(kafka), "message.timeout.ms": int(KAFKA_TIMEOUT_S * 1000)})
    reports: list[tuple[KafkaError | None, Message]] = []
    producer.produce(topic, key=key, value=value, on_delivery=lambda error, message: reports.append((error, message)))
    producer.flush(KAFKA_TIMEOUT_S + 5)
    if not reports:
        raise KafkaUnavailable(f"Kafka did not confirm the record on {topic} in time; it may or may not have been written")
    error, message = reports[0]
    if error is not None:
        raise KafkaUnavailable(f"Kafka refused the record on {topic}: {error.str()}")
    _, partition, offset = position_of(message)
    return Landed(topic, partition, offset)


# Reading the dead-letter topic without a consumer group


@contextmanager
def _consumer(kafka: Mapping[str, Any]) -> Iterator[Consumer]:
    # The client insists on a group id; partitions are assigned by hand and nothing is ever committed.
    consumer = Consumer({
        **kafka, "group.id": f"orderflow-deadletter-{uuid.uuid4()}",
        "enable.auto.commit": False, "enable.partition.eof": True, "log_level": 3,
    })
    try:
        yield consumer
    except KafkaException as error:
        raise KafkaUnavailable(f"Kafka did not answer: {error.args[0].str()}") from None
    finally:
        consumer.close()


def _topic_exists(consumer: Consumer, topic: str) -> bool:
    metadata = consumer.list_topics(topic, timeout=KAFKA_TIMEOUT_S).topics.get(topic)
    return metadata is not None and metadata.error is None


def _bounds(consumer: Consumer) -> dict[int, tuple[int, int]]:
    """Low and high watermark of each partition of the dead-letter topic."""
    metadata = consumer.list_topics(topics.DEADLETTER, timeout=KAFKA_TIMEOUT_S).topics.get(topics.DEADLETTER)
    if metadata is None or metadata.error is not None:
        raise KafkaUnavailable(f"topic {topics.DEADLETTER!r} is missing (`orderflow init` creates it)")
    return {
        partition: consumer.get_watermark_offsets(TopicPartition(topics.DEADLETTER, partition), timeout=KAFKA_TIMEOUT_S)
        for partition in metadata.partitions
    }


def _read(consumer: Consumer, ranges: dict[int, tuple[int, int]]) -> Iterator[Message]:
    """The records in [start, end) of each partition; a partition is done at its end or at end of partition."""
    pending = {partition for partition, (start, end) in ranges.items() if end > start}
    consumer.assign([TopicPartition(topics.DEADLETTER, partition, ranges[partition][0]) for partition in pending])
    deadline = time.monotonic() + READ_TIMEOUT_S
    while pending:
        if time.monotonic() > deadline:
            raise KafkaUnavailable(f"reading {topics.DEADLETTER} took longer than {READ_TIMEOUT_S:.0f}s")
        message = consumer.poll(0.5)
        partition = None if message is None else message.partition()
        if message is None or partition is None or partition not in pending:
            continue
        error = message.error()
        if error is not None and error.code() != KafkaError._PARTITION_EOF:
            raise KafkaUnavailable(f"reading {topics.DEADLETTER}: {error.str()}")
        if error is not None:  # the end of the partition
            pending.discard(partition)
            continue
        offset = position_of(message).offset
        end = ranges[partition][1]
        if offset >= end - 1:
            pending.discard(partition)
        if offset < end:
            yield message


def _entry(message: Message) -> Entry | None:
    try:
        envelope = decode(message.value(), (DeadLetter,))
    except UndecodableRecord:
        return None
    if not isinstance(envelope.payload, DeadLetter):
        return None
    _, partition, offset = position_of(message)
    return Entry(Handle(partition, offset), envelope.occurred_at, envelope.payload)
