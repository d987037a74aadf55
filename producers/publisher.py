"""A thin confluent-kafka producer: idempotent, acks=all, confirms delivery before an answer is given."""

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

log = logging.getLogger(__name__)


def producer_config(bootstrap: str) -> dict[str, Any]:
    return {
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        "partitioner": "murmur2_random",  # the Java client's partitioner, as Faust uses
        "queue.buffering.max.messages": 200_000,
        "log_level": 3,
    }


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes
    value: bytes


class KafkaPublisher:
    """``publish`` returns once the broker has the record; a full local queue waits, it does not drop."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._producer: Producer | None = None
        self._poller: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        self._producer = Producer(self._config)
        self._poller = threading.Thread(target=self._poll_forever, name="kafka-publisher-poll", daemon=True)
        self._poller.start()

    def _poll_forever(self) -> None:
        while not self._stopping.is_set():
            assert self._producer is not None
            self._producer.poll(0.1)

    @property
    def queue_depth(self) -> int:
        return len(self._producer) if self._producer is not None else 0

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        error = (await self.publish_many([Record(topic, key, value)]))[0]
        if error is not None:
            raise KafkaException(error)

    async def publish_many(self, records: Sequence[Record]) -> list[KafkaError | None]:
        """Produce all, then wait until the broker confirmed or refused each; the errors come back by position."""
        if self._producer is None:
            raise RuntimeError("publisher is not started")
        tracker = _DeliveryTracker(asyncio.get_running_loop(), len(records))
        for index, record in enumerate(records):
            while True:
                try:
                    self._producer.produce(record.topic, key=record.key, value=record.value,
                                           on_delivery=tracker.callback(index))
                    break
                except BufferError:
                    await asyncio.sleep(0.005)  # the poll thread drains the queue
        return await tracker.all_delivered

    def close(self, timeout_s: float = 10.0) -> None:
        if self._producer is None:
            return
        remaining = self._producer.flush(timeout_s)
        if remaining:
            log.error("%d records were not confirmed by Kafka before shutdown", remaining)
        self._stopping.set()
        if self._poller is not None:
            self._poller.join(timeout=2)
        self._producer = None


class _DeliveryTracker:
    """Counts delivery reports (they arrive on the poll thread) and resolves once all are in."""

    def __init__(self, loop: asyncio.AbstractEventLoop, expected: int) -> None:
        self._loop = loop
        self._remaining = expected
        self._lock = threading.Lock()
        self.errors: list[KafkaError | None] = [None] * expected
        self.all_delivered: asyncio.Future[list[KafkaError | None]] = loop.create_future()
        if expected == 0:
            self.all_delivered.set_result([])

    def callback(self, index: int) -> Callable[[KafkaError | None, Message], None]:
        def on_delivery(error: KafkaError | None, message: Message) -> None:
            with self._lock:
                self.errors[index] = error
                self._remaining -= 1
                finished = self._remaining == 0
            if finished and not self._loop.is_closed():  # closed: the request that waited is gone
                self._loop.call_soon_threadsafe(_settle, self.all_delivered, self.errors)

        return on_delivery


def _settle(future: asyncio.Future[list[KafkaError | None]], errors: list[KafkaError | None]) -> None:
    if not future.done():
        future.set_result(errors)
