"""Taking records off a loop's consumer: a batch's worth at a time, and only records."""

import logging
import time

from confluent_kafka import Consumer, Message

log = logging.getLogger(__name__)


def gather(consumer: Consumer, max_records: int, wait_s: float, gather_until: float) -> list[Message]:
    """What is queued, up to ``max_records``; when nothing is, wait up to ``wait_s`` for the first record. Then
    gather more until the monotonic clock reaches ``gather_until``: a transaction costs Kafka about as much for a
    few records as for a thousand, so a trickle is taken a tenth of a second at a time."""
    messages = consumer.consume(max_records, timeout=0)
    if not messages:
        if wait_s <= 0:
            return []
        first = consumer.poll(wait_s)
        if first is None:
            return []
        messages = [first, *consumer.consume(max_records - 1, timeout=0)]
    while len(messages) < max_records and (left := gather_until - time.monotonic()) > 0:
        messages += consumer.consume(max_records - len(messages), timeout=left)
    return messages


def records_of(messages: list[Message], loop_name: str) -> list[Message]:
    """The records among ``messages``; the consumer's error events are logged."""
    records = []
    for message in messages:
        error = message.error()
        if error is None:
            records.append(message)
        else:
            log.warning("loop %s: consumer error %s", loop_name, error)
    return records


def close_quietly(consumer: Consumer, loop_name: str) -> None:
    """Leave the group; a failure is only logged (the broker times the member out otherwise)."""
    try:
        consumer.close()
    except Exception:  # noqa: BLE001 - on the way out, whatever the client says
        log.warning("loop %s: closing the consumer failed", loop_name, exc_info=True)
