"""A thin confluent-kafka producer: idempotent, acks=all, confirms delivery before an answer is given.

Delivery reports arrive on the poll thread inside ``poll()``. The thread hands each round of reports to the
event loop in one ``call_soon_threadsafe``; the loop counts them and resolves the waiting requests, so no
state is shared between threads and no lock is taken per record or per request.
"""

import asyncio
import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from producers.ports import Record

log = logging.getLogger(__name__)

STATISTICS_INTERVAL_MS = 1000
QUEUE_FULL_PAUSE_S = 0.005


DeliveryErrors = list[KafkaError | None]


class _Delivery:
    """One ``publish_many`` call: its records, the failures reported for them, and the future its caller awaits."""

    __slots__ = ("records", "failures", "outstanding", "done", "_publisher")

    def __init__(self, publisher: "KafkaPublisher", records: Sequence[Record], done: asyncio.Future[DeliveryErrors]) -> None:
        self.records = records
        self.failures: dict[bytes, KafkaError] = {}
        self.outstanding = len(records)  # counted on the event loop only
        self.done = done
        self._publisher = publisher

    def on_delivery(self, error: KafkaError | None, message: Message) -> None:
        """On the poll thread: note a failure (records are told apart by their value) and queue the report."""
        if error is not None:
            self.failures[message.value() or b""] = error
        self._publisher.reports.append(self)

    def fail(self, record: Record, error: KafkaError) -> None:
        """On the event loop: a record that never reached the producer's queue."""
        self.failures[record.value] = error
        self.counted()

    def counted(self) -> None:
        self.outstanding -= 1
        if self.outstanding == 0 and not self.done.done():
            self.done.set_result([self.failures.get(record.value) for record in self.records] if self.failures
                                 else [None] * len(self.records))


def _count(reports: list[_Delivery]) -> None:
    for delivery in reports:
        delivery.counted()


class KafkaPublisher:
    """The ``CommandPublisher`` of Kafka. ``publish_many`` returns once the broker stored or refused each record,
    within the delivery timeout.

    A full local queue waits for room until the same deadline, then reports the record as failed.
    ``problem`` says why Kafka cannot be reached right now (``None`` while it can).
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._timeout_s = config.get("delivery.timeout.ms", 300_000) / 1000
        self._producer: Producer | None = None
        self._poller: threading.Thread | None = None
        self._stopping = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.reports: list[_Delivery] = []  # filled and emptied by the poll thread only
        self.problem: str | None = "not connected to Kafka yet"

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._producer = Producer({**self._config, "statistics.interval.ms": STATISTICS_INTERVAL_MS,
                                   "error_cb": self._on_error, "stats_cb": self._on_statistics})
        self._poller = threading.Thread(target=self._poll_forever, name="kafka-publisher-poll", daemon=True)
        self._poller.start()

    def _poll_forever(self) -> None:
        assert self._producer is not None and self._loop is not None
        while not self._stopping.is_set():
            self._producer.poll(0.1)
            self._hand_over()

    def _hand_over(self) -> None:
        if self.reports and self._loop is not None and not self._loop.is_closed():
            reports, self.reports = self.reports, []
            self._loop.call_soon_threadsafe(_count, reports)

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            self.problem = f"the Kafka producer failed for good, restart the command API: {error.str()}"
        elif error.code() == KafkaError._ALL_BROKERS_DOWN:
            self.problem = f"no Kafka broker can be reached: {error.str()}"

    def _on_statistics(self, text: str) -> None:
        if self.problem is not None and self.problem.startswith("the Kafka producer failed for good"):
            return
        brokers = json.loads(text).get("brokers", {}).values()
        # The internal and logical entries (coordinators) are not connections of their own.
        connected = any(broker.get("state") == "UP" and broker.get("source") not in ("internal", "logical")
                        for broker in brokers)
        if connected:
            self.problem = None
        elif self.problem is None:
            self.problem = "no connection to a Kafka broker"

    @property
    def queue_depth(self) -> int:
        return len(self._producer) if self._producer is not None else 0

    async def publish_many(self, records: Sequence[Record]) -> DeliveryErrors:
        """Produce all, then wait until the broker confirmed or refused each; the errors come back by position."""
        return await (await self.enqueue(records))

    async def enqueue(self, records: Sequence[Record]) -> asyncio.Future[DeliveryErrors]:
        """Hand every record to the producer, in order, and return what resolves once the broker confirmed or
        refused each (the errors by position). Waits only while the local queue is full."""
        if self._producer is None:
            raise RuntimeError("publisher is not started")
        done: asyncio.Future[DeliveryErrors] = asyncio.get_running_loop().create_future()
        if not records:
            done.set_result([])
            return done
        delivery = _Delivery(self, records, done)
        deadline = time.monotonic() + self._timeout_s
        produce, on_delivery = self._producer.produce, delivery.on_delivery
        for record in records:
            while True:
                try:
                    produce(record.topic, record.value, record.key, on_delivery=on_delivery)
                    break
                except BufferError:
                    if time.monotonic() >= deadline:
                        delivery.fail(record, KafkaError(KafkaError._QUEUE_FULL, "the local producer queue stayed full"))
                        break
                    await asyncio.sleep(QUEUE_FULL_PAUSE_S)  # the poll thread drains the queue
                except KafkaException as error:
                    delivery.fail(record, error.args[0])
                    break
        return done

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        error = (await self.publish_many([Record(topic, key, value)]))[0]
        if error is not None:
            raise KafkaException(error)

    def close(self, timeout_s: float = 10.0) -> None:
        """Stops the poll thread, then waits here for what is still queued (its reports reach no one)."""
        if self._producer is None:
            return
        self._stopping.set()
        if self._poller is not None:
            self._poller.join(timeout=2)
        remaining = self._producer.flush(timeout_s)
        if remaining:
            log.error("%d records were not confirmed by Kafka before shutdown", remaining)
        self._producer = None
