"""Follows ``commands.outcomes`` into the command store, and wakes requests waiting for a decision."""

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition

from producers.store import CommandStore
from schemas.outcomes import CommandOutcome
from schemas.topics import COMMAND_OUTCOMES

log = logging.getLogger(__name__)

POLL_BATCH = 1000


class OutcomeWatcher:
    """Reads every outcome, resuming where the store left off (no consumer group: each API process reads all)."""

    def __init__(self, bootstrap: str, store: CommandStore,
                 on_outcome: Callable[[CommandOutcome], None] = lambda outcome: None) -> None:
        self._config: dict[str, Any] = {
            "bootstrap.servers": bootstrap, "group.id": f"orderflow-outcomes-{uuid.uuid4()}",
            "enable.auto.commit": False, "fetch.wait.max.ms": 10, "log_level": 3,
        }
        self._store = store
        self._on_outcome = on_outcome
        self._waiters: dict[uuid.UUID, list[asyncio.Future[CommandOutcome]]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        consumer = Consumer(self._config)
        partitions = consumer.list_topics(COMMAND_OUTCOMES, timeout=10).topics[COMMAND_OUTCOMES].partitions
        consumer.assign([self._resume_point(partition) for partition in partitions])
        self._thread = threading.Thread(target=self._consume, args=(consumer,), name="outcome-watcher", daemon=True)
        self._thread.start()

    def _resume_point(self, partition: int) -> TopicPartition:
        stored = self._store.next_offset(COMMAND_OUTCOMES, partition)
        return TopicPartition(COMMAND_OUTCOMES, partition, OFFSET_BEGINNING if stored is None else stored)

    def _consume(self, consumer: Consumer) -> None:
        try:
            while not self._stopping.is_set():
                messages = [m for m in consumer.consume(POLL_BATCH, timeout=0.1) if not m.error()]
                if messages:
                    self._absorb(messages)
        finally:
            consumer.close()

    def _absorb(self, messages: list[Message]) -> None:
        outcomes = [outcome for outcome in map(_outcome_of, messages) if outcome is not None]
        offsets = {(m.topic(), m.partition()): m.offset() + 1 for m in messages}
        self._store.save_outcomes(outcomes, offsets)
        for outcome in outcomes:
            self._on_outcome(outcome)
            self._wake(outcome)

    def _wake(self, outcome: CommandOutcome) -> None:
        with self._lock:
            waiters = self._waiters.pop(outcome.command_id, [])
        for future in waiters:
            assert self._loop is not None
            self._loop.call_soon_threadsafe(_resolve, future, outcome)

    def expect(self, command_id: uuid.UUID) -> asyncio.Future[CommandOutcome]:
        """Register interest before publishing, so a fast decision is not missed."""
        future: asyncio.Future[CommandOutcome] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._waiters.setdefault(command_id, []).append(future)
        known = self._store.outcome(command_id)
        if known is not None:
            self.forget(command_id, future)
            future.set_result(known)
        return future

    def forget(self, command_id: uuid.UUID, future: asyncio.Future[CommandOutcome]) -> None:
        with self._lock:
            waiting = self._waiters.get(command_id, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self._waiters.pop(command_id, None)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _outcome_of(message: Message) -> CommandOutcome | None:
    try:
        return CommandOutcome.model_validate_json(message.value() or b"")
    except ValueError:
        # Outcomes are written only by the decider; an unreadable one is a bug to look at, not a record to replay.
        log.error("unreadable outcome at %s/%s/%s", message.topic(), message.partition(), message.offset())
        return None


def _resolve(future: asyncio.Future[CommandOutcome], outcome: CommandOutcome) -> None:
    if not future.done():
        future.set_result(outcome)
