"""Follows ``commands.outcomes`` so a request can wait for the decision on its command."""

import asyncio
import logging
import threading
import uuid
from collections import OrderedDict
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from schemas.outcomes import CommandOutcome
from schemas.topics import COMMAND_OUTCOMES

log = logging.getLogger(__name__)

RECENT_OUTCOMES = 50_000


class OutcomeWatcher:
    """Reads outcomes from the log end onwards (no consumer group: every API process sees every outcome)."""

    def __init__(self, bootstrap: str) -> None:
        self._config: dict[str, Any] = {
            "bootstrap.servers": bootstrap, "group.id": f"orderflow-outcomes-{uuid.uuid4()}",
            "enable.auto.commit": False, "fetch.wait.max.ms": 10, "log_level": 3,
        }
        self._waiters: dict[uuid.UUID, list[asyncio.Future[CommandOutcome]]] = {}
        self._recent: OrderedDict[uuid.UUID, CommandOutcome] = OrderedDict()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        consumer = Consumer(self._config)
        partitions = consumer.list_topics(COMMAND_OUTCOMES, timeout=10).topics[COMMAND_OUTCOMES].partitions
        # Explicit log-end offsets: every outcome written after start-up is seen.
        ends = [consumer.get_watermark_offsets(TopicPartition(COMMAND_OUTCOMES, p), timeout=10)[1] for p in partitions]
        consumer.assign([TopicPartition(COMMAND_OUTCOMES, p, end) for p, end in zip(partitions, ends, strict=True)])
        self._thread = threading.Thread(target=self._consume, args=(consumer,), name="outcome-watcher", daemon=True)
        self._thread.start()

    def _consume(self, consumer: Consumer) -> None:
        try:
            while not self._stopping.is_set():
                message = consumer.poll(0.1)
                if message is None or message.error():
                    continue
                try:
                    outcome = CommandOutcome.model_validate_json(message.value())
                except ValueError:
                    log.warning("unreadable outcome at %s/%s", message.partition(), message.offset())
                    continue
                self._deliver(outcome)
        finally:
            consumer.close()

    def _deliver(self, outcome: CommandOutcome) -> None:
        with self._lock:
            self._recent[outcome.command_id] = outcome
            self._recent.move_to_end(outcome.command_id)
            while len(self._recent) > RECENT_OUTCOMES:
                self._recent.popitem(last=False)
            waiters = self._waiters.pop(outcome.command_id, [])
        for future in waiters:
            assert self._loop is not None
            self._loop.call_soon_threadsafe(_resolve, future, outcome)

    def expect(self, command_id: uuid.UUID) -> asyncio.Future[CommandOutcome]:
        """Register interest before publishing, so a fast decision is not missed."""
        future: asyncio.Future[CommandOutcome] = asyncio.get_running_loop().create_future()
        with self._lock:
            known = self._recent.get(command_id)
            if known is None:
                self._waiters.setdefault(command_id, []).append(future)
        if known is not None:
            future.set_result(known)
        return future

    def forget(self, command_id: uuid.UUID, future: asyncio.Future[CommandOutcome]) -> None:
        with self._lock:
            waiting = self._waiters.get(command_id, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self._waiters.pop(command_id, None)

    def recent(self, command_id: uuid.UUID) -> CommandOutcome | None:
        with self._lock:
            return self._recent.get(command_id)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _resolve(future: asyncio.Future[CommandOutcome], outcome: CommandOutcome) -> None:
    if not future.done():
        future.set_result(outcome)
