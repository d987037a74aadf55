"""A thin confluent-kafka producer: idempotent, acks=all, confirms delivery before an answer is given."""

import asyncio
import logging
import threading
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
        if self._producer is None:
            raise RuntimeError("publisher is not started")
        loop = asyncio.get_running_loop()
        delivered: asyncio.Future[None] = loop.create_future()

        def on_delivery(error: KafkaError | None, message: Message) -> None:
            loop.call_soon_threadsafe(_settle, delivered, error)

        while True:
            try:
                self._producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
                break
            except BufferError:
                await asyncio.sleep(0.005)  # the poll thread drains the queue
        await delivered

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


def _settle(future: asyncio.Future[None], error: KafkaError | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(KafkaException(error))
